//! [`diagnose()`]: what this process's AWS environment looks like, without network calls and
//! without showing a secret.

use std::collections::BTreeMap;

use aws_config::profile::ProfileSet;
use std::fmt;
use std::path::{Path, PathBuf};

use std::time::SystemTime;

use crate::api_key::{ApiKeyInfo, ApiKeyKind};
use crate::config_keys;
use crate::os::Os;
use crate::printable::printable;
use crate::secret::looks_like_secret;
use crate::sources::shared_file_paths;
use crate::time::rfc3339;

mod files;
mod settings;
mod sign_in;

pub(crate) use files::check_secret_file;
use files::file_report;
use settings::{api_key_report, expiration_warning, metadata_report, settings_of};

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

/// Text of the report as it is shown: words shaped like a secret hidden (a path or a variable
/// name may be the secret itself, pasted where a name belongs), control characters escaped, by
/// the [`printable`] rule. Every line of the report goes through it, whoever added the line.
fn shown(text: &str) -> String {
    printable(text).into_owned()
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
    diagnose_in(&Os::default(), None).await
}

/// [`diagnose()`] in the world `os` (the process's, or a test sandbox's).
/// `profile`: the profile a configuration names, in place of `AWS_PROFILE`'s.
pub(crate) async fn diagnose_in(os: &Os, profile: Option<&str>) -> Diagnosis {
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
        if let Some(path) = os.var(var) {
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
    let mut settings = settings_of(
        os,
        config.as_ref(),
        profile,
        [&config_file, &credentials_file],
    );
    let chosen = profile.or(config.as_ref().map(ProfileSet::selected_profile));
    if let Some((config, name)) = config.as_ref().zip(chosen) {
        sign_in::sign_in_settings(os, config, name, &mut settings, &mut warnings);
    }
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
