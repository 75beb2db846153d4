//! [`StaticKeys`]: an access key pair with an optional session token, wrapped until the one
//! place it is handed to the SDK.

use secrecy::SecretString;

use crate::values::AccessKeyId;

/// An access key pair, with an optional session token.
#[derive(Debug, Clone)]
pub struct StaticKeys {
    pub(crate) access_key_id: AccessKeyId,
    pub(crate) secret_access_key: SecretString,
    pub(crate) session_token: Option<SecretString>,
}

impl StaticKeys {
    pub(crate) fn new(access_key_id: AccessKeyId, secret_access_key: SecretString) -> Self {
        Self {
            access_key_id,
            secret_access_key,
            session_token: None,
        }
    }

    /// The SDK's credentials: the one place a key pair leaves its wrappers.
    pub(crate) fn to_sdk(
        &self,
        expiry: Option<std::time::SystemTime>,
        source: &'static str,
    ) -> aws_credential_types::Credentials {
        use secrecy::ExposeSecret;
        aws_credential_types::Credentials::new(
            self.access_key_id.as_str(),
            self.secret_access_key.expose_secret(),
            self.session_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned()),
            expiry,
            source,
        )
    }
}
