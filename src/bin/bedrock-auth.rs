//! `bedrock-auth`: who am I on AWS, and why not? Built with `--features cli`.
//!
//! Exit codes: 0 success, 1 authentication or a call failed, 2 invalid usage or configuration.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use aws_sdk_bedrockruntime::types::{
    ContentBlock, ContentBlockDelta, ConversationRole, ConverseStreamOutput,
    InferenceConfiguration, Message,
};
use bedrock_auth::{
    ApiKeyInfo, Audience, AuthConfig, AuthError, AuthManager, BedrockAuth, CallerIdentity,
    ConfigError, Diagnosis, ErrorKind, ExposeSecret, ModeKind, Region,
};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use serde::{Deserialize, Serialize};

#[derive(Parser)]
#[command(name = "bedrock-auth", about = "Check AWS credentials for Bedrock")]
struct Cli {
    /// Print JSON on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,
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
        #[arg(long)]
        config: String,
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
    },
    /// Print the chosen mode's credentials as a `credential_process` prints them (JSON,
    /// `Version: 1`), for a profile line `credential_process = bedrock-auth credential-process
    /// --config FILE`: every AWS SDK and the AWS CLI then use this configuration. The
    /// credentials go to stdout only; errors to stderr, with a non-zero exit.
    CredentialProcess {
        #[command(flatten)]
        mode: ModeFlags,
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

/// How the manager is configured: a config file, or flags that name the same keys.
#[derive(Args)]
struct ModeFlags {
    /// Read the configuration from this TOML or JSON file instead of the flags below.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["profile", "env", "auto", "role_arn", "api_key", "region", "bedrock_timeout"]
    )]
    config: Option<PathBuf>,
    /// Profile mode: this profile of the shared files.
    #[arg(long, conflicts_with_all = ["env", "auto", "role_arn"])]
    profile: Option<String>,
    /// Environment mode: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN only.
    #[arg(long, conflicts_with_all = ["auto", "role_arn"])]
    env: bool,
    /// Auto mode: the default credential chain (the default).
    #[arg(long, conflicts_with = "role_arn")]
    auto: bool,
    /// Assume-role mode: this role.
    #[arg(long)]
    role_arn: Option<String>,
    /// The role's external id.
    #[arg(long, requires = "role_arn")]
    external_id: Option<String>,
    /// The role session name.
    #[arg(long, requires = "role_arn")]
    session_name: Option<String>,
    /// The role session duration in seconds (900 to 43200).
    #[arg(long, requires = "role_arn")]
    duration: Option<u64>,
    /// Assume the role with the credentials of this profile.
    #[arg(long, requires = "role_arn")]
    source_profile: Option<String>,
    /// The role wants MFA: the device's serial or ARN; the code is asked on the terminal.
    #[arg(long, requires = "role_arn")]
    mfa_serial: Option<String>,
    /// API-key mode: the Bedrock API key in AWS_BEARER_TOKEN_BEDROCK (never taken from a flag,
    /// so it stays out of shell history and process lists).
    #[arg(long, conflicts_with_all = ["profile", "env", "auto", "role_arn"])]
    api_key: bool,
    /// The region.
    #[arg(long)]
    region: Option<String>,
    /// How long a Bedrock call may take (a model's whole answer): 90, 90s, 15m, 1h; default
    /// 60 minutes. Credentials keep their own, shorter bound.
    #[arg(long, value_name = "DURATION")]
    bedrock_timeout: Option<String>,
}

/// The mode flags as the keys of a config file: the command has no mapping of its own to
/// the builder, only [`AuthManager::from_config`]'s.
#[derive(Serialize)]
struct FlagConfig<'a> {
    mode: ModeKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role_arn: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<SourceProfile<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mfa_serial: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bedrock_timeout_ms: Option<u64>,
}

/// `source = { profile = ".." }`.
#[derive(Serialize)]
struct SourceProfile<'a> {
    profile: &'a str,
}

