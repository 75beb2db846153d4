//! A tour of bedrock-auth, offline: build a manager in every mode, print what each one is
//! configured with, and show how invalid input is reported.
//!
//! ```text
//! cargo run --example tour
//! ```
//!
//! The region comes from `AWS_REGION` when set (else `us-east-1`); nothing here reads
//! credentials or touches the network.

use std::time::{Duration, Instant};

use bedrock_auth::{AuthManager, BoxError, ConfigError, Region, RoleArn, SecretString};

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/BedrockAccess");

fn main() -> Result<(), ConfigError> {
    let region = match std::env::var("AWS_REGION") {
        Ok(name) => name,
        Err(_) => "us-east-1".to_owned(),
    };
    let region: Region = match region.parse() {
        Ok(region) => region,
        Err(err) => {
            eprintln!("AWS_REGION: {err}");
            std::process::exit(2);
        }
    };

    let started = Instant::now();
    let managers = [
        AuthManager::builder()
            .region(region.clone())
            .environment()
            .build()?,
        AuthManager::builder()
            .region(region.clone())
            .profile("bedrock-dev")
            .build()?,
        AuthManager::builder()
            .region(region.clone())
            .static_credentials(
                "AKIAIOSFODNN7EXAMPLE",
                SecretString::from("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            )
            .build()?,
        AuthManager::builder()
            .region(region.clone())
            .assume_role(ROLE)
            .external_id("unique-external-id")
            .session_name("bedrock-auth-tour")
            .duration(Duration::from_secs(7200))
            .mfa("arn:aws:iam::123456789012:mfa/alice", || async {
                Ok::<_, BoxError>(SecretString::from("123456"))
            })
            .source_profile("base")
            .build()?,
        AuthManager::builder().region(region).auto().build()?,
    ];
    let elapsed = started.elapsed();

    for manager in &managers {
        println!("{}\n", manager.info());
    }
    println!(
        "built {} managers in {elapsed:?}, no network I/O\n",
        managers.len()
    );

    // Invalid input: every problem at once, each naming its field, value and rule.
    let err = AuthManager::builder()
        .region("US East 1")
        .assume_role("arn:aws:iam::42:role/BedrockAccess")
        .session_name("tour with spaces")
        .duration(60)
        .build()
        .expect_err("the tour's invalid configuration was accepted");
    println!("{err}");
    Ok(())
}
