//! The errors: of configuration, one bad value ([`ValueError`]) and every problem of a builder
//! at once ([`ConfigError`]); of authentication and of AWS's answers ([`AuthError`], sorted by
//! [`ErrorKind`]).
//!
//! Messages name the field or the call, what AWS answered (never a secret) and, in the hint,
//! the fix. A hint that points to a setting names it as code sets it (`.region(..)`); a program
//! that shows errors to people who set things another way words those places itself
//! ([`AuthError::hint_with`], [`Place`]).

mod auth;
pub(crate) mod codes;
mod config;
mod kind;
mod place;
mod sign_in;
mod value;

pub use auth::AuthError;
pub(crate) use auth::NETWORK_HINT;
pub use config::{ConfigError, Problem};
pub use kind::ErrorKind;
pub use place::Place;
pub use sign_in::{SignIn, SignInKind};
pub use value::{Rule, ValueError, ValueKind};

/// The error a source of yours returns ([`CredentialSource`](crate::custom::CredentialSource),
/// [`MfaProvider`](crate::mfa::MfaProvider)): any error, kept as the cause.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;
