//! Static mode: a key pair given in code, the secret as a `SecretString`.
//! Runs offline: `cargo run --example static_keys`.

const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // Offline only: the embedded local AWS stands in for STS and Bedrock (`aws.builder()`
    // is `AuthManager::builder()` pointed at it); against AWS, leave it out.
    let aws = bedrock_auth::testing::LocalAws::start().await?;
    // In a service the key pair comes from a secret store, read straight into the wrapper.
    let user = aws.add_user("static-user");
    let (key_id, secret) = (user.access_key_id, user.secret_access_key);

    let manager = aws
        .builder() // region us-east-1 and the local endpoint; for AWS: AuthManager::builder().region(..)
        .static_credentials(key_id, secret)
        .build()?;
    // Prove the credentials (STS GetCallerIdentity), then say "ping" to a model.
    println!("validated: {}", manager.validate().await?);
    let client = manager.bedrock_client_default().await?;
    println!("{MODEL} answered {:?}", ping(&client).await?);
    Ok(())
}

/// Says "ping" to the model (one output token at most) and returns the answer's text.
async fn ping(
    client: &aws_sdk_bedrockruntime::Client,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    use aws_sdk_bedrockruntime::types::{
        ContentBlock, ConversationRole, InferenceConfiguration, Message,
    };
    let message = Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text("ping".into()))
        .build()?;
    let reply = client
        .converse()
        .model_id(MODEL)
        .messages(message)
        .inference_config(InferenceConfiguration::builder().max_tokens(1).build())
        .send()
        .await?;
    let text = reply.output().and_then(|o| o.as_message().ok());
    let text = text.and_then(|m| m.content().first()?.as_text().ok().cloned());
    Ok(text.unwrap_or_default())
}
