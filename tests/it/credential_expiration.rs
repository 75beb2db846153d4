//! Environment mode and `AWS_CREDENTIAL_EXPIRATION` (set by `aws-vault exec` and
//! `aws configure export-credentials --format env`, read by botocore): the expiry shows in
//! `info()` and `health()`, caps short-term Bedrock API keys, and credentials expired on
//! arrival or an unreadable value are refused before anything is sent.

use std::time::{Duration, SystemTime};

use bedrock_auth::testing::{LocalAws, Sandbox, TestUser};
use bedrock_auth::{AuthManager, ErrorKind, ExposeSecret};

/// A sandbox with `user`'s keys in the environment and `AWS_CREDENTIAL_EXPIRATION = expiration`.
fn exported(aws: &LocalAws, user: &TestUser, expiration: &str) -> Sandbox {
    aws.sandbox()
        .env("AWS_ACCESS_KEY_ID", user.access_key_id.as_str())
        .env(
            "AWS_SECRET_ACCESS_KEY",
            user.secret_access_key.expose_secret(),
        )
        .env("AWS_CREDENTIAL_EXPIRATION", expiration)
}

fn manager(aws: &LocalAws, sandbox: Sandbox) -> AuthManager {
    aws.builder()
        .sandbox(sandbox)
        .environment()
        .build()
        .expect("a valid configuration")
}

fn secs(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs()
}

#[tokio::test]
async fn the_expiry_shows_in_info_and_health_and_caps_api_keys() {
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("exported");
    // 20 minutes from now, written with an offset as `aws configure export-credentials` does.
    let expiry = SystemTime::now() + Duration::from_secs(20 * 60);
    let stamp = aws_smithy_types::DateTime::from(expiry)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap()
        .replace('Z', "+00:00");
    let manager = manager(&aws, exported(&aws, &user, &stamp));

    let info = manager.info();
    assert_eq!(info.credentials_expire_at.map(secs), Some(secs(expiry)));
    assert!(info.to_string().contains("expires:"), "{info}");

    manager
        .validate()
        .await
        .expect("credentials not yet expired");
    let health = manager.health();
    assert_eq!(health.credentials_expire_at.map(secs), Some(secs(expiry)));

    // An hour asked for; the key ends with the credentials that signed it.
    let key = manager
        .bedrock_api_key("us-east-1", Duration::from_secs(3600))
        .await
        .unwrap();
    assert!(
        secs(key.expires_at()).abs_diff(secs(expiry)) <= 1,
        "the key expires with the credentials: {} vs {}",
        secs(key.expires_at()),
        secs(expiry)
    );
}

#[tokio::test]
async fn credentials_expired_on_arrival_are_refused_before_anything_is_sent() {
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("stale");
    let manager = manager(&aws, exported(&aws, &user, "2020-01-01T00:00:00Z"));

    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ExpiredCredentials, "{err}");
    let message = err.message();
    assert!(message.contains("AWS_CREDENTIAL_EXPIRATION"), "{message}");
    assert!(message.contains("2020-01-01T00:00:00Z"), "{message}");
    let client = manager.bedrock_client_default().await.unwrap();
    let sent = client.list_async_invokes().send().await;
    assert!(
        sent.is_err(),
        "a Bedrock call is not signed with them either"
    );
    assert!(aws.requests().is_empty(), "{:?}", aws.requests());
    assert_eq!(
        manager.health().last_failure_kind,
        Some(ErrorKind::ExpiredCredentials)
    );
}

#[tokio::test]
async fn an_unreadable_expiration_is_refused_naming_the_variable_and_not_its_value() {
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("misread");
    // A value that is not a time, e.g. a secret pasted into the wrong variable.
    let pasted = user.secret_access_key.expose_secret().to_owned();
    for value in [pasted.as_str(), "tomorrow", "1767225600"] {
        let manager = manager(&aws, exported(&aws, &user, value));
        let err = manager.validate().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{value}: {err}");
        let shown = format!("{err} {err:?} {}", err.message());
        assert!(shown.contains("AWS_CREDENTIAL_EXPIRATION"), "{shown}");
        assert!(
            !shown.contains(value),
            "the value is not pasted back: {shown}"
        );
        assert_eq!(manager.info().credentials_expire_at, None);
    }
    assert!(aws.requests().is_empty(), "{:?}", aws.requests());
}
