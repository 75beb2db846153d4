//! [`AuthManager`], the validated result of the builder, and [`AuthInfo`], what it holds
//! without its secrets.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_smithy_runtime_api::client::auth::http::HTTP_BEARER_AUTH_SCHEME_ID;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use tokio::sync::OnceCell;

use crate::api_key::{ApiKeyInfo, ShortTermKey};
use crate::bounded::Watches;
use crate::builder::AuthBuilder;
use crate::endpoint_guard::{AnswerLimit, EndpointGuard};
use crate::error::ConfigError;
use crate::error::{AuthError, ErrorKind};
use crate::mode::{
    ApiKeyConfig, BEARER_TOKEN_VAR, BearerKey, ModeChosen, ModeConfig, ModeState, Source, WantsMode,
};
use crate::mode_kind::ModeKind;
use crate::monitor::{Health, Monitor, Watcher};
use crate::printable::printable;
use crate::sdk_errors::{Call, classify, classify_credentials};
use crate::settings::Settings;
use crate::shared::regional_retry_partition;
use crate::silent_stream::SilentStream;
use crate::sources::{load_sdk_config, mode_kind, sts_config};
use crate::values::{
    AccessKeyId, EndpointUrl, MfaSerial, ProfileName, Region, RoleArn, SessionDuration, SessionName,
};

/// A checked authentication configuration for AWS Bedrock, and the clients built from it.
///
/// Made by [`AuthManager::builder()`]; cheap to clone (one `Arc`) and safe to share across
/// tasks and threads. Building one does no network I/O. The SDK configuration is loaded on
/// first use, once however many tasks race for it; every client it hands out shares one
/// credential cache and one HTTP connection pool.
///
/// ```
/// use bedrock_auth::{AuthManager, modes::ModeKind};
///
/// let manager = AuthManager::builder().region("eu-west-1").profile("bedrock").build()?;
/// let info = manager.info();
/// assert_eq!(info.mode, ModeKind::Profile);
/// assert_eq!(info.profile.unwrap().as_str(), "bedrock");
/// # Ok::<(), bedrock_auth::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct AuthManager {
    inner: Arc<Inner>,
}

/// A reference to an [`AuthManager`] that does not keep it alive
/// ([`AuthManager::downgrade`]).
#[derive(Clone)]
pub struct WeakAuthManager(std::sync::Weak<Inner>);

impl WeakAuthManager {
    /// The manager, if something else still holds it.
    pub fn upgrade(&self) -> Option<AuthManager> {
        self.0.upgrade().map(|inner| AuthManager { inner })
    }
}

impl fmt::Debug for WeakAuthManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakAuthManager")
            .field("alive", &(self.0.strong_count() > 0))
            .finish()
    }
}

struct Inner {
    mode: ModeConfig,
    settings: Settings,
    http: SharedHttpClient,
    sdk: OnceCell<SdkConfig>,
    /// The credential sources that can hang, to name the one that did.
    watches: Arc<Watches>,
    /// What the manager has seen: health, lockout, audit events, metrics.
    monitor: Arc<Monitor>,
    sts: OnceCell<aws_sdk_sts::Client>,
    bedrock: RwLock<HashMap<Region, aws_sdk_bedrockruntime::Client>>,
}

impl<M: ModeState> AuthBuilder<M> {
    /// Checks everything that could not be checked at compile time and returns the manager,
    /// or every problem found. Does no network I/O.
    pub fn build(self) -> Result<AuthManager, ConfigError>
    where
        M: ModeChosen,
    {
        let Self {
            mode,
            settings,
            mut problems,
        } = self;
        match mode.finish(&settings, &mut problems) {
            Some(mode) if problems.is_empty() => Ok(AuthManager::new(mode, settings)),
            // A mode that did not finish always recorded why.
            _ => Err(ConfigError::new(problems)),
        }
    }
}

impl AuthManager {
    /// A builder with no mode chosen yet.
    pub fn builder() -> AuthBuilder<WantsMode> {
        AuthBuilder::new()
    }

    pub(crate) fn new(mode: ModeConfig, settings: Settings) -> Self {
        // One HTTP client, so every SDK client of this manager shares its connection pool.
        let http = match (&settings.shared, &settings.os.http) {
            (Some(shared), _) => shared.http.clone(),
            (None, Some(http)) => http.clone(),
            (None, None) => crate::proxy::https_client(&settings.os, &settings.proxy),
        };
        let monitor = Monitor::new(mode_kind(&mode), settings.lockout, settings.os.clock());
        Self {
            inner: Arc::new(Inner {
                monitor: Arc::new(monitor),
                mode,
                settings,
                http,
                sdk: OnceCell::new(),
                watches: Arc::default(),
                sts: OnceCell::new(),
                bedrock: RwLock::new(HashMap::new()),
            }),
        }
    }

