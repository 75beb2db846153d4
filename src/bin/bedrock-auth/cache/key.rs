//! The name of a cache entry: a SHA-256 over everything that chose the credentials it holds,
//! so that a run is served only what it would have resolved itself.
//!
//! Hashed, each field length-prefixed: the arguments (raw bytes), the configuration as
//! resolved, every `AWS_*` and `BEDROCK_AUTH_*` variable and `HOME` (a superset of what any
//! source reads), every variable the configuration names (`{ env = "VAR" }`, whatever its
//! name: by name and value, or as unset), and the contents of every file the run may read:
//! the `--config` file, the shared config and credentials files, the files the configuration
//! names (`{ file = .. }`, the session policy, the web-identity token), the files those
//! variables name (`*_FILE`), the files a section of the shared files names (`*_file` keys),
//! and the SSO and `aws login` token caches of the profile chain ([`chain`]: a chain with a
//! `credential_process`, or one that cannot be followed, leaves the key unknown). The files
//! are read in two steps ([`read`], then [`Read::key`]): all but the token caches before the
//! library reads any of them, the token caches once the manager says where the chain starts,
//! found in the shared files' text as read here. A missing file is
//! hashed as missing. A file that cannot be read, is not a regular file or is too large
//! leaves the key unknown, and the run uncached. Each file is checked before it is read, and
//! opened without blocking: a FIFO or a device is refused at once.

use std::collections::{BTreeMap, btree_map};
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::Read as _;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use aws_runtime::env_config::file::EnvConfigFileKind;
use bedrock_auth::AuthConfig;
use rustix::fs::{Mode, OFlags};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::chain::{self, First};

/// The most read of a configuration, secret, policy or token file: the library's own limit.
const SMALL_FILE_LIMIT: u64 = 64 * 1024;

/// The most read of a shared AWS config or credentials file: the library's own limit.
const SHARED_FILE_LIMIT: u64 = 4 * 1024 * 1024;

/// Why a run has no key (so no cache): the file and what is wrong with it.
#[derive(Debug)]
pub(crate) struct Unknown(pub(crate) String);

/// The files a run may read, each with what it is.
type Files = BTreeMap<PathBuf, Kind>;

/// What a file is to the run, which sets the most that is read of it.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// A shared config or credentials file, whose sections may name more files.
    Shared,
    /// A file named by the arguments, the configuration, a variable or a shared file.
    Named,
}

impl Kind {
    /// The most read of a file of this kind: the library's own limits.
    fn limit(self) -> u64 {
        match self {
            Kind::Shared => SHARED_FILE_LIMIT,
            Kind::Named => SMALL_FILE_LIMIT,
        }
    }
}

/// A run's inputs read for its key, all but the profile chain's token caches: the fields
/// hashed so far, the digests of the files read, and the shared files' text, from which the
/// chain is known once the configuration is made a manager ([`Read::key`]).
pub(crate) struct Read {
    hash: Sha256,
    digests: Digests,
    /// The shared config and credentials files, each with its text (lossy, as the library
    /// hands it to aws-config); `None`: missing.
    shared: Vec<(EnvConfigFileKind, Option<Zeroizing<String>>)>,
    home: Option<PathBuf>,
    /// `AWS_LOGIN_CACHE_DIRECTORY`, where `aws login` sessions are cached instead of HOME's.
    login_dir: Option<PathBuf>,
}

