//! [`AuthError`]: what went wrong when talking to AWS, and how to fix it.
//!
//! Errors from the SDK (credential providers, STS, Bedrock Runtime, the HTTP client) are
//! classified into a small set of [`ErrorKind`]s, each with a message that never contains a
//! secret and a hint drawn from the usual fixes.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

use crate::error::ConfigError;
use crate::manager::ModeKind;

/// The kind of an [`AuthError`], with a short machine-readable name ([`as_str`](Self::as_str)).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// No credentials were found for the mode (`no_credentials`).
    NoCredentials,
    /// The named profile is not in the shared config or credentials files (`profile_not_found`).
    ProfileNotFound,
    /// AWS does not know the access key, or the signature does not match its secret
    /// (`invalid_credentials`).
    InvalidCredentials,
    /// The credentials have expired (`expired_credentials`).
    ExpiredCredentials,
    /// The principal may not perform the action, including a refused role assumption
    /// (`access_denied`).
    AccessDenied,
    /// No region is configured (`no_region`).
    NoRegion,
    /// The endpoint could not be reached, or did not answer in time (`network`).
    Network,
    /// AWS throttled the request (`throttled`).
    Throttled,
    /// Another error from the service, with its code (`service`).
    Service,
    /// The configuration is invalid (`invalid_config`).
    InvalidConfig,
}

impl ErrorKind {
    /// The machine-readable name: `no_credentials`, `profile_not_found`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NoCredentials => "no_credentials",
            Self::ProfileNotFound => "profile_not_found",
            Self::InvalidCredentials => "invalid_credentials",
            Self::ExpiredCredentials => "expired_credentials",
            Self::AccessDenied => "access_denied",
            Self::NoRegion => "no_region",
            Self::Network => "network",
            Self::Throttled => "throttled",
            Self::Service => "service",
            Self::InvalidConfig => "invalid_config",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Authentication against AWS failed: what happened ([`kind`](Self::kind),
/// [`message`](Self::message)) and what usually fixes it ([`hint`](Self::hint)).
///
/// `Display` shows the message followed by the hint. No part of it ever holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthError {
    kind: ErrorKind,
    message: String,
    hint: Cow<'static, str>,
    code: Option<String>,
    profiles: Vec<String>,
}

impl AuthError {
    /// An error of `kind` with a message and a hint, for code that reports its own failures
    /// in the same shape.
    pub fn new(
        kind: ErrorKind,
        message: impl Into<String>,
        hint: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            kind,
            message: message.into(),
            hint: hint.into(),
            code: None,
            profiles: Vec::new(),
        }
    }

