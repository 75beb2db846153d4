//! `bedrock-auth`: who am I on AWS, and why not? Built with `--features cli`.
//!
//! Exit codes: 0 success, 1 authentication or a call failed, 2 invalid usage or configuration.
//!
//! One file per subcommand (`whoami.rs`, `check.rs`, `doctor.rs`, `ping.rs`, `token.rs`,
//! `credential_process.rs`, with its cache in `cache.rs` and the cache's key in
//! `cache/key.rs`); `hints.rs` words the library's hints as this command's flags; `flags.rs`
//! turns the mode flags into a configuration, as the keys of a config file; `output.rs` prints
//! a report or a failure, as text or with `--json`, and holds the command's own error type.

mod cache;
mod check;
mod credential_process;
mod credential_server;
mod doctor;
mod exec;
mod export;
mod flags;
mod hints;
mod login;
mod logs;
mod mfa_prompt;
mod output;
mod ping;
mod shapes;
mod token;
mod whoami;

use std::process::ExitCode;

use bedrock_auth::{AuthError, ErrorKind};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use flags::{ModeFlags, SettingFlags};
use output::{Failure, Outcome, Report, note, print_json, shown, stdout_failed, write_stdout};

#[derive(Parser)]
#[command(name = "bedrock-auth", about = "Check AWS credentials for Bedrock")]
struct Cli {
    /// Print JSON on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// When an SSO or `aws login` session must be renewed, run the AWS CLI's sign-in for it
    /// (`aws sso login --profile NAME`, `aws login --profile NAME`) at this terminal, then try
    /// once more. Only at a terminal (stdin and stderr).
    #[arg(long, global = true)]
    login: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate the credentials (STS GetCallerIdentity) and print who they belong to.
    Whoami {
        #[command(flatten)]
        mode: ModeFlags,
    },
    /// Check a configuration file without network; list every problem.
    Check {
        /// The TOML or JSON file.
        #[arg(long, value_name = "FILE")]
        config: std::path::PathBuf,
        #[command(flatten)]
        settings: SettingFlags,
    },
    /// Diagnose the environment, then try `whoami`, with a hint for each problem.
    Doctor {
        #[command(flatten)]
        mode: ModeFlags,
    },
    /// One minimal Bedrock Converse call ("ping", 1 output token); report the latency.
    /// With --stream, a ConverseStream instead: the streamed text and the time to the first
    /// event.
    Ping {
        #[command(flatten)]
        mode: ModeFlags,
        /// The model id, e.g. anthropic.claude-3-haiku-20240307-v1:0.
        #[arg(long)]
        model: String,
        /// Stream the answer (ConverseStream, up to 16 output tokens): proves the streaming
        /// path, and reports the time to the first event.
        #[arg(long)]
        stream: bool,
        /// Call OpenAI Chat Completions on Bedrock Runtime's OpenAI-compatible path
        /// (/openai/v1) instead of Converse.
        #[arg(long, conflicts_with = "mantle")]
        openai: bool,
        /// Call OpenAI Chat Completions on the bedrock-mantle endpoint
        /// (bedrock-mantle.REGION.api.aws/v1, or AWS_ENDPOINT_URL_BEDROCK_MANTLE).
        #[arg(long)]
        mantle: bool,
    },
    /// Print the chosen mode's credentials as a `credential_process` prints them (JSON,
    /// `Version: 1`), for a profile line `credential_process = bedrock-auth credential-process
    /// --config FILE`: every AWS SDK and the AWS CLI then use this configuration. The
    /// credentials go to stdout only; errors to stderr, with a non-zero exit.
    CredentialProcess {
        #[command(flatten)]
        mode: ModeFlags,
        /// Keep temporary credentials between runs, so a role with MFA asks once per session
        /// lifetime: an entry per set of inputs (the arguments, the AWS_* and BEDROCK_AUTH_*
        /// variables and those the configuration names, the contents of the files they name,
        /// the profiles' SSO and `aws login` token caches), 0600 under ~/.cache/bedrock-auth.
        /// Long-term keys are never kept, nor the answer of a profile chain with a
        /// credential_process; an entry or directory that is a link, another user's or
        /// readable by others is refused, and the credentials resolved uncached.
        #[arg(long)]
        cache: bool,
    },
    /// Run a command with the mode's credentials: in its environment (AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION, AWS_REGION), with
    /// the variables that would compete removed; its exit code is this command's.
    Exec {
        #[command(flatten)]
        mode: ModeFlags,
        /// Serve the credentials from 127.0.0.1 (the container credentials protocol every SDK
        /// reads: AWS_CONTAINER_CREDENTIALS_FULL_URI with a token of this run), refreshed
        /// before they expire: a child that runs for days never needs a restart.
        #[arg(long, conflicts_with = "short_term_key")]
        server: bool,
        /// Give a short-term Bedrock API key made from the credentials, in
        /// AWS_BEARER_TOKEN_BEDROCK, instead of the credentials (tools that take API keys).
        #[arg(long)]
        short_term_key: bool,
        /// The command and its arguments, after `--`.
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<std::ffi::OsString>,
    },
    /// Print the mode's credentials in a shape another program reads: `env` (shell lines to
    /// eval), `json` (the credential_process JSON) or `sts` (`{"Credentials": {..}}`, what
    /// Claude Code's awsCredentialExport reads).
    Export {
        #[command(flatten)]
        mode: ModeFlags,
        /// env, json or sts.
        #[arg(long, value_enum)]
        format: shapes::Shape,
        /// Print them even when stdout is a terminal.
        #[arg(long)]
        yes: bool,
    },
    /// Print a completion script for a shell: `bedrock-auth completions bash > ...`.
    Completions {
        /// bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `bedrock-auth man > bedrock-auth.1`.
    Man,
    /// Print a short-term Bedrock API key, signed with the mode's credentials: the key alone
    /// on stdout (`export AWS_BEARER_TOKEN_BEDROCK=$(bedrock-auth token --region R)`).
    Token {
        #[command(flatten)]
        mode: ModeFlags,
        /// How long the key lives: 1s to 12h, e.g. 900, 30m, 1h (at most the credentials'
        /// own lifetime).
        #[arg(long, default_value = "12h")]
        ttl: String,
    },
}

/// The hint of errors that cannot happen.
const BUG: &str = "report this as a bug";

/// `0.1.0 (features: cli, login, sso)`: the version, and what this build can do (`cli` turns
/// on `login` and `sso`: the command reads every kind of profile).
fn version() -> &'static str {
    let mut features = vec!["cli"];
    for (on, name) in [
        (cfg!(feature = "login"), "login"),
        (cfg!(feature = "metrics"), "metrics"),
        (cfg!(feature = "sso"), "sso"),
        (cfg!(feature = "test-util"), "test-util"),
    ] {
        if on {
            features.push(name);
        }
    }
    // Once per run, for clap, which keeps the text for the life of the program.
    Box::leak(
        format!(
            "{} (features: {})",
            env!("CARGO_PKG_VERSION"),
            features.join(", ")
        )
        .into_boxed_str(),
    )
}

