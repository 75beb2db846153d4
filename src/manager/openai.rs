//! Bedrock's OpenAI-compatible endpoints: Bedrock Runtime's `/openai/v1` and the
//! bedrock-mantle endpoint's `/v1`, for requests a program builds itself (OpenAI Chat
//! Completions, Responses) with this manager's credentials: the base URL as the SDK would
//! find it, a request authorized in place (SigV4 with the endpoint's signing name, or the
//! Bedrock API key as a bearer token), a key for clients that only take one, and a sender on
//! the manager's own HTTP client.

use std::time::Duration;

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime::client::orchestrator::operation::Operation;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse, OrchestratorError};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::timeout::TimeoutConfig;
use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::{AuthManager, BedrockAuth, parse_region};
use crate::endpoint_guard::{AnswerLimit, EndpointGuard};
use crate::error::{AuthError, ErrorKind};
use crate::modes::BEARER_TOKEN_VAR;
use crate::values::Region;

/// The most of a successful answer [`OpenAiEndpoint::send`] reads into memory: 16 MiB, more
/// than any model's answer in tokens.
const MAX_ANSWER: usize = 16 * 1024 * 1024;

/// Which of Bedrock's OpenAI-compatible APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OpenAiApi {
    /// Bedrock Runtime's OpenAI-compatible path,
    /// `https://bedrock-runtime.{region}.amazonaws.com/openai/v1` (Chat Completions),
    /// signed as service `bedrock`.
    BedrockRuntime,
    /// The bedrock-mantle endpoint, `https://bedrock-mantle.{region}.api.aws/v1` (Chat
    /// Completions, Responses, Models), signed as service `bedrock-mantle`; its endpoint is
    /// also set with `AWS_ENDPOINT_URL_BEDROCK_MANTLE`.
    Mantle,
}

impl OpenAiApi {
    /// The service name SigV4 signatures for it are scoped to: `bedrock`, `bedrock-mantle`.
    pub const fn signing_name(self) -> &'static str {
        match self {
            Self::BedrockRuntime => "bedrock",
            Self::Mantle => "bedrock-mantle",
        }
    }

    /// The path of the OpenAI API under the endpoint: `/openai/v1`, `/v1`.
    pub const fn path(self) -> &'static str {
        match self {
            Self::BedrockRuntime => "/openai/v1",
            Self::Mantle => "/v1",
        }
    }

    /// The SDK's service id (for `AWS_ENDPOINT_URL_<ID>` and a profile's `services`).
    const fn service_id(self) -> &'static str {
        match self {
            Self::BedrockRuntime => "Bedrock Runtime",
            Self::Mantle => "Bedrock Mantle",
        }
    }

    const fn host(self) -> &'static str {
        match self {
            Self::BedrockRuntime => "bedrock-runtime",
            Self::Mantle => "bedrock-mantle",
        }
    }
}

impl std::fmt::Display for OpenAiApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::BedrockRuntime => "Bedrock Runtime's OpenAI-compatible API",
            Self::Mantle => "bedrock-mantle",
        })
    }
}

/// One of Bedrock's OpenAI-compatible endpoints in one region, with a manager's credentials:
/// from [`AuthManager::openai`]. Cheap to clone; it shares the manager's credential cache,
/// HTTP client and lockout.
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use bedrock_auth::{AuthManager, manager::OpenAiApi};
///
/// let manager = AuthManager::builder().region("us-west-2").environment().build()?;
/// let openai = manager.openai(OpenAiApi::Mantle, "us-west-2").await?;
/// assert_eq!(openai.base_url(), "https://bedrock-mantle.us-west-2.api.aws/v1");
///
/// let body = r#"{"model":"openai.gpt-oss-120b","messages":[{"role":"user","content":"Hi"}]}"#;
/// let mut request = http::Request::post(format!("{}/chat/completions", openai.base_url()))
///     .header("content-type", "application/json")
///     .body(body.as_bytes().to_vec())?;
/// openai.authorize(&mut request).await?; // SigV4 for `bedrock-mantle`, or the API key
/// // ... send `request` with any HTTP client, or with `openai.send(request)`.
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct OpenAiEndpoint {
    manager: AuthManager,
    api: OpenAiApi,
    region: Region,
    /// The endpoint (`https://bedrock-mantle.us-east-1.api.aws`): requests go under it.
    root: String,
    base_url: String,
}

