//! `credential-process --cache`: temporary credentials kept between runs, so a profile whose
//! role wants MFA asks once per session lifetime, not at every AWS command.
//!
//! One file per configuration (its arguments and, with `--config`, the file's contents), under
//! `$XDG_CACHE_HOME/bedrock-auth/` (default `~/.cache/bedrock-auth/`): the directory made 0700,
//! each file 0600, and either refused (with a line on stderr, and the credentials fetched as
//! without `--cache`) when others may read it. An entry is used until five minutes before it
//! expires. Long-term keys are never written: only credentials with a session token and an
//! expiry are.

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

/// How long before its expiry an entry is no longer used.
const MARGIN: Duration = Duration::from_secs(5 * 60);

/// The cache entry of one configuration.
pub(crate) struct Entry {
    path: PathBuf,
}

impl Entry {
    /// The entry of the configuration these arguments (and, for `--config`, that file) name;
    /// `None`, said on stderr, when the cache cannot be used.
    pub(crate) fn of(config_file: Option<&std::path::Path>) -> Option<Self> {
        let dir = match std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => PathBuf::from(std::env::var_os("HOME")?).join(".cache"),
        }
        .join("bedrock-auth");
        if let Err(err) = fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
        {
            eprintln!(
                "credential-process: not caching: cannot create {}: {err}",
                dir.display()
            );
            return None;
        }
        if !private(&dir, 0o700) {
            eprintln!(
                "credential-process: not caching: others may read {} (run `chmod 700` on it)",
                dir.display()
            );
            return None;
        }
        let mut key = fnv1a(
            std::env::args()
                .skip(1)
                .collect::<Vec<_>>()
                .join("\0")
                .as_bytes(),
        );
        if let Some(file) = config_file.and_then(|path| fs::read(path).ok()) {
            key ^= fnv1a(&file).rotate_left(1);
        }
        Some(Self {
            path: dir.join(format!("{key:016x}.json")),
        })
    }

    /// The cached output, when there is one still good for five minutes and more.
    pub(crate) fn fresh(&self) -> Option<Zeroizing<Vec<u8>>> {
        let mut file = fs::File::open(&self.path).ok()?;
        if !private(&self.path, 0o600) {
            eprintln!(
                "credential-process: not using {}: others may read it (run `chmod 600` on it)",
                self.path.display()
            );
            return None;
        }
        let mut bytes = Zeroizing::new(Vec::new());
        file.read_to_end(&mut bytes).ok()?;
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

    /// Keeps `output` (a `credential_process` answer with a session token and an expiry) for
    /// the next run, in a file only this user may read; refused, said on stderr, when the file
    /// that is there already is readable by others.
    pub(crate) fn keep(&self, output: &[u8]) {
        if self.path.exists() && !private(&self.path, 0o600) {
            eprintln!(
                "credential-process: not caching in {}: others may read it (run `chmod 600` \
                 on it, or remove it)",
                self.path.display()
            );
            return;
        }
        let written = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&self.path)
            .and_then(|mut file| file.write_all(output));
        if let Err(err) = written {
            eprintln!(
                "credential-process: not caching: {}: {err}",
                self.path.display()
            );
        }
    }
}

/// Whether only the owner may read or write `path` (no bit of group or others beyond `mode`).
fn private(path: &std::path::Path, mode: u32) -> bool {
    fs::metadata(path).is_ok_and(|meta| meta.permissions().mode() & 0o777 & !mode == 0)
}

/// FNV-1a: a stable name for a configuration (the standard library's hashers may change).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
