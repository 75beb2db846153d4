//! `bedrock-auth`: who am I on AWS, and why not? Built with `--features cli`.
//!
//! Exit codes: 0 success, 1 authentication or a call failed, 2 invalid usage or configuration.

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, InferenceConfiguration, Message,
};
use bedrock_auth::{AuthConfig, AuthError, AuthManager, BedrockAuth, ErrorKind, ExposeSecret};
use clap::{Args, Parser, Subcommand};
use serde_json::json;

#[derive(Parser)]
#[command(
    name = "bedrock-auth",
    version,
    about = "Check AWS credentials for Bedrock"
)]
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
        /// Read the configuration from this TOML or JSON file instead of flags.
        #[arg(long, conflicts_with_all = ["profile", "env", "auto", "role_arn"])]
        config: Option<String>,
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
    Ping {
        #[command(flatten)]
        mode: ModeFlags,
        /// The model id, e.g. anthropic.claude-3-haiku-20240307-v1:0.
        #[arg(long)]
        model: String,
    },
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

#[derive(Args)]
struct ModeFlags {
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
    /// API-key mode: the Bedrock API key in AWS_BEARER_TOKEN_BEDROCK (never taken from a flag,
    /// so it stays out of shell history and process lists).
    #[arg(long, conflicts_with_all = ["profile", "env", "auto", "role_arn"])]
    api_key: bool,
    /// The region.
    #[arg(long)]
    region: Option<String>,
}

