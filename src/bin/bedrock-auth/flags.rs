//! The mode flags (`--profile`, `--env`, `--role-arn`, ...): the keys of a config file, given
//! on the command line. The command has no mapping of its own to the builder, only
//! [`AuthManager::from_config`]'s.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use bedrock_auth::{AuthConfig, AuthError, AuthManager, ConfigError, ErrorKind, modes::ModeKind};
use clap::Args;
use serde::{Deserialize, Serialize};

use crate::BUG;

/// How the manager is configured: a config file, or flags that name the same keys.
#[derive(Args)]
pub(crate) struct ModeFlags {
    /// Read the configuration from this TOML or JSON file instead of the mode flags below
    /// (`--region` and `--bedrock-timeout` beside it override the file's).
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["profile", "env", "auto", "role_arn", "api_key"]
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
    /// Assume the role with the OIDC token in this file (AssumeRoleWithWebIdentity), read at
    /// every assumption: EKS's AWS_WEB_IDENTITY_TOKEN_FILE, a CI system's ID token.
    #[arg(
        long,
        value_name = "FILE",
        requires = "role_arn",
        conflicts_with = "source_profile"
    )]
    web_identity_token_file: Option<PathBuf>,
    /// The role wants MFA: the device's serial or ARN; the code is asked on the terminal.
    #[arg(long, requires = "role_arn")]
    mfa_serial: Option<String>,
    /// A session tag, KEY=VALUE (repeatable; the role's trust policy must allow sts:TagSession).
    #[arg(long = "tag", value_name = "KEY=VALUE", requires = "role_arn")]
    tags: Vec<String>,
    /// A managed policy that scopes the session down (repeatable, at most 10).
    #[arg(long = "policy-arn", value_name = "ARN", requires = "role_arn")]
    policy_arns: Vec<String>,
    /// An inline session policy, read from this JSON file: the session may do only what both
    /// the role and the policy allow.
    #[arg(long, value_name = "FILE", requires = "role_arn")]
    session_policy: Option<PathBuf>,
    /// Who is behind the session, kept in CloudTrail (sts:SetSourceIdentity).
    #[arg(long, value_name = "NAME", requires = "role_arn")]
    source_identity: Option<String>,
    /// API-key mode: the Bedrock API key in AWS_BEARER_TOKEN_BEDROCK (never taken from a flag,
    /// so it stays out of shell history and process lists).
    #[arg(long, conflicts_with_all = ["profile", "env", "auto", "role_arn"])]
    api_key: bool,
    #[command(flatten)]
    settings: SettingFlags,
}

/// The settings of every mode: beside `--config`, each overrides the file's (as `--region`
/// overrides a profile's region in the AWS CLI).
#[derive(Args)]
pub(crate) struct SettingFlags {
    /// The region.
    #[arg(long)]
    region: Option<String>,
    /// How long a Bedrock call may take (a model's whole answer): 90, 90s, 15m, 1h; default
    /// 60 minutes. Credentials keep their own, shorter bound.
    #[arg(long, value_name = "DURATION")]
    bedrock_timeout: Option<String>,
}

impl SettingFlags {
    /// The settings given, as the keys of a config file (none given: an empty config).
    pub(crate) fn config(&self) -> Result<AuthConfig, AuthError> {
        to_config(&self.keys(None)?)
    }

    /// The flags as config keys, in `mode` (none: the file's, when beside `--config`).
    fn keys(&self, mode: Option<ModeKind>) -> Result<FlagConfig<'_>, AuthError> {
        let bedrock_timeout_ms = match &self.bedrock_timeout {
            Some(text) => {
                Some(parse_duration("--bedrock-timeout", text, 24 * 3600)?.as_millis() as u64)
            }
            None => None,
        };
        Ok(FlagConfig {
            mode,
            region: self.region.as_deref(),
            bedrock_timeout_ms,
            ..FlagConfig::default()
        })
    }
}

/// Flags are strings and integers, which both steps take: neither fails.
fn to_config(flags: &FlagConfig<'_>) -> Result<AuthConfig, AuthError> {
    serde_json::to_value(flags)
        .and_then(AuthConfig::deserialize)
        .map(|config| config.mfa_provider(ask_mfa_code))
        .map_err(|err| AuthError::new(ErrorKind::InvalidConfig, err.to_string(), BUG))
}