impl std::fmt::Debug for OpenAiEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiEndpoint")
            .field("api", &self.api)
            .field("region", &self.region.as_str())
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl AuthManager {
    /// One of Bedrock's OpenAI-compatible endpoints in `region`, for requests a program builds
    /// itself: its [`base_url`](OpenAiEndpoint::base_url) (what OpenAI's SDKs call `base_url`),
    /// and the manager's credentials for it ([`authorize`](OpenAiEndpoint::authorize)).
    ///
    /// The endpoint is found as the SDK finds its own: the builder's endpoint URL, else
    /// `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` / `AWS_ENDPOINT_URL_BEDROCK_MANTLE` (or a profile's
    /// `services` section), else `AWS_ENDPOINT_URL`, else the regional host, FIPS and
    /// dual-stack as configured. Loads the configuration on first use (files and the
    /// environment; no network). bedrock-mantle has no FIPS endpoint: with FIPS on and no
    /// endpoint of its own set, it is refused rather than reached without FIPS.
    pub async fn openai(&self, api: OpenAiApi, region: &str) -> Result<OpenAiEndpoint, AuthError> {
        let region = parse_region(region)?;
        let sdk = self.base_config().await?;
        let aws_region = aws_config::Region::new(region.as_str().to_owned());
        let configured = self.configured_endpoint(api.service_id());
        if api == OpenAiApi::Mantle && sdk.use_fips() == Some(true) && configured.is_none() {
            return Err(AuthError::new(
                ErrorKind::InvalidConfig,
                "bedrock-mantle has no FIPS endpoint, and FIPS endpoints are asked for",
                "use OpenAiApi::BedrockRuntime (bedrock-runtime-fips serves /openai/v1), or set \
                 the endpoint with AWS_ENDPOINT_URL_BEDROCK_MANTLE",
            ));
        }
        let endpoint = self.endpoint_for(api.service_id(), api.host(), Some(&aws_region));
        let root = endpoint.trim_end_matches('/').to_owned();
        let base_url = format!("{root}{}", api.path());
        Ok(OpenAiEndpoint {
            manager: self.clone(),
            api,
            region,
            root,
            base_url,
        })
    }
}

impl OpenAiEndpoint {
    /// The base URL of the OpenAI API, without a trailing `/`:
    /// `https://bedrock-runtime.us-east-1.amazonaws.com/openai/v1`,
    /// `https://bedrock-mantle.us-east-1.api.aws/v1`. Requests go to paths under it
    /// (`/chat/completions`, `/responses`, `/models`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The endpoint itself, without the OpenAI API's path
    /// (`https://bedrock-mantle.us-east-1.api.aws`): what [`authorize`](Self::authorize) puts
    /// credentials on requests under, such as mantle's Anthropic Messages API
    /// (`{endpoint_url}/anthropic/v1/messages`).
    pub fn endpoint_url(&self) -> &str {
        &self.root
    }

