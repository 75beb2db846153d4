//! Config-as-code: the builder's modes and options read at run time from TOML, JSON or the
//! environment, checked with every problem reported at once.
//!
//! A config is parsed into [`AuthConfig`] (syntax only) and checked by
//! [`AuthManager::from_config`], which runs it through the very builder a program would write,
//! so the same values are accepted and rejected, with the same messages. Secrets need not sit in
//! the file: `{ env = "VAR" }` or `{ file = "/run/secrets/x" }` is read straight into a
//! [`SecretString`].
//!
//! ```
//! use bedrock_auth::{AuthConfig, AuthManager, modes::ModeKind};
//!
//! let config = AuthConfig::from_toml(r#"
//!     mode = "assume_role"
//!     region = "us-east-1"
//!     role_arn = "arn:aws:iam::123456789012:role/BedrockAccessRole"
//!     external_id = "unique-external-id"
//!     session_name = "orders-service"
//!     duration_secs = 7200
//!     source = { profile = "base" }
//! "#)?;
//! let manager = AuthManager::from_config(&config)?;
//! assert_eq!(manager.info().mode, ModeKind::AssumeRole);
//! # Ok::<(), bedrock_auth::ConfigError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use zeroize::Zeroize;

use crate::builder::AuthBuilder;
use crate::config_keys as keys;
use crate::diagnose::{Diagnosis, Setting, check_secret_file, diagnose_in, mask, set};
use crate::error::{ConfigError, Problem, Rule, ValueError, ValueKind};
use crate::manager::AuthManager;
use crate::mfa::MfaProvider;
use crate::mode::ModeState;
use crate::mode_kind::ModeKind;
use crate::os::{CarefulRead, FileTrouble, Os, SMALL_FILE_LIMIT};
use crate::secret::looks_like_secret;
use crate::shared::Shared;

pub use crate::config_keys::ENV_VARS;

/// A value as read, before checking.
#[derive(Clone)]
enum Raw {
    Str(String),
    Int(i64),
    /// A literal secret, wrapped as soon as it was read.
    Secret(SecretString),
    /// `{ env = "VAR" }` / `{ file = "path" }` for a secret, or a `source` table.
    Table(BTreeMap<String, Raw>),
    /// Any other type (bool, float, array, ...), by name.
    Other(&'static str),
}

impl fmt::Debug for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Str(s) => write!(f, "{s:?}"),
            Self::Int(i) => write!(f, "{i}"),
            Self::Secret(_) => f.write_str("[REDACTED]"),
            Self::Table(t) => f
                .debug_map()
                .entries(t.iter().map(|(k, v)| (k, Shown(k, v))))
                .finish(),
            Self::Other(kind) => write!(f, "<{kind}>"),
        }
    }
}

/// A value as `AuthConfig`'s `Debug` shows it: only the values of keys that never hold a
/// secret, and of those that may hold one by mistake (an access key id, an endpoint URL, a
/// variable name) only when they pass their check. Everything else is `[REDACTED]`: the
/// secrets, the external id, and any key this crate does not know (a misspelled
/// `secret_acess_key` holds a secret).
struct Shown<'a>(&'a str, &'a Raw);

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Shown(key, value) = *self;
        let shown = match (canonical_key(key), value) {
            (_, Raw::Int(_) | Raw::Other(_) | Raw::Table(_)) => true,
            (
                "mode"
                | "region"
                | "profile"
                | "role_arn"
                | "session_name"
                | "duration_secs"
                | "mfa_serial"
                | "connect_timeout_ms"
                | "operation_timeout_ms"
                | "bedrock_timeout_ms"
                | "max_attempts"
                | "metadata_timeout_ms"
                | "metadata_attempts"
                | "lockout_after"
                | "lockout_cool_down_secs"
                | "proxy"
                | "source"
                | "file",
                _,
            ) => true,
            ("access_key_id", Raw::Str(id)) => id.parse::<crate::values::AccessKeyId>().is_ok(),
            ("endpoint_url", Raw::Str(url)) => url.parse::<crate::values::EndpointUrl>().is_ok(),
            ("env", Raw::Str(name)) => variable_name(name).is_ok(),
            _ => false,
        };
        if shown {
            value.fmt(f)
        } else {
            f.write_str("[REDACTED]")
        }
    }
}

/// Whether a `{ file = .. }` value has the shape of a secret rather than of a path (one that
/// does not start as a path does).
fn looks_like_secret_not_path(path: &str) -> bool {
    !path.starts_with(['/', '.', '~']) && looks_like_secret(path)
}

