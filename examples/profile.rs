//! Profile mode: credentials and region from a named profile of the shared files, even when
//! `AWS_ACCESS_KEY_ID` is set. Runs offline: `cargo run --example profile`.

mod common;

use std::process::ExitCode;

use bedrock_auth::{AuthManager, SecretString};

const KEY_ID: &str = "AKIAEXAMPLEPROFILE01";
const SECRET: &str = "example-profile-secret";

fn main() -> ExitCode {
    let _home = common::offline(
        "[profile bedrock-dev]\nregion = us-west-2\n",
        &format!("[bedrock-dev]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n"),
        // Environment keys that profile mode must ignore.
        &[
            ("AWS_ACCESS_KEY_ID", "AKIAIGNOREDBYPROFILE"),
            ("AWS_SECRET_ACCESS_KEY", "ignored"),
        ],
    );
    common::run(|aws| async move {
        aws.add_user_with_key(
            "123456789012",
            "dev",
            KEY_ID.parse()?,
            SecretString::from(SECRET),
        );

        let manager = AuthManager::builder()
            .endpoint_url(aws.endpoint_url()) // the local AWS; leave out for AWS
            .profile("bedrock-dev")
            .build()?;
        common::validate_and_ping(&manager).await?;
        Ok(())
    })
}
