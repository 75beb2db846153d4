//! Short-term Bedrock API keys: a SigV4-presigned `CallWithBearerToken` URL, base64-encoded
//! behind the prefix `bedrock-api-key-`, in exactly the format of AWS's own generators.

use std::fmt;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use base64::Engine;
use secrecy::SecretString;
use zeroize::Zeroize;

use crate::error::{AuthError, ErrorKind};
use crate::time::{parse_amz_date, rfc3339};
use crate::values::Region;

/// The prefix of every Bedrock API key.
pub const API_KEY_PREFIX: &str = "bedrock-api-key-";

/// The longest a short-term key may live: 12 hours.
pub const MAX_SHORT_TERM_TTL: Duration = Duration::from_secs(12 * 60 * 60);

const HOST: &str = "bedrock.amazonaws.com";

/// A short-term Bedrock API key: a bearer token for Bedrock Runtime in one region, valid until
/// [`expires_at`](Self::expires_at). `Debug` shows its region and expiry, never the token.
#[derive(Clone)]
pub struct ShortTermKey {
    token: SecretString,
    region: Region,
    signed_at: SystemTime,
    expires_at: SystemTime,
    capped: bool,
    access_key_id: String,
    temporary_credentials: bool,
}

impl ShortTermKey {
    /// Signs a short-term key with `credentials` for `region`, valid for `ttl` from `now`
    /// (whole seconds, 1 s to 12 h), as AWS's generators do: SigV4 query presigning of
    /// `POST https://bedrock.amazonaws.com/?Action=CallWithBearerToken` for service `bedrock`,
    /// with the `aws-sigv4` crate. A key cannot outlive temporary credentials: `ttl` is cut to
    /// their expiry, and [`capped_by_credentials`](Self::capped_by_credentials) says so.
    ///
    /// Most programs call [`AuthManager::bedrock_api_key`](crate::AuthManager::bedrock_api_key)
    /// instead, which takes the manager's credentials and clock.
    pub fn sign(
        credentials: &Credentials,
        region: &Region,
        ttl: Duration,
        now: SystemTime,
    ) -> Result<Self, AuthError> {
        let (seconds, capped) = lifetime(credentials, check_ttl(ttl)?, now)?;
        let params = presigned_params(credentials, region, seconds, now)?;
        let token = written_key(params);
        Ok(Self {
            token,
            region: region.clone(),
            signed_at: now,
            expires_at: now + Duration::from_secs(seconds),
            capped,
            access_key_id: credentials.access_key_id().to_owned(),
            temporary_credentials: credentials.session_token().is_some(),
        })
    }

    /// The key itself, for `Authorization: Bearer ...` or `AWS_BEARER_TOKEN_BEDROCK`.
    pub fn token(&self) -> &SecretString {
        &self.token
    }

    /// The region the key works in.
    pub fn region(&self) -> &Region {
        &self.region
    }

    /// When the key stops working.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// Whether the key expires earlier than asked, with the temporary credentials that
    /// signed it.
    pub fn capped_by_credentials(&self) -> bool {
        self.capped
    }

    /// What the key says about itself, as [`ApiKeyInfo::parse`] would read it: printable,
    /// serializable, and without the token.
    pub fn info(&self) -> ApiKeyInfo {
        ApiKeyInfo {
            kind: ApiKeyKind::ShortTerm,
            region: Some(self.region.clone()),
            signed_at: Some(self.signed_at),
            expires_at: Some(self.expires_at),
            access_key_id: Some(self.access_key_id.clone()),
            temporary_credentials: self.temporary_credentials,
        }
    }
}

