//! [`Settings`]: what every mode shares (region, endpoint, timeouts, attempts, and the outside
//! world it reads), with their defaults and limits.

use std::time::Duration;

use crate::os::Os;
use crate::proxy::ProxyChoice;
use crate::shared::Shared;
use crate::values::{EndpointUrl, Region};

/// How long to wait for a connection unless the builder says otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// The longest connect timeout the builder accepts: 10 minutes.
pub const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(600);

/// The longest wait for instance metadata, per attempt, the builder accepts: 1 minute.
pub const MAX_METADATA_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest operation timeout the builder accepts: 24 hours. (Longer waits are never meant,
/// and `Duration::MAX` overflows the SDK's clock arithmetic.)
pub const MAX_OPERATION_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// How long one operation, retries included, may take unless the builder says otherwise.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

/// How long one Bedrock Runtime call (a model's answer, or the first event of a stream),
/// retries included, may take unless the builder says otherwise: 60 minutes, AWS's guidance for
/// the read timeout of models that think at length. Credentials and STS keep
/// [`DEFAULT_OPERATION_TIMEOUT`].
pub const DEFAULT_BEDROCK_TIMEOUT: Duration = Duration::from_secs(3600);

/// How many times a request is tried in all unless the builder says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// After `after` authentication failures in a row, calls are refused for `cool_down`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lockout {
    pub(crate) after: u32,
    pub(crate) cool_down: Duration,
}

/// The longest lockout cool-down the builder accepts: 24 hours.
pub const MAX_LOCKOUT_COOL_DOWN: Duration = Duration::from_secs(24 * 3600);

/// Settings that apply in every mode. (`pub` only so that the sealed mode traits can name it;
/// nothing outside the crate can reach it.)
#[derive(Debug, Clone)]
pub struct Settings {
    pub(crate) region: Option<Region>,
    pub(crate) endpoint_url: Option<EndpointUrl>,
    pub(crate) connect_timeout: Duration,
    pub(crate) operation_timeout: Duration,
    /// How long a Bedrock Runtime call may take (the credentials it needs keep
    /// `operation_timeout`).
    pub(crate) bedrock_timeout: Duration,
    pub(crate) max_attempts: u32,
    /// How long to wait for instance metadata, per attempt, and how many attempts; `None`:
    /// from `AWS_METADATA_SERVICE_TIMEOUT` / `_NUM_ATTEMPTS` or the profile, else aws-config's.
    pub(crate) metadata_timeout: Option<Duration>,
    pub(crate) metadata_attempts: Option<u32>,
    /// Refuse calls for a while after this many authentication failures in a row.
    pub(crate) lockout: Option<Lockout>,
    /// Which proxy the manager's HTTP client goes through.
    pub(crate) proxy: ProxyChoice,
    /// The CA bundle HTTPS connections trust instead of the system's roots (the builder's;
    /// without it `AWS_CA_BUNDLE`, then the profile's `ca_bundle`).
    pub(crate) ca_bundle: Option<std::path::PathBuf>,
    /// FIPS and dual-stack endpoints, the builder's (without them `AWS_USE_FIPS_ENDPOINT` /
    /// `AWS_USE_DUALSTACK_ENDPOINT`, then the profile's keys).
    pub(crate) use_fips: Option<bool>,
    pub(crate) use_dual_stack: Option<bool>,
    /// What this manager shares with others (the HTTP client); it wins over `proxy` and the
    /// sandbox's client.
    pub(crate) shared: Option<Shared>,
    /// The environment, files, HTTP client and clock: the process's, or a test sandbox.
    pub(crate) os: Os,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            region: None,
            endpoint_url: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
            bedrock_timeout: DEFAULT_BEDROCK_TIMEOUT,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            metadata_timeout: None,
            metadata_attempts: None,
            lockout: None,
            proxy: ProxyChoice::FromEnvironment,
            ca_bundle: None,
            use_fips: None,
            use_dual_stack: None,
            shared: None,
            os: Os::default(),
        }
    }
}
