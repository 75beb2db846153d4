//! Property tests of config-as-code: any TOML or JSON text and any `BEDROCK_AUTH_*`
//! environment is parsed and checked without a panic, and a secret planted in any field that
//! holds one never shows in the error or in `AuthConfig`'s `Debug`.

use std::collections::BTreeMap;

use bedrock_auth::{AuthConfig, AuthManager, config::ENV_VARS};
use proptest::prelude::*;

/// Every key a config takes, a few aliases, and some it does not take.
const KEYS: [&str; 24] = [
    "mode",
    "region",
    "endpoint_url",
    "connect_timeout_ms",
    "operation_timeout_ms",
    "max_attempts",
    "profile",
    "access_key_id",
    "secret_access_key",
    "session_token",
    "role_arn",
    "external_id",
    "session_name",
    "duration_secs",
    "mfa_serial",
    "source",
    "api_key",
    "access_key",
    "secret_key",
    "profile_name",
    "region_override",
    "secret_acess_key",
    "unknown",
    "",
];

const MODES: [&str; 9] = [
    "profile",
    "environment",
    "static",
    "assume_role",
    "auto",
    "api_key",
    "CREDENTIALS",
    "IAM_ROLE",
    "custom",
];

/// Fields that hold a secret, by config key (the external id is treated as one).
const SECRET_FIELDS: [&str; 5] = [
    "secret_access_key",
    "session_token",
    "api_key",
    "external_id",
    "source.secret_access_key",
];

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        any::<String>().prop_map(serde_json::Value::from),
        "[ -~]{0,60}".prop_map(serde_json::Value::from),
        prop::sample::select(MODES.to_vec()).prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<bool>().prop_map(serde_json::Value::from),
        Just(serde_json::Value::Null),
        any::<f64>().prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::btree_map(
                "env|file|profile|access_key_id|secret_access_key|x",
                inner.clone(),
                0..3
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            prop::collection::vec(inner, 0..3).prop_map(serde_json::Value::from),
        ]
    })
}

fn config_object() -> impl Strategy<Value = BTreeMap<String, serde_json::Value>> {
    prop::collection::btree_map(
        prop_oneof![
            prop::sample::select(KEYS.to_vec()).prop_map(str::to_owned),
            "[a-z_]{1,12}"
        ],
        json_value(),
        0..10,
    )
}

/// A secret that cannot appear by chance, in the shape of a real one.
fn planted() -> impl Strategy<Value = String> {
    "[A-Za-z0-9/+]{32}".prop_map(|s| format!("Pl4nted{s}"))
}

fn check_hidden(secret: &str, config: &AuthConfig) -> Result<(), TestCaseError> {
    let debug = format!("{config:?} {config:#?}");
    prop_assert!(!debug.contains(secret), "Debug shows the secret: {}", debug);
    if let Err(err) = AuthManager::from_config(config) {
        let text = format!("{err} {err:?}");
        prop_assert!(
            !text.contains(secret),
            "the error shows the secret: {}",
            text
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_text_never_panics(text in any::<String>()) {
        if let Ok(config) = AuthConfig::from_toml(&text) {
            let _ = AuthManager::from_config(&config);
        }
        if let Ok(config) = AuthConfig::from_json(&text) {
            let _ = AuthManager::from_config(&config);
        }
    }

    #[test]
    fn any_config_never_panics_and_every_problem_names_a_key(object in config_object()) {
        let json = serde_json::Value::Object(object.into_iter().collect()).to_string();
        let config = AuthConfig::from_json(&json).expect("valid JSON");
        if let Err(err) = AuthManager::from_config(&config) {
            for problem in err.problems() {
                prop_assert!(!problem.field().is_empty() || problem.error().to_string().contains("key"));
            }
        }
        // The same as TOML, where TOML can say it.
        if let Ok(config) = AuthConfig::from_toml(&json.replace("\":", "\" =")) {
            let _ = AuthManager::from_config(&config);
        }
    }

    #[test]
    fn a_secret_planted_in_a_secret_field_never_shows(
        mut object in config_object(),
        mode in prop::sample::select(MODES.to_vec()),
        field in prop::sample::select(SECRET_FIELDS.to_vec()),
        as_variable_name in any::<bool>(),
        secret in planted(),
    ) {
        object.insert("mode".into(), mode.into());
        let value = if as_variable_name {
            serde_json::json!({ "env": secret })
        } else {
            serde_json::Value::from(secret.as_str())
        };
        match field.split_once('.') {
            Some((table, key)) => {
                let mut source = serde_json::Map::new();
                source.insert("access_key_id".into(), "AKIAIOSFODNN7EXAMPLE".into());
                source.insert(key.into(), value);
                object.insert(table.into(), serde_json::Value::Object(source));
            }
            None => {
                object.insert(field.into(), value);
            }
        }
        let json = serde_json::Value::Object(object.into_iter().collect()).to_string();
        let config = AuthConfig::from_json(&json).expect("valid JSON");
        check_hidden(&secret, &config)?;
    }

    #[test]
    fn a_secret_in_the_wrong_field_never_shows(
        mut object in config_object(),
        field in prop::sample::select(vec!["access_key_id", "access_key", "secret_acess_key", "unknown"]),
        secret in "[a-z0-9/+]{20}[A-Z]{20}",
    ) {
        object.insert("mode".into(), "static".into());
        object.insert(field.into(), secret.as_str().into());
        let json = serde_json::Value::Object(object.into_iter().collect()).to_string();
        let config = AuthConfig::from_json(&json).expect("valid JSON");
        check_hidden(&secret, &config)?;
    }

    #[test]
    fn any_environment_never_panics_and_planted_secrets_never_show(
        vars in prop::collection::btree_map(
            prop_oneof![
                prop::sample::select(ENV_VARS.iter().map(|(name, _)| *name).collect::<Vec<_>>())
                    .prop_map(str::to_owned),
                "BEDROCK_AUTH_[A-Z_]{1,12}",
                "[A-Z_]{1,8}",
            ],
            any::<String>(),
            0..8,
        ),
        mode in prop::sample::select(MODES.to_vec()),
        secret in planted(),
        secret_var in prop::sample::select(vec![
            "BEDROCK_AUTH_SECRET_ACCESS_KEY",
            "BEDROCK_AUTH_SESSION_TOKEN",
            "BEDROCK_AUTH_API_KEY",
            "BEDROCK_AUTH_EXTERNAL_ID",
        ]),
    ) {
        let _ = AuthConfig::from_env_vars(vars.clone()).map(|c| AuthManager::from_config(&c).map(drop));
        let mut vars = vars;
        vars.insert("BEDROCK_AUTH_MODE".into(), mode.into());
        vars.insert(secret_var.into(), secret.clone());
        match AuthConfig::from_env_vars(vars) {
            Ok(config) => check_hidden(&secret, &config)?,
            Err(err) => {
                let text = format!("{err} {err:?}");
                prop_assert!(!text.contains(&secret), "{}", text);
            }
        }
    }
}