    fn with_code(mut self, code: &str) -> Self {
        self.code = Some(code.to_owned());
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// What happened, e.g. "STS GetCallerIdentity refused the access key AKIA...: ...".
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What usually fixes it.
    pub fn hint(&self) -> &str {
        &self.hint
    }

    /// The service's error code (`AccessDenied`, `ExpiredToken`, ...), when a service answered.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// For [`ErrorKind::ProfileNotFound`]: the profiles that do exist.
    pub fn available_profiles(&self) -> &[String] {
        &self.profiles
    }

    pub(crate) fn no_region() -> Self {
        Self::new(
            ErrorKind::NoRegion,
            "no AWS region configured",
            "call `.region(\"us-east-1\")` on the builder, set AWS_REGION, or add `region = ...` \
             to the profile",
        )
    }

    pub(crate) fn profile_not_found(profile: &str, available: Vec<String>) -> Self {
        let listed = if available.is_empty() {
            "no profiles are defined".to_owned()
        } else {
            format!("profiles found: {}", available.join(", "))
        };
        let mut err = Self::new(
            ErrorKind::ProfileNotFound,
            format!(
                "profile `{profile}` not found in the shared config or credentials files ({listed})"
            ),
            "`aws configure list-profiles` lists the profiles; create it with `aws configure \
             --profile NAME`, or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at the \
             right files",
        );
        err.profiles = available;
        err
    }

    pub(crate) fn no_credentials(mode: ModeKind, detail: impl fmt::Display) -> Self {
        let hint = match mode {
            ModeKind::Environment => {
                "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for \
                 temporary keys), or choose another mode"
            }
            ModeKind::Profile => {
                "give the profile credentials (`aws configure --profile NAME`), a role \
                 (`role_arn` + `source_profile`), SSO (`aws sso login --profile NAME`) or a \
                 `credential_process`"
            }
            _ => {
                "configure credentials: environment variables, `aws configure`, `aws sso login`, \
                 or run where an instance, container or web-identity role is available"
            }
        };
        Self::new(
            ErrorKind::NoCredentials,
            format!("no AWS credentials found ({mode} mode): {detail}"),
            hint,
        )
    }
}

/// A configuration that failed `build()` is an [`ErrorKind::InvalidConfig`] failure, so that
/// building and validating can share one `?`.
impl From<ConfigError> for AuthError {
    fn from(err: ConfigError) -> Self {
        Self::new(
            ErrorKind::InvalidConfig,
            err.to_string(),
            "fix the configuration values named in the message",
        )
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (hint: {})", self.message, self.hint)
    }
}

impl StdError for AuthError {}

/// What was being done when an error happened, for messages and hints.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    /// `STS GetCallerIdentity`, `STS AssumeRole`, `Bedrock Converse`, ...
    pub(crate) operation: &'a str,
    /// The mode of the manager.
    pub(crate) mode: ModeKind,
    /// The role being assumed, for `AssumeRole`.
    pub(crate) role: Option<&'a str>,
    /// The endpoint called, when known.
    pub(crate) endpoint: Option<&'a str>,
}

/// Classifies an SDK error.
pub(crate) fn classify<E>(err: &SdkError<E>, call: Call<'_>) -> AuthError
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    // Credential providers (ours and aws-config's) fail before anything is sent.
    if let Some(found) = find_in_chain(err, call) {
        return found;
    }
    let endpoint = call.endpoint.unwrap_or("the AWS endpoint");
    match err {
        SdkError::ServiceError(service) => from_code(
            service.err().code().unwrap_or("Unknown"),
            service.err().message().unwrap_or_default(),
            call,
        ),
        SdkError::TimeoutError(_) => AuthError::new(
            ErrorKind::Network,
            format!("{} to {endpoint} timed out", call.operation),
            NETWORK_HINT,
        ),
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
                format!(
                    "{} to {endpoint} {what}: {}",
                    call.operation,
                    chain_text(err)
                ),
                NETWORK_HINT,
            )
        }
        SdkError::ResponseError(_) => AuthError::new(
            ErrorKind::Service,
            format!(
                "{} got an unreadable response from {endpoint}",
                call.operation
            ),
            "check that the endpoint is an AWS (or AWS-compatible) service",
        ),
        _ => AuthError::new(
            ErrorKind::Service,
            format!("{} failed: {}", call.operation, chain_text(err)),
            "see the message; enable RUST_LOG=debug for details",
        ),
    }
}

const NETWORK_HINT: &str = "check that the endpoint is reachable (network, proxy, VPC endpoint, \
     firewall); timeouts are set with `connect_timeout` / `operation_timeout`";

