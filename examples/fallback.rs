//! A fallback chain: a local profile, then the environment (as on Lambda or ECS with injected
//! keys), then the default chain; the first that validates wins, and the report says why the
//! earlier ones did not. Offline: `cargo run --example fallback`.

mod common;

use std::process::ExitCode;

use bedrock_auth::{AuthManager, FallbackChain, SecretString};

const KEY_ID: &str = "AKIAEXAMPLEFALLBACK1";
const SECRET: &str = "example-fallback-secret";

fn main() -> ExitCode {
    // No `bedrock` profile on this machine; keys in the environment.
    let _home = common::offline(
        "",
        "",
        &[
            ("AWS_ACCESS_KEY_ID", KEY_ID),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_REGION", "us-east-1"),
        ],
    );
    common::run(|aws| async move {
        aws.add_user_with_key(
            "123456789012",
            "lambda-role",
            KEY_ID.parse()?,
            SecretString::from(SECRET),
        );
        let local = || AuthManager::builder().endpoint_url(aws.endpoint_url()); // leave out for AWS

        let chosen = FallbackChain::new()
            .then("profile bedrock", local().profile("bedrock").build())
            .then("environment", local().environment().build())
            .then("auto", local().auto().build())
            .resolve()
            .await?;
        println!("{}\n", chosen.report());
        common::validate_and_ping(&chosen.manager).await?;
        Ok(())
    })
}
