//! What a [`LocalAws`](super::LocalAws) is told and what it keeps, shared by every part of
//! the server: the users, roles, answers and faults a test sets ([`TestUser`], [`RoleSpec`],
//! [`ModelAnswer`], [`Fault`] ...), what it records ([`RecordedRequest`]), and its state (the
//! keys it knows, the requests it saw).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};

use crate::values::{AccessKeyId, RoleArn};

/// The account that [`LocalAws::add_user`](super::LocalAws::add_user) puts users in.
pub const DEFAULT_ACCOUNT: &str = "123456789012";

/// The region that [`LocalAws::builder`](super::LocalAws::builder) configures.
pub const DEFAULT_REGION: &str = "us-east-1";

/// A user registered on a [`LocalAws`](super::LocalAws): its key pair and the identity STS reports for it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TestUser {
    /// The access key id.
    pub access_key_id: AccessKeyId,
    /// The secret access key.
    pub secret_access_key: SecretString,
    /// The user's ARN, as `GetCallerIdentity` returns it.
    pub arn: String,
    /// The account id.
    pub account: String,
    /// The unique user id.
    pub user_id: String,
}

/// What the server's AWS Sign-In answers to a `CreateOAuth2Token` refresh of a console
/// sign-in session (a profile written by `aws login`): see [`LocalAws::add_login_refresh`](super::LocalAws::add_login_refresh).
#[derive(Debug, Clone)]
pub struct LoginRefresh {
    /// The new access key id.
    pub access_key_id: String,
    /// The new secret access key.
    pub secret_access_key: SecretString,
    /// The new session token.
    pub session_token: SecretString,
    /// The refresh token for the next refresh.
    pub refresh_token: SecretString,
    /// How long the new keys last.
    pub expires_in: Duration,
}

/// A role on a [`LocalAws`](super::LocalAws): who may assume it and on which conditions.
#[derive(Debug, Clone)]
pub struct RoleSpec {
    pub(super) arn: RoleArn,
    pub(super) trusted: Vec<String>,
    pub(super) external_id: Option<String>,
    pub(super) mfa: Option<(String, String)>,
    pub(super) lifetime: Option<Duration>,
    pub(super) tag_session: bool,
    pub(super) set_source_identity: bool,
    pub(super) web_identity: bool,
}

impl RoleSpec {
    /// A role that any principal of its own account may assume.
    pub fn new(arn: RoleArn) -> Self {
        Self {
            arn,
            trusted: Vec::new(),
            external_id: None,
            mfa: None,
            lifetime: None,
            tag_session: false,
            set_source_identity: false,
            web_identity: false,
        }
    }

    /// The trust policy allows `sts:AssumeRoleWithWebIdentity` for the local server's OIDC
    /// provider: the tokens of [`LocalAws::add_web_identity_token`](super::LocalAws::add_web_identity_token).
    pub fn trust_web_identity(mut self) -> Self {
        self.web_identity = true;
        self
    }

    /// The trust policy allows `sts:TagSession`: session tags and transitive tag keys. Without
    /// it, as on AWS, an `AssumeRole` with tags is denied.
    pub fn allow_session_tags(mut self) -> Self {
        self.tag_session = true;
        self
    }

    /// The trust policy allows `sts:SetSourceIdentity`. Without it, as on AWS, an `AssumeRole`
    /// with a source identity is denied.
    pub fn allow_source_identity(mut self) -> Self {
        self.set_source_identity = true;
        self
    }

    /// Trusts only the listed principals (by ARN), instead of the role's whole account.
    pub fn trust(mut self, principal_arn: impl Into<String>) -> Self {
        self.trusted.push(principal_arn.into());
        self
    }

    /// Requires this external id.
    pub fn external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into());
        self
    }

    /// Requires MFA with this device serial and accepts this token code.
    pub fn require_mfa(mut self, serial: impl Into<String>, code: impl Into<String>) -> Self {
        self.mfa = Some((serial.into(), code.into()));
        self
    }

    /// Issues credentials that expire after `lifetime` instead of the requested duration, to
    /// exercise refreshes without waiting 15 minutes.
    pub fn credential_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = Some(lifetime);
        self
    }
}

/// A fault that [`LocalAws::set_fault`](super::LocalAws::set_fault) injects.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer `Throttling` (STS) / `ThrottlingException` (Bedrock), HTTP 400/429.
    Throttling,
    /// Answer HTTP 500 `InternalFailure`.
    InternalError,
    /// Accept the request and never answer.
    Hang,
    /// Answer Bedrock Runtime requests as usual, but only after `delay` (STS at once): a
    /// model that takes its time over a long answer.
    SlowBedrock {
        /// How long each Bedrock answer waits.
        delay: Duration,
    },
    /// Answer exactly this, whatever the request: for the shapes of answer that the SDK cannot
    /// parse (another AWS implementation's error wrapping, an empty body from a proxy).
    Raw {
        /// The HTTP status.
        status: u16,
        /// The `content-type` header, if not empty.
        content_type: &'static str,
        /// The body.
        body: &'static str,
    },
}

/// What the local model answers ([`LocalAws::set_answer`](super::LocalAws::set_answer)).
///
/// `Converse` and `InvokeModel` answer the whole text at once. `ConverseStream` and
/// `InvokeModelWithResponseStream` stream it, a delta per piece, with [`pause`](Self::pause)
/// between the pieces, and end as [`end`](Self::end) says. (To delay the first byte of every
/// Bedrock answer, set [`Fault::SlowBedrock`].)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelAnswer {
    pub(super) pieces: Vec<String>,
    pub(super) pause: Duration,
    pub(super) end: StreamEnd,
}

