//! API-key mode against the embedded local AWS: bearer keys (long-term and generated
//! short-term) accepted and refused with the right kinds, `validate()` catching bad keys
//! without network, SigV4 kept by every explicit mode (custom source included) whatever `AWS_BEARER_TOKEN_BEDROCK`
//! holds, auto mode following the SDK and saying so, and no key bytes in any output.

use super::common;

use std::time::{Duration, SystemTime};

use bedrock_auth::testing::{AuthKind, LocalAws, RoleSpec, TestUser};
use bedrock_auth::{
    AuthManager, ErrorKind, ExposeSecret, RoleArn, SecretString, api_key::ApiKeyKind,
    api_key::ShortTermKey, custom::FreshCredentials, error::BoxError, manager::BedrockAuth,
};
use common::Captured;

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/BedrockAccess");

use common::converse_with as converse;

fn key_manager(aws: &LocalAws, key: SecretString) -> AuthManager {
    aws.builder().api_key(key).build().unwrap()
}

async fn short_term_key(aws: &LocalAws, user: &TestUser, ttl: Duration) -> SecretString {
    let signer = aws
        .builder()
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()
        .unwrap();
    let key = signer.bedrock_api_key("us-east-1", ttl).await.unwrap();
    key.token().clone()
}

/// A short-term key for us-east-1 signed by `user` at `at`, valid for `ttl`.
fn signed_at(user: &TestUser, at: SystemTime, ttl: Duration) -> ShortTermKey {
    common::signed_key(user, "us-east-1", at, ttl)
}

#[tokio::test]
async fn a_generated_key_is_accepted_for_converse_and_validate() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let key = short_term_key(&aws, &alice, Duration::from_secs(3600)).await;
    let manager = key_manager(&aws, key);
    assert_eq!(
        manager.info().bedrock_auth,
        BedrockAuth::ApiKey { from_env: false }
    );

    converse(&manager).await.unwrap();
    let identity = manager.validate().await.unwrap();
    let info = identity.api_key.expect("API-key mode says what the key is");
    assert_eq!(info.kind, ApiKeyKind::ShortTerm);
    assert_eq!(info.region.unwrap().as_str(), "us-east-1");
    assert_eq!(
        info.access_key_id.as_deref(),
        Some(alice.access_key_id.as_str())
    );
    assert!(identity.arn.is_empty());

    let seen = aws.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].action, "Converse");
    assert_eq!(seen[1].action, "ListAsyncInvokes");
    for request in &seen {
        assert_eq!(request.auth, AuthKind::Bearer);
        assert_eq!(request.status, 200);
        assert_eq!(
            request.access_key_id.as_deref(),
            Some(alice.access_key_id.as_str())
        );
    }
}

#[tokio::test]
async fn a_long_term_key_is_accepted_and_an_unknown_one_refused() {
    let aws = LocalAws::start().await.unwrap();
    let bob = aws.add_user("bob");
    let manager = key_manager(&aws, aws.add_api_key(&bob));
    let identity = manager.validate().await.unwrap();
    assert_eq!(identity.api_key.unwrap().kind, ApiKeyKind::LongTerm);
    converse(&manager).await.unwrap();

    let unknown = key_manager(&aws, SecretString::from("ABSKnot-a-registered-key"));
    let err = unknown.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err}");
    assert!(err.message().contains("ListAsyncInvokes"), "{err}");
}

#[tokio::test]
async fn a_key_signed_with_the_wrong_secret_is_refused() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let forged = aws_credential_types::Credentials::new(
        alice.access_key_id.as_str(),
        "not-alice-secret",
        None,
        None,
        "test",
    );
    let key = ShortTermKey::sign(
        &forged,
        &"us-east-1".parse().unwrap(),
        Duration::from_secs(600),
        SystemTime::now(),
    )
    .unwrap();
    let manager = key_manager(&aws, key.token().clone());
    let err = converse(&manager).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err}");
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err}");
}

