//! [`diagnose()`]: what this process's AWS environment looks like, without network calls and
//! without showing a secret.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use std::time::SystemTime;

use aws_config::profile::ProfileSet;
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};

use crate::api_key::{ApiKeyInfo, ApiKeyKind};
use crate::config_keys;
use crate::metadata;
use crate::mode::BEARER_TOKEN_VAR;
use crate::os::{CarefulRead, FileTrouble, Os, SHARED_FILE_LIMIT, SMALL_FILE_LIMIT};
use crate::printable::printable;
use crate::secret::looks_like_secret;
use crate::sources::shared_file_paths;
use crate::time::rfc3339;

/// Variables whose values are secrets: shown as `********` only.
fn is_secret_var(name: &str) -> bool {
    name.contains("SECRET") || name.contains("TOKEN") || name.contains("PASSWORD")
}

/// A value as [`diagnose()`] shows it: in full, except secrets and tokens (`********`, also
/// for a value shaped like a secret, whatever its variable), access key ids (their first four
/// characters, `AKIA…`) and the password of a URL.
pub fn mask(name: &str, value: &str) -> String {
    if is_secret_var(name) || looks_like_secret(value.trim()) {
        return "********".to_owned();
    }
    let id_shaped = value.len() >= 16
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && (value.starts_with("AKIA") || value.starts_with("ASIA"));
    if name.ends_with("KEY_ID") || id_shaped {
        let shown: String = value.chars().take(4).collect();
        return format!("{shown}…");
    }
    // `scheme://user:password@host`: the user info goes.
    if let Some((scheme, rest)) = value.split_once("://")
        && let Some((_, host)) = rest.split_once('@')
    {
        return format!("{scheme}://****@{host}");
    }
    value.to_owned()
}

/// `text` with each word shaped like a secret (between spaces, `=`, quotes and brackets; a path
/// is one word, as a secret may hold `/`) replaced by
/// `********`: a path or a variable name may be the secret itself, pasted where a name belongs.
fn hide_secret_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if looks_like_secret(word) {
            out.push_str("********");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() || matches!(c, '=' | '`' | '\'' | '"' | '(' | ')' | ',' | ':') {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Text of the report as it is shown: words shaped like a secret hidden, control characters
/// escaped. Every line of the report goes through it, whoever added the line.
fn shown(text: &str) -> String {
    printable(&hide_secret_words(text)).into_owned()
}

/// One setting that decides authentication: its value as [`mask`] shows it, and where it
/// came from (`variable AWS_REGION`, `profile dev`, `config auth.toml`, `default`, ...).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Setting {
    /// What it is: `region`, `profile`, `endpoint`, `metadata timeout`, ...
    pub name: String,
    /// Its value, masked where it is a secret or a key id.
    pub value: String,
    /// Where it came from.
    pub source: String,
    /// The configuration key that set it (`region`, `duration_secs`), for the settings of a
    /// config ([`AuthConfig::diagnose`](crate::AuthConfig::diagnose)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// What this setting won over, when it replaced another's value: that value (masked) and
    /// its source, `us-west-2 from config auth.toml`
    /// ([`AuthConfig::overridden_by`](crate::AuthConfig::overridden_by)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overrides: Option<String>,
}

impl Setting {
    /// Every setting is made here, so what is shown of one is decided once: a value or a word
    /// of its source shaped like a secret (a secret put in the wrong field, a file or variable
    /// named after one) is `********`, and control characters are escaped.
    pub(crate) fn new(
        name: impl Into<String>,
        value: impl Into<String>,
        source: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            value: shown(&value.into()),
            source: shown(&source.into()),
            key: None,
            overrides: None,
        }
    }

    /// The setting, as the configuration key `key` set it.
    pub(crate) fn of_key(mut self, key: &str) -> Self {
        self.key = Some(key.to_owned());
        self
    }

    /// The setting, having won over `replaced` (a value and its source, already masked).
    pub(crate) fn over(mut self, replaced: Option<&str>) -> Self {
        self.overrides = replaced.map(shown);
        self
    }
}

