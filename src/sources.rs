//! Where a manager's credentials come from, one module per source, and the pipeline that turns
//! a checked mode into an `SdkConfig`: the region, a credentials provider built on aws-config's
//! own providers (plus STS `AssumeRole` for role mode), endpoint, timeouts and retries.
//!
//! Each mode's source answers the pipeline's questions for itself ([`Origin`]): which
//! profile's settings apply, what the SDK's loader is given, what the source is called when it
//! hangs, and what wraps the loaded provider. The sources are the modes' own, each in its
//! mode's folder: `src/modes/<mode>/source.rs` (assume role's source credentials come from the
//! others, or from a web identity, `assume_role/web_identity_source.rs`). What they share is
//! here: the files they read, the region, the credential cache.

pub(crate) mod file_watch;
mod observed;
pub(crate) mod redacted;
mod region;
mod renewing;
pub(crate) mod shared_files;

pub(crate) use crate::modes::environment::source::{
    EXPIRATION_VAR as ENVIRONMENT_EXPIRATION_VAR, stated_expiry as environment_expiry,
};

use std::sync::Arc;

use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, ConfigLoader, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_async::rt::sleep::{SharedAsyncSleep, default_async_sleep};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use secrecy::SecretString;

pub(crate) use crate::modes::api_key::source::KeyCache;
pub(crate) use crate::modes::assume_role::source::sts_config;
pub(crate) use shared_files::shared_file_paths;

use crate::bounded::{Bounded, Watches};
use crate::endpoints::{Chosen, DUAL_STACK, FIPS, Said};
use crate::error::{AuthError, ErrorKind, SignIn};
use crate::metadata;
use crate::mode_kind::ModeKind;
use crate::modes::profile::source::{ProfileFacts, ProfileSource};
use crate::modes::{ModeConfig, Remake};
use crate::monitor::Monitor;
use crate::os::Os;
use crate::settings::Settings;
use crate::values::Region;
pub(crate) use renewing::Renewing;
use renewing::{Parts, Rebuild};
use shared_files::SharedFiles;

/// The profile whose settings (region, instance metadata) apply to a mode, and whether it must
/// exist.
pub(crate) struct Selected {
    pub(crate) name: String,
    pub(crate) must_exist: bool,
}

/// What a source gives the SDK's loader.
pub(crate) enum Given {
    /// aws-config's default credential chain.
    DefaultChain,
    /// This provider, behind the SDK's credential cache.
    Provider(SharedCredentialsProvider),
    /// A profile's provider; the loader reads that profile's settings too (endpoints, ...).
    Profile(String, SharedCredentialsProvider),
    /// No credentials: nothing made from the configuration may sign.
    Nothing,
}

/// What a source builds its provider with.
pub(crate) struct Context<'a> {
    pub(crate) os: &'a Os,
    pub(crate) shared: &'a SharedFiles,
    pub(crate) provider_config: &'a ProviderConfig,
}

/// What a source that wraps the loaded provider (role mode) needs.
pub(crate) struct Around<'a> {
    pub(crate) settings: &'a Settings,
    pub(crate) watches: &'a Arc<Watches>,
    pub(crate) monitor: &'a Arc<Monitor>,
    pub(crate) sleep: SharedAsyncSleep,
}

/// A credential source, as the loading pipeline asks it.
pub(crate) trait Origin: Send + Sync {
    /// The profile whose settings apply; `None` for a source that reads no profile.
    fn profile(&self, _os: &Os) -> Option<Selected> {
        None
    }