#[tokio::test]
async fn expired_and_malformed_keys_are_caught_without_network() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let expired = signed_at(&alice, an_hour_ago, Duration::from_secs(60));
    let expired = key_manager(&aws, expired.token().clone());
    let err = expired.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ExpiredCredentials, "{err}");

    let malformed = key_manager(&aws, SecretString::from("bedrock-api-key-!!not base64!!"));
    let err = malformed.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err}");
    assert!(err.message().contains("malformed"), "{err}");
    assert!(
        aws.requests().is_empty(),
        "validate() sent {:?}",
        aws.requests()
    );

    // A Bedrock call with the expired key is refused before it is sent, too.
    let err = converse(&expired).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ExpiredCredentials, "{err}");
    assert!(aws.requests().is_empty(), "sent {:?}", aws.requests());

    // The malformed one is sent (only Bedrock can judge a key it cannot read), and refused as
    // Bedrock refuses it: 403 AccessDeniedException, "The bearer token ... is invalid.".
    let err = converse(&malformed).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err}");
    assert_eq!(err.http_status(), Some(403), "{err}");
    assert_eq!(err.code(), Some("AccessDeniedException"), "{err}");
    assert!(err.message().contains("bearer token"), "{err}");
    assert!(err.hint().contains("new one"), "{err}");
}

/// What Bedrock answers an expired short-term key: 401, no error code, a message that starts
/// `Signature expired:`. Here the manager's clock is an hour behind, so it sends the key that
/// the server, on the real clock, finds expired.
#[tokio::test]
async fn bedrock_s_answer_to_an_expired_key_is_expired_credentials() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let key = signed_at(&alice, an_hour_ago, Duration::from_secs(60));
    let manager = aws
        .builder()
        .api_key(key.token().clone())
        .sandbox(aws.sandbox().at(an_hour_ago + Duration::from_secs(1)))
        .build()
        .unwrap();
    let err = converse(&manager).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ExpiredCredentials, "{err}");
    assert_eq!(err.http_status(), Some(401), "{err}");
    assert_eq!(err.code(), None, "{err}");
    assert!(err.message().contains("Signature expired:"), "{err}");
    assert!(err.message().contains("HTTP 401"), "{err}");
    assert!(err.hint().contains("new key"), "{err}");
    let seen = aws.requests();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].status, 401);
}

#[tokio::test]
async fn a_short_term_key_for_another_region_fails_validate_without_network() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let key = short_term_key(&aws, &alice, Duration::from_secs(600)).await;
    let manager = aws
        .builder()
        .region("eu-west-1")
        .api_key(key)
        .build()
        .unwrap();
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{err}");
    assert!(err.message().contains("us-east-1") && err.message().contains("eu-west-1"));
    assert!(aws.requests().is_empty());

    // Sent anyway to a Bedrock endpoint of another region, it is refused there.
    aws.set_api_key_region("eu-west-1");
    let err = converse(&manager).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err}");
    assert!(err.message().contains("scoped to a valid region"), "{err}");
}

#[tokio::test]
async fn an_api_key_manager_offers_no_sigv4_clients_or_keys() {
    let aws = LocalAws::start().await.unwrap();
    let bob = aws.add_user("bob");
    let manager = key_manager(&aws, aws.add_api_key(&bob));
    for err in [
        manager.sdk_config().await.map(drop).unwrap_err(),
        manager.sts_client().await.map(drop).unwrap_err(),
        manager.credentials().await.map(drop).unwrap_err(),
        manager
            .bedrock_api_key("us-east-1", Duration::from_secs(60))
            .await
            .map(drop)
            .unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{err}");
    }
    assert!(aws.requests().is_empty());
}

/// A missing `AWS_BEARER_TOKEN_BEDROCK` is missing credentials, as environment mode says of
/// its variables: `no_credentials` naming the variable, on every call, with nothing sent.
#[tokio::test]
async fn api_key_from_env_is_no_credentials_naming_the_variable_when_unset() {
    let aws = LocalAws::start().await.unwrap();
    let manager = aws
        .builder()
        .api_key_from_env()
        .sandbox(aws.sandbox())
        .build()
        .unwrap();
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoCredentials, "{err}");
    assert!(
        err.to_string().contains("AWS_BEARER_TOKEN_BEDROCK"),
        "{err}"
    );
    let err = converse(&manager).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoCredentials, "{err}");
    assert!(aws.requests().is_empty(), "{:?}", aws.requests());
}

