//! The embedded local AWS (`bedrock_auth::testing`), driven by the plain AWS SDK: it accepts
//! correctly signed requests, refuses wrong keys, secrets and tokens with AWS's own error codes,
//! and records what it saw.

use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sdk_sts::config::{BehaviorVersion, Region};
use bedrock_auth::testing::{AuthKind, Fault, LocalAws, RoleSpec};
use bedrock_auth::{ExposeSecret, RoleArn};

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/BedrockAccess");

fn sts(aws: &LocalAws, key: &str, secret: &str, token: Option<&str>) -> aws_sdk_sts::Client {
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(aws.endpoint_url())
        .credentials_provider(Credentials::new(
            key,
            secret,
            token.map(str::to_owned),
            None,
            "test",
        ))
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

fn bedrock(
    aws: &LocalAws,
    region: &'static str,
    key: &str,
    secret: &str,
) -> aws_sdk_bedrockruntime::Client {
    let config = aws_sdk_bedrockruntime::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .endpoint_url(aws.endpoint_url())
        .credentials_provider(Credentials::new(key, secret, None, None, "test"))
        .build();
    aws_sdk_bedrockruntime::Client::from_conf(config)
}

fn code<E: aws_sdk_sts::error::ProvideErrorMetadata>(err: &E) -> Option<&str> {
    err.code()
}

#[tokio::test]
async fn get_caller_identity_with_a_registered_key() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let client = sts(
        &aws,
        alice.access_key_id.as_str(),
        alice.secret_access_key.expose_secret(),
        None,
    );
    let identity = client.get_caller_identity().send().await.unwrap();
    assert_eq!(identity.arn(), Some("arn:aws:iam::123456789012:user/alice"));
    assert_eq!(identity.account(), Some("123456789012"));
    assert_eq!(identity.user_id(), Some(alice.user_id.as_str()));

    let seen = aws.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].action, "GetCallerIdentity");
    assert_eq!(seen[0].auth, AuthKind::SigV4);
    assert_eq!(
        seen[0].access_key_id.as_deref(),
        Some(alice.access_key_id.as_str())
    );
    assert_eq!(seen[0].signing_region.as_deref(), Some("us-east-1"));
    assert_eq!(seen[0].signing_service.as_deref(), Some("sts"));
    assert_eq!(seen[0].status, 200);
}

#[tokio::test]
async fn wrong_secret_unknown_key_and_wrong_token_are_refused() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let key = alice.access_key_id.as_str();

    let err = sts(&aws, key, "not-the-secret", None)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), Some("SignatureDoesNotMatch"));

    let err = sts(&aws, "AKIAUNKNOWN000000000", "x", None)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), Some("InvalidClientTokenId"));

    let secret = alice.secret_access_key.expose_secret();
    let err = sts(&aws, key, secret, Some("unexpected-token"))
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), Some("InvalidClientTokenId"));

    let codes: Vec<_> = aws
        .requests()
        .into_iter()
        .map(|r| (r.status, r.error_code))
        .collect();
    assert_eq!(
        codes,
        [
            (403, Some("SignatureDoesNotMatch".to_owned())),
            (403, Some("InvalidClientTokenId".to_owned())),
            (403, Some("InvalidClientTokenId".to_owned())),
        ]
    );
}

#[tokio::test]
async fn assume_role_checks_trust_external_id_and_mfa() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let mallory = aws.add_user_in("999999999999", "mallory");
    aws.add_role(
        RoleSpec::new(ROLE)
            .external_id("ext-1")
            .require_mfa("arn:aws:iam::123456789012:mfa/alice", "123456"),
    );
    let client = sts(
        &aws,
        alice.access_key_id.as_str(),
        alice.secret_access_key.expose_secret(),
        None,
    );
    let assume = || {
        client
            .assume_role()
            .role_arn(ROLE.as_str())
            .role_session_name("tests")
            .duration_seconds(900)
    };

    let err = assume().external_id("wrong").send().await.unwrap_err();
    assert_eq!(code(&err), Some("AccessDenied"));
    let err = assume().external_id("ext-1").send().await.unwrap_err();
    assert_eq!(code(&err), Some("AccessDenied"), "MFA is required");
    let out = assume()
        .external_id("ext-1")
        .serial_number("arn:aws:iam::123456789012:mfa/alice")
        .token_code("123456")
        .send()
        .await
        .unwrap();
    let creds = out.credentials().unwrap();
    assert!(creds.access_key_id().starts_with("ASIA"));

    let temp = sts(
        &aws,
        creds.access_key_id(),
        creds.secret_access_key(),
        Some(creds.session_token()),
    );
    let identity = temp.get_caller_identity().send().await.unwrap();
    assert_eq!(
        identity.arn(),
        Some("arn:aws:sts::123456789012:assumed-role/BedrockAccess/tests")
    );

    let other = sts(
        &aws,
        mallory.access_key_id.as_str(),
        mallory.secret_access_key.expose_secret(),
        None,
    );
    let err = other
        .assume_role()
        .role_arn(ROLE.as_str())
        .role_session_name("x1")
        .external_id("ext-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        Some("AccessDenied"),
        "another account is not trusted"
    );

    let recorded = &aws.requests()[2];
    assert_eq!(
        recorded.params.get("RoleArn").map(String::as_str),
        Some(ROLE.as_str())
    );
    assert_eq!(
        recorded.params.get("DurationSeconds").map(String::as_str),
        Some("900")
    );
    assert_eq!(
        recorded.params.get("TokenCode").map(String::as_str),
        Some("123456")
    );
}

