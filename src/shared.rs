//! [`Shared`]: what many managers can share, so that a service with a manager per tenant has
//! one HTTP client and one connection pool, not one per tenant, and one Bedrock Runtime client
//! (and one STS client for role assumption) that every tenant's requests go through.

use std::fmt;
use std::sync::OnceLock;

use aws_config::BehaviorVersion;
use aws_config::identity::IdentityCache;
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use crate::os::Os;
use crate::proxy::{ProxyChoice, https_client, refusing_client};

/// What is the same for every tenant of a service: the HTTP client, with its connection pool
/// (TCP and TLS connections to each regional endpoint) and its proxy. Cheap to clone; give
/// it to each tenant's builder ([`AuthBuilder::shared`](crate::AuthBuilder::shared)) or config
/// ([`AuthConfig::shared`](crate::AuthConfig::shared)). Credentials, their caches and the
/// lockout state stay each manager's own.
///
/// At scale, send every tenant's Bedrock requests through the one client of
/// [`bedrock_client`](Self::bedrock_client), each naming its tenant and region with
/// [`AuthManager::bedrock_override`](crate::AuthManager::bedrock_override): a tenant then holds
/// no SDK client at all. (A tenant's own regional clients,
/// [`AuthManager::bedrock_client`](crate::AuthManager::bedrock_client), cost about 13 KiB each,
/// the SDK's least for a client.)
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
            http: trusting_client(&ProxyChoice::FromEnvironment),
        }
    }

    /// The same, through this proxy (or none: [`without_proxy`](Self::without_proxy)).
    pub fn with_proxy(url: &str) -> Self {
        Self {
            http: trusting_client(&ProxyChoice::Url(url.to_owned())),
        }
    }

    /// The same, connecting directly whatever the proxy variables say.
    pub fn without_proxy() -> Self {
        Self {
            http: trusting_client(&ProxyChoice::Off),
        }
    }

    /// An HTTP client of your own (any `aws_smithy_runtime_api` client: a tuned pool, a test
    /// client).
    pub fn with_http_client(http: SharedHttpClient) -> Self {
        Self { http }
    }
}

impl Shared {
    /// The Bedrock Runtime client for every tenant and every region: it has no credentials and
    /// no region of its own, and each request brings its tenant's with
    /// [`config_override`](aws_sdk_bedrockruntime::client::customize::CustomizableOperation::config_override)
    /// and [`AuthManager::bedrock_override`](crate::AuthManager::bedrock_override). A request
    /// that names no tenant is refused: it has nothing to sign with and no connection to go out
    /// on. The same client for every `Shared`, cheap to clone.
    ///
    /// ```no_run
    /// # async fn example(shared: &bedrock_auth::Shared, tenant: &bedrock_auth::AuthManager,
    /// #     message: aws_sdk_bedrockruntime::types::Message) -> Result<(), Box<dyn std::error::Error>> {
    /// let reply = shared
    ///     .bedrock_client()
    ///     .converse()
    ///     .model_id("anthropic.claude-3-haiku-20240307-v1:0")
    ///     .messages(message)
    ///     .customize()
    ///     .config_override(tenant.bedrock_override("eu-west-1").await?)
    ///     .send()
    ///     .await?;
    /// # let _ = reply;
    /// # Ok(())
    /// # }
    /// ```
    pub fn bedrock_client(&self) -> aws_sdk_bedrockruntime::Client {
        sdk_clients().bedrock.clone()
    }
}

/// The SDK clients without credentials, region or connection that per-request overrides make
/// whole: one of each in the process, as they hold nothing of any tenant's.
struct SdkClients {
    bedrock: aws_sdk_bedrockruntime::Client,
    sts: aws_sdk_sts::Client,
}

fn sdk_clients() -> &'static SdkClients {
    static CLIENTS: OnceLock<SdkClients> = OnceLock::new();
    CLIENTS.get_or_init(|| {
        // Nothing goes out without an override's HTTP client; nothing is cached across
        // tenants (an override brings its tenant's credential cache).
        let refusing = || refusing_client("this client needs a tenant's override".to_owned());
        SdkClients {
            bedrock: aws_sdk_bedrockruntime::Client::from_conf(
                aws_sdk_bedrockruntime::Config::builder()
                    .behavior_version(BehaviorVersion::latest())
                    .http_client(refusing())
                    .identity_cache(IdentityCache::no_cache())
                    .build(),
            ),
            sts: aws_sdk_sts::Client::from_conf(
                aws_sdk_sts::Config::builder()
                    .behavior_version(BehaviorVersion::latest())
                    .http_client(refusing())
                    .identity_cache(IdentityCache::no_cache())
                    .build(),
            ),
        }
    })
}

/// The SDK's retry partition for a client of `service` in `region` (`bedrockruntime-us-east-1`):
/// requests through the process's clients, which have no region, draw on the token bucket of
/// their own region, as the region's own clients do.
pub(crate) fn regional_retry_partition(
    service: &str,
    region: &str,
) -> aws_sdk_sts::config::retry::RetryPartition {
    aws_sdk_sts::config::retry::RetryPartition::new(format!("{service}-{region}"))
}

/// The process's STS client for per-call overrides (`AssumeRole`, `GetCallerIdentity`).
pub(crate) fn sts_client() -> aws_sdk_sts::Client {
    sdk_clients().sts.clone()
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

/// The shared HTTPS client through `choice`, trusting `AWS_CA_BUNDLE` instead of the system's
/// roots when it is set; a bundle that cannot be used makes a client that refuses every
/// request, saying why (never one that trusts what was not asked for).
fn trusting_client(choice: &ProxyChoice) -> SharedHttpClient {
    let os = Os::default();
    match crate::tls::resolve(&os, None, None) {
        Ok(ca) => https_client(&os, choice, ca.as_ref()),
        Err(problem) => refusing_client(problem.message),
    }
}