#[tokio::test]
async fn explicit_modes_sign_with_sigv4_whatever_the_bearer_variable_holds() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let bob = aws.add_user("bob");
    // A valid key of another user: were it used, the call would succeed as bob.
    let bob_key = aws.add_api_key(&bob);
    let sandbox = aws
        .sandbox()
        .env("AWS_BEARER_TOKEN_BEDROCK", bob_key.expose_secret())
        .env("HOME", "/home/test")
        .file(
            "/home/test/.aws/credentials",
            format!(
                "[dev]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
                alice.access_key_id,
                alice.secret_access_key.expose_secret()
            ),
        )
        .env("AWS_ACCESS_KEY_ID", alice.access_key_id.as_str())
        .env(
            "AWS_SECRET_ACCESS_KEY",
            alice.secret_access_key.expose_secret(),
        );
    aws.add_role(RoleSpec::new(ROLE).trust(alice.arn.clone()));
    let (id, secret) = (alice.access_key_id.clone(), alice.secret_access_key.clone());

    let managers = [
        aws.builder()
            .profile("dev")
            .sandbox(sandbox.clone())
            .build(),
        aws.builder().environment().sandbox(sandbox.clone()).build(),
        aws.builder()
            .static_credentials(alice.access_key_id.clone(), alice.secret_access_key.clone())
            .sandbox(sandbox.clone())
            .build(),
        aws.builder()
            .assume_role(ROLE)
            .source_environment()
            .sandbox(sandbox.clone())
            .build(),
        aws.builder()
            .credential_source(move || {
                let (id, secret) = (id.clone(), secret.clone());
                async move { Ok::<_, BoxError>(FreshCredentials::new(id, secret)) }
            })
            .sandbox(sandbox)
            .build(),
    ]
    .map(Result::unwrap);
    let logs = Captured::default();
    let _guard = logs.install();
    for manager in &managers {
        assert_eq!(manager.info().bedrock_auth, BedrockAuth::SigV4);
        aws.clear_requests();
        converse(manager).await.unwrap();
        let seen = aws.requests();
        let call = seen.iter().find(|r| r.action == "Converse").unwrap();
        assert_eq!(call.auth, AuthKind::SigV4, "{} mode", manager.mode());
    }
    let text = logs.text();
    assert!(text.contains("TRACE"), "the capture saw nothing");
    assert!(
        !text.contains(bob_key.expose_secret()),
        "the unused key is in the logs"
    );
}

#[tokio::test]
async fn auto_mode_uses_the_bearer_variable_and_says_so() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let bob = aws.add_user("bob");
    let key = aws.add_api_key(&bob);
    let sandbox = aws
        .sandbox()
        .env("AWS_ACCESS_KEY_ID", alice.access_key_id.as_str())
        .env(
            "AWS_SECRET_ACCESS_KEY",
            alice.secret_access_key.expose_secret(),
        )
        .env("AWS_BEARER_TOKEN_BEDROCK", key.expose_secret());

    let manager = aws.builder().auto().sandbox(sandbox).build().unwrap();
    let info = manager.info();
    assert_eq!(info.bedrock_auth, BedrockAuth::ApiKey { from_env: true });
    assert!(
        info.to_string().contains("AWS_BEARER_TOKEN_BEDROCK"),
        "{info}"
    );

    let logs = Captured::default();
    {
        let _guard = logs.install();
        converse(&manager).await.unwrap();
    }
    let call = aws
        .requests()
        .into_iter()
        .find(|r| r.action == "Converse")
        .unwrap();
    assert_eq!(call.auth, AuthKind::Bearer);
    let text = logs.text();
    assert!(
        text.contains("Bedrock calls use the API key in AWS_BEARER_TOKEN_BEDROCK"),
        "no event says so"
    );
    let leaks: Vec<&str> = text
        .lines()
        .filter(|line| line.contains(key.expose_secret()))
        .collect();
    assert!(
        leaks.is_empty(),
        "the key is in the logs:\n{}",
        leaks.join("\n")
    );
}