/// Checks that `name` can be an environment variable's name, and does not have the shape of a
/// secret put where the name of its variable belongs (`{ env = "<the secret>" }`).
fn variable_name(name: &str) -> Result<(), Rule> {
    let mut bytes = name.bytes();
    let first_ok = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    if !first_ok || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(Rule::VariableName);
    }
    // Variable names are words; a long run of mixed-case letters and digits is a key.
    if looks_like_secret(name) {
        return Err(Rule::LooksLikeSecret);
    }
    Ok(())
}

/// An authentication configuration read at run time, not yet checked: parse it with
/// [`from_toml`](Self::from_toml), [`from_json`](Self::from_json), [`from_file`](Self::from_file)
/// or [`from_env`](Self::from_env), then check it with [`check`](Self::check) or turn it into a
/// manager with [`AuthManager::from_config`].
///
/// Keys: `mode` (`profile`, `environment`, `static`, `assume_role`, `auto`, `api_key`),
/// `region`, `endpoint_url`, `connect_timeout_ms`, `operation_timeout_ms`, `max_attempts`,
/// `metadata_timeout_ms`, `metadata_attempts`, `lockout_after`, `lockout_cool_down_secs`,
/// `proxy` (a URL, or `off`) in
/// every mode; `profile` (profile mode); `access_key_id`, `secret_access_key`, `session_token`
/// (static); `role_arn`, `external_id`, `session_name`, `duration_secs`, `mfa_serial`, `source`
/// (assume_role; `source` is `{ profile = ".." }`, `"environment"`, `"auto"` or
/// `{ access_key_id = "..", secret_access_key = .. }`, default auto); `api_key` (api_key mode;
/// without it, the key of `AWS_BEARER_TOKEN_BEDROCK`).
///
/// It is also [`Deserialize`](serde::Deserialize), to be one table of a service's own
/// configuration.
///
/// The mode names `PROFILE`, `ENVIRONMENT`, `CREDENTIALS`, `IAM_ROLE` and `AUTO` (any case)
/// and the keys `profile_name`, `access_key`, `secret_key`, `role_session_name`,
/// `assume_role_duration` and `region_override` are accepted as aliases.
#[derive(Clone, Default)]
pub struct AuthConfig {
    // Keys as written (aliases included), so problems name what the user wrote.
    entries: BTreeMap<String, Raw>,
    origin: Option<String>,
    mfa: Option<Arc<dyn MfaProvider>>,
    shared: Option<Shared>,
    /// Where `{ env = .. }` and `{ file = .. }` are read, and what the manager made from this
    /// config reads: the process's, or a test sandbox's.
    pub(crate) os: Os,
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries: BTreeMap<&str, Shown<'_>> = self
            .entries
            .iter()
            .map(|(k, v)| (k.as_str(), Shown(k, v)))
            .collect();
        f.debug_struct("AuthConfig")
            .field("origin", &self.origin)
            .field("entries", &entries)
            .field("mfa_provider", &self.mfa.as_ref().map(|_| "<fn>"))
            .finish()
    }
}

