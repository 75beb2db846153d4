use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::{Charset, check_span, checked, span_eq};
use crate::error::{Rule, ValueError, ValueKind};

/// An IAM role ARN: `arn:<partition>:iam::<12-digit account>:role/<path/><name>`.
///
/// The partition is a known AWS partition, the account id has 12 digits, the optional path is
/// printable ASCII between slashes (at most 512 characters) and the name has 1 to 64 characters
/// of `[\w+=,.@-]`.
///
/// ```
/// use bedrock_auth::RoleArn;
///
/// const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/service/Bedrock");
/// assert_eq!(ROLE.account_id(), "123456789012");
/// assert_eq!(ROLE.role_name(), "Bedrock");
///
/// let parsed: RoleArn = "arn:aws-cn:iam::123456789012:role/Bedrock".parse()?;
/// assert_eq!(parsed.partition(), "aws-cn");
/// # Ok::<(), bedrock_auth::error::ValueError>(())
/// ```
///
/// A malformed literal in a `const` does not compile:
///
/// ```compile_fail
/// const ROLE: bedrock_auth::RoleArn = bedrock_auth::RoleArn::from_static("arn:aws:iam::42:role/x");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RoleArn(Cow<'static, str>);

pub(super) const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];
const MAX_PATH: usize = 512;
const MAX_NAME: usize = 64;

/// Byte offsets of the five `:` separators.
const fn colons(b: &[u8]) -> Result<[usize; 5], Rule> {
    let mut found = [0usize; 5];
    let mut n = 0;
    let mut i = 0;
    while i < b.len() && n < 5 {
        if b[i] == b':' {
            found[n] = i;
            n += 1;
        }
        i += 1;
    }
    if n < 5 {
        Err(Rule::ArnFields)
    } else {
        Ok(found)
    }
}

const fn check(s: &str) -> Result<(), Rule> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(Rule::Empty);
    }
    if b.len() < 4 || !span_eq(b, 0, 4, "arn:") {
        return Err(Rule::ArnPrefix);
    }
    let [_, c1, c2, c3, c4] = match colons(b) {
        Ok(c) => c,
        Err(rule) => return Err(rule),
    };
    let mut known = false;
    let mut p = 0;
    while p < PARTITIONS.len() {
        known = known || span_eq(b, 4, c1, PARTITIONS[p]);
        p += 1;
    }
    if !known {
        return Err(Rule::ArnPartition);
    }
    if !span_eq(b, c1 + 1, c2, "iam") {
        return Err(Rule::ArnService);
    }
    if c3 != c2 + 1 {
        return Err(Rule::ArnRegion);
    }
    if c4 - c3 - 1 != 12 {
        return Err(Rule::AccountId);
    }
    let mut i = c3 + 1;
    while i < c4 {
        if !b[i].is_ascii_digit() {
            return Err(Rule::AccountId);
        }
        i += 1;
    }
    let resource = c4 + 1;
    if b.len() < resource + 5 || !span_eq(b, resource, resource + 5, "role/") {
        return Err(Rule::NotARole);
    }
    // The name follows the last `/`; anything between `role` and it is the path.
    let mut last_slash = b.len() - 1;
    while b[last_slash] != b'/' {
        last_slash -= 1;
    }
    let path_start = resource + 4;
    if last_slash - path_start + 1 > MAX_PATH {
        return Err(Rule::RolePath);
    }
    let mut i = path_start;
    while i <= last_slash {
        if !Charset::Printable.allows(b[i]) {
            return Err(Rule::RolePath);
        }
        i += 1;
    }
    match check_span(
        b,
        last_slash + 1,
        b.len(),
        Charset::SessionName,
        1,
        MAX_NAME,
    ) {
        Ok(()) => Ok(()),
        Err(Rule::InvalidChar { .. }) => Err(Rule::RoleNameChar),
        Err(_) => Err(Rule::RoleNameLength),
    }
}

impl RoleArn {
    /// A role ARN from a literal, checked at compile time when used in a `const`.
    ///
    /// # Panics
    /// When `arn` is not a valid role ARN; in a `const` that is a compile error naming the
    /// rule broken. Use [`str::parse`] for input that is not a literal.
    pub const fn from_static(arn: &'static str) -> Self {
        match check(arn) {
            Ok(()) => Self(Cow::Borrowed(arn)),
            Err(rule) => panic!("{}", rule.describe()),
        }
    }

    /// The whole ARN.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn field(&self, n: usize) -> &str {
        self.0.splitn(6, ':').nth(n).unwrap_or_default()
    }

    /// The partition, e.g. `aws`.
    pub fn partition(&self) -> &str {
        self.field(1)
    }

    /// The 12-digit account id.
    pub fn account_id(&self) -> &str {
        self.field(4)
    }

    /// The role name: the part after the last `/`.
    pub fn role_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or_default()
    }

    /// The role path, `/` when the role has none.
    pub fn path(&self) -> &str {
        let resource = self.field(5);
        let start = "role".len();
        let end = resource.rfind('/').map_or(start + 1, |i| i + 1);
        resource.get(start..end).unwrap_or("/")
    }
}

impl FromStr for RoleArn {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        checked(ValueKind::RoleArn, s, check(s))?;
        Ok(Self(Cow::Owned(s.to_owned())))
    }
}

super::string_inputs!(RoleArn);

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RoleArn").field(&self.as_str()).finish()
    }
}

impl AsRef<str> for RoleArn {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
