//! Choosing static mode, and its session token.

use crate::builder::AuthBuilder;
use crate::error::ValueKind;
use crate::modes::{ModeState, NoModeYet, StaticCredentials, TakesSessionToken};
use crate::secret::IntoSecret;
use crate::static_keys::StaticKeys;
use crate::values::{AccessKeyId, IntoValue};

impl<M: ModeState> AuthBuilder<M> {
    /// Static mode: a long-term (or temporary) key pair given in code. The secret must be a
    /// [`SecretString`](crate::SecretString); add a session token with
    /// [`session_token`](AuthBuilder::session_token).
    ///
    /// Long-term keys in code are the riskiest mode: prefer a profile, a role or the
    /// environment where you can.
    pub fn static_credentials(
        mut self,
        access_key_id: impl IntoValue<AccessKeyId>,
        secret_access_key: impl IntoSecret,
    ) -> AuthBuilder<StaticCredentials>
    where
        M: NoModeYet,
    {
        let access_key_id = self.check("access_key_id", access_key_id);
        let secret_access_key = self.secret(
            "secret_access_key",
            ValueKind::SecretAccessKey,
            secret_access_key,
        );
        let keys =
            access_key_id.map(|access_key_id| StaticKeys::new(access_key_id, secret_access_key));
        self.with_mode(StaticCredentials { keys })
    }

    /// The session token that belongs to temporary static credentials.
    pub fn session_token(mut self, token: impl IntoSecret) -> Self
    where
        M: TakesSessionToken,
    {
        let token = self.secret("session_token", ValueKind::SessionToken, token);
        if let Some(keys) = &mut self.mode.static_keys().keys {
            keys.session_token = Some(token);
        }
        self
    }
}
