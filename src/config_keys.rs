//! Every key of a configuration, once: its name, the names of the systems this crate replaces
//! that are taken for it, the `BEDROCK_AUTH_*` variables that set it, how `diagnose()` names it,
//! which modes take it, whether it is a secret, and what the builder calls it. Parsing, the
//! mode check, [`AuthConfig::from_env`](crate::AuthConfig::from_env), `diagnose()` and the
//! messages of `from_config` all read this table; [`ENV_VARS`] is checked
//! against it.

use crate::error::{ConfigError, Problem};
use crate::mode_kind::ModeKind;

/// The environment variables [`AuthConfig::from_env`](crate::AuthConfig::from_env) reads, and
/// the key each sets (checked against the table of keys by a test).
///
/// `BEDROCK_AUTH_SOURCE` takes `environment`, `auto` or `profile:NAME`; the `_FILE` variants
/// name a file that holds the value (a secret, a session policy). The lists take commas:
/// `BEDROCK_AUTH_SESSION_TAGS=tenant=acme,plan=pro`, `BEDROCK_AUTH_POLICY_ARNS=arn:..,arn:..`.
pub const ENV_VARS: [(&str, &str); 35] = [
    ("BEDROCK_AUTH_MODE", "mode"),
    ("BEDROCK_AUTH_REGION", "region"),
    ("BEDROCK_AUTH_ENDPOINT_URL", "endpoint_url"),
    ("BEDROCK_AUTH_CONNECT_TIMEOUT_MS", "connect_timeout_ms"),
    ("BEDROCK_AUTH_OPERATION_TIMEOUT_MS", "operation_timeout_ms"),
    ("BEDROCK_AUTH_BEDROCK_TIMEOUT_MS", "bedrock_timeout_ms"),
    ("BEDROCK_AUTH_MAX_ATTEMPTS", "max_attempts"),
    ("BEDROCK_AUTH_METADATA_TIMEOUT_MS", "metadata_timeout_ms"),
    ("BEDROCK_AUTH_METADATA_ATTEMPTS", "metadata_attempts"),
    ("BEDROCK_AUTH_LOCKOUT_AFTER", "lockout_after"),
    (
        "BEDROCK_AUTH_LOCKOUT_COOL_DOWN_SECS",
        "lockout_cool_down_secs",
    ),
    ("BEDROCK_AUTH_PROXY", "proxy"),
    ("BEDROCK_AUTH_CA_BUNDLE", "ca_bundle"),
    ("BEDROCK_AUTH_USE_FIPS_ENDPOINT", "use_fips_endpoint"),
    (
        "BEDROCK_AUTH_USE_DUALSTACK_ENDPOINT",
        "use_dualstack_endpoint",
    ),
    ("BEDROCK_AUTH_PROFILE", "profile"),
    ("BEDROCK_AUTH_ACCESS_KEY_ID", "access_key_id"),
    ("BEDROCK_AUTH_SECRET_ACCESS_KEY", "secret_access_key"),
    ("BEDROCK_AUTH_SECRET_ACCESS_KEY_FILE", "secret_access_key"),
    ("BEDROCK_AUTH_SESSION_TOKEN", "session_token"),
    ("BEDROCK_AUTH_SESSION_TOKEN_FILE", "session_token"),
    ("BEDROCK_AUTH_ROLE_ARN", "role_arn"),
    ("BEDROCK_AUTH_EXTERNAL_ID", "external_id"),
    ("BEDROCK_AUTH_SESSION_NAME", "session_name"),
    ("BEDROCK_AUTH_DURATION_SECS", "duration_secs"),
    ("BEDROCK_AUTH_MFA_SERIAL", "mfa_serial"),
    ("BEDROCK_AUTH_SESSION_TAGS", "session_tags"),
    ("BEDROCK_AUTH_TRANSITIVE_TAG_KEYS", "transitive_tag_keys"),
    ("BEDROCK_AUTH_SESSION_POLICY", "session_policy"),
    ("BEDROCK_AUTH_SESSION_POLICY_FILE", "session_policy"),
    ("BEDROCK_AUTH_POLICY_ARNS", "policy_arns"),
    ("BEDROCK_AUTH_SOURCE_IDENTITY", "source_identity"),
    ("BEDROCK_AUTH_SOURCE", "source"),
    ("BEDROCK_AUTH_API_KEY", "api_key"),
    ("BEDROCK_AUTH_API_KEY_FILE", "api_key"),
];