impl AuthConfig {
    /// Parses TOML. Only syntax is checked here; see [`AuthManager::from_config`].
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|err| syntax_error("TOML", err.message().to_owned()))
    }

    /// Parses JSON (an object with the same keys as the TOML form).
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        serde_json::from_str(text).map_err(|err| syntax_error("JSON", format!("{err}")))
    }

    /// Reads a `.toml` or `.json` file (by extension; anything else is read as TOML).
    ///
    /// Only a regular file of at most 64 KiB is read (a FIFO, a device or a directory is
    /// refused at once, naming it); its text is wiped once parsed.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let refused = |rule: Rule| {
            let error = ValueError::new(ValueKind::ConfigFile, &path.display().to_string(), rule);
            ConfigError::new(vec![Problem::new("file", error)])
        };
        let read = read_small_file(&Os::default(), path).map_err(refused)?;
        let text = std::str::from_utf8(&read.bytes).map_err(|_| refused(Rule::FileNotText))?;
        let mut config = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => Self::from_json(text)?,
            _ => Self::from_toml(text)?,
        };
        config.origin = Some(path.display().to_string());
        Ok(config)
    }

    /// Reads the `BEDROCK_AUTH_*` variables of the process environment
    /// ([`ENV_VARS`]).
    ///
    /// A `BEDROCK_AUTH_*` variable that is not valid UTF-8 is a problem naming it; other
    /// variables are not looked at.
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut vars = Vec::new();
        let mut problems = Vec::new();
        for (name, value) in Os::process_vars() {
            let shown = name.to_string_lossy();
            if !shown.starts_with("BEDROCK_AUTH_") {
                continue;
            }
            match (name.to_str(), value.into_string()) {
                (Some(name), Ok(value)) => vars.push((name.to_owned(), value)),
                _ => {
                    let error = ValueError::new(ValueKind::Key, &shown, Rule::NotUtf8);
                    problems.push(Problem::new(shown.into_owned(), error));
                }
            }
        }
        match Self::from_env_vars(vars) {
            Ok(config) if problems.is_empty() => Ok(config),
            Ok(_) => Err(ConfigError::new(problems)),
            Err(err) => {
                problems.extend(err.problems().iter().cloned());
                Err(ConfigError::new(problems))
            }
        }
    }

    /// Reads `BEDROCK_AUTH_*` variables from the given pairs
    /// ([`ENV_VARS`]); other names are
    /// ignored, and unknown `BEDROCK_AUTH_*` names are problems.
    pub fn from_env_vars<I, K, V>(vars: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        let mut entries = BTreeMap::new();
        let mut problems = Vec::new();
        for (name, value) in vars {
            let name = name.as_ref();
            if !name.starts_with("BEDROCK_AUTH_") {
                continue;
            }
            let mut value: String = value.into();
            let Some((key, names_a_file)) = keys::of_var(name) else {
                value.zeroize();
                let error = ValueError::new(ValueKind::Key, name, Rule::UnknownKey);
                problems.push(Problem::new(name.to_owned(), error));
                continue;
            };
            let raw = if names_a_file {
                let mut table = BTreeMap::new();
                table.insert("file".to_owned(), Raw::Str(value));
                Raw::Table(table)
            } else if key.secret {
                let secret = SecretString::from(value.as_str());
                value.zeroize();
                Raw::Secret(secret)
            } else if key.name == "source" {
                match value.strip_prefix("profile:") {
                    Some(profile) => {
                        let mut table = BTreeMap::new();
                        table.insert("profile".to_owned(), Raw::Str(profile.to_owned()));
                        Raw::Table(table)
                    }
                    None => Raw::Str(value),
                }
            } else {
                Raw::Str(value)
            };
            entries.insert(key.name.to_owned(), raw);
        }
        if !problems.is_empty() {
            return Err(ConfigError::new(problems));
        }
        Ok(Self {
            entries,
            origin: Some("environment".to_owned()),
            ..Self::default()
        })
    }

    /// Where the MFA token codes come from when the config sets `mfa_serial` (a file cannot
    /// hold code).
    pub fn mfa_provider(mut self, source: impl MfaProvider) -> Self {
        self.mfa = Some(Arc::new(source));
        self
    }

    /// The managers made from this config share `shared` (the HTTP client and its connection
    /// pool) with every other manager given it: see [`Shared`].
    pub fn shared(mut self, shared: &Shared) -> Self {
        self.shared = Some(shared.clone());
        self
    }

    /// Where the config came from: a file path, `environment`, or `None` for text.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// [`diagnose()`](crate::diagnose::diagnose()) in the world this config reads, plus its secret files
    /// (`{ file = .. }`): a warning for each that is not a regular file, is too large, cannot be
    /// read, or is readable by group or others. Sends nothing; shows no secret.
    ///
    /// Its [`settings`](Diagnosis::settings) show this config's values where they decide (a
    /// config's region wins over `AWS_REGION`), with the config as their source: `config
    /// PATH`, `environment` for [`from_env`](Self::from_env), `given` for text or serde.
    pub async fn diagnose(&self) -> Diagnosis {
        let mut diagnosis = diagnose_in(&self.os).await;
        for path in self.secret_files() {
            check_secret_file(&self.os, path, &mut diagnosis.warnings);
        }
        let source = match self.origin.as_deref() {
            Some("environment") => "environment (BEDROCK_AUTH_*)".to_owned(),
            Some(path) => format!("config {path}"),
            None => "given".to_owned(),
        };
        for (key, raw) in &self.entries {
            let Some(known) = keys::find(key) else {
                continue;
            };
            let (key, name) = (known.name, known.label);
            let value = match raw {
                Raw::Str(_) if key == "external_id" => "********".to_owned(),
                Raw::Str(text) => mask(key, text),
                Raw::Int(n) => n.to_string(),
                Raw::Secret(_) => "********".to_owned(),
                Raw::Table(table) => {
                    match (table.get("env"), table.get("file"), table.get("profile")) {
                        (Some(Raw::Str(var)), _, _) => format!("from variable {var}"),
                        (_, Some(Raw::Str(path)), _) => format!("from file {path}"),
                        (_, _, Some(Raw::Str(profile))) => format!("profile {profile}"),
                        _ => "a key pair".to_owned(),
                    }
                }
                Raw::Other(kind) => format!("<{kind}>"),
            };
            set(
                &mut diagnosis.settings,
                Setting::new(name, value, source.clone()).of_key(key),
            );
            if key == "proxy" {
                // The config's proxy (or none) serves every endpoint.
                diagnosis
                    .settings
                    .retain(|setting| setting.name != crate::proxy::HTTP_ONLY_PROXY);
            }
        }
        diagnosis
    }

    /// The files this config reads secrets from.
    fn secret_files(&self) -> Vec<&Path> {
        let mut files = Vec::new();
        for (key, raw) in &self.entries {
            if is_secret_key(key) {
                files.extend(file_of(raw));
            } else if let (Raw::Table(source), "source") = (raw, canonical_key(key)) {
                files.extend(
                    source
                        .iter()
                        .filter(|(k, _)| is_secret_key(k))
                        .filter_map(|(_, v)| file_of(v)),
                );
            }
        }
        files
    }

    /// Checks everything [`AuthManager::from_config`] checks (reading secrets from their
    /// variables and files included), without keeping the manager. No network I/O.
    pub fn check(&self) -> Result<(), ConfigError> {
        AuthManager::from_config(self).map(drop)
    }
}