/// The mode flags as the keys of a config file: the command has no mapping of its own to
/// the builder, only [`AuthManager::from_config`]'s.
#[derive(Serialize, Default)]
struct FlagConfig<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<ModeKind>,
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
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    session_tags: BTreeMap<&'a str, &'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    policy_arns: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_policy: Option<FromFile<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_identity: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bedrock_timeout_ms: Option<u64>,
}

/// `source = { profile = ".." }` or `source = { web_identity_token_file = ".." }`.
#[derive(Serialize)]
#[serde(untagged)]
enum SourceProfile<'a> {
    Profile {
        profile: &'a str,
    },
    WebIdentity {
        web_identity_token_file: &'a std::path::Path,
    },
}

/// `{ file = ".." }`.
#[derive(Serialize)]
struct FromFile<'a> {
    file: &'a std::path::Path,
}

impl ModeFlags {
    /// The file of `--config`, if given.
    pub(crate) fn config_file(&self) -> Option<&std::path::Path> {
        self.config.as_deref()
    }

    /// The flag that chose the mode; `None` when none did (auto mode, the default).
    pub(crate) fn mode_flag(&self) -> Option<&'static str> {
        if self.role_arn.is_some() {
            Some("--role-arn")
        } else if self.profile.is_some() {
            Some("--profile")
        } else if self.env {
            Some("--env")
        } else if self.api_key {
            Some("--api-key")
        } else if self.auto {
            Some("--auto")
        } else {
            None
        }
    }

    /// The configuration: the file given with `--config` (its settings overridden by those
    /// flags given beside it), or the flags as its keys. `--api-key` is `mode = "api_key"`
    /// without a key, which reads `AWS_BEARER_TOKEN_BEDROCK` (never a flag: shell history and
    /// process lists show flags).
    pub(crate) fn config(&self) -> Result<AuthConfig, AuthError> {
        // An MFA code, when the role wants one, is asked on the terminal.
        if let Some(path) = &self.config {
            let file = AuthConfig::from_file(path)?.mfa_provider(ask_mfa_code);
            return Ok(file.overridden_by(self.settings.config()?));
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
            profile: self.profile.as_deref(),
            role_arn: self.role_arn.as_deref(),
            external_id: self.external_id.as_deref(),
            session_name: self.session_name.as_deref(),
            duration_secs: self.duration,
            source: match (&self.source_profile, &self.web_identity_token_file) {
                (Some(profile), _) => Some(SourceProfile::Profile { profile }),
                (None, Some(file)) => Some(SourceProfile::WebIdentity {
                    web_identity_token_file: file,
                }),
                (None, None) => None,
            },
            mfa_serial: self.mfa_serial.as_deref(),
            session_tags: self.session_tags()?,
            policy_arns: self.policy_arns.iter().map(String::as_str).collect(),
            session_policy: self.session_policy.as_deref().map(|file| FromFile { file }),
            source_identity: self.source_identity.as_deref(),
            ..self.settings.keys(Some(mode))?
        };
        to_config(&flags)
    }

    /// The `--tag KEY=VALUE` flags, by key (the value is never quoted back: it may be a secret
    /// put in the wrong place).
    fn session_tags(&self) -> Result<BTreeMap<&str, &str>, AuthError> {
        let mut tags = BTreeMap::new();
        for tag in &self.tags {
            let Some((key, value)) = tag.split_once('=') else {
                return Err(AuthError::new(
                    ErrorKind::InvalidConfig,
                    "--tag takes KEY=VALUE; one was given without `=`",
                    "write each session tag as --tag KEY=VALUE, e.g. --tag tenant=acme",
                ));
            };
            tags.insert(key, value);
        }
        Ok(tags)
    }

    /// The manager of [`config`](Self::config).
    pub(crate) fn manager(&self) -> Result<AuthManager, AuthError> {
        self.manager_of(&self.config()?)
    }

    /// The manager of `config`, made from these flags: its problems named by their flags.
    pub(crate) fn manager_of(&self, config: &AuthConfig) -> Result<AuthManager, AuthError> {
        AuthManager::from_config(config).map_err(|err| match &self.config {
            Some(_) => AuthError::from(err),
            None => in_flag_terms(&err),
        })
    }
}

