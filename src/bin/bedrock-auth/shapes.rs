//! The shapes credentials are handed to other programs in: the `credential_process` JSON
//! (`Version: 1`), STS's own answer (`{"Credentials": {..}}`, what `aws sts get-session-token`
//! prints and Claude Code's `awsCredentialExport` reads), the container credentials endpoint's
//! JSON (what every SDK's default chain reads from `AWS_CONTAINER_CREDENTIALS_FULL_URI`), and
//! lines a shell can `eval`. Each is written into a buffer that is wiped, with room enough that
//! it never grows (growing would free a copy of the secret unwiped).

use aws_credential_types::Credentials;
use bedrock_auth::{AuthError, AuthManager, ErrorKind, modes::ModeKind};
use serde::Serialize;
use zeroize::Zeroizing;

/// A shape credentials are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Shape {
    /// `export AWS_ACCESS_KEY_ID='..'` lines, for `eval`.
    Env,
    /// The `credential_process` JSON: `Version`, `AccessKeyId`, `SecretAccessKey`,
    /// `SessionToken`, `Expiration`, `AccountId`.
    Json,
    /// STS's answer: `{"Credentials": {"AccessKeyId", "SecretAccessKey", "SessionToken",
    /// "Expiration"}}`.
    Sts,
    /// The container credentials endpoint's answer: `AccessKeyId`, `SecretAccessKey`, `Token`,
    /// `Expiration`.
    #[value(skip)]
    Container,
}

/// The mode's SigV4 credentials, for `subcommand`, which hands them to another program; API-key
/// mode has none.
pub(crate) async fn sigv4_credentials(
    manager: &AuthManager,
    subcommand: &str,
) -> Result<Credentials, AuthError> {
    if manager.mode() == ModeKind::ApiKey {
        return Err(AuthError::new(
            ErrorKind::InvalidConfig,
            format!(
                "{subcommand} hands on SigV4 credentials, and API-key mode has none (a Bedrock \
                 API key only works as a bearer token for Bedrock)"
            ),
            "choose a SigV4 mode: --profile, --env, --role-arn, or a --config file with one",
        ));
    }
    manager.credentials().await
}

/// The credentials' expiry as AWS writes it (`2026-12-07T03:00:00Z`), if they have one.
pub(crate) fn expiration(credentials: &Credentials) -> Option<String> {
    let secs = credentials
        .expiry()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some(aws_smithy_types::DateTime::from_secs(i64::try_from(secs).ok()?).to_string())
}

/// `credentials` in `shape`, ending with a newline.
pub(crate) fn write(
    shape: Shape,
    credentials: &Credentials,
) -> Result<Zeroizing<Vec<u8>>, serde_json::Error> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(16 * 1024));
    let expiration = expiration(credentials);
    let (id, secret) = (credentials.access_key_id(), credentials.secret_access_key());
    let token = credentials.session_token();
    match shape {
        Shape::Json => serde_json::to_writer(
            &mut *bytes,
            &Process {
                version: 1,
                session: Session {
                    access_key_id: id,
                    secret_access_key: secret,
                    session_token: token,
                    expiration: expiration.as_deref(),
                },
                account_id: credentials.account_id().map(|id| id.as_str()),
            },
        )?,
        Shape::Sts => serde_json::to_writer(
            &mut *bytes,
            &Sts {
                credentials: Session {
                    access_key_id: id,
                    secret_access_key: secret,
                    session_token: token,
                    expiration: expiration.as_deref(),
                },
            },
        )?,
        Shape::Container => serde_json::to_writer(
            &mut *bytes,
            &Container {
                access_key_id: id,
                secret_access_key: secret,
                token,
                expiration: expiration.as_deref(),
                account_id: credentials.account_id().map(|id| id.as_str()),
            },
        )?,
        Shape::Env => {
            for (name, value) in variables(credentials, expiration.as_deref()) {
                bytes.extend_from_slice(b"export ");
                bytes.extend_from_slice(name.as_bytes());
                bytes.extend_from_slice(b"=");
                quoted(&mut bytes, value);
                bytes.push(b'\n');
            }
            return Ok(bytes);
        }
    }
    bytes.push(b'\n');
    Ok(bytes)
}

/// The variables that carry `credentials` for the SDKs' environment provider.
pub(crate) fn variables<'a>(
    credentials: &'a Credentials,
    expiration: Option<&'a str>,
) -> Vec<(&'static str, &'a str)> {
    let mut vars = vec![
        ("AWS_ACCESS_KEY_ID", credentials.access_key_id()),
        ("AWS_SECRET_ACCESS_KEY", credentials.secret_access_key()),
    ];
    if let Some(token) = credentials.session_token() {
        vars.push(("AWS_SESSION_TOKEN", token));
    }
    if let Some(expiration) = expiration {
        vars.push(("AWS_CREDENTIAL_EXPIRATION", expiration));
    }
    vars
}

/// `value` in single quotes, as every POSIX shell reads it back: a `'` inside is `'\''`.
fn quoted(out: &mut Vec<u8>, value: &str) {
    out.push(b'\'');
    for byte in value.bytes() {
        if byte == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(byte);
        }
    }
    out.push(b'\'');
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Process<'a> {
    version: u8,
    #[serde(flatten)]
    session: Session<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Sts<'a> {
    credentials: Session<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Session<'a> {
    access_key_id: &'a str,
    secret_access_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Container<'a> {
    access_key_id: &'a str,
    secret_access_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_lines_quote_what_a_shell_would_split_or_expand() {
        let mut out = Vec::new();
        quoted(&mut out, "a'b $HOME");
        assert_eq!(out, b"'a'\\''b $HOME'");
    }
}
