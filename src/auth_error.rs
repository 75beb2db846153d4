//! [`AuthError`]: what went wrong when talking to AWS, and how to fix it.
//!
//! Errors from the SDK (credential providers, STS, Bedrock Runtime, the HTTP client) are
//! classified into a small set of [`ErrorKind`]s, each with a message that never contains a
//! secret and a hint drawn from the usual fixes.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::event_stream::RawMessage;

use crate::error::ConfigError;
use crate::mode_kind::ModeKind;
use crate::printable::printable;
use crate::proxy::{BearerThroughProxy, Unroutable};
use crate::reply::Reply;

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
    /// The principal may not make this one request: a model whose access is not enabled, an
    /// action its policy does not allow on a resource (`access_denied`). The credentials were
    /// accepted: it does not count toward [lockout](crate::AuthBuilder::lockout_after).
    AccessDenied,
    /// STS refused the role assumption: the role's trust policy does not allow the source
    /// principal, or the external id, MFA or session options do not match (`role_refused`).
    /// Counts toward lockout.
    RoleRefused,
    /// No region is configured (`no_region`).
    NoRegion,
    /// The endpoint could not be reached, or did not answer in time (`network`).
    Network,
    /// A credential source of this process did not answer within the operation timeout: a
    /// profile's `credential_process`, SSO or role chain, the default chain, an MFA token
    /// source or a custom source; nothing was sent to AWS (`timed_out`).
    TimedOut,
    /// AWS throttled the request (`throttled`).
    Throttled,
    /// Another error from the service, with its code (`service`).
    Service,
    /// The configuration is invalid (`invalid_config`).
    InvalidConfig,
    /// The manager refuses calls for a while after repeated authentication failures
    /// ([`lockout_after`](crate::AuthBuilder::lockout_after)); nothing was sent (`locked_out`).
    LockedOut,
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
            Self::RoleRefused => "role_refused",
            Self::NoRegion => "no_region",
            Self::Network => "network",
            Self::TimedOut => "timed_out",
            Self::Throttled => "throttled",
            Self::Service => "service",
            Self::InvalidConfig => "invalid_config",
            Self::LockedOut => "locked_out",
        }
    }

    /// Every kind, in a fixed order (for compact storage).
    const ALL: [ErrorKind; 13] = [
        Self::NoCredentials,
        Self::ProfileNotFound,
        Self::InvalidCredentials,
        Self::ExpiredCredentials,
        Self::AccessDenied,
        Self::NoRegion,
        Self::Network,
        Self::TimedOut,
        Self::Throttled,
        Self::Service,
        Self::InvalidConfig,
        Self::LockedOut,
        // Last: the stored indexes of the kinds before it stay what they were.
        Self::RoleRefused,
    ];

    /// 1 + the kind's place in [`ALL`](Self::ALL) (0 stands for none).
    pub(crate) fn index(self) -> u8 {
        Self::ALL
            .iter()
            .position(|k| *k == self)
            .map_or(0, |at| at as u8 + 1)
    }

    /// The kind of an [`index`](Self::index), `None` for 0.
    pub(crate) fn from_index(index: u8) -> Option<Self> {
        Self::ALL.get(usize::from(index).checked_sub(1)?).copied()
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

serialize_as_display!(ErrorKind);

/// `kind`, `message`, `hint`, and what the service answered when one did: `code`,
/// `http_status`, `request_id`. Like `Display`, never a secret.
impl serde::Serialize for AuthError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("AuthError", 6)?;
        out.serialize_field("kind", &self.kind)?;
        out.serialize_field("message", &self.message)?;
        out.serialize_field("hint", &self.hint)?;
        match self.code() {
            Some(code) => out.serialize_field("code", code)?,
            None => out.skip_field("code")?,
        }
        match self.http_status() {
            Some(status) => out.serialize_field("http_status", &status)?,
            None => out.skip_field("http_status")?,
        }
        match self.request_id() {
            Some(id) => out.serialize_field("request_id", id)?,
            None => out.skip_field("request_id")?,
        }
        out.end()
    }
}

