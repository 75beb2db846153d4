//! [`Sandbox`]: environment variables, files, HTTP and a clock of a test's own, in place of the
//! process's, for one manager.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_smithy_async::time::{SharedTimeSource, StaticTimeSource, TimeSource};
use aws_smithy_runtime_api::client::http::{HttpClient, SharedHttpClient};
use aws_smithy_runtime_api::shared::IntoShared;
use aws_types::os_shim_internal::{Env, Fs};

use crate::builder::AuthBuilder;
use crate::config::AuthConfig;
use crate::diagnose::Diagnosis;
use crate::modes::ModeState;
use crate::os::{Given, Os};

/// A world of a test's own for one manager: the environment variables, files, HTTP client and
/// clock that [`AuthBuilder::sandbox`](crate::AuthBuilder::sandbox) makes it use instead of the
/// process's. The process environment is never read or changed, so sandboxed tests can run in
/// parallel, and nothing leaves the process unless the sandbox is given an HTTP client.
///
/// Everything the manager and aws-config read goes through it: the region and profile
/// variables, the shared config and credentials files (found through `HOME`,
/// `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` of the sandbox), web-identity token
/// files, container and instance-metadata settings, and the default chain of auto mode.
/// One exception, from aws-config, which gives a profile provider built outside it no way to
/// take another environment: in profile mode, the STS and SSO clients of the profile's own role
/// or SSO chain read endpoint-override variables (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_STS`)
/// and the SSO token cache from the process. Auto mode has no such exception.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use bedrock_auth::{AuthManager, ErrorKind};
/// use bedrock_auth::testing::Sandbox;
///
/// let sandbox = Sandbox::new()
///     .env("HOME", "/home/test")
///     .file(
///         "/home/test/.aws/credentials",
///         "[dev]\naws_access_key_id = AKIDTEST\naws_secret_access_key = not-a-secret\n",
///     );
/// let manager = AuthManager::builder()
///     .region("us-east-1")
///     .profile("dev")
///     .sandbox(sandbox)
///     .build()
///     .expect("valid configuration");
/// let credentials = manager.credentials().await.expect("the sandbox's profile");
/// assert_eq!(credentials.access_key_id(), "AKIDTEST");
///
/// // The process's own files are not read: another profile does not exist here.
/// let other = AuthManager::builder()
///     .region("us-east-1")
///     .profile("default")
///     .sandbox(Sandbox::new())
///     .build()
///     .expect("valid configuration");
/// let err = other.credentials().await.unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::ProfileNotFound);
/// # }
/// ```
#[derive(Clone, Default)]
pub struct Sandbox {
    vars: HashMap<String, String>,
    files: HashMap<String, Vec<u8>>,
    root: Option<PathBuf>,
    http: Option<SharedHttpClient>,
    /// The manager builds its own HTTP client, as outside a sandbox (proxies included).
    own_http: bool,
    time: Option<SharedTimeSource>,
    file_checks: Option<Duration>,
}

impl Sandbox {
    /// An empty world: no variables, no files, no network (every request fails at once with a
    /// connection error), the system clock.
    pub fn new() -> Self {
        Self::default()
    }

    /// A world whose file system is the directory `dir`, seen as `/`: with `dir/home/.aws/config`
    /// and `HOME=/home`, the config file is found. Replaces the files given with
    /// [`file`](Self::file).
    pub fn rooted_at(dir: impl Into<PathBuf>) -> Self {
        Self {
            root: Some(dir.into()),
            ..Self::default()
        }
    }