impl ModelAnswer {
    /// An answer made of these pieces: their concatenation is the text, and a stream sends
    /// each as a delta of its own, in order.
    pub fn new<S: Into<String>>(pieces: impl IntoIterator<Item = S>) -> Self {
        Self {
            pieces: pieces.into_iter().map(Into::into).collect(),
            pause: Duration::ZERO,
            end: StreamEnd::Complete,
        }
    }

    /// Waits this long between the pieces of a stream (none by default): a model that takes
    /// its time over each token.
    pub fn pause(mut self, between_events: Duration) -> Self {
        self.pause = between_events;
        self
    }

    /// How a stream ends after its pieces ([`StreamEnd::Complete`] by default).
    pub fn end(mut self, end: StreamEnd) -> Self {
        self.end = end;
        self
    }
}

impl Default for ModelAnswer {
    /// `pong`, in one piece, without pauses, complete.
    fn default() -> Self {
        Self::new(["pong"])
    }
}

/// How a stream of the local model ends, after its pieces ([`ModelAnswer::end`]).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamEnd {
    /// As a stream does: the content block's end, the message's end and its metadata
    /// (`contentBlockStop`, `messageStop`, `metadata` for `ConverseStream`).
    Complete,
    /// With a `throttlingException` event, as Bedrock ends a stream that ran out of its
    /// tokens-per-minute quota.
    Throttling,
    /// With a `modelStreamErrorException` event: the model failed mid-answer.
    ModelStreamError,
    /// The connection is closed mid-stream, with no last event.
    HangUp,
    /// Nothing more arrives, and the connection stays open: a connection that died silently.
    Silence,
}

/// How a request was authenticated.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// A SigV4 `Authorization` header.
    SigV4,
    /// An `Authorization: Bearer` header (a Bedrock API key).
    Bearer,
    /// No `Authorization` header.
    None,
}

/// A request the server saw.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// `"sts"`, `"bedrock"`, `"bedrock-mantle"` or `"signin"` (AWS Sign-In), from the path.
    pub service: &'static str,
    /// The action: `"GetCallerIdentity"`, `"AssumeRole"`, `"Converse"`, ...
    pub action: String,
    /// How it was authenticated.
    pub auth: AuthKind,
    /// The access key id that signed it (for a short-term API key, the one that signed the
    /// key).
    pub access_key_id: Option<String>,
    /// The region of the signature's credential scope.
    pub signing_region: Option<String>,
    /// The service name of the signature's credential scope.
    pub signing_service: Option<String>,
    /// STS parameters (`RoleArn`, `RoleSessionName`, `DurationSeconds`, `ExternalId`,
    /// `SerialNumber`, `TokenCode`, ...).
    pub params: BTreeMap<String, String>,
    /// The model id of a Bedrock call.
    pub model_id: Option<String>,
    /// The HTTP status answered.
    pub status: u16,
    /// The error code answered, if any.
    pub error_code: Option<String>,
}

/// A key the server knows: a user's long-term key or a role session's temporary one.
#[derive(Debug, Clone)]
pub(super) struct Principal {
    pub(super) arn: String,
    pub(super) account: String,
    pub(super) user_id: String,
    pub(super) secret: SecretString,
    pub(super) session_token: Option<SecretString>,
    pub(super) expires_at: Option<SystemTime>,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) counter: AtomicU64,
    /// TCP connections accepted so far.
    pub(super) connections: AtomicU64,
    pub(super) inner: Mutex<Inner>,
}

#[derive(Default)]
pub(super) struct Inner {
    pub(super) keys: HashMap<String, Principal>,
    /// Long-term API key -> the access key id of the user it belongs to.
    pub(super) api_keys: HashMap<String, String>,
    /// The region whose short-term API keys Bedrock requests may carry; `None`: the default.
    pub(super) api_key_region: Option<String>,
    pub(super) roles: HashMap<String, RoleSpec>,
    pub(super) denied_models: HashSet<String>,
    pub(super) answer: ModelAnswer,
    pub(super) fault: Option<Fault>,
    pub(super) requests: Vec<RecordedRequest>,
    /// AWS Sign-In refresh token -> what `CreateOAuth2Token` answers for it.
    pub(super) login_refreshes: HashMap<String, LoginRefresh>,
    /// Web identity (OIDC) token -> the subject it names.
    pub(super) web_identities: HashMap<String, String>,
    /// SSO access token -> the account and role it may get keys for, and those keys.
    pub(super) sso_grants: HashMap<String, SsoGrant>,
}

/// What an SSO access token grants: the keys of one role in one account.
pub(super) struct SsoGrant {
    pub(super) account: String,
    pub(super) role_name: String,
    /// The role session's key, registered in `keys`.
    pub(super) access_key_id: String,
}

impl State {
    pub(super) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic in a test thread must not wedge the server for the others.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// 16 hex digits from the standard library's randomly seeded hasher: unpredictable enough
/// for test secrets, no extra dependency.
pub(super) fn random_hex() -> String {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    format!("{:016x}", hasher.finish())
}

impl Principal {
    pub(super) fn secret(&self) -> &str {
        self.secret.expose_secret()
    }
}
