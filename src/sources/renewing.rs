//! [`Renewing`]: the manager's one credential cache, in every SigV4 mode, in place of the SDK's
//! (which cannot be told to forget). Credentials are resolved on first use, again shortly
//! before they expire, and again (from a provider chain built afresh, so that the shared files
//! and the other sources are read anew) when AWS turns them down, when a file they come from
//! changes, or when a refresh is asked. Concurrent callers share one resolution, and a failure
//! is shared with the callers that come within a second of it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use arc_swap::{ArcSwap, ArcSwapOption};
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_smithy_async::future::timeout::Timeout;
use aws_smithy_async::rt::sleep::{AsyncSleep, SharedAsyncSleep};
use aws_smithy_async::time::SharedTimeSource;

use super::file_watch::{Renew, Watching};
use super::observed::resolve_once;
use crate::error::{AuthError, SignIn};
use crate::monitor::{Monitor, ResolvedBecause};

/// The longest time before expiry at which credentials are resolved again (halfway through a
/// shorter life).
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(60);

/// How long credentials that state no expiry are used before they are resolved again: the
/// SDK's own default.
const NO_EXPIRY_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// How long a failed resolution is shared with callers that come right after it, so that a
/// crowd of tasks on a refused source makes one attempt, not one each.
const FAILURE_SHARING: Duration = Duration::from_secs(1);

/// The mode's provider chain, built again, with the sign-in session it starts from.
pub(crate) type Rebuilt = (SharedCredentialsProvider, Option<SignIn>);

/// Builds the mode's provider chain again, reading its files and settings anew.
pub(crate) type Rebuild =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<Rebuilt, AuthError>> + Send>> + Send + Sync>;

/// The manager's credential provider (see the module's documentation). Cheap to clone: every
/// clone is the same cache.
#[derive(Clone)]
pub(crate) struct Renewing {
    shared: Arc<Shared>,
}

struct Shared {
    current: ArcSwapOption<Entry>,
    chain: ArcSwap<SharedCredentialsProvider>,
    /// Held while resolving; the last failure, and when it happened.
    resolving: tokio::sync::Mutex<Option<(Instant, Arc<CredentialsError>)>>,
    rebuild: Rebuild,
    monitor: Arc<Monitor>,
    clock: SharedTimeSource,
    sleep: Option<SharedAsyncSleep>,
    /// The bound of one resolution: a backstop behind the bounds of the sources inside it.
    backstop: Duration,
    /// Whether resolution runs quieted (the modes that read a profile).
    quiet: bool,
    /// The sign-in session the chain starts from: named in the error when it must be
    /// renewed.
    sign_in: ArcSwapOption<SignIn>,
    /// The files the credentials come from, checked for changes by a task of their own.
    files: Option<Arc<Watching>>,
}

/// Credentials as cached.
struct Entry {
    credentials: Credentials,
    generation: u64,
    refresh_at: SystemTime,
}

/// What a [`Renewing`] is made of.
pub(crate) struct Parts {
    pub(crate) chain: SharedCredentialsProvider,
    pub(crate) rebuild: Rebuild,
    pub(crate) monitor: Arc<Monitor>,
    pub(crate) clock: SharedTimeSource,
    pub(crate) sleep: Option<SharedAsyncSleep>,
    pub(crate) backstop: Duration,
    pub(crate) quiet: bool,
    pub(crate) sign_in: Option<SignIn>,
    /// The files the credentials come from, with their marks before they were read.
    pub(crate) files: Option<Watching>,
}

impl Renewing {
    pub(crate) fn new(parts: Parts) -> Self {
        Self {
            shared: Arc::new(Shared {
                current: ArcSwapOption::empty(),
                chain: ArcSwap::from_pointee(parts.chain),
                resolving: tokio::sync::Mutex::new(None),
                rebuild: parts.rebuild,
                monitor: parts.monitor,
                clock: parts.clock,
                sleep: parts.sleep,
                backstop: parts.backstop,
                quiet: parts.quiet,
                sign_in: ArcSwapOption::from(parts.sign_in.map(Arc::new)),
                files: parts.files.map(Arc::new),
            }),
        }
    }

