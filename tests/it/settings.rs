//! The settings' declaration, walked through what users write: every key the library declares
//! (the keys of [`ENV_VARS`]) is taken from a configuration file and from its `BEDROCK_AUTH_*`
//! variable, builds a manager, and is shown by `diagnose()` (what `doctor` prints) under its
//! key, masked when it is a secret. A key without an example here fails the test: a new
//! setting is walked the day it is declared. (The command's flags are walked in
//! `cli/config_flags.rs`, the manual in `config.rs`.)

use bedrock_auth::config::ENV_VARS;
use bedrock_auth::{AuthConfig, AuthManager};

/// One key, as a file and as variables write it.
pub(crate) struct Example {
    /// The mode that takes it.
    pub(crate) mode: &'static str,
    /// The key's line of a TOML file (and the keys it needs beside it).
    pub(crate) toml: String,
    /// The variables that set the same.
    pub(crate) vars: Vec<(&'static str, String)>,
    /// What `diagnose()` shows for the key; `None`: a secret, shown as `********`.
    pub(crate) shown: Option<&'static str>,
}

const ROLE: &str = "arn:aws:iam::123456789012:role/BedrockAccess";

/// The example of `key`; a key without one fails the test.
pub(crate) fn example(key: &str, ca_bundle: &str) -> Example {
    let every = |toml: &str, var: &'static str, value: &str, shown: &'static str| Example {
        mode: "environment",
        toml: toml.to_owned(),
        vars: vec![(var, value.to_owned())],
        shown: Some(shown),
    };
    let role = |toml: &str, var: &'static str, value: &str, shown: Option<&'static str>| Example {
        mode: "assume_role",
        toml: format!("role_arn = \"{ROLE}\"\n{toml}"),
        vars: vec![
            ("BEDROCK_AUTH_ROLE_ARN", ROLE.to_owned()),
            (var, value.to_owned()),
        ],
        shown,
    };
    let statics = |shown: Option<&'static str>| Example {
        mode: "static",
        toml: "access_key_id = \"AKIAIOSFODNN7EXAMPLE\"\n\
               secret_access_key = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"\n\
               session_token = \"walked-session-token\""
            .to_owned(),
        vars: vec![
            (
                "BEDROCK_AUTH_ACCESS_KEY_ID",
                "AKIAIOSFODNN7EXAMPLE".to_owned(),
            ),
            (
                "BEDROCK_AUTH_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_owned(),
            ),
            (
                "BEDROCK_AUTH_SESSION_TOKEN",
                "walked-session-token".to_owned(),
            ),
        ],
        shown,
    };
    match key {
        "mode" => every("", "BEDROCK_AUTH_MODE", "environment", "environment"),
        "region" => every(
            "region = \"eu-west-3\"",
            "BEDROCK_AUTH_REGION",
            "eu-west-3",
            "eu-west-3",
        ),
        "endpoint_url" => every(
            "endpoint_url = \"http://127.0.0.1:9\"",
            "BEDROCK_AUTH_ENDPOINT_URL",
            "http://127.0.0.1:9",
            "http://127.0.0.1:9",
        ),
        "use_fips_endpoint" => every(
            "use_fips_endpoint = true",
            "BEDROCK_AUTH_USE_FIPS_ENDPOINT",
            "true",
            "true",
        ),
        "use_dualstack_endpoint" => every(
            "use_dualstack_endpoint = true",
            "BEDROCK_AUTH_USE_DUALSTACK_ENDPOINT",
            "true",
            "true",
        ),
        "connect_timeout_ms" => every(
            "connect_timeout_ms = 1500",
            "BEDROCK_AUTH_CONNECT_TIMEOUT_MS",
            "1500",
            "1500",
        ),
        "operation_timeout_ms" => every(
            "operation_timeout_ms = 2500",
            "BEDROCK_AUTH_OPERATION_TIMEOUT_MS",
            "2500",
            "2500",
        ),
        "bedrock_timeout_ms" => every(
            "bedrock_timeout_ms = 3500",
            "BEDROCK_AUTH_BEDROCK_TIMEOUT_MS",
            "3500",
            "3500",
        ),
        "max_attempts" => every("max_attempts = 2", "BEDROCK_AUTH_MAX_ATTEMPTS", "2", "2"),
        "metadata_timeout_ms" => every(
            "metadata_timeout_ms = 700",
            "BEDROCK_AUTH_METADATA_TIMEOUT_MS",
            "700",
            "700",
        ),
        "metadata_attempts" => every(
            "metadata_attempts = 2",
            "BEDROCK_AUTH_METADATA_ATTEMPTS",
            "2",
            "2",
        ),
        "lockout_after" | "lockout_cool_down_secs" => Example {
            vars: vec![
                ("BEDROCK_AUTH_LOCKOUT_AFTER", "4".to_owned()),
                ("BEDROCK_AUTH_LOCKOUT_COOL_DOWN_SECS", "45".to_owned()),
            ],
            shown: Some(if key == "lockout_after" { "4" } else { "45" }),
            ..every("lockout_after = 4\nlockout_cool_down_secs = 45", "", "", "")
        },
        "proxy" => every(
            "proxy = \"http://127.0.0.1:3128\"",
            "BEDROCK_AUTH_PROXY",
            "http://127.0.0.1:3128",
            "http://127.0.0.1:3128",
        ),
        "ca_bundle" => every(
            &format!("ca_bundle = \"{ca_bundle}\""),
            "BEDROCK_AUTH_CA_BUNDLE",
            ca_bundle,
            "walked-ca.pem",
        ),
        "profile" => Example {
            mode: "profile",
            ..every("profile = \"dev\"", "BEDROCK_AUTH_PROFILE", "dev", "dev")
        },
        "access_key_id" => statics(Some("AKIA")),
        "secret_access_key" | "session_token" => statics(None),
        "role_arn" => role(
            "",
            "BEDROCK_AUTH_ROLE_ARN",
            ROLE,
            Some("role/BedrockAccess"),
        ),
        "external_id" => role(
            "external_id = \"walked-external-id\"",
            "BEDROCK_AUTH_EXTERNAL_ID",
            "walked-external-id",
            None,
        ),
        "session_name" => role(
            "session_name = \"walked\"",
            "BEDROCK_AUTH_SESSION_NAME",
            "walked",
            Some("walked"),
        ),
        "duration_secs" => role(
            "duration_secs = 1800",
            "BEDROCK_AUTH_DURATION_SECS",
            "1800",
            Some("1800"),
        ),
        "mfa_serial" => role(
            "mfa_serial = \"arn:aws:iam::123456789012:mfa/alice\"",
            "BEDROCK_AUTH_MFA_SERIAL",
            "arn:aws:iam::123456789012:mfa/alice",
            Some("mfa/alice"),
        ),
        "session_tags" => role(
            "session_tags = { tenant = \"acme\" }",
            "BEDROCK_AUTH_SESSION_TAGS",
            "tenant=acme",
            Some("tenant=acme"),
        ),
        "transitive_tag_keys" => Example {
            toml: format!(
                "role_arn = \"{ROLE}\"\nsession_tags = {{ tenant = \"acme\" }}\n\
                 transitive_tag_keys = [\"tenant\"]"
            ),
            vars: vec![
                ("BEDROCK_AUTH_ROLE_ARN", ROLE.to_owned()),
                ("BEDROCK_AUTH_SESSION_TAGS", "tenant=acme".to_owned()),
                ("BEDROCK_AUTH_TRANSITIVE_TAG_KEYS", "tenant".to_owned()),
            ],
            ..role("", "", "", Some("tenant"))
        },
        "session_policy" => role(
            r#"session_policy = '{"Version":"2012-10-17","Statement":[]}'"#,
            "BEDROCK_AUTH_SESSION_POLICY",
            r#"{"Version":"2012-10-17","Statement":[]}"#,
            Some("2012-10-17"),
        ),
        "policy_arns" => role(
            "policy_arns = [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]",
            "BEDROCK_AUTH_POLICY_ARNS",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            Some("ReadOnlyAccess"),
        ),
        "source_identity" => role(
            "source_identity = \"alice\"",
            "BEDROCK_AUTH_SOURCE_IDENTITY",
            "alice",
            Some("alice"),
        ),
        "source" => role(
            "source = { profile = \"base\" }",
            "BEDROCK_AUTH_SOURCE",
            "profile:base",
            Some("base"),
        ),
        "api_key" => Example {
            mode: "api_key",
            toml: "api_key = \"ABSKwalkedkeywalkedkeywalkedkey\"".to_owned(),
            vars: vec![(
                "BEDROCK_AUTH_API_KEY",
                "ABSKwalkedkeywalkedkeywalkedkey".to_owned(),
            )],
            shown: None,
        },
        other => panic!("`{other}` is declared but not walked: give it an example here"),
    }
}

