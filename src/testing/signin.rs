//! AWS Sign-In's `CreateOAuth2Token` as the console sign-in provider (`aws login` profiles)
//! calls it to refresh its cached session: `POST /v1/token`, a JSON body of `clientId`,
//! `grantType` and `refreshToken`, a `DPoP` proof header; the answer is the new keys, the next
//! refresh token and how long the keys last. A refresh token the server does not know is
//! answered 400 with no body, as aws-config's recorded failed refresh is.
//!
//! The DPoP proof is checked for its shape (a JWT of three parts whose header says
//! `dpop+jwt`), not its signature.

use base64::Engine;
use secrecy::ExposeSecret;

use super::types::{LoginRefresh, State};

/// What `POST /v1/token` answers: the status and the JSON body.
pub(super) fn handle(state: &State, dpop: Option<&str>, body: &[u8]) -> (u16, String) {
    if !is_dpop_proof(dpop) {
        return (400, String::new());
    }
    let Ok(input) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (400, String::new());
    };
    let field = |name: &str| input.get(name).and_then(serde_json::Value::as_str);
    if field("grantType") != Some("refresh_token") || field("clientId").is_none() {
        return (400, String::new());
    }
    let refresh = field("refreshToken").unwrap_or_default();
    let grant = state.lock().login_refreshes.get(refresh).cloned();
    match grant {
        Some(grant) => (200, answer(&grant)),
        None => (400, String::new()),
    }
}

fn answer(grant: &LoginRefresh) -> String {
    serde_json::json!({
        "accessToken": {
            "accessKeyId": grant.access_key_id,
            "secretAccessKey": grant.secret_access_key.expose_secret(),
            "sessionToken": grant.session_token.expose_secret(),
        },
        "tokenType": "aws_sigv4",
        "refreshToken": grant.refresh_token.expose_secret(),
        "expiresIn": grant.expires_in.as_secs(),
    })
    .to_string()
}

/// A JWT of three base64url parts whose header says `"typ": "dpop+jwt"`.
fn is_dpop_proof(header: Option<&str>) -> bool {
    let Some(parts) = header.map(|h| h.split('.').collect::<Vec<_>>()) else {
        return false;
    };
    let [head, _claims, _signature] = parts.as_slice() else {
        return false;
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|h| h.get("typ").and_then(serde_json::Value::as_str) == Some("dpop+jwt"))
}
