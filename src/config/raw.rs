//! A configuration as read, before checking: each value a [`Raw`], read through serde from any
//! self-describing format, literal secrets wrapped as they are read.

use std::collections::BTreeMap;
use std::fmt;

use secrecy::SecretString;
use zeroize::Zeroize;

use super::{AuthConfig, canonical_key, is_secret_key};
use crate::config_keys::Shown as Show;
use crate::error::Rule;
use crate::secret::looks_like_secret;

/// A value as read, before checking.
#[derive(Clone)]
pub(crate) enum Raw {
    Str(String),
    Int(i64),
    Bool(bool),
    /// A literal secret, wrapped as soon as it was read.
    Secret(SecretString),
    /// `{ env = "VAR" }` / `{ file = "path" }` for a secret, or a `source` table.
    Table(BTreeMap<String, Raw>),
    /// An array (`policy_arns`, `transitive_tag_keys`).
    List(Vec<Raw>),
    /// Any other type (bool, float, ...), by name.
    Other(&'static str),
}

impl fmt::Debug for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Str(s) => write!(f, "{s:?}"),
            Self::Int(i) => write!(f, "{i}"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Secret(_) => f.write_str("[REDACTED]"),
            Self::Table(t) => f
                .debug_map()
                .entries(t.iter().map(|(k, v)| (k, Shown(k, v))))
                .finish(),
            Self::List(items) => f.debug_list().entries(items).finish(),
            Self::Other(kind) => write!(f, "<{kind}>"),
        }
    }
}

/// A value as `AuthConfig`'s `Debug` shows it, as each key's declaration says
/// (`config_keys::KEYS`, `shown`): the values of keys that never hold a secret; of those that
/// may hold one by mistake (an access key id, an endpoint URL, a variable name) only when they
/// pass their check. Everything else is `[REDACTED]`: the secrets, the external id, and any
/// key this crate does not know (a misspelled `secret_acess_key` holds a secret).
pub(crate) struct Shown<'a>(pub(super) &'a str, pub(super) &'a Raw);

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Shown(key, value) = *self;
        let name = canonical_key(key);
        // Inside a table: a secret's source (`{ env = .. }`, `{ file = .. }`).
        let declared = match name {
            "file" => Some(Show::Always),
            "env" => Some(Show::IfValid),
            _ => crate::config_keys::find(name).map(|declared| declared.shown),
        };
        let shown = match (declared, value) {
            (Some(Show::Never) | None, _) => false,
            (_, Raw::Int(_) | Raw::Bool(_) | Raw::Other(_) | Raw::Table(_)) => true,
            (Some(Show::Always), _) => true,
            (Some(Show::IfValid), Raw::Str(text)) => match name {
                "access_key_id" => text.parse::<crate::values::AccessKeyId>().is_ok(),
                "endpoint_url" => text.parse::<crate::values::EndpointUrl>().is_ok(),
                _ => variable_name(text).is_ok(),
            },
            (Some(Show::IfValid), _) => false,
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
pub(crate) fn looks_like_secret_not_path(path: &str) -> bool {
    !path.starts_with(['/', '.', '~']) && looks_like_secret(path)
}

/// Checks that `name` can be an environment variable's name, and does not have the shape of a
/// secret put where the name of its variable belongs (`{ env = "<the secret>" }`).
pub(crate) fn variable_name(name: &str) -> Result<(), Rule> {
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
/// [`AuthManager::from_config`](crate::AuthManager::from_config). Literal secrets are wrapped as they are read, and no error of
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
pub(crate) struct RawVisitor {
    secret: bool,
}

/// The key toml's deserializer uses to hand over a date as a table.
pub(crate) const TOML_DATETIME: &str = "$__toml_private_datetime";

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

    fn visit_bool<E>(self, value: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(value))
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

    fn visit_f64<E>(self, value: f64) -> Result<Raw, E> {
        // JSON's parser reads a whole number beyond 64 bits as a float.
        if value.is_finite() && value.fract() == 0.0 {
            return Ok(Raw::Other("an integer out of range"));
        }
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
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(RawVisitor {
            secret: self.secret,
        })? {
            items.push(item);
        }
        Ok(Raw::List(items))
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
