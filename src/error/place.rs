//! The places a hint points to ([`Place`]): the settings a fix is made in, worded here as code
//! makes them and by a program of its own for its users (the `bedrock-auth` command names its
//! flags).

use std::borrow::Cow;

/// A setting that a hint of an [`AuthError`](super::AuthError) points to.
///
/// [`hint()`](super::AuthError::hint) names each as a program sets it (`.region(..)`). A program
/// whose users set them some other way (flags, a file) words them itself with
/// [`hint_with`](super::AuthError::hint_with):
///
/// ```
/// use bedrock_auth::{AuthError, ErrorKind, error::Place};
///
/// # let error = AuthError::new(ErrorKind::NoRegion, "no region", "x");
/// let hint = error.hint_with(|place| match place {
///     Place::Region => Some("pass `--region us-east-1`"),
///     _ => None, // the library's own words
/// });
/// # drop(hint);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    /// The region, as a whole instruction: "call `.region("us-east-1")` on the builder".
    Region,
    /// The region setting's name, inside a sentence: "`.region(..)`".
    RegionSetting,
    /// The three timeouts: connect, operation (credentials and STS) and Bedrock.
    Timeouts,
    /// The operation timeout, the bound on credentials and STS.
    OperationTimeout,
    /// The Bedrock timeout, the bound on a model's answer.
    BedrockTimeout,
    /// The number of attempts per call.
    MaxAttempts,
    /// The MFA provider, which gives a role's MFA code.
    Mfa,
    /// The custom source of custom-source mode.
    CustomSource,
    /// What ends a lockout early.
    ResetLockout,
    /// The endpoint URL.
    EndpointUrl,
    /// Where a new short-term Bedrock API key is made.
    NewApiKey,
    /// The CA bundle HTTPS connections trust.
    CaBundle,
}

/// Each place: its marker in a hint as written (`<<region>>`) and its words for code.
const PLACES: [(Place, &str, &str); 12] = [
    (
        Place::Region,
        "<<region>>",
        "call `.region(\"us-east-1\")` on the builder",
    ),
    (Place::RegionSetting, "<<region_short>>", "`.region(..)`"),
    (
        Place::Timeouts,
        "<<timeouts>>",
        "`connect_timeout` / `operation_timeout` / `bedrock_timeout` on the builder",
    ),
    (
        Place::OperationTimeout,
        "<<operation_timeout>>",
        "`operation_timeout` on the builder",
    ),
    (
        Place::BedrockTimeout,
        "<<bedrock_timeout>>",
        "`bedrock_timeout` on the builder",
    ),
    (
        Place::MaxAttempts,
        "<<max_attempts>>",
        "`max_attempts` on the builder",
    ),
    (
        Place::Mfa,
        "<<mfa>>",
        "the MFA provider passed to `.mfa(..)`",
    ),
    (
        Place::CustomSource,
        "<<custom_source>>",
        "the source passed to `.credential_source(..)`",
    ),
    (
        Place::ResetLockout,
        "<<reset_lockout>>",
        "call `reset_lockout()`",
    ),
    (
        Place::EndpointUrl,
        "<<endpoint>>",
        "the builder's `endpoint_url`",
    ),
    (
        Place::NewApiKey,
        "<<new_key>>",
        "`AuthManager::bedrock_api_key`",
    ),
    (
        Place::CaBundle,
        "<<ca_bundle>>",
        "`.ca_bundle(..)` on the builder",
    ),
];

/// `text` with its place markers worded by `words`, or as code names them where `words` has
/// none; borrowed when it has no marker.
pub(super) fn render<'w>(text: &str, words: impl Fn(Place) -> Option<&'w str>) -> Cow<'_, str> {
    if !text.contains("<<") {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_owned();
    for (place, marker, code) in PLACES {
        if out.contains(marker) {
            out = out.replace(marker, words(place).unwrap_or(code));
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_place_has_one_marker_and_words_for_code() {
        for (i, (place, marker, code)) in PLACES.iter().enumerate() {
            assert!(
                marker.starts_with("<<") && marker.ends_with(">>"),
                "{place:?}"
            );
            assert!(!code.is_empty(), "{place:?}");
            let others = PLACES.iter().skip(i + 1);
            assert!(
                others.clone().all(|(p, m, _)| p != place && m != marker),
                "{place:?}"
            );
        }
        assert_eq!(
            render("<<region>>; <<mfa>>", |_| None),
            format!("{}; {}", PLACES[0].2, PLACES[6].2)
        );
        assert_eq!(
            render("<<region>>", |p| (p == Place::Region).then_some("R")),
            "R"
        );
    }
}
