//! Choosing profile mode.

use crate::builder::AuthBuilder;
use crate::modes::{ModeState, NoModeYet, Profile};
use crate::values::{IntoValue, ProfileName};

impl<M: ModeState> AuthBuilder<M> {
    /// Profile mode: credentials from the named profile of the shared config and credentials
    /// files, even when `AWS_ACCESS_KEY_ID` is set; its region when neither
    /// [`region`](Self::region) nor `AWS_REGION` gives one.
    pub fn profile(mut self, name: impl IntoValue<ProfileName>) -> AuthBuilder<Profile>
    where
        M: NoModeYet,
    {
        let name = self.check("profile", name);
        self.with_mode(Profile { name })
    }
}
