//! [`Shared`]: what many managers can share, so that a service with a manager per tenant has
//! one HTTP client and one connection pool, not one per tenant.

use std::fmt;

use aws_smithy_runtime_api::client::http::SharedHttpClient;

use crate::os::Os;
use crate::proxy::{ProxyChoice, https_client};

/// What is the same for every tenant of a service: the HTTP client, with its connection pool
/// (TCP and TLS connections to each regional endpoint) and its proxy. Cheap to clone; give
/// it to each tenant's builder ([`AuthBuilder::shared`](crate::AuthBuilder::shared)) or config
/// ([`AuthConfig::shared`](crate::AuthConfig::shared)). Credentials, their caches, the
/// regional clients and the lockout state stay each manager's own.
///
/// ```
/// use bedrock_auth::{AuthManager, Shared};
///
/// let shared = Shared::new();
/// let tenant = |role: &str, external_id: &str| {
///     AuthManager::builder()
///         .region("us-east-1")
///         .shared(&shared)
///         .assume_role(role)
///         .external_id(external_id)
///         .build()
/// };
/// let acme = tenant("arn:aws:iam::111111111111:role/BedrockAccess", "acme-7f3a")?;
/// let globex = tenant("arn:aws:iam::222222222222:role/BedrockAccess", "globex-19c2")?;
/// # let _ = (acme, globex);
/// # Ok::<(), bedrock_auth::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Shared {
    pub(crate) http: SharedHttpClient,
}

impl Shared {
    /// The SDK's HTTPS client (rustls), through the proxy of the process's `HTTPS_PROXY` /
    /// `HTTP_PROXY` / `NO_PROXY`, as a manager's own would be.
    pub fn new() -> Self {
        Self {
            http: https_client(&Os::default(), &ProxyChoice::FromEnvironment),
        }
    }

    /// The same, through this proxy (or none: [`without_proxy`](Self::without_proxy)).
    pub fn with_proxy(url: &str) -> Self {
        Self {
            http: https_client(&Os::default(), &ProxyChoice::Url(url.to_owned())),
        }
    }

    /// The same, connecting directly whatever the proxy variables say.
    pub fn without_proxy() -> Self {
        Self {
            http: https_client(&Os::default(), &ProxyChoice::Off),
        }
    }

    /// An HTTP client of your own (any `aws_smithy_runtime_api` client: a tuned pool, a test
    /// client).
    pub fn with_http_client(http: SharedHttpClient) -> Self {
        Self { http }
    }
}

impl Default for Shared {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}