/// One key of a configuration.
#[derive(Debug)]
pub(crate) struct Key {
    /// The key as written in a file: `region`, `duration_secs`.
    pub(crate) name: &'static str,
    /// Other names taken for it (boto3's, older configs').
    pub(crate) aliases: &'static [&'static str],
    /// The variable that sets it, if any.
    pub(crate) var: Option<&'static str>,
    /// Whether `<var>_FILE` names a file that holds it (secrets).
    pub(crate) file_var: bool,
    /// How `diagnose()` names it.
    pub(crate) label: &'static str,
    /// The mode that takes it; `None`: every mode.
    pub(crate) mode: Option<ModeKind>,
    /// Whether its value is a secret: a literal is wrapped at once, and `{ env = .. }` /
    /// `{ file = .. }` are taken.
    pub(crate) secret: bool,
    /// The builder's name for it, when it is not the key's (its problems name the builder's).
    pub(crate) builder: Option<&'static str>,
    /// Whether `AuthConfig`'s `Debug` shows its value.
    pub(crate) shown: Shown,
}

/// Whether a key's value is shown by `AuthConfig`'s `Debug`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shown {
    /// Always: it never holds a secret.
    Always,
    /// Only when it passes its check: a secret put in it by mistake would not (an access key
    /// id, an endpoint URL).
    IfValid,
    /// Never: a secret, or a value kept as confidential (the external id).
    Never,
}

/// A key that every mode takes, set by `var`.
const fn common(name: &'static str, var: &'static str, label: &'static str) -> Key {
    Key {
        name,
        aliases: &[],
        var: Some(var),
        file_var: false,
        label,
        mode: None,
        secret: false,
        builder: None,
        shown: Shown::Always,
    }
}

/// A key of `mode` only, set by `var`.
const fn of(mode: ModeKind, name: &'static str, var: &'static str, label: &'static str) -> Key {
    Key {
        mode: Some(mode),
        ..common(name, var, label)
    }
}

impl Key {
    const fn aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }

    /// A secret, which `<var>_FILE` may name a file for; never shown.
    const fn secret(mut self) -> Self {
        self.secret = true;
        self.file_var = true;
        self.shown = Shown::Never;
        self
    }

    const fn shown(mut self, shown: Shown) -> Self {
        self.shown = shown;
        self
    }

    /// A value (not a secret) that `<var>_FILE` may name a file for.
    const fn file_var(mut self) -> Self {
        self.file_var = true;
        self
    }

    const fn builder(mut self, name: &'static str) -> Self {
        self.builder = Some(name);
        self
    }
}

