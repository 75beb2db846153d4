//! How connections are made: through which proxy, trusting which certificate authorities.

use super::{Apply, Key, common};

/// The proxy (a URL, or `"off"` for none) and the CA bundle (a path to PEM certificates).
pub(super) const KEYS: &[Key] = &[
    common("proxy", "BEDROCK_AUTH_PROXY", "proxy").apply(Apply::Text(|builder, proxy| {
        if proxy.eq_ignore_ascii_case("off") {
            builder.without_proxy()
        } else {
            builder.proxy(proxy)
        }
    })),
    common("ca_bundle", "BEDROCK_AUTH_CA_BUNDLE", "CA bundle")
        .apply(Apply::Text(|builder, path| builder.ca_bundle(path))),
];