impl ModeFlags {
    /// The configuration: the file given with `--config`, or the flags as its keys.
    /// `--api-key` is `mode = "api_key"` without a key, which reads
    /// `AWS_BEARER_TOKEN_BEDROCK` (never a flag: shell history and process lists show flags).
    fn config(&self) -> Result<AuthConfig, AuthError> {
        // An MFA code, when the role wants one, is asked on the terminal.
        if let Some(path) = &self.config {
            return Ok(AuthConfig::from_file(path)?.mfa_token_source(ask_mfa_code));
        }
        let mode = if self.role_arn.is_some() {
            ModeKind::AssumeRole
        } else if self.profile.is_some() {
            ModeKind::Profile
        } else if self.env {
            ModeKind::Environment
        } else if self.api_key {
            ModeKind::ApiKey
        } else {
            ModeKind::Auto
        };
        let flags = FlagConfig {
            mode,
            region: self.region.as_deref(),
            profile: self.profile.as_deref(),
            role_arn: self.role_arn.as_deref(),
            external_id: self.external_id.as_deref(),
            session_name: self.session_name.as_deref(),
            duration_secs: self.duration,
            source: self
                .source_profile
                .as_deref()
                .map(|profile| SourceProfile { profile }),
            mfa_serial: self.mfa_serial.as_deref(),
            bedrock_timeout_ms: match &self.bedrock_timeout {
                Some(text) => {
                    Some(parse_duration("--bedrock-timeout", text, 24 * 3600)?.as_millis() as u64)
                }
                None => None,
            },
        };
        // Flags are strings and integers, which both steps take: neither fails.
        serde_json::to_value(&flags)
            .and_then(AuthConfig::deserialize)
            .map(|config| config.mfa_token_source(ask_mfa_code))
            .map_err(|err| AuthError::new(ErrorKind::InvalidConfig, err.to_string(), BUG))
    }

    fn manager(&self) -> Result<AuthManager, AuthError> {
        let config = self.config()?;
        AuthManager::from_config(&config).map_err(|err| match &self.config {
            Some(_) => AuthError::from(err),
            None => in_flag_terms(&err),
        })
    }
}

/// The flag that set each key of [`FlagConfig`].
const FLAGS: [(&str, &str); 10] = [
    ("bedrock_timeout_ms", "--bedrock-timeout"),
    ("region", "--region"),
    ("profile", "--profile"),
    ("role_arn", "--role-arn"),
    ("external_id", "--external-id"),
    ("session_name", "--session-name"),
    ("duration_secs", "--duration"),
    ("source", "--source-profile"),
    ("source.profile", "--source-profile"),
    ("mfa_serial", "--mfa-serial"),
];

/// A configuration made from flags names its problems by their flags: a person typed them.
fn in_flag_terms(err: &ConfigError) -> AuthError {
    let problems: Vec<String> = err
        .problems()
        .iter()
        .map(|problem| {
            let field = problem.field();
            let flag = FLAGS
                .iter()
                .find(|(key, _)| *key == field)
                .map_or(field, |(_, flag)| flag);
            format!("  - {flag}: {}", problem.error())
        })
        .collect();
    let count = problems.len();
    let plural = if count == 1 { "" } else { "s" };
    AuthError::new(
        ErrorKind::InvalidConfig,
        format!(
            "invalid flags ({count} problem{plural}):\n{}",
            problems.join("\n")
        ),
        "fix the flags named in the message (`--help` lists them)",
    )
}

/// An MFA code, asked on the terminal (stderr, then a line of the terminal, or of stdin when
/// there is no terminal): stdout stays for the command's output.
async fn ask_mfa_code() -> Result<bedrock_auth::SecretString, bedrock_auth::BoxError> {
    tokio::task::spawn_blocking(|| {
        use std::io::BufRead;
        eprint!("MFA code: ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        match std::fs::File::open("/dev/tty") {
            Ok(tty) => std::io::BufReader::new(tty).read_line(&mut line)?,
            Err(_) => std::io::stdin().lock().read_line(&mut line)?,
        };
        let code = bedrock_auth::SecretString::from(line.trim());
        zeroize::Zeroize::zeroize(&mut line);
        Ok::<_, bedrock_auth::BoxError>(code)
    })
    .await?
}

