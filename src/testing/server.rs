//! The HTTP side of [`LocalAws`](super::LocalAws): accepts connections, authenticates each
//! request, dispatches it to STS or Bedrock Runtime and records what it saw.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;

use super::sigv4::{self, Refusal};
use super::types::{AuthKind, Fault, Principal, RecordedRequest, State, StreamEnd};
use super::wire::{ApiError, Events, Reply, ReplyBody, xml_escape};
use super::{bearer, bedrock, openai, sts};

/// What the server answers with: a whole body or a stream of frames.
type Body = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

fn whole(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A body fed frame by frame from a channel; an `Err` in it closes the connection mid-body.
struct ChannelBody(tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl hyper::body::Body for ChannelBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, std::io::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|next| next.map(|frame| frame.map(hyper::body::Frame::data)))
    }
}

/// Sends a stream's events, pausing between them, and ends it as it was told to. Stops as soon
/// as the client has gone.
fn stream(events: Events) -> Body {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        let error = if events.sse {
            openai::error_event(&events)
        } else {
            bedrock::error_frame(&events)
        };
        let tail = match events.end {
            StreamEnd::Complete => events.tail.clone(),
            _ => error.into_iter().collect(),
        };
        // The pause comes between the pieces: before each delta but the first.
        let deltas = events.lead + 1..events.head.len();
        for (i, frame) in events.head.into_iter().chain(tail).enumerate() {
            if deltas.contains(&i) && !events.pause.is_zero() {
                tokio::select! {
                    () = tokio::time::sleep(events.pause) => {}
                    () = tx.closed() => return,
                }
            }
            if tx.send(Ok(frame)).await.is_err() {
                return;
            }
        }
        match events.end {
            StreamEnd::HangUp => {
                let cut = std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "hang up");
                let _ = tx.send(Err(cut)).await;
            }
            // Holds the connection open, saying nothing, until the client gives up.
            StreamEnd::Silence => tx.closed().await,
            _ => {}
        }
    });
    ChannelBody(rx).boxed()
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Service {
    Sts,
    Bedrock,
    /// The bedrock-mantle endpoint (its OpenAI-compatible paths).
    Mantle,
}

impl Service {
    fn name(self) -> &'static str {
        match self {
            Self::Sts => "sts",
            Self::Bedrock => "bedrock",
            Self::Mantle => "bedrock-mantle",
        }
    }
}

pub(super) async fn serve(listener: tokio::net::TcpListener, state: Arc<State>) {
    // Connections live in this set, so stopping the server (aborting this task) drops them too.
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                // Each event of a stream goes out as it is written, as from Bedrock: without
                // this, Nagle's algorithm holds a small frame back until the last is acked.
                let _ = stream.set_nodelay(true);
                state.connections.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let state = Arc::clone(&state);
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        handle(Arc::clone(&state), request)
                    });
                    // A client that hangs up mid-request is not the server's problem.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next() => {}
        }
    }
}

