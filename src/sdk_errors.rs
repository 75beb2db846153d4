//! How the SDK's errors (credential providers, STS, Bedrock Runtime, the HTTP client) and AWS's
//! answers become [`AuthError`]s: the kind from AWS's error code or status, what AWS said even
//! when the SDK could not parse it, and the hint drawn from the usual fixes.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::event_stream::RawMessage;

use crate::error::{AuthError, ErrorKind, NETWORK_HINT};
use crate::mode_kind::ModeKind;
use crate::printable::printable;
use crate::proxy::{BearerThroughProxy, Unroutable};
use crate::reply::Reply;

mod call;

pub(crate) use call::Call;

/// Classifies an SDK error, which becomes the error's source: a call's (whose raw answer is
/// an HTTP response) or a stream event's (an event-stream message).
pub(crate) fn classify<E, R>(err: SdkError<E, R>, call: Call<'_>) -> AuthError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    classify_ref(&err, call).caused_by(err)
}

/// Whether an SDK error with this raw answer came from a stream's events (`recv()`), after
/// the call itself had succeeded.
pub(crate) fn from_stream<R: 'static>() -> bool {
    std::any::TypeId::of::<R>() == std::any::TypeId::of::<RawMessage>()
}

/// What the raw answer kept with an SDK error says.
fn read_raw<R: 'static>(raw: &R) -> Reply {
    let raw: &dyn std::any::Any = raw;
    if let Some(response) = raw.downcast_ref::<HttpResponse>() {
        Reply::read(response)
    } else if let Some(event) = raw.downcast_ref::<RawMessage>() {
        Reply::read_event(event)
    } else {
        Reply::default()
    }
}

fn classify_ref<E, R>(err: &SdkError<E, R>, call: Call<'_>) -> AuthError
where
    E: ProvideErrorMetadata + StdError + 'static,
    R: fmt::Debug + 'static,
{
    // Credential providers (ours and aws-config's) fail before anything is sent; the bound on
    // silent streams names itself.
    if let Some(found) = find_in_chain(err, call) {
        return found;
    }
    let endpoint = call.endpoint.unwrap_or("the AWS endpoint");
    if from_stream::<R>() {
        return classify_stream(err, call, endpoint);
    }
    match err {
        SdkError::ServiceError(service) => {
            // The SDK's reading first; what it left out, from the raw response.
            let mut reply = read_raw(service.raw());
            if let Some(code) = service.err().code().filter(|c| !c.is_empty()) {
                reply.code = Some(printable(code).into_owned());
            }
            if let Some(message) = service.err().message().filter(|m| !m.trim().is_empty()) {
                reply.message = Some(printable(message).into_owned());
            }
            from_reply(&reply, call)
        }
        SdkError::ResponseError(response) => from_reply(&read_raw(response.raw()), call),
        SdkError::TimeoutError(_) => AuthError::new(
            ErrorKind::Network,
            format!("{} to {endpoint} timed out", call.what()),
            NETWORK_HINT,
        ),
        // The SDK could not put the endpoint on the request: a configuration problem, and
        // nothing was sent. (Its own message quotes the whole request: not repeated here.)
        SdkError::DispatchFailure(_) if chain_text(err).contains("failed to apply endpoint") => {
            AuthError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "{} was not sent: the endpoint URL is not a valid URI ({})",
                    call.operation,
                    innermost(err)
                ),
                "give the endpoint as https://host[:port][/path] (<<endpoint>>, \
                 AWS_ENDPOINT_URL*, or the profile's `endpoint_url`)",
            )
        }
        // AWS's endpoint rules refused the configuration (FIPS or dual-stack with a custom
        // endpoint, no region): nothing was sent.
        SdkError::DispatchFailure(_) if chain_text(err).contains("Invalid Configuration: ") => {
            let text = chain_text(err);
            let said = text
                .split("Invalid Configuration: ")
                .nth(1)
                .unwrap_or_default()
                .to_owned();
            AuthError::new(
                ErrorKind::InvalidConfig,
                format!(
                    "{} was not sent: AWS's endpoint rules refuse the configuration ({said})",
                    call.operation
                ),
                "FIPS and dual-stack endpoints cannot be used with a custom endpoint \
                 (AWS_ENDPOINT_URL*, the profile's `endpoint_url` or `services`): unset one",
            )
        }
        SdkError::DispatchFailure(_) if crate::tls::untrusted_certificate(err).is_some() => {
            crate::tls::not_trusted(err, &call.what(), endpoint).with_detail(chain_text(err))
        }
        SdkError::DispatchFailure(failure) => {
            let what = if failure.is_timeout() {
                "timed out"
            } else if failure.is_io() {
                "could not connect"
            } else {
                "failed to send"
            };
            AuthError::new(
                ErrorKind::Network,
                format!("{} to {endpoint} {what}", call.what()),
                NETWORK_HINT,
            )
            .with_detail(chain_text(err))
        }
        _ => AuthError::new(
            ErrorKind::Service,
            format!("{} failed", call.operation),
            "see the message; enable RUST_LOG=debug for details",
        )
        .with_detail(chain_text(err)),
    }
}

