//! Turning a checked mode into an `SdkConfig`: the region, and a credentials provider per mode,
//! built on aws-config's own providers (plus STS `AssumeRole` for role mode, which aws-config's
//! `AssumeRoleProvider` cannot do with MFA).

use std::borrow::Cow;
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_smithy_async::rt::sleep::{SharedAsyncSleep, default_async_sleep};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_types::service_config::{LoadServiceConfig, ServiceConfigKey};
use secrecy::ExposeSecret;

use crate::auth_error::{AuthError, Call, ErrorKind, classify, read_credentials_error};
use crate::bounded::{Bounded, Watch, Watches};
use crate::endpoint_guard::{AnswerLimit, EndpointGuard};
use crate::error::{Rule, ValueError, ValueKind};
use crate::metadata;
use crate::mode::{ModeConfig, RoleConfig, Source};
use crate::mode_kind::ModeKind;
use crate::monitor::{Monitor, Watcher};
use crate::os::{FileTrouble, Os, SHARED_FILE_LIMIT};
use crate::quiet_logs::quieted;
use crate::settings::Settings;
use crate::shared::regional_retry_partition;
use crate::static_keys::StaticKeys;
use crate::time::unix_secs;
use crate::values::{ProfileName, Region};

/// How long a failed role assumption is shared with callers that come right after it, so a
/// crowd of tasks on a refused role makes one STS call, not one each.
const FAILURE_SHARING: Duration = Duration::from_secs(1);

