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

    /// The host, without port: `127.0.0.1`, `::1`, `bedrock.example.com`.
    pub fn host(&self) -> &str {
        let rest = self
            .0
            .strip_prefix("https://")
            .or_else(|| self.0.strip_prefix("http://"))
            .unwrap_or(&self.0);
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => authority.split(':').next().unwrap_or_default(),
        }
    }

    /// Whether the host is this machine: `localhost`, `127.0.0.0/8` or `::1`.
    pub fn is_loopback(&self) -> bool {
        let host = self.host();
        host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    /// Whether a bearer key may be sent here: HTTPS, or plain HTTP to this machine.
    ///
    /// ```
    /// use bedrock_auth::EndpointUrl;
    ///
    /// let ok = |url: &str| url.parse::<EndpointUrl>().unwrap().is_safe_for_bearer();
    /// assert!(ok("https://bedrock.example.com"));
    /// assert!(ok("http://127.0.0.1:4566") && ok("http://[::1]:8080") && ok("http://localhost"));
    /// assert!(!ok("http://bedrock.example.com") && !ok("http://10.0.0.5:8080"));
    /// ```
    pub fn is_safe_for_bearer(&self) -> bool {
        !self.is_plain_http() || self.is_loopback()
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