impl ModeFlags {
    fn manager(&self) -> Result<AuthManager, AuthError> {
        let mut builder = AuthManager::builder();
        if let Some(region) = &self.region {
            builder = builder.region(region.as_str());
        }
        let manager = if let Some(role) = &self.role_arn {
            let mut role = builder.assume_role(role.as_str());
            if let Some(id) = &self.external_id {
                role = role.external_id(id.as_str());
            }
            if let Some(name) = &self.session_name {
                role = role.session_name(name.as_str());
            }
            if let Some(secs) = self.duration {
                role = role.duration(secs);
            }
            if let Some(profile) = &self.source_profile {
                role = role.source_profile(profile.as_str());
            }
            role.build()?
        } else if let Some(profile) = &self.profile {
            builder.profile(profile.as_str()).build()?
        } else if self.env {
            builder.environment().build()?
        } else if self.api_key {
            builder.api_key_from_env().build()?
        } else {
            builder.auto().build()?
        };
        Ok(manager)
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if err.use_stderr() && std::env::args_os().any(|arg| arg == "--json") => {
            let message = err.render().to_string();
            let error =
                json!({"kind": "invalid_config", "message": message.trim(), "hint": "see --help"});
            println!("{}", json!({"ok": false, "error": error}));
            return ExitCode::from(2);
        }
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    init_tracing();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let json = cli.json;
    match runtime.block_on(run(cli.command, json)) {
        Ok(report) => {
            if json {
                let mut value = report.json;
                value["ok"] = json!(true);
                println!("{value}");
            } else {
                print!("{}", report.text);
            }
            ExitCode::SUCCESS
        }
        Err(Failure {
            error: err,
            diagnosis: extra,
        }) => {
            if json {
                let error = json!({"kind": err.kind().as_str(), "message": err.message(), "hint": err.hint()});
                let mut value = json!({"ok": false, "error": error});
                if let Some(diagnosis) = extra {
                    value["diagnosis"] = diagnosis;
                }
                println!("{value}");
            } else {
                eprintln!(
                    "error [{}]: {}\nhint: {}",
                    err.kind(),
                    err.message(),
                    err.hint()
                );
            }
            let _ = std::io::stdout().flush();
            ExitCode::from(if err.kind() == ErrorKind::InvalidConfig {
                2
            } else {
                1
            })
        }
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

struct Report {
    text: String,
    json: serde_json::Value,
}

/// A failure, with what the JSON output carries beside the error (doctor's diagnosis).
struct Failure {
    error: AuthError,
    diagnosis: Option<serde_json::Value>,
}

impl From<AuthError> for Failure {
    fn from(error: AuthError) -> Self {
        Self {
            error,
            diagnosis: None,
        }
    }
}

impl From<bedrock_auth::ConfigError> for Failure {
    fn from(error: bedrock_auth::ConfigError) -> Self {
        AuthError::from(error).into()
    }
}

async fn run(command: Command, json: bool) -> Result<Report, Failure> {
    match command {
        Command::Whoami { mode, config } => {
            let manager = match config {
                Some(path) => AuthManager::from_config(&AuthConfig::from_file(path)?)?,
                None => mode.manager()?,
            };
            Ok(whoami(&manager).await?)
        }
        Command::Check { config } => {
            let config = AuthConfig::from_file(&config)?;
            let manager = AuthManager::from_config(&config)?;
            Ok(Report {
                text: format!("ok: {} mode, no problems\n", manager.mode()),
                json: json!({"mode": manager.mode().as_str()}),
            })
        }
        Command::Doctor { mode } => {
            let diagnosis = bedrock_auth::diagnose().await;
            // The diagnosis is shown whatever whoami says: it is what explains a failure.
            if !json {
                print!("{diagnosis}");
                println!("whoami:");
            }
            let outcome = match mode.manager() {
                Ok(manager) => whoami(&manager).await,
                Err(err) => Err(err),
            };
            let report = outcome.map_err(|error| Failure {
                error,
                diagnosis: Some(diagnosis.to_json()),
            })?;
            Ok(Report {
                text: report.text,
                json: json!({"diagnosis": diagnosis.to_json(), "identity": report.json}),
            })
        }
        Command::Token { mode, ttl } => token(&mode, &ttl).await,
        Command::Ping { mode, model } => {
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
                .map_err(|e| {
                    AuthError::new(ErrorKind::Service, e.to_string(), "report this as a bug")
                })?;
            let started = Instant::now();
            client
                .converse()
                .model_id(&model)
                .messages(message)
                .inference_config(InferenceConfiguration::builder().max_tokens(1).build())
                .send()
                .await
                .map_err(|err| manager.classify_error(err, "Bedrock Converse", None))?;
            let latency_ms = started.elapsed().as_millis();
            Ok(Report {
                text: format!("ok: {model} answered in {region} in {latency_ms} ms\n"),
                json: json!({"region": region, "model": model, "latency_ms": latency_ms}),
            })
        }
    }
}

async fn whoami(manager: &AuthManager) -> Result<Report, AuthError> {
    let identity = manager.validate().await?;
    let region = manager.region().await?;
    let mode = manager.mode();
    if let Some(key) = &identity.api_key {
        let expires_at = key.expires_at.map(rfc3339);
        let mut text = format!("api key: {}\n", key.kind);
        if let Some(id) = &key.access_key_id {
            text.push_str(&format!("signed by: {id}\n"));
        }
        if let Some(at) = &expires_at {
            text.push_str(&format!("expires: {at}\n"));
        }
        text.push_str(&format!("mode:    {mode}\nregion:  {region}\n"));
        return Ok(Report {
            text,
            json: json!({
                "mode": mode.as_str(),
                "region": region.as_str(),
                "api_key": {
                    "kind": key.kind.to_string(),
                    "access_key_id": key.access_key_id,
                    "expires_at": expires_at,
                },
            }),
        });
    }
    let mut text = format!(
        "account: {}\narn:     {}\nuser id: {}\nmode:    {mode}\nregion:  {region}\n",
        identity.account, identity.arn, identity.user_id,
    );
    let auth = manager.info().bedrock_auth;
    if auth != BedrockAuth::SigV4 {
        text.push_str(&format!(
            "note:    Bedrock calls use the {auth}, not these credentials\n"
        ));
    }
    Ok(Report {
        text,
        json: json!({
            "mode": mode.as_str(),
            "region": region.as_str(),
            "account": identity.account,
            "arn": identity.arn,
            "user_id": identity.user_id,
            "bedrock_auth": auth.to_string(),
        }),
    })
}

/// `bedrock-auth token`: the one output of this project that holds a secret, on stdout only.
async fn token(mode: &ModeFlags, ttl: &str) -> Result<Report, Failure> {
    let ttl = parse_ttl(ttl)?;
    let manager = mode.manager()?;
    let region = manager.region().await?;
    let key = manager.bedrock_api_key(region.as_str(), ttl).await?;
    let expires_at = rfc3339(key.expires_at());
    if key.capped_by_credentials() {
        eprintln!(
            "note: the key expires at {expires_at}, with the temporary credentials that signed it"
        );
    }
    let secret = key.token().expose_secret();
    Ok(Report {
        text: format!("{secret}\n"),
        json: json!({
            "token": secret,
            "region": region.as_str(),
            "expires_at": expires_at,
            "capped_by_credentials": key.capped_by_credentials(),
        }),
    })
}

/// `900`, `900s`, `30m`, `1h`.
fn parse_ttl(text: &str) -> Result<Duration, AuthError> {
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
        Some(secs) if (1..=43_200).contains(&secs) => Ok(Duration::from_secs(secs)),
        _ => Err(AuthError::new(
            ErrorKind::InvalidConfig,
            format!("--ttl {text} is not a lifetime from 1s to 12h"),
            "write seconds, minutes or hours: 900, 900s, 30m, 1h, 12h",
        )),
    }
}

/// `2026-11-25T12:00:00Z`.
fn rfc3339(at: SystemTime) -> String {
    aws_smithy_types::DateTime::from(at)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}
