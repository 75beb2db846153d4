//! Turning a checked mode into an `SdkConfig`: the region, and a credentials provider per mode,
//! built on aws-config's own providers (plus STS `AssumeRole` for role mode, which aws-config's
//! `AssumeRoleProvider` cannot do with MFA).

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_types::os_shim_internal::{Env, Fs};
use secrecy::ExposeSecret;

use crate::auth_error::{AuthError, Call, ErrorKind, classify};
use crate::manager::{ModeKind, Settings};
use crate::mode::{ModeConfig, RoleConfig, Source, StaticKeys};
use crate::values::{ProfileName, Region};

/// How long a failed role assumption is shared with callers that come right after it, so a
/// crowd of tasks on a refused role makes one STS call, not one each.
const FAILURE_SHARING: Duration = Duration::from_secs(1);

/// Loads the SDK configuration for `mode`: resolves the region, builds the credentials
/// provider, applies endpoint, timeouts and retries. Reads files and the environment; sends
/// nothing.
pub(crate) async fn load_sdk_config(
    mode: &ModeConfig,
    settings: &Settings,
    http: SharedHttpClient,
) -> Result<SdkConfig, AuthError> {
    let env = Env::real();
    let fs = Fs::real();
    let kind = mode_kind(mode);

    // The profile whose settings apply: the named one (profile mode, role source), else the
    // selected default for the modes that use the default chain.
    let profile = match mode {
        ModeConfig::Profile(name) => Some((name.as_str().to_owned(), true)),
        ModeConfig::AssumeRole(role) => match &role.source {
            Source::Profile(name) => Some((name.as_str().to_owned(), true)),
            Source::Auto => Some((selected_profile(&env), false)),
            _ => None,
        },
        ModeConfig::Auto => Some((selected_profile(&env), false)),
        ModeConfig::Environment | ModeConfig::Static(_) | ModeConfig::Custom(_) => None,
    };
    let profile_region = match &profile {
        Some((name, must_exist)) => profile_region(&fs, &env, name, *must_exist).await?,
        None => None,
    };
    let region = resolve_region(kind, settings, &env, profile_region)?;
    tracing::debug!(mode = %kind, region = %region, "loading AWS SDK configuration");

    let timeouts = TimeoutConfig::builder()
        .connect_timeout(settings.connect_timeout)
        .operation_timeout(settings.operation_timeout)
        .build();
    let retries = RetryConfig::standard().with_max_attempts(settings.max_attempts);
    let provider_config = ProviderConfig::default()
        .with_http_client(http.clone())
        .with_region(Some(region.clone().into()))
        .with_timeout_config(timeouts.clone())
        .with_retry_config(retries.clone());

    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::from(region.clone()))
        .http_client(http)
        .timeout_config(timeouts)
        .retry_config(retries);
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url.as_str());
    }

    let source = match mode {
        ModeConfig::Profile(name) => {
            loader = loader.profile_name(name.as_str());
            Some(profile_provider(name, &provider_config))
        }
        ModeConfig::Environment => Some(SharedCredentialsProvider::new(EnvironmentOnly)),
        ModeConfig::Static(keys) => Some(static_provider(keys, "bedrock-auth-static")),
        ModeConfig::AssumeRole(role) => match &role.source {
            Source::Auto => None,
            Source::Profile(name) => Some(profile_provider(name, &provider_config)),
            Source::Environment => Some(SharedCredentialsProvider::new(EnvironmentOnly)),
            Source::Static(keys) => Some(static_provider(keys, "bedrock-auth-role-source")),
        },
        ModeConfig::Auto => None,
        ModeConfig::Custom(provider) => {
            // The provider caches, so that a forced refresh can reach the cache.
            loader = loader.identity_cache(aws_config::identity::IdentityCache::no_cache());
            Some(SharedCredentialsProvider::new(provider.clone()))
        }
    };
    if let Some(source) = source {
        loader = loader.credentials_provider(source);
    }
    let base = loader.load().await;

    Ok(match mode {
        ModeConfig::AssumeRole(role) => {
            let provider = RoleProvider::new(&base, role, settings);
            base.into_builder()
                .credentials_provider(SharedCredentialsProvider::new(provider))
                .build()
        }
        _ => base,
    })
}

