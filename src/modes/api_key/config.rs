//! API-key mode's key of a configuration: `api_key`, a secret (or none: the SDK's variable).

use crate::config::checker::Checker;
use crate::config_keys::Common;
use crate::error::ConfigError;
use crate::manager::AuthManager;

impl Checker<'_> {
    /// The manager of a configuration in API-key mode. Without `api_key`, the key is the SDK's
    /// variable, as the builder's `api_key_from_env()` reads it (and as environment mode reads
    /// its variables).
    pub(crate) fn api_key_mode(&mut self, builder: Common) -> Result<AuthManager, ConfigError> {
        match self.secret("api_key", false) {
            Some(key) => builder.api_key(key).build(),
            None => builder.api_key_from_env().build(),
        }
    }
}
