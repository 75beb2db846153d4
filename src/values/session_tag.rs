//! Session tags: a key and a value STS attaches to a role session, for `aws:PrincipalTag`
//! conditions and for cost allocation.

use std::fmt;

use crate::error::{Rule, ValueError, ValueKind};
use crate::secret::looks_like_secret;

/// The most session tags (and transitive tag keys) one `AssumeRole` takes.
pub(crate) const MAX_SESSION_TAGS: usize = 50;

/// Whether STS takes `c` in a tag key or value: letters, digits, spaces and `_ . : / = + - @`
/// (`[\p{L}\p{Z}\p{N}_.:/=+\-@]`).
fn tag_char(c: char) -> bool {
    c.is_alphabetic()
        || c.is_numeric()
        || (c.is_whitespace() && !c.is_control())
        || matches!(c, '_' | '.' | ':' | '/' | '=' | '+' | '-' | '@')
}

/// Checks a tag key or value: STS's characters, `min..=max` characters long. A value shaped
/// like a secret is not shown when refused.
fn check(kind: ValueKind, s: &str, min: usize, max: usize) -> Result<(), ValueError> {
    // A tag shows in CloudTrail and on the bill: a secret pasted into one is refused, and not
    // quoted back in any refusal.
    let holds_secret = s
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '/'))
        .any(looks_like_secret);
    let rule = if holds_secret {
        Some(Rule::LooksLikeSecret)
    } else if let Some((at, _)) = s.char_indices().find(|(_, c)| !tag_char(*c)) {
        Some(Rule::InvalidChar { at })
    } else if s.is_empty() && min > 0 {
        Some(Rule::Empty)
    } else if s.chars().count() > max {
        Some(Rule::TooLong { max })
    } else if kind == ValueKind::TagKey
        && s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:"))
    {
        Some(Rule::ReservedPrefix)
    } else {
        None
    };
    match rule {
        None => Ok(()),
        Some(rule) if holds_secret => Err(ValueError::without_value(kind, rule)),
        Some(rule) => Err(ValueError::new(kind, s, rule)),
    }
}

/// A session tag's key: 1 to 128 letters, digits, spaces and `_ . : / = + - @`, not starting
/// with `aws:`. STS compares keys without case: `Tenant` and `tenant` are one key.
///
/// ```
/// use bedrock_auth::values::TagKey;
///
/// let key: TagKey = "tenant".parse()?;
/// assert_eq!(key.as_str(), "tenant");
/// assert!("aws:tenant".parse::<TagKey>().is_err());
/// # Ok::<(), bedrock_auth::error::ValueError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagKey(Box<str>);

impl TagKey {
    /// The key as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `other` is the same key to STS (keys compare without case).
    pub(crate) fn same_as(&self, other: &TagKey) -> bool {
        self.0.to_lowercase() == other.0.to_lowercase()
    }
}

impl std::str::FromStr for TagKey {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        check(ValueKind::TagKey, s, 1, 128)?;
        Ok(Self(Box::from(s)))
    }
}

super::string_inputs!(TagKey);

impl fmt::Display for TagKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for TagKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TagKey").field(&self.as_str()).finish()
    }
}

/// A session tag: a [`TagKey`] and a value of 0 to 256 of the same characters. Tags are not
/// secret: they show in CloudTrail, in `aws:PrincipalTag` conditions and in the Cost and Usage
/// Report, where Bedrock's cost is attributed to the calling principal and its tags.
///
/// ```
/// use bedrock_auth::values::SessionTag;
///
/// let tag = SessionTag::new("tenant", "acme")?;
/// assert_eq!((tag.key().as_str(), tag.value()), ("tenant", "acme"));
/// # Ok::<(), bedrock_auth::error::ValueError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct SessionTag {
    key: TagKey,
    value: Box<str>,
}

impl SessionTag {
    /// A tag, its key and value checked.
    pub fn new(key: impl super::IntoValue<TagKey>, value: &str) -> Result<Self, ValueError> {
        let key = key.into_value()?;
        check(ValueKind::TagValue, value, 0, 256)?;
        Ok(Self {
            key,
            value: Box::from(value),
        })
    }

    /// The tag's key.
    pub fn key(&self) -> &TagKey {
        &self.key
    }

    /// The tag's value.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for SessionTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.key, self.value)
    }
}

/// `KEY=VALUE`, as the command's `--tag` takes it.
impl std::str::FromStr for SessionTag {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('=') {
            Some((key, value)) => Self::new(key, value),
            None => Err(ValueError::new(ValueKind::SessionTag, s, Rule::TagShape)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_are_checked_as_sts_checks_them() {
        assert!("Tenant ID: é/ü_1".parse::<TagKey>().is_ok());
        let long_key = "k".repeat(129);
        let rules = [
            ("", Rule::Empty),
            ("a;b", Rule::InvalidChar { at: 1 }),
            (long_key.as_str(), Rule::TooLong { max: 128 }),
            ("AWS:x", Rule::ReservedPrefix),
        ];
        for (key, rule) in rules {
            assert_eq!(key.parse::<TagKey>().unwrap_err().rule(), rule, "{key}");
        }
        assert!(SessionTag::new("k", "").is_ok(), "a value may be empty");
        let long_value = "v".repeat(257);
        let err = SessionTag::new("k", &long_value).unwrap_err();
        assert_eq!(err.rule(), Rule::TooLong { max: 256 });
        assert_eq!("tenant=a=b".parse::<SessionTag>().unwrap().value(), "a=b");
        assert_eq!(
            "tenant".parse::<SessionTag>().unwrap_err().rule(),
            Rule::TagShape
        );
        let one: TagKey = "Tenant".parse().unwrap();
        assert!(one.same_as(&"tenant".parse().unwrap()));
    }

    #[test]
    fn a_secret_pasted_as_a_tag_is_refused_and_not_shown() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        for value in [
            secret.to_owned(),
            format!("{secret};"),
            format!("key {secret}"),
        ] {
            let err = SessionTag::new("k", &value).unwrap_err();
            assert_eq!(
                (err.rule(), err.value()),
                (Rule::LooksLikeSecret, None),
                "{err}"
            );
            assert!(!err.to_string().contains("wJalr"), "{err}");
            let err = value.parse::<TagKey>().unwrap_err();
            assert!(!err.to_string().contains("wJalr"), "{err}");
        }
        assert!(SessionTag::new("k", "tenant-7f3a9c").is_ok());
    }
}
