//! Credentials from a source of your own (a secret manager, a vault, a rotation job), cached
//! by the manager until shortly before they expire and re-read on demand after a rotation.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, future};
use secrecy::SecretString;

use crate::error::BoxError;
use crate::error::{AuthError, ErrorKind};
use crate::static_keys::StaticKeys;
use crate::values::AccessKeyId;

/// Credentials handed over by a [`CredentialSource`].
#[derive(Debug, Clone)]
pub struct FreshCredentials {
    keys: StaticKeys,
    expires_at: Option<SystemTime>,
}

impl FreshCredentials {
    /// A key pair, without expiry until [`expires_at`](Self::expires_at) says otherwise.
    pub fn new(access_key_id: AccessKeyId, secret_access_key: SecretString) -> Self {
        Self {
            keys: StaticKeys::new(access_key_id, secret_access_key),
            expires_at: None,
        }
    }

    /// The session token of temporary credentials.
    pub fn session_token(mut self, token: SecretString) -> Self {
        self.keys.session_token = Some(token);
        self
    }

    /// When the credentials stop working; they are fetched again shortly before.
    pub fn expires_at(mut self, at: SystemTime) -> Self {
        self.expires_at = Some(at);
        self
    }
}

/// The future a [`CredentialSource`] returns.
pub type CredentialsFuture<'a> =
    Pin<Box<dyn Future<Output = Result<FreshCredentials, BoxError>> + Send + 'a>>;

/// Supplies credentials: called the first time they are needed, shortly before they expire,
/// and after [`AuthManager::refresh_credentials`](crate::AuthManager::refresh_credentials).
/// Concurrent callers share one call.
///
/// Any `Fn() -> impl Future<Output = Result<FreshCredentials, BoxError>>` is a source:
///
/// ```
/// use bedrock_auth::{AuthManager, error::BoxError, custom::FreshCredentials, SecretString};
///
/// let manager = AuthManager::builder()
///     .region("us-east-1")
///     .credential_source(|| async {
///         // e.g. read the current key pair from a secret manager
///         let id = "AKIAIOSFODNN7EXAMPLE".parse()?;
///         Ok::<_, BoxError>(FreshCredentials::new(id, SecretString::from("from-the-vault")))
///     })
///     .build()?;
/// # Ok::<(), bedrock_auth::ConfigError>(())
/// ```
pub trait CredentialSource: Send + Sync + 'static {
    /// The current credentials.
    fn fetch(&self) -> CredentialsFuture<'_>;
}

impl<F, Fut> CredentialSource for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<FreshCredentials, BoxError>> + Send + 'static,
{
    fn fetch(&self) -> CredentialsFuture<'_> {
        Box::pin(self())
    }
}

/// The provider behind custom-source mode (not exported): asks the source each time it is
/// asked. The manager's credential cache asks it the first time, shortly before the
/// credentials expire, and after a refresh.
#[derive(Clone)]
pub struct SourceProvider {
    source: Arc<dyn CredentialSource>,
}

impl SourceProvider {
    pub(crate) fn new(source: Arc<dyn CredentialSource>) -> Self {
        Self { source }
    }

    async fn fetch(&self) -> Result<Credentials, AuthError> {
        let fresh = self.source.fetch().await.map_err(|err| {
            AuthError::new(
                ErrorKind::NoCredentials,
                format!("the credential source failed: {err}"),
                "check <<custom_source>>",
            )
            .caused_by_boxed(err)
        })?;
        tracing::debug!(
            access_key_id = fresh.keys.access_key_id.as_str(),
            "fetched credentials from the credential source"
        );
        Ok(fresh
            .keys
            .to_sdk(fresh.expires_at, "bedrock-auth-credential-source"))
    }
}

impl ProvideCredentials for SourceProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async {
            self.fetch().await.map_err(CredentialsError::provider_error)
        })
    }
}

impl fmt::Debug for SourceProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceProvider").finish_non_exhaustive()
    }
}
