//! The builder's mode states and the sealed capability traits that decide which methods a
//! state may call.
//!
//! Each state is named for what the builder holds: [`WantsMode`] until a mode is chosen, then
//! one of [`Profile`], [`Environment`], [`StaticCredentials`], [`AssumeRole`] or [`Auto`],
//! carrying that mode's settings; [`AssumeRole`] also carries the state of its source
//! (`mode/role.rs`). The traits carry `#[diagnostic::on_unimplemented]` messages,
//! so a call in the wrong state is a compile error that says what to do instead.

use secrecy::{ExposeSecret, SecretString};

use zeroize::Zeroize;

use crate::api_key::ApiKeyInfo;
use crate::error::AuthError;
use crate::error::{Problem, Rule, ValueError, ValueKind};
use crate::mfa::Mfa;
use crate::rotation::SourceProvider;
use crate::settings::Settings;
use crate::static_keys::StaticKeys;
use crate::values::{ExternalId, ProfileName, RoleArn, SessionDuration, SessionName};
use crate::web_identity::WebIdentityToken;

mod role;

pub use role::{
    AssumeRole, AutoSource, EnvironmentSource, NoSourceYet, ProfileSource, SourceState,
    StaticSource, TakesRoleOptions, TakesSigningOptions, TakesSourceSessionToken, TakesWebIdentity,
    WantsSigningSource, WantsSource, WebIdentitySource,
};
pub(crate) use role::{RoleSession, SIGNING_ONLY, not_with_web_identity};

/// No mode chosen yet: call [`profile`](crate::AuthBuilder::profile),
/// [`environment`](crate::AuthBuilder::environment),
/// [`static_credentials`](crate::AuthBuilder::static_credentials),
/// [`assume_role`](crate::AuthBuilder::assume_role), [`auto`](crate::AuthBuilder::auto),
/// [`credential_source`](crate::AuthBuilder::credential_source) or
/// [`api_key`](crate::AuthBuilder::api_key).
#[derive(Debug)]
#[non_exhaustive]
pub struct WantsMode;

/// Profile mode: credentials (and region) from a named profile of the shared config and
/// credentials files.
#[derive(Debug)]
pub struct Profile {
    pub(crate) name: Option<ProfileName>,
}

/// Environment mode: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` only,
/// never anything else.
#[derive(Debug)]
#[non_exhaustive]
pub struct Environment;

/// Static mode: an access key id, its secret and optionally a session token.
#[derive(Debug)]
pub struct StaticCredentials {
    pub(crate) keys: Option<StaticKeys>,
}

/// Auto mode: the standard AWS default credential chain.
#[derive(Debug)]
#[non_exhaustive]
pub struct Auto;

/// API-key mode: a Bedrock API key, sent to Bedrock Runtime as a bearer token. SigV4 options
/// (role options, session token, source credentials) do not exist in this mode.
#[derive(Debug)]
pub struct ApiKey {
    pub(crate) key: ApiKeySource,
}

/// Where API-key mode's key comes from.
#[derive(Debug, Clone)]
pub enum ApiKeySource {
    /// Given in code (or read from a configuration's secret source).
    Given(SecretString),
    /// `AWS_BEARER_TOKEN_BEDROCK`, read when the builder builds and again when the key changes.
    Environment,
}

/// What API-key mode holds once built.
#[derive(Debug, Clone)]
pub struct ApiKeyConfig {
    /// `None`: `AWS_BEARER_TOKEN_BEDROCK` was not set when the builder built; every call then
    /// fails with `no_credentials`, as environment mode does for its variables.
    pub(crate) key: Option<BearerKey>,
    /// Whether the key came from `AWS_BEARER_TOKEN_BEDROCK`.
    pub(crate) from_env: bool,
}

/// A Bedrock API key and what it says of itself, read when the builder builds (and again when
/// the manager reads its source again): a request needs its expiry, `validate()` its format,
/// region and expiry.
#[derive(Debug, Clone)]
pub struct BearerKey {
    /// The key as the SDK sends it: wiped on drop, redacted in `Debug`, shared by every
    /// request (none copies it again).
    pub(crate) token: aws_smithy_runtime_api::client::identity::http::Token,
    /// The key's parameters, or why it cannot be read (only Bedrock can judge such a key).
    pub(crate) info: Result<ApiKeyInfo, AuthError>,
}

