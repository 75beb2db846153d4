//! The settings a world gives (its variables, the selected profile, the defaults), how instance
//! metadata would be waited for, and what `doctor` says of an API key and of an expiry.

use aws_config::profile::ProfileSet;

use crate::api_key::ApiKeyInfo;
use crate::metadata;
use crate::modes::BEARER_TOKEN_VAR;
use crate::os::Os;

use super::{FileReport, Setting, mask};

/// The settings this world gives: its variables, the selected profile, the defaults.
pub(super) fn settings_of(
    os: &Os,
    config: Option<&ProfileSet>,
    profile: Option<&str>,
    [config_file, credentials_file]: [&FileReport; 2],
) -> Vec<Setting> {
    let found = Found::new(os, config, profile);
    let mut settings = Vec::new();
    where_to(&found, config_file, credentials_file, &mut settings);
    metadata_settings(&found, &mut settings);
    proxy_settings(os, &mut settings);
    // The CA bundle connections trust, as the manager chooses it (a builder's or config's
    // own wins over both).
    let ca_bundle = found
        .var("AWS_CA_BUNDLE")
        .or_else(|| found.profile("ca_bundle"));
    add(
        &mut settings,
        "CA bundle",
        ca_bundle,
        ("(none: the system's roots)", "default"),
    );
    for variant in [crate::endpoints::FIPS, crate::endpoints::DUAL_STACK] {
        let said = found
            .var(variant.var)
            .or_else(|| found.profile(variant.profile_key))
            .map(
                |(value, source)| match crate::endpoints::parse_bool(&value) {
                    Some(on) => ((if on { "on" } else { "off" }).to_owned(), source),
                    None => (format!("{value} (neither true nor false: refused)"), source),
                },
            );
        let name = format!("{} endpoints", variant.name);
        add(&mut settings, &name, said, ("off", "default"));
    }
    found.present(
        &[
            ("access key id", "AWS_ACCESS_KEY_ID"),
            ("secret access key", "AWS_SECRET_ACCESS_KEY"),
            ("session token", "AWS_SESSION_TOKEN"),
            ("Bedrock API key", BEARER_TOKEN_VAR),
        ],
        &mut settings,
    );
    settings
}

/// Where a setting's value is found: a variable, or the selected profile; each as its value
/// (masked) and its source.
struct Found<'a> {
    os: &'a Os,
    config: Option<&'a ProfileSet>,
    profile_name: String,
}

impl<'a> Found<'a> {
    /// The world `os`, its shared config, and the profile read: the one a configuration or a
    /// flag names, else `AWS_PROFILE`, else `default`.
    fn new(os: &'a Os, config: Option<&'a ProfileSet>, profile: Option<&str>) -> Self {
        let profile_name = profile
            .map(str::to_owned)
            .or_else(|| os.var("AWS_PROFILE"))
            .unwrap_or_else(|| "default".to_owned());
        Self {
            os,
            config,
            profile_name,
        }
    }

    fn var(&self, name: &str) -> Option<(String, String)> {
        self.os
            .var(name)
            .map(|value| (mask(name, &value), format!("variable {name}")))
    }

    fn profile(&self, key: &str) -> Option<(String, String)> {
        let value = self.raw_profile(key)?;
        Some((mask(key, value), format!("profile {}", self.profile_name)))
    }

    /// The read profile's value of `key`, as written.
    fn raw_profile(&self, key: &str) -> Option<&'a str> {
        self.config?.get_profile(&self.profile_name)?.get(key)
    }

    /// A setting for each of `variables` that is set, none for the others.
    fn present(&self, variables: &[(&str, &str)], settings: &mut Vec<Setting>) {
        for (name, variable) in variables {
            if let Some((value, source)) = self.var(variable) {
                settings.push(Setting::new(*name, value, source));
            }
        }
    }
}

/// `name`, as found, or else as `otherwise` (a value and its source).
fn add(
    settings: &mut Vec<Setting>,
    name: &str,
    found: Option<(String, String)>,
    otherwise: (&str, &str),
) {
    let (value, source) = found.unwrap_or_else(|| (otherwise.0.to_owned(), otherwise.1.to_owned()));
    settings.push(Setting::new(name, value, source));
}

