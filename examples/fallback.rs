//! A fallback chain: a local profile, then the environment (as on Lambda or ECS with injected
//! keys), then the default chain; the first that validates wins, and the report says why the
//! earlier ones did not. Offline: `cargo run --example fallback`.

mod common;

use std::process::ExitCode;

use bedrock_auth::{AuthManager, SecretString, fallback::FallbackChain};

const KEY_ID: &str = "AKIAEXAMPLEFALLBACK1";
const SECRET: &str = "example-fallback-secret";

fn main() -> ExitCode {
    common::run(|aws| async move {
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
        common::validate_and_ping(&chosen.manager).await?;
        Ok(())
    })
}
