//! A secret put where a name belongs (the secret access key as the key id, swapped arguments,
//! the secret as `{ env = .. }`, a misspelled secret key) is refused or hidden, and its bytes
//! appear in no error, `Debug`, JSON output or TRACE log.

use super::common;

use bedrock_auth::{AuthConfig, AuthManager, SecretString, error::Rule, error::ValueKind};
use common::Captured;

/// A secret access key in AWS's own shape, with `/`.
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSECRETKEY";
/// One with no `/` or `+`: before, this passed as a key id.
const PLAIN_SECRET: &str = "wJalrXUtnFEMIK7MDENGbPxRfiCYzSECRETKEY12";

fn assert_absent(what: &str, text: &str) {
    for secret in [SECRET, PLAIN_SECRET] {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
        // Not even a long piece of it.
        assert!(
            !text.contains(&secret[..12]),
            "{what} shows part of a secret: {text}"
        );
    }
}

#[test]
fn a_secret_given_as_the_access_key_id_is_recognized_and_never_shown() {
    let logs = Captured::default();
    let _guard = logs.install();
    for secret in [SECRET, PLAIN_SECRET] {
        // Swapped arguments: the secret as the id.
        let err = AuthManager::builder()
            .region("us-east-1")
            .static_credentials(secret, SecretString::from("AKIAIOSFODNN7EXAMPLE"))
            .build()
            .unwrap_err();
        assert_eq!(err.problems()[0].field(), "access_key_id");
        assert_eq!(err.problems()[0].error().rule(), Rule::LooksLikeSecret);
        assert_eq!(err.problems()[0].error().value(), None);
        assert!(err.to_string().contains("swapped"), "{err}");
        assert_absent("the builder's error", &format!("{err} {err:?}"));

        let err = AuthManager::builder()
            .region("us-east-1")
            .assume_role("arn:aws:iam::123456789012:role/R")
            .source_static(secret, SecretString::from("x"))
            .build()
            .unwrap_err();
        assert_eq!(err.problems()[0].error().rule(), Rule::LooksLikeSecret);
        assert_absent("the role source's error", &format!("{err} {err:?}"));

        // The config's key, its alias, and the variable.
        for text in [
            format!("mode = \"static\"\naccess_key_id = \"{secret}\"\nsecret_access_key = \"s\""),
            format!("mode = \"credentials\"\naccess_key = \"{secret}\"\nsecret_key = \"s\""),
        ] {
            let config = AuthConfig::from_toml(&text).unwrap();
            assert_absent("AuthConfig's Debug", &format!("{config:?} {config:#?}"));
            let err = AuthManager::from_config(&config).unwrap_err();
            assert_eq!(err.problems()[0].error().rule(), Rule::LooksLikeSecret);
            assert_absent("the config's error", &format!("{err} {err:?}"));
        }
        let config = AuthConfig::from_env_vars([
            ("BEDROCK_AUTH_MODE", "static"),
            ("BEDROCK_AUTH_ACCESS_KEY_ID", secret),
            ("BEDROCK_AUTH_SECRET_ACCESS_KEY", "s"),
        ])
        .unwrap();
        assert_absent("AuthConfig's Debug", &format!("{config:?}"));
        let err = AuthManager::from_config(&config).unwrap_err();
        assert_absent("the environment config's error", &format!("{err} {err:?}"));
    }
    // Any bad id is kept out of the error: it may be a secret of another shape.
    let err = "AKIA-short"
        .parse::<bedrock_auth::AccessKeyId>()
        .unwrap_err();
    assert_eq!(err.kind(), ValueKind::AccessKeyId);
    assert_eq!(err.value(), None);
    assert!(!err.to_string().contains("AKIA-short"), "{err}");
    assert_absent("the TRACE log", &logs.text());
}

#[test]
fn a_secret_given_as_a_variable_name_is_refused_and_never_shown() {
    for secret in [SECRET, PLAIN_SECRET] {
        let text = format!(
            "mode = \"static\"\naccess_key_id = \"AKIAIOSFODNN7EXAMPLE\"\n\
             secret_access_key = {{ env = \"{secret}\" }}"
        );
        let config = AuthConfig::from_toml(&text).unwrap();
        assert_absent("AuthConfig's Debug", &format!("{config:?}"));
        let err = AuthManager::from_config(&config).unwrap_err();
        let problem = &err.problems()[0];
        assert_eq!(problem.field(), "secret_access_key");
        assert!(
            matches!(
                problem.error().rule(),
                Rule::VariableName | Rule::LooksLikeSecret
            ),
            "{err}"
        );
        assert_absent("the error", &format!("{err} {err:?}"));
    }
    // The same where the path of a secret file belongs.
    let config = AuthConfig::from_toml(&format!(
        "mode = \"api_key\"\napi_key = {{ file = \"{PLAIN_SECRET}\" }}"
    ))
    .unwrap();
    let err = AuthManager::from_config(&config).unwrap_err();
    assert_eq!(
        err.problems()[0].error().rule(),
        Rule::LooksLikeSecret,
        "{err}"
    );
    assert_absent("the error", &format!("{err} {err:?}"));

    // A real variable name is still named when it is missing.
    let config = AuthConfig::from_toml(
        "mode = \"api_key\"\napi_key = { env = \"BEDROCK_AUTH_TEST_UNSET_VARIABLE\" }",
    )
    .unwrap();
    let err = AuthManager::from_config(&config).unwrap_err();
    assert!(
        err.to_string().contains("BEDROCK_AUTH_TEST_UNSET_VARIABLE"),
        "{err}"
    );
}

#[test]
fn auth_config_debug_shows_keys_not_the_values_of_secret_or_unknown_keys() {
    let config = AuthConfig::from_toml(&format!(
        "mode = \"assume_role\"\nrole_arn = \"arn:aws:iam::123456789012:role/R\"\n\
         external_id = \"confidential-external-id\"\nsecret_acess_key = \"{SECRET}\"\n\
         endpoint_url = \"https://u:{PLAIN_SECRET}@proxy.example.com\"\n\
         source = {{ access_key_id = \"AKIAIOSFODNN7EXAMPLE\", secret_access_key = \"{PLAIN_SECRET}\" }}"
    ))
    .unwrap();
    let text = format!("{config:?} {config:#?}");
    assert_absent("AuthConfig's Debug", &text);
    assert!(!text.contains("confidential-external-id"), "{text}");
    // What is safe to show still is: the keys, and the values of keys that hold no secret.
    for shown in [
        "secret_acess_key",
        "external_id",
        "arn:aws:iam::123456789012:role/R",
        "AKIAIOSFODNN7EXAMPLE",
    ] {
        assert!(text.contains(shown), "{shown} missing from {text}");
    }
}

/// The command's JSON error output, from a config file with the secret as the key id.
#[test]
fn the_command_s_json_error_does_not_show_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.toml");
    std::fs::write(
        &path,
        format!("mode = \"static\"\nregion = \"us-east-1\"\naccess_key_id = \"{PLAIN_SECRET}\"\nsecret_access_key = \"x\"\n"),
    )
    .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_bedrock-auth"))
        .args(["whoami", "--json", "--config"])
        .arg(&path)
        .env_clear()
        .env("HOME", dir.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains("access_key_id"), "{stdout}{stderr}");
    assert_absent("the command's output", &format!("{stdout}{stderr}"));
}