#[tokio::test]
async fn expired_role_credentials_are_refused() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    aws.add_role(RoleSpec::new(ROLE).credential_lifetime(Duration::from_secs(1)));
    let client = sts(
        &aws,
        alice.access_key_id.as_str(),
        alice.secret_access_key.expose_secret(),
        None,
    );
    let out = client
        .assume_role()
        .role_arn(ROLE.as_str())
        .role_session_name("short")
        .send()
        .await
        .unwrap();
    let creds = out.credentials().unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let temp = sts(
        &aws,
        creds.access_key_id(),
        creds.secret_access_key(),
        Some(creds.session_token()),
    );
    let err = temp.get_caller_identity().send().await.unwrap_err();
    assert_eq!(code(&err), Some("ExpiredToken"));
}

#[tokio::test]
async fn converse_is_signed_for_the_client_region() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    aws.deny_model("denied.model-v1:0");
    let secret = alice.secret_access_key.expose_secret();
    for region in ["us-west-2", "eu-central-1"] {
        let client = bedrock(&aws, region, alice.access_key_id.as_str(), secret);
        let out = client
            .converse()
            .model_id("anthropic.claude-3-haiku-20240307-v1:0")
            .messages(
                aws_sdk_bedrockruntime::types::Message::builder()
                    .role(aws_sdk_bedrockruntime::types::ConversationRole::User)
                    .content(aws_sdk_bedrockruntime::types::ContentBlock::Text(
                        "ping".into(),
                    ))
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        let text = out.output().unwrap().as_message().unwrap().content()[0]
            .as_text()
            .unwrap()
            .clone();
        assert_eq!(text, "pong");
    }
    let client = bedrock(&aws, "us-west-2", alice.access_key_id.as_str(), secret);
    let err = client
        .converse()
        .model_id("denied.model-v1:0")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_bedrockruntime::error::ProvideErrorMetadata::code(&err),
        Some("AccessDeniedException")
    );

    let seen: Vec<_> = aws
        .requests()
        .into_iter()
        .map(|r| {
            (
                r.signing_region.unwrap(),
                r.signing_service.unwrap(),
                r.model_id.unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "us-west-2".to_owned(),
                "bedrock".to_owned(),
                "anthropic.claude-3-haiku-20240307-v1:0".to_owned()
            ),
            (
                "eu-central-1".to_owned(),
                "bedrock".to_owned(),
                "anthropic.claude-3-haiku-20240307-v1:0".to_owned()
            ),
            (
                "us-west-2".to_owned(),
                "bedrock".to_owned(),
                "denied.model-v1:0".to_owned()
            ),
        ]
    );
}

#[tokio::test]
async fn faults_are_injected_until_cleared() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let client = sts(
        &aws,
        alice.access_key_id.as_str(),
        alice.secret_access_key.expose_secret(),
        None,
    );
    aws.set_fault(Fault::InternalError);
    let config = client
        .config()
        .to_builder()
        .retry_config(aws_sdk_sts::config::retry::RetryConfig::disabled())
        .build();
    let no_retry = aws_sdk_sts::Client::from_conf(config);
    let err = no_retry.get_caller_identity().send().await.unwrap_err();
    assert_eq!(code(&err), Some("InternalFailure"));
    aws.clear_fault();
    no_retry.get_caller_identity().send().await.unwrap();
}
