//! Choosing the configuration by platform: on Lambda the runtime injects keys into the
//! environment; on ECS the container credentials endpoint serves them through the default
//! chain; on a laptop a named profile holds them. Offline, this run pretends to be on Lambda:
//! `cargo run --example platform_choice`.

mod common;

use std::process::ExitCode;

use bedrock_auth::{
    AuthBuilder, AuthError, AuthManager, SecretString, diagnose::ExecutionEnvironment,
    modes::WantsMode,
};

const KEY_ID: &str = "AKIAEXAMPLELAMBDA001";
const SECRET: &str = "example-lambda-secret";

/// The choice a service makes at start-up, from where `diagnose()` says it runs.
fn for_this_platform(
    platform: ExecutionEnvironment,
    builder: AuthBuilder<WantsMode>,
) -> Result<AuthManager, AuthError> {
    let manager = match platform {
        ExecutionEnvironment::Lambda => {
            println!("platform: Lambda -> environment mode");
            builder.environment().build()?
        }
        ExecutionEnvironment::Ecs => {
            println!("platform: ECS -> auto mode (container credentials)");
            builder.auto().build()?
        }
        _ => {
            println!("platform: local -> profile mode");
            builder.profile("bedrock-dev").build()?
        }
    };
    Ok(manager)
}

fn main() -> ExitCode {
    common::run(|aws| async move {
        aws.add_user_with_key(
            "123456789012",
            "orders-handler-role",
            KEY_ID.parse()?,
            SecretString::from(SECRET),
        );
        // A Lambda function's environment, offline. On AWS: `bedrock_auth::diagnose::diagnose().await`
        // and `AuthManager::builder()`, without the sandbox.
        let lambda = aws
            .sandbox()
            .env("AWS_LAMBDA_FUNCTION_NAME", "orders-handler")
            .env("AWS_ACCESS_KEY_ID", KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_REGION", "eu-west-1");
        let platform = lambda.clone().diagnose().await.environment;
        let builder = AuthManager::builder()
            .endpoint_url(aws.endpoint_url())
            .sandbox(lambda);

        let manager = for_this_platform(platform, builder)?;
        common::validate_and_ping(&manager).await?;
        Ok(())
    })
}
