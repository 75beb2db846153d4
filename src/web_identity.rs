//! Web identity: a role assumed with an OIDC token (EKS service accounts, GitHub and GitLab
//! CI) through STS `AssumeRoleWithWebIdentity`, instead of with source credentials.
//!
//! The token comes from a file, re-read at every assumption as EKS rotates it
//! ([`.source_web_identity(path)`](crate::AuthBuilder::source_web_identity)), or from a
//! [`WebIdentityProvider`] of your own
//! ([`.source_web_identity_token(..)`](crate::AuthBuilder::source_web_identity_token)).

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use secrecy::SecretString;

use crate::error::BoxError;

/// The future a [`WebIdentityProvider`] returns.
pub type WebIdentityFuture<'a> =
    Pin<Box<dyn Future<Output = Result<SecretString, BoxError>> + Send + 'a>>;

/// Supplies the current OIDC token for `AssumeRoleWithWebIdentity`. It is asked at every
/// assumption (tokens are short-lived). Any `Fn() -> impl Future<Output = Result<SecretString,
/// BoxError>>` is one:
///
/// ```
/// use bedrock_auth::{error::BoxError, SecretString};
///
/// let builder = bedrock_auth::AuthManager::builder()
///     .assume_role("arn:aws:iam::123456789012:role/CiDeploy")
///     .source_web_identity_token(|| async {
///         // e.g. ask the CI system for an ID token with the audience sts.amazonaws.com
///         Ok::<_, BoxError>(SecretString::from("eyJhbGciOi..."))
///     });
/// # drop(builder);
/// ```
pub trait WebIdentityProvider: Send + Sync + 'static {
    /// The current token.
    fn token(&self) -> WebIdentityFuture<'_>;
}

impl<F, Fut> WebIdentityProvider for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<SecretString, BoxError>> + Send + 'static,
{
    fn token(&self) -> WebIdentityFuture<'_> {
        Box::pin(self())
    }
}

/// Where a role's web identity token comes from.
#[derive(Clone)]
pub(crate) enum WebIdentityToken {
    /// A file, read at every assumption.
    File(PathBuf),
    /// A provider of the program's own.
    Provider(Arc<dyn WebIdentityProvider>),
}

impl fmt::Debug for WebIdentityToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(path) => f.debug_tuple("File").field(path).finish(),
            Self::Provider(_) => f.write_str("Provider(<fn>)"),
        }
    }
}