/// Loads the SDK configuration for `mode`: resolves the region, builds the credentials
/// provider, applies endpoint, timeouts and retries. Reads files and the environment; sends
/// nothing. Every credential source that can hang is bounded by the operation timeout and
/// watched in `watches`.
pub(crate) async fn load_sdk_config(
    mode: &ModeConfig,
    settings: &Settings,
    http: SharedHttpClient,
    watches: &Arc<Watches>,
    monitor: &Arc<Monitor>,
) -> Result<SdkConfig, AuthError> {
    let os = &settings.os;
    let kind = mode_kind(mode);
    // aws-config ignores a variable it cannot read: the request would go elsewhere than said.
    if let Some(problem) = os.unreadable_var() {
        return Err(AuthError::new(
            ErrorKind::InvalidConfig,
            problem,
            "set it to UTF-8 text, or unset it",
        ));
    }
    // The profile whose settings apply: the named one (profile mode, role source), else the
    // selected default for the modes that use the default chain.
    let profile = match mode {
        ModeConfig::Profile(name) => Some((name.as_str().to_owned(), true)),
        ModeConfig::AssumeRole(role) => match &role.source {
            Source::Profile(name) => Some((name.as_str().to_owned(), true)),
            Source::Auto => Some((selected_profile(os), false)),
            _ => None,
        },
        ModeConfig::Auto => Some((selected_profile(os), false)),
        ModeConfig::Environment
        | ModeConfig::Static(_)
        | ModeConfig::Custom(_)
        | ModeConfig::ApiKey(_) => None,
    };
    // Modes whose credentials come from no profile do not need the credentials file: one that
    // cannot be used there is passed over, not an error.
    let shared = shared_files(os, profile.is_some())?;
    let facts = match &profile {
        Some((name, must_exist)) => profile_facts(os, &shared, name, *must_exist).await?,
        None => ProfileFacts::default(),
    };
    let region = resolve_region(settings, facts.region.clone())?;
    let http = match metadata_policy(settings, &facts)? {
        Some(resolved) => {
            tracing::debug!(metadata = %resolved, "instance metadata bounded");
            metadata::bounded_metadata(http, resolved.policy)
        }
        None => http,
    };
    tracing::debug!(mode = %kind, region = %region, "loading AWS SDK configuration");

    let timeouts = TimeoutConfig::builder()
        .connect_timeout(settings.connect_timeout)
        .operation_timeout(settings.operation_timeout)
        .build();
    let retries = RetryConfig::standard().with_max_attempts(settings.max_attempts);
    let mut provider_config = ProviderConfig::default()
        .with_http_client(http.clone())
        .with_region(Some(region.clone().into()))
        .with_timeout_config(timeouts.clone())
        .with_retry_config(retries.clone());

    // The credential cache waits for its source as long as an operation may take (the SDK's
    // default is its own estimate), so a source that hangs is given up on at one bound.
    let cache = aws_config::identity::IdentityCache::lazy()
        .load_timeout(settings.operation_timeout)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::from(region.clone()))
        .http_client(http)
        .timeout_config(timeouts)
        .retry_config(retries)
        .identity_cache(cache)
        .profile_files(shared.files.clone());
    #[cfg(feature = "test-util")]
    {
        loader = loader.env(os.env.clone()).fs(os.fs.clone());
    }
    if let Some(time) = &os.time {
        loader = loader.time_source(time.clone());
        provider_config = provider_config.with_time_source(time.clone());
    }
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url.as_str());
    }

    let source = match mode {
        ModeConfig::Profile(name) => {
            loader = loader.profile_name(name.as_str());
            Some(profile_provider(name, &provider_config, os, &shared))
        }
        ModeConfig::Environment => Some(environment_provider(os)),
        ModeConfig::Static(keys) => Some(static_provider(keys, "bedrock-auth-static")),
        ModeConfig::AssumeRole(role) => match &role.source {
            Source::Auto => None,
            Source::Profile(name) => Some(profile_provider(name, &provider_config, os, &shared)),
            Source::Environment => Some(environment_provider(os)),
            Source::Static(keys) => Some(static_provider(keys, "bedrock-auth-role-source")),
        },
        ModeConfig::Auto => None,
        ModeConfig::Custom(provider) => {
            // The provider caches, so that a forced refresh can reach the cache.
            loader = loader.identity_cache(aws_config::identity::IdentityCache::no_cache());
            Some(SharedCredentialsProvider::new(provider.clone()))
        }
        // The key is set on each Bedrock client; nothing here may sign.
        ModeConfig::ApiKey(_) => {
            loader = loader.no_credentials();
            None
        }
    };
    if let Some(source) = source {
        loader = loader.credentials_provider(source);
    }
    let base = loader.load().await;
    let base = without_token_chain(redact_service_config(base));

    // The sources that can hang, named for the error that says so.
    let profile_source = || match &profile {
        Some((name, _)) => facts.source.describe(name),
        None => String::new(),
    };
    let chain = || match facts.source {
        ProfileSource::Keys => "the default credential chain".to_owned(),
        _ => format!("the default credential chain ({})", profile_source()),
    };
    let what = match mode {
        ModeConfig::Profile(_) => Some(profile_source()),
        ModeConfig::Auto => Some(chain()),
        ModeConfig::Custom(_) => Some("the custom credential source".to_owned()),
        ModeConfig::AssumeRole(role) => match &role.source {
            Source::Profile(_) => Some(profile_source()),
            Source::Auto => Some(chain()),
            Source::Environment | Source::Static(_) => None,
        },
        ModeConfig::Environment | ModeConfig::Static(_) | ModeConfig::ApiKey(_) => None,
    };
    let sleep = base.sleep_impl().or_else(default_async_sleep);
    let base = match (what, base.credentials_provider(), &sleep) {
        (Some(what), Some(provider), Some(sleep)) => {
            let after = settings.operation_timeout;
            let bounded = Bounded::wrap(provider, what, watches, sleep.clone(), after);
            base.into_builder().credentials_provider(bounded).build()
        }
        _ => base,
    };
    let base = match (mode, sleep) {
        (ModeConfig::AssumeRole(role), Some(sleep)) => {
            let provider = RoleProvider::new(&base, role, settings, watches, monitor, sleep);
            base.into_builder()
                .credentials_provider(SharedCredentialsProvider::new(provider))
                .build()
        }
        _ => base,
    };
    // Outermost: every resolution, and the failures no service answered, recorded once.
    // Custom-source mode's provider is asked on every request (it is its own cache): there,
    // only a new fetch from the source is a resolution.
    let fetches = match mode {
        ModeConfig::Custom(provider) => Some(provider.fetches()),
        _ => None,
    };
    Ok(match base.credentials_provider() {
        Some(provider) => {
            let observed = Observed {
                inner: provider,
                monitor: monitor.clone(),
                fetches,
                seen: std::sync::atomic::AtomicU64::new(0),
                // Only aws-config's profile providers log what must be left out.
                quiet: profile.is_some(),
            };
            base.into_builder()
                .credentials_provider(SharedCredentialsProvider::new(observed))
                .build()
        }
        None => base,
    })
}