/// Every key, in the order `diagnose()` and the docs list them.
pub(crate) const KEYS: [Key; 31] = [
    common("mode", "BEDROCK_AUTH_MODE", "mode"),
    common("region", "BEDROCK_AUTH_REGION", "region").aliases(&["region_override"]),
    common("endpoint_url", "BEDROCK_AUTH_ENDPOINT_URL", "endpoint").shown(Shown::IfValid),
    common(
        "connect_timeout_ms",
        "BEDROCK_AUTH_CONNECT_TIMEOUT_MS",
        "connect timeout (ms)",
    )
    .builder("connect_timeout"),
    common(
        "operation_timeout_ms",
        "BEDROCK_AUTH_OPERATION_TIMEOUT_MS",
        "operation timeout (ms)",
    )
    .builder("operation_timeout"),
    common(
        "bedrock_timeout_ms",
        "BEDROCK_AUTH_BEDROCK_TIMEOUT_MS",
        "Bedrock timeout (ms)",
    )
    .builder("bedrock_timeout"),
    common("max_attempts", "BEDROCK_AUTH_MAX_ATTEMPTS", "max attempts"),
    common(
        "metadata_timeout_ms",
        "BEDROCK_AUTH_METADATA_TIMEOUT_MS",
        "metadata timeout",
    )
    .builder("metadata_timeout"),
    common(
        "metadata_attempts",
        "BEDROCK_AUTH_METADATA_ATTEMPTS",
        "metadata attempts",
    ),
    common(
        "lockout_after",
        "BEDROCK_AUTH_LOCKOUT_AFTER",
        "lockout after",
    ),
    common(
        "lockout_cool_down_secs",
        "BEDROCK_AUTH_LOCKOUT_COOL_DOWN_SECS",
        "lockout cool-down (s)",
    )
    .builder("lockout_cool_down"),
    common("proxy", "BEDROCK_AUTH_PROXY", "proxy"),
    common("ca_bundle", "BEDROCK_AUTH_CA_BUNDLE", "CA bundle"),
    common(
        "use_fips_endpoint",
        "BEDROCK_AUTH_USE_FIPS_ENDPOINT",
        "FIPS endpoints",
    )
    .builder("use_fips"),
    common(
        "use_dualstack_endpoint",
        "BEDROCK_AUTH_USE_DUALSTACK_ENDPOINT",
        "dual-stack endpoints",
    )
    .builder("use_dual_stack"),
    of(
        ModeKind::Profile,
        "profile",
        "BEDROCK_AUTH_PROFILE",
        "profile",
    )
    .aliases(&["profile_name"]),
    of(
        ModeKind::Static,
        "access_key_id",
        "BEDROCK_AUTH_ACCESS_KEY_ID",
        "access key id",
    )
    .aliases(&["access_key"])
    .shown(Shown::IfValid),
    of(
        ModeKind::Static,
        "secret_access_key",
        "BEDROCK_AUTH_SECRET_ACCESS_KEY",
        "secret access key",
    )
    .aliases(&["secret_key"])
    .secret(),
    of(
        ModeKind::Static,
        "session_token",
        "BEDROCK_AUTH_SESSION_TOKEN",
        "session token",
    )
    .secret(),
    of(
        ModeKind::AssumeRole,
        "role_arn",
        "BEDROCK_AUTH_ROLE_ARN",
        "role",
    ),
    of(
        ModeKind::AssumeRole,
        "external_id",
        "BEDROCK_AUTH_EXTERNAL_ID",
        "external id",
    )
    .shown(Shown::Never),
    of(
        ModeKind::AssumeRole,
        "session_name",
        "BEDROCK_AUTH_SESSION_NAME",
        "session name",
    )
    .aliases(&["role_session_name"]),
    of(
        ModeKind::AssumeRole,
        "duration_secs",
        "BEDROCK_AUTH_DURATION_SECS",
        "session duration (s)",
    )
    .aliases(&["assume_role_duration"]),
    of(
        ModeKind::AssumeRole,
        "mfa_serial",
        "BEDROCK_AUTH_MFA_SERIAL",
        "MFA device",
    ),
    of(
        ModeKind::AssumeRole,
        "session_tags",
        "BEDROCK_AUTH_SESSION_TAGS",
        "session tags",
    ),
    of(
        ModeKind::AssumeRole,
        "transitive_tag_keys",
        "BEDROCK_AUTH_TRANSITIVE_TAG_KEYS",
        "transitive tag keys",
    ),
    of(
        ModeKind::AssumeRole,
        "session_policy",
        "BEDROCK_AUTH_SESSION_POLICY",
        "session policy",
    )
    .file_var(),
    of(
        ModeKind::AssumeRole,
        "policy_arns",
        "BEDROCK_AUTH_POLICY_ARNS",
        "policy ARNs",
    ),
    of(
        ModeKind::AssumeRole,
        "source_identity",
        "BEDROCK_AUTH_SOURCE_IDENTITY",
        "source identity",
    ),
    of(
        ModeKind::AssumeRole,
        "source",
        "BEDROCK_AUTH_SOURCE",
        "role source",
    ),
    of(
        ModeKind::ApiKey,
        "api_key",
        "BEDROCK_AUTH_API_KEY",
        "Bedrock API key",
    )
    .secret(),
];

