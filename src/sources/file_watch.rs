//! The files a manager's credentials come from (the shared config and credentials files),
//! and whether they changed: their marks ([`FileMark`]: size, times, identity), taken without
//! reading them, compared at each check.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_smithy_async::rt::sleep::SharedAsyncSleep;

use crate::monitor::AUDIT_TARGET;
use crate::os::{FileMark, Os};

/// Files checked for changes, and their marks when last read.
pub(crate) struct Watching {
    os: Os,
    paths: Vec<PathBuf>,
    marks: Mutex<Vec<Option<FileMark>>>,
    pub(super) every: Duration,
    pub(super) sleep: SharedAsyncSleep,
    /// Whether a task checks them now.
    pub(super) started: AtomicBool,
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
    pub(super) fn changed(&self) -> Option<Vec<Option<FileMark>>> {
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
    pub(super) fn settle(&self, marks: Vec<Option<FileMark>>) {
        *self.marks.lock().unwrap_or_else(PoisonError::into_inner) = marks;
    }

    /// A guard that lets the next request start a new check task when this one is dropped
    /// (its runtime ended while the manager lives on).
    pub(super) fn restart_if_dropped(self: &Arc<Self>) -> Restart {
        Restart(self.clone())
    }
}

/// See [`Watching::restart_if_dropped`].
pub(super) struct Restart(Arc<Watching>);

impl Drop for Restart {
    fn drop(&mut self) {
        self.0.started.store(false, Ordering::Release);
    }
}
