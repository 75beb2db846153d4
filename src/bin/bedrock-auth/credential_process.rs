//! `bedrock-auth credential-process`: the mode's credentials in the `credential_process`
//! format, for a profile line, so that every AWS tool uses this configuration. A failure is
//! said as every subcommand says it: on stderr, or with `--json` as JSON on stdout.

use std::io::Write;
use std::process::ExitCode;

use bedrock_auth::{AuthConfig, AuthError, AuthManager, ErrorKind, modes::ModeKind};
use zeroize::Zeroizing;

use serde::Serialize;

use crate::cache::{Entry, Inputs};
use crate::flags::ModeFlags;

/// The output, on stdout and nowhere else.
fn print_output(bytes: &[u8]) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cannot write the credentials: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `bedrock-auth credential-process`: the credentials, as the `credential_process` contract
/// wants them, on stdout and nowhere else; any failure with a non-zero exit, on stderr (or as
/// JSON with `--json`).
pub(crate) async fn run(mode: &ModeFlags, cache: bool, json: bool) -> ExitCode {
    // The configuration first, with the library's checks of the file it reads: the cache's key
    // then reads the files that configuration names.
    let config = match mode.config() {
        Ok(config) => config,
        Err(error) => return failed(error, json),
    };
    let (manager, entry) = match manager_and_entry(mode, &config, cache).await {
        Ok(both) => both,
        Err(error) => return failed(error, json),
    };
    if let Some(cached) = entry.as_ref().and_then(Entry::fresh) {
        return print_output(&cached);
    }
    /// The `credential_process` output, version 1.
    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct ProcessCredentials<'a> {
        version: u8,
        access_key_id: &'a str,
        secret_access_key: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        session_token: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        expiration: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        account_id: Option<&'a str>,
    }

    let credentials = async {
        if manager.mode() == ModeKind::ApiKey {
            return Err(AuthError::new(
                ErrorKind::InvalidConfig,
                "credential-process prints SigV4 credentials, and API-key mode has none (a \
                 Bedrock API key only works as a bearer token for Bedrock)",
                "choose a SigV4 mode: --profile, --env, --role-arn, or a --config file with one",
            ));
        }
        manager.credentials().await
    };
    match credentials.await {
        Ok(credentials) => {
            let expiration = credentials.expiry().and_then(|at| {
                let secs = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
                Some(aws_smithy_types::DateTime::from_secs(i64::try_from(secs).ok()?).to_string())
            });
            let output = ProcessCredentials {
                version: 1,
                access_key_id: credentials.access_key_id(),
                secret_access_key: credentials.secret_access_key(),
                session_token: credentials.session_token(),
                account_id: credentials.account_id().map(|id| id.as_str()),
                expiration,
            };
            // Written into a buffer that is wiped, printed, and kept when it may be.
            // Room for any answer (session tokens run to a few KiB), so the buffer never grows:
            // growing would free a copy of the secret unwiped.
            let mut bytes = Zeroizing::new(Vec::with_capacity(16 * 1024));
            if let Err(err) = serde_json::to_writer(&mut *bytes, &output) {
                eprintln!("cannot write the credentials: {err}");
                return ExitCode::FAILURE;
            }
            bytes.push(b'\n');
            let temporary = output.session_token.is_some() && output.expiration.is_some();
            if let Some(entry) = entry.filter(|_| temporary) {
                entry.keep(&config, mode.config_file(), &bytes).await;
            }
            print_output(&bytes)
        }
        Err(error) => failed(error, json),
    }
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

/// The failure, as every subcommand says one: text on stderr (nothing on stdout, as the
/// contract wants), or with `--json` JSON on stdout (as its usage errors are); exit 2 for an
/// invalid configuration, 1 otherwise.
fn failed(error: AuthError, json: bool) -> ExitCode {
    crate::printed(Err(error.into()), json)
}
