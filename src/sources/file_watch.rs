//! The files a manager's credentials come from (the shared config and credentials files, a
//! configuration's secret files), and whether they changed: their marks ([`FileMark`]: size,
//! times, identity), taken without reading them, compared at each check by a task of their own
//! ([`Watching::start`]), which has what they feed ([`Renew`]) read them again.

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use aws_smithy_async::rt::sleep::{AsyncSleep, SharedAsyncSleep};

use crate::error::AuthError;
use crate::monitor::AUDIT_TARGET;
use crate::os::{FileMark, Os};

/// What reads the files again when they change: the credential cache, API-key mode's key.
pub(crate) trait Renew: Send + Sync + 'static {
    /// Whether anything was read from the files yet: if not, the first use reads them as they
    /// are, and a change before it needs no read of its own.
    fn in_use(&self) -> bool;

    /// Reads them again, off the request path (requests go on with what was read before until
    /// the new is in). A failure (a file caught half-written) leaves what was read before in
    /// use.
    fn renew(self: Arc<Self>) -> impl Future<Output = Result<(), AuthError>> + Send;
}

/// Files checked for changes, and their marks when last read.
pub(crate) struct Watching {
    os: Os,
    paths: Vec<PathBuf>,
    marks: Mutex<Vec<Option<FileMark>>>,
    every: Duration,
    sleep: SharedAsyncSleep,
    /// Whether a task checks them now.
    started: AtomicBool,
}

impl Watching {
    /// `paths` of `os`, marked now (before they are read), checked every `os`'s interval.
    pub(crate) fn new(os: &Os, paths: Vec<PathBuf>, sleep: SharedAsyncSleep) -> Self {
        let marks = paths.iter().map(|path| os.file_mark(path)).collect();
        Self {
            os: os.clone(),
            paths,
            marks: Mutex::new(marks),
            every: os.file_check_interval(),
            sleep,
            started: AtomicBool::new(false),
        }
    }

    /// The marks now, if any file changed since it was last read (each change an audit event).
    fn changed(&self) -> Option<Vec<Option<FileMark>>> {
        let now: Vec<_> = self.paths.iter().map(|p| self.os.file_mark(p)).collect();
        let before = self.marks.lock().unwrap_or_else(PoisonError::into_inner);
        let mut changed = false;
        for ((path, now), before) in self.paths.iter().zip(&now).zip(before.iter()) {
            if now != before {
                changed = true;
                tracing::info!(
                    target: AUDIT_TARGET,
                    event = "credential_file_changed",
                    path = %path.display(),
                    "a file the credentials come from changed; reading them again"
                );
            }
        }
        changed.then_some(now)
    }

    /// The files as now read.
    fn settle(&self, marks: Vec<Option<FileMark>>) {
        *self.marks.lock().unwrap_or_else(PoisonError::into_inner) = marks;
    }

    /// A guard that lets the next request start a new check task when this one is dropped
    /// (its runtime ended while the manager lives on).
    fn restart_if_dropped(self: &Arc<Self>) -> Restart {
        Restart(self.clone())
    }

    /// Starts the task that checks the files for `owner` while it lives, on the runtime of
    /// this call, unless one runs (again, if the runtime it ran on has ended). The path of
    /// every request: one atomic load once started.
    pub(crate) fn start<R: Renew>(self: &Arc<Self>, owner: Weak<R>) {
        if self.started.load(Ordering::Acquire) || self.started.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.started.store(false, Ordering::Release);
            tracing::debug!("no Tokio runtime: the credential files are not checked for changes");
            return;
        };
        runtime.spawn(watch_loop(owner, self.clone()));
    }
}

/// Checks `files` every interval while `owner` lives; on a change, has it read them again.
/// What cannot be read yet is tried again at the next check.
async fn watch_loop<R: Renew>(owner: Weak<R>, files: Arc<Watching>) {
    let _restart = files.restart_if_dropped();
    loop {
        files.sleep.sleep(files.every).await;
        let Some(owner) = owner.upgrade() else {
            return;
        };
        let Some(marks) = files.changed() else {
            continue;
        };
        if !owner.in_use() {
            files.settle(marks);
            continue;
        }
        match owner.renew().await {
            Ok(()) => files.settle(marks),
            Err(err) => tracing::warn!(
                error = %err,
                "a credential file changed but cannot be used yet; what was read before stays in use until the next check"
            ),
        }
    }
}

/// See [`Watching::restart_if_dropped`].
struct Restart(Arc<Watching>);

impl Drop for Restart {
    fn drop(&mut self) {
        self.0.started.store(false, Ordering::Release);
    }
}
