//! What the per-mode examples share: an offline environment and the embedded local AWS, so each
//! example runs without an AWS account. The code a service would write is in each example's
//! own file.

#![allow(dead_code)] // each example uses a part

use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;

use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, InferenceConfiguration, Message,
};
use bedrock_auth::testing::LocalAws;
use bedrock_auth::{AuthError, AuthManager};

pub const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

/// Set in the environment of the example when it runs offline, so that it does not start itself
/// again.
const OFFLINE_MARKER: &str = "BEDROCK_AUTH_EXAMPLE_OFFLINE";

/// The example's offline world, alive as long as the example runs.
pub struct Offline;

/// Runs this example offline: the first call starts the example again as a child process whose
/// environment has no `AWS_*` variable of yours, but a temp `HOME` holding these shared config
/// and credentials files, `vars`, and instance metadata off; the parent waits for it and exits
/// with its status. In the child, it returns at once. Call it first thing in `main`.
///
/// A child process rather than `std::env::set_var`: changing a running process's environment
/// is unsafe (any thread reading it meanwhile is undefined behaviour), and a service should not
/// do it either. Each manager in the example reads the environment it was started with.
pub fn offline(config: &str, credentials: &str, vars: &[(&str, &str)]) -> Offline {
    if std::env::var_os(OFFLINE_MARKER).is_some() {
        return Offline;
    }
    let home = tempfile::tempdir().expect("a temp dir");
    let config_path = home.path().join("config");
    let credentials_path = home.path().join("credentials");
    std::fs::write(&config_path, config).expect("write config");
    std::fs::write(&credentials_path, credentials).expect("write credentials");
    let exe = std::env::current_exe().expect("the example's own path");
    let mut child = std::process::Command::new(exe);
    child.args(std::env::args_os().skip(1));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") {
            child.env_remove(name);
        }
    }
    child
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", &config_path)
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials_path)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env(OFFLINE_MARKER, "1")
        .envs(vars.iter().copied());
    let status = child.status().expect("the example runs");
    drop(home);
    std::process::exit(status.code().unwrap_or(1));
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
    Ok(answer(&output))
}

/// What a streamed answer was: its text, how many deltas carried it, and how long after the
/// request the first delta came.
pub struct Streamed {
    pub text: String,
    pub deltas: usize,
    pub first_delta: std::time::Duration,
}

/// One Bedrock `ConverseStream` call that says "ping" to `model`, read to its end.
pub async fn stream(
    client: &aws_sdk_bedrockruntime::Client,
    model: &str,
) -> Result<Streamed, String> {
    use aws_sdk_bedrockruntime::types::{ContentBlockDelta, ConverseStreamOutput};
    let started = std::time::Instant::now();
    let message = Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text("ping".into()))
        .build()
        .map_err(|e| e.to_string())?;
    let mut stream = client
        .converse_stream()
        .model_id(model)
        .messages(message)
        .inference_config(InferenceConfiguration::builder().max_tokens(16).build())
        .send()
        .await
        .map_err(|e| e.to_string())?
        .stream;
    let mut streamed = Streamed {
        text: String::new(),
        deltas: 0,
        first_delta: std::time::Duration::ZERO,
    };
    while let Some(event) = stream.recv().await.map_err(|e| e.to_string())? {
        if let ConverseStreamOutput::ContentBlockDelta(delta) = event
            && let Some(ContentBlockDelta::Text(text)) = delta.delta
        {
            if streamed.deltas == 0 {
                streamed.first_delta = started.elapsed();
            }
            streamed.deltas += 1;
            streamed.text.push_str(&text);
        }
    }
    Ok(streamed)
}

/// The text of a `Converse` answer (empty if it has none).
pub fn answer(output: &aws_sdk_bedrockruntime::operation::converse::ConverseOutput) -> String {
    output
        .output()
        .and_then(|o| o.as_message().ok())
        .and_then(|m| m.content().first())
        .and_then(|c| c.as_text().ok())
        .cloned()
        .unwrap_or_default()
}
