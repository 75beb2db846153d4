//! What the per-mode examples share: a runtime with the embedded local AWS started in it, and a
//! `Converse` and a `ConverseStream` call to show that the credentials work. The code a service
//! would write is in each example's own file; what stands in for AWS there (the sandbox, the
//! endpoint) is marked.

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