    /// What the SDK's loader is given.
    fn credentials(&self, cx: &Context<'_>) -> Given;

    /// What the source is called when it hangs (given the selected profile and where its
    /// credentials come from); `None` for a source that cannot hang.
    fn hangs_as(&self, _profile: Option<(&str, ProfileSource)>) -> Option<String> {
        None
    }

    /// The configuration as the manager uses it, from the loaded one: the same, unless the
    /// source wraps the loaded provider.
    fn wrap(&self, base: SdkConfig, _around: &Around<'_>) -> SdkConfig {
        base
    }
}

/// The module of `mode`'s source.
fn origin(mode: &ModeConfig) -> Box<dyn Origin + '_> {
    match mode {
        ModeConfig::Profile(name) => Box::new(crate::modes::profile::source::Profile {
            name,
            as_mode: true,
        }),
        ModeConfig::Environment => Box::new(crate::modes::environment::source::Environment),
        ModeConfig::Static(keys) => Box::new(crate::modes::static_credentials::source::Static {
            keys,
            name: "bedrock-auth-static",
        }),
        ModeConfig::AssumeRole(role) => Box::new(crate::modes::assume_role::source::Role(role)),
        ModeConfig::Auto => Box::new(crate::modes::auto::source::Auto),
        ModeConfig::Custom(provider) => Box::new(crate::modes::custom::source::Custom(provider)),
        ModeConfig::ApiKey(_) => Box::new(crate::modes::api_key::source::ApiKey),
    }
}

/// A manager's SDK configuration, and its credential cache (none in API-key mode).
pub(crate) struct Loaded {
    pub(crate) sdk: SdkConfig,
    pub(crate) credentials: Option<Renewing>,
    /// What the mode's provider chain sends that is not a credential the manager holds (a
    /// profile's `external_id`): an answer may quote it, and no error of the manager does.
    pub(crate) sent: Vec<SecretString>,
}

/// What a manager loads its configuration from, owned: to build its provider chain again.
#[derive(Clone)]
pub(crate) struct Inputs {
    pub(crate) mode: ModeConfig,
    pub(crate) settings: Settings,
    pub(crate) http: SharedHttpClient,
    pub(crate) watches: Arc<Watches>,
    pub(crate) monitor: Arc<Monitor>,
    /// How the mode is made again (a manager made from a configuration).
    pub(crate) remake: Option<Remake>,
}

/// Loads the SDK configuration for a manager: resolves the region, builds the credentials
/// provider behind the manager's credential cache ([`Renewing`]), applies endpoint, timeouts
/// and retries. Reads files and the environment; sends nothing. Every credential source that
/// can hang is bounded by the operation timeout and watched in `watches`.
pub(crate) async fn load_sdk_config(inputs: &Inputs) -> Result<Loaded, AuthError> {
    let os = &inputs.settings.os;
    // Marked before they are read: a change while they are read is a change.
    let mut paths = Vec::new();
    if origin(&inputs.mode).profile(os).is_some() {
        paths.extend(shared_file_paths(os).map(|(_, path)| std::path::PathBuf::from(path)));
    }
    if let Some(remake) = &inputs.remake {
        paths.extend(remake.files.iter().cloned());
    }
    let files = match default_async_sleep() {
        Some(sleep) if !paths.is_empty() => Some(file_watch::Watching::new(os, paths, sleep)),
        _ => None,
    };
    let Chain {
        sdk: base,
        quiet,
        sent,
        sign_in,
    } = load_chain(inputs).await?;
    let Some(chain) = base.credentials_provider() else {
        return Ok(Loaded {
            sdk: base,
            credentials: None,
            sent,
        });
    };
    let again = inputs.clone();
    let rebuild: Rebuild = Arc::new(move || {
        let mut inputs = again.clone();
        Box::pin(async move {
            // A configuration's secret files and variables, read again.
            if let Some(remake) = &inputs.remake {
                inputs.mode = (remake.mode)()?;
            }
            let chain = load_chain(&inputs).await?;
            let provider = chain.sdk.credentials_provider().ok_or_else(|| {
                AuthError::no_credentials(inputs.monitor.mode(), "the provider chain is gone")
            })?;
            Ok((provider, chain.sign_in))
        })
    });
    let settings = &inputs.settings;
    let renewing = Renewing::new(Parts {
        chain,
        rebuild,
        monitor: inputs.monitor.clone(),
        clock: settings.os.clock(),
        sleep: base.sleep_impl().or_else(default_async_sleep),
        backstop: cache_backstop(settings.operation_timeout),
        quiet,
        sign_in,
        files,
    });
    let sdk = base
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(renewing.clone()))
        .build();
    Ok(Loaded {
        sdk,
        credentials: Some(renewing),
        sent,
    })
}