    /// Which API this is.
    pub fn api(&self) -> OpenAiApi {
        self.api
    }

    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        self.region.as_str()
    }

    /// Whether requests carry a Bedrock API key (API-key mode, or auto mode with
    /// `AWS_BEARER_TOKEN_BEDROCK` set) rather than a SigV4 signature.
    pub fn uses_api_key(&self) -> bool {
        self.manager.bedrock_auth() != BedrockAuth::SigV4
    }

    /// Puts the manager's credentials on `request`, in place: a SigV4 signature for the
    /// endpoint's signing name and region (`authorization`, `x-amz-date`, and
    /// `x-amz-security-token` for temporary credentials), or `authorization: Bearer` with the
    /// Bedrock API key. Credentials a request already carries are replaced. The signature
    /// covers the method, the URL, every header and the body: sign last, and send the request
    /// as it is.
    ///
    /// Fails closed: a request to anywhere but under [`endpoint_url`](Self::endpoint_url)
    /// (another host, port or scheme, or a path outside the endpoint's own) is refused, and so is an API key over plain `http://` to a
    /// host other than this machine, before any credential is read. A header value that is not
    /// visible ASCII cannot be signed and is refused. Each credential header is marked
    /// sensitive, which HTTP clients keep out of their logs.
    pub async fn authorize<B: AsRef<[u8]>>(
        &self,
        request: &mut http::Request<B>,
    ) -> Result<(), AuthError> {
        self.check_target(request.uri())?;
        let manager = &self.manager;
        manager.inner.monitor.check()?;
        let headers = request.headers_mut();
        for name in [
            "authorization",
            "x-amz-date",
            "x-amz-security-token",
            "x-amz-content-sha256",
        ] {
            headers.remove(name);
        }
        if self.uses_api_key() {
            let key = self.bearer()?;
            let line = Zeroizing::new(format!("Bearer {}", key.expose_secret()));
            let mut value = HeaderValue::from_str(&line).map_err(|_| {
                AuthError::new(
                    ErrorKind::InvalidConfig,
                    "the Bedrock API key holds characters a header cannot carry",
                    "check the key: a Bedrock API key is base64 text",
                )
            })?;
            value.set_sensitive(true);
            request
                .headers_mut()
                .insert(http::header::AUTHORIZATION, value);
            return Ok(());
        }
        let credentials = manager.credentials().await?;
        let identity = credentials.into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(self.region.as_str())
            .name(self.api.signing_name())
            .time(manager.now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|err| unsignable("its signing parameters", &err))?
            .into();
        let uri = request.uri().to_string();
        let headers = request
            .headers()
            .iter()
            .map(|(name, value)| Ok((name.as_str(), value.to_str()?)))
            .collect::<Result<Vec<_>, http::header::ToStrError>>()
            .map_err(|err| unsignable("a header that is not visible ASCII", &err))?;
        let signable = SignableRequest::new(
            request.method().as_str(),
            uri,
            headers.into_iter(),
            SignableBody::Bytes(request.body().as_ref()),
        )
        .map_err(|err| unsignable("its URL or headers", &err))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|err| unsignable("the request", &err))?
            .into_parts();
        instructions.apply_to_request_http1x(request);
        if let Some(value) = request.headers_mut().get_mut(http::header::AUTHORIZATION) {
            value.set_sensitive(true);
        }
        Ok(())
    }

    /// A Bedrock API key for this endpoint, for clients that take only a key (OpenAI's SDKs
    /// as `api_key`, `OPENAI_API_KEY`, LiteLLM): in API-key mode the manager's key; in a SigV4
    /// mode a short-term key made from the manager's credentials, valid for `ttl` (see
    /// [`AuthManager::bedrock_api_key`]). Made for the endpoint's region; a short-term key
    /// outlives neither `ttl` nor the credentials that signed it: make a new one before
    /// [`ShortTermKey::expires_at`](crate::api_key::ShortTermKey::expires_at).
    pub async fn api_key(&self, ttl: Duration) -> Result<SecretString, AuthError> {
        if self.uses_api_key() {
            return self.bearer();
        }
        let key = self
            .manager
            .bedrock_api_key(self.region.as_str(), ttl)
            .await?;
        Ok(key.token().clone())
    }

    /// Sends `request` (made with [`authorize`](Self::authorize), or authorized here when it
    /// carries no `authorization` header) through the manager's own HTTP client, with its
    /// proxy, CA bundle, connect timeout and Bedrock timeout, and returns the whole answer.
    /// Tried once: a model call is not retried behind the caller's back.
    ///
    /// An answer other than 2xx is an [`AuthError`] with what the endpoint said (OpenAI's
    /// `{"error": {"message", "code"}}` or Bedrock's `{"message"}`), its kind (`access_denied`,
    /// `invalid_credentials`, `throttled`, ...) and a hint; a credential the answer echoes is
    /// not quoted. A successful answer is read into memory up to 16 MiB (one that says it is
    /// larger, or grows past that, is refused at the bound), a streamed one
    /// (`"stream": true`, server-sent events) to its end: for tokens as they come, send the
    /// authorized request with a streaming client.
    pub async fn send(
        &self,
        mut request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, AuthError> {
        if !request.headers().contains_key(http::header::AUTHORIZATION) {
            self.authorize(&mut request).await?;
        }
        self.check_target(request.uri())?;
        let manager = &self.manager;
        let uri = request.uri().clone();
        let origin = format!(
            "{}://{}",
            uri.scheme_str().unwrap_or("https"),
            uri.authority().map_or("", |a| a.as_str())
        );
        let bearer = self.uses_api_key();
        let operation = self.operation(&origin, bearer)?;
        let operation_name = format!("{} {} {}", self.api, request.method(), uri.path());
        let whole = operation.invoke(request).await.map_err(|err| {
            let call = crate::sdk_errors::Call {
                operation: &operation_name,
                mode: manager.mode(),
                role: None,
                endpoint: Some(&self.base_url),
                bearer,
            };
            manager.blame(crate::sdk_errors::classify(err, call))
        })?;
        self.answer_of(whole, &operation_name)
    }

    /// The operation that sends a request through the manager's HTTP client: tried once,
    /// bounded by the connect and Bedrock timeouts, behind the endpoint guard and the bound on
    /// error answers.
    fn operation(
        &self,
        origin: &str,
        bearer: bool,
    ) -> Result<Operation<http::Request<Vec<u8>>, Whole, ErrorMetadata>, AuthError> {
        let settings = &self.manager.inner.settings;
        let sleep = aws_smithy_async::rt::sleep::default_async_sleep().ok_or_else(|| {
            AuthError::new(
                ErrorKind::InvalidConfig,
                "no async sleep is available to bound the call in time",
                "run on a tokio runtime",
            )
        })?;
        Ok(Operation::builder()
            .service_name(self.api.signing_name())
            .operation_name("OpenAI")
            .http_client(self.manager.inner.http.clone())
            .endpoint_url(origin)
            .no_auth()
            .no_retry()
            .sleep_impl(sleep)
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(settings.connect_timeout)
                    .operation_timeout(settings.bedrock_timeout)
                    .build(),
            )
            .interceptor(if bearer {
                EndpointGuard::bearer(None)
            } else {
                EndpointGuard::sigv4()
            })
            .interceptor(AnswerLimit::successes_at(MAX_ANSWER))
            .serializer(move |request: http::Request<Vec<u8>>| {
                let (parts, body) = request.into_parts();
                let request = http::Request::from_parts(parts, SdkBody::from(body));
                Ok(HttpRequest::try_from(request)?)
            })
            .deserializer(|response: &HttpResponse| {
                Ok::<_, OrchestratorError<ErrorMetadata>>(Whole::of(response))
            })
            .build())
    }

    /// The answer as the caller gets it: a response for 2xx, else what the endpoint said as
    /// an error.
    fn answer_of(
        &self,
        whole: Whole,
        operation_name: &str,
    ) -> Result<http::Response<Vec<u8>>, AuthError> {
        let manager = &self.manager;
        let bearer = self.uses_api_key();
        if !(200..300).contains(&whole.status) {
            let answer = http::Response::builder()
                .status(whole.status)
                .body(SdkBody::from(whole.body))
                .ok()
                .and_then(|response| HttpResponse::try_from(response).ok());
            let err = match answer {
                Some(answer) => {
                    crate::sdk_errors::read_answer(&answer, operation_name, manager.mode(), bearer)
                }
                None => AuthError::new(
                    ErrorKind::Service,
                    format!("{operation_name} answered HTTP {}", whole.status),
                    "retry later",
                ),
            };
            return Err(manager.blame(err));
        }
        let mut response = http::Response::builder().status(whole.status);
        for (name, value) in &whole.headers {
            response = response.header(name.as_str(), value.as_str());
        }
        response.body(whole.body).map_err(|err| {
            AuthError::new(
                ErrorKind::Service,
                format!("{operation_name} answered what cannot be read: {err}"),
                "retry later",
            )
        })
    }

    /// Refuses a request that does not go under the base URL, or that would carry an API key
    /// in the clear.
    fn check_target(&self, uri: &http::Uri) -> Result<(), AuthError> {
        let base: http::Uri = self.root.parse().map_err(|_| {
            AuthError::new(
                ErrorKind::InvalidConfig,
                "the endpoint's base URL cannot be read",
                "check the endpoint URL setting",
            )
        })?;
        let same_origin = uri.scheme() == base.scheme() && uri.authority() == base.authority();
        let path = uri.path();
        let root = base.path().trim_end_matches('/');
        let under = path == root
            || path
                .strip_prefix(root)
                .is_some_and(|rest| rest.starts_with('/'));
        if !(same_origin && under) {
            return Err(AuthError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "refusing to authorize a request to {}://{}{}: this endpoint's credentials go \
                     only to requests under {}",
                    uri.scheme_str().unwrap_or("(no scheme)"),
                    uri.authority().map_or("(no host)", |a| a.as_str()),
                    crate::printable::printable(path),
                    self.root
                ),
                "build the request's URL from `base_url()` (e.g. `{base_url}/chat/completions`) or `endpoint_url()`",
            ));
        }
        let guard = if self.uses_api_key() {
            EndpointGuard::bearer(None)
        } else {
            EndpointGuard::sigv4()
        };
        guard.check(&uri.to_string(), self.manager.now())
    }

    /// The Bedrock API key requests carry: API-key mode's, or auto mode's
    /// `AWS_BEARER_TOKEN_BEDROCK`.
    fn bearer(&self) -> Result<SecretString, AuthError> {
        let manager = &self.manager;
        if let Some(key) = manager.api_key()? {
            return Ok(SecretString::from(key.token.token().to_owned()));
        }
        let mut value = manager
            .inner
            .settings
            .os
            .env
            .get(BEARER_TOKEN_VAR)
            .map_err(|_| {
                AuthError::new(
                    ErrorKind::NoCredentials,
                    format!("{BEARER_TOKEN_VAR} is not set"),
                    format!("set {BEARER_TOKEN_VAR} to a Bedrock API key"),
                )
            })?;
        let key = SecretString::from(value.trim().to_owned());
        zeroize::Zeroize::zeroize(&mut value);
        Ok(key)
    }
}

/// An answer as received: status, headers and body.
struct Whole {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Status and size only: the orchestrator logs its output at TRACE, and an answer is the
/// program's, not the log's.
impl std::fmt::Debug for Whole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Whole")
            .field("status", &self.status)
            .field("body_bytes", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl Whole {
    fn of(response: &HttpResponse) -> Self {
        Self {
            status: response.status().as_u16(),
            headers: response
                .headers()
                .iter()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
            body: response
                .body()
                .bytes()
                .map(<[u8]>::to_vec)
                .unwrap_or_default(),
        }
    }
}

fn unsignable(what: &str, err: &dyn std::fmt::Display) -> AuthError {
    AuthError::new(
        ErrorKind::InvalidConfig,
        format!("cannot sign the request: {what} ({err})"),
        "give the request an absolute URL under `base_url()` and headers of visible ASCII",
    )
}