    /// Resolves the credentials again now, from a chain built afresh, because of `because`;
    /// callers arriving meanwhile wait for the result. On failure, the credentials cached
    /// before are kept only when `because` is a file change (a file caught half-written).
    pub(crate) async fn renew(&self, because: ResolvedBecause) -> Result<(), CredentialsError> {
        let mut last_failure = self.shared.resolving.lock().await;
        let result = self.resolve_locked(because, &mut last_failure).await;
        if result.is_err() && because != ResolvedBecause::FileChanged {
            self.shared.current.store(None);
        }
        result.map(drop)
    }

    /// The cached credentials, unless they are due or were dropped.
    fn fresh(&self) -> Option<Credentials> {
        let entry = self.shared.current.load();
        let entry = entry.as_ref()?;
        let due = self.shared.clock.now() >= entry.refresh_at;
        let dropped = self.shared.monitor.dropped(entry.generation).is_some();
        (!due && !dropped).then(|| entry.credentials.clone())
    }

    /// Why the cached credentials are to be resolved again.
    fn why_due(&self) -> ResolvedBecause {
        match &*self.shared.current.load() {
            None => ResolvedBecause::FirstUse,
            Some(entry) => self
                .shared
                .monitor
                .dropped(entry.generation)
                .unwrap_or(ResolvedBecause::Expiry),
        }
    }

    /// The credentials, resolved if due; one resolution for every caller waiting meanwhile.
    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let arrived = Instant::now();
        let mut last_failure = self.shared.resolving.lock().await;
        // Resolved by the caller this one waited for.
        if let Some(credentials) = self.fresh() {
            return Ok(credentials);
        }
        if let Some((at, err)) = &*last_failure
            && (*at >= arrived || at.elapsed() < FAILURE_SHARING)
        {
            return Err(share(err));
        }
        let because = self.why_due();
        self.resolve_locked(because, &mut last_failure).await
    }

    /// Resolves the credentials, the resolution lock held (`last_failure` is its content).
    async fn resolve_locked(
        &self,
        because: ResolvedBecause,
        last_failure: &mut Option<(Instant, Arc<CredentialsError>)>,
    ) -> Result<Credentials, CredentialsError> {
        let shared = &*self.shared;
        let started = Instant::now();
        let result = self.bounded(self.resolve(because)).await;
        let credentials = match result {
            Ok(credentials) => credentials,
            Err(err) => {
                let err = Arc::new(err);
                let shared = share(&err);
                *last_failure = Some((Instant::now(), err));
                return Err(shared);
            }
        };
        *last_failure = None;
        let expiry = credentials.expiry();
        let generation = shared.monitor.resolved(expiry, started.elapsed(), because);
        let now = shared.clock.now();
        shared.current.store(Some(Arc::new(Entry {
            credentials: credentials.clone(),
            generation,
            refresh_at: refresh_at(now, expiry),
        })));
        Ok(credentials)
    }

    /// One resolution: from the chain built afresh, unless the credentials are new or merely
    /// due to expire (the chain's sources are asked again then: a process run, a role assumed).
    async fn resolve(&self, because: ResolvedBecause) -> Result<Credentials, CredentialsError> {
        let shared = &*self.shared;
        let rebuild = !matches!(because, ResolvedBecause::FirstUse | ResolvedBecause::Expiry);
        if rebuild {
            let (chain, sign_in) = (shared.rebuild)().await.map_err(|err| {
                shared.monitor.failure(&err);
                let err = err.seen_by_monitor();
                if err.kind() == crate::error::ErrorKind::InvalidConfig {
                    CredentialsError::invalid_configuration(err)
                } else {
                    CredentialsError::not_loaded(err)
                }
            })?;
            shared.chain.store(Arc::new(chain));
            shared.sign_in.store(sign_in.map(Arc::new));
        }
        let chain = shared.chain.load_full();
        let sign_in = shared.sign_in.load_full();
        resolve_once(&chain, &shared.monitor, shared.quiet, sign_in.as_deref()).await
    }

    /// `work`, for at most the backstop.
    async fn bounded(
        &self,
        work: impl Future<Output = Result<Credentials, CredentialsError>>,
    ) -> Result<Credentials, CredentialsError> {
        let Some(sleep) = &self.shared.sleep else {
            return work.await;
        };
        let after = self.shared.backstop;
        Timeout::new(work, sleep.sleep(after))
            .await
            .unwrap_or_else(|_| Err(CredentialsError::provider_timed_out(after)))
    }
}