    /// Lets the manager build its own HTTP client, as it does outside a sandbox: through the
    /// proxy this sandbox's `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` choose. Requests go out
    /// for real then: point the manager at a local server (and keep instance metadata off).
    pub fn own_http_client(mut self) -> Self {
        self.own_http = true;
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// Sets several environment variables.
    pub fn envs<K, V>(mut self, vars: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.vars
            .extend(vars.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Adds a file at an absolute `path`. Not used when the sandbox is
    /// [`rooted_at`](Self::rooted_at) a directory.
    pub fn file(mut self, path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        self.files.insert(path.into(), contents.into());
        self
    }

    /// The HTTP client every request goes through: STS, Bedrock Runtime, instance metadata,
    /// container credentials, SSO. E.g. aws-smithy-http-client's `ReplayingClient` (its
    /// `test-util` feature), or a client of your own. A manager also given
    /// [`shared`](crate::AuthBuilder::shared) uses the shared client instead: a service's
    /// tenants keep their one pool in a test too.
    pub fn http_client(mut self, client: impl HttpClient + 'static) -> Self {
        self.http = Some(client.into_shared());
        self
    }

    /// A clock that always says `now`, for expiry checks and signing.
    pub fn at(self, now: SystemTime) -> Self {
        self.time_source(StaticTimeSource::new(now))
    }

    /// The clock for expiry checks and signing.
    pub fn time_source(mut self, time: impl TimeSource + 'static) -> Self {
        self.time = Some(SharedTimeSource::new(time));
        self
    }

    /// How often the manager checks the files its credentials come from for changes (real
    /// files of a [`rooted_at`](Self::rooted_at) world), instead of every
    /// [`FILE_CHECK_INTERVAL`](crate::limits::FILE_CHECK_INTERVAL): a test of a rewritten file
    /// need not wait half a minute.
    pub fn file_check_interval(mut self, every: Duration) -> Self {
        self.file_checks = Some(every);
        self
    }

    pub(crate) fn into_os(self) -> Os {
        let fs = match &self.root {
            Some(root) => Fs::from_test_dir(root, "/"),
            None => Fs::from_map(self.files),
        };
        let mut vars: Vec<(String, String)> = self.vars.clone().into_iter().collect();
        vars.sort();
        Os {
            env: Env::from(self.vars),
            fs,
            http: match (self.http, self.own_http) {
                (Some(client), _) => Some(client),
                (None, true) => None,
                (None, false) => Some(crate::proxy::refusing_client(
                    "the sandbox has no HTTP client".to_owned(),
                )),
            },
            time: self.time,
            given: Some(Arc::new(Given {
                vars,
                root: self.root,
            })),
            file_checks: self.file_checks,
        }
    }

    /// What [`diagnose()`](crate::diagnose::diagnose) would report in this world: its variables, its
    /// shared files, its platform (from its variables and its DMI files under
    /// `/sys/devices/virtual/dmi/id`).
    pub async fn diagnose(self) -> Diagnosis {
        crate::diagnose::diagnose_in(&self.into_os(), None).await
    }
}

impl<M: ModeState> AuthBuilder<M> {
    /// Makes the manager use a test's own environment variables, files, HTTP client and clock
    /// instead of the process's: see [`Sandbox`]. For tests only (`test-util` feature).
    pub fn sandbox(mut self, sandbox: Sandbox) -> Self {
        self.settings.os = sandbox.into_os();
        self
    }
}

impl AuthConfig {
    /// Makes `{ env = .. }` and `{ file = .. }` read from a test's own environment and files,
    /// and the manager made from this config use them too: see [`Sandbox`]. For tests only
    /// (`test-util` feature).
    pub fn sandbox(mut self, sandbox: Sandbox) -> Self {
        self.os = sandbox.into_os();
        self
    }
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Variable values and file contents may be test secrets; names only.
        let mut vars: Vec<&str> = self.vars.keys().map(String::as_str).collect();
        vars.sort_unstable();
        let mut files: Vec<&str> = self.files.keys().map(String::as_str).collect();
        files.sort_unstable();
        f.debug_struct("Sandbox")
            .field("vars", &vars)
            .field("files", &files)
            .field("root", &self.root)
            .field("http_client", &self.http.is_some())
            .field("time_source", &self.time.is_some())
            .finish()
    }
}
