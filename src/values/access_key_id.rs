use std::fmt;
use std::str::FromStr;

use super::{Charset, check_span};
use crate::error::{Rule, ValueError, ValueKind};
use crate::secret::looks_like_secret;

/// An access key id: 16 to 128 upper-case letters and digits, as AWS issues them, such as
/// `AKIAIOSFODNN7EXAMPLE`. Not a secret (it names the key); its secret access key is a
/// [`SecretString`](crate::SecretString).
///
/// A value that fails the check is never shown in the error: it may be the secret access key
/// pasted into the wrong field, which is recognized (base64 with mixed case and digits) and said
/// so.
///
/// ```
/// use bedrock_auth::{AccessKeyId, error::Rule};
///
/// let id: AccessKeyId = "AKIAIOSFODNN7EXAMPLE".parse()?;
/// assert_eq!(id.as_str(), "AKIAIOSFODNN7EXAMPLE");
/// assert!("AKIA-short".parse::<AccessKeyId>().is_err());
///
/// let swapped = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".parse::<AccessKeyId>().unwrap_err();
/// assert_eq!(swapped.rule(), Rule::LooksLikeSecret);
/// assert!(!swapped.to_string().contains("wJalr"));
/// # Ok::<(), bedrock_auth::error::ValueError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccessKeyId(Box<str>);

impl AccessKeyId {
    /// The value as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for AccessKeyId {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let rule = if looks_like_secret(s) {
            Err(Rule::LooksLikeSecret)
        } else {
            check_span(s.as_bytes(), 0, s.len(), Charset::KeyId, 16, 128)
        };
        // Never the value: what fails here may be a secret in the wrong place.
        rule.map_err(|rule| ValueError::without_value(ValueKind::AccessKeyId, rule))?;
        Ok(Self(Box::from(s)))
    }
}

super::string_inputs!(AccessKeyId);

impl fmt::Display for AccessKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AccessKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AccessKeyId").field(&self.as_str()).finish()
    }
}

impl AsRef<str> for AccessKeyId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