async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    };
    if let Some(response) = sign_in_service(&state, &parts, &body) {
        return Ok(response);
    }
    let routed = route(parts.uri.path(), &body);
    let authorization = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let auth_kind = match authorization {
        Some(h) if h.starts_with("AWS4-HMAC-SHA256 ") => AuthKind::SigV4,
        Some(h) if h.starts_with("Bearer ") => AuthKind::Bearer,
        _ => AuthKind::None,
    };
    let sig = authorization.and_then(sigv4::parse);
    let mut record = RecordedRequest {
        service: routed.service.name(),
        action: routed.action.clone(),
        auth: auth_kind,
        access_key_id: sig.as_ref().map(|s| s.access_key_id.to_owned()),
        signing_region: sig.as_ref().map(|s| s.region.to_owned()),
        signing_service: sig.as_ref().map(|s| s.service.to_owned()),
        params: routed.params.clone(),
        model_id: routed.model_id.clone(),
        status: 0,
        error_code: None,
    };
    let fault = state.lock().fault;
    if let Some(Fault::Raw {
        status,
        content_type,
        body,
    }) = fault
    {
        record.status = status;
        state.lock().requests.push(record);
        let mut response = Response::builder().status(status);
        if !content_type.is_empty() {
            response = response.header("content-type", content_type);
        }
        let response = response.body(whole(body));
        return Ok(response.unwrap_or_else(|_| Response::new(whole(Bytes::new()))));
    }
    if let Some(Fault::SlowBedrock { delay }) = fault
        && routed.service == Service::Bedrock
    {
        tokio::time::sleep(delay).await;
    }
    let outcome = match fault {
        Some(Fault::Hang) => {
            state.lock().requests.push(record);
            std::future::pending::<()>().await;
            unreachable!("a pending future never completes")
        }
        Some(Fault::Throttling) => Err(throttled(routed.service)),
        Some(Fault::InternalError) => Err(internal_error(routed.service)),
        // A raw answer was sent above.
        None | Some(Fault::Raw { .. }) | Some(Fault::SlowBedrock { .. }) => {
            let request = Signed {
                parts: &parts,
                body: &body,
                authorization,
                sig: sig.as_ref(),
            };
            answer(&state, &routed, &request, &mut record)
        }
    };
    let response = respond(&state, &routed, outcome, &mut record);
    state.lock().requests.push(record);
    Ok(response.unwrap_or_else(|_| Response::new(whole(Bytes::new()))))
}

/// Which service and operation a request is for, from its path (Bedrock's REST routes) or its
/// form body (STS's query protocol).
struct Routed {
    service: Service,
    action: String,
    model_id: Option<String>,
    params: BTreeMap<String, String>,
    /// An OpenAI-compatible path: its errors have OpenAI's shape.
    openai: bool,
}

fn route(path: &str, body: &[u8]) -> Routed {
    // Bedrock Runtime's OpenAI-compatible path, then bedrock-mantle's.
    let openai = match path.strip_prefix("/openai/v1/") {
        Some(rest) => Some((Service::Bedrock, rest)),
        None => path
            .strip_prefix("/v1/")
            .map(|rest| (Service::Mantle, rest)),
    };
    let action = openai.and_then(|(_, rest)| match rest {
        "chat/completions" => Some("ChatCompletions"),
        "responses" => Some("Responses"),
        "models" => Some("ListModels"),
        _ => None,
    });
    if let (Some((service, _)), Some(action)) = (openai, action) {
        let model = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|json| Some(json.get("model")?.as_str()?.to_owned()));
        return Routed {
            service,
            action: action.to_owned(),
            model_id: model,
            params: BTreeMap::new(),
            openai: true,
        };
    }
    if let Some(rest) = path.strip_prefix("/model/") {
        let (model, operation) = rest.rsplit_once('/').unwrap_or((rest, ""));
        let action = match operation {
            "converse" => "Converse",
            "converse-stream" => "ConverseStream",
            "invoke" => "InvokeModel",
            "invoke-with-response-stream" => "InvokeModelWithResponseStream",
            other => other,
        };
        Routed {
            service: Service::Bedrock,
            action: action.to_owned(),
            model_id: Some(percent_decode(model)),
            params: BTreeMap::new(),
            openai: false,
        }
    } else if path == "/async-invoke" {
        Routed {
            service: Service::Bedrock,
            action: "ListAsyncInvokes".to_owned(),
            model_id: None,
            params: BTreeMap::new(),
            openai: false,
        }
    } else {
        let params: BTreeMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
        Routed {
            service: Service::Sts,
            action: params.get("Action").cloned().unwrap_or_default(),
            model_id: None,
            params,
            openai: false,
        }
    }
}

/// What a request carries to be authenticated: its head, its body, its credentials.
struct Signed<'a> {
    parts: &'a http::request::Parts,
    body: &'a [u8],
    authorization: Option<&'a str>,
    sig: Option<&'a sigv4::Authorization<'a>>,
}

