//! A manager's Bedrock Runtime clients (one per region, cached), the shared client's per-request
//! override, its bearer key in API-key mode, and how the errors of its calls are classified.

use std::sync::{Arc, PoisonError};

use aws_config::SdkConfig;
use aws_smithy_runtime_api::client::auth::http::HTTP_BEARER_AUTH_SCHEME_ID;
use secrecy::ExposeSecret;

use crate::api_key::ApiKeyInfo;
use crate::endpoint_guard::{AnswerLimit, EndpointGuard};
use crate::error::{AuthError, ErrorKind};
use crate::modes::{BEARER_TOKEN_VAR, BearerKey, ModeConfig};
use crate::monitor::{Watcher, turned_down, turned_down_key};
use crate::sdk_errors::{Call, classify};
use crate::shared::regional_retry_partition;
use crate::silent_stream::SilentStream;
use crate::sources::KeyCache;
use crate::values::Region;

use super::{AuthManager, BedrockAuth, CallerIdentity, parse_region};

impl AuthManager {
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
        // A key that cannot be had now fails here, before a client is made for it.
        self.api_key()?;
        let key = self.inner.key.as_ref();
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
        self.api_key()?;
        let sdk = self.base_config().await?;
        Ok(self.bedrock_config(&region, self.inner.key.as_ref(), sdk))
    }

    /// The configuration of this manager's Bedrock requests in `region`: for its own client
    /// of the region, or as a per-request override of the shared one.
    pub(super) fn bedrock_config(
        &self,
        region: &Region,
        key: Option<&KeyCache>,
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
                // The SDK's own bearer support: the key of each request (which refuses one
                // that has expired) and the scheme that sends it.
                config = config
                    .bearer_token_resolver(key.clone())
                    .auth_scheme_preference([HTTP_BEARER_AUTH_SCHEME_ID])
                    .interceptor(EndpointGuard::bearer(None));
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
        let mut watcher = Watcher::bedrock(&self.inner.monitor, bearer);
        if key.is_some_and(KeyCache::can_read_again) {
            watcher = watcher.dropping_keys();
        }
        config
            .interceptor(AnswerLimit {
                successes_too: false,
            })
            .interceptor(SilentStream {
                after: self.inner.settings.bedrock_timeout,
            })
            .interceptor(watcher)
    }

    /// Where this manager's Bedrock Runtime clients for `region` send their requests, as the
    /// SDK finds it: the builder's endpoint URL, else `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` (or a
    /// profile's `services` section), else `AWS_ENDPOINT_URL`, else the regional endpoint the
    /// SDK's rules choose with the FIPS and dual-stack settings
    /// (`https://bedrock-runtime-fips.us-east-1.amazonaws.com`). For messages that name the
    /// host a call went to ([`classify_error`](Self::classify_error)'s `endpoint`). Before the
    /// manager has loaded its configuration, the variables and files are not consulted.
    ///
    /// ```
    /// # async fn run() -> Result<(), bedrock_auth::AuthError> {
    /// let manager = bedrock_auth::AuthManager::builder().region("eu-west-1").environment().build()?;
    /// assert_eq!(
    ///     manager.bedrock_endpoint("eu-west-1"),
    ///     "https://bedrock-runtime.eu-west-1.amazonaws.com"
    /// );
    /// # Ok(())
    /// # }
    /// ```
    pub fn bedrock_endpoint(&self, region: &str) -> String {
        let region = aws_config::Region::new(region.to_owned());
        self.endpoint_for("Bedrock Runtime", "bedrock-runtime", Some(&region))
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
    pub(super) fn blame(&self, err: AuthError) -> AuthError {
        let after = self.inner.settings.operation_timeout;
        let err = self.inner.watches.blame(err, after);
        // The manager's monitor dropped them when it saw the answer.
        let err = match &self.inner.key {
            Some(key) if key.can_read_again() && turned_down_key(&err) => {
                let note = format!(
                    "the manager dropped this API key: its next call reads it again from {}",
                    key.source_name()
                );
                err.with_note(&note)
            }
            None if turned_down(&err) && self.has_credential_cache() => err.with_note(
                "the manager dropped these credentials: its next call reads them again from \
                 their source",
            ),
            _ => err,
        };
        let keys = self
            .inner
            .key
            .as_ref()
            .map(KeyCache::sent)
            .unwrap_or_default();
        let mut secrets: Vec<&str> = keys.iter().map(|key| key.token.token()).collect();
        if let ModeConfig::AssumeRole(role) = &self.inner.mode {
            secrets.extend(role.external_id.iter().map(|id| id.expose()));
        }
        if let Some(loaded) = self.inner.sdk.get() {
            secrets.extend(loaded.sent.iter().map(|sent| sent.expose_secret()));
        }
        err.without_secrets(secrets)
    }

    /// Whether the manager has loaded SigV4 credentials, which its monitor drops when AWS
    /// turns them down.
    fn has_credential_cache(&self) -> bool {
        let loaded = self.inner.sdk.get();
        loaded.is_some_and(|loaded| loaded.credentials.is_some())
    }

    /// API-key mode's key (`None` in other modes), read again first if it is due; or why it
    /// cannot be had, e.g. `no_credentials` naming `AWS_BEARER_TOKEN_BEDROCK` when the key was
    /// to come from it and it is not set.
    pub(super) fn api_key(&self) -> Result<Option<Arc<BearerKey>>, AuthError> {
        self.inner.key.as_ref().map(KeyCache::key).transpose()
    }

    pub(super) async fn validate_api_key(
        &self,
        key: &BearerKey,
    ) -> Result<CallerIdentity, AuthError> {
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
    pub(super) async fn api_key_ready(
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
    pub(super) fn bedrock_auth(&self) -> BedrockAuth {
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

    pub(super) fn cached_bedrock_client(
        &self,
        region: &str,
    ) -> Option<aws_sdk_bedrockruntime::Client> {
        let clients = self
            .inner
            .bedrock
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        clients.get(region).cloned()
    }

    pub(super) fn call<'a>(&self, operation: &'a str, endpoint: &'a str) -> Call<'a> {
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
    pub(super) fn env_key_info(&self) -> Option<ApiKeyInfo> {
        let mut key = self.inner.settings.os.env.get(BEARER_TOKEN_VAR).ok()?;
        let info = ApiKeyInfo::parse(key.trim()).ok();
        zeroize::Zeroize::zeroize(&mut key);
        info
    }

    /// Whether `operation` is a Bedrock call this manager makes with an API key.
    pub(super) fn bearer_for(&self, operation: &str) -> bool {
        operation.starts_with("Bedrock") && self.bedrock_auth() != BedrockAuth::SigV4
    }

    /// Where a client of this manager sends its requests, for messages, found as the SDK finds
    /// it: the builder's endpoint URL, else the service's own (`AWS_ENDPOINT_URL_STS`, a
    /// profile's `services` section), else `AWS_ENDPOINT_URL` or the profile's `endpoint_url`,
    /// else the service's regional endpoint.
    pub(super) fn endpoint_for(
        &self,
        service_id: &str,
        host: &str,
        region: Option<&aws_config::Region>,
    ) -> String {
        self.configured_endpoint(service_id).unwrap_or_else(|| {
            let sdk = self.inner.sdk.get().map(|loaded| &loaded.sdk);
            let region = region.map_or("us-east-1", |r| r.as_ref());
            // The loaded configuration's, else (before it is loaded) the builder's.
            let settings = &self.inner.settings;
            let fips = sdk.and_then(SdkConfig::use_fips).or(settings.use_fips);
            let dual_stack = sdk
                .and_then(SdkConfig::use_dual_stack)
                .or(settings.use_dual_stack);
            let (fips, dual_stack) = (fips.unwrap_or(false), dual_stack.unwrap_or(false));
            crate::endpoints::regional(service_id, region, fips, dual_stack)
                .unwrap_or_else(|| format!("https://{host}.{region}.amazonaws.com"))
        })
    }

    /// The endpoint set for the service, if one is: the builder's endpoint URL, else the
    /// service's own (`AWS_ENDPOINT_URL_STS`, a profile's `services` section), else
    /// `AWS_ENDPOINT_URL` or the profile's `endpoint_url`.
    pub(super) fn configured_endpoint(&self, service_id: &str) -> Option<String> {
        if let Some(url) = &self.inner.settings.endpoint_url {
            return Some(url.as_str().to_owned());
        }
        let sdk = self.inner.sdk.get().map(|loaded| &loaded.sdk);
        let from_service = sdk.and_then(|sdk| {
            let key = aws_types::service_config::ServiceConfigKey::builder()
                .service_id(service_id)
                .env("AWS_ENDPOINT_URL")
                .profile("endpoint_url")
                .build()
                .ok()?;
            sdk.service_config()?.load_config(key)
        });
        from_service.or_else(|| sdk.and_then(|sdk| sdk.endpoint_url().map(str::to_owned)))
    }
}