/// The SDK configuration with the mode's provider chain, and what its errors need.
struct Chain {
    sdk: SdkConfig,
    /// Whether resolving it must run quieted (it reads a profile).
    quiet: bool,
    /// What the chain sends that an error must not quote.
    sent: Vec<SecretString>,
    /// The sign-in session the chain starts from, which a person renews.
    sign_in: Option<SignIn>,
}

async fn load_chain(inputs: &Inputs) -> Result<Chain, AuthError> {
    let Inputs {
        mode,
        settings,
        http,
        ..
    } = inputs;
    let http = http.clone();
    let origin = origin(mode);
    let os = &settings.os;
    // aws-config ignores a variable it cannot read: the request would go elsewhere than said.
    if let Some(problem) = os.unreadable_var() {
        return Err(AuthError::new(
            ErrorKind::InvalidConfig,
            problem,
            "set it to UTF-8 text, or unset it",
        ));
    }
    let profile = origin.profile(os);
    // Sources that read no profile do not need the credentials file: one that cannot be used
    // there is passed over, not an error.
    let shared = shared_files::shared_files(os, profile.is_some())?;
    let facts = match &profile {
        Some(selected) => {
            crate::modes::profile::source::facts(os, &shared, &selected.name, selected.must_exist)
                .await?
        }
        None => ProfileFacts::default(),
    };
    // The default chain reads the variable's token file (auto mode, a role's default source).
    if matches!(mode.kind(), ModeKind::Auto | ModeKind::AssumeRole)
        && let Some(path) = os.var("AWS_WEB_IDENTITY_TOKEN_FILE")
    {
        crate::modes::profile::source::refuse_blocking_token_file(
            os,
            &path,
            "AWS_WEB_IDENTITY_TOKEN_FILE",
        )?;
    }
    let region = region::resolve_region(settings, facts.region.clone())?;
    let variants = match &profile {
        Some(selected) => endpoint_variants(settings, &facts.endpoint_variants, &selected.name)?,
        None => {
            let written = crate::modes::profile::source::endpoint_variants(os, &shared).await;
            endpoint_variants(
                settings,
                &written,
                &crate::modes::profile::source::selected_profile(os),
            )?
        }
    };
    let http = trusting(settings, &facts, profile.as_ref(), http)?;
    let http = match metadata_policy(settings, &facts)? {
        Some(resolved) => {
            tracing::debug!(metadata = %resolved, "instance metadata bounded");
            metadata::bounded_metadata(http, resolved.policy)
        }
        None => http,
    };
    tracing::debug!(mode = %mode.kind(), region = %region, "loading AWS SDK configuration");

    let (loader, provider_config) = loader(settings, &region, http, &shared, &variants);
    let cx = Context {
        os,
        shared: &shared,
        provider_config: &provider_config,
    };
    let loader = give(loader, origin.credentials(&cx));
    let base = loader.load().await;
    refuse_fips_with_custom_endpoint(&base, &variants)?;
    let base = redacted::without_token_chain(redacted::redact_service_config(base));

    let hangs_as = origin.hangs_as(profile.as_ref().map(|p| (p.name.as_str(), facts.source)));
    let base = bounded_and_wrapped(base, origin.as_ref(), hangs_as, inputs);
    Ok(Chain {
        sdk: base,
        quiet: profile.is_some(),
        sent: facts.external_ids,
        sign_in: facts.sign_in,
    })
}

