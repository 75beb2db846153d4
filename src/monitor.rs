//! What a manager has seen: a [`Health`] snapshot for a health endpoint, lockout after repeated
//! authentication failures, audit events under the `tracing` target `bedrock_auth::audit`, and
//! (with the `metrics` feature) counters, a histogram and a gauge through the `metrics` facade.
//!
//! Outcomes are recorded once each, where they are seen:
//! - an interceptor on every client of the manager (STS, the role's STS, Bedrock) records each
//!   operation's answer: a 2xx is a success, an error answer a failure of its kind, a
//!   connection or timeout error a failure of the network; and it refuses every operation, before
//!   anything is resolved or sent, while the manager is locked out;
//! - the manager's credential provider records each resolution (and the failures no service
//!   answered, such as `no_credentials` or `timed_out`);
//! - `validate()` records the principal, role assumption and key generation their events.
//!
//! Only failures to authenticate count toward lockout: `invalid_credentials`,
//! `expired_credentials` and `role_refused` (a bearer key refused is `invalid_credentials`).
//! A request-level denial (`access_denied`: a model without access, an action the policy does
//! not allow on one resource) is counted apart, in `denied_requests`; the network, throttling
//! and the rest are recorded as the last failure, and that is all.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwapOption;
use aws_smithy_async::time::SharedTimeSource;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use crate::error::{AuthError, ErrorKind};
use crate::mode_kind::ModeKind;
use crate::sdk_errors::read_answer;
use crate::settings::Lockout;
use crate::time::rfc3339;

/// The `tracing` target of the audit events.
pub const AUDIT_TARGET: &str = "bedrock_auth::audit";

/// What a manager has seen, at one moment: for a health endpoint. Cheap to take (atomic reads,
/// no lock) and holds no secret. Serializes with its times in RFC 3339.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Health {
    /// Authentication failures in a row (`invalid_credentials`, `expired_credentials`,
    /// `role_refused`): what lockout counts. A success sets it back to 0.
    pub consecutive_failures: u32,
    /// Requests denied with credentials that were accepted (`access_denied`: a model whose
    /// access is not enabled, an action the policy does not allow), since the manager was
    /// built. They never count toward lockout.
    pub denied_requests: u64,
    /// When a call last succeeded.
    #[serde(serialize_with = "crate::time::serialize_rfc3339")]
    pub last_success: Option<SystemTime>,
    /// The principal last proven (`validate()`) or assumed (role mode), when known.
    pub principal: Option<String>,
    /// When a call last failed, for any reason.
    #[serde(serialize_with = "crate::time::serialize_rfc3339")]
    pub last_failure: Option<SystemTime>,
    /// The kind of that failure.
    pub last_failure_kind: Option<ErrorKind>,
    /// When the current credentials expire, when they do and are known.
    #[serde(serialize_with = "crate::time::serialize_rfc3339")]
    pub credentials_expire_at: Option<SystemTime>,
    /// How many times the credentials were resolved again after the first time.
    pub refreshes: u64,
    /// Until when calls are refused (`locked_out`), while the manager is locked out.
    #[serde(serialize_with = "crate::time::serialize_rfc3339")]
    pub locked_until: Option<SystemTime>,
}

impl Health {
    /// Whether calls are refused now.
    pub fn is_locked_out(&self) -> bool {
        self.locked_until.is_some()
    }
}

/// One manager's record. Times are Unix milliseconds, 0 for never.
#[derive(Debug)]
pub(crate) struct Monitor {
    mode: ModeKind,
    lockout: Option<Lockout>,
    clock: SharedTimeSource,
    consecutive: AtomicU32,
    streak_since: AtomicU64,
    last_success: AtomicU64,
    last_failure: AtomicU64,
    last_failure_kind: AtomicU8,
    expires_at: AtomicU64,
    resolutions: AtomicU64,
    locked_until: AtomicU64,
    denied: AtomicU64,
    principal: ArcSwapOption<String>,
}

fn millis(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .max(1)
}

fn time(ms: u64) -> Option<SystemTime> {
    (ms != 0).then(|| SystemTime::UNIX_EPOCH + Duration::from_millis(ms))
}

/// Whether a failure of this kind says the credentials themselves are refused.
fn counts(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::InvalidCredentials | ErrorKind::ExpiredCredentials | ErrorKind::RoleRefused
    )
}

impl Monitor {
    pub(crate) fn new(mode: ModeKind, lockout: Option<Lockout>, clock: SharedTimeSource) -> Self {
        Self {
            mode,
            lockout,
            clock,
            consecutive: AtomicU32::new(0),
            streak_since: AtomicU64::new(0),
            last_success: AtomicU64::new(0),
            last_failure: AtomicU64::new(0),
            last_failure_kind: AtomicU8::new(0),
            expires_at: AtomicU64::new(0),
            resolutions: AtomicU64::new(0),
            locked_until: AtomicU64::new(0),
            denied: AtomicU64::new(0),
            principal: ArcSwapOption::empty(),
        }
    }