#[tokio::test]
async fn no_key_bytes_in_debug_errors_or_trace_logs() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    aws.add_role(RoleSpec::new(ROLE).trust(alice.arn.clone()));
    let logs = Captured::default();
    let _guard = logs.install();

    // A key signed with temporary credentials carries their session token.
    let role = aws
        .builder()
        .assume_role(ROLE)
        .source_static(alice.access_key_id.clone(), alice.secret_access_key.clone())
        .build()
        .unwrap();
    let key = role
        .bedrock_api_key("us-east-1", Duration::from_secs(600))
        .await
        .unwrap();
    let token = key.token().expose_secret().to_owned();
    let long_term = aws.add_api_key(&alice);

    let mut texts = vec![format!("{key:?}")];
    for secret in [key.token().clone(), long_term.clone()] {
        let builder = aws.builder().api_key(secret);
        texts.push(format!("{builder:?}"));
        let manager = builder.build().unwrap();
        texts.push(format!(
            "{manager:?} {} {:?}",
            manager.info(),
            manager.info()
        ));
        let identity = manager.validate().await.unwrap();
        texts.push(format!("{identity} {identity:?}"));
        converse(&manager).await.unwrap();
        let err = manager.sdk_config().await.unwrap_err();
        texts.push(format!("{err} {err:?}"));
    }
    aws.set_fault(bedrock_auth::testing::Fault::Throttling);
    let err = converse(&key_manager(&aws, long_term.clone()))
        .await
        .unwrap_err();
    texts.push(format!("{err} {err:?}"));
    texts.push(logs.text());

    // The key, its signature (the part that makes it a key) and the session token inside it.
    let encoded = token.strip_prefix("bedrock-api-key-").unwrap();
    let decoded = String::from_utf8(
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, encoded).unwrap(),
    )
    .unwrap();
    let signature = decoded
        .split('&')
        .find_map(|p| p.strip_prefix("X-Amz-Signature="))
        .unwrap()
        .to_owned();
    let mut secrets = vec![token.clone(), encoded[..40].to_owned(), signature];
    secrets.push(long_term.expose_secret().to_owned());
    secrets.extend(aws.secrets().iter().map(|s| s.expose_secret().to_owned()));
    assert!(logs.text().contains("TRACE"), "the capture saw nothing");
    for text in &texts {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "a key or token leaked: {text}"
            );
        }
    }
}

#[tokio::test]
async fn a_key_read_again_leaves_no_key_bytes_in_errors_or_trace_logs() {
    let aws = LocalAws::start().await.unwrap();
    let (_, [old, new]) = common::two_keys(&aws);
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("key");
    std::fs::write(&file, old.expose_secret()).unwrap();
    let toml = format!(
        "mode = \"api_key\"\nregion = \"us-east-1\"\nendpoint_url = \"{}\"\n\
         api_key = {{ file = \"/key\" }}\n",
        aws.endpoint_url()
    );
    let sandbox = bedrock_auth::testing::Sandbox::rooted_at(root.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .file_check_interval(Duration::from_millis(50));
    let config = bedrock_auth::AuthConfig::from_toml(&toml)
        .unwrap()
        .sandbox(sandbox);
    let logs = Captured::default();
    let _guard = logs.install();
    let manager = AuthManager::from_config(&config).unwrap();
    manager.validate().await.unwrap();
    // Refused, read again; refreshed; replaced and noticed by the file check; then broken.
    assert!(aws.revoke_api_key(&old));
    std::fs::write(&file, new.expose_secret()).unwrap();
    let refused = manager.validate().await.unwrap_err();
    manager.validate().await.unwrap();
    manager.refresh_credentials().await.unwrap();
    std::fs::write(&file, format!("{}\nsecond line", old.expose_secret())).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refresh = manager.refresh_credentials().await.unwrap_err();
    assert_eq!(refresh.kind(), ErrorKind::InvalidConfig);
    let texts = [
        format!("{refused} {refused:?}"),
        format!("{refresh} {refresh:?}"),
        format!("{manager:?} {:?}", manager.health()),
        logs.text(),
    ];
    assert!(logs.text().contains("TRACE"), "the capture saw nothing");
    assert!(
        logs.text().contains("credential_file_changed"),
        "the file check ran"
    );
    for text in &texts {
        for secret in [&old, &new] {
            assert!(
                !text.contains(secret.expose_secret()),
                "a key leaked: {text}"
            );
        }
    }
}