/// How long a key signed now lasts, in seconds, and whether the credentials' expiry cut it
/// short of the `requested` seconds.
fn lifetime(
    credentials: &Credentials,
    requested: u64,
    now: SystemTime,
) -> Result<(u64, bool), AuthError> {
    let Some(expiry) = credentials.expiry() else {
        return Ok((requested, false));
    };
    let left = expiry.duration_since(now).unwrap_or_default().as_secs();
    if left == 0 {
        return Err(AuthError::new(
            ErrorKind::ExpiredCredentials,
            "cannot sign a Bedrock API key: the credentials have expired",
            "refresh the credentials (the manager does so by itself) and try again",
        ));
    }
    let capped = left < requested;
    if capped {
        tracing::info!(
            requested_secs = requested,
            secs = left,
            "the Bedrock API key expires with the temporary credentials that signed it"
        );
    }
    Ok((requested.min(left), capped))
}

/// The query parameters of a presigned `CallWithBearerToken` request, signed with
/// `credentials` for `seconds`; the signer's copy of the signature is wiped.
fn presigned_params(
    credentials: &Credentials,
    region: &Region,
    seconds: u64,
    now: SystemTime,
) -> Result<Vec<(&'static str, std::borrow::Cow<'static, str>)>, AuthError> {
    let identity = credentials.clone().into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(Duration::from_secs(seconds));
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region.as_str())
        .name("bedrock")
        .time(now)
        .settings(settings)
        .build()
        .map_err(signing_failed)?
        .into();
    let url = format!("https://{HOST}/?Action=CallWithBearerToken");
    let signable = SignableRequest::new(
        "POST",
        &url,
        [("host", HOST)].into_iter(),
        SignableBody::Bytes(&[]),
    )
    .map_err(signing_failed)?;
    // aws-sigv4 logs the canonical request (with the session token) and the signature at
    // TRACE; here the signature is the key itself, so its events are silenced.
    let signed =
        tracing::dispatcher::with_default(&tracing::Dispatch::none(), || sign(signable, &params));
    let (instructions, mut signature) = signed.map_err(signing_failed)?.into_parts();
    signature.zeroize();
    let (_, params) = instructions.into_parts();
    Ok(params)
}

/// The key: the presigned URL, written straight into one buffer, percent-encoded as the SDK's
/// query writer does, base64-encoded behind [`API_KEY_PREFIX`]. AWS's generators put the
/// signature after every other parameter (aws-sigv4 puts the session token last); the order is
/// not signed, but the key is compared as bytes. Every buffer that holds key material is wiped
/// once used: the URL, each encoded value, and the signer's own parameter values.
fn written_key(mut params: Vec<(&'static str, std::borrow::Cow<'static, str>)>) -> SecretString {
    // Room for the worst case (every byte of every value percent-encoded), so the buffer
    // never grows: growing would free a copy of what it held.
    let room = HOST.len()
        + 64
        + params
            .iter()
            .map(|(name, value)| name.len() + 3 * value.len() + 2)
            .sum::<usize>();
    let mut url = String::with_capacity(room);
    url.push_str(HOST);
    url.push_str("/?Action=CallWithBearerToken");
    let mut last = params
        .iter()
        .position(|(name, _)| *name == "X-Amz-Signature")
        .map(|at| params.remove(at));
    for (name, value) in params.iter().chain(last.iter()) {
        let mut encoded = aws_smithy_http::query::fmt_string(value);
        url.push('&');
        url.push_str(name);
        url.push('=');
        url.push_str(&encoded);
        encoded.zeroize();
    }
    url.push_str("&Version=1");
    for (_, value) in params.iter_mut().chain(last.as_mut()) {
        if let std::borrow::Cow::Owned(value) = value {
            value.zeroize();
        }
    }
    let mut encoded = base64::engine::general_purpose::STANDARD.encode(&url);
    url.zeroize();
    // Exactly sized, so that the conversion into the secret does not reallocate.
    let mut token = String::with_capacity(API_KEY_PREFIX.len() + encoded.len());
    token.push_str(API_KEY_PREFIX);
    token.push_str(&encoded);
    encoded.zeroize();
    SecretString::from(token)
}