/// The command line, as clap defines it (with the version).
fn command() -> clap::Command {
    Cli::command().version(version())
}

/// The longest argument taken: 8 KiB (a path, a role ARN, a model id are far shorter). A
/// longer one is refused before anything reads it.
const ARGUMENT_LIMIT: usize = 8 * 1024;

/// The arguments of this run that must not be printed back: the value given to `--api-key`
/// (which takes none: the key is read from `AWS_BEARER_TOKEN_BEDROCK`, but a user may paste it
/// there all the same) and anything shaped like a Bedrock API key.
fn unprintable_arguments() -> Vec<String> {
    let args: Vec<String> = std::env::args_os()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    let mut secret = Vec::new();
    for (at, arg) in args.iter().enumerate() {
        if let Some(value) = arg.strip_prefix("--api-key=") {
            secret.push(value.to_owned());
        } else if arg == "--api-key"
            && let Some(next) = args.get(at + 1).filter(|next| !next.starts_with("--"))
        {
            secret.push(next.clone());
        } else if arg.starts_with("ABSK") || arg.starts_with("bedrock-api-key-") {
            secret.push(arg.clone());
        }
    }
    secret.retain(|value| !value.is_empty());
    secret
}

/// clap's message, with the arguments that must not be printed replaced, and any word of a
/// secret's shape (the rule of every other message).
fn without_secret_arguments(message: &str) -> String {
    let mut message = message.to_owned();
    for secret in unprintable_arguments() {
        message = message.replace(&secret, "********");
    }
    bedrock_auth::secret::without_secret_shapes(&message).into_owned()
}

