use std::fmt;
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};

use super::{Charset, check_span, checked};
use crate::error::{ValueError, ValueKind};

/// The external id a role's trust policy may require: 2 to 1224 characters of
/// `[\w+=,./@:-]`.
///
/// AWS does not classify it as a secret, but it is a shared value that guards against the
/// confused-deputy problem, so this crate treats it as confidential: it is held in a
/// [`SecretString`], zeroized on drop, and never shown by `Debug`, errors or
/// [`AuthInfo`](crate::AuthInfo).
///
/// ```
/// use bedrock_auth::ExternalId;
///
/// let id: ExternalId = "partner-7f3a9c".parse()?;
/// assert_eq!(format!("{id:?}"), "ExternalId([REDACTED])");
/// assert!("x".parse::<ExternalId>().is_err());
/// # Ok::<(), bedrock_auth::ValueError>(())
/// ```
#[derive(Clone)]
pub struct ExternalId(SecretString);

impl ExternalId {
    /// The id itself, for the `AssumeRole` call.
    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl FromStr for ExternalId {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let check = check_span(s.as_bytes(), 0, s.len(), Charset::ExternalId, 2, 1224);
        checked(ValueKind::ExternalId, s, check)?;
        Ok(Self(SecretString::from(s)))
    }
}

super::string_inputs!(ExternalId);

impl fmt::Debug for ExternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExternalId([REDACTED])")
    }
}
