//! [`AuthManager`], the validated result of the builder: its credentials, its STS and Bedrock
//! clients (`bedrock.rs`), and what it reports of itself (`reports.rs`).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use aws_config::SdkConfig;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use tokio::sync::OnceCell;

use crate::api_key::ShortTermKey;
use crate::bounded::Watches;
use crate::builder::AuthBuilder;
use crate::error::{AuthError, ErrorKind};
use crate::error::{ConfigError, Problem};
use crate::mode_kind::ModeKind;
use crate::modes::{ModeChosen, ModeConfig, ModeState, Remake, WantsMode};
use crate::monitor::{Health, Monitor};
use crate::printable::printable;
use crate::sdk_errors::{Call, classify, classify_credentials};
use crate::settings::Settings;
use crate::sources::{Inputs, KeyCache, Loaded, load_sdk_config, sts_config};
use crate::values::Region;

mod bedrock;
mod openai;
mod reports;

pub use openai::{OpenAiApi, OpenAiEndpoint};
pub use reports::{AuthInfo, BedrockAuth, CallerIdentity, RoleSource};

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
    sdk: OnceCell<Loaded>,
    /// The credential sources that can hang, to name the one that did.
    watches: Arc<Watches>,
    /// What the manager has seen: health, lockout, audit events, metrics.
    monitor: Arc<Monitor>,
    sts: OnceCell<aws_sdk_sts::Client>,
    bedrock: RwLock<HashMap<Region, aws_sdk_bedrockruntime::Client>>,
    /// How a manager made from a configuration makes its mode again.
    remake: Option<Remake>,
    /// API-key mode's key, read again when it changes.
    key: Option<KeyCache>,
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
            remake,
        } = self;
        check_ca_bundle(&settings, &mut problems);
        check_endpoint_variants(&settings, &mut problems);
        match mode.finish(&settings, &mut problems) {
            Some(mode) if problems.is_empty() => Ok(AuthManager::new(mode, settings, remake)),
            // A mode that did not finish always recorded why.
            _ => Err(ConfigError::new(problems)),
        }
    }
}

/// FIPS or dual-stack endpoints with the builder's endpoint URL, or with a custom endpoint's
/// variable (`AWS_ENDPOINT_URL`, and STS's and Bedrock Runtime's own, unless
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is on): AWS's endpoint rules refuse the pair, so it is
/// a problem of the setting that is on, found when the manager is built (a profile's
/// endpoints, read with the profile, are refused when it is loaded).
fn check_endpoint_variants(settings: &Settings, problems: &mut Vec<Problem>) {
    use crate::error::Rule;
    let rule = match endpoint_variable(&settings.os) {
        _ if settings.endpoint_url.is_some() => Rule::FipsWithCustomEndpoint,
        Some(variable) => Rule::FipsWithEndpointVariable { variable },
        None => return,
    };
    let variants = [
        (settings.use_fips, crate::endpoints::FIPS),
        (settings.use_dual_stack, crate::endpoints::DUAL_STACK),
    ];
    for (on, variant) in variants {
        if on == Some(true) {
            let error = crate::error::ValueError::new(crate::error::ValueKind::Fips, "true", rule);
            problems.push(Problem::new(variant.key, error));
        }
    }
}

/// The first variable that gives STS or Bedrock Runtime a custom endpoint, as aws-config reads
/// them (`AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns them all off).
fn endpoint_variable(os: &crate::os::Os) -> Option<&'static str> {
    let ignored = os
        .var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    if ignored {
        return None;
    }
    [
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_STS",
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
    ]
    .into_iter()
    .find(|name| os.var(name).is_some())
}

/// The CA bundle the builder or `AWS_CA_BUNDLE` names, read and parsed now (a profile's, when
/// its profile is read): a problem of `ca_bundle` (or `AWS_CA_BUNDLE`) when it cannot be used.
fn check_ca_bundle(settings: &Settings, problems: &mut Vec<Problem>) {
    if settings.shared.is_some() {
        return;
    }
    let Err(trouble) = crate::tls::resolve(&settings.os, settings.ca_bundle.as_deref(), None)
    else {
        return;
    };
    let (field, path) = match &settings.ca_bundle {
        Some(path) => ("ca_bundle", path.to_string_lossy().into_owned()),
        None => (
            "AWS_CA_BUNDLE",
            settings.os.var("AWS_CA_BUNDLE").unwrap_or_default(),
        ),
    };
    tracing::debug!(problem = %trouble, "the CA bundle cannot be used");
    let error =
        crate::error::ValueError::new(crate::error::ValueKind::CaBundle, &path, trouble.rule);
    problems.push(Problem::new(field, error));
}

impl AuthManager {
    /// A builder with no mode chosen yet.
    pub fn builder() -> AuthBuilder<WantsMode> {
        AuthBuilder::new()
    }

