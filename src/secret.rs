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

use std::borrow::Cow;

pub use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroize;

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

/// `text` with every word of a secret's shape replaced by `********`: the one rule for a value
/// that is not a secret by its kind (a region, a profile name, a path, a model id, a server's
/// message) and is shown back, so that a secret typed or answered in the wrong place is never
/// printed. A word is a run of the characters keys are written in (letters, digits, `+`, `/`,
/// `=`); it is of a secret's shape when, without its `=` padding, it is 20 characters or more
/// with lower- and upper-case letters and a digit, and does not start as a path does (`/`).
/// Borrowed when nothing is replaced.
///
/// ```
/// use bedrock_auth::secret::without_secret_shapes;
///
/// let shown = without_secret_shapes("invalid region `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`");
/// assert_eq!(shown, "invalid region `********`");
/// assert_eq!(without_secret_shapes("profile dev-2 in /home/Dev2024/config"), "profile dev-2 in /home/Dev2024/config");
/// ```
pub fn without_secret_shapes(text: &str) -> Cow<'_, str> {
    let key_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=');
    let shaped =
        |word: &str| !word.starts_with('/') && looks_like_secret(word.trim_end_matches('='));
    let mut words = text
        .split(|c: char| !key_char(c))
        .filter(|word| shaped(word));
    if words.next().is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    for c in text.chars().chain(std::iter::once('\0')) {
        if key_char(c) {
            word.push(c);
            continue;
        }
        if shaped(&word) {
            out.push_str("********");
        } else {
            out.push_str(&word);
        }
        word.zeroize();
        word.clear();
        if c != '\0' {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `text` holds a word of a secret's shape ([`without_secret_shapes`] would replace one).
pub(crate) fn holds_secret_shape(text: &str) -> bool {
    matches!(without_secret_shapes(text), Cow::Owned(_))
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
