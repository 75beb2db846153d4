//! [`AuthError`]: what went wrong when talking to AWS, and how to fix it, sorted by
//! [`ErrorKind`]. Each message never contains a secret; each hint is drawn from the usual fixes.
//! (How the SDK's errors become these is `sdk_errors`.)

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use super::config::ConfigError;
use super::kind::ErrorKind;
use super::place::{Place, render};
use super::sign_in::SignIn;
use crate::mode_kind::ModeKind;
use crate::reply::Reply;
use crate::secret::without_secret_shapes;
use zeroize::Zeroize;

/// The hint of every failure to reach an endpoint.
pub(crate) const NETWORK_HINT: &str = "check that the endpoint is reachable (network, proxy, \
     VPC endpoint, firewall); timeouts are set with <<timeouts>>";

/// A [`SignIn`] as JSON: `{"kind": "sso", "profile": "dev", "command": "aws sso login
/// --profile dev"}`.
#[derive(serde::Serialize)]
struct SignInJson<'a> {
    kind: &'static str,
    profile: &'a str,
    command: String,
}

impl<'a> From<&'a SignIn> for SignInJson<'a> {
    fn from(sign_in: &'a SignIn) -> Self {
        Self {
            kind: match sign_in.kind() {
                super::SignInKind::Sso => "sso",
                super::SignInKind::Login => "login",
            },
            profile: sign_in.profile(),
            command: sign_in.command(),
        }
    }
}

/// `kind`, `message`, `hint`, and what the service answered when one did: `code`,
/// `http_status`, `request_id`; `sign_in` when a person must renew a sign-in session. Like
/// `Display`, never a secret.
impl serde::Serialize for AuthError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("AuthError", 7)?;
        out.serialize_field("kind", &self.kind)?;
        out.serialize_field("message", &self.message())?;
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
        match self.sign_in() {
            Some(sign_in) => out.serialize_field("sign_in", &SignInJson::from(sign_in))?,
            None => out.skip_field("sign_in")?,
        }
        out.end()
    }
}

/// Authentication against AWS failed: what happened ([`kind`](Self::kind),
/// [`message`](Self::message)) and what usually fixes it ([`hint`](Self::hint)).
///
/// As reqwest's errors: `Display` says what failed (and the hint, so that a program that only
/// prints the error still shows the fix), [`source()`](StdError::source) says why, and
/// `anyhow` and other reporters that print the chain print each cause once. The parts are
/// accessors: [`kind`](Self::kind), [`detail`](Self::detail) (the cause's text),
/// [`message`](Self::message) (what failed and that text, for a log line or JSON),
/// [`hint`](Self::hint). No part of it ever holds a secret.
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
    /// The profiles that exist, or the sign-in to renew, when the error has them (boxed: most
    /// have neither).
    about: Option<Box<About>>,
    cause: Option<Cause>,
    /// The hint as written, with the places it points to ([`Place`]) still to be worded, when
    /// it has any.
    template: Option<Box<Cow<'static, str>>>,
    /// Whether the manager's monitor has recorded this failure already (a call of one of its
    /// own clients): so it is not recorded twice on its way out.
    recorded: bool,
    /// What the cause said, as text (its chain, made printable, no secret's shape in it),
    /// when the error was made from one: [`message()`](Self::message) ends with it; `Display`
    /// leaves it to `source()` where the cause is kept.
    detail: Option<Box<str>>,
}

/// The error an [`AuthError`] was made from, shared so that the error stays `Clone`.
type Cause = Arc<dyn StdError + Send + Sync + 'static>;

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
            &self.detail,
            &self.hint,
            &self.answer,
            &self.about,
        ) == (
            other.kind,
            &other.message,
            &other.detail,
            &other.hint,
            &other.answer,
            &other.about,
        )
    }
}

impl Eq for AuthError {}

/// What failed and the hint. The cause's text ([`detail`](AuthError::detail)) is left to
/// [`source()`](StdError::source), so that a reporter that prints the chain (`anyhow`, `eyre`,
/// `{:#}` in many loggers) prints each cause once; an error that keeps no cause (a monitor's
/// record) shows it here. [`message`](AuthError::message) has both.
impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.detail, &self.cause) {
            (Some(detail), None) => write!(f, "{}: {detail}", self.message)?,
            _ => f.write_str(&self.message)?,
        }
        write!(f, " (hint: {})", self.hint)
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