    /// A reference that does not keep the manager alive: for a registry of tenants that must
    /// not hold on to a tenant the service dropped.
    pub fn downgrade(&self) -> WeakAuthManager {
        WeakAuthManager(Arc::downgrade(&self.inner))
    }

    /// The mode.
    pub fn mode(&self) -> ModeKind {
        mode_kind(&self.inner.mode)
    }

    /// The AWS SDK configuration: region, credentials (cached and refreshed before they
    /// expire), endpoint, timeouts and retries. Build any other AWS client from it. Loaded on
    /// first use; reads files and the environment, sends nothing.
    ///
    /// Fails with [`ErrorKind::NoRegion`] when no region is configured anywhere, and
    /// [`ErrorKind::ProfileNotFound`] when profile mode names a profile that does not exist.
    ///
    /// In API-key mode there is none to give (an API key only works for Bedrock): an
    /// [`ErrorKind::InvalidConfig`] error.
    pub async fn sdk_config(&self) -> Result<&SdkConfig, AuthError> {
        if let ModeConfig::ApiKey(_) = &self.inner.mode {
            return Err(AuthError::new(
                ErrorKind::InvalidConfig,
                "an API-key manager has no AWS SDK configuration: a Bedrock API key only \
                 authenticates Bedrock Runtime",
                "use a SigV4 mode (profile, environment, static, assume role, auto) for STS and \
                 other AWS services",
            ));
        }
        self.base_config().await
    }

    /// The loaded configuration, in every mode (API-key mode's has no credentials).
    async fn base_config(&self) -> Result<&SdkConfig, AuthError> {
        let inner = &*self.inner;
        inner
            .sdk
            .get_or_try_init(|| {
                let http = inner.http.clone();
                load_sdk_config(
                    &inner.mode,
                    &inner.settings,
                    http,
                    &inner.watches,
                    &inner.monitor,
                )
            })
            .await
    }

    /// The manager's clock: the system's, or a sandbox's.
    fn now(&self) -> std::time::SystemTime {
        self.inner.settings.os.now()
    }

    /// The region: the builder's, else `AWS_REGION` / `AWS_DEFAULT_REGION`, else the profile's.
    /// Loads the configuration on first use (files and the environment; no network).
    pub async fn region(&self) -> Result<Region, AuthError> {
        let sdk = self.base_config().await?;
        let region = sdk.region().ok_or_else(AuthError::no_region)?;
        parse_region(region.as_ref())
    }

    /// An STS client with this manager's credentials.
    pub async fn sts_client(&self) -> Result<aws_sdk_sts::Client, AuthError> {
        let sdk = self.sdk_config().await?;
        let client = self
            .inner
            .sts
            .get_or_init(|| async {
                aws_sdk_sts::Client::from_conf(sts_config(sdk, &self.inner.monitor).build())
            })
            .await;
        Ok(client.clone())
    }