/// A manager from `config`, with the MFA provider a program gives (the file cannot hold one).
fn build(config: &AuthConfig, key: &str, how: &str) {
    let code = || async { Ok(bedrock_auth::SecretString::from("123456")) };
    let config = config.clone().mfa_provider(code);
    AuthManager::from_config(&config)
        .unwrap_or_else(|e| panic!("{key} from {how} builds no manager: {e}"));
}

/// The setting `diagnose()` shows for `key`, checked against the example.
fn check_shown(config: &AuthConfig, key: &str, example: &Example, secrets: &[&str], how: &str) {
    let diagnosis = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(config.diagnose());
    let setting = diagnosis
        .settings
        .iter()
        .find(|setting| setting.key.as_deref() == Some(key))
        .unwrap_or_else(|| panic!("{how}: `{key}` is not shown by diagnose(): {diagnosis}"));
    match example.shown {
        Some(shown) => assert!(
            setting.value.contains(shown),
            "{how}: `{key}` shown as {:?}, not {shown:?}",
            setting.value
        ),
        None => assert_eq!(setting.value, "********", "{how}: `{key}`"),
    }
    let text = format!(
        "{diagnosis}\n{}",
        serde_json::to_string(&diagnosis).unwrap()
    );
    for secret in secrets {
        assert!(!text.contains(secret), "{how}: a secret of `{key}` shown");
    }
}

