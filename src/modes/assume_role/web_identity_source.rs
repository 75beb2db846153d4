//! A role's web identity source: no source credentials at all. The role provider reads the
//! OIDC token (from its file at every assumption, or from the program's provider) and calls
//! STS `AssumeRoleWithWebIdentity`, which is not signed.

use crate::sources::{Context, Given, Origin};

/// The web identity source of a role.
pub(crate) struct WebIdentity;

impl Origin for WebIdentity {
    fn credentials(&self, _cx: &Context<'_>) -> Given {
        Given::Nothing
    }
}
