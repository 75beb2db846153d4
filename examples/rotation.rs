//! Credential rotation from a source of your own: the manager reads the current key pair from a
//! (here, in-memory) secret store, caches it, and re-reads it when told the secret was rotated;
//! the Bedrock client made before the rotation signs with the new key. Offline:
//! `cargo run --example rotation`.

use std::sync::{Arc, Mutex};

use bedrock_auth::{custom::FreshCredentials, error::BoxError};

const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // Offline only: the embedded local AWS stands in for STS and Bedrock (`aws.builder()`
    // is `AuthManager::builder()` pointed at it); against AWS, leave it out.
    let aws = bedrock_auth::testing::LocalAws::start().await?;
    let first = aws.add_user("key-generation-1");
    let second = aws.add_user("key-generation-2");
    // Stands for a secret manager that a rotation job writes to.
    let vault = Arc::new(Mutex::new(first.clone()));

    let store = Arc::clone(&vault);
    let manager = aws
        .builder() // region us-east-1 and the local endpoint; for AWS: AuthManager::builder().region(..)
        .credential_source(move || {
            let current = store.lock().expect("vault").clone();
            async move {
                Ok::<_, BoxError>(FreshCredentials::new(
                    current.access_key_id,
                    current.secret_access_key,
                ))
            }
        })
        .build()?;
    let client = manager.bedrock_client("us-east-1").await?;

    println!("before rotation: {}", manager.validate().await?.arn);
    ping(&client).await?;

    *vault.lock().expect("vault") = second.clone(); // the rotation job runs
    manager.refresh_credentials().await?; // e.g. on the rotation event

    println!("after rotation:  {}", manager.validate().await?.arn);
    ping(&client).await?;
    let keys: Vec<_> = aws
        .requests()
        .into_iter()
        .filter(|r| r.action == "Converse")
        .filter_map(|r| r.access_key_id)
        .collect();
    println!("the same Bedrock client signed with: {keys:?}");
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
