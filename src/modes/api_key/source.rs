//! API-key mode: no SigV4 credentials at all (nothing made from the `SdkConfig` may sign), and
//! [`KeyCache`], the key every Bedrock request of the manager sends. It is read when the
//! builder builds, and read again from where it came from (`AWS_BEARER_TOKEN_BEDROCK`, a
//! configuration's `{ file = }` or `{ env = }`) when Bedrock turns it down, when its file
//! changes, when a short-term key has expired, or when a refresh is asked. A key given in code
//! is sent as it is.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwapOption;
use aws_smithy_async::rt::sleep::default_async_sleep;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::identity::{Identity, IdentityFuture, ResolveIdentity};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use crate::error::{AuthError, ErrorKind};
use crate::modes::{ApiKeyConfig, BEARER_TOKEN_VAR, BearerKey, ModeConfig, Remake, env_key};
use crate::monitor::{Monitor, ResolvedBecause};
use crate::os::Os;
use crate::sources::file_watch::{Renew, Watching};
use crate::sources::{Context, Given, Origin};

/// A Bedrock API key's mode.
pub(crate) struct ApiKey;

impl Origin for ApiKey {
    fn credentials(&self, _cx: &Context<'_>) -> Given {
        Given::Nothing
    }
}

/// How long a failed read is shared with the callers right after it, and how long an expired
/// key is used before its source is read again: a crowd of requests makes one read, not one
/// each.
const READ_AGAIN_AFTER: Duration = Duration::from_secs(1);

/// Where the key is read again from.
enum Source {
    /// Given in code: sent as it is.
    Fixed(Arc<BearerKey>),
    /// `AWS_BEARER_TOKEN_BEDROCK` of the manager's `Os`.
    Environment,
    /// A configuration's secret source, read again by making the mode anew.
    Config(Remake),
}

/// API-key mode's key, as every Bedrock client of the manager sends it (see the module's
/// documentation). Cheap to clone: every clone is the same key.
#[derive(Clone)]
pub(crate) struct KeyCache {
    shared: Arc<Shared>,
}

struct Shared {
    current: ArcSwapOption<Entry>,
    /// The key in use before the current one: an answer to a request sent with it may still
    /// come, and echo it.
    previous: ArcSwapOption<BearerKey>,
    source: Source,
    os: Os,
    monitor: Arc<Monitor>,
    /// Held while reading; the last failure, and when it happened.
    reading: Mutex<Option<(Instant, AuthError)>>,
    /// The secret files the key comes from, checked for changes by a task of their own.
    files: Option<Arc<Watching>>,
}

/// The key as read.
struct Entry {
    key: Arc<BearerKey>,
    /// The monitor's generation of the key; 0 until a request first uses it.
    generation: u64,
    read_at: Instant,
}

impl KeyCache {
    /// The key of API-key mode `config`, read again from `os`'s environment or by `remake`
    /// (a manager made from a configuration); `None` in the other modes.
    pub(crate) fn new(
        mode: &ModeConfig,
        os: &Os,
        remake: Option<&Remake>,
        monitor: &Arc<Monitor>,
    ) -> Option<Self> {
        let ModeConfig::ApiKey(config) = mode else {
            return None;
        };
        let key = config.key.clone().map(Arc::new);
        let source = match (remake, &key) {
            (Some(remake), _) => Source::Config(remake.clone()),
            (None, Some(key)) if !config.from_env => Source::Fixed(key.clone()),
            (None, _) => Source::Environment,
        };
        let files = match (remake, default_async_sleep()) {
            (Some(remake), Some(sleep)) if !remake.files.is_empty() => {
                Some(Arc::new(Watching::new(os, remake.files.clone(), sleep)))
            }
            _ => None,
        };
        let current = key.map(|key| {
            Arc::new(Entry {
                key,
                generation: 0,
                read_at: Instant::now(),
            })
        });
        Some(Self {
            shared: Arc::new(Shared {
                current: ArcSwapOption::new(current),
                previous: ArcSwapOption::empty(),
                source,
                os: os.clone(),
                monitor: monitor.clone(),
                reading: Mutex::new(None),
                files,
            }),
        })
    }

