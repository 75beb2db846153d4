//! What the benchmarks share.

#![allow(dead_code)] // each benchmark uses a part

/// One `Converse` call that says "ping"; panics on failure (a benchmark measures success).
pub async fn converse(client: &aws_sdk_bedrockruntime::Client) {
    client
        .converse()
        .model_id(MODEL)
        .messages(ping())
        .send()
        .await
        .expect("converse");
}

/// The same, through a client shared by tenants, as the tenant of `config`
/// (`AuthManager::bedrock_override`).
pub async fn converse_as(
    client: &aws_sdk_bedrockruntime::Client,
    config: aws_sdk_bedrockruntime::config::Builder,
) {
    client
        .converse()
        .model_id(MODEL)
        .messages(ping())
        .customize()
        .config_override(config)
        .send()
        .await
        .expect("converse");
}

const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

fn ping() -> aws_sdk_bedrockruntime::types::Message {
    use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};
    Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text("ping".into()))
        .build()
        .expect("message")
}