/// The answer to an authenticated request: who sent it, then what the operation answers.
fn answer(
    state: &State,
    routed: &Routed,
    request: &Signed<'_>,
    record: &mut RecordedRequest,
) -> Result<Reply, ApiError> {
    let service = routed.service;
    // STS takes `AssumeRoleWithWebIdentity` unsigned: the token is the credential.
    if service == Service::Sts && routed.action == "AssumeRoleWithWebIdentity" {
        return sts::assume_role_with_web_identity(state, &routed.params);
    }
    match request
        .authorization
        .and_then(|h| h.strip_prefix("Bearer "))
    {
        Some(token) if service != Service::Sts => {
            bearer::authenticate(state, token).map(|(principal, signer)| {
                record.access_key_id = Some(signer);
                principal
            })
        }
        // STS takes no API keys.
        Some(_) => Err(ApiError::new(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        )),
        None => authenticate(state, service, request.parts, request.body, request.sig),
    }
    .and_then(|principal| match service {
        Service::Sts => sts::handle(state, &principal, &routed.action, &routed.params),
        _ if routed.openai => openai::handle(state, &routed.action, request.body),
        Service::Bedrock | Service::Mantle => bedrock::handle(
            state,
            &routed.action,
            routed.model_id.as_deref().unwrap_or_default(),
        ),
    })
}

/// The service's answer to too many requests.
fn throttled(service: Service) -> ApiError {
    match service {
        Service::Sts => ApiError::new(400, "Throttling", "Rate exceeded"),
        Service::Bedrock | Service::Mantle => ApiError::new(
            429,
            "ThrottlingException",
            "Too many requests, please wait before trying again.",
        ),
    }
}

/// The service's answer to a failure of its own.
fn internal_error(service: Service) -> ApiError {
    match service {
        Service::Sts => ApiError::new(500, "InternalFailure", "An internal error occurred."),
        Service::Bedrock | Service::Mantle => ApiError::new(
            500,
            "InternalServerException",
            "An internal server error occurred.",
        ),
    }
}

/// The HTTP response of an outcome, its status and error code recorded.
fn respond(
    state: &State,
    routed: &Routed,
    outcome: Result<Reply, ApiError>,
    record: &mut RecordedRequest,
) -> http::Result<Response<Body>> {
    match outcome {
        Ok(reply) => {
            record.status = 200;
            let mut response = Response::builder()
                .status(StatusCode::OK)
                .header("content-type", reply.content_type)
                .header("x-amzn-requestid", request_id(state));
            for (name, value) in reply.headers {
                response = response.header(name, value);
            }
            response.body(match reply.body {
                ReplyBody::Whole(body) => whole(body),
                ReplyBody::Events(events) => stream(events),
            })
        }
        Err(error) => {
            record.status = error.status;
            record.error_code = (!error.code.is_empty()).then(|| error.code.to_owned());
            error_response(state, routed, &error)
        }
    }
}

/// The services that take a sign-in's token rather than a signature: AWS Sign-In's refresh
/// and the SSO portal; `None` for a request to another.
fn sign_in_service(
    state: &State,
    parts: &http::request::Parts,
    body: &[u8],
) -> Option<Response<Body>> {
    match (parts.method.clone(), parts.uri.path()) {
        (http::Method::POST, "/v1/token") => Some(sign_in(state, parts, body)),
        (http::Method::GET, "/federation/credentials") => Some(sso_portal(state, parts)),
        _ => None,
    }
}

/// The SSO portal's `GetRoleCredentials`, recorded as service `sso` (no token in the record).
fn sso_portal(state: &State, parts: &http::request::Parts) -> Response<Body> {
    let token = parts
        .headers
        .get("x-amz-sso_bearer_token")
        .and_then(|v| v.to_str().ok());
    let (status, error_type, answer) =
        super::sso::handle(state, token, parts.uri.query().unwrap_or_default());
    state.lock().requests.push(RecordedRequest {
        service: "sso",
        action: "GetRoleCredentials".to_owned(),
        auth: AuthKind::None,
        access_key_id: None,
        signing_region: None,
        signing_service: None,
        params: BTreeMap::new(),
        model_id: None,
        status,
        error_code: (!error_type.is_empty()).then(|| error_type.to_owned()),
    });
    let mut response = Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("x-amzn-requestid", request_id(state));
    if !error_type.is_empty() {
        response = response.header("x-amzn-errortype", error_type);
    }
    response
        .body(whole(Bytes::from(answer)))
        .unwrap_or_else(|_| Response::new(whole(Bytes::new())))
}