/// What an error knows of the profiles: those that exist (a profile not found), the sign-in
/// session to renew.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct About {
    profiles: Vec<String>,
    sign_in: Option<SignIn>,
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
        let (hint, template) = match render(&template, |_| None) {
            Cow::Borrowed(_) => (template, None),
            Cow::Owned(worded) => (Cow::Owned(worded), Some(Box::new(template))),
        };
        // A secret typed or answered in the wrong place is not carried into any message.
        let mut message: String = message.into();
        if let Cow::Owned(shown) = without_secret_shapes(&message) {
            message.zeroize();
            message = shown;
        }
        Self {
            kind,
            message,
            hint,
            answer: None,
            about: None,
            cause: None,
            template,
            recorded: false,
            detail: None,
        }
    }

    /// The hint with the places it points to ([`Place`]) worded by `words`, or as code names
    /// them where `words` gives `None`. [`hint()`](Self::hint) is the hint with every place
    /// worded for code. For a program that shows errors to people who set things otherwise
    /// (the `bedrock-auth` command words them as its flags).
    pub fn hint_with<'w>(&self, words: impl Fn(Place) -> Option<&'w str>) -> Cow<'_, str> {
        match &self.template {
            Some(template) => render(template, words),
            None => Cow::Borrowed(&self.hint),
        }
    }

    /// The same error with another hint: for a program that words hints for its own users
    /// ([`hint_with`](Self::hint_with)) and passes the error on.
    pub fn with_hint(mut self, hint: impl Into<Cow<'static, str>>) -> Self {
        self.hint = hint.into();
        self.template = None;
        self
    }

    /// The same error with the text of its cause (`detail`), which [`message`](Self::message)
    /// ends with and `Display` leaves to `source()` when the cause is kept.
    pub(crate) fn with_detail(mut self, detail: String) -> Self {
        let detail = without_secret_shapes(&detail);
        self.detail = Some(match self.detail.take() {
            Some(before) => format!("{before}: {detail}").into(),
            None => detail.into(),
        });
        self
    }

    /// The same error, its message followed by `; note`: what the manager did about it.
    pub(crate) fn with_note(mut self, note: &str) -> Self {
        self.message.push_str("; ");
        self.message.push_str(note);
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

    pub(crate) fn with_reply(mut self, code: Option<&str>, reply: &Reply) -> Self {
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

    /// What happened, e.g. "STS GetCallerIdentity to `https://sts.us-east-1.amazonaws.com`
    /// could not connect: ...": what failed, then what its cause said ([`detail`](Self::detail)),
    /// when it said more.
    pub fn message(&self) -> Cow<'_, str> {
        match &self.detail {
            Some(detail) => Cow::Owned(format!("{}: {detail}", self.message)),
            None => Cow::Borrowed(&self.message),
        }
    }

    /// What the cause said, as text, when the error was made from one that said more than
    /// the message: the SDK's error chain (`dispatch failure: io error: Connection refused`),
    /// made printable, never a secret. [`source()`](StdError::source) is the cause itself.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
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

    /// The sign-in session that failed, when only a person can renew it: an SSO session
    /// (`aws sso login`) or a console sign-in session (`aws login`) of the profile chain that
    /// expired, was never made on this machine, or was refused. [`SignIn::command`] is the
    /// exact command that renews it, which the hint quotes.
    pub fn sign_in(&self) -> Option<&SignIn> {
        self.about.as_ref()?.sign_in.as_ref()
    }

    /// The same error, saying that `sign_in` is what a person must renew, with a hint that
    /// gives the command (`because`: why, e.g. "the SSO session has expired").
    pub(crate) fn with_sign_in(mut self, sign_in: SignIn, because: &str) -> Self {
        self.hint = Cow::Owned(format!(
            "{because}: sign in again with `{}`, then retry",
            sign_in.command()
        ));
        self.template = None;
        self.about.get_or_insert_default().sign_in = Some(sign_in);
        self
    }

    /// For [`ErrorKind::ProfileNotFound`]: the profiles that do exist.
    pub fn available_profiles(&self) -> &[String] {
        self.about.as_ref().map_or(&[], |about| &about.profiles)
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
        self.message = redact(&self.message, &secrets);
        if let Some(detail) = &self.detail {
            self.detail = Some(redact(detail, &secrets).into());
        }
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
        err.about.get_or_insert_default().profiles = available;
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
