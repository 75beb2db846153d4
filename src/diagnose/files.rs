//! The shared config and credentials files, and secret files: whether each can be read, what
//! profiles it has, and whether others can read it.

use std::path::{Path, PathBuf};

use aws_config::profile::ProfileSet;
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};

use crate::os::{CarefulRead, FileTrouble, Os, SHARED_FILE_LIMIT, SMALL_FILE_LIMIT};

use super::FileReport;

/// Warns about a secret file that group or others may read, or that is not a regular file (a
/// manager refuses it).
pub(crate) fn check_secret_file(os: &Os, path: &Path, warnings: &mut Vec<String>) {
    let warning = match os.read_careful(path, SMALL_FILE_LIMIT) {
        Ok(read) => exposure_warning(path, &read),
        Err(FileTrouble::NotRegular(is)) => Some(format!(
            "the secret file {} is {is}, not a regular file: it is refused",
            path.display()
        )),
        Err(FileTrouble::TooLarge(max)) => Some(format!(
            "the secret file {} is larger than {} KiB: it is refused",
            path.display(),
            max / 1024
        )),
        Err(FileTrouble::Missing | FileTrouble::Unreadable(_)) => {
            Some(format!("the secret file {} cannot be read", path.display()))
        }
    };
    // A file named twice (by a variable and by a config) is one warning.
    if let Some(warning) = warning.filter(|w| !warnings.contains(w)) {
        warnings.push(warning);
    }
}

/// `chmod 600`, as ssh asks of a private key.
pub(super) fn exposure_warning(path: &Path, read: &CarefulRead) -> Option<String> {
    read.exposed().then(|| {
        format!(
            "{} is readable by group or others (mode {:o}); run `chmod 600` on it",
            path.display(),
            read.mode.unwrap_or_default() & 0o777
        )
    })
}

pub(super) async fn file_report(
    os: &Os,
    path: PathBuf,
    config: bool,
    warnings: &mut Vec<String>,
) -> (FileReport, Option<ProfileSet>) {
    // Read once, with care: whether it exists, and what it holds.
    let contents = match os.read_careful(&path, SHARED_FILE_LIMIT) {
        Ok(read) => {
            // The credentials file holds keys; the config file rarely does.
            if !config && let Some(warning) = exposure_warning(&path, &read) {
                warnings.push(warning);
            }
            Some(read.bytes)
        }
        Err(FileTrouble::NotRegular(is)) => {
            warnings.push(format!("{} is {is}, not a regular file", path.display()));
            None
        }
        Err(FileTrouble::TooLarge(max)) => {
            warnings.push(format!(
                "{} is larger than {} MiB",
                path.display(),
                max / (1024 * 1024)
            ));
            None
        }
        Err(FileTrouble::Missing | FileTrouble::Unreadable(_)) => None,
    };
    let exists = contents.is_some();
    let mut parsed = None;
    let profiles = match contents {
        Some(contents) => {
            let kind = if config {
                EnvConfigFileKind::Config
            } else {
                EnvConfigFileKind::Credentials
            };
            let files = EnvConfigFiles::builder()
                .with_contents(kind, String::from_utf8_lossy(&contents))
                .build();
            match aws_config::profile::load(&os.fs, &os.env, &files, None).await {
                Ok(set) => {
                    let mut names: Vec<String> = set.profiles().map(str::to_owned).collect();
                    names.sort();
                    parsed = Some(set);
                    names
                }
                Err(err) => {
                    warnings.push(format!("{} cannot be parsed: {err}", path.display()));
                    Vec::new()
                }
            }
        }
        None => Vec::new(),
    };
    let report = FileReport {
        path,
        exists,
        profiles,
    };
    (report, parsed)
}
