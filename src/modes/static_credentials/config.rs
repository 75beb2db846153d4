//! Static mode's keys of a configuration: the key pair, and a session token.

use crate::config::checker::{Checker, placeholder};
use crate::config_keys::Common;
use crate::error::ConfigError;
use crate::manager::AuthManager;

impl Checker<'_> {
    /// The manager of a configuration in static mode.
    pub(crate) fn static_mode(&mut self, builder: Common) -> Result<AuthManager, ConfigError> {
        let key = self.string("access_key_id", true).unwrap_or_default();
        let secret = self.secret("secret_access_key", true);
        let builder = builder.static_credentials(key, secret.unwrap_or_else(placeholder));
        match self.secret("session_token", false) {
            Some(token) => builder.session_token(token).build(),
            None => builder.build(),
        }
    }
}
