//! The [`Checker`]: walks a configuration, collects every problem, and drives the very builder
//! a program would write; reads secrets from their variables and files.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use zeroize::Zeroize;

use super::AuthConfig;
use super::raw::{Raw, looks_like_secret_not_path, variable_name};
use crate::config_keys::{self as keys, Apply, Common};
use crate::error::{AuthError, ConfigError, ErrorKind, Problem, Rule, ValueError, ValueKind};
use crate::manager::AuthManager;
use crate::mfa::MfaProvider;
use crate::mode_kind::ModeKind;
use crate::modes::Remake;
use crate::os::{CarefulRead, FileTrouble, Os, SMALL_FILE_LIMIT};

/// Walks a config, collecting problems, and drives the builder.
pub(crate) struct Checker<'a> {
    pub(crate) config: &'a AuthConfig,
    // Canonical key -> (key as written, value).
    pub(crate) values: BTreeMap<&'static str, (&'a str, &'a Raw)>,
    problems: Vec<Problem>,
}

/// The problems of a configuration read from `BEDROCK_AUTH_*` variables, each named by the
/// variable that was set (`BEDROCK_AUTH_REGION`, `BEDROCK_AUTH_API_KEY_FILE`), not by its key:
/// the variable is what the person set.
fn as_variables(err: ConfigError, values: &BTreeMap<&str, (&str, &Raw)>) -> ConfigError {
    let problems = err.problems().iter().map(|problem| {
        let (key, rest) = problem
            .field()
            .split_once('.')
            .map_or((problem.field(), ""), |(key, rest)| (key, rest));
        let Some(declared) = keys::find(key) else {
            return problem.clone();
        };
        let from_a_file =
            matches!(values.get(declared.name), Some((_, Raw::Table(t))) if t.contains_key("file"));
        let var = match (from_a_file, declared.file_var, declared.var) {
            (true, Some(file_var), _) => file_var,
            (_, _, Some(var)) => var,
            _ => return problem.clone(),
        };
        let field = if rest.is_empty() {
            var.to_owned()
        } else {
            format!("{var}.{rest}")
        };
        Problem::new(field, problem.error().clone())
    });
    ConfigError::new(problems.collect())
}

/// The problem of a config that names no mode a file can choose.
fn missing_mode() -> ConfigError {
    let error = ValueError::new(ValueKind::Mode, "", Rule::Missing);
    ConfigError::new(vec![Problem::new("mode".to_owned(), error)])
}

impl<'a> Checker<'a> {
    pub(crate) fn new(config: &'a AuthConfig) -> Self {
        Self {
            config,
            values: BTreeMap::new(),
            problems: Vec::new(),
        }
    }

    pub(crate) fn problem(&mut self, key: &str, error: ValueError) {
        self.problems.push(Problem::new(key.to_owned(), error));
    }

