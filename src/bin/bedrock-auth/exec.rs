//! `bedrock-auth exec [mode flags] -- CMD [ARGS...]`: runs a program with the mode's
//! credentials, as aws-vault and granted do. By default in its environment (the SDKs'
//! environment provider reads them); with `--server`, from a credential endpoint on
//! 127.0.0.1 that answers from the manager's cache and refreshes before expiry, so a child
//! that runs for days never needs a restart; with `--short-term-key`, as a Bedrock API key made
//! from the credentials (`AWS_BEARER_TOKEN_BEDROCK`), for tools that take one.
//!
//! Secrets go through the environment only, never an argument (process lists show
//! arguments). Variables that would compete with the credentials given are removed, and
//! [`NESTED`] marks the child, so an `exec` inside it is refused: which credentials would win?
//! The child's exit code is the command's (128 + N for a child ended by signal N);
//! `SIGTERM`, `SIGHUP`, `SIGQUIT`, `SIGUSR1` and `SIGUSR2` sent to this process are passed on.
//! `Ctrl-C` reaches the child from the terminal directly, so `SIGINT` is not sent again.

use std::ffi::OsString;
use std::process::ExitCode;
use std::time::Duration;

use bedrock_auth::{AuthError, AuthManager, ErrorKind, ExposeSecret, modes::ModeKind};
use tokio::signal::unix::{SignalKind, signal};

use crate::credential_server::CredentialServer;
use crate::flags::ModeFlags;
use crate::shapes;

/// Set in the child's environment: a process run by `exec`, whose own `exec` is refused.
pub(crate) const NESTED: &str = "IN_BEDROCK_AUTH_EXEC";

/// Variables of the parent that would compete with what the child is given: another profile,
/// other keys, a web identity, a container endpoint, another API key. Removed from the child's
/// environment before the credentials are set.
const COMPETING: [&str; 16] = [
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_BEARER_TOKEN_BEDROCK",
    "AWS_ACCOUNT_ID",
];

/// How the child gets its credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Handing {
    /// Keys in its environment.
    Environment,
    /// A credential endpoint on loopback.
    Server,
    /// A short-term Bedrock API key in `AWS_BEARER_TOKEN_BEDROCK`.
    ShortTermKey,
}

/// How long a short-term key made for the child lives, at most (and at most as long as the
/// credentials that sign it).
const SHORT_TERM_KEY_TTL: Duration = Duration::from_secs(12 * 3600);

pub(crate) async fn run(
    mode: &ModeFlags,
    handing: Handing,
    command: &[OsString],
) -> Result<ExitCode, AuthError> {
    if std::env::var_os(NESTED).is_some() {
        return Err(AuthError::new(
            ErrorKind::InvalidConfig,
            format!(
                "already inside `bedrock-auth exec` ({NESTED} is set): the credentials it gave \
                 would compete with these"
            ),
            "run the command directly, or leave the outer `exec` first",
        ));
    }
    let Some((program, args)) = command.split_first() else {
        return Err(AuthError::new(
            ErrorKind::InvalidConfig,
            "exec needs the command to run after `--`",
            "write it as `bedrock-auth exec [mode flags] -- CMD [ARGS...]`",
        ));
    };
    let manager = mode.manager()?;
    let region = manager.region().await?;
    let mut child = tokio::process::Command::new(program);
    child.args(args).kill_on_drop(true);
    for name in COMPETING {
        child.env_remove(name);
    }
    child
        .env(NESTED, "1")
        .env("AWS_REGION", region.as_str())
        .env("AWS_DEFAULT_REGION", region.as_str());
    // The server lives as long as the child: dropped, it stops.
    let _server = give(&manager, handing, &region, &mut child).await?;
    // Taken before the child starts: a signal sent once it runs must not end this process
    // (the default) and leave the child behind.
    let signals = taken_signals();
    let mut child = child.spawn().map_err(|err| {
        AuthError::new(
            ErrorKind::InvalidConfig,
            format!("cannot run the command: {err}"),
            "check the command's name and that it is on PATH",
        )
    })?;
    Ok(wait_passing_signals(&mut child, signals).await)
}

