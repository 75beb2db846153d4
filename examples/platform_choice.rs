//! Choosing the configuration by platform: on Lambda the runtime injects keys into the
//! environment; on ECS the container credentials endpoint serves them through the default
//! chain; on a laptop a named profile holds them. Offline, this run pretends to be on Lambda:
//! `cargo run --example platform_choice`.

mod common;

use std::process::ExitCode;

use bedrock_auth::{AuthBuilder, AuthError, AuthManager, SecretString, WantsMode};

const KEY_ID: &str = "AKIAEXAMPLELAMBDA001";
const SECRET: &str = "example-lambda-secret";

/// The choice a service makes at start-up.
fn for_this_platform(builder: AuthBuilder<WantsMode>) -> Result<AuthManager, AuthError> {
    let set = |var: &str| std::env::var_os(var).is_some();
    let manager = if set("AWS_LAMBDA_FUNCTION_NAME") {
        println!("platform: Lambda -> environment mode");
        builder.environment().build()?
    } else if set("ECS_CONTAINER_METADATA_URI_V4") || set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    {
        println!("platform: ECS -> auto mode (container credentials)");
        builder.auto().build()?
    } else {
        println!("platform: local -> profile mode");
        builder.profile("bedrock-dev").build()?
    };
    Ok(manager)
}

fn main() -> ExitCode {
    let _home = common::offline(
        "",
        "",
        &[
            ("AWS_LAMBDA_FUNCTION_NAME", "orders-handler"),
            ("AWS_ACCESS_KEY_ID", KEY_ID),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_REGION", "eu-west-1"),
        ],
    );
    common::run(|aws| async move {
        aws.add_user_with_key(
            "123456789012",
            "orders-handler-role",
            KEY_ID.parse()?,
            SecretString::from(SECRET),
        );
        let builder = AuthManager::builder().endpoint_url(aws.endpoint_url()); // leave out for AWS
        let manager = for_this_platform(builder)?;
        common::validate_and_ping(&manager).await?;
        Ok(())
    })
}
