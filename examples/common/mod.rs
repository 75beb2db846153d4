//! What the per-mode examples share: an offline environment and the embedded local AWS, so each
//! example runs without an AWS account. The code a service would write is in each example's
//! own file.

#![allow(dead_code)] // each example uses a part
#![allow(unsafe_code)] // `std::env::set_var` in `offline`, before any thread exists

use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;

use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, InferenceConfiguration, Message,
};
use bedrock_auth::testing::LocalAws;
use bedrock_auth::{AuthError, AuthManager};

pub const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

/// Replaces the AWS environment with a temp `HOME` holding these shared config and credentials
/// files, plus `vars`; instance metadata off. Call it first thing in `main`, before any thread
/// exists; keep the returned dir alive.
pub fn offline(config: &str, credentials: &str, vars: &[(&str, &str)]) -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("a temp dir");
    let config_path = home.path().join("config");
    let credentials_path = home.path().join("credentials");
    std::fs::write(&config_path, config).expect("write config");
    std::fs::write(&credentials_path, credentials).expect("write credentials");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") {
            // SAFETY: no other thread exists yet (see above).
            unsafe { std::env::remove_var(name) }
        }
    }
    let paths = [
        ("HOME", home.path()),
        ("AWS_CONFIG_FILE", config_path.as_path()),
        ("AWS_SHARED_CREDENTIALS_FILE", credentials_path.as_path()),
    ];
    for (name, path) in paths {
        // SAFETY: as above.
        unsafe { std::env::set_var(name, path) }
    }
    for (name, value) in [("AWS_EC2_METADATA_DISABLED", "true")].iter().chain(vars) {
        // SAFETY: as above.
        unsafe { std::env::set_var(name, value) }
    }
    home
}

/// Starts a runtime and the local AWS, runs `example`, and reports an error with its kind and
/// hint.
pub fn run<F, Fut>(example: F) -> ExitCode
where
    F: FnOnce(Arc<LocalAws>) -> Fut,
    Fut: Future<Output = Result<(), Box<dyn std::error::Error>>>,
{
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let result = runtime.block_on(async {
        let aws = Arc::new(LocalAws::start().await?);
        example(aws).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            match err.downcast_ref::<AuthError>() {
                Some(err) => eprintln!(
                    "error [{}]: {}\nhint: {}",
                    err.kind(),
                    err.message(),
                    err.hint()
                ),
                None => eprintln!("error: {err}"),
            }
            ExitCode::FAILURE
        }
    }
}

/// Validates the manager, then says "ping" to a model with its default-region client.
pub async fn validate_and_ping(manager: &AuthManager) -> Result<(), AuthError> {
    let identity = manager.validate().await?;
    println!("{}\n", manager.info());
    println!("validated: {identity}");
    let client = manager.bedrock_client_default().await?;
    match ping(&client, MODEL).await {
        Ok(text) => println!("Converse {MODEL}: {text:?}"),
        Err(err) => println!("Converse {MODEL} failed: {err}"),
    }
    Ok(())
}

/// One minimal `Converse` call ("ping", at most 1 output token); the reply's text.
pub async fn ping(client: &aws_sdk_bedrockruntime::Client, model: &str) -> Result<String, String> {
    let message = Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text("ping".into()))
        .build()
        .map_err(|e| e.to_string())?;
    let output = client
        .converse()
        .model_id(model)
        .messages(message)
        .inference_config(InferenceConfiguration::builder().max_tokens(1).build())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let text = output
        .output()
        .and_then(|o| o.as_message().ok())
        .and_then(|m| m.content().first())
        .and_then(|c| c.as_text().ok())
        .cloned()
        .unwrap_or_default();
    Ok(text)
}