/// A usage error, as clap reports it (with `--json`, as JSON on stdout): exit 2 (1 when
/// stdout cannot take the JSON).
fn usage_error(message: &str, json: bool) -> ExitCode {
    let message = without_secret_arguments(message.trim());
    if json {
        let error = AuthError::new(ErrorKind::InvalidConfig, message, "see --help");
        if let Err(code) = print_json(&Outcome::<()>::failed(&error, None)) {
            return code;
        }
    } else {
        note(&message);
    }
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let json = std::env::args_os().any(|arg| arg == "--json");
    if let Some(long) = std::env::args_os()
        .skip(1)
        .find(|arg| arg.len() > ARGUMENT_LIMIT)
    {
        let message = format!(
            "error: an argument of {} bytes is longer than the {ARGUMENT_LIMIT} this command \
             takes",
            long.len()
        );
        return usage_error(&message, json);
    }
    let cli = match parsed_cli(json) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    if let Some(code) = plain_output(&cli.command) {
        return code;
    }
    init_tracing();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            note(&format!("error: cannot start the async runtime: {err}"));
            return ExitCode::FAILURE;
        }
    };
    let code = match runtime.block_on(signed_in(&cli)) {
        Ok(Done::Exit(code)) => code,
        Ok(Done::Report(report)) => printed(Ok(report), cli.json),
        Err(failure) => printed(Err(failure), cli.json),
    };
    // Without waiting for a thread still blocked reading an MFA code the library gave up on:
    // the process has answered, and the AWS tool that runs it waits for it to exit.
    runtime.shutdown_background();
    code
}

/// What a subcommand came to, short of a failure (which is printed after `--login` had its
/// chance): an exit code, with what it printed already, or a report to print.
enum Done {
    Exit(ExitCode),
    Report(Report),
}

/// The subcommand, once; with `--login`, when it failed because a sign-in session must be
/// renewed and a person is at the terminal, the AWS CLI's sign-in and then once more.
async fn signed_in(cli: &Cli) -> Result<Done, Failure> {
    let first = attempt(cli).await;
    let Err(Failure::Auth { error, diagnosis }) = first else {
        return first;
    };
    let Some(sign_in) = error.sign_in().filter(|_| cli.login).cloned() else {
        return Err(Failure::Auth { error, diagnosis });
    };
    if !login::interactive() {
        let error = login::not_interactive(error, &sign_in);
        return Err(Failure::Auth { error, diagnosis });
    }
    login::renew(&sign_in).await?;
    attempt(cli).await
}

/// One run of the subcommand.
async fn attempt(cli: &Cli) -> Result<Done, Failure> {
    Ok(match &cli.command {
        Command::CredentialProcess { mode, cache } => {
            Done::Exit(credential_process::run(mode, *cache).await?)
        }
        Command::Exec {
            mode,
            server,
            short_term_key,
            command,
        } => {
            let handing = match (server, short_term_key) {
                (true, _) => exec::Handing::Server,
                (_, true) => exec::Handing::ShortTermKey,
                _ => exec::Handing::Environment,
            };
            Done::Exit(exec::run(mode, handing, command).await?)
        }
        Command::Export { mode, format, yes } => {
            Done::Exit(export::run(mode, *format, *yes).await?)
        }
        command => Done::Report(run(command, cli.json).await?),
    })
}

/// The command line, or the exit code of a usage error (or of `--help`, `--version`).
fn parsed_cli(json: bool) -> Result<Cli, ExitCode> {
    let parsed = command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    match parsed {
        Ok(cli) => Ok(cli),
        Err(err) if err.use_stderr() => Err(usage_error(&err.render().to_string(), json)),
        // `--help`, `--version`: clap's own `print()` ignores a failed write.
        Err(err) => Err(match write_stdout(&err.render().to_string()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => stdout_failed(&err),
        }),
    }
}

/// The outputs that are not reports (completions, the man page), written; `None` for a
/// subcommand that reports.
fn plain_output(command_line: &Command) -> Option<ExitCode> {
    match command_line {
        // Made in memory, then written: clap_complete panics on a failed write.
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut command(), "bedrock-auth", &mut script);
            Some(written(&String::from_utf8_lossy(&script)))
        }
        Command::Man => {
            let mut page = Vec::new();
            if let Err(err) = clap_mangen::Man::new(command()).render(&mut page) {
                note(&format!(
                    "error: cannot make the man page: {err}\nhint: {BUG}"
                ));
                return Some(ExitCode::FAILURE);
            }
            Some(written(&String::from_utf8_lossy(&page)))
        }
        _ => None,
    }
}

/// Exit 0 when `text` reached stdout, else 1 with why.
fn written(text: &str) -> ExitCode {
    match write_stdout(text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => stdout_failed(&err),
    }
}

