//! Auto mode: the standard AWS default credential chain (here it finds the environment keys).
//! Runs offline: `cargo run --example auto`.

mod common;

use std::process::ExitCode;

use bedrock_auth::SecretString;

const KEY_ID: &str = "AKIAEXAMPLEAUTOCHAIN";
const SECRET: &str = "example-auto-secret";

fn main() -> ExitCode {
    let _home = common::offline(
        "[default]\nregion = ap-northeast-1\n",
        "",
        &[
            ("AWS_ACCESS_KEY_ID", KEY_ID),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
        ],
    );
    common::run(|aws| async move {
        aws.add_user_with_key(
            "123456789012",
            "anyone",
            KEY_ID.parse()?,
            SecretString::from(SECRET),
        );

        let manager = bedrock_auth::AuthManager::builder()
            .endpoint_url(aws.endpoint_url()) // the local AWS; leave out for AWS
            .auto()
            .build()?;
        common::validate_and_ping(&manager).await?;
        Ok(())
    })
}
