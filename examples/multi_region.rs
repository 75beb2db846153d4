//! Several regions, one manager: a cached Bedrock Runtime client per region, all signing with
//! the one set of role credentials (one `AssumeRole` however many regions and tasks).
//! Offline: `cargo run --example multi_region`.

mod common;

use std::process::ExitCode;

use bedrock_auth::RoleArn;
use bedrock_auth::testing::RoleSpec;

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/BedrockAccess");
const REGIONS: [&str; 4] = ["us-east-1", "us-west-2", "eu-central-1", "ap-northeast-1"];

fn main() -> ExitCode {
    common::run(|aws| async move {
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
                let reply = common::ping(&client, common::MODEL).await;
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
    })
}
