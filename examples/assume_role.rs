//! Assume-role mode: STS `AssumeRole` with an external id, a session name, a duration, MFA and
//! source credentials. Runs offline: `cargo run --example assume_role`.

use std::time::Duration;

use bedrock_auth::testing::RoleSpec;
use bedrock_auth::{ExternalId, RoleArn, SecretString, error::BoxError};

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/BedrockAccess");
const MFA_DEVICE: &str = "arn:aws:iam::123456789012:mfa/operator";
/// Checked when the program compiles: a literal under AWS's 2-character minimum does not build.
const EXTERNAL_ID: ExternalId = ExternalId::from_static("unique-external-id");

const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // Offline only: the embedded local AWS stands in for STS and Bedrock (`aws.builder()`
    // is `AuthManager::builder()` pointed at it); against AWS, leave it out.
    let aws = bedrock_auth::testing::LocalAws::start().await?;
    let source = aws.add_user("deployer");
    aws.add_role(
        RoleSpec::new(ROLE)
            .trust(source.arn.clone())
            .external_id("unique-external-id")
            .require_mfa(MFA_DEVICE, "123456"),
    );

    let manager = aws
        .builder() // region us-east-1 and the local endpoint; for AWS: AuthManager::builder().region(..)
        .assume_role(ROLE)
        .external_id(EXTERNAL_ID)
        .session_name("orders-service")
        .duration(Duration::from_secs(2 * 3600))
        .mfa(MFA_DEVICE, || async {
            // Asked at every assumption: a TOTP generator or a prompt goes here.
            Ok::<_, BoxError>(SecretString::from("123456"))
        })
        .source_static(
            source.access_key_id.clone(),
            source.secret_access_key.clone(),
        )
        .build()?;
    // Prove the credentials (STS GetCallerIdentity), then say "ping" to a model.
    println!("validated: {}", manager.validate().await?);
    let client = manager.bedrock_client_default().await?;
    println!("{MODEL} answered {:?}", ping(&client).await?);
    println!("AssumeRole calls: {}", aws.count("AssumeRole"));
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
