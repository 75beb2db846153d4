//! `--login`: when a subcommand failed because a sign-in session must be renewed (an SSO
//! session, an `aws login` session), the AWS CLI's own sign-in (`aws sso login --profile
//! NAME`, `aws login --profile NAME`) is run for the person at the terminal, and the
//! subcommand is tried once more. Only at a terminal: the sign-in asks a person to approve it
//! in a browser, and nobody would see it otherwise.

use std::io::IsTerminal;
use std::os::fd::AsFd;
use std::process::Stdio;
use std::time::Duration;

use bedrock_auth::error::SignIn;
use bedrock_auth::{AuthError, ErrorKind};

/// How long a person has to finish the sign-in in the browser: the AWS CLI's device
/// authorization lasts ten minutes.
const SIGN_IN_LIMIT: Duration = Duration::from_secs(10 * 60);

/// The program run: `aws`, found on PATH.
const AWS_CLI: &str = "aws";

/// Whether a person is there to sign in: stdin and stderr are a terminal.
pub(crate) fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The error of a subcommand that `--login` could not help, saying why, for a sign-in
/// failure when no terminal is there.
pub(crate) fn not_interactive(error: AuthError, sign_in: &SignIn) -> AuthError {
    let hint = format!(
        "{}; --login runs `{}` only at a terminal (stdin and stderr), where a person can \
         approve it: run it there yourself",
        error.hint(),
        sign_in.command()
    );
    error.with_hint(hint)
}

/// Runs the AWS CLI's sign-in for `sign_in`, its output on stderr (stdout is this command's
/// answer alone) and stdin the terminal's. `Ok` when it exited 0.
pub(crate) async fn renew(sign_in: &SignIn) -> Result<(), AuthError> {
    let command = sign_in.command();
    crate::output::note(&format!("signing in: running `{command}`"));
    let to_stderr = std::io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .map(Stdio::from)
        .map_err(|err| {
            AuthError::new(
                ErrorKind::NoCredentials,
                format!("cannot run `{command}`: cannot pass it stderr: {err}"),
                format!("run `{command}` yourself, then run this command again"),
            )
        })?;
    let mut child = tokio::process::Command::new(AWS_CLI);
    child
        .args(sign_in.args())
        .stdin(Stdio::inherit())
        .stdout(to_stderr)
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    let mut child = child.spawn().map_err(|err| {
        AuthError::new(
            ErrorKind::NoCredentials,
            format!("cannot run `{command}`: {err}"),
            "install the AWS CLI v2 (it signs in to IAM Identity Center and the console), or \
             put `aws` on PATH; then run this command again",
        )
    })?;
    let status = match tokio::time::timeout(SIGN_IN_LIMIT, child.wait()).await {
        Ok(Ok(status)) => status,
        Ok(Err(err)) => {
            return Err(AuthError::new(
                ErrorKind::NoCredentials,
                format!("`{command}` could not be waited for: {err}"),
                format!("run `{command}` yourself, then run this command again"),
            ));
        }
        Err(_) => {
            // Dropped, it is killed.
            return Err(AuthError::new(
                ErrorKind::TimedOut,
                format!(
                    "`{command}` was not finished within {} minutes; it was stopped",
                    SIGN_IN_LIMIT.as_secs() / 60
                ),
                format!("run `{command}` and approve the sign-in in the browser it opens"),
            ));
        }
    };
    if status.success() {
        return Ok(());
    }
    let ended = match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => "was ended by a signal".to_owned(),
    };
    Err(AuthError::new(
        ErrorKind::NoCredentials,
        format!("`{command}` {ended}: the session was not renewed"),
        format!("see what it printed above; run `{command}` yourself, then run this command again"),
    ))
}
