//! Every problem of a configuration at once: [`Problem`] and [`ConfigError`].

use std::borrow::Cow;
use std::fmt;

use super::value::ValueError;

/// One problem found in a configuration: the field it concerns and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    field: Cow<'static, str>,
    error: ValueError,
}

impl Problem {
    pub(crate) fn new(field: impl Into<Cow<'static, str>>, error: ValueError) -> Self {
        Self {
            field: field.into(),
            error,
        }
    }

    /// The field, named as in a configuration file (`role_arn`, `region`, `source.profile`,
    /// ...).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// What is wrong with the field's value.
    pub fn error(&self) -> &ValueError {
        &self.error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.error)
    }
}

/// Every problem found when a builder was turned into an [`AuthManager`](crate::AuthManager),
/// all at once rather than one per attempt.
///
/// ```
/// use bedrock_auth::AuthManager;
///
/// let err = AuthManager::builder()
///     .region("US East")
///     .assume_role("arn:aws:iam::42:role/Bedrock")
///     .session_name("x")
///     .build()
///     .unwrap_err();
/// let fields: Vec<_> = err.problems().iter().map(|p| p.field()).collect();
/// assert_eq!(fields, ["region", "role_arn", "session_name"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    problems: Vec<Problem>,
}

impl ConfigError {
    pub(crate) fn new(problems: Vec<Problem>) -> Self {
        debug_assert!(!problems.is_empty());
        Self { problems }
    }

    /// The problems: a builder's in the order its fields were set; a configuration's in one
    /// fixed order, that of the keys in the crate's table of keys (mode, region, endpoint,
    /// timeouts, ..., then each mode's keys), unknown keys last.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "invalid configuration: {one}"),
            many => {
                write!(f, "invalid configuration ({} problems):", many.len())?;
                for problem in many {
                    write!(f, "\n  - {problem}")?;
                }
                Ok(())
            }
        }
    }
}
