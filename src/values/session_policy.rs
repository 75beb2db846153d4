//! An inline session policy: JSON passed to `AssumeRole` to scope one session down.

use std::fmt;

use crate::error::{Rule, ValueError, ValueKind};

/// The most characters of an inline session policy STS takes (its packed, compressed form has
/// a limit of its own, which only STS can measure: it answers `PackedPolicyTooLarge`).
const MAX_POLICY_CHARS: usize = 2048;

/// An inline session policy: an IAM policy document (a JSON object) of at most 2048 characters
/// of tab, line feed, carriage return and `U+0020`–`U+00FF`, as STS takes it. The session may do
/// only what both the role and this policy allow: one tenant's session scoped down to that
/// tenant's resources.
///
/// ```
/// use bedrock_auth::values::SessionPolicy;
///
/// let policy: SessionPolicy = r#"{"Version": "2012-10-17", "Statement": [{
///     "Effect": "Allow", "Action": "bedrock:InvokeModel",
///     "Resource": "arn:aws:bedrock:*::foundation-model/anthropic.*"}]}"#.parse()?;
/// assert!(policy.as_str().contains("bedrock:InvokeModel"));
/// assert!("Allow everything".parse::<SessionPolicy>().is_err());
/// # Ok::<(), bedrock_auth::error::ValueError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SessionPolicy(Box<str>);

impl SessionPolicy {
    /// The policy document, as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for SessionPolicy {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let allowed = |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}');
        let rule = if s.trim().is_empty() {
            Some(Rule::Empty)
        } else if let Some((at, _)) = s.char_indices().find(|(_, c)| !allowed(*c)) {
            Some(Rule::InvalidChar { at })
        } else if s.chars().count() > MAX_POLICY_CHARS {
            Some(Rule::TooLong {
                max: MAX_POLICY_CHARS,
            })
        } else if !serde_json::from_str::<serde_json::Value>(s).is_ok_and(|v| v.is_object()) {
            Some(Rule::NotJson)
        } else {
            None
        };
        match rule {
            // A policy is long: the message names the rule, not the whole document.
            Some(rule) => Err(ValueError::without_value(ValueKind::SessionPolicy, rule)),
            None => Ok(Self(Box::from(s))),
        }
    }
}

super::string_inputs!(SessionPolicy);

impl fmt::Display for SessionPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SessionPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionPolicy({} characters)", self.0.chars().count())
    }
}
