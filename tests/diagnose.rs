//! Diagnosis of prepared environments: masked variables, the shared files and their profiles,
//! the permission warning, and the execution environment, as text and JSON.

mod common;

use bedrock_auth::{ExecutionEnvironment, diagnose};
use common::IsolatedEnv;

#[tokio::test]
async fn variables_files_profiles_and_masking() {
    let env = IsolatedEnv::new();
    env.set("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
    env.set("AWS_SECRET_ACCESS_KEY", "diagnose-secret-6b1f");
    env.set("AWS_SESSION_TOKEN", "diagnose-token-0c9d");
    env.set("AWS_REGION", "eu-north-1");
    env.set("AWS_PROFILE", "dev");
    env.write_config("[profile dev]\nregion = eu-north-1\n[default]\nregion = us-east-1\n");
    env.write_credentials(
        "[dev]\naws_access_key_id = AKIA1\naws_secret_access_key = file-secret-3a\n",
    );

    let diagnosis = diagnose().await;
    let variable = |name: &str| {
        diagnosis
            .variables
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(variable("AWS_ACCESS_KEY_ID"), Some("AKIA*"));
    assert_eq!(variable("AWS_SECRET_ACCESS_KEY"), Some("********"));
    assert_eq!(variable("AWS_SESSION_TOKEN"), Some("********"));
    assert_eq!(variable("AWS_REGION"), Some("eu-n*"));
    assert_eq!(diagnosis.config_file.path, env.config_path());
    assert!(diagnosis.config_file.exists);
    assert_eq!(diagnosis.config_file.profiles, ["default", "dev"]);
    assert_eq!(diagnosis.credentials_file.profiles, ["dev"]);
    // No platform variable is set; on an EC2 host the DMI files still say EC2.
    assert!(
        matches!(
            diagnosis.environment,
            ExecutionEnvironment::None | ExecutionEnvironment::Ec2
        ),
        "{:?}",
        diagnosis.environment
    );

    let text = diagnosis.to_string();
    let json = diagnosis.to_json().to_string();
    for output in [&text, &json, &format!("{diagnosis:?}")] {
        for secret in [
            "diagnose-secret-6b1f",
            "diagnose-token-0c9d",
            "file-secret-3a",
            "IOSFODNN7",
        ] {
            assert!(!output.contains(secret), "{secret} shown in {output}");
        }
    }
    assert!(text.contains("profiles: default, dev"), "{text}");
    assert_eq!(
        diagnosis.to_json()["credentials_file"]["profiles"][0],
        "dev"
    );
    assert_eq!(
        diagnosis.to_json()["environment"],
        diagnosis.environment.as_str()
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_credentials_file_readable_by_others_is_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let env = IsolatedEnv::new();
    env.write_credentials("[default]\naws_access_key_id = AKIA1\naws_secret_access_key = x\n");
    let path = env.credentials_path();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let warnings = diagnose().await.warnings;
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("readable by group or others") && w.contains("chmod 600")),
        "{warnings:?}"
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(diagnose().await.warnings.is_empty());
}

#[tokio::test]
async fn missing_files_half_a_key_pair_and_an_unknown_profile() {
    let env = IsolatedEnv::new();
    std::fs::remove_file(env.config_path()).unwrap();
    env.set("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
    env.set("AWS_PROFILE", "nowhere");
    let diagnosis = diagnose().await;
    assert!(!diagnosis.config_file.exists);
    assert!(diagnosis.to_string().contains("(missing)"));
    let warnings = diagnosis.warnings.join("\n");
    assert!(
        warnings.contains("only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
        "{warnings}"
    );
    assert!(
        warnings.contains("AWS_PROFILE names `nowhere`"),
        "{warnings}"
    );
}

#[tokio::test]
async fn platforms_from_their_variables() {
    let env = IsolatedEnv::new();
    env.set("AWS_LAMBDA_FUNCTION_NAME", "orders");
    assert_eq!(diagnose().await.environment, ExecutionEnvironment::Lambda);
    env.remove("AWS_LAMBDA_FUNCTION_NAME");
    env.set(
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "/v2/credentials/abc",
    );
    assert_eq!(diagnose().await.environment, ExecutionEnvironment::Ecs);
    env.remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    env.set("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/token");
    env.set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/pod");
    assert_eq!(
        diagnose().await.environment,
        ExecutionEnvironment::EksWebIdentity
    );
}