impl AuthManager {
    /// A manager from a run-time configuration: exactly what the builder would make from the
    /// same values, with the same checks. Every problem is reported at once, by key path.
    /// Reads secrets from their variables and files; no network I/O.
    pub fn from_config(config: &AuthConfig) -> Result<AuthManager, ConfigError> {
        Checker::new(config).run()
    }
}

fn syntax_error(format: &str, message: String) -> ConfigError {
    // Parser messages quote the offending input, which may be a secret: keep only the position
    // information they start with.
    let first_line = message.lines().next().unwrap_or_default().to_owned();
    tracing::debug!(format, "config syntax error");
    let error = ValueError::syntax(format, &first_line);
    ConfigError::new(vec![Problem::new("syntax", error)])
}

fn is_secret_key(key: &str) -> bool {
    keys::is_secret(key)
}

fn canonical_key(key: &str) -> &str {
    keys::canonical(key)
}

/// Reads any self-describing format (TOML, JSON, YAML, ...) through serde, so an `AuthConfig`
/// can be one field of a service's own configuration:
///
/// ```
/// use bedrock_auth::{AuthConfig, AuthManager, modes::ModeKind};
///
/// #[derive(serde::Deserialize)]
/// struct ServiceConfig {
///     listen: String,
///     bedrock: AuthConfig,
/// }
///
/// let service: ServiceConfig = toml::from_str(r#"
///     listen = "0.0.0.0:8080"
///     [bedrock]
///     mode = "profile"
///     profile = "orders"
///     region = "eu-west-1"
/// "#)?;
/// let manager = AuthManager::from_config(&service.bedrock)?;
/// assert_eq!(manager.mode(), ModeKind::Profile);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Only the shape is read here (a table of keys); values are checked by
/// [`AuthManager::from_config`]. Literal secrets are wrapped as they are read, and no error of
/// this impl quotes a value.
impl<'de> serde::Deserialize<'de> for AuthConfig {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_any(RawVisitor { secret: true })? {
            Raw::Table(entries) => Ok(Self {
                entries,
                ..Self::default()
            }),
            _ => Err(serde::de::Error::custom(
                "the top level must be a table (an object) of settings",
            )),
        }
    }
}

/// Reads one value of any type into a [`Raw`]; strings become secrets when `secret` is set
/// (the value of a secret key, or the top level, which is only accepted as a table).
struct RawVisitor {
    secret: bool,
}

/// The key toml's deserializer uses to hand over a date as a table.
const TOML_DATETIME: &str = "$__toml_private_datetime";

impl<'de> serde::de::DeserializeSeed<'de> for RawVisitor {
    type Value = Raw;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Raw, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a configuration value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Raw, E> {
        Ok(Raw::Other("a boolean"))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Raw, E> {
        Ok(Raw::Int(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Raw, E> {
        Ok(i64::try_from(value).map_or(Raw::Other("an integer out of range"), Raw::Int))
    }

    fn visit_i128<E>(self, value: i128) -> Result<Raw, E> {
        Ok(i64::try_from(value).map_or(Raw::Other("an integer out of range"), Raw::Int))
    }

    fn visit_u128<E>(self, value: u128) -> Result<Raw, E> {
        Ok(i64::try_from(value).map_or(Raw::Other("an integer out of range"), Raw::Int))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Raw, E> {
        Ok(Raw::Other("a fractional number"))
    }

    fn visit_char<E: serde::de::Error>(self, value: char) -> Result<Raw, E> {
        self.visit_str(value.encode_utf8(&mut [0; 4]))
    }

    fn visit_str<E>(self, value: &str) -> Result<Raw, E> {
        Ok(if self.secret {
            Raw::Secret(SecretString::from(value))
        } else {
            Raw::Str(value.to_owned())
        })
    }

    fn visit_string<E>(self, mut value: String) -> Result<Raw, E> {
        if self.secret {
            let secret = SecretString::from(value.as_str());
            value.zeroize();
            Ok(Raw::Secret(secret))
        } else {
            Ok(Raw::Str(value))
        }
    }

    fn visit_bytes<E>(self, _: &[u8]) -> Result<Raw, E> {
        Ok(Raw::Other("bytes"))
    }

    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Other("null"))
    }

    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Other("null"))
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Raw, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Raw, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(Raw::Other("an array"))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut table = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == TOML_DATETIME {
                map.next_value::<serde::de::IgnoredAny>()?;
                return Ok(Raw::Other("a date"));
            }
            let value = map.next_value_seed(RawVisitor {
                secret: is_secret_key(&key),
            })?;
            // TOML refuses a key given twice; JSON's parser would keep the last. Refused in
            // every format (the value is not quoted: it may be a secret).
            if table.insert(key.clone(), value).is_some() {
                return Err(serde::de::Error::custom(format!(
                    "the key `{}` is given twice",
                    crate::printable::printable(&key)
                )));
            }
        }
        Ok(Raw::Table(table))
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, _: A) -> Result<Raw, A::Error> {
        Ok(Raw::Other("an enum"))
    }
}

