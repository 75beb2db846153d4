//! Auto mode: the standard AWS default credential chain (here it finds the environment keys).
//! Runs offline: `cargo run --example auto`.

mod common;

use std::process::ExitCode;

use bedrock_auth::{AuthManager, SecretString};

const KEY_ID: &str = "AKIAEXAMPLEAUTOCHAIN";
const SECRET: &str = "example-auto-secret";

fn main() -> ExitCode {
    common::run(|aws| async move {
        aws.add_user_with_key(
            "123456789012",
            "anyone",
            KEY_ID.parse()?,
            SecretString::from(SECRET),
        );
        // This machine, offline: keys in the environment, a region in the default profile,
        // instance metadata off. On AWS, leave out `.sandbox(..)`.
        let this_machine = aws
            .sandbox()
            .env("HOME", "/home/dev")
            .file(
                "/home/dev/.aws/config",
                "[default]\nregion = ap-northeast-1\n",
            )
            .env("AWS_ACCESS_KEY_ID", KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", SECRET);

        let manager = AuthManager::builder()
            .endpoint_url(aws.endpoint_url()) // the local AWS; leave out for AWS
            .sandbox(this_machine) // leave out for AWS
            .auto()
            .build()?;
        common::validate_and_ping(&manager).await?;
        Ok(())
    })
}