/// The manager's credential provider, watched by its monitor: each resolution (a refresh
/// after the first) and each failure that no service answered (`no_credentials`,
/// `timed_out`; refusals by STS are recorded by the STS client's own monitor).
///
/// Its `Debug` shows nothing of the providers inside: the SDK logs its identity resolvers at
/// TRACE on every call, and aws-config's providers keep copies of the configuration they were
/// built from (with the `sso` feature, every profile of the shared files, secrets included).
struct Observed {
    inner: SharedCredentialsProvider,
    monitor: Arc<Monitor>,
    /// The source's fetch count, for a provider that caches itself (custom-source mode), and
    /// the count last seen.
    fetches: Option<Arc<std::sync::atomic::AtomicU64>>,
    seen: std::sync::atomic::AtomicU64,
    /// Whether resolution runs [`quieted`]: in the modes that read a profile (a new subscriber
    /// per resolution is cheap once per credential lifetime, not per request, as custom-source
    /// mode's provider is asked).
    quiet: bool,
}

impl fmt::Debug for Observed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsProvider")
            .field("mode", &self.monitor.mode())
            .finish_non_exhaustive()
    }
}

impl Observed {
    /// Whether the credentials just provided are a new resolution.
    fn is_new(&self) -> bool {
        use std::sync::atomic::Ordering;
        match &self.fetches {
            // The SDK's credential cache asks only when it needs new credentials.
            None => true,
            Some(fetches) => {
                let now = fetches.load(Ordering::Acquire);
                self.seen.swap(now, Ordering::AcqRel) != now
            }
        }
    }
}

impl ProvideCredentials for Observed {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let started = Instant::now();
            let result = if self.quiet {
                quieted(self.inner.provide_credentials()).await
            } else {
                self.inner.provide_credentials().await
            };
            match &result {
                Ok(credentials) => {
                    if self.is_new() {
                        self.monitor
                            .resolved(credentials.expiry(), started.elapsed());
                    }
                }
                Err(err) => {
                    let err = read_credentials_error(err, self.monitor.mode());
                    if err.http_status().is_none() && !err.is_recorded() {
                        self.monitor.failure(&err);
                    }
                }
            }
            result
        })
    }
}

/// How long to wait for instance metadata: the builder's, else botocore's variables, else the
/// profile's keys; `None` for aws-config's own settings.
fn metadata_policy(
    settings: &Settings,
    facts: &ProfileFacts,
) -> Result<Option<metadata::Resolved>, AuthError> {
    let env_timeout = settings.os.var(metadata::TIMEOUT_VAR);
    let env_attempts = settings.os.var(metadata::ATTEMPTS_VAR);
    let said = metadata::Said {
        timeout: settings.metadata_timeout,
        attempts: settings.metadata_attempts,
        env_timeout: env_timeout.as_deref(),
        env_attempts: env_attempts.as_deref(),
        profile_timeout: facts.metadata[0].as_deref(),
        profile_attempts: facts.metadata[1].as_deref(),
    };
    said.resolve().map_err(|problem| {
        AuthError::new(
            ErrorKind::InvalidConfig,
            format!("instance metadata settings: {problem}"),
            "fix the value, or unset it for aws-config's own (1 s per attempt)",
        )
    })
}

/// What a profile says about itself: its region, where its credentials come from, and how
/// long to wait for instance metadata.
#[derive(Debug, Default)]
struct ProfileFacts {
    region: Option<String>,
    source: ProfileSource,
    metadata: [Option<String>; 2],
}

/// Where a profile's credentials come from, in aws-config's order of precedence.
#[derive(Debug, Default, Clone, Copy)]
enum ProfileSource {
    RoleChain,
    WebIdentity,
    Sso,
    Process,
    /// Keys in the file, or none (the profile may not exist).
    #[default]
    Keys,
}

impl ProfileSource {
    fn of(profile: &aws_runtime::env_config::section::Profile) -> Self {
        if profile.get("role_arn").is_some() {
            Self::RoleChain
        } else if profile.get("web_identity_token_file").is_some() {
            Self::WebIdentity
        } else if profile.get("sso_session").is_some() || profile.get("sso_start_url").is_some() {
            Self::Sso
        } else if profile.get("credential_process").is_some() {
            Self::Process
        } else {
            Self::Keys
        }
    }

