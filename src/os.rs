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
use zeroize::Zeroizing;

/// The most read of a secret file (`{ file = .. }`, `*_FILE`) or a configuration file: 64 KiB.
pub(crate) const SMALL_FILE_LIMIT: u64 = 64 * 1024;

/// The most read of a shared AWS config or credentials file: 4 MiB (generated configs with
/// thousands of profiles stay far below it).
pub(crate) const SHARED_FILE_LIMIT: u64 = 4 * 1024 * 1024;

/// The proxy variables, in either case.
pub(crate) const PROXY_VARS: [&str; 3] = ["HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"];

/// The error for a variable whose value is not UTF-8 text (its value is not shown: it may be
/// a secret).
fn not_unicode(name: &str) -> String {
    format!("the variable {name} is not UTF-8 text (its value is not shown); fix or unset it")
}

/// A file read with care: its bytes, wiped on drop, and its permission bits where known.
pub(crate) struct CarefulRead {
    pub(crate) bytes: Zeroizing<Vec<u8>>,
    /// The Unix permission bits, for a real file on Unix.
    pub(crate) mode: Option<u32>,
}

impl CarefulRead {
    /// Whether the group or others may read or write it: `ssh` refuses a private key so
    /// exposed; this crate warns.
    pub(crate) fn exposed(&self) -> bool {
        self.mode.is_some_and(|mode| mode & 0o077 != 0)
    }
}

/// Why a file was not read.
#[derive(Debug)]
pub(crate) enum FileTrouble {
    Missing,
    /// A FIFO, device, socket or directory.
    NotRegular(&'static str),
    TooLarge(u64),
    Unreadable(std::io::Error),
}

impl std::fmt::Display for FileTrouble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing => f.write_str("it does not exist"),
            Self::NotRegular(is) => write!(f, "it is {is}, not a regular file"),
            Self::TooLarge(max) => write!(f, "it is larger than {} KiB", max / 1024),
            Self::Unreadable(err) => write!(f, "{err}"),
        }
    }
}

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
    /// How often the files that credentials come from are checked for changes; `None`:
    /// [`FILE_CHECK_INTERVAL`].
    pub(crate) file_checks: Option<std::time::Duration>,
}

/// How often a manager checks the files its credentials come from for changes, unless a test
/// sandbox says otherwise: a change is in use within this long, plus the time to read the
/// credentials again.
pub const FILE_CHECK_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);

/// What tells that a file changed without reading it: its size, modification and change times
/// and identity (a replaced file, such as a Kubernetes secret swapped by its symlink, is
/// another file). Missing or unreadable: `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileMark {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    identity: (u64, u64, i64, i64),
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
            file_checks: None,
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

    /// A secret, configuration or shared file, read with care: only a regular file (a FIFO
    /// would block, a device never end), at most `limit` bytes, into a buffer that is wiped
    /// when dropped and sized so that it is never copied while read.
    pub(crate) fn read_careful(&self, path: &Path, limit: u64) -> Result<CarefulRead, FileTrouble> {
        let Some(real) = self.real_path(path) else {
            // Files given as data: no FIFO among them.
            let bytes = Zeroizing::new(self.read_file(path).map_err(|err| match err.kind() {
                std::io::ErrorKind::NotFound => FileTrouble::Missing,
                _ => FileTrouble::Unreadable(err),
            })?);
            if bytes.len() as u64 > limit {
                return Err(FileTrouble::TooLarge(limit));
            }
            return Ok(CarefulRead { bytes, mode: None });
        };
        let trouble = |err: std::io::Error| match err.kind() {
            std::io::ErrorKind::NotFound => FileTrouble::Missing,
            _ => FileTrouble::Unreadable(err),
        };
        let meta = std::fs::metadata(&real).map_err(trouble)?;
        if !meta.is_file() {
            return Err(FileTrouble::NotRegular(what_it_is(&meta)));
        }
        if meta.len() > limit {
            return Err(FileTrouble::TooLarge(limit));
        }
        let file = std::fs::File::open(&real).map_err(trouble)?;
        // Room for the whole file: `read_to_end` then finds the end without growing (and so
        // copying) the buffer. A file that grew meanwhile is cut at `limit + 1`.
        let room = usize::try_from(meta.len()).unwrap_or(0).saturating_add(1);
        let mut bytes = Zeroizing::new(Vec::with_capacity(room));
        std::io::Read::read_to_end(&mut std::io::Read::take(file, limit + 1), &mut bytes)
            .map_err(FileTrouble::Unreadable)?;
        if bytes.len() as u64 > limit {
            return Err(FileTrouble::TooLarge(limit));
        }
        Ok(CarefulRead {
            bytes,
            mode: file_mode_of(&meta),
        })
    }

    /// What the file at `path` is when it is there and not a regular file (`a FIFO`, `a
    /// directory`): a file another reader (aws-config) would block on or never finish. `None`
    /// for a regular file, a missing one, and files given as data.
    pub(crate) fn not_regular(&self, path: &Path) -> Option<&'static str> {
        let meta = std::fs::metadata(self.real_path(path)?).ok()?;
        (!meta.is_file()).then(|| what_it_is(&meta))
    }

    /// The mark of the file at `path` now ([`FileMark`]): `None` when it is missing or
    /// unreadable, and for files given as data (which never change).
    pub(crate) fn file_mark(&self, path: &Path) -> Option<FileMark> {
        let meta = std::fs::metadata(self.real_path(path)?).ok()?;
        #[cfg(unix)]
        let identity = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec())
        };
        Some(FileMark {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            identity,
        })
    }

    /// How often the files that credentials come from are checked for changes.
    pub(crate) fn file_check_interval(&self) -> std::time::Duration {
        self.file_checks.unwrap_or(FILE_CHECK_INTERVAL)
    }

    /// Where a file of this world really is: the path itself in the process's world, under
    /// the root of a world given as a directory, nowhere for files given as data.
    fn real_path(&self, path: &Path) -> Option<PathBuf> {
        match &self.given {
            None => Some(path.to_path_buf()),
            Some(given) => Some(
                given
                    .root
                    .as_ref()?
                    .join(path.strip_prefix("/").unwrap_or(path)),
            ),
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

    /// The value of a variable as [`var`](Self::var) reads it, or an error naming the
    /// variable when it is set but is not UTF-8 text: for variables that decide where requests
    /// go or what signs them, which must be refused rather than ignored.
    pub(crate) fn var_checked(&self, name: &str) -> Result<Option<String>, String> {
        match self.env.get(name) {
            Ok(value) => Ok(Some(value).filter(|v| !v.trim().is_empty())),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(not_unicode(name)),
        }
    }

    /// The first of the variables this manager reads (`AWS_*`, the proxy variables) whose value
    /// is not UTF-8 text, as an error that names it. aws-config ignores such a variable, which
    /// would send a request elsewhere than the user said (`AWS_ENDPOINT_URL*`) or without the
    /// settings meant for it.
    pub(crate) fn unreadable_var(&self) -> Option<String> {
        if self.given.is_some() {
            // Variables given as data are text.
            return None;
        }
        Self::process_vars().find_map(|(name, value)| {
            let name = name.to_str()?;
            let read =
                name.starts_with("AWS_") || PROXY_VARS.iter().any(|v| v.eq_ignore_ascii_case(name));
            (read && value.to_str().is_none()).then(|| not_unicode(name))
        })
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

/// The permission bits, on Unix.
fn file_mode_of(meta: &std::fs::Metadata) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(meta.permissions().mode())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// What something that is not a regular file is, for the message that refuses it.
fn what_it_is(meta: &std::fs::Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}
