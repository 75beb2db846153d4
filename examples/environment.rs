//! Environment mode: `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` only.
//! Runs offline: `cargo run --example environment`.

use bedrock_auth::{AuthManager, SecretString};

const KEY_ID: &str = "AKIAEXAMPLEENVIRON01";
const SECRET: &str = "example-environment-secret";

const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // Offline only: the embedded local AWS stands in for STS and Bedrock (`aws.builder()`
    // is `AuthManager::builder()` pointed at it); against AWS, leave it out.
    let aws = bedrock_auth::testing::LocalAws::start().await?;
    aws.add_user_with_key(
        "123456789012",
        "service",
        KEY_ID.parse()?,
        SecretString::from(SECRET),
    );
    // The environment a platform injects (Lambda, ECS, a CI job), offline. On AWS, leave
    // out `.sandbox(..)`: the manager reads the process's own variables.
    let injected = aws
        .sandbox()
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_REGION", "eu-west-1");

    let manager = AuthManager::builder()
        .endpoint_url(aws.endpoint_url()) // the local AWS; leave out for AWS
        .sandbox(injected) // leave out for AWS
        .environment()
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