/// AWS Sign-In's token refresh, recorded as service `signin` (no secret in the record).
fn sign_in(state: &State, parts: &http::request::Parts, body: &[u8]) -> Response<Body> {
    let dpop = parts.headers.get("dpop").and_then(|v| v.to_str().ok());
    let (status, answer) = super::signin::handle(state, dpop, body);
    state.lock().requests.push(RecordedRequest {
        service: "signin",
        action: "CreateOAuth2Token".to_owned(),
        auth: AuthKind::None,
        access_key_id: None,
        signing_region: None,
        signing_service: None,
        params: BTreeMap::new(),
        model_id: None,
        status,
        error_code: None,
    });
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("x-amzn-requestid", request_id(state))
        .body(whole(Bytes::from(answer)))
        .unwrap_or_else(|_| Response::new(whole(Bytes::new())))
}

fn authenticate(
    state: &State,
    service: Service,
    parts: &http::request::Parts,
    body: &[u8],
    sig: Option<&sigv4::Authorization<'_>>,
) -> Result<Principal, ApiError> {
    let invalid_token = || match service {
        Service::Sts => ApiError::new(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ),
        Service::Bedrock | Service::Mantle => ApiError::new(
            403,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ),
    };
    let bad_signature = |message: &str| match service {
        Service::Sts => ApiError::new(403, "SignatureDoesNotMatch", message),
        Service::Bedrock | Service::Mantle => {
            ApiError::new(403, "InvalidSignatureException", message)
        }
    };
    let Some(sig) = sig else {
        return Err(match service {
            Service::Sts => ApiError::new(
                403,
                "MissingAuthenticationToken",
                "Request is missing Authentication Token",
            ),
            Service::Bedrock | Service::Mantle => ApiError::new(
                403,
                "MissingAuthenticationTokenException",
                "Missing Authentication Token",
            ),
        });
    };
    if sig.service != service.name() {
        return Err(bad_signature(&format!(
            "Credential should be scoped to correct service: '{}'.",
            service.name()
        )));
    }
    let principal = state
        .lock()
        .keys
        .get(sig.access_key_id)
        .cloned()
        .ok_or_else(invalid_token)?;
    if principal
        .expires_at
        .is_some_and(|at| at <= SystemTime::now())
    {
        return Err(match service {
            Service::Sts => ApiError::new(
                400,
                "ExpiredToken",
                "The security token included in the request is expired",
            ),
            Service::Bedrock | Service::Mantle => ApiError::new(
                403,
                "ExpiredTokenException",
                "The security token included in the request is expired",
            ),
        });
    }
    match sigv4::verify(parts, body, sig, &principal) {
        Ok(()) => Ok(principal),
        Err(Refusal::BadToken) => Err(invalid_token()),
        Err(Refusal::Malformed | Refusal::Mismatch) => Err(bad_signature(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method.",
        )),
    }
}

fn error_response(
    state: &State,
    routed: &Routed,
    error: &ApiError,
) -> Result<Response<Body>, http::Error> {
    let request_id = request_id(state);
    let (content_type, body) = match routed.service {
        _ if routed.openai => ("application/json", openai::error_body(error)),
        Service::Sts => (
            "text/xml",
            format!(
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
                 <Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error>\
                 <RequestId>{request_id}</RequestId></ErrorResponse>",
                error.code,
                xml_escape(&error.message)
            ),
        ),
        Service::Bedrock | Service::Mantle => (
            "application/json",
            serde_json::json!({ "message": error.message }).to_string(),
        ),
    };
    let mut response = Response::builder()
        .status(error.status)
        .header("content-type", content_type)
        .header("x-amzn-requestid", request_id);
    if !error.code.is_empty() {
        response = response.header("x-amzn-errortype", error.code);
    }
    response.body(whole(body))
}

fn request_id(state: &State) -> String {
    format!("00000000-0000-4000-8000-{:012}", state.next())
}

fn percent_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
