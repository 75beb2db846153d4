//! The fallback chain: the first configuration that validates wins, and the report says why
//! each earlier one failed; when none works, every failure is returned in order.

use bedrock_auth::testing::LocalAws;
use bedrock_auth::{AuthConfig, AuthManager, ErrorKind, SecretString, fallback::FallbackChain};

#[tokio::test]
async fn the_first_configuration_that_validates_wins() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let files = aws.sandbox().env("HOME", "/home/test").file(
        "/home/test/.aws/credentials",
        "[other]\naws_access_key_id = AKIAOTHER00000000000\naws_secret_access_key = x\n",
    );
    let bad_config = AuthConfig::from_toml("mode = \"profile\"\nprofile = \"\"").unwrap();

    let chosen = FallbackChain::new()
        .then(
            "profile bedrock",
            aws.builder().profile("bedrock").sandbox(files).build(),
        )
        .then("config file", AuthManager::from_config(&bad_config))
        .then("environment", aws.builder().environment().build())
        .then(
            "static",
            aws.builder()
                .static_credentials(alice.access_key_id.clone(), alice.secret_access_key.clone())
                .build(),
        )
        .then("never tried", aws.builder().auto().build())
        .resolve()
        .await
        .unwrap();

    assert_eq!(chosen.label, "static");
    assert_eq!(chosen.identity.arn, alice.arn);
    let skipped: Vec<_> = chosen
        .skipped
        .iter()
        .map(|a| (a.label.as_str(), a.error.kind()))
        .collect();
    assert_eq!(
        skipped,
        [
            ("profile bedrock", ErrorKind::ProfileNotFound),
            ("config file", ErrorKind::InvalidConfig),
            ("environment", ErrorKind::NoCredentials),
        ]
    );
    let report = chosen.report();
    assert!(
        report.starts_with(&format!("using static as {}", alice.arn)),
        "{report}"
    );
    assert!(
        report.contains("skipped environment: [no_credentials]"),
        "{report}"
    );
    assert_eq!(
        aws.count("GetCallerIdentity"),
        1,
        "only the working configuration calls STS"
    );
    chosen.manager.bedrock_client("us-west-2").await.unwrap();
}

#[tokio::test]
async fn when_nothing_works_every_failure_is_reported() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let err = FallbackChain::new()
        .then("environment", aws.builder().environment().build())
        .then(
            "wrong secret",
            aws.builder()
                .static_credentials(
                    alice.access_key_id.clone(),
                    SecretString::from("not-the-secret-3e"),
                )
                .build(),
        )
        .resolve()
        .await
        .unwrap_err();
    let kinds: Vec<_> = err.attempts.iter().map(|a| a.error.kind()).collect();
    assert_eq!(
        kinds,
        [ErrorKind::NoCredentials, ErrorKind::InvalidCredentials]
    );
    let text = err.to_string();
    assert!(
        text.starts_with("no configuration worked (2 tried):"),
        "{text}"
    );
    assert!(!text.contains("not-the-secret-3e"), "{text}");

    let empty = FallbackChain::new().resolve().await.unwrap_err();
    assert_eq!(empty.to_string(), "the fallback chain is empty");
}
