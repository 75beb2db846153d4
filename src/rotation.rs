//! Credentials from a source of your own (a secret manager, a vault, a rotation job), cached
//! until shortly before they expire and re-read on demand after a rotation.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, future};
use aws_smithy_async::time::{SharedTimeSource, SystemTimeSource};
use secrecy::SecretString;

use crate::error::BoxError;
use crate::error::{AuthError, ErrorKind};
use crate::static_keys::StaticKeys;
use crate::values::AccessKeyId;

/// The longest time before expiry at which cached credentials are fetched again.
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(60);

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

/// The provider behind custom-source mode (not exported). The SDK's identity cache cannot be
/// told to forget credentials, so this mode turns it off and keeps the one cache here, where
/// [`force_refresh`](Self::force_refresh) can reach it.
#[derive(Clone)]
pub struct SourceProvider {
    source: Arc<dyn CredentialSource>,
    cached: Arc<tokio::sync::Mutex<Cached>>,
    clock: SharedTimeSource,
    /// How many times the source was asked: this provider is asked on every request (it is
    /// its own cache), and only a new fetch is a new set of credentials.
    fetches: Arc<AtomicU64>,
}

#[derive(Default)]
struct Cached {
    credentials: Option<Credentials>,
    refresh_at: Option<SystemTime>,
}

impl SourceProvider {
    pub(crate) fn new(source: Arc<dyn CredentialSource>) -> Self {
        Self {
            source,
            cached: Arc::new(tokio::sync::Mutex::new(Cached::default())),
            clock: SharedTimeSource::new(SystemTimeSource::new()),
            fetches: Arc::default(),
        }
    }

    /// The count of fetches from the source, shared: it moves when the credentials are new.
    pub(crate) fn fetches(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.fetches)
    }

    /// The same provider, deciding when credentials are due by `clock` (the manager's).
    pub(crate) fn with_clock(mut self, clock: SharedTimeSource) -> Self {
        self.clock = clock;
        self
    }

    async fn credentials(&self) -> Result<Credentials, AuthError> {
        let mut cached = self.cached.lock().await;
        if let Some(credentials) = &cached.credentials {
            let due = cached.refresh_at.is_some_and(|at| self.clock.now() >= at);
            if !due {
                return Ok(credentials.clone());
            }
        }
        // Holding the lock while fetching makes concurrent callers wait for this one call.
        self.fetch_into(&mut cached).await
    }

    /// Forgets the cached credentials and fetches new ones now; callers arriving meanwhile
    /// wait for them. Callers that were already waiting on a fetch started after this one share
    /// its result.
    pub(crate) async fn force_refresh(&self) -> Result<(), AuthError> {
        let mut cached = self.cached.lock().await;
        cached.credentials = None;
        self.fetch_into(&mut cached).await.map(drop)
    }

    async fn fetch_into(&self, cached: &mut Cached) -> Result<Credentials, AuthError> {
        let fresh = self.source.fetch().await.map_err(|err| {
            AuthError::new(
                ErrorKind::NoCredentials,
                format!("the credential source failed: {err}"),
                "check <<custom_source>>",
            )
            .caused_by_boxed(err)
        })?;
        let now = self.clock.now();
        // Refresh a minute before expiry, or halfway for credentials that live less than that.
        let refresh_at = fresh.expires_at.map(|expiry| {
            let lifetime = expiry.duration_since(now).unwrap_or_default();
            expiry - REFRESH_BEFORE_EXPIRY.min(lifetime / 2)
        });
        let credentials = fresh
            .keys
            .to_sdk(fresh.expires_at, "bedrock-auth-credential-source");
        tracing::debug!(
            access_key_id = fresh.keys.access_key_id.as_str(),
            "fetched credentials from the credential source"
        );
        cached.credentials = Some(credentials.clone());
        cached.refresh_at = refresh_at;
        self.fetches.fetch_add(1, Ordering::AcqRel);
        Ok(credentials)
    }
}

impl ProvideCredentials for SourceProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async {
            self.credentials()
                .await
                .map_err(CredentialsError::provider_error)
        })
    }
}

impl fmt::Debug for SourceProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceProvider").finish_non_exhaustive()
    }
}
