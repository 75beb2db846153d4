//! What a manager reports: [`AuthInfo`] (what it is configured with, without its secrets),
//! [`CallerIdentity`] (who its credentials belong to), [`BedrockAuth`] and [`RoleSource`].

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::api_key::ApiKeyInfo;
use crate::mode_kind::ModeKind;
use crate::modes::{ModeConfig, Source};
use crate::values::{
    AccessKeyId, EndpointUrl, MfaSerial, PolicyArn, ProfileName, Region, RoleArn, SessionDuration,
    SessionName, SessionTag, SourceIdentity, TagKey,
};
use crate::web_identity::WebIdentityToken;

use super::{AuthManager, Inner};

impl AuthManager {
    /// What is configured: mode, region, profile, role and its options, and whether secrets
    /// are set, never the secrets themselves.
    pub fn info(&self) -> AuthInfo {
        let Inner { mode, settings, .. } = &*self.inner;
        let mut info = AuthInfo {
            mode: mode.kind(),
            region: settings.region.clone(),
            profile: None,
            access_key_id: None,
            session_token_set: false,
            role_arn: None,
            session_name: None,
            duration: None,
            external_id_set: false,
            mfa_serial: None,
            session_tags: Vec::new(),
            transitive_tag_keys: Vec::new(),
            session_policy_set: false,
            policy_arns: Vec::new(),
            source_identity: None,
            source: None,
            endpoint_url: settings.endpoint_url.clone(),
            bedrock_auth: self.bedrock_auth(),
            connect_timeout: settings.connect_timeout,
            operation_timeout: settings.operation_timeout,
            max_attempts: settings.max_attempts,
            credentials_expire_at: None,
        };
        match mode {
            ModeConfig::Profile(name) => {
                info.profile = Some(name.clone());
            }
            ModeConfig::Environment => {
                info.credentials_expire_at = crate::sources::environment_expiry(&settings.os);
            }
            ModeConfig::Static(keys) => {
                info.access_key_id = Some(keys.access_key_id.clone());
                info.session_token_set = keys.session_token.is_some();
            }
            ModeConfig::AssumeRole(role) => {
                info.role_arn = Some(role.role_arn.clone());
                info.session_name = role.session_name.clone();
                info.duration = Some(role.duration);
                info.external_id_set = role.external_id.is_some();
                info.mfa_serial = role.mfa.as_ref().map(|mfa| mfa.serial.clone());
                info.session_tags = role.session.tags.clone();
                info.transitive_tag_keys = role.session.transitive_tag_keys.clone();
                info.session_policy_set = role.session.policy.is_some();
                info.policy_arns = role.session.policy_arns.clone();
                info.source_identity = role.session.source_identity.clone();
                info.source = Some(match &role.source {
                    Source::Auto => RoleSource::Auto,
                    Source::Profile(name) => RoleSource::Profile(name.clone()),
                    Source::Environment => RoleSource::Environment,
                    Source::Static(keys) => RoleSource::Static(keys.access_key_id.clone()),
                    Source::WebIdentity(token) => RoleSource::WebIdentity(match token {
                        WebIdentityToken::File(path) => Some(path.clone()),
                        WebIdentityToken::Provider(_) => None,
                    }),
                });
            }
            ModeConfig::Auto | ModeConfig::Custom(_) | ModeConfig::ApiKey(_) => {}
        }
        info
    }
}

/// Who the credentials belong to, as STS `GetCallerIdentity` reports it.
///
/// Serializes as `account`, `arn`, `user_id`, or `api_key` in API-key mode (empty fields are
/// left out).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CallerIdentity {
    /// The 12-digit account id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub account: String,
    /// The principal's ARN, e.g. `arn:aws:sts::123456789012:assumed-role/Role/session`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub arn: String,
    /// The principal's unique id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user_id: String,
    /// In API-key mode, what the key is (Bedrock does not say whose it is, so the fields above
    /// are empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<ApiKeyInfo>,
}

impl fmt::Display for CallerIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.api_key {
            Some(key) => write!(f, "{key}"),
            None => write!(f, "{} (account {})", self.arn, self.account),
        }
    }
}

/// How a manager's Bedrock Runtime calls authenticate.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BedrockAuth {
    /// SigV4 signatures with the mode's credentials.
    SigV4,
    /// A Bedrock API key as a bearer token.
    ApiKey {
        /// Whether the key comes from `AWS_BEARER_TOKEN_BEDROCK`.
        from_env: bool,
    },
}

impl fmt::Display for BedrockAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SigV4 => "SigV4",
            Self::ApiKey { from_env: true } => "API key from AWS_BEARER_TOKEN_BEDROCK",
            Self::ApiKey { from_env: false } => "API key",
        })
    }
}

serialize_as_display!(BedrockAuth);

/// Which credentials an assumed role is requested with.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleSource {
    /// The default chain.
    Auto,
    /// A named profile.
    Profile(ProfileName),
    /// The `AWS_*` credential variables.
    Environment,
    /// A static key pair with this access key id.
    Static(AccessKeyId),
    /// A web identity (OIDC) token, from this file or, `None`, from a provider of the
    /// program's own: `AssumeRoleWithWebIdentity`.
    WebIdentity(Option<std::path::PathBuf>),
}

impl fmt::Display for RoleSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Auto => f.write_str("default chain"),
            Self::Profile(name) => write!(f, "profile {name}"),
            Self::Environment => f.write_str("environment"),
            Self::Static(id) => write!(f, "static key {id}"),
            Self::WebIdentity(Some(path)) => {
                write!(f, "web identity token file {}", path.display())
            }
            Self::WebIdentity(None) => f.write_str("web identity token (the program's provider)"),
        }
    }
}