    /// Forgets the cached credentials and asks the credential source again now, e.g. after a
    /// rotation. Every client of this manager, the cached Bedrock clients included, uses the
    /// new credentials from its next request on; nothing is rebuilt.
    ///
    /// Only custom-source mode ([`AuthBuilder::credential_source`]) has credentials to
    /// re-read on demand; other modes refresh on expiry, and get an
    /// [`ErrorKind::InvalidConfig`] error here.
    pub async fn refresh_credentials(&self) -> Result<(), AuthError> {
        self.inner.monitor.check()?;
        match &self.inner.mode {
            ModeConfig::Custom(provider) => {
                let after = self.inner.settings.operation_timeout;
                let work = provider.force_refresh();
                crate::bounded::within("the custom credential source", after, work)
                    .await
                    .map_err(|err| self.recorded(err))
            }
            _ => Err(AuthError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "refresh_credentials() needs custom-source mode; this manager is in {} mode",
                    self.mode()
                ),
                "use `.credential_source(..)` for credentials you rotate yourself; the other \
                 modes refresh their credentials before they expire",
            )),
        }
    }

    /// Resolves the mode's credentials now, straight from their source, and returns them; makes
    /// no call but the source's own (e.g. STS `AssumeRole` in assume-role mode, instance
    /// metadata in auto mode on EC2). For checking where credentials come from and handing
    /// them to code outside the AWS SDK; the clients of this manager cache and refresh their
    /// credentials themselves, so do not call this per request.
    ///
    /// The secret is only reachable through the SDK type's accessors: `Debug` redacts it.
    pub async fn credentials(&self) -> Result<aws_credential_types::Credentials, AuthError> {
        use aws_credential_types::provider::ProvideCredentials;
        self.inner.monitor.check()?;
        let sdk = self.sdk_config().await.map_err(|err| self.recorded(err))?;
        let provider = sdk.credentials_provider().ok_or_else(|| {
            AuthError::no_credentials(self.mode(), "the SDK configuration has no provider")
        })?;
        provider.provide_credentials().await.map_err(|err| {
            let call = Call {
                operation: "loading credentials",
                mode: self.mode(),
                role: None,
                endpoint: None,
                bearer: false,
            };
            self.blame(classify_credentials(err, call))
        })
    }

    /// A short-term Bedrock API key for `region`, signed with this manager's credentials and
    /// valid for `ttl` (whole seconds, 1 s to 12 h; cut to the credentials' own expiry when
    /// they are temporary). Made locally with SigV4 presigning, no network call but what
    /// resolving the credentials takes; in exactly the format of AWS's own generators. See
    /// [`ShortTermKey`].
    ///
    /// Credentials are resolved as by [`credentials`](Self::credentials), from their source (in
    /// assume-role mode, one `AssumeRole` per call): make a key once and keep it until it
    /// expires rather than one per request.
    pub async fn bedrock_api_key(
        &self,
        region: &str,
        ttl: std::time::Duration,
    ) -> Result<ShortTermKey, AuthError> {
        let region = parse_region(region)?;
        if let ModeConfig::ApiKey(_) = &self.inner.mode {
            return Err(AuthError::new(
                ErrorKind::InvalidConfig,
                "a short-term API key is signed with SigV4 credentials, and an API-key manager \
                 has none",
                "generate keys from a SigV4 mode: profile, environment, static, assume role, auto",
            ));
        }
        let credentials = self.credentials().await?;
        let key = ShortTermKey::sign(&credentials, &region, ttl, self.now())
            .map_err(|err| self.recorded(err))?;
        let expires_at = Some(key.expires_at());
        let monitor = &self.inner.monitor;
        monitor.audit("api_key_generated", Some(region.as_str()), None, expires_at);
        Ok(key)
    }

    /// Proves the credentials with STS `GetCallerIdentity` (which needs no IAM permission) and
    /// returns who they belong to.
    ///
    /// In assume-role mode this assumes the role first, so it also proves the trust policy.
    ///
    /// In API-key mode it reads the key first, without network (a short-term key's format,
    /// region and expiry), then proves it with one Bedrock Runtime `ListAsyncInvokes` call
    /// (`maxResults=1`; needs `bedrock:ListAsyncInvokes`, invokes no model). Bedrock does not say
    /// whom a key belongs to: `account`, `arn` and `user_id` are empty and
    /// [`api_key`](CallerIdentity::api_key) says what the key is.
    pub async fn validate(&self) -> Result<CallerIdentity, AuthError> {
        self.inner.monitor.check()?;
        // Failures of the calls themselves are recorded by the clients' monitor; those of the
        // steps before a call, here.
        if let Some(key) = self.api_key().map_err(|err| self.recorded(err))? {
            return self.validate_api_key(key).await;
        }
        // The process's STS client, made this manager's for the one call: no client is kept
        // for a tenant that only validates.
        let sdk = self.sdk_config().await.map_err(|err| self.recorded(err))?;
        let output = crate::shared::sts_client()
            .get_caller_identity()
            .customize()
            .config_override(sts_config(sdk, &self.inner.monitor))
            .send()
            .await
            .map_err(|err| {
                let endpoint = self.endpoint_for("STS", "sts", sdk.region());
                self.blame(classify(err, self.call("STS GetCallerIdentity", &endpoint)))
            })?;
        // What STS said, made printable: an ARN with a newline would forge an output line.
        let text = |value: Option<&str>| printable(value.unwrap_or_default()).into_owned();
        let identity = CallerIdentity {
            account: text(output.account()),
            arn: text(output.arn()),
            user_id: text(output.user_id()),
            api_key: None,
        };
        let monitor = &self.inner.monitor;
        monitor.success(Some(&identity.arn));
        let region = sdk.region().map(|r| r.as_ref().to_owned());
        monitor.audit("validated", region.as_deref(), Some(&identity.arn), None);
        Ok(identity)
    }

    /// What this manager has seen, now: failures in a row, the last success and failure, when
    /// the credentials expire, how often they were refreshed, and whether calls are refused
    /// after repeated failures ([`lockout_after`](AuthBuilder::lockout_after)). Cheap and
    /// lock-free: made for a health endpoint. Holds no secret.
    ///
    /// ```
    /// # let manager = bedrock_auth::AuthManager::builder().region("us-east-1").auto().build()?;
    /// let health = manager.health();
    /// assert_eq!(health.consecutive_failures, 0);
    /// assert!(!health.is_locked_out());
    /// # Ok::<(), bedrock_auth::ConfigError>(())
    /// ```
    pub fn health(&self) -> Health {
        self.inner.monitor.health()
    }

    /// Ends a lockout now and forgets the failures in a row: calls go out again. For after the
    /// credentials were fixed.
    pub fn reset_lockout(&self) {
        self.inner.monitor.reset();
    }

    /// `err`, recorded as the last failure (and counted if it is an authentication failure): for
    /// failures no client or credential provider of the manager saw.
    fn recorded(&self, err: AuthError) -> AuthError {
        self.inner.monitor.failure(&err);
        err
    }

    /// The Bedrock Runtime client for `region`, created on first use and cached: later calls
    /// return the same client (a cheap clone). Every regional client shares the manager's
    /// credential cache and connection pool, so a role is assumed once per credential lifetime
    /// however many regions and tasks use it.
    ///
    /// A client costs about 13 KiB. A service with a manager per tenant sends through one
    /// client for all of them instead: [`bedrock_override`](Self::bedrock_override).
    pub async fn bedrock_client(
        &self,
        region: &str,
    ) -> Result<aws_sdk_bedrockruntime::Client, AuthError> {
        if let Some(client) = self.cached_bedrock_client(region) {
            return Ok(client);
        }
        let region = parse_region(region)?;
        let key = self.api_key()?;
        let sdk = self.base_config().await?;
        let auth = self.bedrock_auth();
        let mut clients = self
            .inner
            .bedrock
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let client = clients.entry(region).or_insert_with_key(|region| {
            tracing::debug!(region = %region, auth = %auth, "creating Bedrock Runtime client");
            if key.is_none() && auth != BedrockAuth::SigV4 {
                // Said out loud, once per client.
                tracing::info!(
                    region = %region,
                    "auto mode: Bedrock calls use the API key in AWS_BEARER_TOKEN_BEDROCK, \
                     not the credentials of the default chain"
                );
            }
            aws_sdk_bedrockruntime::Client::from_conf(self.bedrock_config(region, key, sdk).build())
        });
        Ok(client.clone())
    }

    /// This manager's credentials and settings for one Bedrock request in `region`, for the
    /// one client of [`Shared::bedrock_client`](crate::Shared::bedrock_client) that every
    /// tenant of a service sends through: pass it to the request's
    /// [`config_override`](aws_sdk_bedrockruntime::client::customize::CustomizableOperation::config_override).
    /// The request then signs as this manager's client for `region` would, with the same
    /// credential cache, endpoint guard, monitor and lockout, but no client is kept for the
    /// tenant: its memory does not grow with the regions it uses. Building it costs a few
    /// microseconds per request.
    ///
    /// ```no_run
    /// # async fn example(shared: &bedrock_auth::Shared, tenant: &bedrock_auth::AuthManager,
    /// #     message: aws_sdk_bedrockruntime::types::Message) -> Result<(), Box<dyn std::error::Error>> {
    /// let reply = shared
    ///     .bedrock_client()
    ///     .converse()
    ///     .model_id("anthropic.claude-3-haiku-20240307-v1:0")
    ///     .messages(message)
    ///     .customize()
    ///     .config_override(tenant.bedrock_override("us-east-1").await?)
    ///     .send()
    ///     .await?;
    /// # let _ = reply;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// Fails as [`bedrock_client`](Self::bedrock_client) does: a region that cannot be read,
    /// API-key mode with no key, or a configuration that cannot be loaded. A manager locked out
    /// refuses the request itself, before anything is resolved or sent.
    pub async fn bedrock_override(
        &self,
        region: &str,
    ) -> Result<aws_sdk_bedrockruntime::config::Builder, AuthError> {
        let region = parse_region(region)?;
        let key = self.api_key()?;
        let sdk = self.base_config().await?;
        Ok(self.bedrock_config(&region, key, sdk))
    }

    /// The configuration of this manager's Bedrock requests in `region`: for its own client
    /// of the region, or as a per-request override of the shared one.
    fn bedrock_config(
        &self,
        region: &Region,
        key: Option<&BearerKey>,
        sdk: &SdkConfig,
    ) -> aws_sdk_bedrockruntime::config::Builder {
        let auth = self.bedrock_auth();
        // Reading the shared configuration logs every value it reads at TRACE, the key in
        // AWS_BEARER_TOKEN_BEDROCK included (aws-runtime's env_config): silenced here.
        let mut config = tracing::dispatcher::with_default(&tracing::Dispatch::none(), || {
            aws_sdk_bedrockruntime::config::Builder::from(sdk)
        })
        .region(aws_config::Region::from(region.clone()))
        // A model's answer takes minutes: Bedrock calls have their own bound, not the
        // operation timeout of credentials and STS (which still bounds the credentials a call
        // waits for, in the credential cache and the sources).
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(self.inner.settings.connect_timeout)
                .operation_timeout(self.inner.settings.bedrock_timeout)
                .build(),
        )
        // The SDK's name for a client of the region: retries through the shared client draw
        // on the region's token bucket, as the region's own clients do.
        .retry_partition(regional_retry_partition("bedrockruntime", region.as_str()));
        match (key, auth) {
            (Some(key), _) => {
                // The SDK's own bearer support: the token and the scheme that sends it.
                config = config
                    .bearer_token(key.token.clone())
                    .auth_scheme_preference([HTTP_BEARER_AUTH_SCHEME_ID])
                    .interceptor(EndpointGuard::bearer(key.info.clone().ok()));
            }
            (_, BedrockAuth::ApiKey { .. }) => {
                // Auto mode follows the SDK: the variable's key wins.
                config = config.interceptor(EndpointGuard::bearer(self.env_key_info()));
            }
            (_, BedrockAuth::SigV4) => {
                // An explicit mode's credentials, whatever AWS_BEARER_TOKEN_BEDROCK holds:
                // the SDK would otherwise prefer the variable's bearer key.
                config = config
                    .auth_scheme_preference([aws_runtime::auth::sigv4::SCHEME_ID])
                    .interceptor(EndpointGuard::sigv4());
            }
        }
        let bearer = !matches!(auth, BedrockAuth::SigV4);
        config
            .interceptor(AnswerLimit {
                successes_too: false,
            })
            .interceptor(SilentStream {
                after: self.inner.settings.bedrock_timeout,
            })
            .interceptor(Watcher::bedrock(&self.inner.monitor, bearer))
    }

    /// The Bedrock Runtime client for the manager's own region.
    pub async fn bedrock_client_default(
        &self,
    ) -> Result<aws_sdk_bedrockruntime::Client, AuthError> {
        let region = self.region().await?;
        self.bedrock_client(region.as_str()).await
    }

    /// Turns the error of a call made with one of this manager's clients (e.g. a Bedrock
    /// `Converse`), or of a stream's events (`recv()` on a `ConverseStream`), into an
    /// [`AuthError`] with its kind and hint, keeping the SDK's error as its
    /// [`source()`](std::error::Error::source). `operation` names the call in the message, e.g.
    /// `"Bedrock Converse"`; `endpoint` says where it went, if known.
    ///
    /// A call's outcome was recorded in [`health()`](Self::health) when it happened (the
    /// manager's clients carry its monitor). A stream's error comes later, from events no
    /// client sees: it is recorded here, once, as the failure of the call whose stream it
    /// ends. An error event is classified by its code as the same error of a call is
    /// (`throttlingException` is [`Throttled`](crate::ErrorKind::Throttled)); a connection
    /// that breaks off is [`Network`](crate::ErrorKind::Network).
    ///
    /// ```no_run
    /// # async fn run(manager: bedrock_auth::AuthManager) -> Result<(), bedrock_auth::AuthError> {
    /// let client = manager.bedrock_client_default().await?;
    /// let classify = |err| manager.classify_error(err, "Bedrock ConverseStream", None);
    /// let mut stream = client
    ///     .converse_stream()
    ///     .model_id("anthropic.claude-3-haiku-20240307-v1:0")
    ///     .send()
    ///     .await
    ///     .map_err(classify)?
    ///     .stream;
    /// while let Some(event) = stream
    ///     .recv()
    ///     .await
    ///     .map_err(|err| manager.classify_error(err, "Bedrock ConverseStream", None))?
    /// {
    ///     println!("{event:?}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn classify_error<E, R>(
        &self,
        err: aws_smithy_runtime_api::client::result::SdkError<E, R>,
        operation: &str,
        endpoint: Option<&str>,
    ) -> AuthError
    where
        E: aws_smithy_types::error::metadata::ProvideErrorMetadata
            + std::error::Error
            + Send
            + Sync
            + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let endpoint = endpoint.map(str::to_owned).or_else(|| {
            self.inner
                .settings
                .endpoint_url
                .as_ref()
                .map(|u| u.to_string())
        });
        let call = Call {
            operation,
            mode: self.mode(),
            role: None,
            endpoint: endpoint.as_deref(),
            bearer: self.bearer_for(operation),
        };
        let err = self.blame(classify(err, call));
        if crate::sdk_errors::from_stream::<R>() {
            self.inner.monitor.failure(&err);
        }
        err
    }

    /// `err`, or, when a credential source of this manager hung meanwhile, that source's
    /// timeout: the call failed waiting for its credentials, before anything was sent.
    fn blame(&self, err: AuthError) -> AuthError {
        let after = self.inner.settings.operation_timeout;
        self.inner
            .watches
            .blame(err, after)
            .without_secrets(self.sent_secrets())
    }

    /// The secrets this manager sends that an answer could echo back: API-key mode's key, a
    /// role's external id.
    fn sent_secrets(&self) -> Vec<&str> {
        match &self.inner.mode {
            ModeConfig::ApiKey(ApiKeyConfig { key: Some(key), .. }) => vec![key.token.token()],
            ModeConfig::AssumeRole(role) => role.external_id.iter().map(|id| id.expose()).collect(),
            _ => Vec::new(),
        }
    }

    /// API-key mode's key (`None` in other modes), or `no_credentials` naming the variable
    /// when it was to come from `AWS_BEARER_TOKEN_BEDROCK` and that was not set.
    fn api_key(&self) -> Result<Option<&BearerKey>, AuthError> {
        match &self.inner.mode {
            ModeConfig::ApiKey(ApiKeyConfig { key: Some(key), .. }) => Ok(Some(key)),
            ModeConfig::ApiKey(ApiKeyConfig { key: None, .. }) => Err(AuthError::new(
                ErrorKind::NoCredentials,
                format!("no Bedrock API key found (api_key mode): {BEARER_TOKEN_VAR} is not set"),
                format!("export {BEARER_TOKEN_VAR} with a Bedrock API key, or choose another mode"),
            )),
            _ => Ok(None),
        }
    }

    async fn validate_api_key(&self, key: &BearerKey) -> Result<CallerIdentity, AuthError> {
        // The steps before the call, offline; their failures no client sees, so they are
        // recorded here, once.
        let (info, region, client) = self
            .api_key_ready(key)
            .await
            .map_err(|err| self.recorded(err))?;
        client
            .list_async_invokes()
            .max_results(1)
            .send()
            .await
            .map_err(|err| {
                let region = client.config().region();
                let endpoint = self.endpoint_for("Bedrock Runtime", "bedrock-runtime", region);
                self.blame(classify(
                    err,
                    self.call("Bedrock ListAsyncInvokes", &endpoint),
                ))
            })?;
        let monitor = &self.inner.monitor;
        monitor.success(None);
        monitor.audit("validated", Some(region.as_str()), None, info.expires_at);
        Ok(CallerIdentity {
            account: String::new(),
            arn: String::new(),
            user_id: String::new(),
            api_key: Some(info),
        })
    }

    /// What `validate()` checks of an API key without network: its format and expiry, that its
    /// region is the manager's; and the client that will prove it.
    async fn api_key_ready(
        &self,
        key: &BearerKey,
    ) -> Result<(ApiKeyInfo, Region, aws_sdk_bedrockruntime::Client), AuthError> {
        let info = key.info.clone()?;
        info.check_not_expired(self.now())?;
        let region = self.region().await?;
        if let Some(key_region) = info.region.as_ref().filter(|r| **r != region) {
            return Err(AuthError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "the short-term Bedrock API key is for {key_region}, but the manager's region \
                     is {region}"
                ),
                "set the region to the key's (<<region_short>>, AWS_REGION), or generate a key \
                 for this region",
            ));
        }
        let client = self.bedrock_client(region.as_str()).await?;
        Ok((info, region, client))
    }

    /// How this manager's Bedrock clients authenticate, from the mode and, in auto mode, the
    /// environment (where the SDK lets `AWS_BEARER_TOKEN_BEDROCK` win).
    fn bedrock_auth(&self) -> BedrockAuth {
        match &self.inner.mode {
            ModeConfig::ApiKey(config) => BedrockAuth::ApiKey {
                from_env: config.from_env,
            },
            ModeConfig::Auto if self.inner.settings.os.is_set(BEARER_TOKEN_VAR) => {
                BedrockAuth::ApiKey { from_env: true }
            }
            _ => BedrockAuth::SigV4,
        }
    }

    fn cached_bedrock_client(&self, region: &str) -> Option<aws_sdk_bedrockruntime::Client> {
        let clients = self
            .inner
            .bedrock
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        clients.get(region).cloned()
    }

    fn call<'a>(&self, operation: &'a str, endpoint: &'a str) -> Call<'a> {
        Call {
            operation,
            mode: self.mode(),
            role: None,
            endpoint: Some(endpoint),
            bearer: self.bearer_for(operation),
        }
    }

    /// What the key in `AWS_BEARER_TOKEN_BEDROCK` says of itself (auto mode, where the SDK
    /// sends it); the copy read is wiped.
    fn env_key_info(&self) -> Option<ApiKeyInfo> {
        let mut key = self.inner.settings.os.env.get(BEARER_TOKEN_VAR).ok()?;
        let info = ApiKeyInfo::parse(key.trim()).ok();
        zeroize::Zeroize::zeroize(&mut key);
        info
    }

    /// Whether `operation` is a Bedrock call this manager makes with an API key.
    fn bearer_for(&self, operation: &str) -> bool {
        operation.starts_with("Bedrock") && self.bedrock_auth() != BedrockAuth::SigV4
    }

    /// Where a client of this manager sends its requests, for messages, found as the SDK finds
    /// it: the builder's endpoint URL, else the service's own (`AWS_ENDPOINT_URL_STS`, a
    /// profile's `services` section), else `AWS_ENDPOINT_URL` or the profile's `endpoint_url`,
    /// else the service's regional endpoint.
    fn endpoint_for(
        &self,
        service_id: &str,
        host: &str,
        region: Option<&aws_config::Region>,
    ) -> String {
        if let Some(url) = &self.inner.settings.endpoint_url {
            return url.as_str().to_owned();
        }
        let sdk = self.inner.sdk.get();
        let from_service = sdk.and_then(|sdk| {
            let key = aws_types::service_config::ServiceConfigKey::builder()
                .service_id(service_id)
                .env("AWS_ENDPOINT_URL")
                .profile("endpoint_url")
                .build()
                .ok()?;
            sdk.service_config()?.load_config(key)
        });
        let from_all = sdk.and_then(|sdk| sdk.endpoint_url().map(str::to_owned));
        from_service.or(from_all).unwrap_or_else(|| {
            let region = region.map_or("us-east-1", |r| r.as_ref());
            format!("https://{host}.{region}.amazonaws.com")
        })
    }

    /// What is configured: mode, region, profile, role and its options, and whether secrets
    /// are set, never the secrets themselves.
    pub fn info(&self) -> AuthInfo {
        let Inner { mode, settings, .. } = &*self.inner;
        let mut info = AuthInfo {
            mode: ModeKind::Auto,
            region: settings.region.clone(),
            profile: None,
            access_key_id: None,
            session_token_set: false,
            role_arn: None,
            session_name: None,
            duration: None,
            external_id_set: false,
            mfa_serial: None,
            source: None,
            endpoint_url: settings.endpoint_url.clone(),
            bedrock_auth: self.bedrock_auth(),
            connect_timeout: settings.connect_timeout,
            operation_timeout: settings.operation_timeout,
            max_attempts: settings.max_attempts,
            credentials_expire_at: None,
        };
        match mode {
            ModeConfig::Profile(name) => {
                info.mode = ModeKind::Profile;
                info.profile = Some(name.clone());
            }
            ModeConfig::Environment => {
                info.mode = ModeKind::Environment;
                info.credentials_expire_at = crate::sources::environment_expiry(&settings.os);
            }
            ModeConfig::Static(keys) => {
                info.mode = ModeKind::Static;
                info.access_key_id = Some(keys.access_key_id.clone());
                info.session_token_set = keys.session_token.is_some();
            }
            ModeConfig::AssumeRole(role) => {
                info.mode = ModeKind::AssumeRole;
                info.role_arn = Some(role.role_arn.clone());
                info.session_name = role.session_name.clone();
                info.duration = Some(role.duration);
                info.external_id_set = role.external_id.is_some();
                info.mfa_serial = role.mfa.as_ref().map(|mfa| mfa.serial.clone());
                info.source = Some(match &role.source {
                    Source::Auto => RoleSource::Auto,
                    Source::Profile(name) => RoleSource::Profile(name.clone()),
                    Source::Environment => RoleSource::Environment,
                    Source::Static(keys) => RoleSource::Static(keys.access_key_id.clone()),
                });
            }
            ModeConfig::Auto => info.mode = ModeKind::Auto,
            ModeConfig::Custom(_) => info.mode = ModeKind::Custom,
            ModeConfig::ApiKey(_) => info.mode = ModeKind::ApiKey,
        }
        info
    }
}

