//! The embedded local AWS as a standalone server, to try the `bedrock-auth` command (or any AWS
//! tool) offline. Prints the variables to export, then serves until Ctrl-C
//! (`-- --seconds N` stops after N seconds).
//!
//! ```text
//! cargo run --example local_aws
//! # in another shell, with the printed exports:
//! cargo run --features cli --bin bedrock-auth -- whoami --env
//! ```

use std::time::Duration;

use bedrock_auth::testing::{LocalAws, RoleSpec};
use bedrock_auth::{RoleArn, SecretString};

/// A fixed key pair of this local server only, so it can be written down; it means nothing on
/// AWS.
const KEY_ID: &str = "AKIALOCALEXAMPLE0001";
const SECRET: &str = "local-example-secret";
const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/BedrockAccess");

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds = std::env::args()
        .skip_while(|arg| arg != "--seconds")
        .nth(1)
        .map(|s| s.parse::<u64>())
        .transpose()?;
    let aws = LocalAws::start().await?;
    let user = aws.add_user_with_key(
        "123456789012",
        "local-dev",
        KEY_ID.parse()?,
        SecretString::from(SECRET),
    );
    aws.add_role(RoleSpec::new(ROLE).trust(user.arn.clone()));
    println!("local STS + Bedrock Runtime at {}", aws.endpoint_url());
    println!("user {} may assume {ROLE}", user.arn);
    println!();
    println!("export AWS_ENDPOINT_URL={}", aws.endpoint_url());
    println!("export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true");
    println!("export AWS_ACCESS_KEY_ID={KEY_ID} AWS_SECRET_ACCESS_KEY={SECRET}  # local only");
    println!();
    println!(
        "then: bedrock-auth whoami --env | ping --env --model any.model-v1:0 | whoami --role-arn {ROLE}"
    );
    match seconds {
        Some(seconds) => tokio::time::sleep(Duration::from_secs(seconds)).await,
        None => tokio::signal::ctrl_c().await?,
    }
    println!("served {} requests", aws.requests().len());
    Ok(())
}
