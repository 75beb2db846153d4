//! What of a loaded `SdkConfig` must not be printed: the per-service settings (a `Debug` that
//! shows none of them), and the bearer-token chain (dropped).

use aws_config::SdkConfig;
use aws_types::service_config::{LoadServiceConfig, ServiceConfigKey};

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
pub(super) fn without_token_chain(config: SdkConfig) -> SdkConfig {
    if config.token_provider().is_none() {
        return config;
    }
    let mut builder = config.into_builder();
    builder.set_token_provider(None);
    builder.build()
}

pub(super) fn redact_service_config(config: SdkConfig) -> SdkConfig {
    if config.service_config().is_none() {
        return config;
    }
    let original = config.clone();
    config
        .into_builder()
        .service_config(RedactedServiceConfig(original))
        .build()
}