pub(crate) fn mode_kind(mode: &ModeConfig) -> ModeKind {
    match mode {
        ModeConfig::Profile(_) => ModeKind::Profile,
        ModeConfig::Environment => ModeKind::Environment,
        ModeConfig::Static(_) => ModeKind::Static,
        ModeConfig::AssumeRole(_) => ModeKind::AssumeRole,
        ModeConfig::Auto => ModeKind::Auto,
        ModeConfig::Custom(_) => ModeKind::Custom,
    }
}

fn selected_profile(env: &Env) -> String {
    env.get("AWS_PROFILE")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "default".to_owned())
}

/// The profile's `region`, after checking that a profile that must exist does; its absence is
/// an error that lists the profiles that do exist.
async fn profile_region(
    fs: &Fs,
    env: &Env,
    name: &str,
    must_exist: bool,
) -> Result<Option<String>, AuthError> {
    let profiles = aws_config::profile::load(
        fs,
        env,
        &EnvConfigFiles::default(),
        Some(Cow::Owned(name.to_owned())),
    )
    .await;
    let profiles = match profiles {
        Ok(profiles) => profiles,
        Err(err) if must_exist => {
            return Err(AuthError::new(
                ErrorKind::InvalidConfig,
                format!("cannot read the shared config files: {err}"),
                "fix the file named in the message, or AWS_CONFIG_FILE / \
                 AWS_SHARED_CREDENTIALS_FILE",
            ));
        }
        // The default chain copes without files; so do we.
        Err(_) => return Ok(None),
    };
    match profiles.get_profile(name) {
        Some(profile) => Ok(profile.get("region").map(str::to_owned)),
        None if must_exist => {
            let mut available: Vec<String> = profiles.profiles().map(str::to_owned).collect();
            available.sort();
            Err(AuthError::profile_not_found(name, available))
        }
        None => Ok(None),
    }
}

/// The explicit region; else, in profile mode, the profile's; else `AWS_REGION` /
/// `AWS_DEFAULT_REGION`; else, in the default-chain modes, the selected profile's. No instance
/// metadata lookup: that costs seconds off EC2.
fn resolve_region(
    mode: ModeKind,
    settings: &Settings,
    env: &Env,
    profile_region: Option<String>,
) -> Result<Region, AuthError> {
    if let Some(region) = &settings.region {
        return Ok(region.clone());
    }
    let from_env = ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .find_map(|var| Some((var, env.get(var).ok().filter(|v| !v.trim().is_empty())?)));
    let from_profile = profile_region.map(|r| ("the profile's `region`", r));
    let found = if mode == ModeKind::Profile {
        from_profile.or(from_env)
    } else {
        from_env.or(from_profile)
    };
    let (source, name) = found.ok_or_else(AuthError::no_region)?;
    name.trim().parse().map_err(|err| {
        AuthError::new(
            ErrorKind::InvalidConfig,
            format!("{source}: {err}"),
            "set a valid region, such as us-east-1",
        )
    })
}

fn profile_provider(name: &ProfileName, config: &ProviderConfig) -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(
        ProfileFileCredentialsProvider::builder()
            .profile_name(name.as_str())
            .configure(config)
            .build(),
    )
}

fn static_provider(keys: &StaticKeys, source: &'static str) -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(keys.to_sdk(None, source))
}

/// The three `AWS_*` credential variables and nothing else, naming the variable that is
/// missing.
#[derive(Debug)]
struct EnvironmentOnly;

impl ProvideCredentials for EnvironmentOnly {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async {
            let env = Env::real();
            for var in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
                if env.get(var).map_or(true, |v| v.trim().is_empty()) {
                    let err = AuthError::no_credentials(
                        ModeKind::Environment,
                        format!("{var} is not set"),
                    );
                    return Err(CredentialsError::not_loaded(err));
                }
            }
            EnvironmentVariableCredentialsProvider::new()
                .provide_credentials()
                .await
        })
    }
}