/// A file change: the credentials resolved again from a chain built afresh, the ones read
/// before kept in use when the new cannot be read.
impl Renew for Shared {
    fn in_use(&self) -> bool {
        self.current.load().is_some()
    }

    async fn renew(self: Arc<Self>) -> Result<(), AuthError> {
        let renewing = Renewing { shared: self };
        let renewed = renewing.renew(ResolvedBecause::FileChanged).await;
        let mode = renewing.shared.monitor.mode();
        renewed.map_err(|err| crate::sdk_errors::read_credentials_error(&err, mode))
    }
}

/// When credentials resolved `now`, expiring at `expiry`, are resolved again: a minute before
/// they expire, or halfway for those that live less than two; 15 minutes on without an expiry.
fn refresh_at(now: SystemTime, expiry: Option<SystemTime>) -> SystemTime {
    match expiry {
        Some(expiry) => {
            let lifetime = expiry.duration_since(now).unwrap_or_default();
            expiry - REFRESH_BEFORE_EXPIRY.min(lifetime / 2)
        }
        None => now + NO_EXPIRY_LIFETIME,
    }
}

impl ProvideCredentials for Renewing {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        // The path of every request: atomic loads and a clock read, no lock, no I/O.
        if let Some(files) = &self.shared.files {
            files.start(Arc::downgrade(&self.shared));
        }
        match self.fresh() {
            Some(credentials) => future::ProvideCredentials::ready(Ok(credentials)),
            None => future::ProvideCredentials::new(self.credentials()),
        }
    }
}

/// Its `Debug` shows nothing of the providers inside: the SDK logs its identity resolvers at
/// TRACE on every call, and aws-config's providers keep copies of the configuration they were
/// built from (with the `sso` feature, every profile of the shared files, secrets included).
impl fmt::Debug for Renewing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsProvider")
            .field("mode", &self.shared.monitor.mode())
            .finish_non_exhaustive()
    }
}

/// A failure for one more caller: of the same kind, the failure itself its cause.
fn share(err: &Arc<CredentialsError>) -> CredentialsError {
    let cause = SharedFailure(err.clone());
    match &**err {
        CredentialsError::CredentialsNotLoaded(_) => CredentialsError::not_loaded(cause),
        CredentialsError::ProviderTimedOut(timed_out) => {
            CredentialsError::provider_timed_out(timed_out.timeout_duration())
        }
        CredentialsError::InvalidConfiguration(_) => CredentialsError::invalid_configuration(cause),
        CredentialsError::Unhandled(_) => CredentialsError::unhandled(cause),
        _ => CredentialsError::provider_error(cause),
    }
}

/// A failed resolution, shared by the callers that waited for it: its `Display` and cause
/// are the failure's own.
#[derive(Debug, Clone)]
struct SharedFailure(Arc<CredentialsError>);

impl fmt::Display for SharedFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for SharedFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_resolved_again_a_minute_before_expiry_or_halfway() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let hour = now + Duration::from_secs(3600);
        assert_eq!(refresh_at(now, Some(hour)), hour - Duration::from_secs(60));
        let short = now + Duration::from_secs(10);
        assert_eq!(refresh_at(now, Some(short)), now + Duration::from_secs(5));
        assert_eq!(refresh_at(now, None), now + Duration::from_secs(900));
        // Expired on arrival: due at once.
        let past = now - Duration::from_secs(5);
        assert_eq!(refresh_at(now, Some(past)), past);
    }
}