/// The manager's HTTP client, or, when the profile names a `ca_bundle` (and neither the
/// builder nor `AWS_CA_BUNDLE` does, nor is the client a shared or a sandbox's one), its own
/// HTTPS client trusting that bundle; a bundle that cannot be used is refused.
fn trusting(
    settings: &Settings,
    facts: &ProfileFacts,
    profile: Option<&Selected>,
    http: SharedHttpClient,
) -> Result<SharedHttpClient, AuthError> {
    let os = &settings.os;
    let (Some(path), Some(selected)) = (&facts.ca_bundle, profile) else {
        return Ok(http);
    };
    let chosen_before = settings.ca_bundle.is_some() || os.var("AWS_CA_BUNDLE").is_some();
    if chosen_before || settings.shared.is_some() || os.http.is_some() {
        return Ok(http);
    }
    match crate::tls::resolve(os, None, Some((&selected.name, path))) {
        Ok(ca) => Ok(crate::proxy::https_client(os, &settings.proxy, ca.as_ref())),
        Err(trouble) => Err(AuthError::new(
            ErrorKind::InvalidConfig,
            trouble.message,
            "point the profile's `ca_bundle` at a file of PEM certificates, or remove it",
        )),
    }
}

/// FIPS and dual-stack, each from the builder, else its variable, else the profile's key
/// (`written`, of profile `profile`); a value that cannot be read is refused.
fn endpoint_variants(
    settings: &Settings,
    written: &[Option<String>; 2],
    profile: &str,
) -> Result<[Option<Chosen>; 2], AuthError> {
    let os = &settings.os;
    let variables = [FIPS.var, DUAL_STACK.var].map(|name| os.var(name));
    let builder = [settings.use_fips, settings.use_dual_stack];
    let mut chosen = [None, None];
    for (i, variant) in [FIPS, DUAL_STACK].iter().enumerate() {
        let said = Said {
            builder: builder[i],
            var: variables[i].as_deref(),
            profile: written[i].as_deref().map(|value| (profile, value)),
        };
        chosen[i] = variant.resolve(said).map_err(|problem| {
            AuthError::new(
                ErrorKind::InvalidConfig,
                problem,
                format!(
                    "set it to `true` or `false`, or unset it for the regular endpoints (the \
                     builder's `.{}(..)` wins over both)",
                    variant.method
                ),
            )
        })?;
    }
    if let [Some(fips), _] = &chosen {
        tracing::debug!(fips = fips.on, from = %fips.from, "FIPS endpoints");
    }
    Ok(chosen)
}

/// FIPS or dual-stack endpoints with a custom endpoint (`AWS_ENDPOINT_URL`, a profile's
/// `endpoint_url`, or STS's or Bedrock Runtime's own: `AWS_ENDPOINT_URL_STS`, a profile's
/// `services` section) are refused before any request: AWS's endpoint rules refuse the pair,
/// and the SDK's error would come at the first call, without saying where either was set.
fn refuse_fips_with_custom_endpoint(
    base: &SdkConfig,
    variants: &[Option<Chosen>; 2],
) -> Result<(), AuthError> {
    let on: Vec<String> = [FIPS, DUAL_STACK]
        .iter()
        .zip(variants)
        .filter_map(|(variant, chosen)| {
            let chosen = chosen.as_ref().filter(|c| c.on)?;
            Some(format!("{} endpoints ({})", variant.name, chosen.from))
        })
        .collect();
    if on.is_empty() {
        return Ok(());
    }
    let service_endpoint = |service_id: &str| {
        let key = aws_types::service_config::ServiceConfigKey::builder()
            .service_id(service_id)
            .env("AWS_ENDPOINT_URL")
            .profile("endpoint_url")
            .build()
            .ok()?;
        base.service_config()?.load_config(key)
    };
    let custom = if base.endpoint_url().is_some() {
        Some("a custom endpoint (AWS_ENDPOINT_URL or the profile's `endpoint_url`)".to_owned())
    } else {
        ["STS", "Bedrock Runtime"].iter().find_map(|service| {
            service_endpoint(service).map(|_| {
                format!(
                    "a custom endpoint for {service} (AWS_ENDPOINT_URL_{} or the profile's \
                     `services` section)",
                    service.to_ascii_uppercase().replace(' ', "_")
                )
            })
        })
    };
    match custom {
        Some(custom) => Err(AuthError::new(
            ErrorKind::InvalidConfig,
            format!(
                "{} cannot be used with {custom}: AWS's endpoint rules refuse the pair",
                on.join(" and ")
            ),
            "point the endpoint at the FIPS or dual-stack host itself and turn the setting \
             off, or unset the endpoint",
        )),
        None => Ok(()),
    }
}

