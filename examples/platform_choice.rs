//! Choosing the configuration by platform: on Lambda the runtime injects keys into the
//! environment; on ECS the container credentials endpoint serves them through the default
//! chain; on a laptop a named profile holds them. Offline, this run pretends to be on Lambda:
//! `cargo run --example platform_choice`.

use bedrock_auth::{
    AuthBuilder, AuthError, AuthManager, SecretString, diagnose::ExecutionEnvironment,
    modes::WantsMode,
};

const KEY_ID: &str = "AKIAEXAMPLELAMBDA001";
const SECRET: &str = "example-lambda-secret";

/// The choice a service makes at start-up, from where `diagnose()` says it runs.
fn for_this_platform(
    platform: ExecutionEnvironment,
    builder: AuthBuilder<WantsMode>,
) -> Result<AuthManager, AuthError> {
    let manager = match platform {
        ExecutionEnvironment::Lambda => {
            println!("platform: Lambda -> environment mode");
            builder.environment().build()?
        }
        ExecutionEnvironment::Ecs => {
            println!("platform: ECS -> auto mode (container credentials)");
            builder.auto().build()?
        }
        _ => {
            println!("platform: local -> profile mode");
            builder.profile("bedrock-dev").build()?
        }
    };
    Ok(manager)
}

const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // Offline only: the embedded local AWS stands in for STS and Bedrock (`aws.builder()`
    // is `AuthManager::builder()` pointed at it); against AWS, leave it out.
    let aws = bedrock_auth::testing::LocalAws::start().await?;
    aws.add_user_with_key(
        "123456789012",
        "orders-handler-role",
        KEY_ID.parse()?,
        SecretString::from(SECRET),
    );
    // A Lambda function's environment, offline. On AWS: `bedrock_auth::diagnose::diagnose().await`
    // and `AuthManager::builder()`, without the sandbox.
    let lambda = aws
        .sandbox()
        .env("AWS_LAMBDA_FUNCTION_NAME", "orders-handler")
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_REGION", "eu-west-1");
    let platform = lambda.clone().diagnose().await.environment;
    let builder = AuthManager::builder()
        .endpoint_url(aws.endpoint_url())
        .sandbox(lambda);

    let manager = for_this_platform(platform, builder)?;
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