/// A subcommand's report or failure, printed as text or JSON, and its exit code.
fn printed(outcome: Result<Report, Failure>, json: bool) -> ExitCode {
    match outcome {
        Ok(report) => {
            if json {
                match print_json(&Outcome::ok(&report.json)) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(code) => code,
                }
            } else {
                if report.secret {
                    written(&report.text)
                } else {
                    written(&shown(&report.text))
                }
            }
        }
        Err(Failure::Auth { error, diagnosis }) => {
            let hint = hints::for_command(&error);
            let error = error.with_hint(hint);
            if json {
                if let Err(code) = print_json(&Outcome::<()>::failed(&error, diagnosis.as_deref()))
                {
                    return code;
                }
            } else {
                note(&format!(
                    "error [{}]: {}\nhint: {}",
                    error.kind(),
                    error.message(),
                    error.hint()
                ));
            }
            ExitCode::from(if error.kind() == ErrorKind::InvalidConfig {
                2
            } else {
                1
            })
        }
        // No JSON to print it with: a line on stderr, whatever `--json` asked.
        Err(Failure::Output(err)) => {
            note(&format!(
                "error: cannot write the report as JSON: {err}\nhint: {BUG}"
            ));
            ExitCode::FAILURE
        }
        Err(Failure::Stdout(err)) => stdout_failed(&err),
    }
}

/// The level `RUST_LOG` asks for: `None` for no log at all (unset, empty, `off` or `none`),
/// and whether the value was one this command knows (an unknown one logs warnings, so that a
/// typo does not hide them, with a notice that says so).
fn log_level(value: Option<&str>) -> (Option<tracing::Level>, bool) {
    let Some(value) = value else {
        return (None, true);
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "off" | "none" => (None, true),
        "trace" => (Some(tracing::Level::TRACE), true),
        "debug" => (Some(tracing::Level::DEBUG), true),
        "info" => (Some(tracing::Level::INFO), true),
        "warn" | "warning" => (Some(tracing::Level::WARN), true),
        "error" => (Some(tracing::Level::ERROR), true),
        _ => (Some(tracing::Level::WARN), false),
    }
}

/// `RUST_LOG=trace|debug|info|warn|error` turns on tracing output on stderr, for every crate;
/// `off` (or unset, or empty) turns it off. Every field of every event, whichever crate logs
/// it, is written by the printable rule (a credential process's stderr in aws-config's
/// warning cannot forge a line or drive the terminal), and the SDK's events that print
/// secrets ([`bedrock_auth::logs::carries_secrets`]: the SSO access token in a request's
/// headers) are left out.
fn init_tracing() {
    use tracing_subscriber::filter::{FilterFn, LevelFilter};
    use tracing_subscriber::prelude::*;

    let value = std::env::var_os("RUST_LOG");
    let text = value.as_ref().map(|v| v.to_string_lossy());
    let (level, known) = log_level(text.as_deref());
    let Some(level) = level else {
        return;
    };
    if !known {
        output::note(&format!(
            "note: RUST_LOG={} is not one of off, error, warn, info, debug, trace: logging \
             warnings",
            text.as_deref().unwrap_or_default()
        ));
    }
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .fmt_fields(logs::PrintableFields)
        .with_filter(LevelFilter::from_level(level))
        .with_filter(FilterFn::new(|metadata| {
            !bedrock_auth::logs::carries_secrets(metadata)
        }));
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// Runs a subcommand that prints a report.
async fn run(command: &Command, json: bool) -> Result<Report, Failure> {
    match command {
        Command::Whoami { mode } => whoami::run(&mode.manager()?).await,
        Command::Check { config, settings } => check::run(config, settings).await,
        Command::Doctor { mode } => doctor::run(mode, json).await,
        Command::Token { mode, ttl } => token::run(mode, ttl).await,
        Command::Ping {
            mode,
            model,
            stream,
            openai,
            mantle,
        } => {
            let api = match (openai, mantle) {
                (true, _) => Some(bedrock_auth::manager::OpenAiApi::BedrockRuntime),
                (_, true) => Some(bedrock_auth::manager::OpenAiApi::Mantle),
                _ => None,
            };
            ping::run(mode, model, *stream, api, json).await
        }
        // Handled before: they print no report.
        Command::CredentialProcess { .. }
        | Command::Exec { .. }
        | Command::Export { .. }
        | Command::Completions { .. }
        | Command::Man => Err(AuthError::new(ErrorKind::InvalidConfig, "not a report", BUG).into()),
    }
}
