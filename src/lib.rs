//! Compile-time-checked authentication for AWS Bedrock.
//!
//! # Example
//!
//! ```
//! use bedrock_auth::{AuthManager, modes::ModeKind, RoleArn};
//!
//! const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/BedrockAccess");
//!
//! let manager = AuthManager::builder()
//!     .region("us-east-1")
//!     .assume_role(ROLE)
//!     .external_id("unique-external-id")
//!     .session_name("orders-service")
//!     .duration(7200)
//!     .source_profile("base")
//!     .build()?;
//!
//! let info = manager.info();
//! assert_eq!(info.mode, ModeKind::AssumeRole);
//! assert!(info.external_id_set); // whether it is set, never its value
//! println!("{info}");
//! # Ok::<(), bedrock_auth::ConfigError>(())
//! ```
//!
//! # The builder
//!
//! [`AuthManager::builder()`] starts in [`WantsMode`](modes::WantsMode). One call chooses the mode and takes
//! what that mode needs:
//!
//! | call | mode |
//! |---|---|
//! | [`.profile(name)`](AuthBuilder::profile) | a named profile of the shared config files |
//! | [`.environment()`](AuthBuilder::environment) | `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` only |
//! | [`.static_credentials(id, secret)`](AuthBuilder::static_credentials) | a key pair in code, then optionally [`.session_token(..)`](AuthBuilder::session_token) |
//! | [`.assume_role(arn)`](AuthBuilder::assume_role) | STS `AssumeRole`, with [`external_id`](AuthBuilder::external_id), [`session_name`](AuthBuilder::session_name), [`duration`](AuthBuilder::duration), [`mfa`](AuthBuilder::mfa) and `source_*` |
//! | [`.auto()`](AuthBuilder::auto) | the standard AWS default chain |
//! | [`.credential_source(source)`](AuthBuilder::credential_source) | credentials from a [`CredentialSource`](custom::CredentialSource) of your own |
//! | [`.api_key(key)`](AuthBuilder::api_key), [`.api_key_from_env()`](AuthBuilder::api_key_from_env) | a Bedrock API key, sent to Bedrock Runtime as a bearer token |
//!
//! Any SigV4 mode also makes short-term Bedrock API keys:
//! [`AuthManager::bedrock_api_key`] (see [`ShortTermKey`](api_key::ShortTermKey)).
//!
//! [`region`](AuthBuilder::region), [`endpoint_url`](AuthBuilder::endpoint_url) and the
//! timeouts work in every mode.
//!
//! What the types rule out does not compile, and the compiler says what to do instead:
//!
//! ```compile_fail
//! // error: no authentication mode chosen: `build()` needs one
//! let manager = bedrock_auth::AuthManager::builder().region("us-east-1").build();
//! ```
//!
//! ```compile_fail
//! // error: assume-role options need assume-role mode, but this builder is in `Profile` mode
//! let manager = bedrock_auth::AuthManager::builder().profile("dev").external_id("abc").build();
//! ```
//!
//! ```compile_fail
//! // error: `session_token` belongs to static credentials, but this builder is in `ApiKey` mode
//! use bedrock_auth::{AuthManager, SecretString};
//! let manager = AuthManager::builder()
//!     .api_key(SecretString::from("bedrock-api-key-..."))
//!     .session_token(SecretString::from("token"))
//!     .build();
//! ```
//!
//! ```compile_fail
//! // error: a secret must be wrapped on purpose: `&str` is not a `SecretString`
//! let manager = bedrock_auth::AuthManager::builder()
//!     .static_credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG")
//!     .build();
//! ```
//!
//! Every such case is a test in `ui-tests/`.
//!
//! The [`guide`] is the manual: [modes](guide::modes), [errors](guide::errors),
//! [config-as-code](guide::config), [Bedrock clients and API keys](guide::bedrock),
//! [the command](guide::command), [monitoring](guide::monitoring),
//! [many tenants](guide::tenants), [testing](guide::testing) and
//! [guarantees](guide::guarantees).
//!
//! # Validated values
//!
//! [`RoleArn`], [`Region`], [`ProfileName`], [`SessionName`], [`ExternalId`],
//! [`AccessKeyId`], [`SessionDuration`], [`MfaSerial`] and [`EndpointUrl`] can only hold valid
//! values. Builder methods take them or plain strings; strings are checked by
//! [`build()`](AuthBuilder::build), which reports every problem at once in a [`ConfigError`].
//!
//! # Secrets
//!
//! Secrets are [`SecretString`]s from the moment they enter: zeroized on drop and shown as
//! `[REDACTED]` by every `Debug` of this crate. [`AuthInfo`](manager::AuthInfo) says whether a
//! secret is set, never what it is.
//!
//! # Where things are
//!
//! The crate root holds what a first program names. The rest is grouped by concept:
//! [`modes`] (the builder's states), [`values`], [`secret`], [`error`], [`manager`] (what a
//! manager reports), [`config`], [`api_key`], [`custom`], [`mfa`], [`web_identity`],
//! [`fallback`], [`monitor`], [`diagnose`], [`limits`], [`logs`] (what a subscriber leaves out), [`printable`] (outside text made safe to print), and, with the `test-util` feature,
//! `testing`.

#![forbid(unsafe_code)]

/// `impl Serialize` as the type's `Display`: the names this crate prints (`assume_role`,
/// `no_credentials`, ...) are the names its JSON carries.
macro_rules! serialize_as_display {
    ($($ty:ty),+) => {$(
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
    )+};
}

pub mod api_key;
mod bounded;
mod builder;
mod classify;
pub mod config;
mod config_keys;
pub mod diagnose;
mod endpoint_guard;
mod endpoints;
pub mod error;
pub mod fallback;
pub mod guide;
pub mod logs;
pub mod manager;
mod metadata;
pub mod mfa;
mod mode_kind;
pub mod modes;
pub mod monitor;
mod os;
pub mod printable;
mod proxy;
mod quiet_logs;
mod reply;
mod rotation;
mod sdk_errors;
pub mod secret;
mod settings;
mod shared;
mod silent_stream;
mod sources;
mod static_keys;
#[cfg(feature = "test-util")]
pub mod testing;
mod time;
mod tls;
pub mod values;
pub mod web_identity;

/// Custom-source mode: credentials from a source of your own, asked again before they expire.
///
/// Implement [`CredentialSource`](crate::rotation::CredentialSource) (or pass an `async` closure) and give it to
/// [`.credential_source(..)`](crate::AuthBuilder::credential_source).
pub mod custom {
    pub use crate::rotation::{CredentialSource, CredentialsFuture, FreshCredentials};
}

/// The defaults and bounds of the builder's timeouts and retries, and how often the files
/// credentials come from are checked for changes.
pub mod limits {
    pub use crate::os::FILE_CHECK_INTERVAL;
    pub use crate::settings::{
        DEFAULT_BEDROCK_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_ATTEMPTS,
        DEFAULT_OPERATION_TIMEOUT, MAX_CONNECT_TIMEOUT, MAX_LOCKOUT_COOL_DOWN,
        MAX_METADATA_TIMEOUT, MAX_OPERATION_TIMEOUT,
    };
}

// What a first program needs; the rest is in the modules above.
pub use builder::AuthBuilder;
pub use classify::Classify;
pub use config::AuthConfig;
pub use error::{AuthError, ConfigError, ErrorKind};
pub use manager::AuthManager;
pub use secret::{ExposeSecret, SecretString};
pub use shared::Shared;
pub use values::{
    AccessKeyId, EndpointUrl, ExternalId, MfaSerial, ProfileName, Region, RoleArn, SessionDuration,
    SessionName,
};

// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
