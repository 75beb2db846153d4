//! The tour's `Converse` and `ConverseStream` calls, which show that the credentials work. The
//! per-mode examples are written to be copied and hold their own calls.

#![allow(dead_code)] // each example uses a part

use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, InferenceConfiguration, Message,
};

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