/// The hint of errors that cannot happen.
const BUG: &str = "report this as a bug";

/// `0.1.0 (features: cli, metrics)`: the version, and what this build can do.
fn version() -> &'static str {
    let mut features = vec!["cli"];
    for (on, name) in [
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

/// The longest model id Bedrock takes (its API's `modelId`: 1 to 2048 characters).
const MODEL_ID_LIMIT: usize = 2048;

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

/// clap's message, with the arguments that must not be printed replaced.
fn without_secret_arguments(message: &str) -> String {
    let mut message = message.to_owned();
    for secret in unprintable_arguments() {
        message = message.replace(&secret, "********");
    }
    message
}

/// A usage error, as clap reports it (with `--json`, as JSON on stdout): exit 2.
fn usage_error(message: &str, json: bool) -> ExitCode {
    let message = without_secret_arguments(message.trim());
    if json {
        let error = AuthError::new(ErrorKind::InvalidConfig, message, "see --help");
        print_json(&Outcome::<()>::failed(&error, None));
    } else {
        eprintln!("{message}");
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
    let parsed = command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(err) if err.use_stderr() => return usage_error(&err.render().to_string(), json),
        Err(err) => {
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
    };
    // The outputs that are not reports.
    match cli.command {
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut command(),
                "bedrock-auth",
                &mut std::io::stdout(),
            );
            return ExitCode::SUCCESS;
        }
        Command::Man => {
            return match clap_mangen::Man::new(command()).render(&mut std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("cannot write the man page: {err}");
                    ExitCode::FAILURE
                }
            };
        }
        _ => {}
    }
    init_tracing();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    if let Command::CredentialProcess { mode } = &cli.command {
        return runtime.block_on(credential_process(mode));
    }
    let json = cli.json;
    match runtime.block_on(run(cli.command, json)) {
        Ok(report) => {
            if json {
                print_json(&Outcome::ok(&report.json));
            } else {
                print!("{}", report.text);
            }
            ExitCode::SUCCESS
        }
        Err(Failure { error, diagnosis }) => {
            let error = error.for_audience(Audience::Command);
            if json {
                print_json(&Outcome::<()>::failed(&error, diagnosis.as_ref()));
            } else {
                eprintln!(
                    "error [{}]: {}\nhint: {}",
                    error.kind(),
                    error.message(),
                    error.hint()
                );
            }
            let _ = std::io::stdout().flush();
            ExitCode::from(if error.kind() == ErrorKind::InvalidConfig {
                2
            } else {
                1
            })
        }
    }
}

/// What `--json` prints: `ok`, then the report's fields, or the error (and doctor's
/// diagnosis, which explains it).
#[derive(Serialize)]
struct Outcome<'a, T> {
    ok: bool,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    report: Option<&'a T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a AuthError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnosis: Option<&'a Diagnosis>,
}

impl<'a, T> Outcome<'a, T> {
    fn ok(report: &'a T) -> Self {
        Self {
            ok: true,
            report: Some(report),
            error: None,
            diagnosis: None,
        }
    }

    fn failed(error: &'a AuthError, diagnosis: Option<&'a Diagnosis>) -> Self {
        Self {
            ok: false,
            report: None,
            error: Some(error),
            diagnosis,
        }
    }
}

fn print_json(value: &impl Serialize) {
    match serde_json::to_string(value) {
        Ok(line) => println!("{line}"),
        Err(err) => eprintln!("cannot write JSON: {err}"),
    }
}

