//! Diagnosis of prepared environments: masked variables, the shared files and their profiles,
//! the permission warning, and the execution environment, as text and JSON.

use bedrock_auth::diagnose::ExecutionEnvironment;
use bedrock_auth::testing::Sandbox;

/// A sandbox with `HOME=/home/test` and these shared files.
fn with_files(config: &str, credentials: &str) -> Sandbox {
    Sandbox::new()
        .env("HOME", "/home/test")
        .file("/home/test/.aws/config", config)
        .file("/home/test/.aws/credentials", credentials)
}

#[tokio::test]
async fn variables_files_profiles_and_masking() {
    let diagnosis = with_files(
        "[profile dev]\nregion = eu-north-1\n[default]\nregion = us-east-1\n",
        "[dev]\naws_access_key_id = AKIA1\naws_secret_access_key = file-secret-3a\n",
    )
    .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    .env("AWS_SECRET_ACCESS_KEY", "diagnose-secret-6b1f")
    .env("AWS_SESSION_TOKEN", "diagnose-token-0c9d")
    .env("AWS_REGION", "eu-north-1")
    .env("AWS_PROFILE", "dev")
    .diagnose()
    .await;
    let variable = |name: &str| {
        diagnosis
            .variables
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    // Only secrets and key ids are masked: the rest is what decides, and is shown in full.
    assert_eq!(variable("AWS_ACCESS_KEY_ID"), Some("AKIA…"));
    assert_eq!(variable("AWS_SECRET_ACCESS_KEY"), Some("********"));
    assert_eq!(variable("AWS_SESSION_TOKEN"), Some("********"));
    assert_eq!(variable("AWS_REGION"), Some("eu-north-1"));
    assert_eq!(variable("AWS_PROFILE"), Some("dev"));
    assert_eq!(
        diagnosis.config_file.path,
        std::path::Path::new("/home/test/.aws/config")
    );
    assert!(diagnosis.config_file.exists);
    assert_eq!(diagnosis.config_file.profiles, ["default", "dev"]);
    assert_eq!(diagnosis.credentials_file.profiles, ["dev"]);
    // No platform variable is set, and the sandbox has no DMI files.
    assert_eq!(diagnosis.environment, ExecutionEnvironment::None);

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
    // Real files, for their permissions: the sandbox's `/` is a temp dir.
    let root = tempfile::tempdir().unwrap();
    let aws_dir = root.path().join("home/.aws");
    std::fs::create_dir_all(&aws_dir).unwrap();
    let path = aws_dir.join("credentials");
    std::fs::write(
        &path,
        "[default]\naws_access_key_id = AKIA1\naws_secret_access_key = x\n",
    )
    .unwrap();
    std::fs::write(aws_dir.join("config"), "").unwrap();
    let sandbox = || Sandbox::rooted_at(root.path()).env("HOME", "/home");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let warnings = sandbox().diagnose().await.warnings;
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("readable by group or others") && w.contains("chmod 600")),
        "{warnings:?}"
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let diagnosis = sandbox().diagnose().await;
    assert!(diagnosis.warnings.is_empty(), "{:?}", diagnosis.warnings);
    assert_eq!(diagnosis.credentials_file.profiles, ["default"]);
}

#[tokio::test]
async fn missing_files_half_a_key_pair_and_an_unknown_profile() {
    let diagnosis = Sandbox::new()
        .env("HOME", "/home/test")
        .file("/home/test/.aws/credentials", "")
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env("AWS_PROFILE", "nowhere")
        .diagnose()
        .await;
    assert!(!diagnosis.config_file.exists);
    assert!(diagnosis.credentials_file.exists);
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
async fn platforms_from_their_variables_and_ec2_from_its_dmi_files() {
    let cases = [
        (
            Sandbox::new().env("AWS_LAMBDA_FUNCTION_NAME", "orders"),
            ExecutionEnvironment::Lambda,
        ),
        (
            Sandbox::new().env(
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "/v2/credentials/abc",
            ),
            ExecutionEnvironment::Ecs,
        ),
        (
            Sandbox::new()
                .env("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/token")
                .env("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/pod"),
            ExecutionEnvironment::EksWebIdentity,
        ),
        (
            Sandbox::new().file("/sys/devices/virtual/dmi/id/sys_vendor", "Amazon EC2\n"),
            ExecutionEnvironment::Ec2,
        ),
        (
            Sandbox::new().file("/sys/devices/virtual/dmi/id/sys_vendor", "QEMU\n"),
            ExecutionEnvironment::None,
        ),
    ];
    for (sandbox, expected) in cases {
        assert_eq!(sandbox.diagnose().await.environment, expected);
    }
}

#[tokio::test]
async fn how_long_instance_metadata_is_waited_for() {
    let off = Sandbox::new()
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .diagnose()
        .await;
    assert!(
        off.instance_metadata.starts_with("off"),
        "{}",
        off.instance_metadata
    );

    let by_variables = Sandbox::new()
        .env("AWS_METADATA_SERVICE_TIMEOUT", "0.1")
        .env("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "1")
        .diagnose()
        .await;
    assert_eq!(
        by_variables.instance_metadata,
        "100ms per attempt, 1 attempt (timeout from AWS_METADATA_SERVICE_TIMEOUT, attempts \
         from AWS_METADATA_SERVICE_NUM_ATTEMPTS)"
    );
    assert!(
        by_variables
            .to_string()
            .contains("instance metadata: 100ms per attempt")
    );
    assert_eq!(
        by_variables.to_json()["instance_metadata"],
        by_variables.instance_metadata.as_str()
    );

    let by_profile = with_files("[profile dev]\nmetadata_service_num_attempts = 3\n", "")
        .env("AWS_PROFILE", "dev")
        .diagnose()
        .await;
    assert!(
        by_profile
            .instance_metadata
            .contains("3 attempts (timeout from default, attempts from the profile)"),
        "{}",
        by_profile.instance_metadata
    );

    // Nothing said: how to make it fast.
    let unsaid = Sandbox::new().diagnose().await;
    assert!(
        unsaid
            .instance_metadata
            .contains("AWS_METADATA_SERVICE_TIMEOUT=0.1"),
        "{}",
        unsaid.instance_metadata
    );

    let invalid = Sandbox::new()
        .env("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "many")
        .diagnose()
        .await;
    assert!(
        invalid
            .warnings
            .iter()
            .any(|w| w.contains("AWS_METADATA_SERVICE_NUM_ATTEMPTS")),
        "{:?}",
        invalid.warnings
    );
}