impl BearerKey {
    /// The one place a Bedrock API key leaves its wrapper: into the SDK's token that sends it,
    /// and through the offline reading of its format.
    fn new(secret: SecretString) -> Self {
        let key = secret.expose_secret();
        Self {
            token: aws_smithy_runtime_api::client::identity::http::Token::new(key, None),
            info: ApiKeyInfo::parse(key),
        }
    }

    /// The problem of a key with a character an HTTP header cannot carry (the newline of a
    /// second line in its file, another control character, a character outside ASCII), which
    /// can never be sent, given as `field`. Never the value, nor the character: it is part of
    /// the secret.
    pub(crate) fn unsendable(&self, field: &'static str) -> Option<Problem> {
        let at = self
            .token
            .token()
            .bytes()
            .position(|b| !(b == b'\t' || (0x20..=0x7e).contains(&b)))?;
        let error = ValueError::without_value(ValueKind::ApiKey, Rule::InvalidChar { at });
        Some(Problem::new(field, error))
    }
}

/// Custom-source mode: credentials from a [`CredentialSource`](crate::custom::CredentialSource) of
/// your own, cached until shortly before they expire.
#[derive(Debug)]
pub struct CustomSource {
    pub(crate) provider: SourceProvider,
}

/// The credentials used to call STS when assuming a role.
#[derive(Debug, Clone)]
// Reachable only through the sealed source states' private trait (`IntoSource`): no path
// outside the crate names it, nor the token it holds.
#[allow(private_interfaces)]
pub enum Source {
    /// The standard default chain.
    Auto,
    /// A named profile.
    Profile(ProfileName),
    /// The three `AWS_*` credential variables.
    Environment,
    /// A static key pair.
    Static(StaticKeys),
    /// No source credentials: an OIDC token, for `AssumeRoleWithWebIdentity`.
    WebIdentity(WebIdentityToken),
}

/// What role mode holds once built.
#[derive(Debug, Clone)]
pub struct RoleConfig {
    pub(crate) role_arn: RoleArn,
    pub(crate) external_id: Option<ExternalId>,
    pub(crate) session_name: Option<SessionName>,
    pub(crate) duration: SessionDuration,
    pub(crate) mfa: Option<Mfa>,
    pub(crate) session: RoleSession,
    pub(crate) source: Source,
}

/// How a manager made from a configuration makes its mode again, reading the secret files and
/// variables the configuration names anew: for credentials that change underneath it.
#[derive(Clone)]
pub(crate) struct Remake {
    /// The secret files the configuration reads (checked for changes).
    pub(crate) files: Vec<std::path::PathBuf>,
    /// The mode, made again; or why the configuration no longer makes one.
    pub(crate) mode: std::sync::Arc<dyn Fn() -> Result<ModeConfig, AuthError> + Send + Sync>,
}

impl std::fmt::Debug for Remake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remake")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

/// A chosen and checked mode, as the manager holds it.
#[derive(Debug, Clone)]
pub enum ModeConfig {
    /// Profile mode.
    Profile(ProfileName),
    /// Environment mode.
    Environment,
    /// Static mode.
    Static(StaticKeys),
    /// Assume-role mode.
    AssumeRole(Box<RoleConfig>),
    /// Auto mode.
    Auto,
    /// Custom-source mode.
    Custom(SourceProvider),
    /// API-key mode.
    ApiKey(ApiKeyConfig),
}

// `pub` items in a private module: bounds of public traits that users can neither name nor
// implement (the sealed-trait pattern), so the capability traits below stay closed.
pub(crate) mod private {
    use super::*;

    pub trait Sealed {}

    /// Sealed apart from the modes: a role's source state is no mode.
    pub trait SourceSealed {}