/// A region given as text, or an `invalid_config` error that says what a region looks like.
fn parse_region(region: &str) -> Result<Region, AuthError> {
    region.parse().map_err(|err: crate::error::ValueError| {
        AuthError::new(
            ErrorKind::InvalidConfig,
            err.to_string(),
            "pass a region such as us-east-1",
        )
    })
}

impl fmt::Debug for AuthManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthManager")
            .field("mode", &self.inner.mode)
            .field("settings", &self.inner.settings)
            .finish()
    }
}

/// Who the credentials belong to, as STS `GetCallerIdentity` reports it.
///
/// Serializes as `account`, `arn`, `user_id`, or `api_key` in API-key mode (empty fields are
/// left out).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CallerIdentity {
    /// The 12-digit account id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub account: String,
    /// The principal's ARN, e.g. `arn:aws:sts::123456789012:assumed-role/Role/session`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub arn: String,
    /// The principal's unique id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user_id: String,
    /// In API-key mode, what the key is (Bedrock does not say whose it is, so the fields above
    /// are empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<ApiKeyInfo>,
}

impl fmt::Display for CallerIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.api_key {
            Some(key) => write!(f, "{key}"),
            None => write!(f, "{} (account {})", self.arn, self.account),
        }
    }
}

/// How a manager's Bedrock Runtime calls authenticate.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BedrockAuth {
    /// SigV4 signatures with the mode's credentials.
    SigV4,
    /// A Bedrock API key as a bearer token.
    ApiKey {
        /// Whether the key comes from `AWS_BEARER_TOKEN_BEDROCK`.
        from_env: bool,
    },
}