/// Reads this run's inputs with `config` (read from `config_file`, if given), every file
/// checked before it is read.
pub(crate) fn read(config: &AuthConfig, config_file: Option<&Path>) -> Result<Read, Unknown> {
    let mut hash = Sha256::new();
    field(&mut hash, b"bedrock-auth credential-process cache, v3");
    for arg in std::env::args_os().skip(1) {
        field(&mut hash, arg.as_bytes());
    }
    // What the library made of them: a check that the two above decide it.
    field(&mut hash, format!("{config:?}").as_bytes());
    let vars = variables();
    for (name, value) in &vars {
        field(&mut hash, name.as_bytes());
        field(&mut hash, value.as_bytes());
    }
    // The variables the configuration names (`{ env = .. }`), whatever their names: by name
    // and value, an unset one as unset.
    for name in config.named_variables() {
        field(&mut hash, b"variable");
        field(&mut hash, name.as_bytes());
        match std::env::var_os(name) {
            Some(value) => field(&mut hash, value.as_bytes()),
            None => field(&mut hash, b"unset"),
        }
    }
    let home = vars.get(OsStr::new("HOME")).map(PathBuf::from);
    let (files, shared_paths) = files(config, config_file, &vars, home.as_deref());
    let (digests, texts) = file_digests(&files, home.as_deref())?;
    let shared = shared_paths
        .into_iter()
        .map(|(kind, path)| (kind, texts.get(&path).cloned()))
        .collect();
    let login_dir = vars
        .get(OsStr::new("AWS_LOGIN_CACHE_DIRECTORY"))
        .map(PathBuf::from);
    Ok(Read {
        hash,
        digests,
        shared,
        home,
        login_dir,
    })
}

impl Read {
    /// The key (64 hex digits), with the token caches of the chain that starts at `first`
    /// read too; unknown where that chain has a `credential_process` or cannot be followed.
    pub(crate) async fn key(self, first: &First) -> Result<String, Unknown> {
        let Self {
            mut hash,
            mut digests,
            shared,
            home,
            login_dir,
        } = self;
        let tokens =
            chain::token_files(first, &shared, home.as_deref(), login_dir.as_deref()).await?;
        for path in tokens {
            if let btree_map::Entry::Vacant(slot) = digests.entry(path) {
                let bytes = read_file(slot.key(), Kind::Named.limit())?;
                slot.insert(bytes.map(|bytes| Sha256::digest(&*bytes).into()));
            }
        }
        for (path, digest) in digests {
            field(&mut hash, path.as_os_str().as_bytes());
            match digest {
                Some(digest) => field(&mut hash, &digest),
                None => field(&mut hash, b"missing"),
            }
        }
        Ok(hex::encode(hash.finalize()))
    }
}

/// One field: its length, then its bytes, so that no two lists of fields hash alike.
fn field(hash: &mut Sha256, bytes: &[u8]) {
    hash.update((bytes.len() as u64).to_be_bytes());
    hash.update(bytes);
}

/// Every `AWS_*` and `BEDROCK_AUTH_*` variable, and `HOME`, by name, as the OS has them.
fn variables() -> BTreeMap<OsString, OsString> {
    std::env::vars_os()
        .filter(|(name, _)| {
            let name = name.as_bytes();
            name.starts_with(b"AWS_") || name.starts_with(b"BEDROCK_AUTH_") || name == b"HOME"
        })
        .collect()
}

/// The files whose contents go into the key, but those the shared files name (which are
/// known once those are read).
fn files(
    config: &AuthConfig,
    config_file: Option<&Path>,
    vars: &BTreeMap<OsString, OsString>,
    home: Option<&Path>,
) -> (Files, Vec<(EnvConfigFileKind, PathBuf)>) {
    let mut files = Files::new();
    let mut shared = Vec::new();
    for (kind, var, default) in [
        (EnvConfigFileKind::Config, "AWS_CONFIG_FILE", ".aws/config"),
        (
            EnvConfigFileKind::Credentials,
            "AWS_SHARED_CREDENTIALS_FILE",
            ".aws/credentials",
        ),
    ] {
        let named = vars.get(OsStr::new(var)).filter(|v| !v.is_empty());
        let path = match named {
            Some(path) => Some(expanded(Path::new(path), home)),
            None => home.map(|home| home.join(default)),
        };
        if let Some(path) = path {
            files.insert(path.clone(), Kind::Shared);
            shared.push((kind, path));
        }
    }
    let named_by_vars = vars
        .iter()
        .filter(|(name, value)| name.as_bytes().ends_with(b"_FILE") && !value.is_empty())
        .map(|(_, path)| PathBuf::from(path));
    let named = config.named_files().into_iter().map(Path::to_path_buf);
    for path in named_by_vars
        .chain(named)
        .chain(config_file.map(Path::to_path_buf))
    {
        files.entry(path).or_insert(Kind::Named);
    }
    (files, shared)
}