/// Where requests go: the region, the profile, the shared files, the endpoints.
fn where_to(
    found: &Found<'_>,
    config_file: &FileReport,
    credentials_file: &FileReport,
    settings: &mut Vec<Setting>,
) {
    let region = found
        .var("AWS_REGION")
        .or_else(|| found.var("AWS_DEFAULT_REGION"))
        .or_else(|| found.profile("region"));
    add(
        settings,
        "region",
        region,
        ("(none)", "not set: give a region"),
    );
    add(
        settings,
        "profile",
        found.var("AWS_PROFILE"),
        ("default", "default"),
    );
    for (name, variable, file) in [
        ("config file", "AWS_CONFIG_FILE", config_file),
        (
            "credentials file",
            "AWS_SHARED_CREDENTIALS_FILE",
            credentials_file,
        ),
    ] {
        let path = file.path.display().to_string();
        let given = found
            .var(variable)
            .map(|(_, source)| (path.clone(), source));
        add(settings, name, given, (&path, "default"));
    }
    let endpoint = found
        .var("AWS_ENDPOINT_URL")
        .or_else(|| found.profile("endpoint_url"));
    let hosts = regional_hosts(found);
    add(settings, "endpoint", endpoint, (&hosts, "default"));
    found.present(
        &[
            ("endpoint for STS", "AWS_ENDPOINT_URL_STS"),
            (
                "endpoint for Bedrock Runtime",
                "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
            ),
            (
                "configured endpoints ignored",
                "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
            ),
            ("metadata endpoint", "AWS_EC2_METADATA_SERVICE_ENDPOINT"),
        ],
        settings,
    );
}

/// Each service's own endpoint in the region, FIPS and dual-stack as this world says: the
/// hosts requests go to when no endpoint is set.
fn regional_hosts(found: &Found<'_>) -> String {
    let raw = |var: &str, key: &str| {
        found
            .os
            .var(var)
            .or_else(|| Some(found.raw_profile(key)?.to_owned()))
    };
    let region = found
        .os
        .var("AWS_REGION")
        .or_else(|| raw("AWS_DEFAULT_REGION", "region"));
    let Some(region) = region else {
        return "(each service's own)".to_owned();
    };
    let on = |variant: crate::endpoints::Variant| {
        raw(variant.var, variant.profile_key)
            .and_then(|value| crate::endpoints::parse_bool(&value))
            .unwrap_or(false)
    };
    let (fips, dual) = (on(crate::endpoints::FIPS), on(crate::endpoints::DUAL_STACK));
    let hosts: Vec<String> = ["STS", "Bedrock Runtime"]
        .iter()
        .filter_map(|service| crate::endpoints::regional(service, &region, fips, dual))
        .collect();
    if hosts.is_empty() {
        return "(each service's own)".to_owned();
    }
    format!("(each service's own: {})", hosts.join(", "))
}

/// Whether instance metadata is asked, and how long it is waited for.
fn metadata_settings(found: &Found<'_>, settings: &mut Vec<Setting>) {
    let disabled = found
        .var("AWS_EC2_METADATA_DISABLED")
        .map(|(value, source)| {
            let off = value.trim().eq_ignore_ascii_case("true");
            ((if off { "off" } else { "on" }).to_owned(), source)
        });
    add(settings, "instance metadata", disabled, ("on", "default"));
    let timeout = found
        .var(metadata::TIMEOUT_VAR)
        .or_else(|| found.profile(metadata::PROFILE_KEYS[0]));
    add(
        settings,
        "metadata timeout",
        timeout,
        ("1s per attempt (aws-config's)", "default"),
    );
    let attempts = found
        .var(metadata::ATTEMPTS_VAR)
        .or_else(|| found.profile(metadata::PROFILE_KEYS[1]));
    add(
        settings,
        "metadata attempts",
        attempts,
        ("up to 4 (aws-config's)", "default"),
    );
}

/// The proxies in use, and the hosts they do not serve.
fn proxy_settings(os: &Os, settings: &mut Vec<Setting>) {
    match crate::proxy::proxy_config(os, &crate::proxy::ProxyChoice::FromEnvironment) {
        Ok(route) if route.in_use.is_empty() => {
            settings.push(Setting::new("proxy", "none", "default"));
        }
        Ok(route) => {
            for proxy in route.in_use {
                let url = mask("proxy", &proxy.url);
                settings.push(Setting::new(proxy.name, url, proxy.source));
            }
        }
        Err(problem) => settings.push(Setting::new("proxy", "invalid", problem)),
    }
    if let Some(rules) = os.var("NO_PROXY").or_else(|| os.var("no_proxy")) {
        settings.push(Setting::new("no proxy for", rules, "variable NO_PROXY"));
    }
}