/// Authentication against AWS failed: what happened ([`kind`](Self::kind),
/// [`message`](Self::message)) and what usually fixes it ([`hint`](Self::hint)).
///
/// `Display` shows what failed and the hint; where the message quotes its cause (the SDK's
/// error chain), `Display` leaves that part to `source()`, so that `anyhow` and other reporters
/// that print the chain print each cause once. [`message`](Self::message) keeps all of it. No
/// part of it ever holds a secret.
///
/// The cause is kept: [`source()`](StdError::source) is the SDK's own error for every failure
/// of a call to AWS (downcast it to `aws_sdk_sts::error::SdkError<..>` and the like for its
/// raw response), and the [`ConfigError`] with all its problems for a configuration that
/// failed to build. Two errors are equal when they say the same (kind, message, hint, the
/// service's answer); the cause is not compared.
#[derive(Debug, Clone)]
pub struct AuthError {
    kind: ErrorKind,
    message: String,
    hint: Cow<'static, str>,
    // What the service answered, when one did (boxed: most errors have none).
    answer: Option<Box<Answer>>,
    profiles: Vec<String>,
    cause: Option<Cause>,
    /// The hint as written, with the places it points to still to be worded (see
    /// [`Audience`]), when it has any.
    template: Option<Box<Cow<'static, str>>>,
    /// Whether the manager's monitor has recorded this failure already (a call of one of its
    /// own clients): so it is not recorded twice on its way out.
    recorded: bool,
    /// Where the message quotes its cause's text (`: ` and the chain), which `Display` leaves
    /// to `source()`. (Four bytes: the error stays small enough to return by value.)
    headline: Option<std::num::NonZeroU32>,
}

/// The error an [`AuthError`] was made from, shared so that the error stays `Clone`.
type Cause = Arc<dyn StdError + Send + Sync + 'static>;

/// The headline's end at `len`, when it has one that fits.
fn headline_at(len: usize) -> Option<std::num::NonZeroU32> {
    u32::try_from(len).ok().and_then(std::num::NonZeroU32::new)
}

/// `text` with each of `secrets` replaced by `********`.
fn redact(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_owned();
    for secret in secrets {
        if text.contains(secret) {
            text = text.replace(secret, "********");
        }
    }
    text
}

/// Whether any level of `err`'s chain quotes one of `secrets`, in its `Display` or its
/// `Debug`.
fn quotes_any(err: &(dyn StdError + 'static), secrets: &[&str]) -> bool {
    let mut level = Some(err);
    while let Some(current) = level {
        let shown = format!("{current}\n{current:?}");
        if secrets.iter().any(|secret| shown.contains(secret)) {
            return true;
        }
        level = current.source();
    }
    false
}

/// A copy of an error chain that quoted a secret: each level's `Display` and `Debug`, the
/// secrets replaced.
struct Redacted {
    display: String,
    debug: String,
    source: Option<Box<Redacted>>,
}

impl Redacted {
    fn of(err: &(dyn StdError + 'static), secrets: &[&str]) -> Self {
        Self {
            display: redact(&err.to_string(), secrets),
            debug: redact(&format!("{err:?}"), secrets),
            source: err
                .source()
                .map(|source| Box::new(Self::of(source, secrets))),
        }
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.debug)
    }
}

impl StdError for Redacted {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

impl PartialEq for AuthError {
    fn eq(&self, other: &Self) -> bool {
        (
            self.kind,
            &self.message,
            &self.hint,
            &self.answer,
            &self.profiles,
        ) == (
            other.kind,
            &other.message,
            &other.hint,
            &other.answer,
            &other.profiles,
        )
    }
}

impl Eq for AuthError {}

/// What failed and the hint. When the message quotes its cause (the SDK's error chain), that
/// part is left to [`source()`](StdError::source), so that a reporter that prints the chain
/// (`anyhow`, `eyre`, `{:#}` in many loggers) prints each cause once;
/// [`message`](AuthError::message) keeps all of it.
impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = match (self.headline, &self.cause) {
            (Some(at), Some(_)) => self
                .message
                .get(..at.get() as usize)
                .unwrap_or(&self.message),
            _ => &self.message,
        };
        write!(f, "{message} (hint: {})", self.hint)
    }
}