/// `RUST_LOG=trace|debug|info|warn|error` turns on tracing output on stderr, for every crate.
fn init_tracing() {
    let Ok(level) = std::env::var("RUST_LOG") else {
        return;
    };
    let level = match level.trim().to_ascii_lowercase().as_str() {
        "trace" => tracing::Level::TRACE,
        "debug" => tracing::Level::DEBUG,
        "info" => tracing::Level::INFO,
        "error" => tracing::Level::ERROR,
        _ => tracing::Level::WARN,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}

/// A command's result, as text and as what `--json` prints.
struct Report {
    text: String,
    json: serde_json::Value,
}

impl Report {
    fn new(text: String, json: &impl Serialize) -> Result<Self, AuthError> {
        let json = serde_json::to_value(json)
            .map_err(|err| AuthError::new(ErrorKind::Service, err.to_string(), BUG))?;
        Ok(Self { text, json })
    }
}

/// A failure, with what the JSON output carries beside the error (doctor's diagnosis).
struct Failure {
    error: AuthError,
    diagnosis: Option<Diagnosis>,
}

impl From<AuthError> for Failure {
    fn from(error: AuthError) -> Self {
        Self {
            error,
            diagnosis: None,
        }
    }
}

impl From<ConfigError> for Failure {
    fn from(error: ConfigError) -> Self {
        AuthError::from(error).into()
    }
}

/// `check`'s report.
#[derive(Serialize)]
struct Checked {
    mode: ModeKind,
}

/// `doctor`'s report.
#[derive(Serialize)]
struct Doctor<'a> {
    diagnosis: &'a Diagnosis,
    identity: &'a serde_json::Value,
}

/// `ping`'s report.
#[derive(Serialize)]
struct Ping<'a> {
    region: &'a str,
    model: &'a str,
    latency_ms: u128,
    /// `--stream` only.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    stream: Option<Streamed>,
}

/// What `ping --stream` received.
#[derive(Serialize)]
struct Streamed {
    /// From sending the request to the stream's first event.
    first_event_ms: u128,
    events: usize,
    text: String,
}

/// `whoami`'s report: the identity, and how Bedrock calls authenticate when that is not
/// with these credentials' signatures.
#[derive(Serialize)]
struct Whoami<'a> {
    mode: ModeKind,
    region: &'a Region,
    #[serde(flatten)]
    identity: &'a CallerIdentity,
    #[serde(skip_serializing_if = "Option::is_none")]
    bedrock_auth: Option<BedrockAuth>,
}

/// `token`'s report: the one output of this project that holds a secret.
#[derive(Serialize)]
struct Token<'a> {
    token: &'a str,
    #[serde(flatten)]
    key: &'a ApiKeyInfo,
    capped_by_credentials: bool,
}

