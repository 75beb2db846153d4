//! Every key of a configuration, declared once, a file per concern: its name, the names of the
//! systems this crate replaces that are taken for it, the `BEDROCK_AUTH_*` variables that set
//! it, how `diagnose()` names it, which modes take it, whether it is a secret, what the builder
//! calls it, and how it is applied to the builder ([`Apply`]). Parsing, the mode check,
//! [`AuthConfig::from_env`](crate::AuthConfig::from_env), [`ENV_VARS`], `AuthConfig`'s `Debug`,
//! `diagnose()` and the messages of `from_config` all read this table.
//!
//! A new setting is a row in the file of its concern (`timeouts.rs` for a timeout), its builder
//! method, and the code that uses it; `tests/it/settings.rs` walks the table through a file, the
//! variables, the command's flags, `doctor` and the manual.

use std::time::Duration;

use crate::builder::AuthBuilder;
use crate::error::{ConfigError, Problem};
use crate::mode_kind::ModeKind;
use crate::modes::WantsMode;

mod api_key;
mod assume_role;
mod connections;
mod endpoints;
mod lockout;
mod mode;
mod profile;
mod static_credentials;
mod timeouts;

/// The keys, by concern, in the order `diagnose()`, problems and the docs list them: first those
/// every mode takes, then each mode's own.
const GROUPS: [&[Key]; 9] = [
    mode::KEYS,
    endpoints::KEYS,
    timeouts::KEYS,
    lockout::KEYS,
    connections::KEYS,
    profile::KEYS,
    static_credentials::KEYS,
    assume_role::KEYS,
    api_key::KEYS,
];

/// Every key, in table order.
pub(crate) fn all() -> impl Iterator<Item = &'static Key> {
    GROUPS.iter().flat_map(|group| group.iter())
}

/// How many variables the keys have (their own and their `_FILE` ones).
const VAR_COUNT: usize = {
    let (mut count, mut group) = (0, 0);
    while group < GROUPS.len() {
        let mut at = 0;
        while at < GROUPS[group].len() {
            let key = &GROUPS[group][at];
            count += key.var.is_some() as usize + key.file_var.is_some() as usize;
            at += 1;
        }
        group += 1;
    }
    count
};

/// The environment variables [`AuthConfig::from_env`](crate::AuthConfig::from_env) reads, and
/// the key each sets, in the order of the keys (made from their declaration).
///
/// `BEDROCK_AUTH_SOURCE` takes `environment`, `auto` or `profile:NAME`; the `_FILE` variants
/// name a file that holds the value (a secret, a session policy). The lists take commas:
/// `BEDROCK_AUTH_SESSION_TAGS=tenant=acme,plan=pro`, `BEDROCK_AUTH_POLICY_ARNS=arn:..,arn:..`.
pub const ENV_VARS: [(&str, &str); VAR_COUNT] = {
    let mut vars = [("", ""); VAR_COUNT];
    let (mut next, mut group) = (0, 0);
    while group < GROUPS.len() {
        let mut at = 0;
        while at < GROUPS[group].len() {
            let key = &GROUPS[group][at];
            if let Some(var) = key.var {
                vars[next] = (var, key.name);
                next += 1;
            }
            if let Some(var) = key.file_var {
                vars[next] = (var, key.name);
                next += 1;
            }
            at += 1;
        }
        group += 1;
    }
    vars
};

/// One key of a configuration.
#[derive(Debug)]
pub(crate) struct Key {
    /// The key as written in a file: `region`, `duration_secs`.
    pub(crate) name: &'static str,
    /// Other names taken for it (boto3's, older configs').
    pub(crate) aliases: &'static [&'static str],
    /// The variable that sets it, if any.
    pub(crate) var: Option<&'static str>,
    /// The variable that names a file holding it (`BEDROCK_AUTH_API_KEY_FILE`), if any.
    pub(crate) file_var: Option<&'static str>,
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
    /// How its value is read and given to the builder.
    pub(crate) apply: Apply,
}

/// The builder before a mode is chosen, which takes every setting all modes share.
pub(crate) type Common = AuthBuilder<WantsMode>;

/// How a key's value is read and applied to the builder. The checker reads the value in the
/// form the variant names (and records a problem when it is of another), then calls the
/// builder's method, which checks it as it checks a program's.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Apply {
    /// A string.
    Text(fn(Common, String) -> Common),
    /// Whole milliseconds (an integer, or a string of digits).
    Millis(fn(Common, Duration) -> Common),
    /// A count (an integer, or a string of digits).
    Count(fn(Common, u32) -> Common),
    /// `true` or `false` (a boolean, or the string in any case).
    Switch(fn(Common, bool) -> Common),
    /// `lockout_after` and `lockout_cool_down_secs`: both or neither, to one method.
    Lockout,
    /// Read by its mode's check, which chooses the mode's builder (and `mode`, which chooses
    /// the mode).
    ByMode,
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
        file_var: None,
        label,
        mode: None,
        secret: false,
        builder: None,
        shown: Shown::Always,
        apply: Apply::ByMode,
    }
}

