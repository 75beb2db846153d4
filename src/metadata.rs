//! How long to wait for the EC2 instance metadata service, as botocore and the AWS CLI let one
//! say it (`AWS_METADATA_SERVICE_TIMEOUT`, `AWS_METADATA_SERVICE_NUM_ATTEMPTS`, or the profile's
//! `metadata_service_timeout` / `metadata_service_num_attempts`), which aws-config ignores.
//!
//! aws-config's metadata client keeps its own settings (1 s per attempt, 4 attempts), and the
//! default credential chain it sits in cannot be rebuilt outside aws-config with the same
//! environment. So the bound is put where every metadata request passes: the manager's HTTP
//! client. A request for a metadata path (`/latest/...`, which no other AWS endpoint serves) is
//! tried `attempts` times for at most `timeout` each; then it fails as an error aws-config does
//! not retry, and the chain moves on (or says `no_credentials`) at once.

use std::fmt;
use std::time::Duration;

use aws_smithy_async::future::timeout::Timeout;
use aws_smithy_async::rt::sleep::{AsyncSleep, SharedAsyncSleep};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::{
    RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_runtime_api::shared::IntoShared;
use aws_smithy_types::config_bag::ConfigBag;

/// botocore's defaults, for the one of the two settings left unset when the other is set.
pub(crate) const DEFAULT_METADATA_TIMEOUT: Duration = Duration::from_secs(1);
/// See [`DEFAULT_METADATA_TIMEOUT`].
pub(crate) const DEFAULT_METADATA_ATTEMPTS: u32 = 1;

/// How long one metadata request may take, and how many times it is tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MetadataPolicy {
    pub(crate) timeout: Duration,
    pub(crate) attempts: u32,
}

impl fmt::Display for MetadataPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let attempts = self.attempts;
        let plural = if attempts == 1 { "" } else { "s" };
        write!(
            f,
            "{:?} per attempt, {attempts} attempt{plural}",
            self.timeout
        )
    }
}

/// The policy in force and where each half came from, for messages and `doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) policy: MetadataPolicy,
    pub(crate) timeout_from: &'static str,
    pub(crate) attempts_from: &'static str,
}

impl fmt::Display for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (timeout from {}, attempts from {})",
            self.policy, self.timeout_from, self.attempts_from
        )
    }
}

/// The variables botocore reads, and the profile keys.
pub(crate) const TIMEOUT_VAR: &str = "AWS_METADATA_SERVICE_TIMEOUT";
/// See [`TIMEOUT_VAR`].
pub(crate) const ATTEMPTS_VAR: &str = "AWS_METADATA_SERVICE_NUM_ATTEMPTS";
const TIMEOUT_KEY: &str = "metadata_service_timeout";
const ATTEMPTS_KEY: &str = "metadata_service_num_attempts";

/// What each place says, most specific first: the builder (or config), the variables, the
/// profile.
#[derive(Debug, Default)]
pub(crate) struct Said<'a> {
    pub(crate) timeout: Option<Duration>,
    pub(crate) attempts: Option<u32>,
    pub(crate) env_timeout: Option<&'a str>,
    pub(crate) env_attempts: Option<&'a str>,
    pub(crate) profile_timeout: Option<&'a str>,
    pub(crate) profile_attempts: Option<&'a str>,
}

impl Said<'_> {
    /// The policy, `None` when nothing is said (aws-config's own settings then apply), or what
    /// is wrong with a value (fail closed: a value that cannot be read is not ignored).
    pub(crate) fn resolve(&self) -> Result<Option<Resolved>, String> {
        let timeout = match (self.timeout, self.env_timeout, self.profile_timeout) {
            (Some(t), _, _) => Some((t, "the builder or config")),
            (None, Some(text), _) => Some((seconds(TIMEOUT_VAR, text)?, TIMEOUT_VAR)),
            (None, None, Some(text)) => Some((seconds(TIMEOUT_KEY, text)?, "the profile")),
            _ => None,
        };
        let attempts = match (self.attempts, self.env_attempts, self.profile_attempts) {
            (Some(n), _, _) => Some((n, "the builder or config")),
            (None, Some(text), _) => Some((count(ATTEMPTS_VAR, text)?, ATTEMPTS_VAR)),
            (None, None, Some(text)) => Some((count(ATTEMPTS_KEY, text)?, "the profile")),
            _ => None,
        };
        if timeout.is_none() && attempts.is_none() {
            return Ok(None);
        }
        let (timeout, timeout_from) = timeout.unwrap_or((DEFAULT_METADATA_TIMEOUT, "default"));
        let (attempts, attempts_from) = attempts.unwrap_or((DEFAULT_METADATA_ATTEMPTS, "default"));
        Ok(Some(Resolved {
            policy: MetadataPolicy { timeout, attempts },
            timeout_from,
            attempts_from,
        }))
    }
}