async fn run(command: Command, json: bool) -> Result<Report, Failure> {
    match command {
        Command::Whoami { mode } => Ok(whoami(&mode.manager()?).await?),
        Command::Check { config } => {
            let config = AuthConfig::from_file(&config)?;
            let manager = AuthManager::from_config(&config)?;
            let text = format!("ok: {} mode, no problems\n", manager.mode());
            Ok(Report::new(
                text,
                &Checked {
                    mode: manager.mode(),
                },
            )?)
        }
        Command::Doctor { mode } => {
            // The config's own world and secret files, when it can be read; else the process's.
            let mut diagnosis = match mode.config() {
                Ok(config) => config.diagnose().await,
                Err(_) => bedrock_auth::diagnose().await,
            };
            // What the flags gave, by name; auto mode when no mode flag chose one.
            let chosen = mode.profile.is_some()
                || mode.env
                || mode.auto
                || mode.role_arn.is_some()
                || mode.api_key;
            let mode_flag = if mode.role_arn.is_some() {
                "--role-arn"
            } else if mode.profile.is_some() {
                "--profile"
            } else if mode.env {
                "--env"
            } else if mode.api_key {
                "--api-key"
            } else {
                "--auto"
            };
            for setting in &mut diagnosis.settings {
                if setting.source != "given" {
                    continue;
                }
                let flag = match setting.name.as_str() {
                    "mode" if !chosen => None,
                    "mode" => Some(mode_flag),
                    "region" => Some("--region"),
                    "profile" => Some("--profile"),
                    "role" => Some("--role-arn"),
                    "external id" => Some("--external-id"),
                    "session name" => Some("--session-name"),
                    "session duration (s)" => Some("--duration"),
                    "role source" => Some("--source-profile"),
                    "MFA device" => Some("--mfa-serial"),
                    "Bedrock timeout (ms)" => Some("--bedrock-timeout"),
                    _ => Some("a flag"),
                };
                setting.source = flag.map_or_else(|| "default".to_owned(), |f| format!("flag {f}"));
            }
            // The diagnosis is shown whatever whoami says: it is what explains a failure.
            if !json {
                print!("{diagnosis}");
                println!("whoami:");
            }
            let outcome = match mode.manager() {
                Ok(manager) => whoami(&manager).await,
                Err(err) => Err(err),
            };
            match outcome {
                Ok(report) => {
                    let doctor = Doctor {
                        diagnosis: &diagnosis,
                        identity: &report.json,
                    };
                    Ok(Report::new(report.text, &doctor)?)
                }
                Err(error) => Err(Failure {
                    error,
                    diagnosis: Some(diagnosis),
                }),
            }
        }
        Command::Token { mode, ttl } => token(&mode, &ttl).await,
        // Handled before: they print no report.
        Command::CredentialProcess { .. } | Command::Completions { .. } | Command::Man => {
            Err(AuthError::new(ErrorKind::InvalidConfig, "not a report", BUG).into())
        }
        Command::Ping {
            mode,
            model,
            stream,
        } => {
            if model.chars().count() > MODEL_ID_LIMIT {
                return Err(AuthError::new(
                    ErrorKind::InvalidConfig,
                    format!(
                        "--model is {} characters long; Bedrock takes model ids of at most \
                         {MODEL_ID_LIMIT}",
                        model.chars().count()
                    ),
                    "give a model id or ARN, e.g. anthropic.claude-3-haiku-20240307-v1:0",
                )
                .into());
            }
            let manager = mode.manager()?;
            if manager.info().bedrock_auth != BedrockAuth::SigV4 && !json {
                eprintln!(
                    "note: Bedrock calls use the {}",
                    manager.info().bedrock_auth
                );
            }
            let client = manager.bedrock_client_default().await?;
            let region = client
                .config()
                .region()
                .map(ToString::to_string)
                .unwrap_or_default();
            eprintln!("pinging {model} in {region}...");
            let message = Message::builder()
                .role(ConversationRole::User)
                .content(ContentBlock::Text("ping".into()))
                .build()
                .map_err(|e| AuthError::new(ErrorKind::Service, e.to_string(), BUG))?;
            let started = Instant::now();
            let (stream, text) = if stream {
                let streamed = stream_ping(&manager, &client, &model, message, started).await?;
                let latency_ms = started.elapsed().as_millis();
                // The model's text as Rust quotes it: no control character reaches the terminal.
                let text = format!(
                    "ok: {model} streamed {} events in {region}: the first after {} ms, the \
                     last after {latency_ms} ms\ntext: {:?}\n",
                    streamed.events, streamed.first_event_ms, streamed.text
                );
                (Some(streamed), text)
            } else {
                client
                    .converse()
                    .model_id(&model)
                    .messages(message)
                    .inference_config(InferenceConfiguration::builder().max_tokens(1).build())
                    .send()
                    .await
                    .map_err(|err| manager.classify_error(err, "Bedrock Converse", None))?;
                let latency_ms = started.elapsed().as_millis();
                (
                    None,
                    format!("ok: {model} answered in {region} in {latency_ms} ms\n"),
                )
            };
            let ping = Ping {
                region: &region,
                model: &model,
                latency_ms: started.elapsed().as_millis(),
                stream,
            };
            Ok(Report::new(text, &ping)?)
        }
    }
}

/// `ping --stream`: one `ConverseStream`, read to its end.
async fn stream_ping(
    manager: &AuthManager,
    client: &aws_sdk_bedrockruntime::Client,
    model: &str,
    message: Message,
    started: Instant,
) -> Result<Streamed, AuthError> {
    const OPERATION: &str = "Bedrock ConverseStream";
    let mut stream = client
        .converse_stream()
        .model_id(model)
        .messages(message)
        .inference_config(InferenceConfiguration::builder().max_tokens(16).build())
        .send()
        .await
        .map_err(|err| manager.classify_error(err, OPERATION, None))?
        .stream;
    let mut streamed = Streamed {
        first_event_ms: 0,
        events: 0,
        text: String::new(),
    };
    while let Some(event) = stream
        .recv()
        .await
        .map_err(|err| manager.classify_error(err, OPERATION, None))?
    {
        if streamed.events == 0 {
            streamed.first_event_ms = started.elapsed().as_millis();
        }
        streamed.events += 1;
        if let ConverseStreamOutput::ContentBlockDelta(delta) = event
            && let Some(ContentBlockDelta::Text(text)) = delta.delta
        {
            streamed.text.push_str(&text);
        }
    }
    Ok(streamed)
}