    pub trait Finish {
        /// The checked mode, or `None` when a problem was recorded for it (before, or here
        /// with what only `build()` can see: the settings and the environment).
        fn finish(self, settings: &Settings, problems: &mut Vec<Problem>) -> Option<ModeConfig>;
    }

    /// A role's mode, its source in state `S`.
    pub trait RoleState<S: SourceState> {
        fn role(&mut self) -> &mut AssumeRole<S>;
    }

    /// What a role's source becomes when it is built; `None` when a problem was recorded.
    pub trait IntoSource {
        fn into_source(self) -> Option<Source>;
    }

    /// `Self` after an option that only a signed `AssumeRole` takes is `Next`: a role that
    /// wants a source then wants one that signs; any other state stays as it is.
    pub trait AfterSigning<Next> {
        fn after_signing(self) -> Next;
    }

    /// `Self` with its role's source chosen (in state `S`) is `Next`; any other state stays as
    /// it is.
    pub trait WithSource<S, Next> {
        fn with_source(self, source: S) -> Next;
    }

    /// A source key pair, which takes its session token.
    pub trait StaticSourceState {
        fn keys(&mut self) -> &mut Option<StaticKeys>;
    }

    pub trait StaticState {
        fn static_keys(&mut self) -> &mut StaticCredentials;
    }
}

/// Any state of the builder. Sealed.
pub trait ModeState: private::Sealed {}

/// A state in which a mode can still be chosen: only [`WantsMode`]. Sealed.
#[diagnostic::on_unimplemented(
    message = "an authentication mode is already chosen (`{Self}`); a builder takes exactly one",
    label = "second mode chosen here",
    note = "keep one of `.profile(..)`, `.environment()`, `.static_credentials(..)`, `.assume_role(..)`, `.auto()`, `.credential_source(..)`, `.api_key(..)`; for source credentials of a role use `.source_profile(..)`, `.source_environment()` or `.source_static(..)`"
)]
pub trait NoModeYet: ModeState {}

/// A state with a mode chosen, ready to [`build`](crate::AuthBuilder::build). Sealed.
#[diagnostic::on_unimplemented(
    message = "no authentication mode chosen: `build()` needs one",
    label = "`build()` called before a mode was chosen",
    note = "call one of `.profile(name)`, `.environment()`, `.static_credentials(key_id, secret)`, `.assume_role(role_arn)`, `.auto()`, `.credential_source(source)` or `.api_key(key)` before `.build()`"
)]
pub trait ModeChosen: ModeState + private::Finish {}

/// A state that takes a session token: only [`StaticCredentials`]. Sealed.
#[diagnostic::on_unimplemented(
    message = "`session_token` belongs to static credentials, but this builder is in `{Self}` mode",
    label = "only available after `.static_credentials(key_id, secret)`",
    note = "a session token completes a static key pair: call `.static_credentials(key_id, secret)` first; other modes get their token from their own source, and an API key (`ApiKey` mode) needs none"
)]
pub trait TakesSessionToken: ModeState + private::StaticState {}

// A role's option or source in another state is refused by `TakesRoleOptions`; the state stays
// as it is (`AfterSigning`, `WithSource`), so that one wrong call is one compile error.
macro_rules! states {
    ($($state:ident),*) => {
        $(
            impl private::Sealed for $state {}
            impl ModeState for $state {}
            impl private::AfterSigning<$state> for $state {
                fn after_signing(self) -> Self {
                    self
                }
            }
            impl<S> private::WithSource<S, $state> for $state {
                fn with_source(self, _: S) -> Self {
                    self
                }
            }
        )*
    };
}
states!(
    WantsMode,
    Profile,
    Environment,
    StaticCredentials,
    Auto,
    CustomSource,
    ApiKey
);

impl NoModeYet for WantsMode {}

impl ModeChosen for Profile {}
impl private::Finish for Profile {
    fn finish(self, _: &Settings, _: &mut Vec<Problem>) -> Option<ModeConfig> {
        self.name.map(ModeConfig::Profile)
    }
}

impl ModeChosen for Environment {}
impl private::Finish for Environment {
    fn finish(self, _: &Settings, _: &mut Vec<Problem>) -> Option<ModeConfig> {
        Some(ModeConfig::Environment)
    }
}