    fn describe(self, name: &str) -> String {
        match self {
            Self::RoleChain => format!("the role chain of profile `{name}`"),
            Self::WebIdentity => format!("the web identity of profile `{name}`"),
            Self::Sso => format!("SSO of profile `{name}`"),
            Self::Process => format!("credential_process of profile `{name}`"),
            Self::Keys => format!("profile `{name}`"),
        }
    }
}

/// The SDK's per-service settings (endpoint URLs and the like, read from the environment and
/// the shared config files), with a `Debug` that shows none of them.
///
/// aws-config's own `Debug` of these settings prints every profile of the shared files, the
/// `aws_secret_access_key` of profiles this manager does not even use included, and the SDK
/// logs its runtime components (which hold these settings) at TRACE on every call. Every client
/// made from the manager's `SdkConfig`, the user's own included, gets this wrapper instead.
struct RedactedServiceConfig(SdkConfig);

impl std::fmt::Debug for RedactedServiceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServiceConfig([REDACTED])")
    }
}

impl LoadServiceConfig for RedactedServiceConfig {
    fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
        self.0.service_config()?.load_config(key)
    }
}

/// `config` without the bearer-token chain aws-config builds by default (with its `sso`
/// feature). No mode signs with it: SigV4 modes sign with credentials, API-key mode sets its own
/// key on each Bedrock client, and auto mode's `AWS_BEARER_TOKEN_BEDROCK` comes from the service
/// configuration. The chain holds its own unredacted copy of the shared files, every profile's
/// secrets included, which the SDK would print at TRACE with its runtime components.
fn without_token_chain(config: SdkConfig) -> SdkConfig {
    if config.token_provider().is_none() {
        return config;
    }
    let mut builder = config.into_builder();
    builder.set_token_provider(None);
    builder.build()
}

fn redact_service_config(config: SdkConfig) -> SdkConfig {
    if config.service_config().is_none() {
        return config;
    }
    let original = config.clone();
    config
        .into_builder()
        .service_config(RedactedServiceConfig(original))
        .build()
}

pub(crate) fn mode_kind(mode: &ModeConfig) -> ModeKind {
    match mode {
        ModeConfig::Profile(_) => ModeKind::Profile,
        ModeConfig::Environment => ModeKind::Environment,
        ModeConfig::Static(_) => ModeKind::Static,
        ModeConfig::AssumeRole(_) => ModeKind::AssumeRole,
        ModeConfig::Auto => ModeKind::Auto,
        ModeConfig::Custom(_) => ModeKind::Custom,
        ModeConfig::ApiKey(_) => ModeKind::ApiKey,
    }
}

fn selected_profile(os: &Os) -> String {
    os.var("AWS_PROFILE")
        .unwrap_or_else(|| "default".to_owned())
}

/// The profile's `region` and credential source, after checking that a profile that must exist
/// does; its absence is an error that lists the profiles that do exist.
async fn profile_facts(
    os: &Os,
    shared: &SharedFiles,
    name: &str,
    must_exist: bool,
) -> Result<ProfileFacts, AuthError> {
    if let (Some(unreadable), true) = (&shared.unreadable, must_exist) {
        return Err(AuthError::new(
            ErrorKind::InvalidConfig,
            format!("cannot read the shared config files: {unreadable}"),
            "fix the file named in the message, or AWS_CONFIG_FILE / \
             AWS_SHARED_CREDENTIALS_FILE",
        ));
    }
    let profiles = aws_config::profile::load(
        &os.fs,
        &os.env,
        &shared.files,
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
            )
            .caused_by(err));
        }
        // The default chain copes without files; so do we.
        Err(_) => return Ok(ProfileFacts::default()),
    };
    match profiles.get_profile(name) {
        Some(profile) => Ok(ProfileFacts {
            region: profile.get("region").map(str::to_owned),
            source: ProfileSource::of(profile),
            metadata: metadata::PROFILE_KEYS.map(|key| profile.get(key).map(str::to_owned)),
        }),
        None if must_exist => {
            let mut available: Vec<String> = profiles.profiles().map(str::to_owned).collect();
            available.sort();
            Err(AuthError::profile_not_found(name, available))
        }
        None => Ok(ProfileFacts::default()),
    }
}

