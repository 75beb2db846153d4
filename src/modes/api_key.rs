//! API-key mode: a Bedrock API key, sent as a bearer token; what it holds, and the checks of
//! its key and route when it is built. Its builder methods are `api_key/builder.rs`, its source
//! (the key's cache, read again when it changes) `api_key/source.rs`, its key
//! `api_key/config.rs`. Short-term keys and what a key says of itself are `crate::api_key`.

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroize;

use super::{ModeChosen, ModeConfig, private};
use crate::api_key::ApiKeyInfo;
use crate::error::{AuthError, Problem, Rule, ValueError, ValueKind};
use crate::settings::Settings;

pub(crate) mod builder;
pub(crate) mod config;
pub(crate) mod source;

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
