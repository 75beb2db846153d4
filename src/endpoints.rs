//! Which of AWS's endpoints requests go to: the FIPS and dual-stack settings, resolved once
//! and refused when they cannot be read, and the regional host AWS's endpoint rules choose
//! with them (`sts-fips.us-east-1.amazonaws.com`, `bedrock-runtime.us-east-1.api.aws`).
//!
//! Each setting is the builder's (`use_fips`, `use_dual_stack`), else its variable
//! (`AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT`), else the profile's key
//! (`use_fips_endpoint`, `use_dualstack_endpoint`), as aws-config reads them. aws-config
//! logs a value that is neither `true` nor `false` and goes on with the regular endpoint; a
//! FIPS setting that cannot be read is refused here instead: the requests would leave the
//! FIPS endpoints that were asked for.

/// One of the two settings: how it is named where it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Variant {
    /// In words: `FIPS`, `dual-stack`.
    pub(crate) name: &'static str,
    /// The builder's method and the configuration's key.
    pub(crate) method: &'static str,
    pub(crate) key: &'static str,
    /// aws-config's variable and profile key.
    pub(crate) var: &'static str,
    pub(crate) profile_key: &'static str,
}

/// FIPS 140 endpoints (`sts-fips.us-east-1.amazonaws.com`).
pub(crate) const FIPS: Variant = Variant {
    name: "FIPS",
    method: "use_fips",
    key: "use_fips_endpoint",
    var: "AWS_USE_FIPS_ENDPOINT",
    profile_key: "use_fips_endpoint",
};

/// Dual-stack (IPv4 and IPv6) endpoints (`sts.us-east-1.api.aws`).
pub(crate) const DUAL_STACK: Variant = Variant {
    name: "dual-stack",
    method: "use_dual_stack",
    key: "use_dualstack_endpoint",
    var: "AWS_USE_DUALSTACK_ENDPOINT",
    profile_key: "use_dualstack_endpoint",
};

/// What a world says of one setting: the builder's value, its variable's, its profile key's
/// (and the profile's name).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Said<'a> {
    pub(crate) builder: Option<bool>,
    pub(crate) var: Option<&'a str>,
    pub(crate) profile: Option<(&'a str, &'a str)>,
}

/// A setting as resolved: its value and where it came from (`AWS_USE_FIPS_ENDPOINT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chosen {
    pub(crate) on: bool,
    pub(crate) from: String,
}

impl Variant {
    /// The setting, from the first place that says it; `None` when none does (the regular
    /// endpoints). A value that is neither `true` nor `false` (in any case, as aws-config
    /// reads it) is refused, with where it was read; the value itself is not quoted back.
    pub(crate) fn resolve(&self, said: Said<'_>) -> Result<Option<Chosen>, String> {
        if let Some(on) = said.builder {
            return Ok(Some(Chosen {
                on,
                from: format!("`.{}(..)`", self.method),
            }));
        }
        let read = |value: &str, from: String| match parse_bool(value) {
            Some(on) => Ok(Some(Chosen { on, from })),
            None => Err(format!(
                "{from} is neither `true` nor `false`, so whether requests must go to {} \
                 endpoints cannot be told",
                self.name
            )),
        };
        if let Some(value) = said.var {
            return read(value, self.var.to_owned());
        }
        if let Some((profile, value)) = said.profile {
            return read(
                value,
                format!("`{}` of profile `{profile}`", self.profile_key),
            );
        }
        Ok(None)
    }
}

/// `true` or `false`, in any case and with the spaces around it that a file may leave.
pub(crate) fn parse_bool(value: &str) -> Option<bool> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The endpoint AWS's rules choose for the service (`"STS"`, `"Bedrock Runtime"`) in
/// `region`, with FIPS and dual-stack as given (`https://sts-fips.us-east-1.amazonaws.com`,
/// `https://sts.us-east-1.api.aws`): the host the SDK's client goes to, from the SDK's own
/// resolver, not a guess of this crate's. `None` for another service, or a region the rules
/// refuse.
pub(crate) fn regional(
    service_id: &str,
    region: &str,
    fips: bool,
    dual_stack: bool,
) -> Option<String> {
    // Each service crate has its own resolver and parameter types, of the same shape.
    macro_rules! resolved {
        ($service:ident) => {{
            use $service::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
            let params = Params::builder()
                .region(region)
                .use_fips(fips)
                .use_dual_stack(dual_stack)
                .build()
                .ok()?;
            now(ResolveEndpoint::resolve_endpoint(
                &DefaultResolver::new(),
                &params,
            ))?
        }};
    }
    let endpoint = match service_id {
        // No SDK crate: one host per region, dual-stack by its domain, and no FIPS variant.
        "Bedrock Mantle" if !fips => {
            return Some(format!("https://bedrock-mantle.{region}.api.aws"));
        }
        "STS" => resolved!(aws_sdk_sts),
        "Bedrock Runtime" => resolved!(aws_sdk_bedrockruntime),
        _ => return None,
    };
    endpoint.ok().map(|endpoint| endpoint.url().to_owned())
}

/// The value of a future that is ready when first polled: the SDK's endpoint resolvers
/// evaluate their rules at once (no I/O), in a future only to share a trait with resolvers
/// that do not. `None` if it is not ready.
fn now<F: std::future::Future>(future: F) -> Option<F::Output> {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::pin!(future).poll(&mut cx) {
        std::task::Poll::Ready(value) => Some(value),
        std::task::Poll::Pending => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_place_that_says_it_wins_and_garbage_is_refused_where_it_was_read() {
        let env_on = Said {
            var: Some("TRUE"),
            profile: Some(("dev", "false")),
            ..Said::default()
        };
        let chosen = FIPS.resolve(env_on).unwrap().unwrap();
        assert!(chosen.on);
        assert_eq!(chosen.from, "AWS_USE_FIPS_ENDPOINT");
        let builder = Said {
            builder: Some(false),
            ..env_on
        };
        assert!(!FIPS.resolve(builder).unwrap().unwrap().on);
        let profile = Said {
            profile: Some(("dev", " true ")),
            ..Said::default()
        };
        assert!(FIPS.resolve(profile).unwrap().unwrap().on);
        assert_eq!(FIPS.resolve(Said::default()).unwrap(), None);
        for bad in ["yes", "1", "", "on", "tru"] {
            let said = Said {
                var: Some(bad),
                ..Said::default()
            };
            let err = FIPS.resolve(said).unwrap_err();
            assert!(err.starts_with("AWS_USE_FIPS_ENDPOINT is neither"), "{err}");
            let said = Said {
                profile: Some(("dev", bad)),
                ..Said::default()
            };
            let err = DUAL_STACK.resolve(said).unwrap_err();
            assert!(
                err.contains("`use_dualstack_endpoint` of profile `dev`"),
                "{err}"
            );
        }
    }

    #[test]
    fn the_hosts_are_the_sdks_own_rules() {
        let host = |service, fips, dual| regional(service, "us-east-1", fips, dual).unwrap();
        assert_eq!(
            host("STS", true, false),
            "https://sts-fips.us-east-1.amazonaws.com"
        );
        assert_eq!(host("STS", false, true), "https://sts.us-east-1.api.aws");
        assert_eq!(
            host("Bedrock Runtime", true, false),
            "https://bedrock-runtime-fips.us-east-1.amazonaws.com"
        );
        assert_eq!(regional("S3", "us-east-1", false, false), None);
    }
}