/// Warns about an `AWS_CREDENTIAL_EXPIRATION` that environment mode would refuse: one that
/// cannot be read (its value is not shown: it may be a secret pasted into the wrong variable),
/// or one that has passed.
pub(super) fn expiration_warning(os: &Os, value: &str, warnings: &mut Vec<String>) {
    let var = crate::sources::ENVIRONMENT_EXPIRATION_VAR;
    match crate::time::parse_rfc3339(value) {
        None => warnings.push(format!(
            "{var} is not an RFC 3339 date and time (`2026-12-02T13:00:00Z`): environment mode \
             refuses the credentials"
        )),
        Some(at) if at <= os.now() => warnings.push(format!(
            "{var} says the environment's credentials expired at {}: get new ones",
            crate::time::rfc3339(at)
        )),
        Some(_) => {}
    }
}

/// What the key in `AWS_BEARER_TOKEN_BEDROCK` is, with warnings: it overrides auto mode's
/// credentials for Bedrock, and a short-term key may be malformed or expired.
pub(super) fn api_key_report(os: &Os, warnings: &mut Vec<String>) -> Option<ApiKeyInfo> {
    let mut key = os
        .env
        .get(BEARER_TOKEN_VAR)
        .ok()
        .filter(|k| !k.trim().is_empty())?;
    warnings.push(format!(
        "{BEARER_TOKEN_VAR} is set: in auto mode, Bedrock calls use this API key instead of the \
         default chain's credentials (the explicit modes ignore it)"
    ));
    let parsed = ApiKeyInfo::parse(key.trim());
    zeroize::Zeroize::zeroize(&mut key);
    // The route of a bearer key: plain HTTP through a proxy not on this machine is refused.
    let choice = crate::proxy::ProxyChoice::FromEnvironment;
    if let Some(clear) = crate::proxy::clear_bearer_route(os, &choice, None) {
        warnings.push(format!(
            "{} is plain http:// and its requests go through the proxy {}, which is not on this \
             machine: Bedrock calls with the API key are refused (use https://, or NO_PROXY for \
             that host)",
            clear.source, clear.proxy
        ));
    }
    match parsed {
        Ok(info) => {
            if let Err(err) = info.check_not_expired(os.now()) {
                warnings.push(format!("{BEARER_TOKEN_VAR}: {}", err.message()));
            }
            Some(info)
        }
        Err(err) => {
            warnings.push(format!("{BEARER_TOKEN_VAR}: {}", err.message()));
            None
        }
    }
}

/// How long instance metadata is waited for, in words, as a manager of the default chain
/// would wait given this world's variables and selected profile.
pub(super) fn metadata_report(
    os: &Os,
    config: Option<&ProfileSet>,
    warnings: &mut Vec<String>,
) -> String {
    if os
        .var("AWS_EC2_METADATA_DISABLED")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        return "off (AWS_EC2_METADATA_DISABLED=true)".to_owned();
    }
    let env_timeout = os.var(metadata::TIMEOUT_VAR);
    let env_attempts = os.var(metadata::ATTEMPTS_VAR);
    let [profile_timeout, profile_attempts] =
        metadata::PROFILE_KEYS.map(|key| config.and_then(|set| set.get(key)));
    let said = metadata::Said {
        env_timeout: env_timeout.as_deref(),
        env_attempts: env_attempts.as_deref(),
        profile_timeout,
        profile_attempts,
        ..metadata::Said::default()
    };
    match said.resolve() {
        Ok(Some(resolved)) => resolved.to_string(),
        Ok(None) => format!(
            "aws-config's own (1s per attempt, up to 4 attempts); off EC2, {}=0.1 and {}=1 \
             give up on it in 100 ms, AWS_EC2_METADATA_DISABLED=true at once",
            metadata::TIMEOUT_VAR,
            metadata::ATTEMPTS_VAR
        ),
        Err(problem) => {
            warnings.push(format!("instance metadata: {problem}"));
            format!("invalid: {problem}")
        }
    }
}