/// An error of a stream's events, after the call succeeded: an error event (classified by its
/// code as the same error of a call would be), a connection that broke off, or a frame that
/// could not be read.
fn classify_stream<E, R>(err: &SdkError<E, R>, call: Call<'_>, endpoint: &str) -> AuthError
where
    E: ProvideErrorMetadata + StdError + 'static,
    R: fmt::Debug + 'static,
{
    let op = format!("{} (mid-stream)", call.operation);
    let mid_stream = Call {
        operation: &op,
        ..call
    };
    match err {
        SdkError::ServiceError(service) => {
            let mut reply = read_raw(service.raw());
            if let Some(message) = service.err().message().filter(|m| !m.trim().is_empty()) {
                reply.message = Some(printable(message).into_owned());
            }
            from_reply(&reply, mid_stream)
        }
        SdkError::ResponseError(response) => {
            let raw: &dyn std::any::Any = response.raw();
            let undecoded = matches!(
                raw.downcast_ref::<RawMessage>(),
                Some(RawMessage::Invalid(_))
            );
            if undecoded {
                AuthError::new(
                    ErrorKind::Network,
                    format!(
                        "the stream of {} from {endpoint} broke off mid-event",
                        call.operation
                    ),
                    NETWORK_HINT,
                )
                .with_detail(chain_text(err))
            } else {
                AuthError::new(
                    ErrorKind::Service,
                    format!("{op} sent an event that could not be read"),
                    "see the message; enable RUST_LOG=debug for details",
                )
                .with_detail(chain_text(err))
            }
        }
        _ => AuthError::new(
            ErrorKind::Network,
            format!("the stream of {} from {endpoint} broke off", call.operation),
            NETWORK_HINT,
        )
        .with_detail(chain_text(err)),
    }
}

/// Looks through the error's sources for an [`AuthError`] (from our own providers) or a
/// [`CredentialsError`] (from aws-config's).
fn find_in_chain(err: &(dyn StdError + 'static), call: Call<'_>) -> Option<AuthError> {
    let mut source = Some(err);
    while let Some(current) = source {
        if let Some(auth) = current.downcast_ref::<AuthError>() {
            return Some(auth.clone());
        }
        if let Some(creds) = current.downcast_ref::<CredentialsError>() {
            return Some(classify_credentials_ref(creds, call));
        }
        if let Some(refused) = current.downcast_ref::<Unroutable>() {
            return Some(AuthError::new(
                ErrorKind::InvalidConfig,
                format!("{refused}; {} was not sent", call.operation),
                "fix what the message names (such as a proxy setting that cannot be read); \
                 nothing is sent until then",
            ));
        }
        if let Some(refused) = current.downcast_ref::<BearerThroughProxy>() {
            return Some(AuthError::new(
                ErrorKind::InvalidConfig,
                format!("{refused}; {} was not sent", call.operation),
                "use https:// for the endpoint, or let the request go direct: NO_PROXY (or a \
                 proxy on 127.0.0.1, ::1 or localhost) for plain http:// to this machine",
            ));
        }
        source = current.source();
    }
    None
}

/// What an error answer of a service says, as [`classify`] would say it, from the raw
/// response: for the records of the manager's monitor.
pub(crate) fn read_answer(
    response: &aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    operation: &str,
    mode: ModeKind,
    bearer: bool,
) -> AuthError {
    let call = Call {
        operation,
        mode,
        role: None,
        endpoint: None,
        bearer,
    };
    from_reply(&Reply::read(response), call)
}

/// What a credential provider's error says, as [`classify_credentials`] would say it, without
/// taking it: for the records of the manager's monitor.
pub(crate) fn read_credentials_error(err: &CredentialsError, mode: ModeKind) -> AuthError {
    let call = Call {
        operation: "loading credentials",
        mode,
        role: None,
        endpoint: None,
        bearer: false,
    };
    classify_credentials_ref(err, call)
}

/// Classifies a credential provider's error, which becomes the error's source.
pub(crate) fn classify_credentials(err: CredentialsError, call: Call<'_>) -> AuthError {
    classify_credentials_ref(&err, call).caused_by(err)
}

fn classify_credentials_ref(err: &CredentialsError, call: Call<'_>) -> AuthError {
    // An error inside a provider (e.g. a profile's role chain calling STS) may itself carry an
    // AuthError or a service error code.
    if let Some(inner) = err.source().and_then(|s| find_in_chain(s, call)) {
        return inner;
    }
    let detail = chain_text(err);
    match err {
        CredentialsError::CredentialsNotLoaded(_) => AuthError::no_credentials(call.mode, detail),
        CredentialsError::ProviderTimedOut(_) => AuthError::new(
            ErrorKind::Network,
            "loading credentials timed out",
            NETWORK_HINT,
        )
        .with_detail(detail),
        CredentialsError::InvalidConfiguration(_) => AuthError::new(
            ErrorKind::InvalidConfig,
            "invalid credentials configuration",
            "check the shared config and credentials files (`aws configure list`)",
        )
        .with_detail(detail),
        _ => match known_code(&detail) {
            Some(code) => from_reply(
                &Reply {
                    code: Some(code.to_owned()),
                    message: Some(detail.clone()),
                    ..Reply::default()
                },
                call,
            ),
            None => AuthError::new(
                ErrorKind::NoCredentials,
                format!("loading credentials failed: {detail}"),
                if detail.contains("SSO") {
                    "sign in again with `aws sso login --profile NAME`; check the profile's \
                     `sso_session`, `sso_account_id` and `sso_role_name`"
                } else {
                    "see the message; `aws configure list` shows where credentials come from"
                },
            ),
        },
    }
}

/// The code of the table (`error::codes`) named in a provider's error text.
fn known_code(text: &str) -> Option<&'static str> {
    crate::error::codes::named_in(text)
}

/// The kind a service error code stands for, when it is one we know (`error::codes`).
fn kind_of_code(code: &str) -> Option<ErrorKind> {
    crate::error::codes::find(code).map(|known| known.kind)
}

/// Whether a message is about the credentials themselves (a signature, a token, a key).
fn about_credentials(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    [
        "signature",
        "security token",
        "bearer token",
        "api key",
        "access key",
        "credential",
        "authenticat",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

/// For answers without a code we know: what the HTTP status and the message say.
fn kind_of_answer(status: u16, message: &str) -> ErrorKind {
    let credentials = about_credentials(message);
    let expired = message.to_ascii_lowercase().contains("expired");
    match status {
        401 | 403 if credentials && expired => ErrorKind::ExpiredCredentials,
        401 => ErrorKind::InvalidCredentials,
        403 if credentials => ErrorKind::InvalidCredentials,
        403 => ErrorKind::AccessDenied,
        429 => ErrorKind::Throttled,
        _ => ErrorKind::Service,
    }
}

/// An error from what a service answered: its code when it is one we know, else its HTTP
/// status and message. The message always names the call, the status and code, and what the
/// service said (or that it said nothing).
fn from_reply(reply: &Reply, call: Call<'_>) -> AuthError {
    let code = reply.code.as_deref();
    let (kind, about) = kind_of_reply(reply, call);
    let answer = match (reply.status, code) {
        (0, Some(code)) => code.to_owned(),
        (0, None) => "no error code".to_owned(),
        (status, Some(code)) => format!("HTTP {status}, {code}"),
        (status, None) => format!("HTTP {status}, no error code"),
    };
    let mut said = match reply.message.as_deref() {
        None | Some("") => "the response had no message".to_owned(),
        Some(said) => said.to_owned(),
    };
    if let Some(id) = &reply.request_id {
        said.push_str(&format!(" (request id {id})"));
    }
    let said = Said {
        op: call.operation,
        answer: &answer,
        said: &said,
    };
    let (text, hint) = match kind {
        ErrorKind::InvalidCredentials | ErrorKind::ExpiredCredentials => {
            worded_credentials(kind, about, &said)
        }
        _ => worded(kind, about, &said, call, reply),
    };
    AuthError::new(kind, text, hint).with_reply(code, reply)
}

/// What an answer is about beyond its kind: which wording of the kind fits.
#[derive(Debug, Clone, Copy)]
struct About {
    /// A Bedrock API key (bearer token) was sent, or the answer speaks of one.
    bearer: bool,
    /// The operation takes no API key at all.
    needs_sigv4: bool,
    /// STS turned down a web identity token.
    web_identity: bool,
}

/// The call that was answered, AWS's code and status, and what it said: the parts of a
/// message.
struct Said<'a> {
    op: &'a str,
    answer: &'a str,
    said: &'a str,
}

/// The kind of an answer: from its code when it is one we know, else its status and message;
/// then what the call was about decides between kinds that read alike.
fn kind_of_reply(reply: &Reply, call: Call<'_>) -> (ErrorKind, About) {
    let code = reply.code.as_deref();
    let said = reply.message.as_deref().unwrap_or_default();
    let mut kind = code
        .and_then(kind_of_code)
        .unwrap_or_else(|| kind_of_answer(reply.status, said));
    let lower = said.to_ascii_lowercase();
    let bearer = call.bearer || lower.contains("bearer token") || lower.contains("api key");
    // Bedrock answers an unknown or revoked API key with 403 `AccessDeniedException` "The
    // bearer token included in the request is invalid.": the key, not a policy, is at fault.
    if bearer && kind == ErrorKind::AccessDenied && about_credentials(said) {
        kind = ErrorKind::InvalidCredentials;
    }
    // A refused role assumption is an authentication failure of the manager's credentials
    // (its role), not a denial of one request: its own kind. A profile's role chain is
    // refused inside aws-config, which quotes STS's message.
    let assuming = call.role.is_some() || lower.contains("sts:assumerole");
    if kind == ErrorKind::AccessDenied && assuming {
        kind = ErrorKind::RoleRefused;
    }
    // Some operations take no API key at all (Bedrock answers "This operation does not support
    // API Keys", e.g. for InvokeModelWithBidirectionalStream): not a policy, the wrong kind of
    // credentials for the call.
    let needs_sigv4 = lower.contains("does not support api keys");
    if needs_sigv4 {
        kind = ErrorKind::InvalidConfig;
    }
    let web_identity = code.is_some_and(|c| c.contains("IdentityToken") || c == "IDPRejectedClaim");
    let about = About {
        bearer,
        needs_sigv4,
        web_identity,
    };
    (kind, about)
}

/// The message and hint of credentials turned down: invalid or expired, keys, a bearer key or
/// a web identity token.
fn worded_credentials(
    kind: ErrorKind,
    about: About,
    said: &Said<'_>,
) -> (String, Cow<'static, str>) {
    let Said { op, answer, said } = said;
    let expired = kind == ErrorKind::ExpiredCredentials;
    match (expired, about.bearer, about.web_identity) {
        (false, _, true) => (
            format!("{op} rejected the web identity token ({answer}): {said}"),
            "check that the token file (AWS_WEB_IDENTITY_TOKEN_FILE or the profile's \
             `web_identity_token_file`) holds a current token, that the account has the token's \
             OIDC provider, and that the role's trust policy allows it"
                .into(),
        ),
        (false, true, false) => (
            format!("{op} rejected the Bedrock API key ({answer}): {said}"),
            "the API key is unknown, revoked or malformed: make a new one (the Bedrock console \
             for a long-term key, <<new_key>> for a short-term one), and use a \
             short-term key only in the region it was made for (AWS_REGION, <<region_short>>)"
                .into(),
        ),
        (false, false, false) => (
            format!("{op} rejected the credentials ({answer}): {said}"),
            "the access key id is unknown or its secret does not match: check for typos, \
             rotated or deleted keys, and a session token that belongs to the key"
                .into(),
        ),
        (true, true, _) => (
            format!("{op} rejected an expired Bedrock API key ({answer}): {said}"),
            "make a new key: short-term keys last at most 12 hours and no longer than the \
             credentials that signed them (<<new_key>>)"
                .into(),
        ),
        (true, false, _) => (
            format!("{op} rejected expired credentials ({answer}): {said}"),
            "get fresh temporary credentials (`aws sso login`, re-run what issued them), or use \
             a mode that refreshes them (profile, assume role, auto)"
                .into(),
        ),
    }
}

/// The message and hint of any other answer: an operation without API keys, a refused role,
/// a denial, throttling, a failure of the service.
fn worded(
    kind: ErrorKind,
    about: About,
    said: &Said<'_>,
    call: Call<'_>,
    reply: &Reply,
) -> (String, Cow<'static, str>) {
    let Said { op, answer, said } = said;
    match kind {
        ErrorKind::InvalidConfig if about.needs_sigv4 => (
            format!("{op} does not take a Bedrock API key ({answer}): {said}"),
            "call it with SigV4 credentials: a manager in profile, environment, static, \
             assume-role or auto mode (with AWS_BEARER_TOKEN_BEDROCK unset, as auto mode \
             prefers the key); keep API-key mode for the operations that take one"
                .into(),
        ),
        ErrorKind::RoleRefused => (
            match call.role {
                Some(role) => format!("STS AssumeRole on {role} was refused ({answer}): {said}"),
                None => format!("{op}: a role assumption was refused ({answer}): {said}"),
            },
            "the role's trust policy must allow the source principal (`sts:AssumeRole`), with \
             the external id and MFA it requires; check the role ARN"
                .into(),
        ),
        ErrorKind::AccessDenied => (
            format!("{op} was denied ({answer}): {said}"),
            if op.starts_with("Bedrock") {
                "allow `bedrock:InvokeModel` on the model in the principal's IAM policy, and \
                 enable access to the model in the Bedrock console for this region"
                    .into()
            } else {
                "check the IAM policies of the principal named in the message".into()
            },
        ),
        ErrorKind::Throttled => (
            format!("{op} was throttled ({answer}): {said}"),
            "retry later with backoff (<<max_attempts>>), or request a higher quota".into(),
        ),
        _ => (
            format!("{op} failed ({answer}): {said}"),
            if reply.status >= 500 {
                "the service (or a proxy in front of it) failed: retry later, and check the \
                 endpoint and any proxy if it persists"
                    .into()
            } else if reply.code.is_some() {
                "look up the error code in the service's API reference".into()
            } else {
                "check that the endpoint is an AWS (or AWS-compatible) service".into()
            },
        ),
    }
}

/// The last source of an error: the most specific reason.
fn innermost(err: &(dyn StdError + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    printable(&current.to_string()).into_owned()
}

/// An error and its sources, joined with `: `.
fn chain_text(err: &(dyn StdError + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(current) = source {
        let next = current.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = current.source();
    }
    // Other crates' errors quote what they were sent: a credential process's stderr, a
    // response body.
    printable(&text).into_owned()
}
