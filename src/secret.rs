//! Secrets: how they enter the builder.
//!
//! A secret is a [`SecretString`] from the moment it enters: zeroized on drop, `Debug` prints
//! `[REDACTED]`, and the only way to read it is [`ExposeSecret::expose_secret`], which this
//! crate calls only where a secret must leave its wrapper: into the SDK's credentials that
//! sign, into STS parameters (external id, MFA code), into the SDK's bearer token (once per
//! key, with the offline reading of the key's format), and for the builder's check that a
//! secret is not empty, which copies nothing.
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

/// Whether `value` has the shape of an AWS secret (a secret access key, a session token, an
/// API key) rather than of an id, a name or a path: 20 characters or more, all of base64
/// (letters, digits, `+`, `/`), with lower- and upper-case letters and a digit. A value of that
/// shape where a secret does not belong is refused without being shown: it is most likely the
/// secret itself, in the wrong place.
pub(crate) fn looks_like_secret(value: &str) -> bool {
    let has = |test: fn(&u8) -> bool| value.as_bytes().iter().any(test);
    value.len() >= 20
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        && has(u8::is_ascii_lowercase)
        && has(u8::is_ascii_uppercase)
        && has(u8::is_ascii_digit)
}

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
#[diagnostic::do_not_recommend]
impl IntoSecret for SecretString {
    fn into_secret(self) -> SecretString {
        self
    }
}