impl fmt::Display for BedrockAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SigV4 => "SigV4",
            Self::ApiKey { from_env: true } => "API key from AWS_BEARER_TOKEN_BEDROCK",
            Self::ApiKey { from_env: false } => "API key",
        })
    }
}

serialize_as_display!(BedrockAuth);

/// Which credentials an assumed role is requested with.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleSource {
    /// The default chain.
    Auto,
    /// A named profile.
    Profile(ProfileName),
    /// The `AWS_*` credential variables.
    Environment,
    /// A static key pair with this access key id.
    Static(AccessKeyId),
}

impl fmt::Display for RoleSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Auto => f.write_str("default chain"),
            Self::Profile(name) => write!(f, "profile {name}"),
            Self::Environment => f.write_str("environment"),
            Self::Static(id) => write!(f, "static key {id}"),
        }
    }
}

/// What an [`AuthManager`] is configured with. Holds no secret: only whether a session token,
/// an external id or MFA is set.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthInfo {
    /// The mode.
    pub mode: ModeKind,
    /// The explicit region, if any.
    pub region: Option<Region>,
    /// The profile (profile mode).
    pub profile: Option<ProfileName>,
    /// The access key id (static mode).
    pub access_key_id: Option<AccessKeyId>,
    /// Whether a session token is set (static mode).
    pub session_token_set: bool,
    /// The role (assume-role mode).
    pub role_arn: Option<RoleArn>,
    /// The role session name, if given (assume-role mode).
    pub session_name: Option<SessionName>,
    /// The role session duration (assume-role mode).
    pub duration: Option<SessionDuration>,
    /// Whether an external id is set (assume-role mode).
    pub external_id_set: bool,
    /// The MFA device, if MFA is set (assume-role mode).
    pub mfa_serial: Option<MfaSerial>,
    /// The source credentials (assume-role mode).
    pub source: Option<RoleSource>,
    /// The endpoint override, if any.
    pub endpoint_url: Option<EndpointUrl>,
    /// How Bedrock Runtime calls authenticate: SigV4, or an API key (API-key mode; auto mode
    /// when `AWS_BEARER_TOKEN_BEDROCK` is set, as in the SDK).
    pub bedrock_auth: BedrockAuth,
    /// The connect timeout.
    pub connect_timeout: Duration,
    /// The operation timeout.
    pub operation_timeout: Duration,
    /// How many times a request is tried in all.
    pub max_attempts: u32,
    /// When the credentials the manager was given say they expire: environment mode's
    /// `AWS_CREDENTIAL_EXPIRATION`. Credentials a mode fetches itself expire when
    /// [`health()`](AuthManager::health) says (`credentials_expire_at`).
    pub credentials_expire_at: Option<SystemTime>,
}