impl ModeChosen for StaticCredentials {}
impl private::Finish for StaticCredentials {
    fn finish(self, _: &Settings, _: &mut Vec<Problem>) -> Option<ModeConfig> {
        self.keys.map(ModeConfig::Static)
    }
}
impl TakesSessionToken for StaticCredentials {}
impl private::StaticState for StaticCredentials {
    fn static_keys(&mut self) -> &mut StaticCredentials {
        self
    }
}

impl ModeChosen for Auto {}
impl private::Finish for Auto {
    fn finish(self, _: &Settings, _: &mut Vec<Problem>) -> Option<ModeConfig> {
        Some(ModeConfig::Auto)
    }
}

impl ModeChosen for CustomSource {}
impl private::Finish for CustomSource {
    fn finish(self, _: &Settings, _: &mut Vec<Problem>) -> Option<ModeConfig> {
        Some(ModeConfig::Custom(self.provider))
    }
}

impl ModeChosen for ApiKey {}
impl private::Finish for ApiKey {
    fn finish(self, settings: &Settings, problems: &mut Vec<Problem>) -> Option<ModeConfig> {
        api_key_mode(self.key, settings, problems)
    }
}

/// A bearer key's endpoint that is plain HTTP (to this machine: any other is refused by
/// itself) reached through a proxy that is not on this machine: the key would travel to the
/// proxy in the clear. The endpoint is the builder's, else `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`
/// or `AWS_ENDPOINT_URL`; a profile's `endpoint_url` is known only when the files are read, and
/// is refused by the client's connector then.
fn bearer_route_problem(settings: &Settings) -> Option<Problem> {
    if settings.shared.is_some() || settings.os.http.is_some() {
        // Another client's route: its connector decides.
        return None;
    }
    let given = settings.endpoint_url.as_ref().map(|url| url.as_str());
    let clear = crate::proxy::clear_bearer_route(&settings.os, &settings.proxy, given)?;
    let error = ValueError::new(
        ValueKind::EndpointUrl,
        &clear.endpoint,
        Rule::BearerThroughProxy,
    );
    Some(Problem::new(clear.source, error))
}

/// The variable that holds a Bedrock API key, as the SDK reads it.
pub(crate) const BEARER_TOKEN_VAR: &str = "AWS_BEARER_TOKEN_BEDROCK";

/// API-key mode's key, read from the environment if so asked, and its endpoint checked: a
/// bearer key travels over HTTPS, or plain HTTP to this machine only.
pub(crate) fn api_key_mode(
    source: ApiKeySource,
    settings: &Settings,
    problems: &mut Vec<Problem>,
) -> Option<ModeConfig> {
    if let Some(url) = &settings.endpoint_url
        && !url.is_safe_for_bearer()
    {
        let error = ValueError::new(ValueKind::EndpointUrl, url.as_str(), Rule::BearerOverHttp);
        problems.push(Problem::new("endpoint_url", error));
    }
    if let Some(problem) = bearer_route_problem(settings) {
        problems.push(problem);
    }
    let (key, from_env) = match source {
        ApiKeySource::Given(key) => (Some(BearerKey::new(key)), false),
        // Missing is not a configuration error: like environment mode's variables, it is
        // `no_credentials` when a call needs the key.
        ApiKeySource::Environment => (env_key(&settings.os), true),
    };
    if let Some(key) = &key {
        let field = if from_env {
            BEARER_TOKEN_VAR
        } else {
            "api_key"
        };
        problems.extend(key.unsendable(field));
    }
    Some(ModeConfig::ApiKey(ApiKeyConfig { key, from_env }))
}

/// The key in `AWS_BEARER_TOKEN_BEDROCK` of `os`, trimmed (the copy read is wiped); `None`
/// when the variable is not set.
pub(crate) fn env_key(os: &crate::os::Os) -> Option<BearerKey> {
    let mut key = os.var(BEARER_TOKEN_VAR)?;
    let secret = SecretString::from(key.trim());
    key.zeroize();
    Some(BearerKey::new(secret))
}