/// Puts the credentials where the child reads them; the credential server, when it serves
/// them.
async fn give(
    manager: &AuthManager,
    handing: Handing,
    region: &bedrock_auth::Region,
    child: &mut tokio::process::Command,
) -> Result<Option<CredentialServer>, AuthError> {
    if manager.mode() == ModeKind::ApiKey {
        if handing != Handing::Environment {
            return Err(AuthError::new(
                ErrorKind::InvalidConfig,
                "API-key mode has a Bedrock API key, not credentials to serve or sign a key \
                 with",
                "use `exec --api-key` alone: the child gets the key in AWS_BEARER_TOKEN_BEDROCK",
            ));
        }
        // The mode's key is the variable's; read it as the manager does, and hand it on.
        manager.validate().await?;
        if let Some(key) = std::env::var_os("AWS_BEARER_TOKEN_BEDROCK") {
            child.env("AWS_BEARER_TOKEN_BEDROCK", key);
        }
        return Ok(None);
    }
    match handing {
        Handing::Environment => {
            let credentials = shapes::sigv4_credentials(manager, "exec").await?;
            let expiration = shapes::expiration(&credentials);
            for (name, value) in shapes::variables(&credentials, expiration.as_deref()) {
                child.env(name, value);
            }
            Ok(None)
        }
        Handing::Server => {
            let server = CredentialServer::start(manager.clone()).await?;
            child
                .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url())
                .env(
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                    server.token().expose_secret(),
                );
            Ok(Some(server))
        }
        Handing::ShortTermKey => {
            let key = manager
                .bedrock_api_key(region.as_str(), SHORT_TERM_KEY_TTL)
                .await?;
            child.env("AWS_BEARER_TOKEN_BEDROCK", key.token().expose_secret());
            Ok(None)
        }
    }
}

/// The signals this process takes while its child runs: those it passes on, and `SIGINT`,
/// taken and not passed on (the terminal sends it to the child too), so that this process
/// outlives the child and reports its exit.
fn taken_signals() -> Vec<(SignalKind, tokio::signal::unix::Signal)> {
    [
        SignalKind::terminate(),
        SignalKind::hangup(),
        SignalKind::quit(),
        SignalKind::user_defined1(),
        SignalKind::user_defined2(),
        SignalKind::interrupt(),
    ]
    .into_iter()
    .filter_map(|kind| Some((kind, signal(kind).ok()?)))
    .collect()
}

/// Waits for the child, passing on the signals sent to this process; its exit code, or 128 +
/// the signal that ended it.
async fn wait_passing_signals(
    child: &mut tokio::process::Child,
    signals: Vec<(SignalKind, tokio::signal::unix::Signal)>,
) -> ExitCode {
    let pid = child
        .id()
        .and_then(|id| rustix::process::Pid::from_raw(i32::try_from(id).ok()?));
    let passing: Vec<_> = signals
        .into_iter()
        .map(|(kind, mut stream)| {
            tokio::spawn(async move {
                while stream.recv().await.is_some() {
                    if kind != SignalKind::interrupt() {
                        pass_on(pid, kind);
                    }
                }
            })
        })
        .collect();
    let status = child.wait().await;
    // Its pid may be another process's from now on.
    for task in passing {
        task.abort();
    }
    exit_code(status)
}

/// Sends the child the signal this process was sent.
fn pass_on(pid: Option<rustix::process::Pid>, kind: SignalKind) {
    let signal = rustix::process::Signal::from_named_raw(kind.as_raw_value());
    let (Some(pid), Some(signal)) = (pid, signal) else {
        return;
    };
    if let Err(err) = rustix::process::kill_process(pid, signal) {
        tracing::debug!(%err, "the signal could not be passed on");
    }
}

/// The child's exit, as this process's exit code.
fn exit_code(status: std::io::Result<std::process::ExitStatus>) -> ExitCode {
    use std::os::unix::process::ExitStatusExt;
    match status {
        Ok(status) => match (status.code(), status.signal()) {
            (Some(code), _) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
            (None, Some(signal)) => ExitCode::from(u8::try_from(128 + signal).unwrap_or(1)),
            (None, None) => ExitCode::FAILURE,
        },
        Err(err) => {
            crate::output::note(&format!("exec: cannot wait for the command: {err}"));
            ExitCode::FAILURE
        }
    }
}