/// Puts `setting` in `settings`, in place of one of the same name (which it overrides).
pub(crate) fn set(settings: &mut Vec<Setting>, setting: Setting) {
    match settings.iter_mut().find(|s| s.name == setting.name) {
        Some(old) => *old = setting,
        None => settings.push(setting),
    }
}

/// Where the process seems to run, told from local signs only.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionEnvironment {
    /// AWS Lambda (`AWS_LAMBDA_FUNCTION_NAME`).
    Lambda,
    /// Amazon ECS (a task metadata or container credentials variable).
    Ecs,
    /// EKS with IAM roles for service accounts (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`).
    EksWebIdentity,
    /// EKS Pod Identity (the pod identity agent's credentials URI).
    EksPodIdentity,
    /// Amazon EC2, from the machine's DMI vendor or asset tag.
    Ec2,
    /// None of these.
    None,
}

impl ExecutionEnvironment {
    /// `lambda`, `ecs`, `eks_web_identity`, `eks_pod_identity`, `ec2` or `none`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Lambda => "lambda",
            Self::Ecs => "ecs",
            Self::EksWebIdentity => "eks_web_identity",
            Self::EksPodIdentity => "eks_pod_identity",
            Self::Ec2 => "ec2",
            Self::None => "none",
        }
    }
}

impl fmt::Display for ExecutionEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

serialize_as_display!(ExecutionEnvironment);

/// A shared config or credentials file as [`diagnose()`] found it.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The path, after `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE` and `~`.
    pub path: PathBuf,
    /// Whether it exists.
    pub exists: bool,
    /// The profiles it defines, sorted.
    pub profiles: Vec<String>,
}

/// What [`diagnose()`] found: printable as text (`Display`) and as JSON ([`to_json`](Self::to_json)).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// The `AWS_*` variables that are set, with masked values, sorted by name.
    pub variables: Vec<(String, String)>,
    /// The shared config file.
    pub config_file: FileReport,
    /// The shared credentials file.
    pub credentials_file: FileReport,
    /// Where the process seems to run.
    pub environment: ExecutionEnvironment,
    /// The Bedrock API key in `AWS_BEARER_TOKEN_BEDROCK`, as it describes itself (never its
    /// bytes), if one is set and readable.
    pub api_key: Option<ApiKeyInfo>,
    /// Problems worth fixing, each a sentence.
    pub warnings: Vec<String>,
    /// How long instance metadata is waited for (auto mode, a role sourced from the default
    /// chain), and where that comes from.
    pub instance_metadata: String,
    /// Each setting that decides authentication, with its value and where it came from, as
    /// `aws configure list` shows them, but all of them.
    pub settings: Vec<Setting>,
    /// When the diagnosis was made: what "expired" is judged against.
    pub made_at: SystemTime,
}

/// Looks at the `AWS_*` variables, the shared config and credentials files and the execution
/// environment. Sends nothing; shows no secret.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let diagnosis = bedrock_auth::diagnose::diagnose().await;
/// println!("{diagnosis}");
/// println!("{}", diagnosis.to_json());
/// # }
/// ```
pub async fn diagnose() -> Diagnosis {
    diagnose_in(&Os::default()).await
}

