//! The mode flags (`--profile`, `--env`, `--role-arn`, ...) and the setting flags (`--region`,
//! `--external-id`, `--tag`, ...): the keys of a config file, given on the command line. The
//! command has no mapping of its own to the builder, only [`AuthManager::from_config`]'s.
//!
//! Each setting flag is one row of [`SETTINGS`]: its name, the configuration key it sets and
//! how its value is written there. clap's arguments, the conversion to a configuration and the
//! names in messages and in `doctor` are all read from that row, and every flag given reaches
//! the configuration by the same path, beside `--config` or not: a flag is applied (and
//! `doctor` shows it), or the configuration it makes is refused with exit 2 naming it. None
//! is accepted and dropped.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use bedrock_auth::{AuthConfig, AuthError, AuthManager, ConfigError, ErrorKind, modes::ModeKind};
use clap::{Arg, ArgAction, ArgMatches, Args, FromArgMatches};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::BUG;
use crate::mfa_prompt::ask_mfa_code;

/// How a flag's value is written into the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// A string, as given.
    Text,
    /// Whole seconds, as given (the configuration checks the range).
    Seconds,
    /// A duration (`90`, `90s`, `15m`, `1h`) up to this many seconds, written in milliseconds.
    Millis(u64),
    /// A path, as a string.
    Path,
    /// `true` or `false`.
    Bool,
    /// A path the setting is read from: `{ file = PATH }`.
    FromFile,
    /// `KEY=VALUE`, repeatable: a table of them.
    Pairs,
    /// Repeatable: a list.
    List,
}

/// A flag that sets one key of a configuration.
#[derive(Debug)]
pub(crate) struct Flag {
    /// The flag without its dashes (`session-name`): clap's id and long name.
    long: &'static str,
    /// The key it sets, as a path for a key inside a table (`source.profile`).
    key: &'static str,
    shape: Shape,
    value_name: &'static str,
    help: &'static str,
    /// Flags that set the same key another way: given together, which would win?
    conflicts: &'static [&'static str],
}

impl Flag {
    /// The flag as typed: `--session-name`.
    pub(crate) fn name(&self) -> String {
        format!("--{}", self.long)
    }

    /// The key at the top of the configuration that it sets (`source` for `source.profile`).
    fn root(&self) -> &'static str {
        self.key.split('.').next().unwrap_or(self.key)
    }

    fn arg(&self) -> Arg {
        let repeated = matches!(self.shape, Shape::Pairs | Shape::List);
        Arg::new(self.long)
            .long(self.long)
            .value_name(self.value_name)
            .help(self.help)
            .value_parser(clap::value_parser!(OsString))
            .action(if repeated {
                ArgAction::Append
            } else {
                ArgAction::Set
            })
            .conflicts_with_all(self.conflicts)
    }
}

const fn flag(
    long: &'static str,
    key: &'static str,
    shape: Shape,
    value_name: &'static str,
    help: &'static str,
) -> Flag {
    Flag {
        long,
        key,
        shape,
        value_name,
        help,
        conflicts: &[],
    }
}