async fn whoami(manager: &AuthManager) -> Result<Report, AuthError> {
    let identity = manager.validate().await?;
    let region = manager.region().await?;
    let mode = manager.mode();
    let mut text = match &identity.api_key {
        Some(key) => format!("api key: {key}\n"),
        None => format!(
            "account: {}\narn:     {}\nuser id: {}\n",
            identity.account, identity.arn, identity.user_id
        ),
    };
    text.push_str(&format!("mode:    {mode}\nregion:  {region}\n"));
    let auth = manager.info().bedrock_auth;
    let bedrock_auth = identity.api_key.is_none().then_some(auth);
    if auth != BedrockAuth::SigV4 && identity.api_key.is_none() {
        text.push_str(&format!(
            "note:    Bedrock calls use the {auth}, not these credentials\n"
        ));
    }
    let whoami = Whoami {
        mode,
        region: &region,
        identity: &identity,
        bedrock_auth,
    };
    Report::new(text, &whoami)
}

/// `bedrock-auth token`: the one output of this project that holds a secret, on stdout only.
async fn token(mode: &ModeFlags, ttl: &str) -> Result<Report, Failure> {
    let ttl = parse_ttl(ttl)?;
    let manager = mode.manager()?;
    let region = manager.region().await?;
    let key = manager.bedrock_api_key(region.as_str(), ttl).await?;
    let info = key.info();
    if key.capped_by_credentials() {
        eprintln!("note: {info}: it expires with the temporary credentials that signed it");
    }
    let secret = key.token().expose_secret();
    let token = Token {
        token: secret,
        key: &info,
        capped_by_credentials: key.capped_by_credentials(),
    };
    Ok(Report::new(format!("{secret}\n"), &token)?)
}

/// `bedrock-auth credential-process`: the credentials, as the `credential_process` contract
/// wants them, on stdout and nowhere else; any failure on stderr with a non-zero exit and
/// nothing on stdout.
async fn credential_process(mode: &ModeFlags) -> ExitCode {
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
    }

    let credentials = async {
        let manager = mode.manager()?;
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
                expiration,
            };
            // Straight to stdout: no copy of the secret in a string of this program's own.
            let mut stdout = std::io::stdout().lock();
            let written = serde_json::to_writer(&mut stdout, &output)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(stdout))
                .and_then(|()| stdout.flush());
            match written {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("cannot write the credentials: {err}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(error) => {
            eprintln!(
                "error [{}]: {}\nhint: {}",
                error.kind(),
                error.message(),
                error.hint_for(Audience::Command)
            );
            ExitCode::from(if error.kind() == ErrorKind::InvalidConfig {
                2
            } else {
                1
            })
        }
    }
}

/// `900`, `900s`, `30m`, `1h`: a key's lifetime, 1 s to 12 h.
fn parse_ttl(text: &str) -> Result<Duration, AuthError> {
    parse_duration("--ttl", text, 43_200)
}

/// `900`, `900s`, `30m`, `1h`, from 1 s to `max_secs`, for the flag `flag`.
fn parse_duration(flag: &str, text: &str, max_secs: u64) -> Result<Duration, AuthError> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, "s"),
    };
    let seconds = number.parse::<u64>().ok().and_then(|n| match unit {
        "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        _ => None,
    });
    match seconds {
        Some(secs) if (1..=max_secs).contains(&secs) => Ok(Duration::from_secs(secs)),
        _ => Err(AuthError::new(
            ErrorKind::InvalidConfig,
            format!(
                "{flag} {text} is not a duration from 1s to {}h",
                max_secs / 3600
            ),
            "write seconds, minutes or hours: 900, 900s, 30m, 1h",
        )),
    }
}