// Written out rather than derived: `thiserror` would give the `Arc` itself as the source (an
// `Arc<dyn Error>` is an error too), and a downcast to the SDK's type would fail.
impl StdError for AuthError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.cause
            .as_deref()
            .map(|cause| cause as &(dyn StdError + 'static))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Answer {
    code: Option<String>,
    status: Option<u16>,
    request_id: Option<String>,
}

impl AuthError {
    /// An error of `kind` with a message and a hint, for code that reports its own failures
    /// in the same shape.
    pub fn new(
        kind: ErrorKind,
        message: impl Into<String>,
        hint: impl Into<Cow<'static, str>>,
    ) -> Self {
        let template = hint.into();
        let (hint, template) = match render(&template, Audience::Code) {
            Cow::Borrowed(_) => (template, None),
            Cow::Owned(worded) => (Cow::Owned(worded), Some(Box::new(template))),
        };
        Self {
            kind,
            message: message.into(),
            hint,
            answer: None,
            profiles: Vec::new(),
            cause: None,
            template,
            recorded: false,
            headline: None,
        }
    }

    /// The hint in the words of `audience`: code names builder methods, the command its flags
    /// and variables. [`hint()`](Self::hint) is the hint for code.
    pub fn hint_for(&self, audience: Audience) -> Cow<'_, str> {
        match (audience, &self.template) {
            (Audience::Code, _) => Cow::Borrowed(&self.hint),
            (Audience::Command, template) => {
                let written = template.as_deref().map_or(&*self.hint, |t| &**t);
                let worded = render(written, audience);
                if names_a_setting(&worded) {
                    worded
                } else {
                    // Every hint for a person at the command says where to look.
                    Cow::Owned(format!("{worded}; {}", command_pointer(self.kind)))
                }
            }
        }
    }

    /// The same error, its hint in the words of `audience` (for a program that shows errors
    /// to people, such as the `bedrock-auth` command).
    pub fn for_audience(mut self, audience: Audience) -> Self {
        let worded = self.hint_for(audience).into_owned();
        self.hint = Cow::Owned(worded);
        self.template = None;
        self
    }

    /// The same error, made from `cause` (which [`source()`](StdError::source) returns).
    /// The same error, its message followed by `: detail`: the text of its cause, which
    /// `Display` leaves out when the cause is kept.
    pub(crate) fn with_detail(mut self, detail: String) -> Self {
        self.headline = headline_at(self.message.len());
        self.message.push_str(": ");
        self.message.push_str(&detail);
        self
    }

    pub(crate) fn caused_by(mut self, cause: impl StdError + Send + Sync + 'static) -> Self {
        self.cause = Some(Arc::new(cause));
        self
    }

    /// The same error, made from a boxed `cause` (a user's credential or MFA source).
    pub(crate) fn caused_by_boxed(mut self, cause: Box<dyn StdError + Send + Sync>) -> Self {
        self.cause = Some(Arc::from(cause));
        self
    }

    fn with_reply(mut self, code: Option<&str>, reply: &Reply) -> Self {
        self.answer = Some(Box::new(Answer {
            code: code.map(str::to_owned),
            status: (reply.status != 0).then_some(reply.status),
            request_id: reply.request_id.clone(),
        }));
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
        self.answer.as_ref()?.code.as_deref()
    }

    /// The HTTP status of the service's answer, when a service answered.
    pub fn http_status(&self) -> Option<u16> {
        self.answer.as_ref()?.status
    }

    /// The request id the service gave its answer (`x-amzn-RequestId`), for AWS support.
    pub fn request_id(&self) -> Option<&str> {
        self.answer.as_ref()?.request_id.as_deref()
    }

    /// For [`ErrorKind::ProfileNotFound`]: the profiles that do exist.
    pub fn available_profiles(&self) -> &[String] {
        &self.profiles
    }

    pub(crate) fn no_region() -> Self {
        Self::new(
            ErrorKind::NoRegion,
            "no AWS region configured",
            "<<region>>, set AWS_REGION, or add `region = ...` to the profile",
        )
    }

    /// `what` (a credential source) did not answer within `after`.
    /// A call to AWS that a credential source makes (`what`: `STS AssumeRole on ARN to
    /// ENDPOINT`) did not answer before the call that waited for it gave up.
    pub(crate) fn call_timed_out(what: &str) -> Self {
        Self::new(
            ErrorKind::Network,
            format!("{what} timed out"),
            NETWORK_HINT,
        )
    }

    pub(crate) fn source_timed_out(what: &str, after: std::time::Duration) -> Self {
        let check = if what.contains("credential_process") {
            "run the profile's `credential_process` by hand to see where it waits"
        } else if what.contains("MFA") {
            "<<mfa>> must return a code"
        } else if what.contains("custom") {
            "<<custom_source>> must answer"
        } else if what.contains("SSO") {
            "sign in again with `aws sso login`"
        } else {
            "check that source"
        };
        Self::new(
            ErrorKind::TimedOut,
            format!(
                "the credentials from {what} did not arrive within {after:?}; nothing was sent \
                 to AWS"
            ),
            format!("{check}; the wait is the operation timeout (<<operation_timeout>>)"),
        )
    }

    /// Calls are refused until `until` after `failures` authentication failures in a row.
    pub(crate) fn locked_out(
        failures: u32,
        since: &str,
        last: Option<ErrorKind>,
        until: &str,
    ) -> Self {
        let last = last.map_or(String::new(), |kind| format!(", the last {kind}"));
        Self::new(
            ErrorKind::LockedOut,
            format!(
                "locked out after {failures} authentication failures in a row since {since}{last}; \
                 nothing is sent until {until}"
            ),
            "fix the credentials (see the failures' messages), then <<reset_lockout>>, or wait \
             for the cool-down",
        )
    }

    /// The same error with each of `secrets` (the ones the manager knows and sends: an API
    /// key, an external id) replaced by `********` wherever it stands in the message and in
    /// its cause: an answer may echo what it was sent. A cause that quotes one is replaced by
    /// a redacted copy of its chain (the same texts, the secret replaced), which can no longer
    /// be downcast to the SDK's error: what it said is kept, the secret is not.
    pub(crate) fn without_secrets<'a>(
        mut self,
        secrets: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        // Too short to be told from ordinary words; such values are refused at build.
        let secrets: Vec<&str> = secrets.into_iter().filter(|s| s.len() >= 2).collect();
        if let Some(cause) = &self.cause
            && quotes_any(cause.as_ref(), &secrets)
        {
            self.cause = Some(Arc::new(Redacted::of(cause.as_ref(), &secrets)));
        }
        // The headline and the quoted cause apart, so that `Display` still finds the seam.
        let at = self
            .headline
            .map_or(self.message.len(), |at| at.get() as usize);
        let (mut head, mut detail) = match (self.message.get(..at), self.message.get(at..)) {
            (Some(head), Some(detail)) => (head.to_owned(), detail.to_owned()),
            _ => (std::mem::take(&mut self.message), String::new()),
        };
        for part in [&mut head, &mut detail] {
            *part = redact(part, &secrets);
        }
        if self.headline.is_some() {
            self.headline = headline_at(head.len());
        }
        head.push_str(&detail);
        self.message = head;
        self
    }

    /// Marks a failure the manager's monitor saw on one of its clients.
    pub(crate) fn seen_by_monitor(mut self) -> Self {
        self.recorded = true;
        self
    }

    /// Whether the manager's monitor has recorded this failure already.
    pub(crate) fn is_recorded(&self) -> bool {
        self.recorded
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
///
/// The `ConfigError` is the [`source()`](StdError::source), with every problem.
impl From<ConfigError> for AuthError {
    fn from(err: ConfigError) -> Self {
        Self::new(
            ErrorKind::InvalidConfig,
            err.to_string(),
            "fix the configuration values named in the message",
        )
        .caused_by(err)
    }
}

/// Who reads a hint: a program using the library, or a person at the `bedrock-auth` command.
/// One set of hints serves both; the places they point to are worded for each
/// ([`AuthError::hint_for`]).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Builder methods and API names: `.region("us-east-1")`.
    Code,
    /// The command's flags and environment variables: `--region us-east-1`, `AWS_REGION`.
    Command,
}