/// [`diagnose()`] in the world `os` (the process's, or a test sandbox's).
pub(crate) async fn diagnose_in(os: &Os) -> Diagnosis {
    let env = &os.env;
    let mut variables: Vec<(String, String)> = os
        .vars()
        .into_iter()
        .filter_map(|(name, value)| {
            let name = name.into_string().ok()?;
            name.starts_with("AWS_").then(|| {
                let masked = mask(&name, &value.to_string_lossy());
                (name, masked)
            })
        })
        .collect();
    variables.sort();

    let mut warnings = Vec::new();
    let [(_, config_path), (_, credentials_path)] = shared_file_paths(os);
    let (config_file, config) = file_report(os, config_path.into(), true, &mut warnings).await;
    let (credentials_file, _) =
        file_report(os, credentials_path.into(), false, &mut warnings).await;
    let instance_metadata = metadata_report(os, config.as_ref(), &mut warnings);
    // Secret files named by the config-as-code variables.
    for var in config_keys::file_vars() {
        if let Some(path) = os.var(&var) {
            check_secret_file(os, Path::new(&path), &mut warnings);
        }
    }
    let has_keys = variables.iter().any(|(n, _)| n == "AWS_ACCESS_KEY_ID");
    let has_secret = variables.iter().any(|(n, _)| n == "AWS_SECRET_ACCESS_KEY");
    if has_keys != has_secret {
        warnings.push(
            "only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set; set both or neither"
                .to_owned(),
        );
    }
    if let Some(value) = os.var(crate::sources::ENVIRONMENT_EXPIRATION_VAR) {
        expiration_warning(os, &value, &mut warnings);
    }
    if let Ok(profile) = env.get("AWS_PROFILE") {
        let known =
            config_file.profiles.contains(&profile) || credentials_file.profiles.contains(&profile);
        if !known {
            warnings.push(format!(
                "AWS_PROFILE names `{profile}`, which neither shared file defines"
            ));
        }
    }
    let api_key = api_key_report(os, &mut warnings);
    let settings = settings_of(os, config.as_ref(), &config_file, &credentials_file);
    Diagnosis {
        settings,
        variables,
        config_file,
        credentials_file,
        environment: execution_environment(os, Path::new("/sys/devices/virtual/dmi/id")),
        api_key,
        warnings,
        instance_metadata,
        made_at: os.now(),
    }
}

/// The settings this world gives: its variables, the selected profile, the defaults.
fn settings_of(
    os: &Os,
    config: Option<&ProfileSet>,
    config_file: &FileReport,
    credentials_file: &FileReport,
) -> Vec<Setting> {
    let mut settings = Vec::new();
    let var = |name: &str| {
        os.var(name)
            .map(|value| (mask(name, &value), format!("variable {name}")))
    };
    let selected = os.var("AWS_PROFILE");
    let profile_name = selected.clone().unwrap_or_else(|| "default".to_owned());
    let from_profile = |key: &str| {
        config
            .and_then(|set| set.get(key))
            .map(|value| (mask(key, value), format!("profile {profile_name}")))
    };
    fn add(
        settings: &mut Vec<Setting>,
        name: &str,
        found: Option<(String, String)>,
        otherwise: (&str, &str),
    ) {
        let (value, source) =
            found.unwrap_or_else(|| (otherwise.0.to_owned(), otherwise.1.to_owned()));
        settings.push(Setting::new(name, value, source));
    }
    add(
        &mut settings,
        "region",
        var("AWS_REGION")
            .or_else(|| var("AWS_DEFAULT_REGION"))
            .or_else(|| from_profile("region")),
        ("(none)", "not set: give a region"),
    );
    add(
        &mut settings,
        "profile",
        var("AWS_PROFILE"),
        ("default", "default"),
    );
    add(
        &mut settings,
        "config file",
        var("AWS_CONFIG_FILE").map(|(_, source)| (config_file.path.display().to_string(), source)),
        (&config_file.path.display().to_string(), "default"),
    );
    add(
        &mut settings,
        "credentials file",
        var("AWS_SHARED_CREDENTIALS_FILE")
            .map(|(_, source)| (credentials_file.path.display().to_string(), source)),
        (&credentials_file.path.display().to_string(), "default"),
    );
    add(
        &mut settings,
        "endpoint",
        var("AWS_ENDPOINT_URL").or_else(|| from_profile("endpoint_url")),
        ("(each service's own)", "default"),
    );
    for (name, variable) in [
        ("endpoint for STS", "AWS_ENDPOINT_URL_STS"),
        (
            "endpoint for Bedrock Runtime",
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
        ),
        (
            "configured endpoints ignored",
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        ),
        ("metadata endpoint", "AWS_EC2_METADATA_SERVICE_ENDPOINT"),
    ] {
        if let Some(found) = var(variable) {
            settings.push(Setting::new(name, found.0, found.1));
        }
    }
    add(
        &mut settings,
        "instance metadata",
        var("AWS_EC2_METADATA_DISABLED").map(|(value, source)| {
            let state = if value.trim().eq_ignore_ascii_case("true") {
                "off"
            } else {
                "on"
            };
            (state.to_owned(), source)
        }),
        ("on", "default"),
    );
    add(
        &mut settings,
        "metadata timeout",
        var(metadata::TIMEOUT_VAR).or_else(|| from_profile(metadata::PROFILE_KEYS[0])),
        ("1s per attempt (aws-config's)", "default"),
    );
    add(
        &mut settings,
        "metadata attempts",
        var(metadata::ATTEMPTS_VAR).or_else(|| from_profile(metadata::PROFILE_KEYS[1])),
        ("up to 4 (aws-config's)", "default"),
    );
    match crate::proxy::proxy_config(os, &crate::proxy::ProxyChoice::FromEnvironment) {
        Ok(route) if route.in_use.is_empty() => {
            settings.push(Setting::new("proxy", "none", "default"));
        }
        Ok(route) => {
            for proxy in route.in_use {
                settings.push(Setting::new(
                    proxy.name,
                    mask("proxy", &proxy.url),
                    proxy.source,
                ));
            }
        }
        Err(problem) => settings.push(Setting::new("proxy", "invalid", problem)),
    }
    if let Some(rules) = os.var("NO_PROXY").or_else(|| os.var("no_proxy")) {
        settings.push(Setting::new("no proxy for", rules, "variable NO_PROXY"));
    }
    for (name, variable) in [
        ("access key id", "AWS_ACCESS_KEY_ID"),
        ("secret access key", "AWS_SECRET_ACCESS_KEY"),
        ("session token", "AWS_SESSION_TOKEN"),
        ("Bedrock API key", BEARER_TOKEN_VAR),
    ] {
        if let Some(found) = var(variable) {
            settings.push(Setting::new(name, found.0, found.1));
        }
    }
    settings
}

