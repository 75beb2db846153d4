//! Multi-factor authentication for role assumption: where the token code comes from.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use secrecy::SecretString;

use crate::error::BoxError;
use crate::values::MfaSerial;

/// The future an [`MfaProvider`] returns.
pub type MfaFuture<'a> = Pin<Box<dyn Future<Output = Result<SecretString, BoxError>> + Send + 'a>>;

/// Supplies the current MFA token code. It is called each time new role credentials are
/// needed, not once, because a code is valid for a few seconds only.
///
/// Any `Fn() -> impl Future<Output = Result<SecretString, BoxError>>` is a source:
///
/// ```
/// use bedrock_auth::{error::BoxError, SecretString};
///
/// let source = || async {
///     // e.g. ask a TOTP generator or prompt the operator
///     Ok::<_, BoxError>(SecretString::from("123456"))
/// };
/// let builder = bedrock_auth::AuthManager::builder()
///     .assume_role("arn:aws:iam::123456789012:role/Admin")
///     .mfa("arn:aws:iam::123456789012:mfa/alice", source);
/// # drop(builder);
/// ```
pub trait MfaProvider: Send + Sync + 'static {
    /// The current token code.
    fn token_code(&self) -> MfaFuture<'_>;
}

impl<F, Fut> MfaProvider for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<SecretString, BoxError>> + Send + 'static,
{
    fn token_code(&self) -> MfaFuture<'_> {
        Box::pin(self())
    }
}

/// An MFA device and where its codes come from.
#[derive(Clone)]
pub(crate) struct Mfa {
    pub(crate) serial: MfaSerial,
    pub(crate) token_source: Arc<dyn MfaProvider>,
}

impl fmt::Debug for Mfa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mfa")
            .field("serial", &self.serial)
            .field("token_source", &"<fn>")
            .finish()
    }
}