/// Seconds as botocore reads them (`1`, `0.1`), more than 0 and at most 60.
fn seconds(name: &str, text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0 && *s <= 60.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("{name} must be seconds, more than 0 and at most 60 (e.g. 0.1)"))
}

/// A count of attempts, 1 to 10.
fn count(name: &str, text: &str) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=10).contains(n))
        .ok_or_else(|| format!("{name} must be a whole number from 1 to 10"))
}

/// The profile keys, for whoever reads the profile.
pub(crate) const PROFILE_KEYS: [&str; 2] = [TIMEOUT_KEY, ATTEMPTS_KEY];

/// Whether a request is for the instance metadata service.
fn is_metadata(request: &HttpRequest) -> bool {
    let path = request.uri();
    let path = path.split_once("://").map_or(path, |(_, rest)| {
        rest.find('/').map_or("", |at| &rest[at..])
    });
    path.starts_with("/latest/")
}

/// `client`, with metadata requests held to `policy`.
pub(crate) fn bounded_metadata(
    client: SharedHttpClient,
    policy: MetadataPolicy,
) -> SharedHttpClient {
    SharedHttpClient::new(MetadataBound {
        inner: client,
        policy,
    })
}

#[derive(Debug)]
struct MetadataBound {
    inner: SharedHttpClient,
    policy: MetadataPolicy,
}

impl HttpClient for MetadataBound {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let inner = self.inner.http_connector(settings, components);
        match components.sleep_impl() {
            Some(sleep) => MetadataConnector {
                inner,
                policy: self.policy,
                sleep,
            }
            .into_shared(),
            None => inner,
        }
    }

    fn validate_base_client_config(
        &self,
        runtime_components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        self.inner
            .validate_base_client_config(runtime_components, cfg)
    }

    fn validate_final_config(
        &self,
        runtime_components: &RuntimeComponents,
        cfg: &ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        self.inner.validate_final_config(runtime_components, cfg)
    }

    fn connector_metadata(
        &self,
    ) -> Option<aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[derive(Debug)]
struct MetadataConnector {
    inner: SharedHttpConnector,
    policy: MetadataPolicy,
    sleep: SharedAsyncSleep,
}

impl HttpConnector for MetadataConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        if !is_metadata(&request) {
            return self.inner.call(request);
        }
        let (inner, policy, sleep) = (self.inner.clone(), self.policy, self.sleep.clone());
        HttpConnectorFuture::new(async move {
            let mut last = None;
            for attempt in 1..=policy.attempts {
                // Metadata requests have small bodies in memory: they clone. One that does not
                // is sent once.
                let this = match request.try_clone() {
                    Some(copy) if attempt < policy.attempts => copy,
                    _ => {
                        return finish(inner.call(request), &sleep, policy).await;
                    }
                };
                match Timeout::new(inner.call(this), sleep.sleep(policy.timeout)).await {
                    Ok(Ok(response)) => return Ok(response),
                    Ok(Err(err)) => last = Some(err.to_string()),
                    Err(_) => last = Some(format!("no answer within {:?}", policy.timeout)),
                }
                tracing::debug!(attempt, error = ?last, "instance metadata attempt failed");
            }
            Err(given_up(policy, last.unwrap_or_default()))
        })
    }
}

/// The last attempt: its answer, or an error aws-config does not retry.
async fn finish(
    call: HttpConnectorFuture,
    sleep: &SharedAsyncSleep,
    policy: MetadataPolicy,
) -> Result<aws_smithy_runtime_api::client::orchestrator::HttpResponse, ConnectorError> {
    match Timeout::new(call, sleep.sleep(policy.timeout)).await {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(err)) => Err(given_up(policy, err.to_string())),
        Err(_) => Err(given_up(
            policy,
            format!("no answer within {:?}", policy.timeout),
        )),
    }
}

/// Not a timeout or an I/O error, which aws-config would retry with its own settings.
fn given_up(policy: MetadataPolicy, last: String) -> ConnectorError {
    let message =
        format!("instance metadata did not answer ({policy}; last: {last}); giving up on it");
    tracing::debug!("{message}");
    ConnectorError::other(message.into(), None)
}
