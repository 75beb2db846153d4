//! What a manager reads from and talks to outside itself: environment variables, files, the
//! network and the clock. Always the process's own, except in tests that hand the builder a
//! sandbox (`testing::Sandbox`, behind the `test-util` feature).

use std::fmt;

use std::ffi::OsString;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::SystemTime;

use aws_smithy_async::time::{SharedTimeSource, SystemTimeSource};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_types::os_shim_internal::{Env, Fs};

/// The environment, file system, HTTP client and clock one manager uses.
#[derive(Clone)]
pub(crate) struct Os {
    pub(crate) env: Env,
    pub(crate) fs: Fs,
    /// `None`: the manager's own HTTPS client.
    pub(crate) http: Option<SharedHttpClient>,
    /// `None`: the system clock.
    pub(crate) time: Option<SharedTimeSource>,
    /// `None`: the process's own variables and files. `Some`: a world given as data, which
    /// lists its variables and says where its files really are (for their permissions).
    pub(crate) given: Option<Arc<Given>>,
}

/// A world given as data (a test sandbox): its variables, listed, and the directory its `/`
/// is, if its files are real ones.
#[derive(Debug, Default)]
pub(crate) struct Given {
    pub(crate) vars: Vec<(String, String)>,
    pub(crate) root: Option<PathBuf>,
}

impl Default for Os {
    fn default() -> Self {
        Self {
            env: Env::real(),
            fs: Fs::real(),
            http: None,
            time: None,
            given: None,
        }
    }
}

impl Os {
    /// The time now, by this world's clock.
    pub(crate) fn now(&self) -> SystemTime {
        self.time
            .as_ref()
            .map_or_else(SystemTime::now, |clock| clock.now())
    }

    /// A whole file, read now. The reads of this crate's own (secret and config files) are
    /// synchronous; aws-config's `Fs` only looks asynchronous (it never waits), so its future is
    /// polled once.
    pub(crate) fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        let read = std::pin::pin!(self.fs.read_to_end(path));
        match read.poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(std::io::Error::new(
                std::io::ErrorKind::WouldBlock,
                "the file system did not answer at once",
            )),
        }
    }

    /// The process's own environment variables, for what must list them (names and values as
    /// the OS has them, UTF-8 or not). The one place this crate enumerates the environment.
    pub(crate) fn process_vars() -> impl Iterator<Item = (OsString, OsString)> {
        std::env::vars_os()
    }

    /// This world's variables, listed (the process's, or the ones given).
    pub(crate) fn vars(&self) -> Vec<(OsString, OsString)> {
        match &self.given {
            None => Self::process_vars().collect(),
            Some(given) => given
                .vars
                .iter()
                .map(|(k, v)| (OsString::from(k), OsString::from(v)))
                .collect(),
        }
    }

    /// The Unix permission bits of a file, where the file is a real one.
    #[cfg(unix)]
    pub(crate) fn file_mode(&self, path: &Path) -> Option<u32> {
        use std::os::unix::fs::PermissionsExt;
        let real = match &self.given {
            None => path.to_path_buf(),
            Some(given) => given
                .root
                .as_ref()?
                .join(path.strip_prefix("/").unwrap_or(path)),
        };
        Some(std::fs::metadata(real).ok()?.permissions().mode())
    }

    /// This world's clock, to hand to what keeps time itself.
    pub(crate) fn clock(&self) -> SharedTimeSource {
        self.time
            .clone()
            .unwrap_or_else(|| SharedTimeSource::new(SystemTimeSource::new()))
    }

    /// The value of a variable, `None` when unset or blank (as aws-config treats blanks).
    pub(crate) fn var(&self, name: &str) -> Option<String> {
        self.env.get(name).ok().filter(|v| !v.trim().is_empty())
    }

    /// Whether a variable is set and not blank, for variables that hold a secret: the copy
    /// read to find out is wiped.
    pub(crate) fn is_set(&self, name: &str) -> bool {
        self.env.get(name).is_ok_and(|mut value| {
            let set = !value.trim().is_empty();
            zeroize::Zeroize::zeroize(&mut value);
            set
        })
    }
}

impl fmt::Debug for Os {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The variables may hold secrets: nothing of them.
        f.write_str("Os { .. }")
    }
}
