//! What the benchmarks share.

/// One `Converse` call that says "ping"; panics on failure (a benchmark measures success).
pub async fn converse(client: &aws_sdk_bedrockruntime::Client) {
    use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};
    let message = Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text("ping".into()))
        .build()
        .expect("message");
    client
        .converse()
        .model_id("anthropic.claude-3-haiku-20240307-v1:0")
        .messages(message)
        .send()
        .await
        .expect("converse");
}
