//! `bedrock-auth credential-process`: the mode's credentials in the `credential_process`
//! format, for a profile line, so that every AWS tool uses this configuration. A failure is
//! said as every subcommand says it: on stderr, or with `--json` as JSON on stdout.

use std::io::Write;
use std::process::ExitCode;

use bedrock_auth::{AuthConfig, AuthError, AuthManager};

use crate::cache::{Entry, Inputs};
use crate::flags::ModeFlags;
use crate::shapes::{self, Shape};

/// The output, on stdout and nowhere else.
fn print_output(bytes: &[u8]) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => crate::output::stdout_failed(&err),
    }
}

/// `bedrock-auth credential-process`: the credentials, as the `credential_process` contract
/// wants them, on stdout and nowhere else; any failure with a non-zero exit, on stderr (or as
/// JSON with `--json`).
pub(crate) async fn run(mode: &ModeFlags, cache: bool) -> Result<ExitCode, AuthError> {
    // The configuration first, with the library's checks of the file it reads: the cache's key
    // then reads the files that configuration names.
    let config = mode.config()?;
    let (manager, entry) = manager_and_entry(mode, &config, cache).await?;
    if let Some(cached) = entry.as_ref().and_then(Entry::fresh) {
        return Ok(print_output(&cached));
    }
    let credentials = shapes::sigv4_credentials(&manager, "credential-process").await?;
    // Written into a buffer that is wiped, printed, and kept when it may be.
    let bytes = match shapes::write(Shape::Json, &credentials) {
        Ok(bytes) => bytes,
        Err(err) => {
            crate::output::note(&format!("error: cannot write the credentials: {err}"));
            return Ok(ExitCode::FAILURE);
        }
    };
    let temporary = credentials.session_token().is_some() && credentials.expiry().is_some();
    if let Some(entry) = entry.filter(|_| temporary) {
        entry.keep(&config, mode.config_file(), &bytes).await;
    }
    Ok(print_output(&bytes))
}

/// The manager of `config`, and with `--cache` its entry: the key's files are read (and
/// checked) first, before the library reads any of them; then the manager says where the
/// profile chain the key follows starts.
async fn manager_and_entry(
    mode: &ModeFlags,
    config: &AuthConfig,
    cache: bool,
) -> Result<(AuthManager, Option<Entry>), AuthError> {
    let inputs = cache
        .then(|| Inputs::read(config, mode.config_file()))
        .flatten();
    let manager = mode.manager_of(config)?;
    let entry = match inputs {
        Some(inputs) => Entry::of(inputs, &manager.info()).await,
        None => None,
    };
    Ok((manager, entry))
}
