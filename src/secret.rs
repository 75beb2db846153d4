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
/// printed. A word is a run of the characters keys are written in (letters, digits, `+`, `/`)
/// with the `=` padding that may end it; an `=` followed by more of them ends the word, so
/// `tenant=<secret>` is two words. A word is of a secret's shape when, without its padding, it
/// is 20 characters or more with lower- and upper-case letters and a digit, unless it is an
/// absolute path whose first directory exists (`/home/..`, `/Users/..`: a secret that starts
/// with `/` names nothing there). Borrowed when nothing is replaced.
///
/// ```
/// use bedrock_auth::secret::without_secret_shapes;
///
/// let shown = without_secret_shapes("invalid region `tenant=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`");
/// assert_eq!(shown, "invalid region `tenant=********`");
/// let shown = without_secret_shapes("/K7MDENGbPxRfiCYEXAMPLEKEYwJalrXUtnFEMI0 is not a region");
/// assert_eq!(shown, "******** is not a region");
/// # if std::path::Path::new("/tmp").exists() {
/// assert_eq!(without_secret_shapes("read /tmp/Dev2024/Projects/config"), "read /tmp/Dev2024/Projects/config");
/// # }
/// ```
pub fn without_secret_shapes(text: &str) -> Cow<'_, str> {
    if !words(text).any(|(_, word)| shaped(word)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut shown_to = 0;
    for (at, word) in words(text).filter(|(_, word)| shaped(word)) {
        out.push_str(&text[shown_to..at]);
        out.push_str("********");
        shown_to = at + word.len();
    }
    out.push_str(&text[shown_to..]);
    Cow::Owned(out)
}

/// A character a key is written in (base64's alphabet, without its `=` padding).
fn key_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
}

/// The words of `text` and where each starts: runs of [`key_char`]s, each with the `=` that
/// directly follow it.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() && !key_char(bytes[at]) {
            at += 1;
        }
        let start = at;
        while at < bytes.len() && key_char(bytes[at]) {
            at += 1;
        }
        while at < bytes.len() && bytes[at] == b'=' {
            at += 1;
        }
        // Only ASCII bytes were passed over, so both ends are character boundaries.
        (start < bytes.len()).then(|| (start, &text[start..at]))
    })
}

/// Whether `word` (of [`words`]) is of a secret's shape.
fn shaped(word: &str) -> bool {
    looks_like_secret(word.trim_end_matches('=')) && !names_an_existing_root(word)
}

/// Whether `word` is an absolute path whose first directory is an entry of `/`: a path that
/// is shown, whatever its letters. A secret starting with `/` has a first part of random
/// letters that names nothing there.
fn names_an_existing_root(word: &str) -> bool {
    let Some(rest) = word.strip_prefix('/') else {
        return false;
    };
    match rest.split_once('/') {
        Some((first, _)) if !first.is_empty() => {
            std::fs::symlink_metadata(std::path::Path::new("/").join(first)).is_ok()
        }
        _ => false,
    }
}

/// Whether `text` holds a word of a secret's shape ([`without_secret_shapes`] would replace one).
pub(crate) fn holds_secret_shape(text: &str) -> bool {
    words(text).any(|(_, word)| shaped(word))
}

/// Whether `text` holds a word of a secret's shape, a path's included: for a value that is
/// never a path (a region, a role ARN, a session name), where `/tmp/<secret>` is a secret
/// behind a prefix.
pub(crate) fn holds_secret_shape_even_in_a_path(text: &str) -> bool {
    words(text).any(|(_, word)| looks_like_secret(word.trim_end_matches('=')))
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

#[cfg(test)]
mod tests {
    use super::without_secret_shapes;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    /// A secret that starts as an absolute path does (AWS's keys may start with `/`).
    const SLASHED: &str = "/K7MDENGbPxRfiCYEXAMPLEKEYwJalrXUtnFEMI0";

    #[test]
    fn a_secret_behind_a_name_a_url_or_a_slash_is_replaced() {
        for secret in [SECRET, SLASHED] {
            for text in [
                secret.to_owned(),
                format!("tenant={secret}"),
                format!("aws_secret_access_key={secret}"),
                format!("a=b={secret}=="),
                format!("http://{secret}@127.0.0.1:9"),
                format!("http://user:{secret}@127.0.0.1:9"),
                format!("profile:{secret}"),
                format!("x,{secret}"),
                format!("/nowhere-at-all{secret}"),
            ] {
                let shown = without_secret_shapes(&text);
                assert!(!shown.contains("K7MDENG"), "{text} -> {shown}");
            }
        }
    }

    #[test]
    fn padding_and_paths_that_exist_are_kept() {
        let key = "QUtJQUlPU0ZPRE5ON0VYQU1QTEUxMjM0NTY3ODkw==";
        assert_eq!(without_secret_shapes(key), "********");
        assert_eq!(without_secret_shapes("tag=Value2024"), "tag=Value2024");
        // A path under a directory of `/` is a path, not a secret, whatever its letters.
        let root = std::fs::read_dir("/")
            .unwrap()
            .filter_map(Result::ok)
            .find(|entry| entry.file_name().to_str().is_some_and(|n| n.len() >= 3))
            .unwrap()
            .file_name();
        let path = format!("/{}/Work2024/ProjectsA/config", root.to_str().unwrap());
        assert_eq!(without_secret_shapes(&path), path);
    }
}
