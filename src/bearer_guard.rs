//! [`BearerGuard`]: an interceptor on the Bedrock clients that send an API key, refusing any
//! request bound for plain HTTP other than this machine before the key is attached.
//!
//! It looks at the request the SDK is about to sign, so it sees the endpoint however it was
//! chosen: the builder, `AWS_ENDPOINT_URL*`, or a profile's `endpoint_url`.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use crate::auth_error::{AuthError, ErrorKind};
use crate::values::EndpointUrl;

#[derive(Debug)]
pub(crate) struct BearerGuard;

impl Intercept for BearerGuard {
    fn name(&self) -> &'static str {
        "BearerGuard"
    }

    /// Runs before signing, that is before the `Authorization: Bearer` header exists.
    fn read_before_signing(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let uri = context.request().uri();
        let Ok(url) = uri.parse::<EndpointUrl>() else {
            // Not a URL we can read: the SDK reports it itself.
            return Ok(());
        };
        if url.is_safe_for_bearer() {
            return Ok(());
        }
        Err(Box::new(AuthError::new(
            ErrorKind::InvalidConfig,
            format!(
                "refusing to send a Bedrock API key over plain HTTP to {}",
                url.host()
            ),
            "use https:// for the endpoint (builder, AWS_ENDPOINT_URL*, or the profile's \
             endpoint_url), or plain http:// only to 127.0.0.1, ::1 or localhost",
        )))
    }
}