/// The explicit region; else `AWS_REGION` / `AWS_DEFAULT_REGION`; else the profile's (the
/// named one in profile mode, the selected one in the default-chain modes): the SDK's order.
/// No instance metadata lookup: that costs seconds off EC2.
fn resolve_region(
    settings: &Settings,
    profile_region: Option<String>,
) -> Result<Region, AuthError> {
    if let Some(region) = &settings.region {
        return Ok(region.clone());
    }
    let from_env = ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .find_map(|var| Some((var, settings.os.var(var)?)));
    let from_profile = profile_region.map(|r| ("the profile's `region`", r));
    let (source, name) = from_env.or(from_profile).ok_or_else(AuthError::no_region)?;
    name.trim().parse().map_err(|err| {
        AuthError::new(
            ErrorKind::InvalidConfig,
            format!("{source}: {err}"),
            "set a valid region, such as us-east-1",
        )
        .caused_by(err)
    })
}

/// aws-config's profile provider for the named profile. Its named credential source
/// `Environment` reads the manager's environment (the process's, or a sandbox's).
fn profile_provider(
    name: &ProfileName,
    config: &ProviderConfig,
    os: &Os,
    shared: &SharedFiles,
) -> SharedCredentialsProvider {
    // aws-config reads the files of a provider built here from the process's file system,
    // whatever `os` is: hand it the files as `os` read them.
    let builder = ProfileFileCredentialsProvider::builder()
        .profile_name(name.as_str())
        .with_custom_provider("Environment", EnvironmentOnly(os.clone()))
        .configure(config)
        .profile_files(shared.files.clone());
    SharedCredentialsProvider::new(builder.build())
}

/// Where the shared config and credentials files are, as aws-config finds them:
/// `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else under `~/.aws/`, `~` being `HOME`.
pub(crate) fn shared_file_paths(os: &Os) -> [(EnvConfigFileKind, String); 2] {
    let home = os.var("HOME");
    [
        (
            EnvConfigFileKind::Config,
            "AWS_CONFIG_FILE",
            "~/.aws/config",
        ),
        (
            EnvConfigFileKind::Credentials,
            "AWS_SHARED_CREDENTIALS_FILE",
            "~/.aws/credentials",
        ),
    ]
    .map(|(kind, variable, default)| {
        let path = os.var(variable).unwrap_or_else(|| default.to_owned());
        let path = match (path.strip_prefix("~/"), &home) {
            (Some(rest), Some(home)) => format!("{}/{rest}", home.trim_end_matches('/')),
            _ => path,
        };
        (kind, path)
    })
}

/// The shared config and credentials files, read once per load with care (regular files of at
/// most [`SHARED_FILE_LIMIT`]) and handed to aws-config as text, so that nothing of aws-config
/// reads them again. A missing or unreadable file is an empty one, as for aws-config; a FIFO,
/// a device or a huge file is an error naming it (a credentials file that the mode does not use,
/// `credentials_used` false, is passed over with a warning instead). A credentials file that
/// group or others may read is a warning.
pub(crate) fn shared_files(os: &Os, credentials_used: bool) -> Result<SharedFiles, AuthError> {
    let mut files = EnvConfigFiles::builder();
    let mut unreadable = None;
    for (kind, path) in shared_file_paths(os) {
        let passed_over = !credentials_used && matches!(kind, EnvConfigFileKind::Credentials);
        let text = match os.read_careful(Path::new(&path), SHARED_FILE_LIMIT) {
            Ok(read) => {
                if read.exposed() && matches!(kind, EnvConfigFileKind::Credentials) {
                    tracing::warn!(
                        path = %path,
                        mode = format!("{:o}", read.mode.unwrap_or_default() & 0o777),
                        "the shared credentials file is readable by group or others; run `chmod \
                         600` on it"
                    );
                }
                String::from_utf8_lossy(&read.bytes).into_owned()
            }
            Err(FileTrouble::Missing) => String::new(),
            Err(FileTrouble::Unreadable(err)) => {
                tracing::debug!(path = %path, error = %err, "cannot read a shared file");
                unreadable = Some(format!("{path}: {err}"));
                String::new()
            }
            Err(FileTrouble::NotRegular(is)) if passed_over => {
                tracing::warn!(path = %path, is, "the shared credentials file is not a regular file; not read (this mode takes no credentials from it)");
                String::new()
            }
            Err(FileTrouble::TooLarge(_)) if passed_over => {
                tracing::warn!(path = %path, "the shared credentials file is too large; not read (this mode takes no credentials from it)");
                String::new()
            }
            Err(FileTrouble::NotRegular(is)) => {
                return Err(file_refused(&path, Rule::NotRegularFile { is }));
            }
            Err(FileTrouble::TooLarge(max_bytes)) => {
                return Err(file_refused(&path, Rule::FileTooLarge { max_bytes }));
            }
        };
        files = files.with_contents(kind, text);
    }
    Ok(SharedFiles {
        files: files.build(),
        unreadable,
    })
}

