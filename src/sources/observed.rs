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

use crate::modes::profile::source::MissingFeature;

use crate::error::{AuthError, ErrorKind, SignIn, SignInKind};
use crate::mode_kind::ModeKind;
use crate::monitor::Monitor;
use crate::quiet_logs::quieted;
use crate::sdk_errors::read_credentials_error;

/// Asks `chain` once. `quiet`: resolution runs [`quieted`], in the modes that read a profile
/// (only aws-config's profile providers log what must be left out); `sign_in`: the chain's
/// sign-in session, named in the error when it must be renewed.
pub(super) async fn resolve_once(
    chain: &SharedCredentialsProvider,
    monitor: &Arc<Monitor>,
    quiet: bool,
    sign_in: Option<&SignIn>,
) -> Result<Credentials, CredentialsError> {
    let result = if quiet {
        quieted(chain.provide_credentials()).await
    } else {
        chain.provide_credentials().await
    };
    let result = result
        .map_err(name_our_feature)
        .map_err(|err| sign_in_again(err, monitor.mode(), sign_in));
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

/// A sign-in session that cannot be used: an `aws login` session (no cached session, a field
/// missing from it, a refresh AWS Sign-In refused) or an SSO one (its cached token expired
/// and cannot be refreshed, never cached on this machine, or refused by the portal).
/// aws-config's error, classified as before, with the fix a user needs, which is to sign in
/// again: the exact command when the chain's sign-in profile is known (`sign_in`). A Sign-In
/// or portal that could not be reached is a `network` failure, as it is. aws-config's error
/// types for these are private, so they are known by their text.
fn sign_in_again(
    err: CredentialsError,
    mode: ModeKind,
    sign_in: Option<&SignIn>,
) -> CredentialsError {
    let Some((kind, because, unreachable)) = sign_in_failure(&err) else {
        return err;
    };
    let read = read_credentials_error(&err, mode);
    // A Sign-In that could not be reached is not fixed by signing in again: the session may
    // be good.
    if unreachable {
        let hint = match kind {
            SignInKind::Login => {
                "AWS Sign-In could not be reached to refresh the `aws login` session: check the \
                 network path to it (a proxy, a firewall, AWS_ENDPOINT_URL_SIGNIN) and try again"
            }
            _ => {
                "the IAM Identity Center portal could not be reached: check the network path to \
                 it (a proxy, a firewall, AWS_ENDPOINT_URL_SSO) and try again"
            }
        };
        let fixed = AuthError::new(ErrorKind::Network, read.message().into_owned(), hint);
        return CredentialsError::not_loaded(fixed.caused_by(err));
    }
    let sign_in = match sign_in {
        Some(known) if known.kind() == kind => known.clone(),
        // The chain's profile is not known here (a source of the program's own): the
        // command with the name to fill in.
        _ => SignIn::new(kind, "NAME"),
    };
    let fixed = AuthError::new(read.kind(), read.message().into_owned(), "")
        .with_sign_in(sign_in, because)
        .caused_by(err);
    if fixed.kind() == ErrorKind::InvalidConfig {
        CredentialsError::invalid_configuration(fixed)
    } else {
        CredentialsError::not_loaded(fixed)
    }
}

/// Which sign-in `err` says cannot be used, why in words, and whether the service that renews
/// it could not be reached; `None` for any other failure.
fn sign_in_failure(err: &CredentialsError) -> Option<(SignInKind, &'static str, bool)> {
    let (mut found, mut unreachable) = (None, false);
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(inner) = cause {
        let text = inner.to_string();
        unreachable |= inner.is::<ConnectorError>();
        let says = if text.contains("Login token") || text.contains("/login/cache/") {
            Some((
                SignInKind::Login,
                "the console sign-in session (`aws login`) is missing, incomplete or no longer \
                 accepted",
            ))
        } else if text.contains("the SSO token has expired") {
            Some((SignInKind::Sso, "the SSO session has expired"))
        } else if text.contains("failed to load the cached SSO token") {
            Some((
                SignInKind::Sso,
                "the SSO session's cached token is missing or unreadable",
            ))
        } else if text.contains("UnauthorizedException") && found.is_none() {
            Some((
                SignInKind::Sso,
                "the IAM Identity Center portal refused the SSO session's token (expired or \
                 revoked)",
            ))
        } else {
            None
        };
        found = found.or(says);
        cause = inner.source();
    }
    found.map(|(kind, because)| (kind, because, unreachable))
}
