//! `credential-process --cache`: temporary credentials kept between runs, so a profile whose
//! role wants MFA asks once per session lifetime, not at every AWS command.
//!
//! One file per run's inputs: named by a SHA-256 of the arguments, the configuration, the
//! `AWS_*` / `BEDROCK_AUTH_*` variables, HOME and every variable the configuration names, and
//! the contents of every file that may choose the credentials, the SSO and `aws login` token
//! caches of the profile chain included ([`key`], [`chain`]), so another principal's run is
//! never served this one's. Where that key cannot be established (a file named there is a
//! FIFO, a device, too large or unreadable; the profile chain has a `credential_process`,
//! whose answer no file decides, or cannot be followed) the run is not cached, said in one
//! line on stderr.
//!
//! The entries live in `$XDG_CACHE_HOME/bedrock-auth/` (an absolute `XDG_CACHE_HOME` only, as
//! the XDG spec says; default `~/.cache/bedrock-auth/`), made 0700. The directory is opened
//! once, never through a symbolic link, and must be this user's with no bit for group or
//! others; an entry is opened relative to it, never through a link, and must be a regular file
//! of this user's, 0600 or less. A new entry is written to a temporary file made there
//! (exclusively, 0600) and renamed into place. Anything else is refused with a line on stderr,
//! and the credentials are resolved as without `--cache`. An entry is used until five minutes
//! before it expires. Long-term keys are never written: only credentials with a session token
//! and an expiry are.

mod chain;
mod key;

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bedrock_auth::AuthConfig;
use bedrock_auth::manager::AuthInfo;
use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::io::Errno;
use zeroize::Zeroizing;

use chain::First;

/// How long before its expiry an entry is no longer used.
const MARGIN: Duration = Duration::from_secs(5 * 60);

/// The most read of an entry: far more than a `credential_process` answer takes.
const ENTRY_LIMIT: u64 = 64 * 1024;

/// The cache entry of one run's inputs, in the directory checked when it was opened.
pub(crate) struct Entry {
    /// The cache directory, opened (and checked) once: every entry is reached through it.
    dir: OwnedFd,
    /// Its path, for messages.
    dir_path: PathBuf,
    /// The key ([`key::Read::key`]), and so the entry's name without `.json`.
    key: String,
    /// Where the profile chain starts, to compute the key again.
    first: First,
}

/// A run's inputs read for its key, before its configuration is made a manager: the files are
/// checked (a FIFO refused) before anything of the library reads them.
pub(crate) struct Inputs(key::Read);

/// A line on stderr: why the cache is not used for this run.
fn not_caching(why: &str) {
    eprintln!("credential-process: not caching: {why}");
}

impl Inputs {
    /// The inputs of this run with `config` (read from `config_file`, if given); `None`, said
    /// on stderr, when one cannot be read.
    pub(crate) fn read(config: &AuthConfig, config_file: Option<&Path>) -> Option<Self> {
        key::read(config, config_file)
            .map(Self)
            .map_err(|key::Unknown(why)| not_caching(&why))
            .ok()
    }
}

impl Entry {
    /// The entry of these inputs, for a manager configured as `info`; `None`, said on stderr,
    /// when the cache cannot be used.
    pub(crate) async fn of(inputs: Inputs, info: &AuthInfo) -> Option<Self> {
        let first = First::of(info);
        let key = inputs
            .0
            .key(&first)
            .await
            .map_err(|key::Unknown(why)| not_caching(&why))
            .ok()?;
        let Some(dir_path) = cache_dir() else {
            not_caching("no cache directory: HOME is not an absolute path");
            return None;
        };
        let dir = open_private_dir(&dir_path)
            .map_err(|why| not_caching(&why))
            .ok()?;
        Some(Self {
            dir,
            dir_path,
            key,
            first,
        })
    }

    /// The entry's file name.
    fn name(&self) -> String {
        format!("{}.json", self.key)
    }

    /// The entry's path, for messages.
    fn path(&self) -> PathBuf {
        self.dir_path.join(self.name())
    }

    /// The cached output, when there is one still good for five minutes and more, in a
    /// regular file of this user's that only they may read.
    pub(crate) fn fresh(&self) -> Option<Zeroizing<Vec<u8>>> {
        let bytes = match self.read() {
            Ok(bytes) => bytes?,
            Err(why) => {
                eprintln!(
                    "credential-process: not using {}: {why}",
                    self.path().display()
                );
                return None;
            }
        };
        let cached: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        let expiration = cached.get("Expiration")?.as_str()?;
        let expires = aws_smithy_types::DateTime::from_str(
            expiration,
            aws_smithy_types::date_time::Format::DateTime,
        )
        .ok()?;
        let expires = SystemTime::try_from(expires).ok()?;
        (expires > SystemTime::now() + MARGIN).then_some(bytes)
    }

