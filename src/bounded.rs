//! Credential sources bounded in time. Every wait on a source outside the SDK's own requests (a
//! profile's `credential_process`, SSO or role chain, the default chain, an MFA provider, a
//! custom source) ends by the operation timeout; and when a call fails while its credentials
//! were still being resolved, the error names the source that hung, not an endpoint that was
//! never contacted.
//!
//! Each source has a [`Watch`] in its manager's [`Watches`]: it knows whether the source is
//! waited on now, or was given up on (its future dropped, by this module's timeout or by the
//! SDK's own operation timeout) since it last answered.

use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_smithy_async::future::timeout::Timeout;
use aws_smithy_async::rt::sleep::{AsyncSleep, SharedAsyncSleep};

use crate::error::{AuthError, ErrorKind};

/// The sources of one manager, innermost (first registered) first.
#[derive(Debug, Default)]
pub(crate) struct Watches {
    /// Orders answers and abandonments.
    clock: AtomicU64,
    list: Mutex<Vec<Arc<Watch>>>,
}

/// One credential source.
#[derive(Debug)]
pub(crate) struct Watch {
    /// What the source is, for messages: `credential_process of profile `hang``.
    what: String,
    /// Whether the source is a call to AWS (STS `AssumeRole`): one that hangs is the network's
    /// failure, something was sent.
    remote: bool,
    waiting: AtomicUsize,
    /// When (on [`Watches::clock`]) it last answered, and was last given up on.
    answered: AtomicU64,
    abandoned: AtomicU64,
}

impl Watches {
    /// A watch for a source, registered after the ones it may wait on.
    pub(crate) fn watch(&self, what: impl Into<String>) -> Arc<Watch> {
        self.register(what.into(), false)
    }

    /// A watch for a call to AWS that a credential source makes (a role's `AssumeRole`),
    /// registered after the sources it waits on.
    pub(crate) fn watch_call(&self, what: impl Into<String>) -> Arc<Watch> {
        self.register(what.into(), true)
    }

    fn register(&self, what: String, remote: bool) -> Arc<Watch> {
        let watch = Arc::new(Watch {
            what,
            remote,
            waiting: AtomicUsize::new(0),
            answered: AtomicU64::new(0),
            abandoned: AtomicU64::new(0),
        });
        self.list
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(watch.clone());
        watch
    }

    /// The innermost source that is waited on now, or was given up on since it last answered.
    pub(crate) fn stalled(&self) -> Option<String> {
        self.stalled_watch().map(|w| w.what.clone())
    }

    fn stalled_watch(&self) -> Option<Arc<Watch>> {
        let list = self.list.lock().unwrap_or_else(PoisonError::into_inner);
        list.iter()
            .find(|w| {
                w.waiting.load(Ordering::Acquire) > 0
                    || w.abandoned.load(Ordering::Acquire) > w.answered.load(Ordering::Acquire)
            })
            .cloned()
    }

    /// `err`, unless a source stalled, in which case the call failed because of it (a call
    /// resolves its credentials before it sends anything): then the source's timeout, caused
    /// by `err`. Errors that carry an answer of the service are kept as they are.
    pub(crate) fn blame(&self, err: AuthError, after: Duration) -> AuthError {
        if !matches!(err.kind(), ErrorKind::Network | ErrorKind::Service) || err.code().is_some() {
            return err;
        }
        match self.stalled_watch() {
            // The source's own call to AWS hung: what the source's own error says of it.
            Some(watch) if watch.remote => AuthError::call_timed_out(&watch.what).caused_by(err),
            Some(watch) => AuthError::source_timed_out(&watch.what, after).caused_by(err),
            None => err,
        }
    }

    /// Awaits `work`, a call to AWS that `watch` stands for, with no bound of its own (the
    /// SDK's operation timeout is its bound): a call that fails meanwhile names it.
    pub(crate) async fn track<F: Future>(&self, watch: &Watch, work: F) -> F::Output {
        let mut guard = Waiting {
            watches: self,
            watch,
            answered: false,
        };
        watch.waiting.fetch_add(1, Ordering::AcqRel);
        let output = work.await;
        guard.answered = true;
        output
    }

    /// Runs `work` for `watch`'s source, for at most `after`. On timeout, the error names the
    /// innermost stalled source (this one, or one it waits on).
    pub(crate) async fn run<F: Future>(
        &self,
        watch: &Watch,
        sleep: &SharedAsyncSleep,
        after: Duration,
        work: F,
    ) -> Result<F::Output, AuthError> {
        let mut guard = Waiting {
            watches: self,
            watch,
            answered: false,
        };
        watch.waiting.fetch_add(1, Ordering::AcqRel);
        match Timeout::new(work, sleep.sleep(after)).await {
            Ok(output) => {
                guard.answered = true;
                Ok(output)
            }
            Err(_) => {
                let what = self.stalled().unwrap_or_else(|| watch.what.clone());
                tracing::warn!(source = %what, after_ms = after.as_millis() as u64, "credential source timed out");
                Err(AuthError::source_timed_out(&what, after))
            }
        }
    }

    fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::AcqRel) + 1
    }
}

/// Marks a wait's end, whether it answered or was dropped.
struct Waiting<'a> {
    watches: &'a Watches,
    watch: &'a Watch,
    answered: bool,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let at = self.watches.tick();
        let mark = if self.answered {
            &self.watch.answered
        } else {
            &self.watch.abandoned
        };
        mark.fetch_max(at, Ordering::AcqRel);
        self.watch.waiting.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A credentials provider bounded by the operation timeout and watched.
#[derive(Debug)]
pub(crate) struct Bounded {
    inner: SharedCredentialsProvider,
    watches: Arc<Watches>,
    watch: Arc<Watch>,
    sleep: SharedAsyncSleep,
    after: Duration,
}

impl Bounded {
    /// `inner`, bounded by `after` and watched as `what`.
    pub(crate) fn wrap(
        inner: SharedCredentialsProvider,
        what: impl Into<String>,
        watches: &Arc<Watches>,
        sleep: SharedAsyncSleep,
        after: Duration,
    ) -> SharedCredentialsProvider {
        let watch = watches.watch(what);
        SharedCredentialsProvider::new(Self {
            inner,
            watches: watches.clone(),
            watch,
            sleep,
            after,
        })
    }
}

impl ProvideCredentials for Bounded {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let work = self.inner.provide_credentials();
            match self
                .watches
                .run(&self.watch, &self.sleep, self.after, work)
                .await
            {
                Ok(result) => result,
                Err(err) => Err(CredentialsError::provider_error(err)),
            }
        })
    }
}
