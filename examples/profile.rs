//! Profile mode: credentials and region from a named profile of the shared files, even when
//! `AWS_ACCESS_KEY_ID` is set. Runs offline: `cargo run --example profile`.

mod common;

use std::process::ExitCode;

use bedrock_auth::{AuthManager, SecretString};

const KEY_ID: &str = "AKIAEXAMPLEPROFILE01";
const SECRET: &str = "example-profile-secret";

fn main() -> ExitCode {
    common::run(|aws| async move {
        aws.add_user_with_key(
            "123456789012",
            "dev",
            KEY_ID.parse()?,
            SecretString::from(SECRET),
        );
        // This machine, offline: a HOME with the profile, and environment keys profile mode
        // must ignore. On yours, leave out `.sandbox(..)`: the manager reads ~/.aws.
        let this_machine = aws
            .sandbox()
            .env("HOME", "/home/dev")
            .file(
                "/home/dev/.aws/config",
                "[profile bedrock-dev]\nregion = us-west-2\n",
            )
            .file(
                "/home/dev/.aws/credentials",
                format!(
                    "[bedrock-dev]\naws_access_key_id = {KEY_ID}\n\
                     aws_secret_access_key = {SECRET}\n"
                ),
            )
            .env("AWS_ACCESS_KEY_ID", "AKIAIGNOREDBYPROFILE")
            .env("AWS_SECRET_ACCESS_KEY", "ignored");

        let manager = AuthManager::builder()
            .endpoint_url(aws.endpoint_url()) // the local AWS; leave out for AWS
            .sandbox(this_machine) // leave out for AWS
            .profile("bedrock-dev")
            .build()?;
        common::validate_and_ping(&manager).await?;
        Ok(())
    })
}