/// Every setting flag, in the order `--help` lists them: the one declaration of each.
pub(crate) const SETTINGS: [Flag; 16] = [
    flag("region", "region", Shape::Text, "REGION", "The region"),
    flag(
        "ca-bundle",
        "ca_bundle",
        Shape::Path,
        "FILE",
        "Trust the certificate authorities of this PEM file instead of the system's, for every \
         HTTPS connection (a TLS-intercepting proxy, a private CA); else AWS_CA_BUNDLE, then the \
         profile's ca_bundle",
    ),
    flag(
        "fips",
        "use_fips_endpoint",
        Shape::Bool,
        "true|false",
        "Send every request to AWS's FIPS endpoints (sts-fips..., bedrock-runtime-fips...), or \
         with false to the regular ones; else AWS_USE_FIPS_ENDPOINT, then the profile's \
         use_fips_endpoint",
    ),
    flag(
        "dual-stack",
        "use_dualstack_endpoint",
        Shape::Bool,
        "true|false",
        "Send every request to AWS's dual-stack (IPv4 and IPv6) endpoints (sts.REGION.api.aws), \
         or with false to the regular ones; else AWS_USE_DUALSTACK_ENDPOINT, then the profile's \
         use_dualstack_endpoint",
    ),
    flag(
        "bedrock-timeout",
        "bedrock_timeout_ms",
        Shape::Millis(24 * 3600),
        "DURATION",
        "How long a Bedrock call may take (a model's whole answer): 90, 90s, 15m, 1h; default 60 \
         minutes. Credentials keep their own, shorter bound",
    ),
    flag(
        "external-id",
        "external_id",
        Shape::Text,
        "EXTERNAL_ID",
        "The role's external id",
    ),
    flag(
        "session-name",
        "session_name",
        Shape::Text,
        "NAME",
        "The role session name",
    ),
    flag(
        "duration",
        "duration_secs",
        Shape::Seconds,
        "SECONDS",
        "The role session duration in seconds (900 to 43200)",
    ),
    Flag {
        conflicts: &["web-identity-token-file"],
        ..flag(
            "source-profile",
            "source.profile",
            Shape::Text,
            "PROFILE",
            "Assume the role with the credentials of this profile",
        )
    },
    flag(
        "web-identity-token-file",
        "source.web_identity_token_file",
        Shape::Path,
        "FILE",
        "Assume the role with the OIDC token in this file (AssumeRoleWithWebIdentity), read at \
         every assumption: EKS's AWS_WEB_IDENTITY_TOKEN_FILE, a CI system's ID token",
    ),
    flag(
        "mfa-serial",
        "mfa_serial",
        Shape::Text,
        "SERIAL",
        "The role wants MFA: the device's serial or ARN; the code is asked on the terminal",
    ),
    flag(
        "tag",
        "session_tags",
        Shape::Pairs,
        "KEY=VALUE",
        "A session tag (repeatable; the role's trust policy must allow sts:TagSession)",
    ),
    flag(
        "policy-arn",
        "policy_arns",
        Shape::List,
        "ARN",
        "A managed policy that scopes the session down (repeatable, at most 10)",
    ),
    flag(
        "session-policy",
        "session_policy",
        Shape::FromFile,
        "FILE",
        "An inline session policy, read from this JSON file: the session may do only what both \
         the role and the policy allow",
    ),
    flag(
        "source-identity",
        "source_identity",
        Shape::Text,
        "NAME",
        "Who is behind the session, kept in CloudTrail (sts:SetSourceIdentity)",
    ),
    flag(
        "transitive-tag-key",
        "transitive_tag_keys",
        Shape::List,
        "KEY",
        "A session tag that passes on to the next role of a chain (repeatable)",
    ),
];

/// How the manager is configured: a config file, or flags that name the same keys.
#[derive(Args)]
pub(crate) struct ModeFlags {
    /// Read the configuration from this TOML or JSON file instead of a mode flag; each setting
    /// flag beside it replaces the file's value of that setting (a `--tag` all its tags).
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
    /// API-key mode: the Bedrock API key in AWS_BEARER_TOKEN_BEDROCK (never taken from a flag,
    /// so it stays out of shell history and process lists).
    #[arg(long, conflicts_with_all = ["profile", "env", "auto", "role_arn"])]
    api_key: bool,
    #[command(flatten)]
    settings: SettingFlags,
}