/// `path`, with a leading `~/` as the SDK reads it: under HOME.
fn expanded(path: &Path, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}

/// The digest of each file (`None`: missing), and of each file the shared files name; and the
/// text of the shared files, by path.
fn file_digests(
    files: &Files,
    home: Option<&Path>,
) -> Result<(Digests, BTreeMap<PathBuf, Zeroizing<String>>), Unknown> {
    let mut digests = Digests::new();
    let mut texts = BTreeMap::new();
    let mut named = Vec::new();
    for (path, kind) in files {
        let bytes = read_file(path, kind.limit())?;
        if *kind == Kind::Shared
            && let Some(bytes) = &bytes
        {
            named.extend(named_in_shared_file(bytes, home));
            let text = Zeroizing::new(String::from_utf8_lossy(bytes).into_owned());
            texts.insert(path.clone(), text);
        }
        digests.insert(
            path.clone(),
            bytes.map(|bytes| Sha256::digest(&*bytes).into()),
        );
    }
    // Read once each, and never as more than what they are named as.
    for path in named {
        if let btree_map::Entry::Vacant(slot) = digests.entry(path) {
            let bytes = read_file(slot.key(), Kind::Named.limit())?;
            slot.insert(bytes.map(|bytes| Sha256::digest(&*bytes).into()));
        }
    }
    Ok((digests, texts))
}

/// The SHA-256 of each file's contents, by path; `None` for a missing file.
type Digests = BTreeMap<PathBuf, Option<[u8; 32]>>;

/// The paths of the `*_file` keys of a shared config or credentials file, in any section
/// (a superset of the profile the run uses): `web_identity_token_file = /var/run/token`.
fn named_in_shared_file<'a>(
    text: &'a [u8],
    home: Option<&'a Path>,
) -> impl Iterator<Item = PathBuf> + 'a {
    text.split(|byte| *byte == b'\n').filter_map(move |line| {
        let line = std::str::from_utf8(line).ok()?.trim();
        let (key, value) = line.split_once('=')?;
        let (key, value) = (key.trim(), value.trim());
        let names_a_file = key.to_ascii_lowercase().ends_with("_file") && !value.is_empty();
        names_a_file.then(|| expanded(Path::new(value), home))
    })
}

/// The bytes of the file at `path` (`None`: it does not exist), checked before they are
/// read: a regular file of at most `limit` bytes.
fn read_file(path: &Path, limit: u64) -> Result<Option<Zeroizing<Vec<u8>>>, Unknown> {
    let unknown = |why: String| Unknown(format!("{}: {why}", path.display()));
    // The path's own type first: a device is not even opened (opening one may do something).
    match std::fs::metadata(path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(unknown(format!("cannot read it: {err}"))),
        Ok(meta) => regular(&meta, limit).map_err(unknown)?,
    }
    // Then the file opened, without blocking (a FIFO put there meanwhile), checked again.
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    let file = rustix::fs::open(path, flags, Mode::empty())
        .map(File::from)
        .map_err(|err| unknown(format!("cannot read it: {}", std::io::Error::from(err))))?;
    let meta = file.metadata().map_err(|err| unknown(err.to_string()))?;
    regular(&meta, limit).map_err(unknown)?;
    // Room for the whole file, so that the buffer never grows (and leaves a copy unwiped).
    let room = usize::try_from(meta.len()).unwrap_or(0).saturating_add(1);
    let mut bytes = Zeroizing::new(Vec::with_capacity(room));
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| unknown(format!("cannot read it: {err}")))?;
    if bytes.len() as u64 > limit {
        return Err(unknown(too_large(limit)));
    }
    Ok(Some(bytes))
}

/// Whether `meta` is a regular file of at most `limit` bytes; what it is instead.
fn regular(meta: &std::fs::Metadata, limit: u64) -> Result<(), String> {
    let kind = meta.file_type();
    let is = if kind.is_file() {
        return if meta.len() > limit {
            Err(too_large(limit))
        } else {
            Ok(())
        };
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a file"
    };
    Err(format!("it is {is}, not a regular file"))
}

/// The reason for a file longer than `limit`.
fn too_large(limit: u64) -> String {
    format!("it is larger than {} KiB", limit / 1024)
}
