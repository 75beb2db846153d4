//! Profile mode: credentials and region from a named profile of the shared files, even when
//! `AWS_ACCESS_KEY_ID` is set. Runs offline: `cargo run --example profile`.

use bedrock_auth::{AuthManager, SecretString};

const KEY_ID: &str = "AKIAEXAMPLEPROFILE01";
const SECRET: &str = "example-profile-secret";

const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // Offline only: the embedded local AWS stands in for STS and Bedrock (`aws.builder()`
    // is `AuthManager::builder()` pointed at it); against AWS, leave it out.
    let aws = bedrock_auth::testing::LocalAws::start().await?;
    aws.add_user_with_key(
        "123456789012",
        "dev",
        KEY_ID.parse()?,
        SecretString::from(SECRET),
    );
    // This machine, offline: a HOME with the profile, and environment keys profile mode
    // must ignore. On yours, leave out `.sandbox(..)`: the manager reads ~/.aws.
    let this_machine = aws
        .sandbox()
        .env("HOME", "/home/dev")
        .file(
            "/home/dev/.aws/config",
            "[profile bedrock-dev]\nregion = us-west-2\n",
        )
        .file(
            "/home/dev/.aws/credentials",
            format!(
                "[bedrock-dev]\naws_access_key_id = {KEY_ID}\n\
                 aws_secret_access_key = {SECRET}\n"
            ),
        )
        .env("AWS_ACCESS_KEY_ID", "AKIAIGNOREDBYPROFILE")
        .env("AWS_SECRET_ACCESS_KEY", "ignored");

    let manager = AuthManager::builder()
        .endpoint_url(aws.endpoint_url()) // the local AWS; leave out for AWS
        .sandbox(this_machine) // leave out for AWS
        .profile("bedrock-dev")
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