/// The setting flags given, each with its values: the rows of [`SETTINGS`] as clap arguments.
pub(crate) struct SettingFlags {
    given: Vec<(&'static Flag, Vec<OsString>)>,
}

impl FromArgMatches for SettingFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let given = SETTINGS
            .iter()
            .filter_map(|flag| {
                let values = matches.get_many::<OsString>(flag.long)?;
                Some((flag, values.cloned().collect()))
            })
            .collect();
        Ok(Self { given })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for SettingFlags {
    fn augment_args(command: clap::Command) -> clap::Command {
        SETTINGS
            .iter()
            .fold(command, |command, flag| command.arg(flag.arg()))
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

impl SettingFlags {
    /// The keys the flags set, as a configuration's table.
    fn keys(&self) -> Result<Map<String, Value>, AuthError> {
        let mut keys = Map::new();
        for (flag, values) in &self.given {
            let value = flag.value(values)?;
            match flag.key.split_once('.') {
                Some((table, key)) => {
                    let table = keys
                        .entry(table)
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(table) = table {
                        table.insert(key.to_owned(), value);
                    }
                }
                None => {
                    keys.insert(flag.key.to_owned(), value);
                }
            }
        }
        Ok(keys)
    }

    /// The flag given that set `key` (a configuration key, or a path inside one).
    pub(crate) fn flag_for(&self, key: &str) -> Option<&'static Flag> {
        let root = key.split('.').next().unwrap_or(key);
        let given = || self.given.iter().map(|(flag, _)| *flag);
        given()
            .find(|flag| flag.key == key)
            .or_else(|| given().find(|flag| flag.root() == root))
    }

    /// The file's configuration, each setting these flags give in place of the file's.
    pub(crate) fn over_file(&self, path: &std::path::Path) -> Result<AuthConfig, AuthError> {
        let file = AuthConfig::from_file(path)?;
        Ok(file
            .overridden_by(to_config(self.keys()?)?)
            .mfa_provider(ask_mfa_code))
    }

    /// A configuration these flags made is refused naming them: a person typed them. Problems
    /// of keys no flag set keep their key.
    pub(crate) fn in_flag_terms(
        &self,
        err: ConfigError,
        mode_flag: impl Fn(&str) -> Option<String>,
    ) -> AuthError {
        let name = |field: &str| mode_flag(field).or_else(|| self.flag_for(field).map(Flag::name));
        if err.problems().iter().all(|p| name(p.field()).is_none()) {
            return AuthError::from(err);
        }
        let problems: Vec<String> = err
            .problems()
            .iter()
            .map(|problem| {
                let field = problem.field();
                let named = name(field).unwrap_or_else(|| field.to_owned());
                format!("  - {named}: {}", problem.error())
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
}

impl Flag {
    /// The flag's values as the configuration holds them. A value is never quoted back: it
    /// may be a secret put in the wrong place.
    fn value(&self, values: &[OsString]) -> Result<Value, AuthError> {
        let texts = values
            .iter()
            .map(|value| {
                value.to_str().ok_or_else(|| {
                    self.refused(
                        "was given a value that is not valid UTF-8",
                        "give it in UTF-8 (for a file, a path or a link of a UTF-8 name)",
                    )
                })
            })
            .collect::<Result<Vec<&str>, _>>()?;
        let first = texts.first().copied().unwrap_or_default();
        Ok(match self.shape {
            Shape::Text | Shape::Seconds | Shape::Path => Value::from(first),
            Shape::Millis(max) => {
                let millis = parse_duration(&self.name(), first, max)?.as_millis();
                Value::from(u64::try_from(millis).unwrap_or(u64::MAX))
            }
            Shape::Bool => match parse_bool(first) {
                Some(on) => Value::Bool(on),
                None => {
                    return Err(self.refused(
                        "takes `true` or `false`",
                        "write true or false, e.g. --fips true",
                    ));
                }
            },
            Shape::FromFile => Value::Object(Map::from_iter([("file".into(), first.into())])),
            Shape::List => Value::from(texts),
            Shape::Pairs => Value::Object(self.pairs(&texts)?),
        })
    }

    /// `KEY=VALUE` items as a table; a key given twice is refused (which one was meant?).
    fn pairs(&self, items: &[&str]) -> Result<Map<String, Value>, AuthError> {
        let mut table = Map::new();
        for item in items {
            let Some((key, value)) = item.split_once('=') else {
                return Err(self.refused(
                    "takes KEY=VALUE; one was given without `=`",
                    "write each as KEY=VALUE, e.g. --tag tenant=acme",
                ));
            };
            if table.insert(key.to_owned(), Value::from(value)).is_some() {
                return Err(self.refused(
                    "was given the same key twice",
                    "give each key once: which value was meant cannot be guessed",
                ));
            }
        }
        Ok(table)
    }

    fn refused(&self, what: &str, hint: &'static str) -> AuthError {
        AuthError::new(
            ErrorKind::InvalidConfig,
            format!("{} {what}", self.name()),
            hint,
        )
    }
}

/// Keys are strings, integers and tables of them, which both steps take: neither fails.
fn to_config(keys: Map<String, Value>) -> Result<AuthConfig, AuthError> {
    AuthConfig::deserialize(Value::Object(keys))
        .map_err(|err| AuthError::new(ErrorKind::InvalidConfig, err.to_string(), BUG))
}

impl ModeFlags {
    /// The file of `--config`, if given.
    pub(crate) fn config_file(&self) -> Option<&std::path::Path> {
        self.config.as_deref()
    }

    /// The mode the mode flags chose, and the flag that chose it; auto mode, with no flag,
    /// when none did.
    fn mode(&self) -> (ModeKind, Option<&'static str>) {
        if self.role_arn.is_some() {
            (ModeKind::AssumeRole, Some("--role-arn"))
        } else if self.profile.is_some() {
            (ModeKind::Profile, Some("--profile"))
        } else if self.env {
            (ModeKind::Environment, Some("--env"))
        } else if self.api_key {
            (ModeKind::ApiKey, Some("--api-key"))
        } else if self.auto {
            (ModeKind::Auto, Some("--auto"))
        } else {
            (ModeKind::Auto, None)
        }
    }

    /// The flag that set the configuration key `key`, as typed (`--tag`); `None` when no flag
    /// given did (a file's key, or a default).
    pub(crate) fn flag_for(&self, key: &str) -> Option<String> {
        self.mode_flag_for(key)
            .or_else(|| self.settings.flag_for(key).map(Flag::name))
    }

    /// The mode flag that set `key` (`mode`, `profile`, `role_arn`): none beside `--config`.
    fn mode_flag_for(&self, key: &str) -> Option<String> {
        if self.config.is_some() {
            return None;
        }
        let flag = match key {
            "mode" => self.mode().1,
            "profile" => self.profile.as_ref().map(|_| "--profile"),
            "role_arn" => self.role_arn.as_ref().map(|_| "--role-arn"),
            _ => None,
        };
        flag.map(str::to_owned)
    }

    /// The configuration: the file given with `--config`, each setting a flag beside it gives
    /// in place of the file's; or the flags as its keys. `--api-key` is `mode = "api_key"`
    /// without a key, which reads `AWS_BEARER_TOKEN_BEDROCK` (never a flag: shell history and
    /// process lists show flags). An MFA code, when the role wants one, is asked on the
    /// terminal.
    pub(crate) fn config(&self) -> Result<AuthConfig, AuthError> {
        if let Some(var) = configuring_variable() {
            return self.over_variables(&var);
        }
        if let Some(path) = &self.config {
            return self.settings.over_file(path);
        }
        let mut keys = self.settings.keys()?;
        let (mode, _) = self.mode();
        let mode = serde_json::to_value(mode)
            .map_err(|err| AuthError::new(ErrorKind::InvalidConfig, err.to_string(), BUG))?;
        keys.insert("mode".into(), mode);
        if let Some(profile) = &self.profile {
            keys.insert("profile".into(), Value::from(profile.as_str()));
        }
        if let Some(role) = &self.role_arn {
            keys.insert("role_arn".into(), Value::from(role.as_str()));
        }
        Ok(to_config(keys)?.mfa_provider(ask_mfa_code))
    }

    /// The configuration of the `BEDROCK_AUTH_*` variables ([`AuthConfig::from_env`], as a
    /// program of the library's reads them), each setting flag in place of a variable's; with
    /// `--config` or a mode flag beside them, refused: which configuration would it be?
    fn over_variables(&self, var: &str) -> Result<AuthConfig, AuthError> {
        let beside = match (&self.config, self.mode().1) {
            (Some(_), _) => Some("--config"),
            (None, flag) => flag,
        };
        if let Some(beside) = beside {
            return Err(variables_beside(var, beside));
        }
        let variables = AuthConfig::from_env()?;
        Ok(variables
            .overridden_by(to_config(self.settings.keys()?)?)
            .mfa_provider(ask_mfa_code))
    }

    /// The manager of [`config`](Self::config).
    pub(crate) fn manager(&self) -> Result<AuthManager, AuthError> {
        self.manager_of(&self.config()?)
    }

    /// The manager of `config`, made from these flags: its problems named by their flags.
    pub(crate) fn manager_of(&self, config: &AuthConfig) -> Result<AuthManager, AuthError> {
        AuthManager::from_config(config).map_err(|err| {
            self.settings
                .in_flag_terms(err, |key| self.mode_flag_for(key))
        })
    }
}

/// `--config` (or a mode flag) refused beside the configuration of the `BEDROCK_AUTH_*`
/// variables (`var` is one that is set): which configuration would it be?
fn variables_beside(var: &str, beside: &str) -> AuthError {
    AuthError::new(
        ErrorKind::InvalidConfig,
        format!(
            "{var} is set, and so is {beside}: the BEDROCK_AUTH_* variables are a \
             configuration of their own"
        ),
        "unset the BEDROCK_AUTH_* variables (`env -u`), or drop the flag to use them",
    )
}

/// `--config` refused when a `BEDROCK_AUTH_*` variable is set, as every subcommand that
/// reads a configuration refuses it (`check` included: it checks what the others would run).
pub(crate) fn no_variables_beside_config() -> Result<(), AuthError> {
    match configuring_variable() {
        Some(var) => Err(variables_beside(&var, "--config")),
        None => Ok(()),
    }
}

/// The first `BEDROCK_AUTH_*` variable set, if any (the configuration
/// [`AuthConfig::from_env`] reads).
fn configuring_variable() -> Option<String> {
    std::env::vars_os()
        .map(|(name, _)| name.to_string_lossy().into_owned())
        .filter(|name| name.starts_with("BEDROCK_AUTH_"))
        .min()
}

/// `900`, `900s`, `30m`, `1h`, from 1 s to `max_secs`, for the flag `flag`. The text is not
/// quoted back: it may be a secret put in the wrong place.
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
                "{flag} takes a duration from 1s to {}h; the one given is not",
                max_secs / 3600
            ),
            "write seconds, minutes or hours: 900, 900s, 30m, 1h",
        )),
    }
}