    /// The mode of the manager.
    pub(crate) fn mode(&self) -> ModeKind {
        self.mode
    }

    fn now(&self) -> u64 {
        millis(self.clock.now())
    }

    /// `locked_out` while the manager is locked out; nothing is to be resolved or sent.
    pub(crate) fn check(&self) -> Result<(), AuthError> {
        let until = self.locked_until.load(Ordering::Acquire);
        if until == 0 || self.now() >= until {
            return Ok(());
        }
        let failures = self.consecutive.load(Ordering::Acquire);
        let since = time(self.streak_since.load(Ordering::Acquire)).map(rfc3339);
        let last = ErrorKind::from_index(self.last_failure_kind.load(Ordering::Acquire));
        tracing::debug!(target: AUDIT_TARGET, event = "refused", mode = %self.mode, "locked out: call refused");
        Err(AuthError::locked_out(
            failures,
            since.as_deref().unwrap_or("?"),
            last,
            &time(until).map(rfc3339).unwrap_or_default(),
        ))
    }

    /// A call succeeded; `principal` is who it proved, when known.
    pub(crate) fn success(&self, principal: Option<&str>) {
        self.last_success.store(self.now(), Ordering::Release);
        self.consecutive.store(0, Ordering::Release);
        self.locked_until.store(0, Ordering::Release);
        if let Some(principal) = principal {
            self.principal.store(Some(Arc::new(principal.to_owned())));
        }
    }

    /// A call failed with `err`. Authentication failures count toward lockout; reaching the
    /// limit locks the manager out for the cool-down.
    pub(crate) fn failure(&self, err: &AuthError) {
        let kind = err.kind();
        if kind == ErrorKind::LockedOut {
            return;
        }
        let now = self.now();
        self.last_failure.store(now, Ordering::Release);
        self.last_failure_kind
            .store(kind.index(), Ordering::Release);
        #[cfg(feature = "metrics")]
        metrics::counter!("bedrock_auth_failures_total", "mode" => self.mode.as_str(), "kind" => kind.as_str())
            .increment(1);
        tracing::warn!(
            target: AUDIT_TARGET,
            event = "auth_failed",
            mode = %self.mode,
            kind = %kind,
            status = err.http_status(),
            "call failed"
        );
        if kind == ErrorKind::AccessDenied {
            self.denied.fetch_add(1, Ordering::AcqRel);
        }
        if !counts(kind) {
            return;
        }
        let failures = self.consecutive.fetch_add(1, Ordering::AcqRel) + 1;
        if failures == 1 {
            self.streak_since.store(now, Ordering::Release);
        }
        if let Some(lockout) = self.lockout
            && failures >= lockout.after
        {
            let cool_down = u64::try_from(lockout.cool_down.as_millis()).unwrap_or(u64::MAX);
            let until = now.saturating_add(cool_down);
            self.locked_until.store(until, Ordering::Release);
            tracing::warn!(
                target: AUDIT_TARGET,
                event = "locked_out",
                mode = %self.mode,
                kind = %kind,
                failures,
                until = %time(until).map(rfc3339).unwrap_or_default(),
                "locked out after repeated authentication failures"
            );
        }
    }

    /// The credentials were resolved (again), expiring at `expires_at`, in `took`.
    pub(crate) fn resolved(&self, expires_at: Option<SystemTime>, took: Duration) {
        let before = self.resolutions.fetch_add(1, Ordering::AcqRel);
        self.expires_at
            .store(expires_at.map_or(0, millis), Ordering::Release);
        let event = if before == 0 {
            "credentials_resolved"
        } else {
            "credentials_refreshed"
        };
        tracing::info!(
            target: AUDIT_TARGET,
            event,
            mode = %self.mode,
            expires_at = expires_at.map(rfc3339),
            "credentials resolved"
        );
        #[cfg(feature = "metrics")]
        {
            let mode = self.mode.as_str();
            metrics::counter!("bedrock_auth_credential_resolutions_total", "mode" => mode)
                .increment(1);
            if before > 0 {
                metrics::counter!("bedrock_auth_credential_refreshes_total", "mode" => mode)
                    .increment(1);
            }
            metrics::histogram!("bedrock_auth_credential_resolution_seconds", "mode" => mode)
                .record(took.as_secs_f64());
            self.expiry_gauge();
        }
        #[cfg(not(feature = "metrics"))]
        let _ = took;
    }

    /// Sets the gauge of seconds until the credentials expire.
    #[cfg(feature = "metrics")]
    fn expiry_gauge(&self) {
        if let Some(at) = time(self.expires_at.load(Ordering::Acquire)) {
            let left = at
                .duration_since(self.clock.now())
                .map_or(0.0, |d| d.as_secs_f64());
            metrics::gauge!("bedrock_auth_credentials_expiry_seconds", "mode" => self.mode.as_str())
                .set(left);
        }
    }

