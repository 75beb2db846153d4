//! The ARN of a managed policy, passed to `AssumeRole` to scope a session down.

use std::fmt;

use crate::error::{Rule, ValueError, ValueKind};

/// The most managed policies one `AssumeRole` takes.
pub(crate) const MAX_POLICY_ARNS: usize = 10;

/// The ARN of an IAM managed policy: `arn:<partition>:iam::<account-id>:policy/<path/>name`, or
/// one of AWS's own (`arn:aws:iam::aws:policy/...`); 20 to 2048 characters. Given to
/// `AssumeRole`, it scopes the session down: the session may do only what both the role and
/// the policy allow.
///
/// ```
/// use bedrock_auth::values::PolicyArn;
///
/// let own: PolicyArn = "arn:aws:iam::123456789012:policy/tenants/acme-bedrock".parse()?;
/// let aws: PolicyArn = "arn:aws:iam::aws:policy/AmazonBedrockReadOnly".parse()?;
/// assert_ne!(own, aws);
/// assert!("arn:aws:iam::123456789012:role/Bedrock".parse::<PolicyArn>().is_err());
/// # Ok::<(), bedrock_auth::error::ValueError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PolicyArn(Box<str>);

impl PolicyArn {
    /// The ARN as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The rule `s` breaks as a policy ARN, if any.
fn broken_rule(s: &str) -> Option<Rule> {
    let Some(rest) = s.strip_prefix("arn:") else {
        return Some(if s.is_empty() {
            Rule::Empty
        } else {
            Rule::ArnPrefix
        });
    };
    let fields: Vec<&str> = rest.splitn(5, ':').collect();
    let [partition, service, region, account, resource] = fields[..] else {
        return Some(Rule::ArnFields);
    };
    let name = resource
        .strip_prefix("policy/")
        .map(|path| path.rsplit('/').next().unwrap_or(""));
    let name_ok = |name: &str| {
        !name.is_empty()
            && name.len() <= 128
            && name.bytes().all(|b| super::Charset::SessionName.allows(b))
    };
    if !super::role_arn::PARTITIONS.contains(&partition) {
        Some(Rule::ArnPartition)
    } else if service != "iam" {
        Some(Rule::ArnService)
    } else if !region.is_empty() {
        Some(Rule::ArnRegion)
    } else if account != "aws"
        && !(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
    {
        Some(Rule::AccountId)
    } else if !name.is_some_and(name_ok) || !resource.bytes().all(|b| matches!(b, 0x21..=0x7e)) {
        Some(Rule::NotAPolicy)
    } else if !(20..=2048).contains(&s.len()) {
        Some(Rule::TooLong { max: 2048 })
    } else {
        None
    }
}

impl std::str::FromStr for PolicyArn {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match broken_rule(s) {
            None => Ok(Self(Box::from(s))),
            Some(rule) => Err(ValueError::new(ValueKind::PolicyArn, s, rule)),
        }
    }
}

super::string_inputs!(PolicyArn);

impl fmt::Display for PolicyArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PolicyArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PolicyArn").field(&self.as_str()).finish()
    }
}
