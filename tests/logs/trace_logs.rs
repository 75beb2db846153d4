//! Nothing secret reaches a `tracing` log, at TRACE, for every crate: a Converse call in each
//! SigV4 mode (custom source included), with shared files that also hold the secrets of profiles the manager does not
//! use, and a client users build themselves from `sdk_config()`; requests to the
//! OpenAI-compatible endpoints, signed or with an API key, as sent and as a user logs them.
//!
//! In a file of its own, so that no other test's thread shares its `tracing` callsites.

use super::common;

use std::time::Duration;

use bedrock_auth::manager::{OpenAiApi, OpenAiEndpoint};
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
        openai_calls(manager).await;
    }
    // The OpenAI-compatible endpoints with an API key, and a short-term key made for them.
    let key = aws.add_api_key(&alice);
    let with_key = aws.builder().api_key(key).build().unwrap();
    openai_calls(&with_key).await;
    let openai = managers[1]
        .openai(OpenAiApi::Mantle, "us-east-1")
        .await
        .unwrap();
    let short = openai.api_key(Duration::from_secs(300)).await.unwrap();
    let mut request = chat(&openai);
    let bearer = format!("Bearer {}", short.expose_secret());
    request
        .headers_mut()
        .insert("authorization", bearer.parse().unwrap());
    openai.send(request).await.unwrap();

    let text = logs.text();
    assert!(
        text.contains("runtime_components"),
        "the capture did not see the SDK's TRACE events"
    );
    let mut secrets: Vec<SecretString> = aws.secrets();
    secrets.push(alice.secret_access_key.clone());
    secrets.push(short);
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

/// A Chat Completions request to `openai`'s endpoint.
fn chat(openai: &OpenAiEndpoint) -> http::Request<Vec<u8>> {
    let body = r#"{"model":"openai.gpt-oss-20b-1:0","messages":[{"role":"user","content":"hi"}]}"#;
    http::Request::post(format!("{}/chat/completions", openai.base_url()))
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

/// Chat Completions on both OpenAI-compatible endpoints, authorized by the manager.
async fn openai_calls(manager: &AuthManager) {
    for api in [OpenAiApi::BedrockRuntime, OpenAiApi::Mantle] {
        let openai = manager.openai(api, "us-east-1").await.unwrap();
        let mut request = chat(&openai);
        openai.authorize(&mut request).await.unwrap();
        tracing::trace!(request = ?request, "an authorized request, as a user might log it");
        openai
            .send(request)
            .await
            .unwrap_or_else(|err| panic!("{} mode, {api}: {err}", manager.mode()));
    }
}