impl fmt::Debug for ShortTermKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShortTermKey")
            .field("token", &"[REDACTED]")
            .field("region", &self.region)
            .field("expires_at", &self.expires_at)
            .field("capped_by_credentials", &self.capped)
            .finish()
    }
}

/// `ttl` in whole seconds, 1 s to 12 h.
fn check_ttl(ttl: Duration) -> Result<u64, AuthError> {
    let seconds = ttl.as_secs();
    if ttl.subsec_nanos() != 0 || seconds == 0 || ttl > MAX_SHORT_TERM_TTL {
        return Err(AuthError::new(
            ErrorKind::InvalidConfig,
            format!("ttl: {ttl:?} is not a short-term key lifetime"),
            "pass whole seconds from 1 s to 12 h (43200 s), e.g. Duration::from_secs(3600)",
        ));
    }
    Ok(seconds)
}

fn signing_failed(err: impl fmt::Display) -> AuthError {
    AuthError::new(
        ErrorKind::InvalidConfig,
        format!("cannot sign a Bedrock API key: {err}"),
        "check the credentials and the region",
    )
}

/// What a Bedrock API key says about itself, read without any network call. Holds no secret.
///
/// Serializes with its times in RFC 3339 (`2026-11-25T12:00:00Z`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiKeyInfo {
    /// Long-term or short-term.
    pub kind: ApiKeyKind,
    /// The region a short-term key works in.
    pub region: Option<Region>,
    /// When a short-term key was signed.
    #[serde(serialize_with = "crate::time::serialize_rfc3339")]
    pub signed_at: Option<SystemTime>,
    /// When a short-term key stops working.
    #[serde(serialize_with = "crate::time::serialize_rfc3339")]
    pub expires_at: Option<SystemTime>,
    /// The access key id that signed a short-term key (not a secret).
    pub access_key_id: Option<String>,
    /// Whether a short-term key was signed with temporary credentials (it carries their
    /// session token).
    pub temporary_credentials: bool,
}

/// The two kinds of Bedrock API keys.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiKeyKind {
    /// A key tied to an IAM user, made in the console or with `iam:CreateServiceSpecificCredential`.
    LongTerm,
    /// A `bedrock-api-key-...` presigned URL, valid up to 12 hours.
    ShortTerm,
}

impl fmt::Display for ApiKeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::LongTerm => "long-term",
            Self::ShortTerm => "short-term",
        })
    }
}

serialize_as_display!(ApiKeyKind);

