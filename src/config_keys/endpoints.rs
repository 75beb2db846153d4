//! Where requests go: the region, a custom endpoint, and AWS's FIPS and dual-stack hosts.

use super::{Apply, Key, Shown, common};

/// The keys of where requests go, each applied to the builder method of its name.
pub(super) const KEYS: &[Key] = &[
    common("region", "BEDROCK_AUTH_REGION", "region")
        .aliases(&["region_override"])
        .apply(Apply::Text(|builder, region| builder.region(region))),
    // A URL with a secret pasted in by mistake would not pass its check: shown when valid.
    common("endpoint_url", "BEDROCK_AUTH_ENDPOINT_URL", "endpoint")
        .shown(Shown::IfValid)
        .apply(Apply::Text(|builder, url| builder.endpoint_url(url))),
    common(
        "use_fips_endpoint",
        "BEDROCK_AUTH_USE_FIPS_ENDPOINT",
        "FIPS endpoints",
    )
    .builder("use_fips")
    .apply(Apply::Switch(|builder, on| builder.use_fips(on))),
    common(
        "use_dualstack_endpoint",
        "BEDROCK_AUTH_USE_DUALSTACK_ENDPOINT",
        "dual-stack endpoints",
    )
    .builder("use_dual_stack")
    .apply(Apply::Switch(|builder, on| builder.use_dual_stack(on))),
];
