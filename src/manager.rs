//! [`AuthManager`], the validated result of the builder, and [`AuthInfo`], what it holds
//! without its secrets.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::builder::AuthBuilder;
use crate::mode::{ModeConfig, Source, WantsMode};
use crate::values::{
    AccessKeyId, EndpointUrl, MfaSerial, ProfileName, Region, RoleArn, SessionDuration, SessionName,
};

/// How long to wait for a connection unless the builder says otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// How long one operation, retries included, may take unless the builder says otherwise.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

/// Settings that apply in every mode.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) region: Option<Region>,
    pub(crate) endpoint_url: Option<EndpointUrl>,
    pub(crate) connect_timeout: Duration,
    pub(crate) operation_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            region: None,
            endpoint_url: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
        }
    }
}

/// A checked authentication configuration for AWS Bedrock.
///
/// Made by [`AuthManager::builder()`]; cheap to clone (one `Arc`) and safe to share across
/// tasks and threads. Building one does no network I/O.
///
/// ```
/// use bedrock_auth::{AuthManager, ModeKind};
///
/// let manager = AuthManager::builder().region("eu-west-1").profile("bedrock").build()?;
/// let info = manager.info();
/// assert_eq!(info.mode, ModeKind::Profile);
/// assert_eq!(info.profile.unwrap().as_str(), "bedrock");
/// # Ok::<(), bedrock_auth::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct AuthManager {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    mode: ModeConfig,
    settings: Settings,
}

impl AuthManager {
    /// A builder with no mode chosen yet.
    pub fn builder() -> AuthBuilder<WantsMode> {
        AuthBuilder::new()
    }

    pub(crate) fn new(mode: ModeConfig, settings: Settings) -> Self {
        Self {
            inner: Arc::new(Inner { mode, settings }),
        }
    }

    /// What is configured: mode, region, profile, role and its options, and whether secrets
    /// are set, never the secrets themselves.
    pub fn info(&self) -> AuthInfo {
        let Inner { mode, settings } = &*self.inner;
        let mut info = AuthInfo {
            mode: ModeKind::Auto,
            region: settings.region.clone(),
            profile: None,
            access_key_id: None,
            session_token_set: false,
            role_arn: None,
            session_name: None,
            duration: None,
            external_id_set: false,
            mfa_serial: None,
            source: None,
            endpoint_url: settings.endpoint_url.clone(),
            connect_timeout: settings.connect_timeout,
            operation_timeout: settings.operation_timeout,
        };
        match mode {
            ModeConfig::Profile(name) => {
                info.mode = ModeKind::Profile;
                info.profile = Some(name.clone());
            }
            ModeConfig::Environment => info.mode = ModeKind::Environment,
            ModeConfig::Static(keys) => {
                info.mode = ModeKind::Static;
                info.access_key_id = Some(keys.access_key_id.clone());
                info.session_token_set = keys.session_token.is_some();
            }
            ModeConfig::AssumeRole(role) => {
                info.mode = ModeKind::AssumeRole;
                info.role_arn = Some(role.role_arn.clone());
                info.session_name = role.session_name.clone();
                info.duration = Some(role.duration);
                info.external_id_set = role.external_id.is_some();
                info.mfa_serial = role.mfa.as_ref().map(|mfa| mfa.serial.clone());
                info.source = Some(match &role.source {
                    Source::Auto => SourceInfo::Auto,
                    Source::Profile(name) => SourceInfo::Profile(name.clone()),
                    Source::Environment => SourceInfo::Environment,
                    Source::Static(keys) => SourceInfo::Static(keys.access_key_id.clone()),
                });
            }
            ModeConfig::Auto => info.mode = ModeKind::Auto,
        }
        info
    }
}

impl fmt::Debug for AuthManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthManager")
            .field("mode", &self.inner.mode)
            .field("settings", &self.inner.settings)
            .finish()
    }
}

/// The five authentication modes.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModeKind {
    /// A named profile.
    Profile,
    /// The `AWS_*` credential variables only.
    Environment,
    /// A key pair given in code.
    Static,
    /// STS `AssumeRole`.
    AssumeRole,
    /// The default credential chain.
    Auto,
}

impl ModeKind {
    /// The name used in configuration files: `profile`, `environment`, `static`,
    /// `assume_role`, `auto`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Profile => "profile",
            Self::Environment => "environment",
            Self::Static => "static",
            Self::AssumeRole => "assume_role",
            Self::Auto => "auto",
        }
    }
}

impl fmt::Display for ModeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which credentials an assumed role is requested with.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceInfo {
    /// The default chain.
    Auto,
    /// A named profile.
    Profile(ProfileName),
    /// The `AWS_*` credential variables.
    Environment,
    /// A static key pair with this access key id.
    Static(AccessKeyId),
}

impl fmt::Display for SourceInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Auto => f.write_str("default chain"),
            Self::Profile(name) => write!(f, "profile {name}"),
            Self::Environment => f.write_str("environment"),
            Self::Static(id) => write!(f, "static key {id}"),
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
    /// The source credentials (assume-role mode).
    pub source: Option<SourceInfo>,
    /// The endpoint override, if any.
    pub endpoint_url: Option<EndpointUrl>,
    /// The connect timeout.
    pub connect_timeout: Duration,
    /// The operation timeout.
    pub operation_timeout: Duration,
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
            None => line(f, "region:", "from profile or AWS_REGION")?,
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
            if let Some(source) = &self.source {
                line(f, "source:", source)?;
            }
        }
        if let Some(url) = &self.endpoint_url {
            line(f, "endpoint:", url)?;
        }
        line(
            f,
            "timeouts:",
            format_args!(
                "connect {:?}, operation {:?}",
                self.connect_timeout, self.operation_timeout
            ),
        )
    }
}