impl ApiKeyInfo {
    /// Reads a key: a `bedrock-api-key-` key is decoded and its presigned parameters checked
    /// (action, algorithm, credential scope, date, lifetime, signed headers, signature); any
    /// other key is taken as long-term, which only Bedrock can check. A malformed short-term
    /// key is an `invalid_credentials` error that says what is wrong, without the key.
    pub fn parse(key: &str) -> Result<Self, AuthError> {
        let Some(body) = key.strip_prefix(API_KEY_PREFIX) else {
            return Ok(Self {
                kind: ApiKeyKind::LongTerm,
                region: None,
                signed_at: None,
                expires_at: None,
                access_key_id: None,
                temporary_credentials: false,
            });
        };
        let params = Params::of_key(body)?;
        let param = |name: &str| params.get(name);
        let expect = |name: &str, value: &str| params.expect(name, value);
        expect("Action", "CallWithBearerToken")?;
        expect("X-Amz-Algorithm", "AWS4-HMAC-SHA256")?;
        expect("X-Amz-SignedHeaders", "host")?;
        expect("Version", "1")?;
        let scope: Vec<&str> = param("X-Amz-Credential")?.split('/').collect();
        let [access_key_id, _date, region, "bedrock", "aws4_request"] = scope[..] else {
            return Err(malformed(
                "`X-Amz-Credential` is not a bedrock credential scope",
            ));
        };
        let region: Region = region
            .parse()
            .map_err(|_| malformed("the region in `X-Amz-Credential` is not a region"))?;
        let signed_at = parse_amz_date(param("X-Amz-Date")?)
            .ok_or_else(|| malformed("`X-Amz-Date` is not a date like 20250715T123000Z"))?;
        let lifetime: u64 = param("X-Amz-Expires")?
            .parse()
            .ok()
            .filter(|secs| (1..=MAX_SHORT_TERM_TTL.as_secs()).contains(secs))
            .ok_or_else(|| malformed("`X-Amz-Expires` is not 1 to 43200 seconds"))?;
        let signature = param("X-Amz-Signature")?;
        if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(malformed("`X-Amz-Signature` is not 64 hex digits"));
        }
        Ok(Self {
            kind: ApiKeyKind::ShortTerm,
            region: Some(region),
            signed_at: Some(signed_at),
            expires_at: Some(signed_at + Duration::from_secs(lifetime)),
            access_key_id: Some(access_key_id.to_owned()),
            temporary_credentials: params.0.iter().any(|(k, _)| k == "X-Amz-Security-Token"),
        })
    }

    /// Whether a short-term key has expired at `now` (a long-term key never says).
    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }

    /// An `expired_credentials` error if a short-term key has expired at `now`.
    pub fn check_not_expired(&self, now: SystemTime) -> Result<(), AuthError> {
        match self.expires_at {
            Some(at) if at <= now => Err(AuthError::new(
                ErrorKind::ExpiredCredentials,
                format!(
                    "the short-term Bedrock API key expired {} s ago",
                    now.duration_since(at).unwrap_or_default().as_secs()
                ),
                "generate a new one (<<new_key>>); \
                 short-term keys last at most 12 hours",
            )),
            _ => Ok(()),
        }
    }
}

/// A short-term key that cannot be read: what is wrong with it, never the key.
fn malformed(what: &str) -> AuthError {
    AuthError::new(
        ErrorKind::InvalidCredentials,
        format!("the short-term Bedrock API key is malformed: {what}"),
        "copy the whole key again, or generate a new one (<<new_key>>)",
    )
}

/// A key's decoded query parameters, wiped on drop.
struct Params(Vec<(String, String)>);

impl Params {
    /// The query parameters of a key's presigned URL (`body`: the key after its prefix). The
    /// decoded key is wiped when this returns; the parameters when they are dropped.
    fn of_key(body: &str) -> Result<Self, AuthError> {
        let decoded = zeroize::Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(body.trim())
                .map_err(|_| malformed("not base64 after `bedrock-api-key-`"))?,
        );
        let decoded =
            std::str::from_utf8(&decoded).map_err(|_| malformed("the decoded key is not text"))?;
        let query = decoded
            .strip_prefix(HOST)
            .and_then(|rest| rest.strip_prefix("/?"))
            .ok_or_else(|| malformed("it is not a presigned bedrock.amazonaws.com URL"))?;
        Ok(Self(
            form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        ))
    }

    /// The parameter `name`, or an error that says it is missing.
    fn get(&self, name: &str) -> Result<&str, AuthError> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| malformed(&format!("`{name}` is missing")))
    }

    /// An error unless the parameter `name` is `value`.
    fn expect(&self, name: &str, value: &str) -> Result<(), AuthError> {
        if self.get(name)? == value {
            Ok(())
        } else {
            Err(malformed(&format!("`{name}` is not `{value}`")))
        }
    }
}

impl Drop for Params {
    fn drop(&mut self) {
        for (name, value) in &mut self.0 {
            name.zeroize();
            value.zeroize();
        }
    }
}

impl fmt::Display for ApiKeyInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} Bedrock API key", self.kind)?;
        if let Some(region) = &self.region {
            write!(f, " for {region}")?;
        }
        if let Some(id) = &self.access_key_id {
            write!(f, ", signed by {id}")?;
        }
        if let Some(at) = self.expires_at {
            write!(f, ", expires at {}", rfc3339(at))?;
        }
        Ok(())
    }
}