    /// Whether the key's source can be read again (a key given in code cannot): a key Bedrock
    /// turns down is then dropped, and read again for the next call.
    pub(crate) fn can_read_again(&self) -> bool {
        !matches!(self.shared.source, Source::Fixed(_))
    }

    /// Where the key is read again from, for messages.
    pub(crate) fn source_name(&self) -> &'static str {
        match self.shared.source {
            Source::Fixed(_) => "the key given in code",
            Source::Environment => BEARER_TOKEN_VAR,
            Source::Config(_) => "the configuration's secret source",
        }
    }

    /// The key, read again first when it is due; or why it cannot be had. The path of every
    /// request: atomic loads and a clock read, no lock, no I/O, unless the key is due.
    pub(crate) fn key(&self) -> Result<Arc<BearerKey>, AuthError> {
        if let Some(files) = &self.shared.files {
            files.start(Arc::downgrade(&self.shared));
        }
        if let Some(entry) = &*self.shared.current.load()
            && self.due(entry).is_none()
        {
            return Ok(entry.key.clone());
        }
        self.read(None)
    }

    /// Reads the key again now, from its source (a key given in code is kept): for a refresh.
    pub(crate) fn refresh(&self) -> Result<(), AuthError> {
        if self.can_read_again() {
            self.read(Some(ResolvedBecause::Refresh))?;
        }
        Ok(())
    }

    /// The keys an answer could echo back: the current one and the one before it.
    pub(crate) fn sent(&self) -> Vec<Arc<BearerKey>> {
        let current = self
            .shared
            .current
            .load_full()
            .map(|entry| entry.key.clone());
        current
            .into_iter()
            .chain(self.shared.previous.load_full())
            .collect()
    }

    /// Why `entry` is to be read again, if it is.
    fn due(&self, entry: &Entry) -> Option<ResolvedBecause> {
        if entry.generation == 0 {
            return Some(ResolvedBecause::FirstUse);
        }
        if !self.can_read_again() {
            return None;
        }
        if let Some(because) = self.shared.monitor.dropped(entry.generation) {
            return Some(because);
        }
        let expires_at = entry
            .key
            .info
            .as_ref()
            .ok()
            .and_then(|info| info.expires_at);
        let expired = expires_at.is_some_and(|at| at <= self.shared.os.now());
        (expired && entry.read_at.elapsed() >= READ_AGAIN_AFTER).then_some(ResolvedBecause::Expiry)
    }

    /// Reads the key, because `asked` or because it is due; callers arriving meanwhile wait
    /// for the result. On failure the key read before is not used again, unless the read was
    /// for a file change (a file caught half-written).
    fn read(&self, asked: Option<ResolvedBecause>) -> Result<Arc<BearerKey>, AuthError> {
        let shared = &*self.shared;
        let mut last_failure = shared
            .reading
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let entry = shared.current.load_full();
        let due = entry.as_deref().map(|entry| (entry, self.due(entry)));
        let because = match (asked, due) {
            (Some(because), _) => because,
            // Read by the caller this one waited for.
            (None, Some((entry, None))) => return Ok(entry.key.clone()),
            // The key read when the builder built, first used now.
            (None, Some((entry, Some(ResolvedBecause::FirstUse)))) => {
                let first_use = ResolvedBecause::FirstUse;
                return Ok(self.store(entry.key.clone(), first_use, Duration::ZERO));
            }
            (None, Some((_, Some(because)))) => because,
            // None yet, or the last read failed.
            (None, None) => ResolvedBecause::FirstUse,
        };
        if asked.is_none()
            && let Some((at, err)) = &*last_failure
            && at.elapsed() < READ_AGAIN_AFTER
        {
            return Err(err.clone());
        }
        let started = Instant::now();
        match self.read_source() {
            Ok(key) => {
                *last_failure = None;
                Ok(self.store(key, because, started.elapsed()))
            }
            Err(err) => {
                tracing::debug!(error = %err, because = because.as_str(), "the API key could not be read again");
                if because != ResolvedBecause::FileChanged {
                    self.replace(None);
                }
                *last_failure = Some((Instant::now(), err.clone()));
                Err(err)
            }
        }
    }

    /// `key` in use from now on, recorded by the monitor as resolved because of `because`
    /// (`took` its read).
    fn store(
        &self,
        key: Arc<BearerKey>,
        because: ResolvedBecause,
        took: Duration,
    ) -> Arc<BearerKey> {
        let expires_at = key.info.as_ref().ok().and_then(|info| info.expires_at);
        let generation = self.shared.monitor.resolved(expires_at, took, because);
        self.replace(Some(Entry {
            key: key.clone(),
            generation,
            read_at: Instant::now(),
        }));
        key
    }

    /// `entry` in use from now on; the key before it, if another, kept as the previous one.
    fn replace(&self, entry: Option<Entry>) {
        let old = self.shared.current.swap(entry.map(Arc::new));
        let new = self.shared.current.load();
        let same = |old: &Entry| {
            new.as_ref()
                .is_some_and(|new| Arc::ptr_eq(&new.key, &old.key))
        };
        if let Some(old) = old.filter(|old| !same(old)) {
            self.shared.previous.store(Some(old.key.clone()));
        }
    }

    /// The key, read from its source now.
    fn read_source(&self) -> Result<Arc<BearerKey>, AuthError> {
        let key = match &self.shared.source {
            Source::Fixed(key) => return Ok(key.clone()),
            Source::Environment => {
                let key = env_key(&self.shared.os);
                if let Some(problem) = key.as_ref().and_then(|k| k.unsendable(BEARER_TOKEN_VAR)) {
                    return Err(AuthError::new(
                        ErrorKind::InvalidConfig,
                        format!("the Bedrock API key, read again, cannot be sent: {problem}"),
                        format!("set {BEARER_TOKEN_VAR} to the key alone, on one line"),
                    ));
                }
                key
            }
            Source::Config(remake) => match (remake.mode)()? {
                ModeConfig::ApiKey(ApiKeyConfig { key, .. }) => key,
                _ => {
                    return Err(AuthError::new(
                        ErrorKind::InvalidConfig,
                        "the configuration, read again, is no longer in api_key mode",
                        "a running manager keeps its mode: build a new one for another mode",
                    ));
                }
            },
        };
        key.map(Arc::new).ok_or_else(no_key)
    }
}

