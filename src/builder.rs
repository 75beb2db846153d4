//! [`AuthBuilder`]: the typestate builder for an [`AuthManager`], and the settings every mode
//! shares. Each mode's own methods (choosing it, and its options) are its part of
//! `src/modes/<mode>/builder.rs`.

use std::time::Duration;

use crate::error::{Problem, Rule, ValueError, ValueKind};
use crate::modes::{ModeState, Remake, WantsMode};
use crate::secret::{IntoSecret, SecretString};
use crate::settings::Settings;
use crate::values::{EndpointUrl, IntoValue, Region};

/// Builds an [`AuthManager`](crate::AuthManager); start with [`AuthManager::builder()`](crate::AuthManager::builder).
///
/// The type parameter `M` is the mode state ([`WantsMode`], then one of the
/// [`modes`](crate::modes): `Profile`, `Environment`, `StaticCredentials`, `AssumeRole`,
/// `Auto`, `CustomSource`, `ApiKey`). A method that makes no sense in the current state does
/// not compile, with a message that says what to call instead: `build()` before a mode, a
/// second mode, role options outside `AssumeRole`, a role's second source, an option
/// `AssumeRoleWithWebIdentity` does not take with a web identity source, a source session token
/// without a source key pair, a session token outside `StaticCredentials`, a plain string where
/// a secret belongs. `AssumeRole`'s own parameter is the state of its source
/// ([`WantsSource`](crate::modes::WantsSource) until one is chosen).
///
/// Values may be given as checked types ([`RoleArn`](crate::RoleArn), [`Region`], ...) or as strings; strings
/// are checked by [`build()`](Self::build), which reports every problem at once.
///
/// ```
/// use bedrock_auth::{AuthManager, RoleArn, SessionDuration};
///
/// const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/BedrockAccess");
///
/// let manager = AuthManager::builder()
///     .region("us-east-1")
///     .assume_role(ROLE)
///     .external_id("unique-external-id")
///     .session_name("orders-service")
///     .duration(SessionDuration::from_static_secs(7200))
///     .source_profile("base")
///     .build()?;
/// assert_eq!(manager.info().session_name.unwrap().as_str(), "orders-service");
/// # Ok::<(), bedrock_auth::ConfigError>(())
/// ```
#[must_use = "the builder does nothing until you call `build()`"]
#[derive(Debug)]
pub struct AuthBuilder<M: ModeState = WantsMode> {
    // Crate-visible so that the layers above add their own methods (`build()` in `manager`,
    // `sandbox()` in `testing`) without this module naming them.
    pub(crate) mode: M,
    pub(crate) settings: Settings,
    pub(crate) problems: Vec<Problem>,
    /// How a manager made from a configuration makes its mode again.
    pub(crate) remake: Option<Remake>,
}

impl AuthBuilder<WantsMode> {
    pub(crate) fn new() -> Self {
        Self {
            mode: WantsMode,
            settings: Settings::default(),
            problems: Vec::new(),
            remake: None,
        }
    }
}

impl<M: ModeState> AuthBuilder<M> {
    pub(crate) fn with_mode<N: ModeState>(self, mode: N) -> AuthBuilder<N> {
        self.map_mode(|_| mode)
    }

    /// The builder in the state `change` makes of its mode.
    pub(crate) fn map_mode<N: ModeState>(self, change: impl FnOnce(M) -> N) -> AuthBuilder<N> {
        AuthBuilder {
            mode: change(self.mode),
            settings: self.settings,
            problems: self.problems,
            remake: self.remake,
        }
    }

    /// Checks `input`, recording a problem for `field` when it is invalid.
    pub(crate) fn check<T>(&mut self, field: &'static str, input: impl IntoValue<T>) -> Option<T> {
        input
            .into_value()
            .map_err(|error| self.problems.push(Problem::new(field, error)))
            .ok()
    }

    /// Wraps a secret, recording a problem for `field` when it is empty.
    pub(crate) fn secret(
        &mut self,
        field: &'static str,
        kind: ValueKind,
        input: impl IntoSecret,
    ) -> SecretString {
        use secrecy::ExposeSecret;
        let secret = input.into_secret();
        if secret.expose_secret().is_empty() {
            let error = ValueError::without_value(kind, Rule::Empty);
            self.problems.push(Problem::new(field, error));
        }
        secret
    }