    /// An audit event of a success: `validated`, `role_assumed`, `api_key_generated`.
    pub(crate) fn audit(
        &self,
        event: &'static str,
        region: Option<&str>,
        principal: Option<&str>,
        expires_at: Option<SystemTime>,
    ) {
        tracing::info!(
            target: AUDIT_TARGET,
            event,
            mode = %self.mode,
            region,
            principal,
            expires_at = expires_at.map(rfc3339),
            "{event}"
        );
        #[cfg(feature = "metrics")]
        if event == "validated" {
            metrics::counter!("bedrock_auth_validations_total", "mode" => self.mode.as_str())
                .increment(1);
        }
    }

    /// An STS operation was made (for the metrics).
    fn sts_call(&self, operation: &str) {
        #[cfg(feature = "metrics")]
        metrics::counter!(
            "bedrock_auth_sts_calls_total",
            "mode" => self.mode.as_str(),
            "operation" => operation.to_owned()
        )
        .increment(1);
        #[cfg(not(feature = "metrics"))]
        let _ = operation;
    }

    /// Forgets the lockout and the failure count.
    pub(crate) fn reset(&self) {
        self.consecutive.store(0, Ordering::Release);
        self.locked_until.store(0, Ordering::Release);
        tracing::info!(target: AUDIT_TARGET, event = "lockout_reset", mode = %self.mode, "lockout reset");
    }

    pub(crate) fn health(&self) -> Health {
        #[cfg(feature = "metrics")]
        self.expiry_gauge();
        let locked_until = self.locked_until.load(Ordering::Acquire);
        Health {
            consecutive_failures: self.consecutive.load(Ordering::Acquire),
            denied_requests: self.denied.load(Ordering::Acquire),
            last_success: time(self.last_success.load(Ordering::Acquire)),
            principal: self.principal.load_full().map(|p| p.as_ref().clone()),
            last_failure: time(self.last_failure.load(Ordering::Acquire)),
            last_failure_kind: ErrorKind::from_index(
                self.last_failure_kind.load(Ordering::Acquire),
            ),
            credentials_expire_at: time(self.expires_at.load(Ordering::Acquire)),
            refreshes: self.resolutions.load(Ordering::Acquire).saturating_sub(1),
            locked_until: (locked_until > self.now())
                .then(|| time(locked_until))
                .flatten(),
        }
    }
}

/// On every client of a manager: refuses operations while it is locked out, and records each
/// operation's outcome.
#[derive(Debug, Clone)]
pub(crate) struct Watcher {
    monitor: Arc<Monitor>,
    /// Whether the client sends a bearer key (how its answers are read).
    bearer: bool,
    /// Whether the client is an STS client (its operations are counted).
    sts: bool,
}

impl Watcher {
    pub(crate) fn sts(monitor: &Arc<Monitor>) -> Self {
        Self {
            monitor: monitor.clone(),
            bearer: false,
            sts: true,
        }
    }

    pub(crate) fn bedrock(monitor: &Arc<Monitor>, bearer: bool) -> Self {
        Self {
            monitor: monitor.clone(),
            bearer,
            sts: false,
        }
    }
}

impl Intercept for Watcher {
    fn name(&self) -> &'static str {
        "bedrock-auth monitor"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.monitor.check().map_err(BoxError::from)
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg
            .load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
            .map(|m| m.name());
        if let Some(response) = context.response() {
            if self.sts {
                self.monitor.sts_call(operation.unwrap_or("?"));
            }
            if response.status().is_success() {
                self.monitor.success(None);
            } else {
                let err = read_answer(
                    response,
                    operation.unwrap_or("the call"),
                    self.monitor.mode,
                    self.bearer,
                );
                self.monitor.failure(&err);
            }
            return Ok(());
        }
        // No answer: the network (recorded), or a failure before sending (a refused lockout,
        // or credentials that could not be resolved, which their provider recorded).
        let Some(Err(err)) = context.output_or_error() else {
            return Ok(());
        };
        if err.is_timeout_error() || err.is_connector_error() {
            let network = AuthError::new(
                ErrorKind::Network,
                "no answer",
                "check that the endpoint is reachable",
            );
            self.monitor.failure(&network);
        } else if err.is_interceptor_error() {
            // An interceptor's refusal (the endpoint guard's, e.g. an expired key), as its
            // AuthError says; the monitor ignores its own `locked_out`.
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
            while let Some(current) = source {
                if let Some(auth) = current.downcast_ref::<AuthError>() {
                    self.monitor.failure(auth);
                    break;
                }
                source = current.source();
            }
        }
        Ok(())
    }
}