/// `no_credentials`: API-key mode's key was to come from `AWS_BEARER_TOKEN_BEDROCK`, which is
/// not set.
fn no_key() -> AuthError {
    AuthError::new(
        ErrorKind::NoCredentials,
        format!("no Bedrock API key found (api_key mode): {BEARER_TOKEN_VAR} is not set"),
        format!("export {BEARER_TOKEN_VAR} with a Bedrock API key, or choose another mode"),
    )
}

/// A file change: the key read again, the one read before kept in use when the new cannot be
/// read.
impl Renew for Shared {
    fn in_use(&self) -> bool {
        // Read when the builder built: a change since is a change.
        true
    }

    async fn renew(self: Arc<Self>) -> Result<(), AuthError> {
        let cache = KeyCache { shared: self };
        cache.read(Some(ResolvedBecause::FileChanged)).map(drop)
    }
}

/// Each Bedrock request's key: refused before it is sent when it is a short-term key that has
/// expired (Bedrock would refuse it; nothing is gained by sending it). A failure is recorded
/// here: no client sees it.
impl ResolveIdentity for KeyCache {
    fn resolve_identity<'a>(
        &'a self,
        components: &'a RuntimeComponents,
        _config_bag: &'a ConfigBag,
    ) -> IdentityFuture<'a> {
        let now = components
            .time_source()
            .map_or_else(SystemTime::now, |clock| clock.now());
        let identity = self.key().and_then(|key| {
            if let Ok(info) = &key.info {
                info.check_not_expired(now)?;
            }
            Ok(Identity::from(&key.token))
        });
        IdentityFuture::ready(identity.map_err(|err| {
            self.shared.monitor.failure(&err);
            Box::new(err.seen_by_monitor()) as BoxError
        }))
    }
}

/// Shows where the key comes from, never the key: the SDK logs its identity resolvers at
/// TRACE on every call.
impl fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("source", &self.source_name())
            .finish_non_exhaustive()
    }
}
