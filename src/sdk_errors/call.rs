//! [`Call`]: what was being done when an error happened.

use std::borrow::Cow;

use crate::mode_kind::ModeKind;

/// What was being done when an error happened, for messages and hints.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    /// `STS GetCallerIdentity`, `STS AssumeRole`, `Bedrock Converse`, ...
    pub(crate) operation: &'a str,
    /// The mode of the manager.
    pub(crate) mode: ModeKind,
    /// The role being assumed, for `AssumeRole`.
    pub(crate) role: Option<&'a str>,
    /// The endpoint called, when known.
    pub(crate) endpoint: Option<&'a str>,
    /// Whether the call was authenticated with a Bedrock API key (a bearer token).
    pub(crate) bearer: bool,
}

impl Call<'_> {
    /// The call, and the role it assumes: `STS AssumeRole on arn:aws:iam::...:role/R`.
    pub(super) fn what(&self) -> Cow<'_, str> {
        match self.role {
            Some(role) => Cow::Owned(format!("{} on {role}", self.operation)),
            None => Cow::Borrowed(self.operation),
        }
    }
}