/// The places hints point to, as `<<name>>` in a hint, and their wording for code and for the
/// command. The one table of such wording.
const PLACES: [(&str, &str, &str); 11] = [
    (
        "region",
        "call `.region(\"us-east-1\")` on the builder",
        "pass `--region us-east-1`",
    ),
    ("region_short", "`.region(..)`", "`--region`"),
    (
        "timeouts",
        "`connect_timeout` / `operation_timeout` / `bedrock_timeout` on the builder",
        "`connect_timeout_ms` / `operation_timeout_ms` / `bedrock_timeout_ms` in a `--config` file",
    ),
    (
        "operation_timeout",
        "`operation_timeout` on the builder",
        "`operation_timeout_ms` in a `--config` file",
    ),
    (
        "bedrock_timeout",
        "`bedrock_timeout` on the builder",
        "`--bedrock-timeout` (or `bedrock_timeout_ms` in a `--config` file)",
    ),
    (
        "max_attempts",
        "`max_attempts` on the builder",
        "`max_attempts` in a `--config` file",
    ),
    (
        "mfa",
        "the MFA token source passed to `.mfa(..)`",
        "the MFA code asked for on the terminal (`--mfa-serial`)",
    ),
    (
        "custom_source",
        "the source passed to `.credential_source(..)`",
        "the custom credential source",
    ),
    (
        "reset_lockout",
        "call `reset_lockout()`",
        "run the command again",
    ),
    (
        "endpoint",
        "the builder's `endpoint_url`",
        "`endpoint_url` in a `--config` file",
    ),
    (
        "new_key",
        "`AuthManager::bedrock_api_key`",
        "`bedrock-auth token`",
    ),
];

