//! An `AuthError` keeps its cause: for every failure of a call to AWS, `source()` is the SDK's
//! own error (with its raw response), one test per kind; a configuration that failed to build
//! keeps its `ConfigError` with every problem.

use crate::common;

use std::error::Error as _;

use aws_sdk_bedrockruntime::operation::converse::ConverseError;
use aws_sdk_sts::error::SdkError;
use aws_sdk_sts::operation::assume_role::AssumeRoleError;
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
use bedrock_auth::testing::{Fault, LocalAws, RoleSpec, Sandbox};
use bedrock_auth::{AuthError, AuthManager, ConfigError, ErrorKind, RoleArn, SecretString};

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/BedrockAccess");

/// The `GetCallerIdentity` error behind `err`, and its HTTP status when a service answered.
fn sts_cause(err: &AuthError) -> (&SdkError<GetCallerIdentityError>, Option<u16>) {
    let source = err.source().unwrap_or_else(|| panic!("no source: {err}"));
    let sdk = source
        .downcast_ref::<SdkError<GetCallerIdentityError>>()
        .unwrap_or_else(|| panic!("the source is not the SDK's error: {source:?}"));
    (sdk, sdk.raw_response().map(|r| r.status().as_u16()))
}

async fn manager(aws: &LocalAws) -> AuthManager {
    let user = aws.add_user("alice");
    aws.builder()
        .static_credentials(user.access_key_id, user.secret_access_key)
        .max_attempts(1)
        .sandbox(aws.sandbox())
        .build()
        .unwrap()
}

#[tokio::test]
async fn invalid_credentials_keeps_the_sdk_error() {
    let aws = LocalAws::start().await.unwrap();
    let manager = aws
        .builder()
        .static_credentials("AKIAUNKNOWN000000000", SecretString::from("x"))
        .sandbox(aws.sandbox())
        .build()
        .unwrap();
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials);
    let (sdk, status) = sts_cause(&err);
    assert_eq!(status, Some(403));
    assert!(matches!(sdk, SdkError::ServiceError(_)), "{sdk:?}");
}

#[tokio::test]
async fn expired_throttled_and_service_keep_the_sdk_error() {
    let aws = LocalAws::start().await.unwrap();
    let manager = manager(&aws).await;
    for (fault, kind, status) in [
        (
            Fault::Raw {
                status: 400,
                content_type: "text/xml",
                body: "<ErrorResponse><Error><Code>ExpiredToken</Code><Message>The security \
                       token included in the request is expired</Message></Error></ErrorResponse>",
            },
            ErrorKind::ExpiredCredentials,
            400,
        ),
        (Fault::Throttling, ErrorKind::Throttled, 400),
        (Fault::InternalError, ErrorKind::Service, 500),
    ] {
        aws.set_fault(fault);
        let err = manager.validate().await.unwrap_err();
        assert_eq!(err.kind(), kind, "{err}");
        assert_eq!(sts_cause(&err).1, Some(status), "{err}");
    }
}

#[tokio::test]
async fn a_refused_role_keeps_the_role_s_assume_role_error_in_the_chain() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    aws.add_role(RoleSpec::new(ROLE).trust("arn:aws:iam::123456789012:user/someone-else"));
    let manager = aws
        .builder()
        .assume_role(ROLE)
        .source_static(alice.access_key_id, alice.secret_access_key)
        .sandbox(aws.sandbox())
        .build()
        .unwrap();
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RoleRefused, "{err}");
    sts_cause(&err);
    // Somewhere down the chain: the AssumeRole call's own error, with its 403.
    let mut cause = err.source();
    let mut assume_role = None;
    while let Some(current) = cause {
        if let Some(sdk) = current.downcast_ref::<SdkError<AssumeRoleError>>() {
            assume_role = sdk.raw_response().map(|r| r.status().as_u16());
        }
        cause = current.source();
    }
    assert_eq!(assume_role, Some(403), "{err:?}");
}

