//! Checking a request's SigV4 signature by recomputing it with the `aws-sigv4` crate, the same
//! signer the SDK uses, from the headers the client says it signed.

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;

use super::types::Principal;
use crate::time::parse_amz_date;

/// The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
#[derive(Debug)]
pub(super) struct Authorization<'a> {
    pub(super) access_key_id: &'a str,
    pub(super) region: &'a str,
    pub(super) service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

/// Why a signature was refused; each maps to an AWS error code.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    /// The header is not a SigV4 header we can read.
    Malformed,
    /// The signature does not match the registered secret.
    Mismatch,
    /// The session token is missing or not the one issued with the key.
    BadToken,
}

/// Parses `AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request,
/// SignedHeaders=a;b, Signature=hex`.
pub(super) fn parse(header: &str) -> Option<Authorization<'_>> {
    let rest = header.strip_prefix("AWS4-HMAC-SHA256 ")?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (key, value) = part.trim().split_once('=')?;
        match key {
            "Credential" => credential = Some(value),
            "SignedHeaders" => signed = Some(value),
            "Signature" => signature = Some(value),
            _ => return None,
        }
    }
    let mut scope = credential?.split('/');
    let access_key_id = scope.next()?;
    let _date = scope.next()?;
    let region = scope.next()?;
    let service = scope.next()?;
    (scope.next()? == "aws4_request").then_some(())?;
    Some(Authorization {
        access_key_id,
        region,
        service,
        signed_headers: signed?.split(';').collect(),
        signature: signature?,
    })
}

/// Recomputes the signature of `request` with `principal`'s secret and compares.
pub(super) fn verify(
    request: &http::request::Parts,
    body: &[u8],
    auth: &Authorization<'_>,
    principal: &Principal,
) -> Result<(), Refusal> {
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    let sent_token = header("x-amz-security-token");
    let expected_token = principal
        .session_token
        .as_ref()
        .map(secrecy::ExposeSecret::expose_secret);
    if sent_token != expected_token {
        return Err(Refusal::BadToken);
    }
    let time = header("x-amz-date")
        .and_then(parse_amz_date)
        .ok_or(Refusal::Malformed)?;
    let host = header("host").ok_or(Refusal::Malformed)?;
    let path = request.uri.path_and_query().map_or("/", |p| p.as_str());
    let uri = format!("http://{host}{path}");

    let mut headers = Vec::new();
    // The signer adds the session token itself, from the identity; passing it as a header too
    // would only put it into aws-sigv4's TRACE log of the request.
    let signed = auth
        .signed_headers
        .iter()
        .filter(|h| **h != "x-amz-security-token");
    for name in signed {
        for value in request.headers.get_all(*name) {
            headers.push((*name, value.to_str().map_err(|_| Refusal::Malformed)?));
        }
    }
    let identity = Credentials::new(
        auth.access_key_id,
        principal.secret(),
        expected_token.map(str::to_owned),
        None,
        "local-aws",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(auth.region)
        .name(auth.service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|_| Refusal::Malformed)?
        .into();
    let signable = SignableRequest::new(
        request.method.as_str(),
        uri,
        headers.into_iter(),
        SignableBody::Bytes(body),
    )
    .map_err(|_| Refusal::Malformed)?;
    let output = sign(signable, &params).map_err(|_| Refusal::Malformed)?;
    if output.signature() == auth.signature {
        Ok(())
    } else {
        Err(Refusal::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_authorization_header() {
        let auth = parse(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/us-west-2/bedrock/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, Signature=abc123",
        )
        .unwrap();
        assert_eq!(auth.access_key_id, "AKIDEXAMPLE");
        assert_eq!(auth.region, "us-west-2");
        assert_eq!(auth.service, "bedrock");
        assert_eq!(auth.signed_headers, ["content-type", "host", "x-amz-date"]);
        assert_eq!(auth.signature, "abc123");
        assert!(parse("Bearer abc").is_none());
    }
}
