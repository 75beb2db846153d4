//! The endpoint guard: a Bedrock API key is never sent over plain HTTP to another host, and no
//! request goes to an endpoint URL with user info, for each form of URL and each place it can
//! come from (builder, config, `AWS_ENDPOINT_URL*`, a profile's `endpoint_url`). The sandbox's
//! HTTP client records what it is handed, so "not sent" is checked, not assumed.
//!
//! In a file of its own: auto mode here hits the same `tracing` callsites as the log tests of
//! `api_key_mode.rs`, and callsite interest is process-wide.

use super::common;

use bedrock_auth::testing::Sandbox;
use bedrock_auth::{AuthManager, ErrorKind, SecretString, error::Rule, manager::BedrockAuth};

use common::converse_with as converse;

/// URLs a bearer key must never be sent to: plain HTTP to another host, however it is
/// written, and any URL with user info (which may hide the real host from a reader).
const REFUSED_FOR_BEARER: [&str; 11] = [
    "http://u@bedrock-proxy.internal:8080",
    "http://u:p@bedrock-proxy.internal:8080",
    "http://u@127.0.0.1:8080",
    "http://bedrock.example.com",
    "HTTP://BEDROCK.EXAMPLE.COM",
    "Http://10.0.0.5:8080",
    "http://127.0.0.1.example.com",
    "http://localhost.example.com",
    "http://[fe80::1]:8080",
    "http://[::ffff:10.0.0.5]",
    "http://bedrock.example.com\\@127.0.0.1",
];

/// URLs a bearer key may go to: HTTPS anywhere, plain HTTP to this machine.
const ALLOWED_FOR_BEARER: [&str; 6] = [
    "https://bedrock.example.com",
    "HTTPS://bedrock.example.com",
    "http://127.0.0.1:4566",
    "http://127.8.9.10",
    "http://[::1]:1",
    "http://LOCALHOST:1",
];

#[test]
fn a_bearer_key_never_goes_over_plain_http_to_another_host_from_the_builder_or_a_config() {
    for url in REFUSED_FOR_BEARER {
        let err = AuthManager::builder()
            .region("us-east-1")
            .endpoint_url(url)
            .api_key(SecretString::from("ABSKexample"))
            .build()
            .unwrap_err();
        let problem = &err.problems()[0];
        assert_eq!(problem.field(), "endpoint_url", "{url}");
        assert!(
            matches!(
                problem.error().rule(),
                Rule::BearerOverHttp | Rule::EndpointUserInfo | Rule::EndpointHost
            ),
            "{url}: {err}"
        );
        assert!(!err.to_string().contains("u:p@"), "{err}");

        let config = bedrock_auth::AuthConfig::from_toml(&format!(
            "mode = \"api_key\"\nregion = \"us-east-1\"\napi_key = \"ABSKexample\"\n\
             endpoint_url = {url:?}\n"
        ))
        .unwrap();
        let err = AuthManager::from_config(&config).unwrap_err();
        assert_eq!(err.problems()[0].field(), "endpoint_url", "{url}: {err}");
    }
    for url in ALLOWED_FOR_BEARER {
        AuthManager::builder()
            .region("us-east-1")
            .endpoint_url(url)
            .api_key(SecretString::from("ABSKexample"))
            .build()
            .unwrap_or_else(|err| panic!("{url}: {err}"));
    }
}

/// The endpoint as the SDK resolves it, from a variable or a profile, is checked on each
/// request before the key is attached: the sandbox's HTTP client, which would answer, is never
/// handed the request.
#[tokio::test]
async fn a_bearer_key_is_not_sent_to_a_plain_http_endpoint_from_variables_or_profile() {
    for url in REFUSED_FOR_BEARER {
        let recorder = common::Recorder::default();
        let from_variable = Sandbox::new().env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", url);
        let from_profile = Sandbox::new().env("HOME", "/home/test").file(
            "/home/test/.aws/config",
            format!("[default]\nendpoint_url = {url}\n"),
        );
        for sandbox in [from_variable, from_profile] {
            let sandbox = sandbox
                .env("AWS_BEARER_TOKEN_BEDROCK", "ABSKexample")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .http_client(recorder.client());
            let api_key = AuthManager::builder()
                .region("us-east-1")
                .api_key_from_env()
                .sandbox(sandbox.clone())
                .build()
                .unwrap();
            assert_eq!(
                api_key.info().bedrock_auth,
                BedrockAuth::ApiKey { from_env: true }
            );
            let auto = AuthManager::builder()
                .region("us-east-1")
                .auto()
                .sandbox(sandbox)
                .build()
                .unwrap();
            for manager in [api_key, auto] {
                let err = converse(&manager).await.unwrap_err();
                assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{url}: {err}");
                assert!(!err.to_string().contains("u:p@"), "{err}");
                // The same through the service's one client, the manager's override given.
                let shared = common::plain_http();
                let err = common::converse_as(&shared, &manager, "us-east-1")
                    .await
                    .unwrap_err();
                assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{url}: {err}");
                let err = manager.validate().await.unwrap_err();
                assert_ne!(err.kind(), ErrorKind::Service, "{url}: {err}");
            }
        }
        assert_eq!(recorder.urls(), Vec::<String>::new(), "{url}");
    }
    // The same sources with an allowed URL do reach the client: the check is not a blanket
    // refusal.
    for url in ALLOWED_FOR_BEARER {
        let recorder = common::Recorder::default();
        let sandbox = Sandbox::new()
            .env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", url)
            .env("AWS_BEARER_TOKEN_BEDROCK", "ABSKexample")
            .http_client(recorder.client());
        let manager = AuthManager::builder()
            .region("us-east-1")
            .api_key_from_env()
            .sandbox(sandbox)
            .build()
            .unwrap();
        let err = converse(&manager).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Service, "{url}: {err}");
        assert!(!recorder.urls().is_empty(), "{url}");
    }
}

/// User info in an endpoint is refused for SigV4 clients too (STS and Bedrock), from a
/// variable, before anything is sent.
#[tokio::test]
async fn an_endpoint_with_user_info_is_refused_for_sigv4_clients_too() {
    let recorder = common::Recorder::default();
    let sandbox = Sandbox::new()
        .env("AWS_ENDPOINT_URL", "https://u:p@sts-proxy.example.com")
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE0000000")
        .env("AWS_SECRET_ACCESS_KEY", "not-a-real-secret")
        .http_client(recorder.client());
    let manager = AuthManager::builder()
        .region("us-east-1")
        .environment()
        .sandbox(sandbox)
        .build()
        .unwrap();
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{err}");
    assert!(err.message().contains("user info"), "{err}");
    assert!(!err.to_string().contains("u:p@"), "{err}");
    let err = converse(&manager).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{err}");
    assert_eq!(recorder.urls(), Vec::<String>::new());
}

/// User info is looked at before anything else, so that no other error quotes a password.
#[test]
fn a_password_in_an_endpoint_url_is_never_quoted() {
    for url in [
        "https://u:hunter2-password@bedrock.example.com",
        "https://u:hunter2-password@bedrock example.com",
        "ftp://u:hunter2-password@bedrock.example.com",
        "http://u:hunter2-password@[::1",
    ] {
        let err = url.parse::<bedrock_auth::EndpointUrl>().unwrap_err();
        assert_eq!(err.rule(), Rule::EndpointUserInfo, "{url}");
        assert!(!format!("{err} {err:?}").contains("hunter2"), "{err}");
    }
}
