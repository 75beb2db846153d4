//! A fallback chain: a local profile, then the environment (as on Lambda or ECS with injected
//! keys), then the default chain; the first that validates wins, and the report says why the
//! earlier ones did not. Offline: `cargo run --example fallback`.

use bedrock_auth::{AuthManager, SecretString, fallback::FallbackChain};

const KEY_ID: &str = "AKIAEXAMPLEFALLBACK1";
const SECRET: &str = "example-fallback-secret";

const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // Offline only: the embedded local AWS stands in for STS and Bedrock (`aws.builder()`
    // is `AuthManager::builder()` pointed at it); against AWS, leave it out.
    let aws = bedrock_auth::testing::LocalAws::start().await?;
    aws.add_user_with_key(
        "123456789012",
        "lambda-role",
        KEY_ID.parse()?,
        SecretString::from(SECRET),
    );
    // This machine, offline: no `bedrock` profile, keys in the environment.
    let this_machine = aws
        .sandbox()
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_REGION", "us-east-1");
    // On AWS: `AuthManager::builder()` alone.
    let builder = || {
        AuthManager::builder()
            .endpoint_url(aws.endpoint_url())
            .sandbox(this_machine.clone())
    };

    let chosen = FallbackChain::new()
        .then("profile bedrock", builder().profile("bedrock").build())
        .then("environment", builder().environment().build())
        .then("auto", builder().auto().build())
        .resolve()
        .await?;
    println!("{}\n", chosen.report());
    // Prove the credentials (STS GetCallerIdentity), then say "ping" to a model.
    println!("validated: {}", chosen.manager.validate().await?);
    let client = chosen.manager.bedrock_client_default().await?;
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