/// `text` with its `<<place>>` markers worded for `audience`; borrowed when it has none.
fn render(text: &str, audience: Audience) -> Cow<'_, str> {
    if !text.contains("<<") {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_owned();
    for (name, code, command) in PLACES {
        let words = match audience {
            Audience::Code => code,
            Audience::Command => command,
        };
        out = out.replace(&format!("<<{name}>>"), words);
    }
    Cow::Owned(out)
}

/// Whether a hint names a flag (`--x`) or an environment variable (`AWS_X`, `BEDROCK_AUTH_X`).
fn names_a_setting(hint: &str) -> bool {
    hint.contains("--")
        || hint
            .split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
            .any(|word| word.len() >= 5 && word.contains('_'))
}

/// Where a person at the command looks next, by kind.
fn command_pointer(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Network | ErrorKind::TimedOut | ErrorKind::Throttled | ErrorKind::Service => {
            "`bedrock-auth doctor` shows the endpoint settings (AWS_ENDPOINT_URL, AWS_REGION)"
        }
        ErrorKind::InvalidConfig => "`bedrock-auth check --config FILE` lists every problem",
        _ => {
            "`bedrock-auth doctor` shows where the credentials come from (AWS_PROFILE, \
             AWS_ACCESS_KEY_ID, --profile, --env)"
        }
    }
}

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
    /// Whether the call was authenticated with a Bedrock API key (a bearer token).
    pub(crate) bearer: bool,
}

