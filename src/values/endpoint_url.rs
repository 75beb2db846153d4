use std::fmt;
use std::str::FromStr;

use super::checked;
use crate::error::{Rule, ValueError, ValueKind};

/// An endpoint override, such as a local test server: `http://` or `https://`, then a host
/// (and optionally a port and path), no spaces, no `user:password@`.
///
/// ```
/// use bedrock_auth::EndpointUrl;
///
/// let local: EndpointUrl = "http://127.0.0.1:4566".parse()?;
/// assert!(local.is_plain_http());
/// assert!("127.0.0.1:4566".parse::<EndpointUrl>().is_err());
/// # Ok::<(), bedrock_auth::ValueError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EndpointUrl(Box<str>);

fn check(s: &str) -> Result<(), Rule> {
    if s.is_empty() {
        return Err(Rule::Empty);
    }
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or(Rule::EndpointScheme)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.contains('@') {
        return Err(Rule::EndpointUserInfo);
    }
    let host_ok = !host.is_empty() && !host.starts_with(':');
    if !host_ok || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Rule::EndpointHost);
    }
    Ok(())
}

impl EndpointUrl {
    /// The URL as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the URL uses plain `http://`.
    pub fn is_plain_http(&self) -> bool {
        self.0.starts_with("http://")
    }
}

impl FromStr for EndpointUrl {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match check(s) {
            // The user info may hold a password: keep the whole value out of the error.
            Err(Rule::EndpointUserInfo) => Err(ValueError::without_value(
                ValueKind::EndpointUrl,
                Rule::EndpointUserInfo,
            ))?,
            result => checked(ValueKind::EndpointUrl, s, result)?,
        }
        Ok(Self(Box::from(s)))
    }
}

super::string_inputs!(EndpointUrl);

impl fmt::Display for EndpointUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EndpointUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("EndpointUrl").field(&self.as_str()).finish()
    }
}
