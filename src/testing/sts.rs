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
    let session = Session::of(params)?;
    let role = trusted_role(state, caller, params)?;
    let not_allowed = |action: &str| {
        ApiError::new(
            403,
            "AccessDenied",
            format!(
                "User: {} is not authorized to perform: {action} on resource: {}",
                caller.arn,
                role.arn.as_str()
            ),
        )
    };
    if session.tagged && !role.tag_session {
        return Err(not_allowed("sts:TagSession"));
    }
    if session.source_identity.is_some() && !role.set_source_identity {
        return Err(not_allowed("sts:SetSourceIdentity"));
    }
    let answer = Answer {
        operation: "AssumeRole",
        extra: session_answer(&session),
    };
    Ok(issue(state, &role, session_name, duration, &answer))
}

/// STS's answer to an assumption: its operation, and what it says of the session beyond the
/// credentials.
struct Answer<'a> {
    operation: &'a str,
    extra: String,
}

/// `AssumeRoleWithWebIdentity`: not signed; the OIDC token says who calls, and the role must
/// trust web identities. Only tokens registered with `LocalAws::add_web_identity_token` are
/// valid.
pub(super) fn assume_role_with_web_identity(
    state: &State,
    params: &BTreeMap<String, String>,
) -> Result<Reply, ApiError> {
    let param = |name: &str| params.get(name).map(String::as_str);
    let session_name = param("RoleSessionName").unwrap_or_default();
    let duration = checked_request(session_name, param("DurationSeconds"))?;
    let session = Session::of(params)?;
    let token = param("WebIdentityToken").unwrap_or_default();
    let Some(subject) = state.lock().web_identities.get(token).cloned() else {
        return Err(ApiError::new(
            400,
            "InvalidIdentityToken",
            "The web identity token that was passed could not be validated by AWS. Get a new \
             identity token from the identity provider and then retry the request.",
        ));
    };
    let role_arn = param("RoleArn").unwrap_or_default();
    let role = state.lock().roles.get(role_arn).cloned();
    let Some(role) = role.filter(|role| role.web_identity) else {
        return Err(ApiError::new(
            403,
            "AccessDenied",
            "Not authorized to perform sts:AssumeRoleWithWebIdentity",
        ));
    };
    let answer = Answer {
        operation: "AssumeRoleWithWebIdentity",
        extra: format!(
            "<SubjectFromWebIdentityToken>{}</SubjectFromWebIdentityToken>\
             <Audience>sts.amazonaws.com</Audience><Provider>{WEB_IDENTITY_PROVIDER}</Provider>{}",
            xml_escape(&subject),
            session_answer(&session),
        ),
    };
    let body = issue(state, &role, session_name, duration, &answer);
    Ok(Reply::whole("text/xml", body))
}

/// The OIDC provider the local server's web identity tokens say they come from.
const WEB_IDENTITY_PROVIDER: &str = "oidc.local.example";

/// What an `AssumeRole` asks of its session beyond the role, checked as STS checks it: session
/// tags, transitive tag keys, an inline policy, managed policy ARNs, a source identity.
struct Session {
    tagged: bool,
    source_identity: Option<String>,
    /// The share of STS's packed-policy space the policies and tags take, in percent: an
    /// estimate from their plaintext (STS compresses them; its own figure is close to this).
    packed_percent: usize,
}

impl Session {
    fn of(params: &BTreeMap<String, String>) -> Result<Self, ApiError> {
        let members = |prefix: &str, suffix: &str| -> Vec<&str> {
            params
                .iter()
                .filter(|(name, _)| name.starts_with(prefix) && name.ends_with(suffix))
                .map(|(_, value)| value.as_str())
                .collect()
        };
        let keys = members("Tags.member.", ".Key");
        let values = members("Tags.member.", ".Value");
        let transitive = members("TransitiveTagKeys.member.", "");
        let arns = members("PolicyArns.member.", "");
        for (field, count, max) in [
            ("tags", keys.len(), 50),
            ("transitiveTagKeys", transitive.len(), 50),
            ("policyArns", arns.len(), 10),
        ] {
            if count > max {
                return Err(invalid(&format!(
                    "Value at '{field}' failed to satisfy constraint: Member must have length \
                     less than or equal to {max}"
                )));
            }
        }
        check_tags(&keys, &values)?;
        let policy = params.get("Policy").map(String::as_str).unwrap_or_default();
        check_policies(policy, &arns)?;
        let source_identity = params.get("SourceIdentity").cloned();
        if let Some(identity) = &source_identity {
            let allowed = |b: u8| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b);
            if !(2..=64).contains(&identity.len()) || !identity.bytes().all(allowed) {
                return Err(invalid(
                    "Value at 'sourceIdentity' failed to satisfy constraint: Member must satisfy \
                     regular expression pattern: [\\w+=,.@-]*",
                ));
            }
        }
        let plaintext: usize = [policy.len(), arns.concat().len(), keys.concat().len()]
            .iter()
            .sum::<usize>()
            + values.concat().len();
        let packed_percent = plaintext * 100 / 2048;
        if packed_percent > 100 {
            return Err(ApiError::new(
                400,
                "PackedPolicyTooLarge",
                format!(
                    "Packed policy consumes {packed_percent}% of allotted space, please use \
                     smaller policy."
                ),
            ));
        }
        Ok(Self {
            tagged: !keys.is_empty() || !transitive.is_empty(),
            source_identity,
            packed_percent,
        })
    }
}