impl Call<'_> {
    /// The call, and the role it assumes: `STS AssumeRole on arn:aws:iam::...:role/R`.
    fn what(&self) -> Cow<'_, str> {
        match self.role {
            Some(role) => Cow::Owned(format!("{} on {role}", self.operation)),
            None => Cow::Borrowed(self.operation),
        }
    }
}

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

const NETWORK_HINT: &str = "check that the endpoint is reachable (network, proxy, VPC endpoint, \
     firewall); timeouts are set with <<timeouts>>";

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

/// The kind a service error code stands for, when it is one we know.
fn kind_of_code(code: &str) -> Option<ErrorKind> {
    Some(match code {
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
        _ => return None,
    })
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
    let op = call.operation;
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
    let answer = match (reply.status, code) {
        (0, Some(code)) => code.to_owned(),
        (0, None) => "no error code".to_owned(),
        (status, Some(code)) => format!("HTTP {status}, {code}"),
        (status, None) => format!("HTTP {status}, no error code"),
    };
    let mut said = if said.is_empty() {
        "the response had no message".to_owned()
    } else {
        said.to_owned()
    };
    if let Some(id) = &reply.request_id {
        said.push_str(&format!(" (request id {id})"));
    }
    let web_identity = code.is_some_and(|c| c.contains("IdentityToken") || c == "IDPRejectedClaim");
    let (text, hint): (String, Cow<'static, str>) = match kind {
        ErrorKind::InvalidConfig if needs_sigv4 => (
            format!("{op} does not take a Bedrock API key ({answer}): {said}"),
            "call it with SigV4 credentials: a manager in profile, environment, static, \
             assume-role or auto mode (with AWS_BEARER_TOKEN_BEDROCK unset, as auto mode \
             prefers the key); keep API-key mode for the operations that take one"
                .into(),
        ),
        ErrorKind::InvalidCredentials if web_identity => (
            format!("{op} rejected the web identity token ({answer}): {said}"),
            "check that the token file (AWS_WEB_IDENTITY_TOKEN_FILE or the profile's \
             `web_identity_token_file`) holds a current token, that the account has the token's \
             OIDC provider, and that the role's trust policy allows it"
                .into(),
        ),
        ErrorKind::InvalidCredentials if bearer => (
            format!("{op} rejected the Bedrock API key ({answer}): {said}"),
            "the API key is unknown, revoked or malformed: make a new one (the Bedrock console \
             for a long-term key, `bedrock-auth token` for a short-term one), and use a \
             short-term key only in the region it was made for (AWS_REGION, <<region_short>>)"
                .into(),
        ),
        ErrorKind::InvalidCredentials => (
            format!("{op} rejected the credentials ({answer}): {said}"),
            "the access key id is unknown or its secret does not match: check for typos, \
             rotated or deleted keys, and a session token that belongs to the key"
                .into(),
        ),
        ErrorKind::ExpiredCredentials if bearer => (
            format!("{op} rejected an expired Bedrock API key ({answer}): {said}"),
            "make a new key: short-term keys last at most 12 hours and no longer than the \
             credentials that signed them (<<new_key>>)"
                .into(),
        ),
        ErrorKind::ExpiredCredentials => (
            format!("{op} rejected expired credentials ({answer}): {said}"),
            "get fresh temporary credentials (`aws sso login`, re-run what issued them), or use \
             a mode that refreshes them (profile, assume role, auto)"
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
            } else if code.is_some() {
                "look up the error code in the service's API reference".into()
            } else {
                "check that the endpoint is an AWS (or AWS-compatible) service".into()
            },
        ),
    };
    AuthError::new(kind, text, hint).with_reply(code, reply)
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