#[tokio::test]
async fn network_keeps_the_sdk_error() {
    let aws = LocalAws::start().await.unwrap();
    let endpoint = aws.endpoint_url();
    let user = aws.add_user("alice");
    drop(aws);
    let manager = AuthManager::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .static_credentials(user.access_key_id, user.secret_access_key)
        .max_attempts(1)
        .sandbox(Sandbox::new().http_client(aws_smithy_http_client::Builder::new().build_http()))
        .build()
        .unwrap();
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    let (sdk, status) = sts_cause(&err);
    assert_eq!(status, None);
    assert!(matches!(sdk, SdkError::DispatchFailure(_)), "{sdk:?}");
}

#[tokio::test]
async fn no_credentials_keeps_the_sdk_error() {
    let aws = LocalAws::start().await.unwrap();
    let manager = aws
        .builder()
        .environment()
        .sandbox(aws.sandbox())
        .build()
        .unwrap();
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoCredentials, "{err}");
    sts_cause(&err);
    // Resolved directly, the provider's own error.
    let err = manager.credentials().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoCredentials, "{err}");
    let source = err.source().unwrap();
    assert!(
        source
            .downcast_ref::<aws_credential_types::provider::error::CredentialsError>()
            .is_some(),
        "{source:?}"
    );
}

#[tokio::test]
async fn a_bedrock_call_classified_by_the_manager_keeps_the_sdk_error() {
    let aws = LocalAws::start().await.unwrap();
    let manager = manager(&aws).await;
    aws.deny_model(common::MODEL);
    let client = manager.bedrock_client("us-east-1").await.unwrap();
    let err = common::converse(&client).await.unwrap_err();
    let err = manager.classify_error(err, "Bedrock Converse", None);
    assert_eq!(err.kind(), ErrorKind::AccessDenied, "{err}");
    let sdk = err
        .source()
        .and_then(|s| s.downcast_ref::<SdkError<ConverseError>>())
        .unwrap();
    assert_eq!(sdk.raw_response().map(|r| r.status().as_u16()), Some(403));
}

#[test]
fn a_config_error_keeps_every_problem() {
    let config_error = AuthManager::builder()
        .region("US East")
        .assume_role("arn:aws:iam::42:role/R")
        .build()
        .unwrap_err();
    let err = AuthError::from(config_error.clone());
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    let kept = err
        .source()
        .and_then(|s| s.downcast_ref::<ConfigError>())
        .unwrap();
    assert_eq!(kept, &config_error);
    assert_eq!(kept.problems().len(), 2);
}

/// A reporter that prints an error and then its sources (`anyhow`'s `{:?}`, `eyre`, many
/// loggers' `{:#}`) prints each cause once: `Display` says what failed and the hint, the
/// sources say why, and `message()` keeps both for a log line or JSON.
#[tokio::test]
async fn display_leaves_the_cause_to_source_so_a_reporter_prints_it_once() {
    let manager = AuthManager::builder()
        .region("us-east-1")
        .endpoint_url(common::closed_endpoint())
        .static_credentials("AKIAIOSFODNN7EXAMPLE", SecretString::from("x"))
        .max_attempts(1)
        .sandbox(Sandbox::new().http_client(aws_smithy_http_client::Builder::new().build_http()))
        .build()
        .unwrap();
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    let mut causes = Vec::new();
    let mut source = err.source();
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    let innermost = causes.last().expect("a cause").clone();
    assert!(err.message().contains(&innermost), "{}", err.message());
    let reported = std::iter::once(err.to_string())
        .chain(causes)
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        reported.matches(innermost.as_str()).count(),
        1,
        "printed twice:\n{reported}"
    );
    assert!(err.to_string().contains("could not connect"), "{err}");
    assert!(err.to_string().contains("hint:"), "{err}");
    // The parts apart: what failed (Display, before the hint), what the cause said
    // (`detail()`, as text), and `message()`, which is both.
    let detail = err.detail().expect("the cause's text");
    assert!(detail.contains(&innermost), "{detail}");
    let failed = err.to_string();
    let failed = failed.split(" (hint: ").next().unwrap();
    assert_eq!(err.message(), format!("{failed}: {detail}"));
    assert!(!failed.contains(detail), "{failed}");
    let json = serde_json::to_value(&err).unwrap();
    assert_eq!(json["message"], err.message().as_ref());
}