/// A key of `mode` only, set by `var`, read by the mode's check.
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

    /// A secret, which `file_var` may name a file for; never shown.
    const fn secret(mut self, file_var: &'static str) -> Self {
        self.secret = true;
        self.file_var = Some(file_var);
        self.shown = Shown::Never;
        self
    }

    const fn shown(mut self, shown: Shown) -> Self {
        self.shown = shown;
        self
    }

    /// A value (not a secret) that `file_var` may name a file for.
    const fn file_var(mut self, file_var: &'static str) -> Self {
        self.file_var = Some(file_var);
        self
    }

    const fn builder(mut self, name: &'static str) -> Self {
        self.builder = Some(name);
        self
    }

    const fn apply(mut self, apply: Apply) -> Self {
        self.apply = apply;
        self
    }
}

/// The key of this name or alias.
pub(crate) fn find(written: &str) -> Option<&'static Key> {
    all().find(|key| key.name == written || key.aliases.contains(&written))
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
    all().find_map(|key| {
        if key.var == Some(var) {
            Some((key, false))
        } else {
            (key.file_var == Some(var)).then_some((key, true))
        }
    })
}

/// A configuration's problems in the order of the table (the order of the docs), whatever
/// order the checks found them in; unknown keys, and problems of no key, last.
pub(crate) fn in_table_order(mut problems: Vec<Problem>) -> ConfigError {
    let place = |problem: &Problem| {
        let key = problem.field().split('.').next().unwrap_or_default();
        let key = canonical(key);
        all()
            .position(|known| known.name == key)
            .unwrap_or(usize::MAX)
    };
    problems.sort_by_key(place);
    ConfigError::new(problems)
}

/// The `BEDROCK_AUTH_*_FILE` variables that name a file holding a secret (not those of a
/// session policy, which others may read).
pub(crate) fn file_vars() -> impl Iterator<Item = &'static str> {
    all()
        .filter(|key| key.secret)
        .filter_map(|key| key.file_var)
}

/// The configuration key for a field the builder names (`connect_timeout`), or the field.
pub(crate) fn from_builder(field: &str) -> &str {
    all()
        .find(|key| key.builder == Some(field))
        .map_or(field, |key| key.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `_FILE` variable is its key's variable and `_FILE`, and only a secret's or a
    /// session policy's (a file others may read holds no secret).
    #[test]
    fn file_variables_follow_their_key_s_variable() {
        for key in all() {
            if let Some(file_var) = key.file_var {
                assert_eq!(
                    Some(file_var),
                    key.var.map(|v| format!("{v}_FILE")).as_deref()
                );
                assert!(key.secret || key.name == "session_policy", "{}", key.name);
            }
        }
        assert_eq!(ENV_VARS.len(), VAR_COUNT);
        assert!(
            ENV_VARS
                .iter()
                .all(|(var, key)| !var.is_empty() && !key.is_empty())
        );
    }

    /// Every key every mode takes is applied by its row (none is left to a list elsewhere),
    /// and each row's method changes the builder's settings; a mode's keys are its check's.
    #[test]
    fn every_shared_key_is_applied_by_its_row() {
        let before = format!("{:?}", Common::new().settings);
        for key in all() {
            let builder = Common::new();
            let after = match (key.mode, key.apply) {
                (_, Apply::ByMode) => {
                    assert!(key.mode.is_some() || key.name == "mode", "{}", key.name);
                    continue;
                }
                (Some(_), _) => panic!("{} is a mode's key with a shared apply", key.name),
                (None, Apply::Lockout) => {
                    assert!(key.name.starts_with("lockout_"), "{}", key.name);
                    continue;
                }
                (None, Apply::Text(set)) => {
                    let sample = match key.name {
                        "region" => "eu-west-3",
                        "proxy" => "http://127.0.0.1:9",
                        "ca_bundle" => "/etc/ca.pem",
                        _ => "https://gateway.example.test",
                    };
                    set(builder, sample.to_owned())
                }
                (None, Apply::Millis(set)) => set(builder, Duration::from_millis(1234)),
                (None, Apply::Count(set)) => set(builder, 2),
                (None, Apply::Switch(set)) => set(builder, true),
            };
            assert!(
                after.problems.is_empty(),
                "{}: {:?}",
                key.name,
                after.problems
            );
            assert_ne!(
                format!("{:?}", after.settings),
                before,
                "{} applied nothing",
                key.name
            );
        }
    }

    #[test]
    fn every_name_is_one_key() {
        let mut names: Vec<&str> = all()
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
