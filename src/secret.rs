//! Secrets: how they enter the builder.
//!
//! A secret is a [`SecretString`] from the moment it enters: zeroized on drop, `Debug` prints
//! `[REDACTED]`, and the only way to read it is [`ExposeSecret::expose_secret`], which this
//! crate calls only where a secret must leave its wrapper (signing, STS).
//!
//! Wrap a secret as soon as you read it. `SecretString::from(String)` may reallocate and leave
//! the original buffer unwiped; reading straight into the wrapper avoids that:
//!
//! ```
//! use bedrock_auth::SecretString;
//!
//! let secret = SecretString::from("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
//! assert_eq!(format!("{secret:?}"), "SecretBox<str>([REDACTED])");
//! ```

pub use secrecy::{ExposeSecret, SecretString};

/// A secret input: only a [`SecretString`] is accepted, so that a plain `&str` or `String`
/// cannot be passed where a secret belongs by accident.
///
/// This trait is sealed.
#[diagnostic::on_unimplemented(
    message = "a secret must be wrapped on purpose: `{Self}` is not a `SecretString`",
    label = "expected a `SecretString`",
    note = "wrap it where you read it: `SecretString::from(value)`, so it is zeroized on drop and never printed"
)]
pub trait IntoSecret: sealed::Sealed {
    /// The wrapped secret.
    fn into_secret(self) -> SecretString;
}

mod sealed {
    pub trait Sealed {}
}

impl sealed::Sealed for SecretString {}
impl IntoSecret for SecretString {
    fn into_secret(self) -> SecretString {
        self
    }
}