    pub(crate) fn timeout(
        &mut self,
        field: &'static str,
        timeout: Duration,
        max: Duration,
    ) -> Duration {
        let rule = if timeout.is_zero() {
            Some(Rule::ZeroTimeout)
        } else if timeout > max {
            Some(Rule::TimeoutTooLong {
                max_secs: max.as_secs(),
            })
        } else {
            None
        };
        match rule {
            Some(rule) => {
                // `0`, not `0ns`: a config gives it in ms or s, the builder as a Duration.
                let value = if timeout.is_zero() {
                    "0".to_owned()
                } else {
                    format!("{timeout:?}")
                };
                let error = ValueError::new(ValueKind::Timeout, &value, rule);
                self.problems.push(Problem::new(field, error));
                // Never handed to the SDK: a recorded problem fails the build.
                timeout.min(max)
            }
            None => timeout,
        }
    }

    /// `n` if it is in `range`, else `None` with the rule's problem recorded.
    pub(crate) fn count(
        &mut self,
        field: &'static str,
        n: u32,
        (range, rule): (std::ops::RangeInclusive<u32>, Rule),
    ) -> Option<u32> {
        if range.contains(&n) {
            return Some(n);
        }
        let error = ValueError::new(ValueKind::MaxAttempts, &n.to_string(), rule);
        self.problems.push(Problem::new(field, error));
        None
    }

    // ----- options for every mode -------------------------------------------------------

    /// The region for STS and the default Bedrock client. Without it the region comes from
    /// `AWS_REGION` / `AWS_DEFAULT_REGION`, else from the profile's `region`, as in the SDK.
    pub fn region(mut self, region: impl IntoValue<Region>) -> Self {
        self.settings.region = self.check("region", region);
        self
    }

    /// Sends every request (STS included) to this endpoint instead of AWS, e.g. a local test
    /// server. The standard `AWS_ENDPOINT_URL*` variables also work.
    pub fn endpoint_url(mut self, url: impl IntoValue<EndpointUrl>) -> Self {
        self.settings.endpoint_url = self.check("endpoint_url", url);
        self
    }

