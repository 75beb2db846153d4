//! [`Classify`]: `?` on the SDK's results. `.classify(&manager)?` turns a call's (or a stream
//! event's) `SdkError` into the manager's [`AuthError`], naming the operation from the SDK's
//! own error type.

use std::any::type_name;
use std::error::Error as StdError;
use std::fmt;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::error::AuthError;
use crate::manager::AuthManager;

/// `?` on the result of an SDK call made with a manager's clients: `.classify(&manager)?`
/// is [`AuthManager::classify_error`] with the operation named for you (`Bedrock Converse`,
/// `STS GetCallerIdentity`, from the SDK's error type).
///
/// ```no_run
/// use bedrock_auth::{AuthError, AuthManager, Classify};
///
/// async fn ask(manager: &AuthManager) -> Result<(), AuthError> {
///     let client = manager.bedrock_client_default().await?;
///     let output = client
///         .converse()
///         .model_id("anthropic.claude-3-haiku-20240307-v1:0")
///         .send()
///         .await
///         .classify(manager)?;
///     # drop(output);
///     Ok(())
/// }
/// ```
///
/// It takes a stream's events too (`stream.recv().await.classify(&manager)?`), whose errors it
/// records in [`health()`](AuthManager::health) as `classify_error` does.
pub trait Classify<T> {
    /// The value, or the error as the manager classifies it.
    fn classify(self, manager: &AuthManager) -> Result<T, AuthError>;
}

impl<T, E, R> Classify<T> for Result<T, SdkError<E, R>>
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    fn classify(self, manager: &AuthManager) -> Result<T, AuthError> {
        self.map_err(|err| manager.classify_error(err, &operation_of::<E>(), None))
    }
}

/// The operation an SDK error type belongs to, as messages name it: `Bedrock Converse` for
/// `aws_sdk_bedrockruntime::operation::converse::ConverseError`, `Bedrock ConverseStream` for
/// the stream's `ConverseStreamOutputError`, `STS AssumeRole` for `AssumeRoleError`.
fn operation_of<E>() -> String {
    let path = type_name::<E>();
    let service = if path.starts_with("aws_sdk_bedrockruntime") {
        "Bedrock"
    } else if path.starts_with("aws_sdk_sts") {
        "STS"
    } else {
        "AWS"
    };
    let name = path.rsplit("::").next().unwrap_or_default();
    let name = name.split('<').next().unwrap_or_default();
    let operation = name
        .strip_suffix("OutputError")
        .or_else(|| name.strip_suffix("Error"))
        .unwrap_or(name);
    match operation {
        "" => format!("{service} call"),
        // InvokeModelWithResponseStream's events.
        "ResponseStream" => format!("{service} InvokeModelWithResponseStream"),
        operation => format!("{service} {operation}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_named_from_the_sdk_s_error_types() {
        use aws_sdk_bedrockruntime::operation::converse::ConverseError;
        use aws_sdk_bedrockruntime::types::error::{
            ConverseStreamOutputError, ResponseStreamError,
        };
        use aws_sdk_sts::operation::assume_role::AssumeRoleError;
        assert_eq!(operation_of::<ConverseError>(), "Bedrock Converse");
        assert_eq!(
            operation_of::<ConverseStreamOutputError>(),
            "Bedrock ConverseStream"
        );
        assert_eq!(
            operation_of::<ResponseStreamError>(),
            "Bedrock InvokeModelWithResponseStream"
        );
        assert_eq!(operation_of::<AssumeRoleError>(), "STS AssumeRole");
    }
}