    pub(crate) fn run(mut self) -> Result<AuthManager, ConfigError> {
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
            // `mode()` recorded why there is none, so this is an error; were it not, the
            // missing mode still is one (never a manager of a mode nobody chose).
            return self.finish(built).and_then(|_| Err(missing_mode()));
        };
        // Each mode's keys are checked by its own part, `src/modes/<mode>/config.rs`.
        let builder = self.common(AuthManager::builder());
        let built = match mode {
            ModeKind::Profile => self.profile_mode(builder),
            ModeKind::Environment => builder.environment().build(),
            ModeKind::Auto => builder.auto().build(),
            // `mode()` never answers Custom: a file cannot hold a credential source.
            ModeKind::Custom => Err(missing_mode()),
            ModeKind::Static => self.static_mode(builder),
            ModeKind::AssumeRole => self.assume_role(builder),
            ModeKind::ApiKey => self.api_key_mode(builder),
        };
        self.finish(built)
    }

    /// The mode, from `mode` and its aliases; `IAM_ROLE` with a `role_arn` means assume role.
    fn mode(&mut self) -> Option<ModeKind> {
        let written = self.config.entries.get("mode");
        let name = match written {
            // The name as written goes into an error: the secret-shape check must see what was
            // written, not a lowercased copy of it.
            Some(Raw::Str(name)) => name.clone(),
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
        let mode = match name.to_ascii_lowercase().as_str() {
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

    pub(crate) fn wrong_type(&mut self, key: &str, value: &Raw, expected: &'static str) {
        let found = match value {
            Raw::Str(_) | Raw::Secret(_) => "a string",
            Raw::Int(_) => "an integer",
            Raw::Bool(_) => "a boolean",
            Raw::Table(_) => "a table",
            Raw::List(_) => "an array",
            Raw::Other(kind) => kind,
        };
        let error = ValueError::new(ValueKind::Key, key, Rule::WrongType { expected, found });
        self.problem(key, error);
    }

    pub(crate) fn missing(&mut self, key: &'static str) {
        let error = ValueError::new(ValueKind::Key, key, Rule::Missing);
        self.problem(key, error);
    }

    /// A string value; `None` (with a problem recorded if required or mistyped) otherwise.
    pub(crate) fn string(&mut self, key: &'static str, required: bool) -> Option<String> {
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
    pub(crate) fn integer(&mut self, key: &'static str) -> Option<i64> {
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

    /// A boolean, also from the string `true` or `false` in any case (environment variables
    /// are strings, and aws-config reads its own so); anything else is a problem.
    pub(crate) fn boolean(&mut self, key: &'static str) -> Option<bool> {
        match self.values.get(key).copied() {
            Some((_, Raw::Bool(b))) => Some(*b),
            Some((written, Raw::Str(s))) => match crate::endpoints::parse_bool(s) {
                Some(b) => Some(b),
                None => {
                    self.wrong_type(written, &Raw::Str(String::new()), "true or false");
                    None
                }
            },
            Some((written, other)) => {
                self.wrong_type(written, other, "true or false");
                None
            }
            None => None,
        }
    }

    /// A secret: a literal (with a warning), `{ env = "VAR" }` or `{ file = "path" }`.
    pub(crate) fn secret(&mut self, key: &'static str, required: bool) -> Option<SecretString> {
        let Some((written, value)) = self.values.get(key).copied() else {
            if required {
                self.missing(key);
            }
            return None;
        };
        let origin = self.config.origin.as_deref();
        self.secret_value(written, value, origin != Some("environment"))
    }

    pub(crate) fn secret_value(
        &mut self,
        key: &str,
        value: &Raw,
        warn_literal: bool,
    ) -> Option<SecretString> {
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

    /// The settings every mode shares, each applied as its row of the keys' table says.
    fn common(&mut self, mut builder: Common) -> Common {
        builder.settings.os = self.config.os.clone();
        builder.remake = Some(remake(self.config));
        if let Some(shared) = &self.config.shared {
            builder = builder.shared(shared);
        }
        for key in keys::all() {
            builder = match key.apply {
                Apply::Text(set) => match self.string(key.name, false) {
                    Some(text) => set(builder, text),
                    None => builder,
                },
                Apply::Millis(set) => match self.millis(key.name) {
                    Some(timeout) => set(builder, timeout),
                    None => builder,
                },
                Apply::Count(set) => match self.unsigned(key.name) {
                    Some(count) => set(builder, count),
                    None => builder,
                },
                Apply::Switch(set) => match self.boolean(key.name) {
                    Some(on) => set(builder, on),
                    None => builder,
                },
                Apply::Lockout | Apply::ByMode => builder,
            };
        }
        self.lockout(builder)
    }

    /// `lockout_after` and `lockout_cool_down_secs`: both, or neither.
    fn lockout(&mut self, mut builder: Common) -> Common {
        let given = |key| self.values.contains_key(key);
        let (after_given, cool_given) = (given("lockout_after"), given("lockout_cool_down_secs"));
        let pair = (
            self.unsigned("lockout_after"),
            self.unsigned::<u64>("lockout_cool_down_secs"),
        );
        if let (Some(failures), Some(secs)) = pair {
            builder = builder.lockout_after(failures, Duration::from_secs(secs));
        }
        // Only the key that is not there is missing: one given with a wrong value has its
        // problem already.
        match (after_given, cool_given) {
            (true, false) => self.needed_with("lockout_cool_down_secs", "lockout_after"),
            (false, true) => self.needed_with("lockout_after", "lockout_cool_down_secs"),
            _ => {}
        }
        builder
    }

    pub(crate) fn millis(&mut self, key: &'static str) -> Option<Duration> {
        self.unsigned(key).map(Duration::from_millis)
    }

    /// An integer that fits `T` (a count, milliseconds, seconds); a negative one, or one too
    /// large, is a problem that says so (never quoted as another number).
    pub(crate) fn unsigned<T: TryFrom<i64>>(&mut self, key: &'static str) -> Option<T> {
        let number = self.integer(key)?;
        if let Ok(fits) = T::try_from(number) {
            return Some(fits);
        }
        let written = self.values.get(key).map_or(key, |(written, _)| written);
        let found = if number < 0 {
            "a negative number"
        } else {
            "a number that large"
        };
        let rule = Rule::WrongType {
            expected: "a whole number of 0 or more, in range",
            found,
        };
        self.problem(written, ValueError::new(ValueKind::Key, written, rule));
        None
    }

    /// `key` is missing, and `with` (the other of its pair) is given: both, or neither.
    fn needed_with(&mut self, key: &'static str, with: &'static str) {
        let error = ValueError::new(ValueKind::Key, key, Rule::NeededWith { key: with });
        self.problem(key, error);
    }

    /// Merges the builder's problems with ours, one per key (ours win: they are more precise,
    /// e.g. "missing" rather than "empty").
    fn finish(
        mut self,
        built: Result<AuthManager, ConfigError>,
    ) -> Result<AuthManager, ConfigError> {
        let from_variables = self.config.origin.as_deref() == Some("environment");
        let named = |problems: Vec<Problem>, values: &BTreeMap<&str, (&str, &Raw)>| {
            let sorted = keys::in_table_order(problems);
            if from_variables {
                as_variables(sorted, values)
            } else {
                sorted
            }
        };
        match built {
            Ok(manager) if self.problems.is_empty() => Ok(manager),
            Ok(_) => Err(named(self.problems, &self.values)),
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
                Err(named(self.problems, &self.values))
            }
        }
    }
}

/// How a manager made from `config` makes its mode again: from the same configuration, its
/// secret files and variables read anew.
fn remake(config: &AuthConfig) -> Remake {
    let files = config.secret_files().into_iter().map(Path::to_path_buf);
    let config = config.clone();
    Remake {
        files: files.collect(),
        mode: std::sync::Arc::new(move || {
            let manager = AuthManager::from_config(&config).map_err(|err| {
                AuthError::new(
                    ErrorKind::InvalidConfig,
                    format!("the configuration, read again, is no longer valid: {err}"),
                    "fix the secret files and variables it names",
                )
            })?;
            Ok(manager.mode_config().clone())
        }),
    }
}

/// The path of a `{ file = ".." }` secret.
pub(crate) fn file_of(raw: &Raw) -> Option<&Path> {
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
pub(crate) fn placeholder() -> SecretString {
    SecretString::from("x")
}

/// A secret from a file: a regular file of at most 64 KiB, read into a buffer that is wiped,
/// with a warning when group or others may read it.
pub(crate) fn read_secret_file(os: &Os, path: &Path) -> Result<SecretString, Rule> {
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
pub(crate) fn read_small_file(os: &Os, path: &Path) -> Result<CarefulRead, Rule> {
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
pub(crate) struct SharedSource(pub(crate) Arc<dyn MfaProvider>);

impl MfaProvider for SharedSource {
    fn token_code(&self) -> crate::mfa::MfaFuture<'_> {
        self.0.token_code()
    }
}