/// The shared files as read, and the one that could not be (which matters to a profile that
/// must exist).
pub(crate) struct SharedFiles {
    pub(crate) files: EnvConfigFiles,
    pub(crate) unreadable: Option<String>,
}

/// A shared file refused before it was read.
fn file_refused(path: &str, rule: Rule) -> AuthError {
    let error = ValueError::new(ValueKind::ConfigFile, path, rule);
    AuthError::new(
        ErrorKind::InvalidConfig,
        error.to_string(),
        "point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at the regular files that hold the \
         profiles",
    )
}

fn environment_provider(os: &Os) -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(EnvironmentOnly(os.clone()))
}

fn static_provider(keys: &StaticKeys, source: &'static str) -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(keys.to_sdk(None, source))
}

/// The `AWS_*` credential variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`, `AWS_ACCOUNT_ID`) and nothing else, read from the manager's
/// environment and naming the variable that is missing. Blank counts as missing, as in
/// aws-config's own environment provider (which cannot read a sandbox's environment).
#[derive(Debug)]
struct EnvironmentOnly(Os);

impl EnvironmentOnly {
    fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let [access_key_id, secret] = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"].map(|var| {
            self.0.var(var).ok_or_else(|| {
                let detail = format!("{var} is not set");
                CredentialsError::not_loaded(AuthError::no_credentials(
                    ModeKind::Environment,
                    detail,
                ))
            })
        });
        let mut builder = Credentials::builder()
            .access_key_id(access_key_id?)
            .secret_access_key(secret?)
            .provider_name("EnvironmentVariable");
        builder.set_session_token(self.0.var("AWS_SESSION_TOKEN").map(|t| t.trim().to_owned()));
        builder.set_account_id(self.0.var("AWS_ACCOUNT_ID").map(|id| id.trim().into()));
        Ok(builder.build())
    }
}

impl ProvideCredentials for EnvironmentOnly {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(self.credentials())
    }
}

/// The configuration of STS calls made with `sdk`'s credentials: for a client of their own, or
/// as the per-call override of the process's STS client.
pub(crate) fn sts_config(sdk: &SdkConfig, monitor: &Arc<Monitor>) -> aws_sdk_sts::config::Builder {
    let mut config = aws_sdk_sts::config::Builder::from(sdk)
        .interceptor(EndpointGuard::sigv4())
        .interceptor(AnswerLimit {
            successes_too: true,
        })
        .interceptor(Watcher::sts(monitor));
    if let Some(region) = sdk.region() {
        config = config.retry_partition(regional_retry_partition("sts", region.as_ref()));
    }
    config
}

/// STS `AssumeRole` with the source credentials of the base config, MFA included. Failures are
/// shared: callers waiting while a call fails, or arriving within [`FAILURE_SHARING`] after, get
/// that call's error instead of making their own.
struct RoleProvider {
    /// The source credentials (and their cache), region, endpoint, HTTP client and timeouts
    /// that make the process's STS client whole for each call: a role holds no SDK client of
    /// its own.
    source: SdkConfig,
    role: RoleConfig,
    session_name: String,
    endpoint: String,
    last: tokio::sync::Mutex<Option<(Instant, Result<Credentials, AuthError>)>>,
    /// The source credentials' and the MFA token source's watches, and how long they may take.
    watches: Arc<Watches>,
    mfa_watch: Option<Arc<Watch>>,
    sleep: SharedAsyncSleep,
    timeout: Duration,
    monitor: Arc<Monitor>,
}

