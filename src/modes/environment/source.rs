//! Environment mode: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` and
//! `AWS_CREDENTIAL_EXPIRATION` of the manager's environment, and nothing else. Also a role's
//! source credentials, and a profile's named credential source `Environment`.

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};

use crate::error::{AuthError, ErrorKind};
use crate::mode_kind::ModeKind;
use crate::os::Os;
use crate::sources::{Context, Given, Origin};

/// The manager's `AWS_*` credential variables.
pub(crate) struct Environment;

impl Origin for Environment {
    fn credentials(&self, cx: &Context<'_>) -> Given {
        Given::Provider(SharedCredentialsProvider::new(EnvironmentOnly::new(cx.os)))
    }
}

/// The `AWS_*` credential variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`, `AWS_ACCOUNT_ID`, `AWS_CREDENTIAL_EXPIRATION`) and nothing else, read
/// from the manager's environment and naming the variable that is missing. Blank counts as
/// missing, as in aws-config's own environment provider (which cannot read a sandbox's
/// environment).
#[derive(Debug)]
pub(crate) struct EnvironmentOnly(Os);

impl EnvironmentOnly {
    pub(crate) fn new(os: &Os) -> Self {
        Self(os.clone())
    }

    fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let [access_key_id, secret] = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"].map(|var| {
            self.0.var(var).ok_or_else(|| {
                let detail = format!("{var} is not set");
                CredentialsError::not_loaded(AuthError::no_credentials(
                    ModeKind::Environment,
                    detail,
                ))
            })
        });
        let mut builder = Credentials::builder()
            .access_key_id(access_key_id?)
            .secret_access_key(secret?)
            .provider_name("EnvironmentVariable");
        builder.set_session_token(self.0.var("AWS_SESSION_TOKEN").map(|t| t.trim().to_owned()));
        builder.set_account_id(self.0.var("AWS_ACCOUNT_ID").map(|id| id.trim().into()));
        if let Some(expiry) = expiration(&self.0)? {
            builder = builder.expiry(expiry);
        }
        Ok(builder.build())
    }
}

/// The variable that says when temporary keys in the environment expire: set by
/// `aws-vault exec`, `aws configure export-credentials --format env` and others, and read by
/// botocore.
pub(crate) const EXPIRATION_VAR: &str = "AWS_CREDENTIAL_EXPIRATION";

/// When the environment says its credentials expire, if it says so readably: for
/// [`AuthInfo`](crate::manager::AuthInfo), which reads without failing.
pub(crate) fn stated_expiry(os: &Os) -> Option<std::time::SystemTime> {
    crate::time::parse_rfc3339(&os.var(EXPIRATION_VAR)?)
}

/// When the environment's credentials expire, from [`EXPIRATION_VAR`] (RFC 3339); `None`
/// when it is not set. A value that cannot be read is refused, naming the variable and not
/// its value, and credentials expired on arrival are `expired_credentials`: neither is sent.
fn expiration(os: &Os) -> Result<Option<std::time::SystemTime>, CredentialsError> {
    let Some(value) = os.var(EXPIRATION_VAR) else {
        return Ok(None);
    };
    let Some(expiry) = crate::time::parse_rfc3339(&value) else {
        return Err(CredentialsError::invalid_configuration(AuthError::new(
            ErrorKind::InvalidConfig,
            format!("{EXPIRATION_VAR} is not an RFC 3339 date and time"),
            format!(
                "set {EXPIRATION_VAR} as `aws configure export-credentials` does \
                 (`2026-12-02T13:00:00Z` or with an offset, `+01:00`), or unset it"
            ),
        )));
    };
    let now = os.now();
    if expiry <= now {
        let ago = now.duration_since(expiry).unwrap_or_default().as_secs();
        return Err(CredentialsError::not_loaded(AuthError::new(
            ErrorKind::ExpiredCredentials,
            format!(
                "the credentials in the environment expired at {} ({ago} s ago, {EXPIRATION_VAR})",
                crate::time::rfc3339(expiry)
            ),
            "get new temporary credentials into the environment (`aws-vault exec`, \
             `aws configure export-credentials`) and start the process again, or choose a \
             mode that refreshes them (a profile, a role)",
        )));
    }
    Ok(Some(expiry))
}

impl ProvideCredentials for EnvironmentOnly {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(self.credentials())
    }
}
