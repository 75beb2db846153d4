//! Environment mode: `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` only.
//! Runs offline: `cargo run --example environment`.

mod common;

use std::process::ExitCode;

use bedrock_auth::SecretString;

const KEY_ID: &str = "AKIAEXAMPLEENVIRON01";
const SECRET: &str = "example-environment-secret";

fn main() -> ExitCode {
    let _home = common::offline(
        "",
        "",
        &[
            ("AWS_ACCESS_KEY_ID", KEY_ID),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_REGION", "eu-west-1"),
        ],
    );
    common::run(|aws| async move {
        aws.add_user_with_key(
            "123456789012",
            "service",
            KEY_ID.parse()?,
            SecretString::from(SECRET),
        );

        let manager = bedrock_auth::AuthManager::builder()
            .endpoint_url(aws.endpoint_url()) // the local AWS; leave out for AWS
            .environment()
            .build()?;
        common::validate_and_ping(&manager).await?;
        Ok(())
    })
}
