//! [`EndpointGuard`]: an interceptor on the manager's clients that looks at each request's URL
//! as the SDK resolved it, before signing, and refuses what must not be sent:
//!
//! - a URL that cannot be read, or that carries user info (`user:password@`), on every client;
//! - on the Bedrock clients that send an API key, plain HTTP to any host but this machine (a
//!   bearer key on the wire is the key itself), and a short-term key that has expired (Bedrock
//!   would refuse it; nothing is gained by sending it): auto mode's, from
//!   `AWS_BEARER_TOKEN_BEDROCK`. API-key mode's key is checked as each request asks for it
//!   (`modes/api_key/source.rs`), since it can change underneath the client.
//!
//! It sees the endpoint however it was chosen: the builder, `AWS_ENDPOINT_URL*`, or a
//! profile's `endpoint_url`. It fails closed: what it cannot parse is refused.

use std::time::SystemTime;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;

use crate::api_key::ApiKeyInfo;
use crate::error::Rule;
use crate::error::{AuthError, ErrorKind};
use crate::values::endpoint_url;

const WHERE: &str = "<<endpoint>>, AWS_ENDPOINT_URL*, or the profile's `endpoint_url`";

#[derive(Debug, Clone, Default)]
pub(crate) struct EndpointGuard {
    /// Whether this client sends a bearer key.
    pub(crate) bearer: bool,
    /// What the bearer key says of itself, when it could be read: its expiry.
    pub(crate) key: Option<ApiKeyInfo>,
}

impl EndpointGuard {
    /// For the clients that sign with SigV4.
    pub(crate) fn sigv4() -> Self {
        Self::default()
    }

    /// For the Bedrock clients that send `key` (when the key could be read).
    pub(crate) fn bearer(key: Option<ApiKeyInfo>) -> Self {
        Self { bearer: true, key }
    }

    /// The check itself, on a request URL at `now`.
    pub(crate) fn check(&self, uri: &str, now: SystemTime) -> Result<(), AuthError> {
        if let Some(key) = &self.key {
            key.check_not_expired(now)?;
        }
        let refused = |what: String, fix: &str| {
            AuthError::new(
                ErrorKind::InvalidConfig,
                what,
                format!("{fix}; the endpoint comes from {WHERE}"),
            )
        };
        let parts = match endpoint_url::parse(uri) {
            Ok(parts) => parts,
            // Never quote the URL: its user info may be a password.
            Err(Rule::EndpointUserInfo) => {
                return Err(refused(
                    "refusing to send a request to an endpoint URL with user info \
                     (`user:password@`)"
                        .to_owned(),
                    "remove the user info from the endpoint URL",
                ));
            }
            Err(rule) => {
                return Err(refused(
                    format!(
                        "refusing to send a request to an endpoint URL that {}",
                        rule.describe()
                    ),
                    "give the endpoint as https://host[:port][/path]",
                ));
            }
        };
        if self.bearer && !parts.is_safe_for_bearer() {
            return Err(refused(
                format!(
                    "refusing to send a Bedrock API key over plain HTTP to {}",
                    parts.host
                ),
                "use https:// for the endpoint, or plain http:// only to 127.0.0.1, ::1 or \
                 localhost",
            ));
        }
        Ok(())
    }
}

impl Intercept for EndpointGuard {
    fn name(&self) -> &'static str {
        "EndpointGuard"
    }

    /// Runs before signing, that is before the `Authorization` header exists.
    fn read_before_signing(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let now = components
            .time_source()
            .map_or_else(SystemTime::now, |clock| clock.now());
        self.check(context.request().uri(), now)
            .map_err(|err| Box::new(err) as BoxError)
    }
}

/// The most of an answer this crate's clients read into memory for an identity or an error:
/// 1 MiB. STS answers and Bedrock's error answers are a few KiB; a proxy or a broken server
/// may send gigabytes.
pub(crate) const ANSWER_LIMIT: usize = 1024 * 1024;

/// An interceptor that bounds what a client reads of an answer into memory: every STS answer
/// (identities, role credentials, errors), and Bedrock's error answers. A model's answer itself
/// (a long generation, a stream) is not bounded. An answer that says it is larger is refused
/// before its body is read; one that grows past the bound is cut there. Either way an error
/// that names the bound.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AnswerLimit {
    /// Whether successful answers are bounded too (STS), or only errors (Bedrock).
    pub(crate) successes_too: bool,
}

impl AnswerLimit {
    /// Successful answers bounded at `limit` bytes, errors at [`ANSWER_LIMIT`]: for answers
    /// read whole that are larger than an identity (a model's, on the OpenAI-compatible
    /// endpoints).
    pub(crate) fn successes_at(limit: usize) -> LargeAnswerLimit {
        LargeAnswerLimit { limit }
    }
}

/// [`AnswerLimit`] with a bound of its own for successful answers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LargeAnswerLimit {
    limit: usize,
}

/// Why an identity's or an error's answer is never that large.
const NOT_AWS: &str = "no identity or error of AWS is that large";

/// Why a model's answer read whole is never that large.
const NOT_A_MODEL: &str = "more than any model's answer read whole; stream it with a client of \
     your own";

fn too_large_for(said: Option<u64>, limit: usize, why: &str) -> AuthError {
    let size = said.map_or_else(String::new, |bytes| format!(" ({bytes} bytes)"));
    AuthError::new(
        ErrorKind::Service,
        format!(
            "refusing an answer larger than {} KiB{size}: {why}",
            limit / 1024
        ),
        "check that the endpoint is AWS, and what stands between (a proxy's error page)",
    )
}

/// Bounds `response`'s body at `limit` bytes: refused at once when it says it is larger,
/// cut with an error where it grows past the bound.
fn bound(
    response: &mut aws_smithy_runtime_api::http::Response,
    limit: usize,
    why: &'static str,
) -> Result<(), BoxError> {
    use http_body_util::BodyExt;
    let error = move |said| too_large_for(said, limit, why);
    let said = response
        .headers()
        .get("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok());
    if said.is_some_and(|bytes| bytes > limit as u64) {
        return Err(Box::new(error(said)));
    }
    let body = std::mem::replace(response.body_mut(), SdkBody::taken());
    *response.body_mut() = body.map(move |body| {
        let limited = http_body_util::Limited::new(body, limit).map_err(move |err| {
            if err.is::<http_body_util::LengthLimitError>() {
                Box::new(error(None)) as BoxError
            } else {
                err
            }
        });
        SdkBody::from_body_1_x(limited)
    });
    Ok(())
}

impl Intercept for LargeAnswerLimit {
    fn name(&self) -> &'static str {
        "LargeAnswerLimit"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response_mut();
        if response.status().is_success() {
            bound(response, self.limit, NOT_A_MODEL)
        } else {
            bound(response, ANSWER_LIMIT, NOT_AWS)
        }
    }
}

impl Intercept for AnswerLimit {
    fn name(&self) -> &'static str {
        "AnswerLimit"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response_mut();
        if !self.successes_too && response.status().is_success() {
            return Ok(());
        }
        bound(response, ANSWER_LIMIT, NOT_AWS)
    }
}