/// The secrets of the examples, which nothing may show.
pub(crate) const SECRETS: [&str; 4] = [
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "walked-session-token",
    "walked-external-id",
    "ABSKwalkedkeywalkedkeywalkedkey",
];

/// A CA certificate in `dir` (the `ca_bundle` example), as a path.
pub(crate) fn ca_bundle_in(dir: &std::path::Path) -> String {
    let key_pair = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let path = dir.join("walked-ca.pem");
    std::fs::write(&path, ca.self_signed(&key_pair).unwrap().pem()).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Every key of the declaration, once, in its order.
pub(crate) fn declared_keys() -> Vec<&'static str> {
    let mut keys: Vec<&str> = ENV_VARS.iter().map(|(_, key)| *key).collect();
    keys.dedup();
    assert!(keys.len() >= 31, "{keys:?}");
    keys
}

#[test]
fn every_declared_key_is_taken_from_a_file_and_its_variables_and_shown() {
    let dir = tempfile::tempdir().unwrap();
    let ca_bundle = ca_bundle_in(dir.path());
    let ca_bundle = ca_bundle.as_str();
    let secrets = SECRETS;
    for key in declared_keys() {
        let example = example(key, ca_bundle);

        let toml = format!("mode = \"{}\"\n{}", example.mode, example.toml);
        let from_file = AuthConfig::from_toml(&toml).unwrap_or_else(|e| panic!("{key}: {e}"));
        build(&from_file, key, "a file");
        check_shown(&from_file, key, &example, &secrets, "a file");

        let mut vars = example.vars.clone();
        vars.push(("BEDROCK_AUTH_MODE", example.mode.to_owned()));
        vars.retain(|(var, _)| !var.is_empty());
        let from_vars = AuthConfig::from_env_vars(vars.iter().map(|(k, v)| (*k, v.as_str())))
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        build(&from_vars, key, "its variables");
        check_shown(&from_vars, key, &example, &secrets, "its variables");
    }
}