/// `true` or `false`, in any case (as the configuration and aws-config read them).
fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        on if on.eq_ignore_ascii_case("true") => Some(true),
        off if off.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys of the library's declaration that no setting flag sets, and why. A key the
    /// library adds fails [`every_key_has_a_flag_or_a_reason`] until it gets a flag or a line
    /// here.
    const WITHOUT_FLAG: [(&str, &str); 16] = [
        (
            "mode",
            "the mode flags: --profile, --env, --auto, --role-arn, --api-key",
        ),
        ("profile", "the mode flag --profile"),
        ("role_arn", "the mode flag --role-arn"),
        (
            "endpoint_url",
            "AWS_ENDPOINT_URL and the service's own variables, or --config",
        ),
        (
            "connect_timeout_ms",
            "--config: the command's waits have their defaults",
        ),
        ("operation_timeout_ms", "--config"),
        ("max_attempts", "--config"),
        (
            "metadata_timeout_ms",
            "AWS_METADATA_SERVICE_TIMEOUT, or --config",
        ),
        (
            "metadata_attempts",
            "AWS_METADATA_SERVICE_NUM_ATTEMPTS, or --config",
        ),
        (
            "lockout_after",
            "--config: one command has no failures in a row to count",
        ),
        ("lockout_cool_down_secs", "--config"),
        ("proxy", "HTTPS_PROXY / NO_PROXY, or --config"),
        (
            "access_key_id",
            "--env reads AWS_ACCESS_KEY_ID: a key pair is never a flag",
        ),
        (
            "secret_access_key",
            "a secret: flags are in shell history and process lists",
        ),
        ("session_token", "a secret"),
        (
            "api_key",
            "--api-key reads AWS_BEARER_TOKEN_BEDROCK: a secret is never a flag",
        ),
    ];

    /// Every key of the library's configuration is set by a flag, or has its reason above:
    /// the command cannot fall behind the declaration unnoticed.
    #[test]
    fn every_key_has_a_flag_or_a_reason() {
        let mut keys: Vec<&str> = bedrock_auth::config::ENV_VARS
            .iter()
            .map(|(_, key)| *key)
            .collect();
        keys.dedup();
        let missing: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|key| !SETTINGS.iter().any(|flag| flag.root() == *key))
            .filter(|key| !WITHOUT_FLAG.iter().any(|(without, _)| without == key))
            .collect();
        assert!(
            missing.is_empty(),
            "keys with neither a flag nor a reason: {missing:?}"
        );
        for (key, _) in WITHOUT_FLAG {
            assert!(keys.contains(&key), "{key} is no key of the library");
            assert!(
                !SETTINGS.iter().any(|flag| flag.root() == key),
                "{key} has a flag"
            );
        }
    }

    /// Each flag sets a key the library's configuration has, and no two flags set one key.
    #[test]
    fn every_setting_flag_sets_one_key_of_the_configuration() {
        let known: Vec<&str> = bedrock_auth::config::ENV_VARS
            .iter()
            .map(|(_, key)| *key)
            .collect();
        let mut longs = std::collections::BTreeSet::new();
        let mut keys = std::collections::BTreeSet::new();
        for flag in &SETTINGS {
            assert!(
                known.contains(&flag.root()),
                "{} sets {}",
                flag.long,
                flag.key
            );
            assert!(longs.insert(flag.long), "{} twice", flag.long);
            assert!(keys.insert(flag.key), "{} set twice", flag.key);
        }
    }
}