/// Looks through the error's sources for an [`AuthError`] (from our own providers) or a
/// [`CredentialsError`] (from aws-config's).
fn find_in_chain(err: &(dyn StdError + 'static), call: Call<'_>) -> Option<AuthError> {
    let mut source = Some(err);
    while let Some(current) = source {
        if let Some(auth) = current.downcast_ref::<AuthError>() {
            return Some(auth.clone());
        }
        if let Some(creds) = current.downcast_ref::<CredentialsError>() {
            return Some(classify_credentials(creds, call));
        }
        source = current.source();
    }
    None
}

/// Classifies a credential provider's error.
pub(crate) fn classify_credentials(err: &CredentialsError, call: Call<'_>) -> AuthError {
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
            format!("loading credentials timed out: {detail}"),
            NETWORK_HINT,
        ),
        CredentialsError::InvalidConfiguration(_) => AuthError::new(
            ErrorKind::InvalidConfig,
            format!("invalid credentials configuration: {detail}"),
            "check the shared config and credentials files (`aws configure list`)",
        ),
        _ => match known_code(&detail) {
            Some(code) => from_code(code, &detail, call),
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

/// Service error codes that aws-config's providers only report as text.
fn known_code(text: &str) -> Option<&'static str> {
    [
        "InvalidClientTokenId",
        "InvalidIdentityTokenException",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "AccessDenied",
        "Throttling",
    ]
    .into_iter()
    .find(|code| text.contains(code))
}

fn from_code(code: &str, message: &str, call: Call<'_>) -> AuthError {
    let op = call.operation;
    let kind = match code {
        "InvalidClientTokenId"
        | "UnrecognizedClientException"
        | "SignatureDoesNotMatch"
        | "InvalidSignatureException"
        | "IncompleteSignature"
        | "IncompleteSignatureException"
        | "MissingAuthenticationToken"
        | "MissingAuthenticationTokenException"
        | "InvalidAccessKeyId"
        | "InvalidIdentityToken"
        | "InvalidIdentityTokenException"
        | "IDPRejectedClaim" => ErrorKind::InvalidCredentials,
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" | "TokenRefreshRequired" => {
            ErrorKind::ExpiredCredentials
        }
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
            ErrorKind::AccessDenied
        }
        "Throttling"
        | "ThrottlingException"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "ServiceQuotaExceededException" => ErrorKind::Throttled,
        _ => ErrorKind::Service,
    };
    let (text, hint): (String, Cow<'static, str>) = match kind {
        ErrorKind::InvalidCredentials
            if code.contains("IdentityToken") || code == "IDPRejectedClaim" =>
        {
            (
                format!("{op} rejected the web identity token ({code}): {message}"),
                "check that the token file (AWS_WEB_IDENTITY_TOKEN_FILE or the profile's \
             `web_identity_token_file`) holds a current token, that the account has the token's \
             OIDC provider, and that the role's trust policy allows it"
                    .into(),
            )
        }
        ErrorKind::InvalidCredentials => (
            format!("{op} rejected the credentials ({code}): {message}"),
            "the access key id is unknown or its secret does not match: check for typos, \
             rotated or deleted keys, and a session token that belongs to the key"
                .into(),
        ),
        ErrorKind::ExpiredCredentials => (
            format!("{op} rejected expired credentials ({code}): {message}"),
            "get fresh temporary credentials (`aws sso login`, re-run what issued them), or use \
             a mode that refreshes them (profile, assume role, auto)"
                .into(),
        ),
        ErrorKind::AccessDenied if call.role.is_some() => (
            format!(
                "STS AssumeRole on {} was refused ({code}): {message}",
                call.role.unwrap_or_default()
            ),
            "the role's trust policy must allow the source principal (`sts:AssumeRole`), with \
             the external id and MFA it requires; check the role ARN"
                .into(),
        ),
        ErrorKind::AccessDenied => (
            format!("{op} was denied ({code}): {message}"),
            if op.starts_with("Bedrock") {
                "allow `bedrock:InvokeModel` on the model in the principal's IAM policy, and \
                 enable access to the model in the Bedrock console for this region"
                    .into()
            } else {
                "check the IAM policies of the principal named in the message".into()
            },
        ),
        ErrorKind::Throttled => (
            format!("{op} was throttled ({code}): {message}"),
            "retry later with backoff (`max_attempts`), or request a higher quota".into(),
        ),
        _ => (
            format!("{op} failed ({code}): {message}"),
            "look up the error code in the service's API reference".into(),
        ),
    };
    AuthError::new(kind, text, hint).with_code(code)
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
    text
}
