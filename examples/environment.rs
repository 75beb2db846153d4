//! Environment mode: `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` only.
//! Runs offline: `cargo run --example environment`.

mod common;

use std::process::ExitCode;

use bedrock_auth::{AuthManager, SecretString};

const KEY_ID: &str = "AKIAEXAMPLEENVIRON01";
const SECRET: &str = "example-environment-secret";

fn main() -> ExitCode {
    common::run(|aws| async move {
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
        common::validate_and_ping(&manager).await?;
        Ok(())
    })
}
