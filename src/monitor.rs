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

use crate::error::{AuthError, ErrorKind};
use crate::mode_kind::ModeKind;
use crate::settings::Lockout;
use crate::time::rfc3339;

mod watcher;

pub(crate) use watcher::{Watcher, turned_down, turned_down_key};

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
    /// When the current credentials were resolved.
    #[serde(serialize_with = "crate::time::serialize_rfc3339")]
    pub credentials_resolved_at: Option<SystemTime>,
    /// Why they were resolved then: the first use, their expiry, AWS turning the previous ones
    /// down, a change of the files they come from, or
    /// [`refresh_credentials()`](crate::AuthManager::refresh_credentials).
    pub credentials_resolved_because: Option<ResolvedBecause>,
    /// Until when calls are refused (`locked_out`), while the manager is locked out.
    #[serde(serialize_with = "crate::time::serialize_rfc3339")]
    pub locked_until: Option<SystemTime>,
}

/// Why a manager resolved its credentials ([`Health::credentials_resolved_because`], and the
/// `because` field of the `credentials_resolved` and `credentials_refreshed` audit events).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolvedBecause {
    /// The first call that needed them.
    FirstUse,
    /// The previous ones were about to expire (a minute before, or halfway through a shorter
    /// life), or had no expiry and were 15 minutes old.
    Expiry,
    /// AWS turned the previous ones down as expired or unknown (`ExpiredToken`,
    /// `InvalidClientTokenId`, ...).
    Rejected,
    /// A file they come from changed (the shared config or credentials file, a secret file).
    FileChanged,
    /// [`AuthManager::refresh_credentials`](crate::AuthManager::refresh_credentials).
    Refresh,
}

impl ResolvedBecause {
    /// The name used in audit events and JSON: `first_use`, `expiry`, `rejected`,
    /// `file_changed`, `refresh`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstUse => "first_use",
            Self::Expiry => "expiry",
            Self::Rejected => "rejected",
            Self::FileChanged => "file_changed",
            Self::Refresh => "refresh",
        }
    }

    const ALL: [Self; 5] = [
        Self::FirstUse,
        Self::Expiry,
        Self::Rejected,
        Self::FileChanged,
        Self::Refresh,
    ];

    fn index(self) -> u8 {
        Self::ALL
            .iter()
            .position(|b| *b == self)
            .map_or(0, |i| i as u8 + 1)
    }

    fn from_index(index: u8) -> Option<Self> {
        Self::ALL.get(usize::from(index).checked_sub(1)?).copied()
    }
}

impl std::fmt::Display for ResolvedBecause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
    /// How many times the credentials were resolved: the generation of the current ones.
    resolutions: AtomicU64,
    resolved_at: AtomicU64,
    resolved_because: AtomicU8,
    /// The newest generation of credentials dropped (turned down by AWS, its files changed, a
    /// refresh asked), and why: a generation at most this one is resolved again.
    dropped: AtomicU64,
    dropped_because: AtomicU8,
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
            resolved_at: AtomicU64::new(0),
            resolved_because: AtomicU8::new(0),
            dropped: AtomicU64::new(0),
            dropped_because: AtomicU8::new(0),
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

    /// The credentials were resolved (again), expiring at `expires_at`, in `took`, because
    /// of `because`: returns their generation.
    pub(crate) fn resolved(
        &self,
        expires_at: Option<SystemTime>,
        took: Duration,
        because: ResolvedBecause,
    ) -> u64 {
        let before = self.resolutions.fetch_add(1, Ordering::AcqRel);
        self.expires_at
            .store(expires_at.map_or(0, millis), Ordering::Release);
        self.resolved_at.store(self.now(), Ordering::Release);
        self.resolved_because
            .store(because.index(), Ordering::Release);
        let event = if before == 0 {
            "credentials_resolved"
        } else {
            "credentials_refreshed"
        };
        tracing::info!(
            target: AUDIT_TARGET,
            event,
            mode = %self.mode,
            because = because.as_str(),
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
        before + 1
    }

    /// The generation of the current credentials (0 before the first).
    pub(crate) fn generation(&self) -> u64 {
        self.resolutions.load(Ordering::Acquire)
    }

    /// Drops the credentials of `generation`, because of `because`, unless they (or newer
    /// ones) were dropped already: many callers that saw the same credentials turned down
    /// drop them once. Returns whether this call dropped them.
    pub(crate) fn drop_credentials(&self, generation: u64, because: ResolvedBecause) -> bool {
        if generation == 0 || self.dropped.fetch_max(generation, Ordering::AcqRel) >= generation {
            return false;
        }
        self.dropped_because
            .store(because.index(), Ordering::Release);
        tracing::info!(
            target: AUDIT_TARGET,
            event = "credentials_dropped",
            mode = %self.mode,
            because = because.as_str(),
            "credentials dropped: the next call resolves them again"
        );
        true
    }

    /// Why the credentials of `generation` must be resolved again, if they were dropped.
    pub(crate) fn dropped(&self, generation: u64) -> Option<ResolvedBecause> {
        if self.dropped.load(Ordering::Acquire) < generation {
            return None;
        }
        ResolvedBecause::from_index(self.dropped_because.load(Ordering::Acquire))
            .or(Some(ResolvedBecause::Refresh))
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
    pub(crate) fn sts_call(&self, operation: &str) {
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
            credentials_resolved_at: time(self.resolved_at.load(Ordering::Acquire)),
            credentials_resolved_because: ResolvedBecause::from_index(
                self.resolved_because.load(Ordering::Acquire),
            ),
            locked_until: (locked_until > self.now())
                .then(|| time(locked_until))
                .flatten(),
        }
    }
}
