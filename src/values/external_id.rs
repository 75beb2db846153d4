use std::fmt;
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};

use super::{Charset, check_span, checked};
use crate::error::{Rule, ValueError, ValueKind};

/// The external id a role's trust policy may require: 2 to 1224 characters of
/// `[\w+=,./@:-]`.
///
/// AWS does not classify it as a secret, but it is a shared value that guards against the
/// confused-deputy problem, so this crate treats it as confidential: it is held in a
/// [`SecretString`], zeroized on drop, and never shown by `Debug`, errors or
/// [`AuthInfo`](crate::manager::AuthInfo).
///
/// ```
/// use bedrock_auth::ExternalId;
///
/// let id: ExternalId = "partner-7f3a9c".parse()?;
/// assert_eq!(format!("{id:?}"), "ExternalId([REDACTED])");
/// assert!("x".parse::<ExternalId>().is_err());
///
/// // A literal is checked when the program compiles:
/// const PARTNER: ExternalId = ExternalId::from_static("partner-7f3a9c");
/// # let _ = PARTNER;
/// # Ok::<(), bedrock_auth::error::ValueError>(())
/// ```
///
/// A literal that breaks a rule in a `const` does not compile (the 2-character minimum):
///
/// ```compile_fail
/// const PARTNER: bedrock_auth::ExternalId = bedrock_auth::ExternalId::from_static("x");
/// ```
#[derive(Clone)]
pub struct ExternalId(Held);

/// Where the id's bytes are: a literal of the program (in its binary already, nothing to
/// zeroize) or a value given at run time, zeroized on drop.
#[derive(Clone)]
enum Held {
    Literal(&'static str),
    Given(SecretString),
}

const MIN: usize = 2;
const MAX: usize = 1224;

impl ExternalId {
    /// An external id from a literal, checked at compile time when used in a `const`.
    ///
    /// # Panics
    /// When `id` breaks a rule (2 to 1224 characters of `[\w+=,./@:-]`); in a `const` that is
    /// a compile error naming the rule, never the id. Use [`str::parse`] for input that is not
    /// a literal.
    pub const fn from_static(id: &'static str) -> Self {
        match check_span(id.as_bytes(), 0, id.len(), Charset::ExternalId, MIN, MAX) {
            Ok(()) => Self(Held::Literal(id)),
            Err(Rule::InvalidChar { .. }) => {
                panic!("an external id may only contain letters, digits and + = , . / @ : _ -")
            }
            Err(_) => panic!("an external id must be 2 to 1224 characters (AWS's limits)"),
        }
    }

    /// The id itself, for the `AssumeRole` call.
    pub(crate) fn expose(&self) -> &str {
        match &self.0 {
            Held::Literal(id) => id,
            Held::Given(id) => id.expose_secret(),
        }
    }
}

impl FromStr for ExternalId {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let check = check_span(s.as_bytes(), 0, s.len(), Charset::ExternalId, MIN, MAX);
        checked(ValueKind::ExternalId, s, check)?;
        Ok(Self(Held::Given(SecretString::from(s))))
    }
}

super::string_inputs!(ExternalId);

impl fmt::Debug for ExternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExternalId([REDACTED])")
    }
}
