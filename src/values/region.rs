use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::{Charset, check_span, checked};
use crate::error::{Rule, ValueError, ValueKind};

/// An AWS region name, such as `us-east-1` or `eu-central-2`: lowercase words and a final
/// number joined by `-`, at most 32 characters.
///
/// ```
/// use bedrock_auth::Region;
///
/// const HOME: Region = Region::from_static("eu-west-3");
/// let other: Region = "us-gov-west-1".parse()?;
/// assert_ne!(HOME, other);
/// assert!("US-East-1".parse::<Region>().is_err());
/// # Ok::<(), bedrock_auth::error::ValueError>(())
/// ```
///
/// A malformed literal in a `const` does not compile:
///
/// ```compile_fail
/// const HOME: bedrock_auth::Region = bedrock_auth::Region::from_static("us_east_1");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region(Cow<'static, str>);

const MAX_LEN: usize = 32;

const fn check(s: &str) -> Result<(), Rule> {
    let b = s.as_bytes();
    if let Err(rule) = check_span(b, 0, b.len(), Charset::Region, 1, MAX_LEN) {
        return Err(rule);
    }
    // Split on `-`: at least three parts, none empty, all letters but the last, which is all
    // digits.
    let mut parts = 0;
    let mut part_start = 0;
    let mut i = 0;
    while i <= b.len() {
        if i == b.len() || b[i] == b'-' {
            let last = i == b.len();
            if i == part_start || !all(b, part_start, i, last) {
                return Err(Rule::RegionShape);
            }
            parts += 1;
            part_start = i + 1;
        }
        i += 1;
    }
    if parts < 3 {
        return Err(Rule::RegionShape);
    }
    Ok(())
}

/// Whether `b[start..end]` is all digits (`digits`) or all letters.
const fn all(b: &[u8], start: usize, end: usize, digits: bool) -> bool {
    let mut i = start;
    while i < end {
        let ok = if digits {
            b[i].is_ascii_digit()
        } else {
            b[i].is_ascii_lowercase()
        };
        if !ok {
            return false;
        }
        i += 1;
    }
    true
}

impl Region {
    /// A region from a literal, checked at compile time when used in a `const`.
    ///
    /// # Panics
    /// When `name` is not a valid region; in a `const` that is a compile error naming the rule
    /// broken. Use [`str::parse`] for input that is not a literal.
    pub const fn from_static(name: &'static str) -> Self {
        match check(name) {
            Ok(()) => Self(Cow::Borrowed(name)),
            Err(rule) => panic!("{}", rule.describe()),
        }
    }

    /// The region name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Region {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        checked(ValueKind::Region, s, check(s))?;
        Ok(Self(Cow::Owned(s.to_owned())))
    }
}

super::string_inputs!(Region);

impl From<Region> for aws_config::Region {
    fn from(region: Region) -> Self {
        aws_config::Region::new(region.0)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

serialize_as_display!(Region);

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Region").field(&self.as_str()).finish()
    }
}

// `Hash`/`Eq` of `Cow<str>` are those of `str`, so maps keyed by `Region` can be searched by
// `&str` without building a `Region`.
impl std::borrow::Borrow<str> for Region {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Region {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
