//! Nothing secret reaches a `tracing` log, at TRACE, for every crate: a Converse call in each
//! SigV4 mode (custom source included), with shared files that also hold the secrets of profiles the manager does not
//! use, and a client users build themselves from `sdk_config()`.
//!
//! In a file of its own, so that no other test's thread shares its `tracing` callsites.

mod common;

use bedrock_auth::testing::{LocalAws, RoleSpec, TestUser};
use bedrock_auth::{
    AuthManager, ExposeSecret, RoleArn, SecretString, custom::FreshCredentials, error::BoxError,
};
use common::Captured;

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/BedrockAccess");

/// Secrets of profiles no manager here uses, in both shared files.
const OTHER_SECRETS: [&str; 3] = [
    "OtherProfileSecretInCredentials0000000000",
    "OtherProfileSecretInConfig11111111111111",
    "OtherProfileSessionToken2222222222222222",
];

fn shared_files(user: &TestUser) -> (String, String) {
    let credentials = format!(
        "[dev]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n\
         [other]\naws_access_key_id = AKIAOTHERPROFILE0000\naws_secret_access_key = {}\n\
         aws_session_token = {}\n",
        user.access_key_id,
        user.secret_access_key.expose_secret(),
        OTHER_SECRETS[0],
        OTHER_SECRETS[2],
    );
    let config = format!(
        "[default]\nregion = us-east-1\n\n[profile dev]\nregion = us-east-1\n\n\
         [profile elsewhere]\naws_access_key_id = AKIAELSEWHERE0000000\naws_secret_access_key = {}\n",
        OTHER_SECRETS[1],
    );
    (credentials, config)
}

// current_thread: every task of the test, the server's included, runs on the thread whose
// subscriber captures.
#[tokio::test(flavor = "current_thread")]
async fn no_secret_of_the_shared_files_in_trace_logs_in_any_sigv4_mode() {
    let logs = Captured::default();
    let _guard = logs.install();

    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    aws.add_role(RoleSpec::new(ROLE).trust(alice.arn.clone()));
    let (credentials, config) = shared_files(&alice);
    let (id, secret) = (alice.access_key_id.clone(), alice.secret_access_key.clone());
    let sandbox = aws
        .sandbox()
        .env("HOME", "/home/test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", alice.access_key_id.as_str())
        .env(
            "AWS_SECRET_ACCESS_KEY",
            alice.secret_access_key.expose_secret(),
        )
        .file("/home/test/.aws/credentials", credentials)
        .file("/home/test/.aws/config", config);

    let managers: Vec<AuthManager> = vec![
        aws.builder()
            .profile("dev")
            .sandbox(sandbox.clone())
            .build()
            .unwrap(),
        aws.builder()
            .environment()
            .sandbox(sandbox.clone())
            .build()
            .unwrap(),
        aws.builder()
            .static_credentials(alice.access_key_id.clone(), alice.secret_access_key.clone())
            .sandbox(sandbox.clone())
            .build()
            .unwrap(),
        aws.builder()
            .assume_role(ROLE)
            .source_profile("dev")
            .sandbox(sandbox.clone())
            .build()
            .unwrap(),
        aws.builder()
            .auto()
            .sandbox(sandbox.clone())
            .build()
            .unwrap(),
        aws.builder()
            .credential_source(move || {
                let (id, secret) = (id.clone(), secret.clone());
                async move { Ok::<_, BoxError>(FreshCredentials::new(id, secret)) }
            })
            .sandbox(sandbox.clone())
            .build()
            .unwrap(),
    ];
    for manager in &managers {
        let client = manager.bedrock_client("us-east-1").await.unwrap();
        common::converse(&client)
            .await
            .unwrap_or_else(|err| panic!("{} mode: {err:?}", manager.mode()));
        // The same through the one shared client, with the manager's override.
        common::converse_as(&common::plain_http(), manager, "eu-west-1")
            .await
            .unwrap_or_else(|err| panic!("{} mode, shared client: {err}", manager.mode()));
        // A client of the user's own, from the manager's SDK configuration.
        let sdk = manager.sdk_config().await.unwrap();
        let own = aws_sdk_bedrockruntime::Client::new(sdk);
        common::converse(&own)
            .await
            .unwrap_or_else(|err| panic!("{} mode, own client: {err:?}", manager.mode()));
        let _ = format!("{sdk:?}");
        tracing::trace!(config = ?sdk, "the SDK configuration, as a user might log it");
    }

    let text = logs.text();
    assert!(
        text.contains("runtime_components"),
        "the capture did not see the SDK's TRACE events"
    );
    let mut secrets: Vec<SecretString> = aws.secrets();
    secrets.push(alice.secret_access_key.clone());
    secrets.extend(OTHER_SECRETS.map(SecretString::from));
    for secret in &secrets {
        let leaks: Vec<&str> = text
            .lines()
            .filter(|line| line.contains(secret.expose_secret()))
            .collect();
        assert!(
            leaks.is_empty(),
            "a secret is in the TRACE log:\n{}",
            leaks.join("\n").chars().take(2000).collect::<String>()
        );
    }
}
