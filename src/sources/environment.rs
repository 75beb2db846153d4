//! Environment mode: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` of the
//! manager's environment, and nothing else. Also a role's source credentials, and a profile's
//! named credential source `Environment`.

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};

use super::{Context, Given, Origin};
use crate::auth_error::AuthError;
use crate::mode_kind::ModeKind;
use crate::os::Os;

/// The manager's `AWS_*` credential variables.
pub(super) struct Environment;

impl Origin for Environment {
    fn credentials(&self, cx: &Context<'_>) -> Given {
        Given::Provider(SharedCredentialsProvider::new(EnvironmentOnly::new(cx.os)))
    }
}

/// The `AWS_*` credential variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`, `AWS_ACCOUNT_ID`) and nothing else, read from the manager's
/// environment and naming the variable that is missing. Blank counts as missing, as in
/// aws-config's own environment provider (which cannot read a sandbox's environment).
#[derive(Debug)]
pub(super) struct EnvironmentOnly(Os);

impl EnvironmentOnly {
    pub(super) fn new(os: &Os) -> Self {
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
        Ok(builder.build())
    }
}

impl ProvideCredentials for EnvironmentOnly {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(self.credentials())
    }
}
