//! `bedrock-auth token`: a short-term Bedrock API key made from the mode's credentials.

use std::time::Duration;

use bedrock_auth::{AuthError, ExposeSecret, api_key::ApiKeyInfo};
use serde::Serialize;

use crate::flags::{ModeFlags, parse_duration};
use crate::output::{Failure, Report, note};

/// `token`'s report: the one output of this project that holds a secret.
#[derive(Serialize)]
struct Token<'a> {
    token: &'a str,
    #[serde(flatten)]
    key: &'a ApiKeyInfo,
    capped_by_credentials: bool,
}

/// `bedrock-auth token`: the one output of this project that holds a secret, on stdout only.
pub(crate) async fn run(mode: &ModeFlags, ttl: &str) -> Result<Report, Failure> {
    let ttl = parse_ttl(ttl)?;
    let manager = mode.manager()?;
    let region = manager.region().await?;
    let key = manager.bedrock_api_key(region.as_str(), ttl).await?;
    let info = key.info();
    if key.capped_by_credentials() {
        note(&format!(
            "note: {info}: it expires with the temporary credentials that signed it"
        ));
    }
    let secret = key.token().expose_secret();
    let token = Token {
        token: secret,
        key: &info,
        capped_by_credentials: key.capped_by_credentials(),
    };
    Report::secret(format!("{secret}\n"), &token)
}

/// `900`, `900s`, `30m`, `1h`: a key's lifetime, 1 s to 12 h. Parsed as printable, so that
/// the error quotes it escaped (a value with a control character is no duration either way).
fn parse_ttl(text: &str) -> Result<Duration, AuthError> {
    parse_duration("--ttl", &bedrock_auth::printable::printable(text), 43_200)
}