/// The chain's provider bounded by the operation timeout when it can hang (`hangs_as`: what
/// it is, in words), then wrapped by the origin's own layers.
fn bounded_and_wrapped(
    base: SdkConfig,
    origin: &dyn Origin,
    hangs_as: Option<String>,
    inputs: &Inputs,
) -> SdkConfig {
    let Inputs {
        settings,
        watches,
        monitor,
        ..
    } = inputs;
    let sleep = base.sleep_impl().or_else(default_async_sleep);
    let base = match (hangs_as, base.credentials_provider(), &sleep) {
        (Some(what), Some(provider), Some(sleep)) => {
            let after = settings.operation_timeout;
            let bounded = Bounded::wrap(provider, what, watches, sleep.clone(), after);
            base.into_builder().credentials_provider(bounded).build()
        }
        _ => base,
    };
    match sleep {
        Some(sleep) => origin.wrap(
            base,
            &Around {
                settings,
                watches,
                monitor,
                sleep,
            },
        ),
        None => base,
    }
}

/// The SDK's loader and the provider configuration of aws-config's providers, with the
/// manager's region, HTTP client, timeouts, retries, files and endpoint.
fn loader(
    settings: &Settings,
    region: &Region,
    http: SharedHttpClient,
    shared: &SharedFiles,
    variants: &[Option<Chosen>; 2],
) -> (ConfigLoader, ProviderConfig) {
    let os = &settings.os;
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
    // The manager's own cache ([`Renewing`]) stands in for the SDK's, which cannot be told to
    // forget credentials that AWS turned down.
    let cache = aws_config::identity::IdentityCache::no_cache();
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
    // Resolved once, here, and given to both: aws-config's own reading passes over a value it
    // cannot parse, and its providers' STS clients would not see the loader's.
    let [fips, dual_stack] = variants.clone().map(|chosen| chosen.map(|c| c.on));
    if let Some(on) = fips {
        loader = loader.use_fips(on);
    }
    if let Some(on) = dual_stack {
        loader = loader.use_dual_stack(on);
    }
    let provider_config = provider_config
        .with_use_fips(fips)
        .with_use_dual_stack(dual_stack);
    (loader, provider_config)
}

/// How long the credential cache waits for a resolution: every wait inside a resolution has
/// its own bound and a name (a source, the MFA code, STS AssumeRole), and the cache's bound is
/// a backstop behind them, so that the one that fires first is the one that says which source
/// hung. Longer than the waits inside it
/// (a role's source credentials, its MFA code and its STS call each take up to the operation
/// timeout), so that it never fires before the one that names what hung.
fn cache_backstop(operation_timeout: std::time::Duration) -> std::time::Duration {
    operation_timeout
        .saturating_mul(3)
        .saturating_add(std::time::Duration::from_secs(1))
}

/// The loader given what the source gives.
fn give(loader: ConfigLoader, given: Given) -> ConfigLoader {
    match given {
        Given::DefaultChain => loader,
        Given::Provider(provider) => loader.credentials_provider(provider),
        Given::Profile(name, provider) => loader.profile_name(name).credentials_provider(provider),
        Given::Nothing => loader.no_credentials(),
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
