//! STS on [`LocalAws`](super::LocalAws): `GetCallerIdentity` and `AssumeRole`, in the query
//! protocol's XML.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};

use super::types::{Principal, RoleSpec, State, random_hex};
use super::wire::{ApiError, Reply, xml_escape};
use crate::time::rfc3339;

const XMLNS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

pub(super) fn handle(
    state: &State,
    caller: &Principal,
    action: &str,
    params: &BTreeMap<String, String>,
) -> Result<Reply, ApiError> {
    let body = match action {
        "GetCallerIdentity" => format!(
            "<GetCallerIdentityResponse xmlns=\"{XMLNS}\"><GetCallerIdentityResult>\
             <Arn>{}</Arn><UserId>{}</UserId><Account>{}</Account>\
             </GetCallerIdentityResult>{}</GetCallerIdentityResponse>",
            xml_escape(&caller.arn),
            xml_escape(&caller.user_id),
            xml_escape(&caller.account),
            metadata(state),
        ),
        "AssumeRole" => assume_role(state, caller, params)?,
        other => {
            return Err(ApiError::new(
                400,
                "InvalidAction",
                format!("Could not find operation {other} for version 2011-06-15"),
            ));
        }
    };
    Ok(Reply::whole("text/xml", body))
}

fn assume_role(
    state: &State,
    caller: &Principal,
    params: &BTreeMap<String, String>,
) -> Result<String, ApiError> {
    let param = |name: &str| params.get(name).map(String::as_str);
    let session_name = param("RoleSessionName").unwrap_or_default();
    let duration = checked_request(session_name, param("DurationSeconds"))?;
    let role = trusted_role(state, caller, params)?;
    Ok(issue(state, &role, session_name, duration))
}

/// The session name and duration of an `AssumeRole` request, as STS validates them.
fn checked_request(session_name: &str, duration: Option<&str>) -> Result<u64, ApiError> {
    if !(2..=64).contains(&session_name.len()) {
        return Err(ApiError::new(
            400,
            "ValidationError",
            "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint",
        ));
    }
    match duration.map(str::parse::<u64>) {
        None => Ok(3600),
        Some(Ok(secs)) if (900..=43_200).contains(&secs) => Ok(secs),
        Some(_) => Err(ApiError::new(
            400,
            "ValidationError",
            "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint",
        )),
    }
}

/// The role asked for, when its trust policy lets `caller` assume it: the caller trusted, the
/// external id it requires, the MFA code it requires.
fn trusted_role(
    state: &State,
    caller: &Principal,
    params: &BTreeMap<String, String>,
) -> Result<RoleSpec, ApiError> {
    let param = |name: &str| params.get(name).map(String::as_str);
    let role_arn = param("RoleArn").unwrap_or_default();
    let denied = |why: &str| {
        ApiError::new(
            403,
            "AccessDenied",
            format!(
                "{why}User: {} is not authorized to perform: sts:AssumeRole on resource: \
                 {role_arn}",
                caller.arn
            ),
        )
    };
    let role = state.lock().roles.get(role_arn).cloned();
    let role = role.ok_or_else(|| denied(""))?;
    let trusted = if role.trusted.is_empty() {
        caller.account == role.arn.account_id()
    } else {
        role.trusted.contains(&caller.arn)
    };
    if !trusted || role.external_id.as_deref() != param("ExternalId") {
        return Err(denied(""));
    }
    let mfa_ok = role.mfa.as_ref().is_none_or(|(serial, code)| {
        param("SerialNumber") == Some(serial) && param("TokenCode") == Some(code)
    });
    if !mfa_ok {
        return Err(denied(
            "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
        ));
    }
    Ok(role)
}

/// New temporary credentials of `role` for `duration` seconds (or the role's own lifetime),
/// registered as a principal, and STS's answer that carries them.
fn issue(state: &State, role: &RoleSpec, session_name: &str, duration: u64) -> String {
    let n = state.next();
    let lifetime = role.lifetime.unwrap_or(Duration::from_secs(duration));
    let expires_at = SystemTime::now() + lifetime;
    let access_key_id = format!("ASIALOCAL{n:011}");
    let secret = SecretString::from(format!("temp/{}/{n}", random_hex()));
    let token = SecretString::from(format!("token/{}/{}/{n}", random_hex(), random_hex()));
    let role_id = format!("AROALOCAL{:011}", role.arn.as_str().len());
    let assumed_arn = format!(
        "arn:{}:sts::{}:assumed-role/{}/{session_name}",
        role.arn.partition(),
        role.arn.account_id(),
        role.arn.role_name()
    );
    let body = format!(
        "<AssumeRoleResponse xmlns=\"{XMLNS}\"><AssumeRoleResult>\
         <AssumedRoleUser><Arn>{}</Arn><AssumedRoleId>{role_id}:{}</AssumedRoleId></AssumedRoleUser>\
         <Credentials><AccessKeyId>{access_key_id}</AccessKeyId>\
         <SecretAccessKey>{}</SecretAccessKey><SessionToken>{}</SessionToken>\
         <Expiration>{}</Expiration></Credentials>\
         </AssumeRoleResult>{}</AssumeRoleResponse>",
        xml_escape(&assumed_arn),
        xml_escape(session_name),
        xml_escape(secret.expose_secret()),
        xml_escape(token.expose_secret()),
        rfc3339(expires_at),
        metadata(state),
    );
    let principal = Principal {
        arn: assumed_arn,
        account: role.arn.account_id().to_owned(),
        user_id: format!("{role_id}:{session_name}"),
        secret,
        session_token: Some(token),
        expires_at: Some(expires_at),
    };
    state.lock().keys.insert(access_key_id, principal);
    body
}

fn metadata(state: &State) -> String {
    format!(
        "<ResponseMetadata><RequestId>00000000-0000-4000-8000-{:012}</RequestId></ResponseMetadata>",
        state.next()
    )
}