impl fmt::Display for AuthInfo {
    /// A short report, one `key: value` line per setting that applies.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn line(f: &mut fmt::Formatter<'_>, key: &str, value: impl fmt::Display) -> fmt::Result {
            write!(f, "\n{key:<18}{value}")
        }
        fn yes_no(set: bool) -> &'static str {
            if set { "set" } else { "not set" }
        }
        write!(f, "{:<18}{}", "mode:", self.mode)?;
        match &self.region {
            Some(region) => line(f, "region:", region)?,
            None => line(f, "region:", "from AWS_REGION or the profile")?,
        }
        if let Some(profile) = &self.profile {
            line(f, "profile:", profile)?;
        }
        if let Some(id) = &self.access_key_id {
            line(f, "access key id:", id)?;
            line(f, "session token:", yes_no(self.session_token_set))?;
        }
        if let Some(role) = &self.role_arn {
            line(f, "role:", role)?;
            match &self.session_name {
                Some(name) => line(f, "session name:", name)?,
                None => line(f, "session name:", "default")?,
            }
            if let Some(duration) = self.duration {
                line(f, "duration:", duration)?;
            }
            line(f, "external id:", yes_no(self.external_id_set))?;
            match &self.mfa_serial {
                Some(serial) => line(f, "mfa:", serial)?,
                None => line(f, "mfa:", "not set")?,
            }
            if let Some(source) = &self.source {
                line(f, "source:", source)?;
            }
        }
        if let Some(at) = self.credentials_expire_at {
            line(f, "expires:", crate::time::rfc3339(at))?;
        }
        if let Some(url) = &self.endpoint_url {
            line(f, "endpoint:", url)?;
        }
        line(f, "bedrock auth:", self.bedrock_auth)?;
        if self.mode == ModeKind::Auto && self.bedrock_auth != BedrockAuth::SigV4 {
            line(
                f,
                "note:",
                "AWS_BEARER_TOKEN_BEDROCK is set: Bedrock calls use that API key, as the SDK does",
            )?;
        }
        line(
            f,
            "timeouts:",
            format_args!(
                "connect {:?}, operation {:?}",
                self.connect_timeout, self.operation_timeout
            ),
        )?;
        line(f, "attempts:", self.max_attempts)
    }
}
