//! Choosing API-key mode: a key given, or the SDK's variable.

use crate::builder::AuthBuilder;
use crate::error::ValueKind;
use crate::modes::{ApiKey, ApiKeySource, ModeState, NoModeYet};
use crate::secret::IntoSecret;

impl<M: ModeState> AuthBuilder<M> {
    /// API-key mode: a Bedrock API key (long-term, or short-term `bedrock-api-key-...`), sent to
    /// Bedrock Runtime as a bearer token through the SDK's token support. The key works for
    /// Bedrock only: this manager's [`sdk_config`](crate::AuthManager::sdk_config) and
    /// [`sts_client`](crate::AuthManager::sts_client) are `invalid_config` errors, and a key is
    /// never sent over plain HTTP except to a loopback address.
    pub fn api_key(mut self, key: impl IntoSecret) -> AuthBuilder<ApiKey>
    where
        M: NoModeYet,
    {
        let key = self.secret("api_key", ValueKind::ApiKey, key);
        self.with_mode(ApiKey {
            key: ApiKeySource::Given(key),
        })
    }

    /// API-key mode with the key of `AWS_BEARER_TOKEN_BEDROCK` (read by
    /// [`build`](AuthBuilder::build), and again by
    /// [`refresh_credentials`](crate::AuthManager::refresh_credentials) and when Bedrock turns
    /// the key down; unset is an error that names the variable).
    pub fn api_key_from_env(self) -> AuthBuilder<ApiKey>
    where
        M: NoModeYet,
    {
        self.with_mode(ApiKey {
            key: ApiKeySource::Environment,
        })
    }
}