/// Warns about an `AWS_CREDENTIAL_EXPIRATION` that environment mode would refuse: one that
/// cannot be read (its value is not shown: it may be a secret pasted into the wrong variable),
/// or one that has passed.
fn expiration_warning(os: &Os, value: &str, warnings: &mut Vec<String>) {
    let var = crate::sources::ENVIRONMENT_EXPIRATION_VAR;
    match crate::time::parse_rfc3339(value) {
        None => warnings.push(format!(
            "{var} is not an RFC 3339 date and time (`2026-12-02T13:00:00Z`): environment mode \
             refuses the credentials"
        )),
        Some(at) if at <= os.now() => warnings.push(format!(
            "{var} says the environment's credentials expired at {}: get new ones",
            crate::time::rfc3339(at)
        )),
        Some(_) => {}
    }
}

/// What the key in `AWS_BEARER_TOKEN_BEDROCK` is, with warnings: it overrides auto mode's
/// credentials for Bedrock, and a short-term key may be malformed or expired.
fn api_key_report(os: &Os, warnings: &mut Vec<String>) -> Option<ApiKeyInfo> {
    let mut key = os
        .env
        .get(BEARER_TOKEN_VAR)
        .ok()
        .filter(|k| !k.trim().is_empty())?;
    warnings.push(format!(
        "{BEARER_TOKEN_VAR} is set: in auto mode, Bedrock calls use this API key instead of the \
         default chain's credentials (the explicit modes ignore it)"
    ));
    let parsed = ApiKeyInfo::parse(key.trim());
    zeroize::Zeroize::zeroize(&mut key);
    // The route of a bearer key: plain HTTP through a proxy not on this machine is refused.
    let choice = crate::proxy::ProxyChoice::FromEnvironment;
    if let Some(clear) = crate::proxy::clear_bearer_route(os, &choice, None) {
        warnings.push(format!(
            "{} is plain http:// and its requests go through the proxy {}, which is not on this \
             machine: Bedrock calls with the API key are refused (use https://, or NO_PROXY for \
             that host)",
            clear.source, clear.proxy
        ));
    }
    match parsed {
        Ok(info) => {
            if let Err(err) = info.check_not_expired(os.now()) {
                warnings.push(format!("{BEARER_TOKEN_VAR}: {}", err.message()));
            }
            Some(info)
        }
        Err(err) => {
            warnings.push(format!("{BEARER_TOKEN_VAR}: {}", err.message()));
            None
        }
    }
}

