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

use secrecy::SecretString;
use zeroize::Zeroize;

use crate::config_keys as keys;
use crate::diagnose::{Diagnosis, Setting, check_secret_file, diagnose_in, mask, set};
use crate::error::{ConfigError, Problem, Rule, ValueError, ValueKind};
use crate::manager::AuthManager;
use crate::mfa::MfaProvider;
use crate::os::Os;
use crate::shared::Shared;

pub use crate::config_keys::ENV_VARS;

pub(crate) mod checker;
pub(crate) mod raw;

use checker::{Checker, file_of, read_small_file};
use raw::{Raw, Shown};

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
    pub(crate) mfa: Option<Arc<dyn MfaProvider>>,
    shared: Option<Shared>,
    /// The settings another config overrode ([`overridden_by`](Self::overridden_by)), by
    /// canonical key: where the winner came from and what it replaced.
    winners: BTreeMap<String, Winner>,
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
    /// ignored, and unknown `BEDROCK_AUTH_*` names are problems, as is a variable given with
    /// its `_FILE` twin ([`Rule::ValueAndFile`]), whatever their order.
    pub fn from_env_vars<I, K, V>(vars: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        let mut entries = BTreeMap::new();
        let mut set_by = BTreeMap::new();
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
            // One key, two variables (the value and its `_FILE` twin): which is meant
            // cannot be known, so neither is taken, whatever the environment's order.
            // The same name again (a list of pairs may repeat one) replaces it, as in an
            // environment.
            if let Some(other) = set_by.insert(key.name, name.to_owned())
                && other != name
            {
                value.zeroize();
                let (var, file_var) = if names_a_file {
                    (other, name.to_owned())
                } else {
                    (name.to_owned(), other)
                };
                let error = ValueError::new(ValueKind::Key, &var, Rule::ValueAndFile);
                problems.push(Problem::new(file_var, error));
                continue;
            }
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

    /// This config with each setting of `overrides` in place of its own: a setting given beside
    /// a file wins over the file's, as `--region` wins over a profile's region in the AWS CLI
    /// (the `bedrock-auth` command's `--region` and `--bedrock-timeout` beside `--config`). A
    /// key counts with its aliases (`region_override` is `region`), and a key this config
    /// gives under more than one of them is replaced whole. The result reads its
    /// secrets and variables where this config does.
    ///
    /// [`diagnose()`](Self::diagnose) shows each setting that won with the source of
    /// `overrides`, and in [`Setting::overrides`] the value it replaced and where that came
    /// from, so a reader sees which won:
    ///
    /// ```
    /// use bedrock_auth::AuthConfig;
    ///
    /// let file = AuthConfig::from_toml("mode = \"auto\"\nregion_override = \"us-west-2\"")?;
    /// let flags = AuthConfig::from_toml("region = \"eu-west-1\"")?;
    /// let config = file.overridden_by(flags);
    /// # let diagnosis = tokio::runtime::Builder::new_current_thread()
    /// #     .enable_all().build().unwrap().block_on(config.diagnose());
    /// let region = diagnosis.settings.iter().find(|s| s.key.as_deref() == Some("region"));
    /// let region = region.expect("the config sets a region");
    /// assert_eq!(region.value, "eu-west-1");
    /// assert_eq!(region.overrides.as_deref(), Some("us-west-2 from given"));
    /// # Ok::<(), bedrock_auth::ConfigError>(())
    /// ```
    pub fn overridden_by(mut self, overrides: AuthConfig) -> Self {
        let (ours, theirs) = (self.source_label(), overrides.source_label());
        for (key, raw) in overrides.entries {
            let canonical = canonical_key(&key).to_owned();
            // Every name the key is written under goes (a file may hold it under its name and
            // an alias, which alone is a problem of its own): what is shown replaced is the one
            // the file would have used, under the key's own name first.
            let written: Vec<String> = self
                .entries
                .keys()
                .filter(|written| canonical_key(written) == canonical)
                .cloned()
                .collect();
            let mut old: Vec<(String, Raw)> = written
                .into_iter()
                .filter_map(|written| {
                    let raw = self.entries.remove(&written)?;
                    Some((written, raw))
                })
                .collect();
            old.sort_by_key(|(written, _)| *written != canonical);
            let replaced = old
                .first()
                .map(|(_, old)| format!("{} from {ours}", shown_value(&canonical, old)));
            let winner = Winner {
                source: theirs.clone(),
                replaced,
            };
            self.winners.insert(canonical, winner);
            self.entries.insert(key, raw);
        }
        self
    }

    /// Where this config's settings come from, as `diagnose()` names it.
    fn source_label(&self) -> String {
        match self.origin.as_deref() {
            Some("environment") => "environment (BEDROCK_AUTH_*)".to_owned(),
            Some(path) => format!("config {path}"),
            None => "given".to_owned(),
        }
    }

    /// [`diagnose()`](crate::diagnose::diagnose()) in the world this config reads, plus its secret files
    /// (`{ file = .. }`): a warning for each that is not a regular file, is too large, cannot be
    /// read, or is readable by group or others. Sends nothing; shows no secret.
    ///
    /// Its [`settings`](Diagnosis::settings) show this config's values where they decide (a
    /// config's region wins over `AWS_REGION`), with the config as their source: `config
    /// PATH`, `environment` for [`from_env`](Self::from_env), `given` for text or serde.
    pub async fn diagnose(&self) -> Diagnosis {
        let profile = match self
            .entries
            .iter()
            .find(|(key, _)| canonical_key(key) == "profile")
        {
            Some((_, Raw::Str(name))) => Some(name.as_str()),
            _ => None,
        };
        let mut diagnosis = diagnose_in(&self.os, profile).await;
        for path in self.secret_files() {
            check_secret_file(&self.os, path, &mut diagnosis.warnings);
        }
        let source = self.source_label();
        for (key, raw) in &self.entries {
            let Some(known) = keys::find(key) else {
                continue;
            };
            let (key, name) = (known.name, known.label);
            let winner = self.winners.get(key);
            let setting = match winner {
                Some(winner) => Setting::new(name, shown_value(key, raw), &winner.source),
                None => Setting::new(name, shown_value(key, raw), &source),
            };
            let replaced = winner.and_then(|winner| winner.replaced.as_deref());
            set(&mut diagnosis.settings, setting.of_key(key).over(replaced));
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

    /// Every file this config names for a value, whether or not its mode reads it: each
    /// `{ file = ".." }` (secrets, the session policy) and the source's
    /// `web_identity_token_file`. Nothing is read here: this is for a caller that must know
    /// what a configuration depends on, e.g. to key a cache of its credentials on those files'
    /// contents (the shared AWS files, which the SDK reads, are not listed).
    ///
    /// ```
    /// use bedrock_auth::AuthConfig;
    ///
    /// let config = AuthConfig::from_toml(r#"
    ///     mode = "assume_role"
    ///     role_arn = "arn:aws:iam::123456789012:role/BedrockAccessRole"
    ///     session_policy = { file = "/etc/app/policy.json" }
    ///     source = { web_identity_token_file = "/var/run/token" }
    /// "#)?;
    /// let files = config.named_files();
    /// assert!(files.iter().any(|f| f.ends_with("policy.json")));
    /// assert!(files.iter().any(|f| f.ends_with("token")));
    /// # Ok::<(), bedrock_auth::ConfigError>(())
    /// ```
    pub fn named_files(&self) -> Vec<&Path> {
        let mut files = Vec::new();
        for raw in self.entries.values() {
            files.extend(file_of(raw));
            // One level down: the source's table (its secrets, its token file).
            let Raw::Table(table) = raw else { continue };
            for (key, value) in table {
                files.extend(file_of(value));
                if let (Raw::Str(path), "web_identity_token_file") = (value, canonical_key(key)) {
                    files.push(Path::new(path.as_str()));
                }
            }
        }
        files
    }

    /// Every environment variable this config names for a value (`{ env = "VAR" }`, at any
    /// depth: a secret, a key of the source's table), whether or not its mode reads it, each
    /// once. Nothing is read here: as [`named_files`](Self::named_files), for a caller that
    /// must know what a configuration depends on, e.g. to key a cache of its credentials on
    /// these variables' values (the `AWS_*` variables, which the SDK reads, are not listed).
    ///
    /// ```
    /// use bedrock_auth::AuthConfig;
    ///
    /// let config = AuthConfig::from_toml(r#"
    ///     mode = "assume_role"
    ///     role_arn = "arn:aws:iam::123456789012:role/BedrockAccessRole"
    ///     external_id = { env = "APP_EXTERNAL_ID" }
    ///     source = { access_key_id = "AKIAIOSFODNN7EXAMPLE", secret_access_key = { env = "APP_SECRET" } }
    /// "#)?;
    /// assert_eq!(config.named_variables(), ["APP_EXTERNAL_ID", "APP_SECRET"]);
    /// # Ok::<(), bedrock_auth::ConfigError>(())
    /// ```
    pub fn named_variables(&self) -> Vec<&str> {
        fn named<'a>(raw: &'a Raw, names: &mut Vec<&'a str>) {
            match raw {
                Raw::Table(table) => {
                    if let Some(Raw::Str(name)) = table.get("env") {
                        names.push(name);
                    }
                    table.values().for_each(|value| named(value, names));
                }
                Raw::List(items) => items.iter().for_each(|item| named(item, names)),
                Raw::Str(_) | Raw::Int(_) | Raw::Bool(_) | Raw::Secret(_) | Raw::Other(_) => {}
            }
        }
        let mut names = Vec::new();
        self.entries.values().for_each(|raw| named(raw, &mut names));
        names.sort_unstable();
        names.dedup();
        names
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

/// A setting that won over another config's ([`AuthConfig::overridden_by`]).
#[derive(Debug, Clone)]
struct Winner {
    /// Where it came from, as `diagnose()` names it.
    source: String,
    /// The value it replaced, as `diagnose()` shows it, and where that came from.
    replaced: Option<String>,
}

/// A value as `diagnose()` shows it: masked where it is a key id, never a secret.
fn shown_value(key: &str, raw: &Raw) -> String {
    match raw {
        // A value kept confidential (the external id), by its declaration.
        Raw::Str(_) if keys::find(key).is_some_and(|k| k.shown == keys::Shown::Never) => {
            "********".to_owned()
        }
        Raw::Str(text) => mask(key, text),
        Raw::Int(n) => n.to_string(),
        Raw::Bool(b) => b.to_string(),
        Raw::Secret(_) => "********".to_owned(),
        Raw::Table(table) if key == "session_tags" => {
            let tags = table
                .iter()
                .map(|(k, v)| format!("{k}={}", shown_value(k, v)));
            tags.collect::<Vec<_>>().join(", ")
        }
        Raw::List(items) => {
            let items = items.iter().map(|item| shown_value(key, item));
            items.collect::<Vec<_>>().join(", ")
        }
        Raw::Table(table) => {
            let text = |name: &str| match table.get(name) {
                Some(Raw::Str(text)) => Some(text.as_str()),
                _ => None,
            };
            if let Some(var) = text("env") {
                format!("from variable {var}")
            } else if let Some(path) = text("file") {
                format!("from file {path}")
            } else if let Some(profile) = text("profile") {
                format!("profile {profile}")
            } else if let Some(path) = text("web_identity_token_file") {
                format!("web identity token file {path}")
            } else {
                "a key pair".to_owned()
            }
        }
        Raw::Other(kind) => format!("<{kind}>"),
    }
}

fn is_secret_key(key: &str) -> bool {
    keys::is_secret(key)
}

pub(crate) fn canonical_key(key: &str) -> &str {
    keys::canonical(key)
}