/// What an [`AuthManager`] is configured with. Holds no secret: only whether a session token,
/// an external id or MFA is set.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthInfo {
    /// The mode.
    pub mode: ModeKind,
    /// The explicit region, if any.
    pub region: Option<Region>,
    /// The profile (profile mode).
    pub profile: Option<ProfileName>,
    /// The access key id (static mode).
    pub access_key_id: Option<AccessKeyId>,
    /// Whether a session token is set (static mode).
    pub session_token_set: bool,
    /// The role (assume-role mode).
    pub role_arn: Option<RoleArn>,
    /// The role session name, if given (assume-role mode).
    pub session_name: Option<SessionName>,
    /// The role session duration (assume-role mode).
    pub duration: Option<SessionDuration>,
    /// Whether an external id is set (assume-role mode).
    pub external_id_set: bool,
    /// The MFA device, if MFA is set (assume-role mode).
    pub mfa_serial: Option<MfaSerial>,
    /// The session tags (assume-role mode).
    pub session_tags: Vec<SessionTag>,
    /// The keys of the session tags that pass on to chained sessions (assume-role mode).
    pub transitive_tag_keys: Vec<TagKey>,
    /// Whether an inline session policy is set (assume-role mode).
    pub session_policy_set: bool,
    /// The managed policies that scope the session down (assume-role mode).
    pub policy_arns: Vec<PolicyArn>,
    /// The source identity (assume-role mode).
    pub source_identity: Option<SourceIdentity>,
    /// The source credentials (assume-role mode).
    pub source: Option<RoleSource>,
    /// The endpoint override, if any.
    pub endpoint_url: Option<EndpointUrl>,
    /// How Bedrock Runtime calls authenticate: SigV4, or an API key (API-key mode; auto mode
    /// when `AWS_BEARER_TOKEN_BEDROCK` is set, as in the SDK).
    pub bedrock_auth: BedrockAuth,
    /// The connect timeout.
    pub connect_timeout: Duration,
    /// The operation timeout.
    pub operation_timeout: Duration,
    /// How many times a request is tried in all.
    pub max_attempts: u32,
    /// When the credentials the manager was given say they expire: environment mode's
    /// `AWS_CREDENTIAL_EXPIRATION`. Credentials a mode fetches itself expire when
    /// [`health()`](AuthManager::health) says (`credentials_expire_at`).
    pub credentials_expire_at: Option<SystemTime>,
}

impl AuthInfo {
    /// The role session's tags, scope-down policies and source identity, where set.
    fn fmt_session(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let joined = |items: Vec<String>| items.join(", ");
        if !self.session_tags.is_empty() {
            let tags = joined(self.session_tags.iter().map(ToString::to_string).collect());
            write!(f, "\n{:<18}{tags}", "session tags:")?;
        }
        if !self.transitive_tag_keys.is_empty() {
            let keys = joined(
                self.transitive_tag_keys
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            );
            write!(f, "\n{:<18}{keys}", "transitive tags:")?;
        }
        if self.session_policy_set {
            write!(f, "\n{:<18}set", "session policy:")?;
        }
        if !self.policy_arns.is_empty() {
            let arns = joined(self.policy_arns.iter().map(ToString::to_string).collect());
            write!(f, "\n{:<18}{arns}", "policy ARNs:")?;
        }
        if let Some(identity) = &self.source_identity {
            write!(f, "\n{:<18}{identity}", "source identity:")?;
        }
        Ok(())
    }
}

impl fmt::Display for AuthInfo {
    /// A short report, one `key: value` line per setting that applies.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn line(f: &mut fmt::Formatter<'_>, key: &str, value: impl fmt::Display) -> fmt::Result {
            write!(f, "\n{key:<18}{value}")
        }
        fn yes_no(set: bool) -> &'static str {
            if set { "set" } else { "not set" }
        }
        write!(f, "{:<18}{}", "mode:", self.mode)?;
        match &self.region {
            Some(region) => line(f, "region:", region)?,
            None => line(f, "region:", "from AWS_REGION or the profile")?,
        }
        if let Some(profile) = &self.profile {
            line(f, "profile:", profile)?;
        }
        if let Some(id) = &self.access_key_id {
            line(f, "access key id:", id)?;
            line(f, "session token:", yes_no(self.session_token_set))?;
        }
        if let Some(role) = &self.role_arn {
            line(f, "role:", role)?;
            match &self.session_name {
                Some(name) => line(f, "session name:", name)?,
                None => line(f, "session name:", "default")?,
            }
            if let Some(duration) = self.duration {
                line(f, "duration:", duration)?;
            }
            line(f, "external id:", yes_no(self.external_id_set))?;
            match &self.mfa_serial {
                Some(serial) => line(f, "mfa:", serial)?,
                None => line(f, "mfa:", "not set")?,
            }
            self.fmt_session(f)?;
            if let Some(source) = &self.source {
                line(f, "source:", source)?;
            }
        }
        if let Some(at) = self.credentials_expire_at {
            line(f, "expires:", crate::time::rfc3339(at))?;
        }
        if let Some(url) = &self.endpoint_url {
            line(f, "endpoint:", url)?;
        }
        line(f, "bedrock auth:", self.bedrock_auth)?;
        if self.mode == ModeKind::Auto && self.bedrock_auth != BedrockAuth::SigV4 {
            line(
                f,
                "note:",
                "AWS_BEARER_TOKEN_BEDROCK is set: Bedrock calls use that API key, as the SDK does",
            )?;
        }
        line(
            f,
            "timeouts:",
            format_args!(
                "connect {:?}, operation {:?}",
                self.connect_timeout, self.operation_timeout
            ),
        )?;
        line(f, "attempts:", self.max_attempts)
    }
}