/// Warns about a secret file that group or others may read, or that is not a regular file (a
/// manager refuses it).
pub(crate) fn check_secret_file(os: &Os, path: &Path, warnings: &mut Vec<String>) {
    let warning = match os.read_careful(path, SMALL_FILE_LIMIT) {
        Ok(read) => exposure_warning(path, &read),
        Err(FileTrouble::NotRegular(is)) => Some(format!(
            "the secret file {} is {is}, not a regular file: it is refused",
            path.display()
        )),
        Err(FileTrouble::TooLarge(max)) => Some(format!(
            "the secret file {} is larger than {} KiB: it is refused",
            path.display(),
            max / 1024
        )),
        Err(FileTrouble::Missing | FileTrouble::Unreadable(_)) => {
            Some(format!("the secret file {} cannot be read", path.display()))
        }
    };
    // A file named twice (by a variable and by a config) is one warning.
    if let Some(warning) = warning.filter(|w| !warnings.contains(w)) {
        warnings.push(warning);
    }
}

/// `chmod 600`, as ssh asks of a private key.
fn exposure_warning(path: &Path, read: &CarefulRead) -> Option<String> {
    read.exposed().then(|| {
        format!(
            "{} is readable by group or others (mode {:o}); run `chmod 600` on it",
            path.display(),
            read.mode.unwrap_or_default() & 0o777
        )
    })
}

/// How long instance metadata is waited for, in words, as a manager of the default chain
/// would wait given this world's variables and selected profile.
fn metadata_report(os: &Os, config: Option<&ProfileSet>, warnings: &mut Vec<String>) -> String {
    if os
        .var("AWS_EC2_METADATA_DISABLED")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        return "off (AWS_EC2_METADATA_DISABLED=true)".to_owned();
    }
    let env_timeout = os.var(metadata::TIMEOUT_VAR);
    let env_attempts = os.var(metadata::ATTEMPTS_VAR);
    let [profile_timeout, profile_attempts] =
        metadata::PROFILE_KEYS.map(|key| config.and_then(|set| set.get(key)));
    let said = metadata::Said {
        env_timeout: env_timeout.as_deref(),
        env_attempts: env_attempts.as_deref(),
        profile_timeout,
        profile_attempts,
        ..metadata::Said::default()
    };
    match said.resolve() {
        Ok(Some(resolved)) => resolved.to_string(),
        Ok(None) => format!(
            "aws-config's own (1s per attempt, up to 4 attempts); off EC2, {}=0.1 and {}=1 \
             give up on it in 100 ms, AWS_EC2_METADATA_DISABLED=true at once",
            metadata::TIMEOUT_VAR,
            metadata::ATTEMPTS_VAR
        ),
        Err(problem) => {
            warnings.push(format!("instance metadata: {problem}"));
            format!("invalid: {problem}")
        }
    }
}

async fn file_report(
    os: &Os,
    path: PathBuf,
    config: bool,
    warnings: &mut Vec<String>,
) -> (FileReport, Option<ProfileSet>) {
    // Read once, with care: whether it exists, and what it holds.
    let contents = match os.read_careful(&path, SHARED_FILE_LIMIT) {
        Ok(read) => {
            // The credentials file holds keys; the config file rarely does.
            if !config && let Some(warning) = exposure_warning(&path, &read) {
                warnings.push(warning);
            }
            Some(read.bytes)
        }
        Err(FileTrouble::NotRegular(is)) => {
            warnings.push(format!("{} is {is}, not a regular file", path.display()));
            None
        }
        Err(FileTrouble::TooLarge(max)) => {
            warnings.push(format!(
                "{} is larger than {} MiB",
                path.display(),
                max / (1024 * 1024)
            ));
            None
        }
        Err(FileTrouble::Missing | FileTrouble::Unreadable(_)) => None,
    };
    let exists = contents.is_some();
    let mut parsed = None;
    let profiles = match contents {
        Some(contents) => {
            let kind = if config {
                EnvConfigFileKind::Config
            } else {
                EnvConfigFileKind::Credentials
            };
            let files = EnvConfigFiles::builder()
                .with_contents(kind, String::from_utf8_lossy(&contents))
                .build();
            match aws_config::profile::load(&os.fs, &os.env, &files, None).await {
                Ok(set) => {
                    let mut names: Vec<String> = set.profiles().map(str::to_owned).collect();
                    names.sort();
                    parsed = Some(set);
                    names
                }
                Err(err) => {
                    warnings.push(format!("{} cannot be parsed: {err}", path.display()));
                    Vec::new()
                }
            }
        }
        None => Vec::new(),
    };
    let report = FileReport {
        path,
        exists,
        profiles,
    };
    (report, parsed)
}