/// STS `AssumeRole` with the source credentials of the base config, MFA included. Failures are
/// shared: callers waiting while a call fails, or arriving within [`FAILURE_SHARING`] after, get
/// that call's error instead of making their own.
struct RoleProvider {
    sts: aws_sdk_sts::Client,
    role: RoleConfig,
    session_name: String,
    endpoint: String,
    last: tokio::sync::Mutex<Option<(Instant, Result<Credentials, AuthError>)>>,
}

impl RoleProvider {
    fn new(base: &SdkConfig, role: &RoleConfig, settings: &Settings) -> Self {
        let session_name = match &role.session_name {
            Some(name) => name.as_str().to_owned(),
            None => {
                let secs = SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs();
                format!("bedrock-auth-{secs}")
            }
        };
        let endpoint = settings
            .endpoint_url
            .as_ref()
            .map(|u| u.as_str().to_owned())
            .unwrap_or_else(|| "STS".to_owned());
        Self {
            sts: aws_sdk_sts::Client::new(base),
            role: role.clone(),
            session_name,
            endpoint,
            last: tokio::sync::Mutex::new(None),
        }
    }

    async fn credentials(&self) -> Result<Credentials, AuthError> {
        let arrived = Instant::now();
        let mut last = self.last.lock().await;
        if let Some((at, result)) = &*last {
            let fresh = *at >= arrived;
            let recent_failure = result.is_err() && at.elapsed() < FAILURE_SHARING;
            if fresh || recent_failure {
                return result.clone();
            }
        }
        let result = self.assume().await;
        *last = Some((Instant::now(), result.clone()));
        result
    }

    async fn assume(&self) -> Result<Credentials, AuthError> {
        let role_arn = self.role.role_arn.as_str();
        let mut request = self
            .sts
            .assume_role()
            .role_arn(role_arn)
            .role_session_name(&self.session_name)
            .duration_seconds(self.role.duration.as_secs() as i32);
        if let Some(external_id) = &self.role.external_id {
            request = request.external_id(external_id.expose());
        }
        if let Some(mfa) = &self.role.mfa {
            let code = mfa.token_source.token_code().await.map_err(|err| {
                AuthError::new(
                    ErrorKind::NoCredentials,
                    format!("the MFA token source for {} failed: {err}", mfa.serial),
                    "check the MFA token source passed to `.mfa(..)`",
                )
            })?;
            request = request
                .serial_number(mfa.serial.as_str())
                .token_code(code.expose_secret());
        }
        tracing::debug!(role = role_arn, session = %self.session_name, "calling STS AssumeRole");
        let output = request.send().await.map_err(|err| {
            let call = Call {
                operation: "STS AssumeRole",
                mode: ModeKind::AssumeRole,
                role: Some(role_arn),
                endpoint: Some(&self.endpoint),
            };
            classify(&err, call)
        })?;
        let creds = output.credentials().ok_or_else(|| {
            AuthError::new(
                ErrorKind::Service,
                "STS AssumeRole answered without credentials",
                "check that the endpoint is STS",
            )
        })?;
        let expiry = SystemTime::try_from(*creds.expiration()).ok();
        tracing::debug!(
            role = role_arn,
            access_key_id = creds.access_key_id(),
            "assumed role"
        );
        Ok(Credentials::new(
            creds.access_key_id(),
            creds.secret_access_key(),
            Some(creds.session_token().to_owned()),
            expiry,
            "bedrock-auth-assume-role",
        ))
    }
}

impl ProvideCredentials for RoleProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async {
            self.credentials()
                .await
                .map_err(CredentialsError::provider_error)
        })
    }
}

impl fmt::Debug for RoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoleProvider")
            .field("role", &self.role)
            .field("session_name", &self.session_name)
            .finish_non_exhaustive()
    }
}
