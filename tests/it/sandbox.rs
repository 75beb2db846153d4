//! A `Sandbox` replaces the process's world for one manager: its variables and files are the
//! only ones read, and without an HTTP client of its own nothing is sent.

use std::time::Duration;

use bedrock_auth::testing::Sandbox;
use bedrock_auth::{AuthManager, ErrorKind};

#[tokio::test]
async fn a_sandbox_without_http_client_refuses_every_request() {
    // Auto mode with no credentials anywhere asks instance metadata last; a sandbox without an
    // HTTP client refuses that request at once, in process: no connection is ever opened.
    let manager = AuthManager::builder()
        .auto()
        .sandbox(Sandbox::new().env("AWS_REGION", "us-east-1"))
        .build()
        .unwrap();
    let err = tokio::time::timeout(Duration::from_secs(20), manager.credentials())
        .await
        .expect("a refused request comes back, it does not hang")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoCredentials, "{err}");
    assert!(err.message().contains("auto mode"), "{err}");
}

#[tokio::test]
async fn environment_mode_reads_the_sandbox_variables_only() {
    let sandbox = Sandbox::new()
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ACCESS_KEY_ID", "AKIDSANDBOX")
        .env("AWS_SECRET_ACCESS_KEY", "sandbox-secret")
        .env("AWS_SESSION_TOKEN", "  sandbox-token  ")
        .env("AWS_ACCOUNT_ID", "123456789012");
    let manager = AuthManager::builder()
        .environment()
        .sandbox(sandbox)
        .build()
        .unwrap();
    let credentials = manager.credentials().await.unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDSANDBOX");
    assert_eq!(credentials.secret_access_key(), "sandbox-secret");
    assert_eq!(credentials.session_token(), Some("sandbox-token"));
    assert_eq!(
        credentials.account_id().map(|id| id.as_str()),
        Some("123456789012")
    );

    let blank = Sandbox::new()
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ACCESS_KEY_ID", " ")
        .env("AWS_SECRET_ACCESS_KEY", "sandbox-secret");
    let manager = AuthManager::builder()
        .environment()
        .sandbox(blank)
        .build()
        .unwrap();
    let err = manager.credentials().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoCredentials);
    assert!(
        err.message().contains("AWS_ACCESS_KEY_ID is not set"),
        "{err}"
    );
}

#[test]
fn a_sandbox_debug_shows_names_not_values() {
    let sandbox = Sandbox::new()
        .env("AWS_SECRET_ACCESS_KEY", "sandbox-secret")
        .file(
            "/home/.aws/credentials",
            "aws_secret_access_key = file-secret",
        );
    let text = format!("{sandbox:?}");
    assert!(text.contains("AWS_SECRET_ACCESS_KEY"), "{text}");
    assert!(text.contains("/home/.aws/credentials"), "{text}");
    assert!(
        !text.contains("sandbox-secret") && !text.contains("file-secret"),
        "{text}"
    );
}

/// A manager given both a `Shared` and a sandbox with an HTTP client of its own sends through
/// the shared client: a service's tenants keep their one pool in a test too.
#[tokio::test]
async fn the_shared_client_wins_over_the_sandbox_s() {
    let aws = bedrock_auth::testing::LocalAws::start().await.unwrap();
    let user = aws.add_user("tenant");
    let recorder = crate::common::Recorder::default();
    let manager = aws
        .builder()
        .shared(&crate::common::plain_http())
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .sandbox(Sandbox::new().http_client(recorder.client()))
        .build()
        .unwrap();
    manager.validate().await.unwrap();
    assert_eq!(aws.count("GetCallerIdentity"), 1);
    assert!(recorder.urls().is_empty(), "{:?}", recorder.urls());
}