/// Tells the platform from variables, and EC2 from the DMI files under `dmi` (no network).
fn execution_environment(os: &Os, dmi: &Path) -> ExecutionEnvironment {
    let env = &os.env;
    let set = |var: &str| env.get(var).is_ok_and(|v| !v.is_empty());
    if set("AWS_LAMBDA_FUNCTION_NAME") {
        return ExecutionEnvironment::Lambda;
    }
    if env
        .get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .is_ok_and(|uri| uri.contains("169.254.170.23") || uri.contains("[fd00:ec2::23]"))
    {
        return ExecutionEnvironment::EksPodIdentity;
    }
    if set("AWS_WEB_IDENTITY_TOKEN_FILE") && set("AWS_ROLE_ARN") {
        return ExecutionEnvironment::EksWebIdentity;
    }
    if set("ECS_CONTAINER_METADATA_URI_V4")
        || set("ECS_CONTAINER_METADATA_URI")
        || set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    {
        return ExecutionEnvironment::Ecs;
    }
    let read = |name: &str| {
        let bytes = os.read_file(&dmi.join(name)).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    if read("sys_vendor").trim() == "Amazon EC2" || read("board_asset_tag").trim().starts_with("i-")
    {
        return ExecutionEnvironment::Ec2;
    }
    ExecutionEnvironment::None
}

impl Diagnosis {
    /// The report as JSON (its [`Serialize`](serde::Serialize) form): `variables` (name to
    /// masked value), `config_file` and `credentials_file` (`path`, `exists`, `profiles`),
    /// `environment`, `api_key` (what the key says about itself, and whether it has `expired`),
    /// `warnings`, `made_at`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

impl serde::Serialize for FileReport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("FileReport", 3)?;
        // A path that is not UTF-8 is still shown (lossily) rather than failing the report.
        out.serialize_field("path", &shown(&self.path.display().to_string()))?;
        out.serialize_field("exists", &self.exists)?;
        let profiles: Vec<String> = self.profiles.iter().map(|p| shown(p)).collect();
        out.serialize_field("profiles", &profiles)?;
        out.end()
    }
}

impl serde::Serialize for Diagnosis {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;

