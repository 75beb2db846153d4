//! Choosing environment mode.

use crate::builder::AuthBuilder;
use crate::modes::{Environment, ModeState, NoModeYet};

impl<M: ModeState> AuthBuilder<M> {
    /// Environment mode: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`
    /// only; it never falls back to profiles or instance metadata.
    pub fn environment(self) -> AuthBuilder<Environment>
    where
        M: NoModeYet,
    {
        self.with_mode(Environment)
    }
}
