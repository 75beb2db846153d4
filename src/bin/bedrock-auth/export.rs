//! `bedrock-auth export --format env|json|sts [mode flags]`: the mode's credentials printed in
//! the shape another program reads: shell lines to `eval`, the `credential_process` JSON, or
//! STS's `{"Credentials": {..}}` (Claude Code's `awsCredentialExport`). To a terminal only
//! with `--yes`: keys on a screen end up in scrollback and screenshots.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use bedrock_auth::{AuthError, ErrorKind};

use crate::flags::ModeFlags;
use crate::shapes::{self, Shape};

pub(crate) async fn run(mode: &ModeFlags, shape: Shape, yes: bool) -> Result<ExitCode, AuthError> {
    if std::io::stdout().is_terminal() && !yes {
        return Err(AuthError::new(
            ErrorKind::InvalidConfig,
            "export prints secret keys, and stdout is a terminal",
            "pass --yes to print them there, or send them where they are read: `eval \"$(bedrock-auth \
             export --format env)\"`, a pipe or a file",
        ));
    }
    let manager = mode.manager()?;
    let credentials = shapes::sigv4_credentials(&manager, "export").await?;
    let bytes = shapes::write(shape, &credentials)
        .map_err(|err| AuthError::new(ErrorKind::InvalidConfig, err.to_string(), crate::BUG))?;
    let mut stdout = std::io::stdout().lock();
    Ok(
        match stdout.write_all(&bytes).and_then(|()| stdout.flush()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => crate::output::stdout_failed(&err),
        },
    )
}
