//! Assume-role mode: STS `AssumeRole` with an external id, a session name, a duration, MFA and
//! source credentials. Runs offline: `cargo run --example assume_role`.

mod common;

use std::process::ExitCode;
use std::time::Duration;

use bedrock_auth::testing::RoleSpec;
use bedrock_auth::{ExternalId, RoleArn, SecretString, error::BoxError};

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/BedrockAccess");
const MFA_DEVICE: &str = "arn:aws:iam::123456789012:mfa/operator";
/// Checked when the program compiles: a literal under AWS's 2-character minimum does not build.
const EXTERNAL_ID: ExternalId = ExternalId::from_static("unique-external-id");

fn main() -> ExitCode {
    common::run(|aws| async move {
        let source = aws.add_user("deployer");
        aws.add_role(
            RoleSpec::new(ROLE)
                .trust(source.arn.clone())
                .external_id("unique-external-id")
                .require_mfa(MFA_DEVICE, "123456"),
        );

        let manager = aws
            .builder() // region us-east-1 and the local endpoint; for AWS: AuthManager::builder().region(..)
            .assume_role(ROLE)
            .external_id(EXTERNAL_ID)
            .session_name("orders-service")
            .duration(Duration::from_secs(2 * 3600))
            .mfa(MFA_DEVICE, || async {
                // Asked at every assumption: a TOTP generator or a prompt goes here.
                Ok::<_, BoxError>(SecretString::from("123456"))
            })
            .source_static(
                source.access_key_id.clone(),
                source.secret_access_key.clone(),
            )
            .build()?;
        common::validate_and_ping(&manager).await?;
        println!("AssumeRole calls: {}", aws.count("AssumeRole"));
        Ok(())
    })
}
