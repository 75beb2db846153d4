//! IAM Identity Center's portal `GetRoleCredentials`, as an SSO profile's provider calls it
//! with the cached access token of `aws sso login`: `GET /federation/credentials?role_name=R&
//! account_id=A`, the token in the `x-amz-sso_bearer_token` header; the answer is the role's
//! temporary keys (`roleCredentials`, the expiry in milliseconds). A token the server does not
//! know, or one that grants another account or role, is answered 401 `UnauthorizedException`,
//! as the portal answers a token that expired or was revoked.

use secrecy::ExposeSecret;

use super::types::State;

/// What `GET /federation/credentials` answers: the status, the error type (empty on success)
/// and the JSON body.
pub(super) fn handle(
    state: &State,
    token: Option<&str>,
    query: &str,
) -> (u16, &'static str, String) {
    let param = |name: &str| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    let (role, account) = (param("role_name"), param("account_id"));
    let state = state.lock();
    let grant = token.and_then(|token| state.sso_grants.get(token));
    let Some(grant) = grant
        .filter(|g| Some(&g.role_name) == role.as_ref() && Some(&g.account) == account.as_ref())
    else {
        let body = serde_json::json!({ "message": "Session token not found or invalid" });
        return (401, "UnauthorizedException", body.to_string());
    };
    let Some(principal) = state.keys.get(&grant.access_key_id) else {
        return (401, "UnauthorizedException", String::new());
    };
    let expiration = principal
        .expires_at
        .and_then(|at| at.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(4_102_444_800_000, |d| d.as_millis());
    let body = serde_json::json!({
        "roleCredentials": {
            "accessKeyId": grant.access_key_id,
            "secretAccessKey": principal.secret.expose_secret(),
            "sessionToken": principal.session_token.as_ref().map(|t| t.expose_secret().to_owned()),
            "expiration": expiration,
        }
    });
    (200, "", body.to_string())
}
