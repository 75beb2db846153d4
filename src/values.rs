//! Validated values: types that can only hold valid input.
//!
//! Each type parses with [`FromStr`](std::str::FromStr) and `TryFrom<&str>`, rejecting bad
//! input with a [`ValueError`] that names the rule broken. [`RoleArn`], [`Region`] and
//! [`SessionDuration`] also have `const` constructors, so a malformed literal used in a `const`
//! is a compile error.
//!
//! Builder methods take any [`IntoValue`] input: an already checked value, or a string that is
//! checked when [`build()`](crate::AuthBuilder::build) is called, together with every other
//! field.

use crate::error::{Rule, ValueError, ValueKind};

mod access_key_id;
pub(crate) mod endpoint_url;
mod external_id;
mod mfa_serial;
mod policy_arn;
mod profile_name;
mod region;
mod role_arn;
mod session_duration;
mod session_name;
mod session_policy;
mod session_tag;
mod source_identity;

pub use access_key_id::AccessKeyId;
pub use endpoint_url::EndpointUrl;
pub use external_id::ExternalId;
pub use mfa_serial::MfaSerial;
pub(crate) use policy_arn::MAX_POLICY_ARNS;
pub use policy_arn::PolicyArn;
pub use profile_name::ProfileName;
pub use region::Region;
pub use role_arn::RoleArn;
pub use session_duration::SessionDuration;
pub use session_name::SessionName;
pub use session_policy::SessionPolicy;
pub(crate) use session_tag::MAX_SESSION_TAGS;
pub use session_tag::{SessionTag, TagKey};
pub use source_identity::SourceIdentity;

/// Something a builder accepts where it wants a `T`: the checked `T` itself, or raw input
/// (a string, for a duration also seconds or a [`std::time::Duration`]) that is checked when
/// the builder is built.
///
/// This trait is sealed: its implementations are the ones listed here.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as a `{T}`",
    label = "expected a `{T}` or a string to be checked as one",
    note = "pass a `&str`/`String` (checked by `build()`), or a value already parsed with `{T}::from_str`"
)]
pub trait IntoValue<T>: sealed::Sealed<T> {
    /// Checks the input and converts it.
    fn into_value(self) -> Result<T, ValueError>;
}

mod sealed {
    pub trait Sealed<T> {}
}

/// Implements the string inputs and the identity input for a validated type with `FromStr`.
macro_rules! string_inputs {
    ($ty:ty) => {
        impl crate::values::sealed::Sealed<$ty> for $ty {}
        impl crate::values::IntoValue<$ty> for $ty {
            fn into_value(self) -> Result<$ty, crate::error::ValueError> {
                Ok(self)
            }
        }
        impl crate::values::sealed::Sealed<$ty> for &str {}
        impl crate::values::IntoValue<$ty> for &str {
            fn into_value(self) -> Result<$ty, crate::error::ValueError> {
                self.parse()
            }
        }
        impl crate::values::sealed::Sealed<$ty> for String {}
        impl crate::values::IntoValue<$ty> for String {
            fn into_value(self) -> Result<$ty, crate::error::ValueError> {
                self.parse()
            }
        }
        impl crate::values::sealed::Sealed<$ty> for &String {}
        impl crate::values::IntoValue<$ty> for &String {
            fn into_value(self) -> Result<$ty, crate::error::ValueError> {
                self.parse()
            }
        }
        impl TryFrom<&str> for $ty {
            type Error = crate::error::ValueError;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                value.parse()
            }
        }
        impl TryFrom<String> for $ty {
            type Error = crate::error::ValueError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                value.parse()
            }
        }
    };
}
pub(crate) use string_inputs;

/// Which characters a value may contain. A `const`-friendly stand-in for a predicate, since
/// `const fn` cannot call function pointers.
#[derive(Clone, Copy)]
pub(crate) enum Charset {
    /// `[\w+=,.@-]`: session names and role names.
    SessionName,
    /// `[\w+=,./@:-]`: external ids.
    ExternalId,
    /// `[\w+=/:,.@-]`: MFA serials.
    MfaSerial,
    /// `[A-Z0-9]`: access key ids, as AWS issues them (`AKIA...`, `ASIA...`).
    KeyId,
    /// `[A-Za-z0-9_\-/.%@:+]`: profile names, as aws-config's profile parser accepts them.
    ProfileName,
    /// `[a-z0-9-]`: regions.
    Region,
    /// `[\x21-\x7e]`: printable ASCII without space.
    Printable,
}

impl Charset {
    pub(crate) const fn allows(self, b: u8) -> bool {
        let word = b.is_ascii_alphanumeric() || b == b'_';
        match self {
            Self::SessionName => word || matches!(b, b'+' | b'=' | b',' | b'.' | b'@' | b'-'),
            Self::ExternalId => {
                word || matches!(b, b'+' | b'=' | b',' | b'.' | b'/' | b'@' | b':' | b'-')
            }
            Self::MfaSerial => {
                word || matches!(b, b'+' | b'=' | b'/' | b':' | b',' | b'.' | b'@' | b'-')
            }
            Self::KeyId => b.is_ascii_uppercase() || b.is_ascii_digit(),
            Self::ProfileName => {
                word || matches!(b, b'-' | b'/' | b'.' | b'%' | b'@' | b':' | b'+')
            }
            Self::Region => b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-',
            Self::Printable => matches!(b, 0x21..=0x7e),
        }
    }
}

/// Checks `bytes[start..end]`: not empty, only `charset`, `min..=max` long.
///
/// Characters come before length so that a non-ASCII character is reported as such rather
/// than as a length in bytes.
pub(crate) const fn check_span(
    bytes: &[u8],
    start: usize,
    end: usize,
    charset: Charset,
    min: usize,
    max: usize,
) -> Result<(), Rule> {
    if start >= end {
        return Err(Rule::Empty);
    }
    let mut i = start;
    while i < end {
        if !charset.allows(bytes[i]) {
            return Err(Rule::InvalidChar { at: i });
        }
        i += 1;
    }
    let len = end - start;
    if len < min {
        return Err(Rule::TooShort { min });
    }
    if len > max {
        return Err(Rule::TooLong { max });
    }
    Ok(())
}

/// Whether `bytes[start..end]` equals `expected`.
pub(crate) const fn span_eq(bytes: &[u8], start: usize, end: usize, expected: &str) -> bool {
    let expected = expected.as_bytes();
    if end - start != expected.len() {
        return false;
    }
    let mut i = 0;
    while i < expected.len() {
        if bytes[start + i] != expected[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Runs a whole-value check and wraps a broken rule into a [`ValueError`].
pub(crate) fn checked(
    kind: ValueKind,
    value: &str,
    check: Result<(), Rule>,
) -> Result<(), ValueError> {
    check.map_err(|rule| ValueError::new(kind, value, rule))
}

/// Defines a validated string type whose rule is a character set and a length range.
macro_rules! charset_value {
    (
        $(#[$doc:meta])*
        $name:ident, $kind:ident, $charset:ident, $min:literal ..= $max:literal
    ) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Box<str>);

        impl $name {
            /// The value as a string.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::error::ValueError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let check = crate::values::check_span(
                    s.as_bytes(),
                    0,
                    s.len(),
                    crate::values::Charset::$charset,
                    $min,
                    $max,
                );
                crate::values::checked(crate::error::ValueKind::$kind, s, check)?;
                Ok(Self(Box::from(s)))
            }
        }

        crate::values::string_inputs!($name);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.as_str()).finish()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}
pub(crate) use charset_value;
