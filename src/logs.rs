//! What a `tracing` subscriber should leave out: the AWS SDK's events that print secrets at
//! TRACE.
//!
//! The SDK's orchestrator logs every HTTP request it sends and every response it receives
//! with their `Debug` (target `aws_smithy_runtime::client::orchestrator`, events
//! `transmitting request` and `received response from service`, TRACE). That `Debug` redacts
//! only the headers on the SDK's own list (`authorization`, `x-amz-security-token`, cookies):
//! the SSO portal's `x-amz-sso_bearer_token`, the access token of an `aws sso login` session,
//! is printed as it is, and a body held in memory is printed byte for byte. And with
//! `LOG_SENSITIVE_BODIES=true` in the environment, the SDK prints every response body
//! (target `aws_smithy_runtime::client::orchestrator::http`, `read HTTP response body`):
//! the keys STS and the SSO portal hand out, a sign-in session's refresh token.
//!
//! This crate resolves credentials under a scope that leaves these events out; the SDK
//! clients a program builds itself (and the calls outside that scope) do not. Give the
//! subscriber [`carries_secrets`] as a filter:
//!
//! ```
//! use tracing_subscriber::filter::{FilterFn, LevelFilter};
//! use tracing_subscriber::prelude::*;
//!
//! let subscriber = tracing_subscriber::registry().with(
//!     tracing_subscriber::fmt::layer()
//!         .with_writer(std::io::stderr)
//!         .with_filter(LevelFilter::TRACE)
//!         .with_filter(FilterFn::new(|metadata| {
//!             !bedrock_auth::logs::carries_secrets(metadata)
//!         })),
//! );
//! let _guard = tracing::subscriber::set_default(subscriber);
//! ```

use tracing_core::Metadata;

/// The SDK's orchestrator: its `request` and `response` fields are HTTP messages.
const ORCHESTRATOR: &str = "aws_smithy_runtime::client::orchestrator";
/// Where the orchestrator logs a response body it read (in full with `LOG_SENSITIVE_BODIES`).
const BODIES: &str = "aws_smithy_runtime::client::orchestrator::http";

/// Whether the event of `metadata` is one of the SDK's that print secrets: an HTTP request
/// or response as the orchestrator logs it (headers the SDK does not redact, such as the SSO
/// access token, and bodies in memory), or a response body. Spans are never such an event.
///
/// ```
/// use tracing::callsite::Callsite;
///
/// // An event of the orchestrator's that logs the request it sends.
/// struct Transmitting;
/// static FIELDS: &[&str] = &["message", "request"];
/// static META: tracing::Metadata<'static> = tracing::Metadata::new(
///     "event transmitting request",
///     "aws_smithy_runtime::client::orchestrator",
///     tracing::Level::TRACE,
///     None,
///     None,
///     None,
///     tracing::field::FieldSet::new(FIELDS, tracing_core::identify_callsite!(&Transmitting)),
///     tracing::metadata::Kind::EVENT,
/// );
/// impl Callsite for Transmitting {
///     fn set_interest(&self, _: tracing::subscriber::Interest) {}
///     fn metadata(&self) -> &tracing::Metadata<'_> {
///         &META
///     }
/// }
/// assert!(bedrock_auth::logs::carries_secrets(&META));
/// ```
pub fn carries_secrets(metadata: &Metadata<'_>) -> bool {
    if !metadata.is_event() {
        return false;
    }
    let has = |name: &str| metadata.fields().field(name).is_some();
    match metadata.target() {
        ORCHESTRATOR => has("request") || has("response"),
        BODIES => has("response"),
        _ => false,
    }
}