        /// The key as it describes itself, and whether it had expired when diagnosed.
        #[derive(serde::Serialize)]
        struct Key<'a> {
            #[serde(flatten)]
            info: &'a ApiKeyInfo,
            expired: bool,
        }

        let variables: BTreeMap<String, String> = self
            .variables
            .iter()
            .map(|(name, value)| (shown(name), shown(value)))
            .collect();
        let warnings: Vec<String> = self.warnings.iter().map(|w| shown(w)).collect();
        let api_key = self.api_key.as_ref().map(|info| Key {
            info,
            expired: info.is_expired(self.made_at),
        });
        let mut out = serializer.serialize_struct("Diagnosis", 9)?;
        out.serialize_field("variables", &variables)?;
        out.serialize_field("config_file", &self.config_file)?;
        out.serialize_field("credentials_file", &self.credentials_file)?;
        out.serialize_field("environment", &self.environment)?;
        out.serialize_field("api_key", &api_key)?;
        out.serialize_field("warnings", &warnings)?;
        out.serialize_field("instance_metadata", &self.instance_metadata)?;
        out.serialize_field("settings", &self.settings)?;
        out.serialize_field("made_at", &rfc3339(self.made_at))?;
        out.end()
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .settings
            .iter()
            .map(|s| s.name.len())
            .max()
            .unwrap_or(0);
        let value_width = self
            .settings
            .iter()
            .map(|s| s.value.chars().count())
            .max()
            .unwrap_or(0);
        writeln!(f, "{:width$}  {:value_width$}  source", "setting", "value")?;
        for setting in &self.settings {
            write!(
                f,
                "{:width$}  {:value_width$}  {}",
                setting.name, setting.value, setting.source
            )?;
            match &setting.overrides {
                Some(replaced) => writeln!(f, ", over {replaced}")?,
                None => writeln!(f)?,
            }
        }
        writeln!(f)?;
        writeln!(f, "environment:      {}", self.environment)?;
        writeln!(f, "instance metadata: {}", self.instance_metadata)?;
        if self.variables.is_empty() {
            writeln!(f, "AWS variables:    none")?;
        } else {
            writeln!(f, "AWS variables:")?;
            for (name, value) in &self.variables {
                writeln!(f, "  {}={}", shown(name), shown(value))?;
            }
        }
        for (label, file) in [
            ("config file:", &self.config_file),
            ("credentials file:", &self.credentials_file),
        ] {
            let state = if !file.exists {
                "missing".to_owned()
            } else if file.profiles.is_empty() {
                "no profiles".to_owned()
            } else {
                format!("profiles: {}", file.profiles.join(", "))
            };
            let path = file.path.display().to_string();
            writeln!(f, "{label:<18}{} ({})", shown(&path), shown(&state))?;
        }
        if let Some(key) = &self.api_key {
            let state = if key.is_expired(self.made_at) {
                "expired"
            } else {
                "not expired"
            };
            match key.kind {
                ApiKeyKind::ShortTerm => writeln!(f, "bedrock API key:  {key} ({state})")?,
                _ => writeln!(f, "bedrock API key:  {key}")?,
            }
        }
        for warning in &self.warnings {
            writeln!(f, "warning: {}", shown(warning))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_types::os_shim_internal::Env;

    #[test]
    fn masks_secrets_and_key_ids_only() {
        assert_eq!(mask("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"), "AKIA…");
        assert_eq!(mask("AWS_REGION", "us-east-1"), "us-east-1");
        assert_eq!(mask("AWS_EC2_METADATA_DISABLED", "true"), "true");
        assert_eq!(mask("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI"), "********");
        assert_eq!(mask("AWS_SESSION_TOKEN", "FwoGZXIv"), "********");
        assert_eq!(mask("AWS_PROFILE", "dev"), "dev");
        // Fail closed: a secret or a key id in a variable of another name, a URL's password.
        assert_eq!(
            mask("AWS_PROFILE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            "********"
        );
        assert_eq!(mask("AWS_DEFAULT_REGION", "ASIAIOSFODNN7EXAMPLE"), "ASIA…");
        assert_eq!(
            mask("AWS_ENDPOINT_URL", "https://user:hunter2@proxy:8443"),
            "https://****@proxy:8443"
        );
    }

    #[test]
    fn platforms_are_told_from_variables() {
        let cases: [(&[(&str, &str)], ExecutionEnvironment); 5] = [
            (
                &[("AWS_LAMBDA_FUNCTION_NAME", "f")],
                ExecutionEnvironment::Lambda,
            ),
            (
                &[("ECS_CONTAINER_METADATA_URI_V4", "http://169.254.170.2/v4")],
                ExecutionEnvironment::Ecs,
            ),
            (
                &[
                    ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"),
                    ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r"),
                ],
                ExecutionEnvironment::EksWebIdentity,
            ),
            (
                &[(
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                    "http://169.254.170.23/v1/credentials",
                )],
                ExecutionEnvironment::EksPodIdentity,
            ),
            (&[], ExecutionEnvironment::None),
        ];
        let nowhere = Path::new("/nonexistent-dmi");
        for (vars, expected) in cases {
            assert_eq!(
                execution_environment(
                    &Os {
                        env: Env::from_slice(vars),
                        ..Os::default()
                    },
                    nowhere
                ),
                expected,
                "{vars:?}"
            );
        }
    }
}