/// The flag that set each key of [`FlagConfig`].
const FLAGS: [(&str, &str); 16] = [
    ("bedrock_timeout_ms", "--bedrock-timeout"),
    ("region", "--region"),
    ("profile", "--profile"),
    ("role_arn", "--role-arn"),
    ("external_id", "--external-id"),
    ("session_name", "--session-name"),
    ("duration_secs", "--duration"),
    ("source", "--source-profile"),
    ("source.profile", "--source-profile"),
    (
        "source.web_identity_token_file",
        "--web-identity-token-file",
    ),
    ("mfa_serial", "--mfa-serial"),
    ("session_tags", "--tag"),
    ("policy_arns", "--policy-arn"),
    ("session_policy", "--session-policy"),
    ("session_policy.file", "--session-policy"),
    ("source_identity", "--source-identity"),
];

/// The flag that sets the configuration key `key`, if one does.
pub(crate) fn flag_of(key: &str) -> Option<&'static str> {
    FLAGS.iter().find(|(k, _)| *k == key).map(|(_, flag)| *flag)
}

/// A configuration made from flags names its problems by their flags: a person typed them.
fn in_flag_terms(err: &ConfigError) -> AuthError {
    let problems: Vec<String> = err
        .problems()
        .iter()
        .map(|problem| {
            let field = problem.field();
            let flag = flag_of(field).unwrap_or(field);
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

/// An MFA code, asked on the terminal itself (`/dev/tty`): a `credential_process` has its
/// stdout read and its stderr captured by the AWS tool that runs it, so a prompt there is
/// never seen. Without a terminal: the prompt on stderr and a line of stdin.
async fn ask_mfa_code() -> Result<bedrock_auth::SecretString, bedrock_auth::error::BoxError> {
    tokio::task::spawn_blocking(|| {
        use std::io::BufRead;
        let mut line = String::new();
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty");
        match tty {
            Ok(mut tty) => {
                tty.write_all(b"MFA code: ")?;
                tty.flush()?;
                std::io::BufReader::new(tty).read_line(&mut line)?
            }
            Err(_) => {
                eprint!("MFA code: ");
                let _ = std::io::stderr().flush();
                std::io::stdin().lock().read_line(&mut line)?
            }
        };
        let code = bedrock_auth::SecretString::from(line.trim());
        zeroize::Zeroize::zeroize(&mut line);
        Ok::<_, bedrock_auth::error::BoxError>(code)
    })
    .await?
}

/// `900`, `900s`, `30m`, `1h`, from 1 s to `max_secs`, for the flag `flag`.
pub(crate) fn parse_duration(flag: &str, text: &str, max_secs: u64) -> Result<Duration, AuthError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key the flags set has its flag: doctor and the problems of `from_config` name it.
    #[test]
    fn every_key_the_flags_set_names_its_flag() {
        let flags = FlagConfig {
            mode: Some(ModeKind::AssumeRole),
            region: Some("r"),
            profile: Some("p"),
            role_arn: Some("a"),
            external_id: Some("e"),
            session_name: Some("s"),
            duration_secs: Some(900),
            source: Some(SourceProfile::Profile { profile: "p" }),
            mfa_serial: Some("m"),
            session_tags: [("k", "v")].into(),
            policy_arns: vec!["a"],
            session_policy: Some(FromFile {
                file: std::path::Path::new("p.json"),
            }),
            source_identity: Some("i"),
            bedrock_timeout_ms: Some(1),
        };
        let serde_json::Value::Object(keys) = serde_json::to_value(&flags).unwrap() else {
            panic!("flags are a table");
        };
        for key in keys.keys().filter(|key| *key != "mode") {
            assert!(flag_of(key).is_some(), "no flag for `{key}`");
        }
        assert_eq!(flag_of("source.profile"), Some("--source-profile"));
    }
}
