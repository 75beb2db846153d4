//! Several regions, one manager: a cached Bedrock Runtime client per region, all signing with
//! the one set of role credentials (one `AssumeRole` however many regions and tasks).
//! Offline: `cargo run --example multi_region`.

use bedrock_auth::RoleArn;
use bedrock_auth::testing::RoleSpec;

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/BedrockAccess");
const REGIONS: [&str; 4] = ["us-east-1", "us-west-2", "eu-central-1", "ap-northeast-1"];

const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // Offline only: the embedded local AWS stands in for STS and Bedrock (`aws.builder()`
    // is `AuthManager::builder()` pointed at it); against AWS, leave it out.
    let aws = bedrock_auth::testing::LocalAws::start().await?;
    let source = aws.add_user("deployer");
    aws.add_role(RoleSpec::new(ROLE).trust(source.arn.clone()));
    let manager = aws
        .builder() // region us-east-1 and the local endpoint; for AWS: AuthManager::builder().region(..)
        .assume_role(ROLE)
        .source_static(
            source.access_key_id.clone(),
            source.secret_access_key.clone(),
        )
        .build()?;

    let mut tasks = tokio::task::JoinSet::new();
    for region in REGIONS {
        let manager = manager.clone();
        tasks.spawn(async move {
            let client = manager.bedrock_client(region).await?;
            let reply = ping(&client).await;
            Ok::<_, bedrock_auth::AuthError>((region, reply))
        });
    }
    while let Some(done) = tasks.join_next().await {
        let (region, reply) = done??;
        println!("{region:<15} {reply:?}");
    }
    for request in aws.requests().iter().filter(|r| r.action == "Converse") {
        println!(
            "Converse signed for {} / {}",
            request.signing_region.as_deref().unwrap_or("?"),
            request.signing_service.as_deref().unwrap_or("?")
        );
    }
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
