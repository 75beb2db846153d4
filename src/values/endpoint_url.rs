use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use super::checked;
use crate::error::{Rule, ValueError, ValueKind};

/// An endpoint override, such as a local test server: `http://` or `https://`, then a host
/// (and optionally a port and path), no spaces, no `user:password@`.
///
/// The URL is read with [`http::Uri`], the parser the SDK's requests are made with, so what is
/// checked here is what a request will use. What that parser cannot read is refused.
///
/// ```
/// use bedrock_auth::EndpointUrl;
///
/// let local: EndpointUrl = "http://127.0.0.1:4566".parse()?;
/// assert!(local.is_plain_http());
/// assert!("127.0.0.1:4566".parse::<EndpointUrl>().is_err());
/// assert!("http://user@bedrock.example.com".parse::<EndpointUrl>().is_err());
/// # Ok::<(), bedrock_auth::error::ValueError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EndpointUrl(Box<str>);

/// What an endpoint URL is made of, as [`http::Uri`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parts<'a> {
    /// `http` or `https`, lowercase.
    pub(crate) plain_http: bool,
    /// The host, without brackets around an IPv6 address and without port.
    pub(crate) host: &'a str,
}

/// Reads `url` as the SDK will: scheme, authority without user info, host. Fails closed: what
/// cannot be read, or has user info, or another scheme, is an error.
pub(crate) fn parse(url: &str) -> Result<Parts<'_>, Rule> {
    let (scheme, rest) = url.split_once("://").ok_or(if url.is_empty() {
        Rule::Empty
    } else {
        Rule::EndpointScheme
    })?;
    // The authority ends at the first `/`, `?` or `#` (RFC 3986); `@` in it is user info. Looked
    // at first: every other error quotes the URL, and the user info may be a password.
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    if authority.contains('@') {
        return Err(Rule::EndpointUserInfo);
    }
    let plain_http = match scheme.to_ascii_lowercase().as_str() {
        "https" => false,
        "http" => true,
        _ => return Err(Rule::EndpointScheme),
    };
    // The parser of the SDK's requests must read the same authority.
    let uri: http::Uri = url.parse().map_err(|_| Rule::EndpointHost)?;
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next(),
        None => authority.split(':').next(),
    }
    .unwrap_or_default();
    let whitespace = url.chars().any(|c| c.is_whitespace() || c.is_control());
    if host.is_empty() || whitespace || uri.authority().map(|a| a.as_str()) != Some(authority) {
        return Err(Rule::EndpointHost);
    }
    Ok(Parts { plain_http, host })
}

/// Whether a host (an IPv6 address with or without its brackets) is this machine:
/// `localhost`, `127.0.0.0/8` or `::1`.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Parts<'_> {
    /// Whether the host is this machine: `localhost`, `127.0.0.0/8` or `::1`.
    pub(crate) fn is_loopback(&self) -> bool {
        is_loopback_host(self.host)
    }

    /// Whether a bearer key may be sent here: HTTPS, or plain HTTP to this machine.
    pub(crate) fn is_safe_for_bearer(&self) -> bool {
        !self.plain_http || self.is_loopback()
    }
}

impl EndpointUrl {
    /// The URL as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The checked parts; a stored URL always parses, and one that did not would be read as
    /// plain HTTP to no host, which nothing trusts.
    fn parts(&self) -> Parts<'_> {
        parse(&self.0).unwrap_or(Parts {
            plain_http: true,
            host: "",
        })
    }

    /// Whether the URL uses plain `http://` (in any case).
    pub fn is_plain_http(&self) -> bool {
        self.parts().plain_http
    }

    /// The host, without port: `127.0.0.1`, `::1`, `bedrock.example.com`.
    pub fn host(&self) -> &str {
        self.parts().host
    }

    /// Whether the host is this machine: `localhost`, `127.0.0.0/8` or `::1`.
    pub fn is_loopback(&self) -> bool {
        self.parts().is_loopback()
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
    /// assert!(!ok("HTTP://127.0.0.1.example.com") && !ok("http://localhost.example.com"));
    /// ```
    pub fn is_safe_for_bearer(&self) -> bool {
        self.parts().is_safe_for_bearer()
    }
}

impl FromStr for EndpointUrl {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match parse(s) {
            // The user info may hold a password: keep the whole value out of the error.
            Err(Rule::EndpointUserInfo) => Err(ValueError::without_value(
                ValueKind::EndpointUrl,
                Rule::EndpointUserInfo,
            ))?,
            result => checked(ValueKind::EndpointUrl, s, result.map(drop))?,
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