    /// How long to wait for a TCP/TLS connection; default
    /// [`DEFAULT_CONNECT_TIMEOUT`](crate::limits::DEFAULT_CONNECT_TIMEOUT). Must not be zero, nor
    /// longer than [`MAX_CONNECT_TIMEOUT`](crate::limits::MAX_CONNECT_TIMEOUT).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = self.timeout(
            "connect_timeout",
            timeout,
            crate::settings::MAX_CONNECT_TIMEOUT,
        );
        self
    }

    /// How long one whole operation may take, retries included; default
    /// [`DEFAULT_OPERATION_TIMEOUT`](crate::limits::DEFAULT_OPERATION_TIMEOUT). Must not be zero, nor
    /// longer than [`MAX_OPERATION_TIMEOUT`](crate::limits::MAX_OPERATION_TIMEOUT).
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.settings.operation_timeout = self.timeout(
            "operation_timeout",
            timeout,
            crate::settings::MAX_OPERATION_TIMEOUT,
        );
        self
    }

    /// How long one Bedrock Runtime call may take, retries included: the whole answer of
    /// `Converse` or `InvokeModel`, the first event of a stream; default
    /// [`DEFAULT_BEDROCK_TIMEOUT`](crate::limits::DEFAULT_BEDROCK_TIMEOUT) (60 minutes, for models that
    /// think at length). The credentials such a call needs are still bounded by
    /// [`operation_timeout`](Self::operation_timeout). Must not be zero, nor longer than
    /// [`MAX_OPERATION_TIMEOUT`](crate::limits::MAX_OPERATION_TIMEOUT).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let manager = bedrock_auth::AuthManager::builder()
    ///     .region("us-east-1")
    ///     .auto()
    ///     .operation_timeout(Duration::from_secs(10)) // credentials and STS
    ///     .bedrock_timeout(Duration::from_secs(15 * 60)) // a model's answer
    ///     .build()?;
    /// # let _ = manager;
    /// # Ok::<(), bedrock_auth::ConfigError>(())
    /// ```
    pub fn bedrock_timeout(mut self, timeout: Duration) -> Self {
        self.settings.bedrock_timeout = self.timeout(
            "bedrock_timeout",
            timeout,
            crate::settings::MAX_OPERATION_TIMEOUT,
        );
        self
    }

    /// How many times a request is tried in all (the first try included), with the SDK's
    /// standard backoff; default [`DEFAULT_MAX_ATTEMPTS`](crate::limits::DEFAULT_MAX_ATTEMPTS). `1`
    /// turns retries off. Must be 1 to 10.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        let range = (1..=10, Rule::AttemptsRange);
        if let Some(attempts) = self.count("max_attempts", attempts, range) {
            self.settings.max_attempts = attempts;
        }
        self
    }

    /// How long to wait for the EC2 instance metadata service, per attempt (auto mode, a role
    /// sourced from the default chain, a profile with `credential_source =
    /// Ec2InstanceMetadata`). Off EC2, `Duration::from_millis(100)` with
    /// [`metadata_attempts(1)`](Self::metadata_attempts) gives up on it in 100 ms. Without it,
    /// `AWS_METADATA_SERVICE_TIMEOUT` (seconds) or the profile's `metadata_service_timeout`
    /// apply, as in botocore; else aws-config's own (1 s per attempt, 4 attempts). aws-config
    /// cuts an attempt at 1 s whatever is set here. At most
    /// [`MAX_METADATA_TIMEOUT`](crate::limits::MAX_METADATA_TIMEOUT).
    pub fn metadata_timeout(mut self, timeout: Duration) -> Self {
        let timeout = self.timeout(
            "metadata_timeout",
            timeout,
            crate::settings::MAX_METADATA_TIMEOUT,
        );
        self.settings.metadata_timeout = Some(timeout);
        self
    }

    /// How many times a metadata request is tried (1 to 10); see
    /// [`metadata_timeout`](Self::metadata_timeout). Without it,
    /// `AWS_METADATA_SERVICE_NUM_ATTEMPTS` or the profile's `metadata_service_num_attempts`.
    pub fn metadata_attempts(mut self, attempts: u32) -> Self {
        let range = (1..=10, Rule::AttemptsRange);
        self.settings.metadata_attempts = self.count("metadata_attempts", attempts, range);
        self
    }

    /// Sends every request through this proxy (`http://proxy.internal:3128`), except to the
    /// hosts of `NO_PROXY`. Without it, the manager honours `HTTPS_PROXY`, `HTTP_PROXY` and
    /// `NO_PROXY` (either case) as boto3 and the AWS CLI do. `https://` endpoints are reached
    /// with `CONNECT` only: a signed request or a bearer key never reaches the proxy in the
    /// clear. A proxy that wants credentials takes them in `HTTPS_PROXY`
    /// (`http://user:password@host:port`), not here.
    pub fn proxy(mut self, url: impl IntoValue<EndpointUrl>) -> Self {
        if let Some(url) = self.check("proxy", url) {
            self.settings.proxy = crate::proxy::ProxyChoice::Url(url.as_str().to_owned());
        }
        self
    }

    /// Shares what is the same for every tenant of a service (the HTTP client and its
    /// connection pool, its proxy) with the other managers given the same [`Shared`](crate::Shared); this
    /// manager's credentials, caches, clients and lockout stay its own. The shared client's
    /// proxy wins over [`proxy`](Self::proxy), and the shared HTTP client over a test
    /// sandbox's (`Sandbox::http_client`).
    pub fn shared(mut self, shared: &crate::shared::Shared) -> Self {
        self.settings.shared = Some(shared.clone());
        self
    }

    /// Trusts the certificate authorities of this CA bundle (a file of one or more PEM
    /// certificates) for every HTTPS connection the manager makes (STS, the SSO portal, AWS
    /// Sign-In, Bedrock), instead of the system's roots, as the AWS CLI's `--ca-bundle` does:
    /// for a TLS-intercepting proxy or a private endpoint with a private CA. Without it,
    /// `AWS_CA_BUNDLE`, then the profile's `ca_bundle`, as the AWS CLI and boto3 read them. The
    /// file is read and every certificate parsed by [`build`](Self::build): a missing or
    /// unreadable file, or one without a certificate, is a problem of `ca_bundle`. A
    /// [`shared`](Self::shared) client keeps its own trust.
    pub fn ca_bundle(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.settings.ca_bundle = Some(path.into());
        self
    }

    /// Sends every request to AWS's FIPS 140 endpoints (`sts-fips.us-east-1.amazonaws.com`,
    /// `bedrock-runtime-fips.us-east-1.amazonaws.com`), or, with `false`, to the regular ones
    /// whatever the environment says. Without it, `AWS_USE_FIPS_ENDPOINT`, then the profile's
    /// `use_fips_endpoint`, as aws-config reads them; a value there that is neither `true` nor
    /// `false` is refused, not passed over. AWS's endpoint rules refuse FIPS with a custom
    /// endpoint: with [`endpoint_url`](Self::endpoint_url) too, it is a problem of
    /// `use_fips_endpoint`.
    ///
    /// ```
    /// let manager = bedrock_auth::AuthManager::builder()
    ///     .region("us-east-1")
    ///     .use_fips(true)
    ///     .environment()
    ///     .build()?;
    /// assert_eq!(
    ///     manager.bedrock_endpoint("us-east-1"),
    ///     "https://bedrock-runtime-fips.us-east-1.amazonaws.com"
    /// );
    /// # Ok::<(), bedrock_auth::AuthError>(())
    /// ```
    pub fn use_fips(mut self, on: bool) -> Self {
        self.settings.use_fips = Some(on);
        self
    }

    /// Sends every request to AWS's dual-stack (IPv4 and IPv6) endpoints
    /// (`sts.us-east-1.api.aws`), or, with `false`, to the regular ones. Without it,
    /// `AWS_USE_DUALSTACK_ENDPOINT`, then the profile's `use_dualstack_endpoint`; a value
    /// there that is neither `true` nor `false` is refused.
    pub fn use_dual_stack(mut self, on: bool) -> Self {
        self.settings.use_dual_stack = Some(on);
        self
    }

    /// No proxy, whatever `HTTPS_PROXY` and `HTTP_PROXY` say.
    pub fn without_proxy(mut self) -> Self {
        self.settings.proxy = crate::proxy::ProxyChoice::Off;
        self
    }

    /// Lockout: after `failures` authentication failures in a row (`invalid_credentials`,
    /// `expired_credentials`, `role_refused`), every call fails fast with
    /// [`ErrorKind::LockedOut`](crate::ErrorKind::LockedOut), sending nothing, until
    /// `cool_down` has passed or [`reset_lockout()`](crate::AuthManager::reset_lockout) is
    /// called; a success resets the count. Network errors, throttling and requests denied with
    /// accepted credentials (`access_denied`: a model without access) do not count. Off
    /// unless set; `failures` is 1 to 1000, `cool_down` more than zero and at most
    /// [`MAX_LOCKOUT_COOL_DOWN`](crate::limits::MAX_LOCKOUT_COOL_DOWN).
    ///
    /// This keeps a service with a revoked key from hammering STS; the
    /// [`health()`](crate::AuthManager::health) snapshot says when it is locked out.
    pub fn lockout_after(mut self, failures: u32, cool_down: Duration) -> Self {
        let cool_down = self.timeout(
            "lockout_cool_down",
            cool_down,
            crate::settings::MAX_LOCKOUT_COOL_DOWN,
        );
        let range = (1..=1000, Rule::LockoutRange);
        if let Some(after) = self.count("lockout_after", failures, range) {
            self.settings.lockout = Some(crate::settings::Lockout { after, cool_down });
        }
        self
    }

    // Choosing the mode: each mode's method is in its own file, `src/modes/<mode>/builder.rs`.
}