    /// The manager of a checked mode; `remake` makes the mode again when its credentials are
    /// read again (a manager made from a configuration).
    fn new(mode: ModeConfig, settings: Settings, remake: Option<Remake>) -> Self {
        // One HTTP client, so every SDK client of this manager shares its connection pool.
        let http = match (&settings.shared, &settings.os.http) {
            (Some(shared), _) => shared.http.clone(),
            (None, Some(http)) => http.clone(),
            // Checked by `build()`; a bundle that cannot be read now (changed since) refuses
            // every request rather than trust the system's roots instead.
            (None, None) => {
                match crate::tls::resolve(&settings.os, settings.ca_bundle.as_deref(), None) {
                    Ok(ca) => {
                        crate::proxy::https_client(&settings.os, &settings.proxy, ca.as_ref())
                    }
                    Err(trouble) => crate::proxy::refusing_client(trouble.message),
                }
            }
        };
        let monitor = Arc::new(Monitor::new(
            mode.kind(),
            settings.lockout,
            settings.os.clock(),
        ));
        Self {
            inner: Arc::new(Inner {
                key: KeyCache::new(&mode, &settings.os, remake.as_ref(), &monitor),
                monitor,
                mode,
                settings,
                http,
                sdk: OnceCell::new(),
                watches: Arc::default(),
                sts: OnceCell::new(),
                bedrock: RwLock::new(HashMap::new()),
                remake,
            }),
        }
    }

    /// The checked mode.
    pub(crate) fn mode_config(&self) -> &ModeConfig {
        &self.inner.mode
    }

    /// A reference that does not keep the manager alive: for a registry of tenants that must
    /// not hold on to a tenant the service dropped.
    pub fn downgrade(&self) -> WeakAuthManager {
        WeakAuthManager(Arc::downgrade(&self.inner))
    }

    /// The mode.
    pub fn mode(&self) -> ModeKind {
        self.inner.mode.kind()
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
        Ok(&self.loaded().await?.sdk)
    }

    /// The loaded configuration and the credential cache, loaded on first use.
    async fn loaded(&self) -> Result<&Loaded, AuthError> {
        let inner = &*self.inner;
        inner
            .sdk
            .get_or_try_init(|| async {
                let inputs = Inputs {
                    mode: inner.mode.clone(),
                    settings: inner.settings.clone(),
                    http: inner.http.clone(),
                    watches: inner.watches.clone(),
                    monitor: inner.monitor.clone(),
                    remake: inner.remake.clone(),
                };
                load_sdk_config(&inputs).await
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

    /// Forgets the cached credentials and reads them again from their source now, e.g. after
    /// a rotation: the shared config and credentials files, the environment, a
    /// `credential_process`, an SSO or `aws login` session, the program's own source, and in
    /// assume-role mode the role's source and then a new `AssumeRole`. Every client of this
    /// manager, the cached Bedrock clients included, uses the new credentials from its next
    /// request on; nothing is rebuilt. Bounded by the operation timeout; recorded in
    /// [`health()`](Self::health) (`credentials_resolved_because: refresh`) and by an audit
    /// event.
    ///
    /// In API-key mode it reads the key again from where it came from:
    /// `AWS_BEARER_TOKEN_BEDROCK`, or the `{ file = }` / `{ env = }` of a configuration; a
    /// key given in code is kept, and nothing is read.
    ///
    /// A failure is the source's error, and the old credentials are not used again. Static
    /// mode reads the same keys.
    pub async fn refresh_credentials(&self) -> Result<(), AuthError> {
        self.inner.monitor.check()?;
        if let Some(key) = &self.inner.key {
            return key.refresh().map_err(|err| self.recorded(err));
        }
        let loaded = self.loaded().await.map_err(|err| self.recorded(err))?;
        let Some(credentials) = &loaded.credentials else {
            return Ok(());
        };
        // Each source inside is bounded by the operation timeout, and names itself when it
        // hangs; the resolution as a whole has the credential cache's backstop.
        let renewed = credentials
            .renew(crate::monitor::ResolvedBecause::Refresh)
            .await;
        renewed.map_err(|err| {
            let call = Call {
                operation: "refreshing credentials",
                mode: self.mode(),
                role: None,
                endpoint: None,
                bearer: false,
            };
            self.blame(classify_credentials(err, call))
        })
    }

    /// The manager's credentials, as every client of it signs with them: the cached ones, or
    /// resolved now when there are none yet or they are due (which makes no call but the
    /// source's own, e.g. STS `AssumeRole` in assume-role mode, instance metadata in auto mode
    /// on EC2). For checking where credentials come from and handing them to code outside the
    /// AWS SDK; to read them again from their source now, call
    /// [`refresh_credentials`](Self::refresh_credentials) first.
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
    /// Signed with the manager's cached credentials ([`credentials`](Self::credentials)): a key
    /// costs no call while they last. Make a key once and keep it until it expires rather than
    /// one per request.
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
            return self.validate_api_key(&key).await;
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