impl RoleProvider {
    fn new(
        base: &SdkConfig,
        role: &RoleConfig,
        settings: &Settings,
        watches: &Arc<Watches>,
        monitor: &Arc<Monitor>,
        sleep: SharedAsyncSleep,
    ) -> Self {
        let session_name = match &role.session_name {
            Some(name) => name.as_str().to_owned(),
            None => {
                format!("bedrock-auth-{}", unix_secs(settings.os.now()))
            }
        };
        let endpoint = settings
            .endpoint_url
            .as_ref()
            .map(|u| u.as_str().to_owned())
            .unwrap_or_else(|| "STS".to_owned());
        Self {
            source: base.clone(),
            role: role.clone(),
            session_name,
            endpoint,
            last: tokio::sync::Mutex::new(None),
            watches: watches.clone(),
            mfa_watch: role
                .mfa
                .as_ref()
                .map(|mfa| watches.watch(format!("the MFA token source for {}", mfa.serial))),
            sleep,
            timeout: settings.operation_timeout,
            monitor: monitor.clone(),
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
        let mut request = crate::shared::sts_client()
            .assume_role()
            .role_arn(role_arn)
            .role_session_name(&self.session_name)
            .duration_seconds(self.role.duration.as_secs() as i32);
        if let Some(external_id) = &self.role.external_id {
            request = request.external_id(external_id.expose());
        }
        if let (Some(mfa), Some(watch)) = (&self.role.mfa, &self.mfa_watch) {
            let code = mfa.token_source.token_code();
            let code = self
                .watches
                .run(watch, &self.sleep, self.timeout, code)
                .await?
                .map_err(|err| {
                    AuthError::new(
                        ErrorKind::NoCredentials,
                        format!("the MFA token source for {} failed: {err}", mfa.serial),
                        "check <<mfa>>",
                    )
                    .caused_by_boxed(err)
                })?;
            // STS would refuse an empty code; nothing is sent with one.
            let code = code.expose_secret().trim();
            if code.is_empty() {
                return Err(AuthError::new(
                    ErrorKind::NoCredentials,
                    format!(
                        "the MFA token source for {} returned an empty code; nothing was sent \
                         to STS",
                        mfa.serial
                    ),
                    "check <<mfa>>: it must return the device's current code",
                ));
            }
            request = request.serial_number(mfa.serial.as_str()).token_code(code);
        }
        tracing::debug!(role = role_arn, session = %self.session_name, "calling STS AssumeRole");
        let mut output = request
            .customize()
            .config_override(sts_config(&self.source, &self.monitor))
            .send()
            .await
            .map_err(|err| {
                let call = Call {
                    operation: "STS AssumeRole",
                    mode: ModeKind::AssumeRole,
                    role: Some(role_arn),
                    endpoint: Some(&self.endpoint),
                    bearer: false,
                };
                // A source that hung is what failed, not STS. The STS client's monitor recorded
                // the failure of the call itself.
                let err = self.watches.blame(classify(err, call), self.timeout);
                if err.kind() == ErrorKind::TimedOut {
                    err
                } else {
                    err.seen_by_monitor()
                }
            })?;
        // The SDK's output type keeps the secret and the token in plain strings: they are
        // moved into the credentials (which wipe them) and nothing of them is left to free.
        let Some(creds) = output.credentials.take() else {
            return Err(AuthError::new(
                ErrorKind::Service,
                "STS AssumeRole answered without credentials",
                "check that the endpoint is STS",
            ));
        };
        let aws_sdk_sts::types::Credentials {
            access_key_id,
            secret_access_key,
            session_token,
            expiration,
            ..
        } = creds;
        let expiry = SystemTime::try_from(expiration).ok();
        tracing::debug!(role = role_arn, access_key_id = %access_key_id, "assumed role");
        let principal = output
            .assumed_role_user()
            .map(|user| crate::printable::printable(user.arn()).into_owned());
        self.monitor.success(principal.as_deref());
        let region = self.source.region().map(|r| r.as_ref().to_owned());
        self.monitor.audit(
            "role_assumed",
            region.as_deref(),
            principal.as_deref(),
            expiry,
        );
        Ok(Credentials::new(
            access_key_id,
            secret_access_key,
            Some(session_token),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sts_calls_through_the_process_client_use_their_region_s_retry_partition() {
        let sdk = SdkConfig::builder()
            .region(aws_config::Region::new("eu-west-1"))
            .behavior_version(BehaviorVersion::latest())
            .build();
        let monitor = Arc::new(Monitor::new(
            ModeKind::Static,
            None,
            aws_smithy_async::time::SharedTimeSource::default(),
        ));
        let config = sts_config(&sdk, &monitor).build();
        assert_eq!(
            config.retry_partition(),
            Some(&aws_sdk_sts::config::retry::RetryPartition::new(
                "sts-eu-west-1"
            ))
        );
    }
}
