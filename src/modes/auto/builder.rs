//! Choosing auto mode.

use crate::builder::AuthBuilder;
use crate::modes::{Auto, ModeState, NoModeYet};

impl<M: ModeState> AuthBuilder<M> {
    /// Auto mode: the standard AWS default credential chain (environment, profile, web
    /// identity, containers, instance metadata, ...).
    pub fn auto(self) -> AuthBuilder<Auto>
    where
        M: NoModeYet,
    {
        self.with_mode(Auto)
    }
}