    /// The entry's bytes (`None`: there is none), or why it is not to be used.
    fn read(&self) -> Result<Option<Zeroizing<Vec<u8>>>, String> {
        let flags =
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
        let file = match rustix::fs::openat(&self.dir, self.name(), flags, Mode::empty()) {
            Ok(fd) => File::from(fd),
            Err(Errno::NOENT) => return Ok(None),
            Err(Errno::LOOP) => return Err("it is a symbolic link".to_owned()),
            Err(err) => return Err(std::io::Error::from(err).to_string()),
        };
        let meta = file.metadata().map_err(|err| err.to_string())?;
        if !meta.is_file() {
            return Err("it is not a regular file".to_owned());
        }
        owned_by_us(meta.uid())?;
        if meta.mode() & 0o077 != 0 {
            return Err("others may read it (run `chmod 600` on it, or remove it)".to_owned());
        }
        let mut bytes = Zeroizing::new(Vec::with_capacity(ENTRY_LIMIT as usize + 1));
        file.take(ENTRY_LIMIT + 1)
            .read_to_end(&mut bytes)
            .map_err(|err| err.to_string())?;
        if bytes.len() as u64 > ENTRY_LIMIT {
            return Err(format!("it is larger than {} KiB", ENTRY_LIMIT / 1024));
        }
        Ok(Some(bytes))
    }

    /// Keeps `output` (a `credential_process` answer with a session token and an expiry) for
    /// the next run; not when a file of the key changed while the credentials were resolved
    /// (the entry would name inputs that did not make them).
    pub(crate) async fn keep(
        &self,
        config: &AuthConfig,
        config_file: Option<&Path>,
        output: &[u8],
    ) {
        let again = match key::read(config, config_file) {
            Ok(read) => read.key(&self.first).await.ok(),
            Err(_) => None,
        };
        if again.as_deref() != Some(self.key.as_str()) {
            not_caching("a file the credentials came from changed while they were resolved");
            return;
        }
        if let Err(err) = self.write(output) {
            not_caching(&format!("{}: {err}", self.path().display()));
        }
    }

    /// Writes `output` to a new temporary file beside the entry, then renames it into place:
    /// a reader sees the old entry or the new one, and a link planted at the entry is
    /// replaced, never followed.
    fn write(&self, output: &[u8]) -> std::io::Result<()> {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .subsec_nanos();
        let temporary = format!(".{}.{}.{nanos}.tmp", self.key, std::process::id());
        let flags =
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let mode = Mode::RUSR | Mode::WUSR;
        let mut file = File::from(rustix::fs::openat(&self.dir, &temporary, flags, mode)?);
        let written = file
            .write_all(output)
            .and_then(|()| file.sync_all())
            .and_then(|()| {
                rustix::fs::renameat(&self.dir, &temporary, &self.dir, self.name())
                    .map_err(std::io::Error::from)
            });
        if written.is_err() {
            let _ = rustix::fs::unlinkat(&self.dir, &temporary, AtFlags::empty());
        }
        written
    }
}

/// `$XDG_CACHE_HOME/bedrock-auth`, or `$HOME/.cache/bedrock-auth`: a relative
/// `XDG_CACHE_HOME` is ignored, as the XDG spec says (it would depend on the working
/// directory); `None` without an absolute HOME.
fn cache_dir() -> Option<PathBuf> {
    let absolute = |var: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    let base = absolute("XDG_CACHE_HOME").or_else(|| Some(absolute("HOME")?.join(".cache")))?;
    Some(base.join("bedrock-auth"))
}

/// The cache directory, made 0700 if missing, then opened without following a link and
/// checked on what was opened: this user's, no bit for group or others.
fn open_private_dir(path: &Path) -> Result<OwnedFd, String> {
    let shown = path.display();
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|err| format!("cannot create {shown}: {err}"))?;
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let dir = match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(dir) => dir,
        // O_DIRECTORY with O_NOFOLLOW: Linux answers ENOTDIR for a link, others ELOOP.
        Err(Errno::LOOP | Errno::NOTDIR) if path.is_symlink() => {
            return Err(format!("{shown} is a symbolic link (make it a directory)"));
        }
        Err(err) => {
            return Err(format!(
                "cannot open {shown}: {}",
                std::io::Error::from(err)
            ));
        }
    };
    let stat = rustix::fs::fstat(&dir).map_err(|err| format!("{shown}: {err}"))?;
    owned_by_us(stat.st_uid).map_err(|why| format!("{shown}: {why}"))?;
    if stat.st_mode & 0o077 != 0 {
        return Err(format!("others may enter {shown} (run `chmod 700` on it)"));
    }
    Ok(dir)
}

/// Whether `owner` is this process's user (its effective uid): another user's file may hold
/// credentials of their choosing.
fn owned_by_us(owner: u32) -> Result<(), String> {
    let us = rustix::process::geteuid().as_raw();
    if owner == us {
        Ok(())
    } else {
        Err(format!(
            "it is owned by uid {owner}, not by this user (uid {us})"
        ))
    }
}