/// Walks a config, collecting problems, and drives the builder.
struct Checker<'a> {
    config: &'a AuthConfig,
    // Canonical key -> (key as written, value).
    values: BTreeMap<&'static str, (&'a str, &'a Raw)>,
    problems: Vec<Problem>,
}

impl<'a> Checker<'a> {
    fn new(config: &'a AuthConfig) -> Self {
        Self {
            config,
            values: BTreeMap::new(),
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, key: &str, error: ValueError) {
        self.problems.push(Problem::new(key.to_owned(), error));
    }

    fn run(mut self) -> Result<AuthManager, ConfigError> {
        let mode = self.mode();
        for (written, value) in &self.config.entries {
            let Some(key) = keys::find(written) else {
                let error = ValueError::new(ValueKind::Key, written, Rule::UnknownKey);
                self.problem(written, error);
                continue;
            };
            let known = key.name;
            if let Some(mode) = mode
                && !keys::taken_by(key, mode)
            {
                let owner = key.mode.unwrap_or(mode);
                let rule = Rule::NotInMode { owner, mode };
                let error = ValueError::new(ValueKind::Key, written, rule);
                self.problem(written, error);
                continue;
            }
            if self.values.insert(known, (written, value)).is_some() {
                let error = ValueError::new(ValueKind::Key, written, Rule::Duplicate);
                self.problem(written, error);
            }
        }
        let Some(mode) = mode else {
            // Still check the keys every mode shares.
            let built = self.common(AuthManager::builder()).auto().build();
            return match self.finish(built) {
                Ok(_) => unreachable!("a config without a mode recorded a problem"),
                Err(err) => Err(err),
            };
        };
        let builder = self.common(AuthManager::builder());
        let built = match mode {
            ModeKind::Profile => {
                let name = self.string("profile", true).unwrap_or_default();
                builder.profile(name).build()
            }
            ModeKind::Environment => builder.environment().build(),
            ModeKind::Auto => builder.auto().build(),
            // `mode()` never answers Custom: a file cannot hold a credential source.
            ModeKind::Custom => unreachable!("configs have no custom-source mode"),
            ModeKind::Static => {
                let key = self.string("access_key_id", true).unwrap_or_default();
                let secret = self.secret("secret_access_key", true);
                let builder = builder.static_credentials(key, secret.unwrap_or_else(placeholder));
                match self.secret("session_token", false) {
                    Some(token) => builder.session_token(token).build(),
                    None => builder.build(),
                }
            }
            ModeKind::AssumeRole => self.assume_role(builder),
            // Without `api_key`, the key is the SDK's variable, as the builder's
            // `api_key_from_env()` reads it (and as environment mode reads its variables).
            ModeKind::ApiKey => match self.secret("api_key", false) {
                Some(key) => builder.api_key(key).build(),
                None => builder.api_key_from_env().build(),
            },
        };
        self.finish(built)
    }

    /// The mode, from `mode` and its aliases; `IAM_ROLE` with a `role_arn` means assume role.
    fn mode(&mut self) -> Option<ModeKind> {
        let written = self.config.entries.get("mode");
        let name = match written {
            Some(Raw::Str(name)) => name.to_ascii_lowercase(),
            Some(other) => {
                self.wrong_type("mode", other, "a string");
                return None;
            }
            None => {
                let error = ValueError::new(ValueKind::Mode, "", Rule::Missing);
                self.problem("mode", error);
                return None;
            }
        };
        let mode = match name.as_str() {
            "profile" => ModeKind::Profile,
            "environment" => ModeKind::Environment,
            "static" | "credentials" => ModeKind::Static,
            "assume_role" => ModeKind::AssumeRole,
            "auto" => ModeKind::Auto,
            "api_key" => ModeKind::ApiKey,
            "iam_role" if self.config.entries.contains_key("role_arn") => ModeKind::AssumeRole,
            "iam_role" => {
                let error = ValueError::new(ValueKind::Mode, &name, Rule::IamRoleNeedsArn);
                self.problem("mode", error);
                return None;
            }
            _ => {
                let error = ValueError::new(ValueKind::Mode, &name, Rule::UnknownMode);
                self.problem("mode", error);
                return None;
            }
        };
        Some(mode)
    }

    fn wrong_type(&mut self, key: &str, value: &Raw, expected: &'static str) {
        let found = match value {
            Raw::Str(_) | Raw::Secret(_) => "a string",
            Raw::Int(_) => "an integer",
            Raw::Table(_) => "a table",
            Raw::Other(kind) => kind,
        };
        let error = ValueError::new(ValueKind::Key, key, Rule::WrongType { expected, found });
        self.problem(key, error);
    }

    fn missing(&mut self, key: &'static str) {
        let error = ValueError::new(ValueKind::Key, key, Rule::Missing);
        self.problem(key, error);
    }

    /// A string value; `None` (with a problem recorded if required or mistyped) otherwise.
    fn string(&mut self, key: &'static str, required: bool) -> Option<String> {
        match self.values.get(key).copied() {
            Some((_, Raw::Str(s))) => Some(s.clone()),
            Some((written, other)) => {
                self.wrong_type(written, other, "a string");
                None
            }
            None if required => {
                self.missing(key);
                None
            }
            None => None,
        }
    }

    /// An integer value, also from a string of digits (environment variables are strings).
    fn integer(&mut self, key: &'static str) -> Option<i64> {
        match self.values.get(key).copied() {
            Some((_, Raw::Int(i))) => Some(*i),
            Some((written, Raw::Str(s))) => match s.trim().parse() {
                Ok(i) => Some(i),
                Err(_) => {
                    self.wrong_type(written, &Raw::Str(String::new()), "an integer");
                    None
                }
            },
            Some((written, other)) => {
                self.wrong_type(written, other, "an integer");
                None
            }
            None => None,
        }
    }

    /// A secret: a literal (with a warning), `{ env = "VAR" }` or `{ file = "path" }`.
    fn secret(&mut self, key: &'static str, required: bool) -> Option<SecretString> {
        let Some((written, value)) = self.values.get(key).copied() else {
            if required {
                self.missing(key);
            }
            return None;
        };
        let origin = self.config.origin.as_deref();
        self.secret_value(written, value, origin != Some("environment"))
    }

    fn secret_value(&mut self, key: &str, value: &Raw, warn_literal: bool) -> Option<SecretString> {
        match value {
            Raw::Secret(secret) => {
                if warn_literal {
                    tracing::warn!(
                        key,
                        "a literal secret is in the configuration; prefer {{ env = \"VAR\" }} or \
                         {{ file = \"/run/secrets/..\" }}"
                    );
                }
                Some(secret.clone())
            }
            Raw::Table(table) => match (table.get("env"), table.get("file"), table.len()) {
                (Some(Raw::Str(var)), None, 1) if variable_name(var).is_err() => {
                    let rule = variable_name(var).err().unwrap_or(Rule::VariableName);
                    // Never the value: it may be the secret itself.
                    let error = ValueError::without_value(ValueKind::SecretSource, rule);
                    self.problem(key, error);
                    None
                }
                (Some(Raw::Str(var)), None, 1) => match self.config.os.env.get(var) {
                    Ok(mut value) => {
                        let secret = SecretString::from(value.as_str());
                        value.zeroize();
                        Some(secret)
                    }
                    Err(err) => {
                        let rule = match err {
                            std::env::VarError::NotPresent => Rule::EnvVarMissing,
                            std::env::VarError::NotUnicode(_) => Rule::NotUtf8,
                        };
                        let error = ValueError::new(ValueKind::SecretSource, var, rule);
                        self.problem(key, error);
                        None
                    }
                },
                (None, Some(Raw::Str(path)), 1) => {
                    read_secret_file(&self.config.os, Path::new(path))
                        .map_err(|rule| {
                            // A path is shown, unless it has the shape of the secret itself.
                            let error = if looks_like_secret_not_path(path) {
                                ValueError::without_value(
                                    ValueKind::SecretSource,
                                    Rule::LooksLikeSecret,
                                )
                            } else {
                                ValueError::new(ValueKind::SecretSource, path, rule)
                            };
                            self.problem(key, error);
                        })
                        .ok()
                }
                _ => {
                    self.wrong_type(
                        key,
                        value,
                        "a string, { env = \"VAR\" } or { file = \"path\" }",
                    );
                    None
                }
            },
            other => {
                self.wrong_type(
                    key,
                    other,
                    "a string, { env = \"VAR\" } or { file = \"path\" }",
                );
                None
            }
        }
    }

    fn common<M: ModeState>(&mut self, mut builder: AuthBuilder<M>) -> AuthBuilder<M> {
        builder.settings.os = self.config.os.clone();
        if let Some(shared) = &self.config.shared {
            builder = builder.shared(shared);
        }
        if let Some(region) = self.string("region", false) {
            builder = builder.region(region);
        }
        if let Some(url) = self.string("endpoint_url", false) {
            builder = builder.endpoint_url(url);
        }
        if let Some(ms) = self.millis("connect_timeout_ms") {
            builder = builder.connect_timeout(ms);
        }
        if let Some(ms) = self.millis("operation_timeout_ms") {
            builder = builder.operation_timeout(ms);
        }
        if let Some(ms) = self.millis("bedrock_timeout_ms") {
            builder = builder.bedrock_timeout(ms);
        }
        if let Some(attempts) = self.integer("max_attempts") {
            builder = builder.max_attempts(u32::try_from(attempts).unwrap_or(0));
        }
        if let Some(ms) = self.millis("metadata_timeout_ms") {
            builder = builder.metadata_timeout(ms);
        }
        if let Some(attempts) = self.integer("metadata_attempts") {
            builder = builder.metadata_attempts(u32::try_from(attempts).unwrap_or(0));
        }
        match self.string("proxy", false) {
            Some(off) if off.eq_ignore_ascii_case("off") => builder = builder.without_proxy(),
            Some(url) => builder = builder.proxy(url),
            None => {}
        }
        match (
            self.integer("lockout_after"),
            self.integer("lockout_cool_down_secs"),
        ) {
            (Some(failures), Some(secs)) => {
                let secs = u64::try_from(secs).unwrap_or(0);
                builder = builder.lockout_after(
                    u32::try_from(failures).unwrap_or(0),
                    Duration::from_secs(secs),
                );
            }
            (Some(_), None) => self.missing("lockout_cool_down_secs"),
            (None, Some(_)) => self.missing("lockout_after"),
            (None, None) => {}
        }
        builder
    }

    fn millis(&mut self, key: &'static str) -> Option<Duration> {
        self.integer(key)
            .map(|ms| Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
    }

    fn assume_role(
        &mut self,
        builder: AuthBuilder<crate::mode::WantsMode>,
    ) -> Result<AuthManager, ConfigError> {
        let role_arn = self.string("role_arn", true).unwrap_or_default();
        let mut builder = builder.assume_role(role_arn);
        if let Some(id) = self.string("external_id", false) {
            builder = builder.external_id(id);
        }
        if let Some(name) = self.string("session_name", false) {
            builder = builder.session_name(name);
        }
        if let Some(secs) = self.integer("duration_secs") {
            builder = builder.duration(u64::try_from(secs).unwrap_or(0));
        }
        if let Some(serial) = self.string("mfa_serial", false) {
            match self.config.mfa.clone() {
                Some(source) => {
                    builder = builder.mfa(serial, SharedSource(source));
                }
                None => {
                    let error = ValueError::new(ValueKind::Key, "mfa_serial", Rule::NoTokenSource);
                    self.problem("mfa_serial", error);
                }
            }
        }
        match self.values.get("source").copied() {
            None => {}
            Some((_, Raw::Str(s))) if s.eq_ignore_ascii_case("auto") => {}
            Some((_, Raw::Str(s))) if s.eq_ignore_ascii_case("environment") => {
                builder = builder.source_environment();
            }
            Some((written, Raw::Table(table))) => {
                builder = self.source_table(written, table, builder);
            }
            Some((written, other)) => {
                self.wrong_type(
                    written,
                    other,
                    "\"environment\", \"auto\", { profile = \"..\" } or a key pair table",
                );
            }
        }
        builder.build()
    }

    fn source_table(
        &mut self,
        written: &str,
        table: &BTreeMap<String, Raw>,
        builder: AuthBuilder<crate::mode::AssumeRole>,
    ) -> AuthBuilder<crate::mode::AssumeRole> {
        let keys: Vec<&str> = table.keys().map(|k| canonical_key(k)).collect();
        match keys.as_slice() {
            ["profile"] => match table.values().next() {
                Some(Raw::Str(name)) => builder.source_profile(name.as_str()),
                _ => {
                    self.wrong_type(
                        &format!("{written}.profile"),
                        &Raw::Other("a non-string"),
                        "a string",
                    );
                    builder
                }
            },
            ["access_key_id", "secret_access_key"]
            | ["access_key_id", "secret_access_key", "session_token"] => {
                let value = |name: &str| {
                    table
                        .iter()
                        .find(|(k, _)| canonical_key(k) == name)
                        .map(|(_, v)| v)
                };
                let id = match value("access_key_id") {
                    Some(Raw::Str(id)) => id.clone(),
                    _ => String::new(),
                };
                let key = format!("{written}.secret_access_key");
                let secret = value("secret_access_key")
                    .and_then(|v| self.secret_value(&key, v, true))
                    .unwrap_or_else(placeholder);
                let builder = builder.source_static(id, secret);
                match value("session_token") {
                    Some(token) => {
                        let key = format!("{written}.session_token");
                        let token = self
                            .secret_value(&key, token, true)
                            .unwrap_or_else(placeholder);
                        builder.source_session_token(token)
                    }
                    None => builder,
                }
            }
            _ => {
                self.wrong_type(
                    written,
                    &Raw::Table(BTreeMap::new()),
                    "\"environment\", \"auto\", { profile = \"..\" } or { access_key_id, secret_access_key[, session_token] }",
                );
                builder
            }
        }
    }

    /// Merges the builder's problems with ours, one per key (ours win: they are more precise,
    /// e.g. "missing" rather than "empty").
    fn finish(
        mut self,
        built: Result<AuthManager, ConfigError>,
    ) -> Result<AuthManager, ConfigError> {
        match built {
            Ok(manager) if self.problems.is_empty() => Ok(manager),
            Ok(_) => Err(keys::in_table_order(self.problems)),
            Err(err) => {
                for problem in err.problems() {
                    // The builder names its methods; a config names its keys.
                    let field = keys::from_builder(problem.field());
                    let key = self.values.get(field).map_or(field, |(written, _)| written);
                    if !self.problems.iter().any(|p| p.field() == key) {
                        let problem = Problem::new(key.to_owned(), problem.error().clone());
                        self.problems.push(problem);
                    }
                }
                Err(keys::in_table_order(self.problems))
            }
        }
    }
}

/// The path of a `{ file = ".." }` secret.
fn file_of(raw: &Raw) -> Option<&Path> {
    match raw {
        Raw::Table(table) => match table.get("file") {
            Some(Raw::Str(path)) => Some(Path::new(path.as_str())),
            _ => None,
        },
        _ => None,
    }
}

/// A stand-in secret for a key whose problem is already recorded, so the builder can still
/// check the other keys. It never leaves `from_config`: a recorded problem fails the build.
fn placeholder() -> SecretString {
    SecretString::from("x")
}

/// A secret from a file: a regular file of at most 64 KiB, read into a buffer that is wiped,
/// with a warning when group or others may read it.
fn read_secret_file(os: &Os, path: &Path) -> Result<SecretString, Rule> {
    let read = read_small_file(os, path)?;
    if read.exposed() {
        tracing::warn!(
            path = %path.display(),
            mode = format!("{:o}", read.mode.unwrap_or_default() & 0o777),
            "a secret file is readable by group or others; run `chmod 600` on it"
        );
    }
    match std::str::from_utf8(&read.bytes) {
        Ok(text) => Ok(SecretString::from(text.trim_end_matches(['\n', '\r']))),
        Err(_) => Err(Rule::FileNotText),
    }
}

/// A secret or configuration file, read with care ([`SMALL_FILE_LIMIT`]); why not, as a rule.
fn read_small_file(os: &Os, path: &Path) -> Result<CarefulRead, Rule> {
    os.read_careful(path, SMALL_FILE_LIMIT)
        .map_err(|trouble| match trouble {
            FileTrouble::NotRegular(is) => Rule::NotRegularFile { is },
            FileTrouble::TooLarge(max_bytes) => Rule::FileTooLarge { max_bytes },
            FileTrouble::Missing => Rule::FileMissing,
            FileTrouble::Unreadable(err) => unreadable_rule(&err),
        })
}

/// Why a file could not be read, as the rule the error names.
pub(crate) fn unreadable_rule(err: &std::io::Error) -> Rule {
    match err.kind() {
        std::io::ErrorKind::NotFound => Rule::FileMissing,
        std::io::ErrorKind::PermissionDenied => Rule::FileDenied,
        // ELOOP has no stable `ErrorKind` yet; its message is the system's.
        _ if err.to_string().contains("symbolic links") => Rule::FileLinkLoop,
        _ => Rule::FileUnreadable,
    }
}

/// An `Arc`'d MFA provider as an MFA provider, so one config can make many managers.
struct SharedSource(Arc<dyn MfaProvider>);

impl MfaProvider for SharedSource {
    fn token_code(&self) -> crate::mfa::MfaFuture<'_> {
        self.0.token_code()
    }
}