/// The key of this name or alias.
pub(crate) fn find(written: &str) -> Option<&'static Key> {
    KEYS.iter()
        .find(|key| key.name == written || key.aliases.contains(&written))
}

/// The key's name for `written` (itself when it is no alias).
pub(crate) fn canonical(written: &str) -> &str {
    find(written).map_or(written, |key| key.name)
}

/// Whether the key (or alias) holds a secret.
pub(crate) fn is_secret(written: &str) -> bool {
    find(written).is_some_and(|key| key.secret)
}

/// Whether `mode` takes the key.
pub(crate) fn taken_by(key: &Key, mode: ModeKind) -> bool {
    key.mode.is_none_or(|owner| owner == mode)
}

/// The key a `BEDROCK_AUTH_*` variable sets, and whether it names a file that holds it.
pub(crate) fn of_var(var: &str) -> Option<(&'static Key, bool)> {
    KEYS.iter().find_map(|key| {
        let name = key.var?;
        if var == name {
            Some((key, false))
        } else {
            let file = var.strip_suffix("_FILE")?;
            (key.file_var && file == name).then_some((key, true))
        }
    })
}

/// Every variable, and the key it sets, in table order.
#[cfg(test)]
pub(crate) fn vars() -> impl Iterator<Item = (String, &'static str)> {
    KEYS.iter().flat_map(|key| {
        let var = key.var.map(|var| (var.to_owned(), key.name));
        let file = key
            .var
            .filter(|_| key.file_var)
            .map(|var| (format!("{var}_FILE"), key.name));
        var.into_iter().chain(file)
    })
}

/// A configuration's problems in the order of the table (the order of the docs), whatever
/// order the checks found them in; unknown keys, and problems of no key, last.
pub(crate) fn in_table_order(mut problems: Vec<Problem>) -> ConfigError {
    let place = |problem: &Problem| {
        let key = problem.field().split('.').next().unwrap_or_default();
        let key = canonical(key);
        KEYS.iter()
            .position(|known| known.name == key)
            .unwrap_or(KEYS.len())
    };
    problems.sort_by_key(place);
    ConfigError::new(problems)
}

/// The `BEDROCK_AUTH_*_FILE` variables that name a file holding a secret (not those of a
/// session policy, which others may read).
pub(crate) fn file_vars() -> impl Iterator<Item = String> {
    KEYS.iter()
        .filter(|key| key.file_var && key.secret)
        .filter_map(|key| Some(format!("{}_FILE", key.var?)))
}

/// The configuration key for a field the builder names (`connect_timeout`), or the field.
pub(crate) fn from_builder(field: &str) -> &str {
    KEYS.iter()
        .find(|key| key.builder == Some(field))
        .map_or(field, |key| key.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_vars_is_the_table_s() {
        let vars: Vec<(String, &str)> = vars().collect();
        let listed: Vec<(String, &str)> = ENV_VARS
            .iter()
            .map(|(var, key)| ((*var).to_owned(), *key))
            .collect();
        assert_eq!(listed, vars);
    }

    #[test]
    fn every_name_is_one_key() {
        let mut names: Vec<&str> = KEYS
            .iter()
            .flat_map(|key| std::iter::once(key.name).chain(key.aliases.iter().copied()))
            .collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "a name or alias given twice");
    }

    #[test]
    fn variables_set_their_key() {
        assert_eq!(
            of_var("BEDROCK_AUTH_REGION").map(|(k, f)| (k.name, f)),
            Some(("region", false))
        );
        assert_eq!(
            of_var("BEDROCK_AUTH_API_KEY_FILE").map(|(k, f)| (k.name, f)),
            Some(("api_key", true))
        );
        assert!(of_var("BEDROCK_AUTH_REGION_FILE").is_none());
        assert_eq!(canonical("role_session_name"), "session_name");
        assert_eq!(from_builder("lockout_cool_down"), "lockout_cool_down_secs");
    }
}
