//! One resolution of the manager's credentials from its provider chain, watched by its
//! monitor: the failures that no service answered are recorded (`no_credentials`,
//! `timed_out`; refusals by STS are recorded by the STS client's own monitor), and
//! aws-config's errors get the fixes a user needs.

use std::sync::Arc;

use aws_config::profile::credentials::ProfileFileError;
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_runtime_api::client::result::ConnectorError;

use super::profile::MissingFeature;

use crate::error::{AuthError, ErrorKind};
use crate::mode_kind::ModeKind;
use crate::monitor::Monitor;
use crate::quiet_logs::quieted;
use crate::sdk_errors::read_credentials_error;

/// Asks `chain` once. `quiet`: resolution runs [`quieted`], in the modes that read a profile
/// (only aws-config's profile providers log what must be left out).
pub(super) async fn resolve_once(
    chain: &SharedCredentialsProvider,
    monitor: &Arc<Monitor>,
    quiet: bool,
) -> Result<Credentials, CredentialsError> {
    let result = if quiet {
        quieted(chain.provide_credentials()).await
    } else {
        chain.provide_credentials().await
    };
    let result = result
        .map_err(name_our_feature)
        .map_err(|err| sign_in_again(err, monitor.mode()));
    if let Err(err) = &result {
        let err = read_credentials_error(err, monitor.mode());
        if err.http_status().is_none() && !err.is_recorded() {
            monitor.failure(&err);
        }
    }
    result
}

/// aws-config's "requires following cargo feature(s) enabled: credentials-login" for a
/// profile of a chain (the mode's own profile is checked before it is read): this crate's
/// feature named instead, which is the one a user can turn on.
fn name_our_feature(err: CredentialsError) -> CredentialsError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(&err);
    while let Some(inner) = cause {
        if let Some(ProfileFileError::FeatureNotEnabled { feature, .. }) = inner.downcast_ref() {
            return match MissingFeature::of_aws_config(feature) {
                Some(ours) => CredentialsError::invalid_configuration(ours.error(None)),
                None => err,
            };
        }
        cause = inner.source();
    }
    err
}

/// An `aws login` session that cannot be used (no cached session, a field missing from it, a
/// refresh AWS Sign-In refused): aws-config's error, classified as before, with the fix a
/// user needs, which is to sign in again; a Sign-In that could not be reached is a `network`
/// failure, as it is. aws-config's login error type is private, so its
/// errors are known by their text ("... Login token ...", or the cache file's path).
fn sign_in_again(err: CredentialsError, mode: ModeKind) -> CredentialsError {
    let (mut says_login, mut unreachable) = (false, false);
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    while let Some(inner) = cause {
        let text = inner.to_string();
        says_login |= text.contains("Login token") || text.contains("/login/cache/");
        unreachable |= inner.is::<ConnectorError>();
        cause = inner.source();
    }
    if !says_login {
        return err;
    }
    let read = read_credentials_error(&err, mode);
    // A Sign-In that could not be reached is not fixed by signing in again: the session may
    // be good.
    let (kind, hint) = if unreachable {
        (
            ErrorKind::Network,
            "AWS Sign-In could not be reached to refresh the `aws login` session: check the \
             network path to it (a proxy, a firewall, AWS_ENDPOINT_URL_SIGNIN) and try again",
        )
    } else {
        (
            read.kind(),
            "sign in again with `aws login` (`aws login --profile NAME` for a named profile): \
             the console session cached under ~/.aws/login/cache/ is missing, incomplete or no \
             longer accepted",
        )
    };
    let fixed = AuthError::new(kind, read.message().to_owned(), hint).caused_by(err);
    if kind == ErrorKind::InvalidConfig {
        CredentialsError::invalid_configuration(fixed)
    } else {
        CredentialsError::not_loaded(fixed)
    }
}
