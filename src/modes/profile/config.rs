//! Profile mode's key of a configuration: `profile`, the name.

use crate::config::checker::Checker;
use crate::config_keys::Common;
use crate::error::ConfigError;
use crate::manager::AuthManager;

impl Checker<'_> {
    /// The manager of a configuration in profile mode.
    pub(crate) fn profile_mode(&mut self, builder: Common) -> Result<AuthManager, ConfigError> {
        let name = self.string("profile", true).unwrap_or_default();
        builder.profile(name).build()
    }
}
