//! `exec --server`'s credential endpoint: the container credentials protocol every AWS SDK's
//! default chain reads (`AWS_CONTAINER_CREDENTIALS_FULL_URI` with
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN`), on 127.0.0.1, for one child.
//!
//! Each `GET` with the run's token in `Authorization` is answered from the manager's
//! credential cache: no STS call per request, and the cache resolves them again before they
//! expire, so a child that outlives the first credentials reads the next ones. A request
//! without the token is refused with 401, one with another token with 403 (compared in
//! constant time); only `GET` is answered. The token is 32 random bytes, made for this run and
//! given to the child only. Long-term keys are not served: the protocol wants an expiry and
//! a session token (use `exec` without `--server`).

use std::convert::Infallible;
use std::time::Duration;

use bedrock_auth::{AuthError, AuthManager, ErrorKind, ExposeSecret, SecretString};
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode, body::Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};
use subtle::ConstantTimeEq;

use crate::shapes::{self, Shape};

/// How long a client may take to send a request's head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// The running endpoint; stops when dropped.
pub(crate) struct CredentialServer {
    url: String,
    token: SecretString,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for CredentialServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl CredentialServer {
    /// Binds 127.0.0.1 on a port the system chooses and serves `manager`'s credentials there.
    pub(crate) async fn start(manager: AuthManager) -> Result<Self, AuthError> {
        let failed = |what: &str, err: &dyn std::fmt::Display| {
            AuthError::new(
                ErrorKind::Network,
                format!("exec --server: cannot {what}: {err}"),
                "run `exec` without `--server`: the keys then go in the child's environment",
            )
        };
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|err| failed("listen on 127.0.0.1", &err))?;
        let address = listener
            .local_addr()
            .map_err(|err| failed("listen on 127.0.0.1", &err))?;
        let mut random = zeroize::Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut *random).map_err(|err| failed("make a token", &err))?;
        let token = SecretString::from(hex::encode(*random));
        let expected = token.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (manager, expected) = (manager.clone(), expected.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let (manager, expected) = (manager.clone(), expected.clone());
                        async move { Ok::<_, Infallible>(answer(&manager, &expected, &request).await) }
                    });
                    let served = hyper::server::conn::http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(HEAD_TIMEOUT)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                    if let Err(err) = served {
                        tracing::debug!(%err, "a credential request failed");
                    }
                });
            }
        });
        Ok(Self {
            url: format!("http://{address}/"),
            token,
            task,
        })
    }

    /// The endpoint's URL, for `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The run's token, for `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    pub(crate) fn token(&self) -> &SecretString {
        &self.token
    }
}

/// The answer to one request.
async fn answer(
    manager: &AuthManager,
    expected: &SecretString,
    request: &Request<Incoming>,
) -> Response<Full<Bytes>> {
    if request.method() != hyper::Method::GET {
        return refusal(StatusCode::METHOD_NOT_ALLOWED, "only GET is answered");
    }
    let Some(given) = request.headers().get(hyper::header::AUTHORIZATION) else {
        return refusal(StatusCode::UNAUTHORIZED, "no authorization token");
    };
    if !bool::from(given.as_bytes().ct_eq(expected.expose_secret().as_bytes())) {
        return refusal(StatusCode::FORBIDDEN, "not this run's authorization token");
    }
    let credentials = match shapes::sigv4_credentials(manager, "exec --server").await {
        Ok(credentials) => credentials,
        Err(err) => return refusal(StatusCode::INTERNAL_SERVER_ERROR, &err.message()),
    };
    if credentials.session_token().is_none() || credentials.expiry().is_none() {
        return refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "long-term keys are not served (the protocol wants temporary credentials): run \
             `exec` without `--server`",
        );
    }
    match shapes::write(Shape::Container, &credentials) {
        Ok(body) => Response::builder()
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::copy_from_slice(&body)))
            .unwrap_or_default(),
        Err(err) => refusal(StatusCode::INTERNAL_SERVER_ERROR, &err.to_string()),
    }
}

/// A refusal, in the shape the SDKs read an error in (`Code`, `Message`).
fn refusal(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let body = serde_json::json!({
        "Code": status.canonical_reason().unwrap_or("Error"),
        "Message": message,
    });
    Response::builder()
        .status(status)
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap_or_default()
}