/// STS's answer to a parameter it refuses.
fn invalid(what: &str) -> ApiError {
    ApiError::new(
        400,
        "ValidationError",
        format!("1 validation error detected: {what}"),
    )
}

/// Session tags as STS checks them: keys 1 to 128 characters, values at most 256, no key twice
/// (without case).
fn check_tags(keys: &[&str], values: &[&str]) -> Result<(), ApiError> {
    let key_ok = |k: &&str| (1..=128).contains(&k.chars().count());
    if !keys.iter().all(key_ok) || !values.iter().all(|v| v.chars().count() <= 256) {
        return Err(invalid(
            "Value at 'tags' failed to satisfy constraint: Member must satisfy constraint: \
             [Member must have length less than or equal to 128]",
        ));
    }
    let lower: Vec<String> = keys.iter().map(|k| k.to_lowercase()).collect();
    if lower
        .iter()
        .enumerate()
        .any(|(i, k)| lower[..i].contains(k))
    {
        return Err(invalid(
            "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
        ));
    }
    Ok(())
}

/// An inline policy (a JSON object of at most 2048 characters) and managed policy ARNs.
fn check_policies(policy: &str, arns: &[&str]) -> Result<(), ApiError> {
    if !policy.is_empty() {
        let document = serde_json::from_str::<serde_json::Value>(policy);
        if policy.chars().count() > 2048 || !document.is_ok_and(|d| d.is_object()) {
            return Err(ApiError::new(
                400,
                "MalformedPolicyDocument",
                "The policy is not in the valid JSON format.",
            ));
        }
    }
    if arns.iter().any(|arn| !arn.contains(":policy/")) {
        return Err(invalid(
            "Value at 'policyArns' failed to satisfy constraint: Member must be a policy ARN",
        ));
    }
    Ok(())
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
fn issue(
    state: &State,
    role: &RoleSpec,
    session_name: &str,
    duration: u64,
    answer: &Answer<'_>,
) -> String {
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
        "<{op}Response xmlns=\"{XMLNS}\"><{op}Result>\
         <AssumedRoleUser><Arn>{}</Arn><AssumedRoleId>{role_id}:{}</AssumedRoleId></AssumedRoleUser>\
         <Credentials><AccessKeyId>{access_key_id}</AccessKeyId>\
         <SecretAccessKey>{}</SecretAccessKey><SessionToken>{}</SessionToken>\
         <Expiration>{}</Expiration></Credentials>{}\
         </{op}Result>{}</{op}Response>",
        xml_escape(&assumed_arn),
        xml_escape(session_name),
        xml_escape(secret.expose_secret()),
        xml_escape(token.expose_secret()),
        rfc3339(expires_at),
        answer.extra,
        metadata(state),
        op = answer.operation,
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

/// What `AssumeRole` answers of the session it was asked for: the packed size of its policies
/// and tags, its source identity.
fn session_answer(session: &Session) -> String {
    let mut answer = String::new();
    if session.tagged || session.packed_percent > 0 {
        answer.push_str(&format!(
            "<PackedPolicySize>{}</PackedPolicySize>",
            session.packed_percent
        ));
    }
    if let Some(identity) = &session.source_identity {
        answer.push_str(&format!(
            "<SourceIdentity>{}</SourceIdentity>",
            xml_escape(identity)
        ));
    }
    answer
}

fn metadata(state: &State) -> String {
    format!(
        "<ResponseMetadata><RequestId>00000000-0000-4000-8000-{:012}</RequestId></ResponseMetadata>",
        state.next()
    )
}
