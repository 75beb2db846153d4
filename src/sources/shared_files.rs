//! The shared config and credentials files (`~/.aws/config`, `~/.aws/credentials`): where they
//! are, and reading them once per load, with care, as the text aws-config is handed.

use std::path::Path;

use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};

use crate::error::{AuthError, ErrorKind};
use crate::error::{Rule, ValueError, ValueKind};
use crate::os::{FileTrouble, Os, SHARED_FILE_LIMIT};

/// Where the shared config and credentials files are, as aws-config finds them:
/// `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else under `~/.aws/`, `~` being `HOME`.
pub(crate) fn shared_file_paths(os: &Os) -> [(EnvConfigFileKind, String); 2] {
    let home = os.var("HOME");
    [
        (
            EnvConfigFileKind::Config,
            "AWS_CONFIG_FILE",
            "~/.aws/config",
        ),
        (
            EnvConfigFileKind::Credentials,
            "AWS_SHARED_CREDENTIALS_FILE",
            "~/.aws/credentials",
        ),
    ]
    .map(|(kind, variable, default)| {
        let path = os.var(variable).unwrap_or_else(|| default.to_owned());
        let path = match (path.strip_prefix("~/"), &home) {
            (Some(rest), Some(home)) => format!("{}/{rest}", home.trim_end_matches('/')),
            _ => path,
        };
        (kind, path)
    })
}

/// The shared config and credentials files, read once per load with care (regular files of at
/// most [`SHARED_FILE_LIMIT`]) and handed to aws-config as text, so that nothing of aws-config
/// reads them again. A missing or unreadable file is an empty one, as for aws-config; a FIFO,
/// a device or a huge file is an error naming it (a credentials file that the mode does not use,
/// `credentials_used` false, is passed over with a warning instead). A credentials file that
/// group or others may read is a warning.
pub(crate) fn shared_files(os: &Os, credentials_used: bool) -> Result<SharedFiles, AuthError> {
    let mut files = EnvConfigFiles::builder();
    let mut unreadable = None;
    for (kind, path) in shared_file_paths(os) {
        let passed_over = !credentials_used && matches!(kind, EnvConfigFileKind::Credentials);
        let text = match os.read_careful(Path::new(&path), SHARED_FILE_LIMIT) {
            Ok(read) => {
                if read.exposed() && matches!(kind, EnvConfigFileKind::Credentials) {
                    tracing::warn!(
                        path = %path,
                        mode = format!("{:o}", read.mode.unwrap_or_default() & 0o777),
                        "the shared credentials file is readable by group or others; run `chmod \
                         600` on it"
                    );
                }
                String::from_utf8_lossy(&read.bytes).into_owned()
            }
            Err(FileTrouble::Missing) => String::new(),
            Err(FileTrouble::Unreadable(err)) => {
                tracing::debug!(path = %path, error = %err, "cannot read a shared file");
                unreadable = Some(format!("{path}: {err}"));
                String::new()
            }
            Err(FileTrouble::NotRegular(is)) if passed_over => {
                tracing::warn!(path = %path, is, "the shared credentials file is not a regular file; not read (this mode takes no credentials from it)");
                String::new()
            }
            Err(FileTrouble::TooLarge(_)) if passed_over => {
                tracing::warn!(path = %path, "the shared credentials file is too large; not read (this mode takes no credentials from it)");
                String::new()
            }
            Err(FileTrouble::NotRegular(is)) => {
                return Err(file_refused(&path, Rule::NotRegularFile { is }));
            }
            Err(FileTrouble::TooLarge(max_bytes)) => {
                return Err(file_refused(&path, Rule::FileTooLarge { max_bytes }));
            }
        };
        files = files.with_contents(kind, text);
    }
    Ok(SharedFiles {
        files: files.build(),
        unreadable,
    })
}

/// The shared files as read, and the one that could not be (which matters to a profile that
/// must exist).
pub(crate) struct SharedFiles {
    pub(crate) files: EnvConfigFiles,
    pub(crate) unreadable: Option<String>,
}

/// A shared file refused before it was read.
fn file_refused(path: &str, rule: Rule) -> AuthError {
    let error = ValueError::new(ValueKind::ConfigFile, path, rule);
    AuthError::new(
        ErrorKind::InvalidConfig,
        error.to_string(),
        "point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at the regular files that hold the \
         profiles",
    )
}
