//! Bedrock API keys on [`LocalAws`](super::LocalAws): long-term keys registered with
//! `add_api_key`, and short-term keys for the server's region whose presigned signature is
//! recomputed with the secret (and session token) of the key that signed them.
//!
//! Refusals have Bedrock's own shapes, as its users report them: a key that is unknown,
//! malformed or signed with the wrong secret gets 403 `AccessDeniedException` "The bearer token
//! included in the request is invalid."; an expired short-term key gets 401 with no error code
//! and a message that starts `Signature expired:`.

use std::time::{Duration, SystemTime};

use secrecy::ExposeSecret;

use super::types::{DEFAULT_REGION, Principal, State};
use super::wire::ApiError;
use crate::api_key::{ApiKeyInfo, ShortTermKey};
use crate::time::amz_date;

/// The principal behind a bearer key, and the access key id that signed a short-term one.
pub(super) fn authenticate(state: &State, token: &str) -> Result<(Principal, String), ApiError> {
    let invalid = || {
        ApiError::new(
            403,
            "AccessDeniedException",
            "The bearer token included in the request is invalid.",
        )
    };
    let info = ApiKeyInfo::parse(token).map_err(|_| invalid())?;
    let Some(signer) = info.access_key_id.clone() else {
        // Long-term: known or not.
        let state = state.lock();
        let owner = state.api_keys.get(token).ok_or_else(invalid)?;
        let principal = state.keys.get(owner).cloned().ok_or_else(invalid)?;
        return Ok((principal, owner.clone()));
    };
    let principal = state
        .lock()
        .keys
        .get(&signer)
        .cloned()
        .ok_or_else(invalid)?;
    let (Some(region), Some(signed_at), Some(expires_at)) =
        (&info.region, info.signed_at, info.expires_at)
    else {
        return Err(invalid());
    };
    let serves = state
        .lock()
        .api_key_region
        .clone()
        .unwrap_or_else(|| DEFAULT_REGION.to_owned());
    if region.as_str() != serves {
        return Err(ApiError::new(
            403,
            "InvalidSignatureException",
            format!("Credential should be scoped to a valid region, not '{region}'."),
        ));
    }
    let now = SystemTime::now();
    let signer_expiry = principal.expires_at.filter(|at| *at <= now);
    if let Some(at) = signer_expiry.or(Some(expires_at).filter(|at| *at <= now)) {
        return Err(ApiError::uncoded(
            401,
            format!(
                "Signature expired: {} is now earlier than {}",
                amz_date(at),
                amz_date(now)
            ),
        ));
    }
    // Recompute the signature with the registered secret (and session token): a key signed
    // with another secret, or altered after signing, does not match.
    let credentials = aws_credential_types::Credentials::new(
        signer.as_str(),
        principal.secret(),
        principal
            .session_token
            .as_ref()
            .map(|t| t.expose_secret().to_owned()),
        None,
        "local-aws",
    );
    let lifetime = expires_at
        .duration_since(signed_at)
        .unwrap_or(Duration::ZERO);
    let expected =
        ShortTermKey::sign(&credentials, region, lifetime, signed_at).map_err(|_| invalid())?;
    if expected.token().expose_secret() != token {
        return Err(invalid());
    }
    Ok((principal, signer))
}
