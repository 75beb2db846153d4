//! Config-as-code: every mode from TOML and JSON, the aliases of the system this replaces,
//! every kind of invalid file with all its problems at once, secrets from variables and files,
//! the environment form, and no secret in any output.

use bedrock_auth::testing::{LocalAws, Sandbox};
use bedrock_auth::{
    AuthConfig, AuthManager, SecretString, error::BoxError, error::Rule, error::ValueKind,
    manager::RoleSource, modes::ModeKind,
};

const ROLE: &str = "arn:aws:iam::123456789012:role/BedrockAccessRole";

fn manager(toml: &str) -> AuthManager {
    let config = AuthConfig::from_toml(toml).unwrap();
    AuthManager::from_config(&config).unwrap_or_else(|err| panic!("{err}"))
}

/// (key, rule) of every problem of a config.
fn problems(config: &AuthConfig) -> Vec<(String, Rule)> {
    let err = AuthManager::from_config(config).unwrap_err();
    err.problems()
        .iter()
        .map(|p| (p.field().to_owned(), p.error().rule()))
        .collect()
}

#[test]
fn every_mode_from_toml() {
    let info = manager("mode = \"profile\"\nprofile = \"dev\"\nregion = \"eu-west-1\"").info();
    assert_eq!(info.mode, ModeKind::Profile);
    assert_eq!(info.profile.unwrap().as_str(), "dev");
    assert_eq!(info.region.unwrap().as_str(), "eu-west-1");

    assert_eq!(
        manager("mode = \"environment\"").info().mode,
        ModeKind::Environment
    );
    assert_eq!(manager("mode = \"auto\"").info().mode, ModeKind::Auto);

    let info = manager(
        "mode = \"static\"\naccess_key_id = \"AKIAIOSFODNN7EXAMPLE\"\n\
         secret_access_key = \"literal-secret\"\nsession_token = \"literal-token\"",
    )
    .info();
    assert_eq!(info.access_key_id.unwrap().as_str(), "AKIAIOSFODNN7EXAMPLE");
    assert!(info.session_token_set);

    let info = manager(&format!(
        r#"
        mode = "assume_role"
        region = "us-east-1"
        role_arn = "{ROLE}"
        external_id = "unique-external-id"
        session_name = "orders-service"
        duration_secs = 7200
        source = {{ profile = "base" }}
        endpoint_url = "http://127.0.0.1:4566"
        connect_timeout_ms = 500
        operation_timeout_ms = 5000
        max_attempts = 2
        "#
    ))
    .info();
    assert_eq!(info.mode, ModeKind::AssumeRole);
    assert_eq!(info.role_arn.unwrap().as_str(), ROLE);
    assert!(info.external_id_set);
    assert_eq!(info.session_name.unwrap().as_str(), "orders-service");
    assert_eq!(info.duration.unwrap().as_secs(), 7200);
    assert_eq!(
        info.source,
        Some(RoleSource::Profile("base".parse().unwrap()))
    );
    assert_eq!(info.endpoint_url.unwrap().as_str(), "http://127.0.0.1:4566");
    assert_eq!(info.connect_timeout, std::time::Duration::from_millis(500));
    assert_eq!(info.operation_timeout, std::time::Duration::from_secs(5));
    assert_eq!(info.max_attempts, 2);
}

#[test]
fn role_sources_from_toml() {
    let base = format!("mode = \"assume_role\"\nrole_arn = \"{ROLE}\"\n");
    let source = |line: &str| manager(&format!("{base}{line}")).info().source;
    assert_eq!(source(""), Some(RoleSource::Auto));
    assert_eq!(source("source = \"auto\""), Some(RoleSource::Auto));
    assert_eq!(
        source("source = \"environment\""),
        Some(RoleSource::Environment)
    );
    assert_eq!(
        source("source = { access_key_id = \"AKIAIOSFODNN7EXAMPLE\", secret_access_key = \"s\" }"),
        Some(RoleSource::Static("AKIAIOSFODNN7EXAMPLE".parse().unwrap()))
    );
}

#[test]
fn the_same_config_from_json() {
    let config = AuthConfig::from_json(&format!(
        r#"{{"mode": "assume_role", "region": "us-west-2", "role_arn": "{ROLE}",
            "duration_secs": 900, "source": {{"profile": "base"}}}}"#
    ))
    .unwrap();
    let info = AuthManager::from_config(&config).unwrap().info();
    assert_eq!(info.duration.unwrap().as_secs(), 900);
    assert_eq!(info.region.unwrap().as_str(), "us-west-2");
    assert!(AuthConfig::from_json("[1, 2]").is_err());
}

#[test]
fn from_config_makes_what_the_builder_makes() {
    let from_config = manager(&format!(
        "mode = \"assume_role\"\nregion = \"us-east-1\"\nrole_arn = \"{ROLE}\"\n\
         session_name = \"svc\"\nduration_secs = 1800\nsource = \"environment\""
    ));
    let from_builder = AuthManager::builder()
        .region("us-east-1")
        .assume_role(ROLE)
        .session_name("svc")
        .duration(1800)
        .source_environment()
        .build()
        .unwrap();
    assert_eq!(from_config.info(), from_builder.info());

    // Same checks, same messages.
    let config_err = AuthManager::from_config(
        &AuthConfig::from_toml("mode = \"profile\"\nprofile = \"my profile\"").unwrap(),
    )
    .unwrap_err();
    let builder_err = AuthManager::builder()
        .profile("my profile")
        .build()
        .unwrap_err();
    assert_eq!(config_err, builder_err);
}

#[test]
fn aliases_of_the_system_this_replaces() {
    let info =
        manager("mode = \"PROFILE\"\nprofile_name = \"dev\"\nregion_override = \"us-east-2\"")
            .info();
    assert_eq!(info.mode, ModeKind::Profile);
    assert_eq!(info.profile.unwrap().as_str(), "dev");
    assert_eq!(info.region.unwrap().as_str(), "us-east-2");

    assert_eq!(
        manager("mode = \"Environment\"").info().mode,
        ModeKind::Environment
    );
    assert_eq!(manager("mode = \"auto\"").info().mode, ModeKind::Auto);
    assert_eq!(manager("mode = \"AUTO\"").info().mode, ModeKind::Auto);

    let info = manager(
        "mode = \"CREDENTIALS\"\naccess_key = \"AKIAIOSFODNN7EXAMPLE\"\nsecret_key = \"s3cr3t\"",
    )
    .info();
    assert_eq!(info.mode, ModeKind::Static);

    let info = manager(&format!(
        "mode = \"iam_role\"\nrole_arn = \"{ROLE}\"\nrole_session_name = \"legacy\"\nassume_role_duration = 3600"
    ))
    .info();
    assert_eq!(
        info.mode,
        ModeKind::AssumeRole,
        "IAM_ROLE with a role_arn assumes it"
    );
    assert_eq!(info.session_name.unwrap().as_str(), "legacy");

    let config = AuthConfig::from_toml("mode = \"IAM_ROLE\"").unwrap();
    assert_eq!(
        problems(&config),
        [("mode".to_owned(), Rule::IamRoleNeedsArn)]
    );
}

#[test]
fn every_problem_of_an_invalid_file_at_once() {
    let config = AuthConfig::from_toml(
        r#"
        mode = "assume_role"
        region = 42
        role_arn = "arn:aws:iam::42:role/Bedrock"
        duration_secs = 60
        profile = "dev"
        rol_session_name = "typo"
        source = { profile = "" }
        "#,
    )
    .unwrap();
    let found = problems(&config);
    let expected = [
        (
            "profile",
            Rule::NotInMode {
                owner: ModeKind::Profile,
                mode: ModeKind::AssumeRole,
            },
        ),
        ("rol_session_name", Rule::UnknownKey),
        (
            "region",
            Rule::WrongType {
                expected: "a string",
                found: "an integer",
            },
        ),
        ("role_arn", Rule::AccountId),
        ("duration_secs", Rule::DurationRange),
        ("source.profile", Rule::Empty),
    ];
    for (key, rule) in expected {
        assert!(
            found.contains(&(key.to_owned(), rule)),
            "missing {key}: {rule:?} in {found:#?}"
        );
    }
    assert_eq!(found.len(), expected.len(), "{found:#?}");

    let err = AuthManager::from_config(&config).unwrap_err().to_string();
    assert!(
        err.contains("is an option of profile mode, not of assume_role mode"),
        "{err}"
    );
    assert!(err.contains("must be a string, not an integer"), "{err}");
}

#[test]
fn missing_keys_empty_values_and_unknown_modes() {
    let static_without_secret =
        AuthConfig::from_toml("mode = \"static\"\naccess_key_id = \"AKIAIOSFODNN7EXAMPLE\"")
            .unwrap();
    assert_eq!(
        problems(&static_without_secret),
        [("secret_access_key".to_owned(), Rule::Missing)]
    );

    let empty_profile = AuthConfig::from_toml("mode = \"profile\"\nprofile = \"\"").unwrap();
    assert_eq!(
        problems(&empty_profile),
        [("profile".to_owned(), Rule::Empty)]
    );

    let role_without_arn = AuthConfig::from_toml("mode = \"assume_role\"").unwrap();
    assert_eq!(
        problems(&role_without_arn),
        [("role_arn".to_owned(), Rule::Missing)]
    );

    let no_mode = AuthConfig::from_toml("region = \"nowhere\"").unwrap();
    let found = problems(&no_mode);
    assert_eq!(found[0], ("mode".to_owned(), Rule::Missing));
    assert_eq!(
        found[1],
        ("region".to_owned(), Rule::RegionShape),
        "shared keys still checked"
    );

    let unknown = AuthConfig::from_toml("mode = \"sso\"").unwrap();
    assert_eq!(problems(&unknown), [("mode".to_owned(), Rule::UnknownMode)]);

    let twice = AuthConfig::from_toml(
        "mode = \"auto\"\nregion = \"us-east-1\"\nregion_override = \"us-east-2\"",
    )
    .unwrap();
    assert_eq!(
        problems(&twice),
        [("region_override".to_owned(), Rule::Duplicate)]
    );

    let err = AuthConfig::from_toml("mode = \"auto\"\nregion = ").unwrap_err();
    assert_eq!(err.problems()[0].error().rule(), Rule::Syntax);
}

#[test]
fn secrets_from_variables_and_files() {
    // The variable and the file exist in this test's sandbox only.
    let sandbox = Sandbox::new()
        .env("ORDERS_AWS_SECRET", "secret-from-env-5f2a")
        .file("/run/secrets/token", "token-from-file-77c1\n");
    let config = AuthConfig::from_toml(
        "mode = \"static\"\naccess_key_id = \"AKIAIOSFODNN7EXAMPLE\"\n\
         secret_access_key = { env = \"ORDERS_AWS_SECRET\" }\n\
         session_token = { file = \"/run/secrets/token\" }",
    )
    .unwrap()
    .sandbox(sandbox.clone());
    let info = AuthManager::from_config(&config).unwrap().info();
    assert!(info.session_token_set);

    let missing = AuthConfig::from_toml(
        "mode = \"static\"\naccess_key_id = \"AKIAIOSFODNN7EXAMPLE\"\n\
         secret_access_key = { env = \"NOT_SET_ANYWHERE\" }\n\
         session_token = { file = \"/nonexistent/token\" }",
    )
    .unwrap()
    .sandbox(sandbox);
    let err = AuthManager::from_config(&missing).unwrap_err();
    let found: Vec<_> = err
        .problems()
        .iter()
        .map(|p| {
            (
                p.field(),
                p.error().kind(),
                p.error().rule(),
                p.error().value().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "secret_access_key",
                ValueKind::SecretSource,
                Rule::EnvVarMissing,
                "NOT_SET_ANYWHERE"
            ),
            (
                "session_token",
                ValueKind::SecretSource,
                Rule::FileMissing,
                "/nonexistent/token"
            ),
        ]
    );
}

#[test]
fn config_from_environment_variables() {
    let vars = [
        ("BEDROCK_AUTH_MODE", "assume_role"),
        ("BEDROCK_AUTH_REGION", "ap-south-1"),
        ("BEDROCK_AUTH_ROLE_ARN", ROLE),
        ("BEDROCK_AUTH_SESSION_NAME", "platform"),
        ("BEDROCK_AUTH_DURATION_SECS", "5400"),
        ("BEDROCK_AUTH_SOURCE", "profile:base"),
        ("HOME", "/ignored"),
    ];
    let config = AuthConfig::from_env_vars(vars).unwrap();
    assert_eq!(config.origin(), Some("environment"));
    let info = AuthManager::from_config(&config).unwrap().info();
    assert_eq!(info.duration.unwrap().as_secs(), 5400);
    assert_eq!(
        info.source,
        Some(RoleSource::Profile("base".parse().unwrap()))
    );

    let statics = [
        ("BEDROCK_AUTH_MODE", "static"),
        ("BEDROCK_AUTH_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
        ("BEDROCK_AUTH_SECRET_ACCESS_KEY", "env-secret-4c4c"),
    ];
    let config = AuthConfig::from_env_vars(statics).unwrap();
    assert!(!format!("{config:?}").contains("env-secret-4c4c"));
    assert_eq!(
        AuthManager::from_config(&config).unwrap().info().mode,
        ModeKind::Static
    );

    let err = AuthConfig::from_env_vars([("BEDROCK_AUTH_ROLE", "x")]).unwrap_err();
    assert_eq!(err.problems()[0].field(), "BEDROCK_AUTH_ROLE");
    assert_eq!(err.problems()[0].error().rule(), Rule::UnknownKey);
}

/// A variable and its `_FILE` twin both set: refused whatever their order, naming both and
/// neither value (one silently won before, by the order of the environment).
#[test]
fn a_variable_and_its_file_twin_are_refused_together() {
    for name in [
        "SECRET_ACCESS_KEY",
        "SESSION_TOKEN",
        "API_KEY",
        "SESSION_POLICY",
    ] {
        let var = format!("BEDROCK_AUTH_{name}");
        let file_var = format!("{var}_FILE");
        let pair = [
            (var.clone(), "value-7d7d".to_owned()),
            (file_var.clone(), "/tmp/file-7d7d".to_owned()),
        ];
        for vars in [pair.clone(), [pair[1].clone(), pair[0].clone()]] {
            let err = AuthConfig::from_env_vars(vars).unwrap_err();
            let [problem] = err.problems() else {
                panic!("{name}: {err}");
            };
            assert_eq!(problem.error().rule(), Rule::ValueAndFile, "{name}");
            let text = err.to_string();
            assert!(text.contains(&var) && text.contains(&file_var), "{text}");
            assert!(!text.contains("7d7d"), "{text}");
        }
    }
}

#[test]
fn mfa_serial_needs_a_token_source_from_code() {
    let text = format!(
        "mode = \"assume_role\"\nrole_arn = \"{ROLE}\"\nmfa_serial = \"arn:aws:iam::123456789012:mfa/ops\""
    );
    let config = AuthConfig::from_toml(&text).unwrap();
    assert_eq!(
        problems(&config),
        [("mfa_serial".to_owned(), Rule::NoTokenSource)]
    );
    let config = config.mfa_provider(|| async { Ok::<_, BoxError>(SecretString::from("123456")) });
    let info = AuthManager::from_config(&config).unwrap().info();
    assert_eq!(
        info.mfa_serial.unwrap().as_str(),
        "arn:aws:iam::123456789012:mfa/ops"
    );
}

#[test]
fn no_secret_in_config_debug_or_errors() {
    let config = AuthConfig::from_toml(
        "mode = \"static\"\naccess_key_id = \"AKIA\"\nsecret_access_key = \"never-shown-91ab\"\n\
         session_token = \"never-shown-token-22\"\nunknown = 1",
    )
    .unwrap();
    let err = AuthManager::from_config(&config).unwrap_err();
    for text in [format!("{config:?}"), format!("{err}"), format!("{err:?}")] {
        assert!(!text.contains("never-shown"), "{text}");
    }
    // A syntax error near a secret does not quote it.
    let err = AuthConfig::from_toml("secret_access_key = \"never-shown-91ab").unwrap_err();
    assert!(!format!("{err} {err:?}").contains("never-shown"), "{err}");
}

#[tokio::test]
async fn checking_sends_nothing() {
    let aws = LocalAws::start().await.unwrap();
    let config = AuthConfig::from_toml(&format!(
        "mode = \"assume_role\"\nregion = \"us-east-1\"\nrole_arn = \"{ROLE}\"\nendpoint_url = \"{}\"",
        aws.endpoint_url()
    ))
    .unwrap()
    .sandbox(aws.sandbox());
    config.check().unwrap();
    AuthManager::from_config(&config).unwrap();
    assert!(aws.requests().is_empty());
}

#[test]
fn config_files_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("auth.toml");
    std::fs::write(&toml, "mode = \"auto\"\nregion = \"us-east-1\"").unwrap();
    let json = dir.path().join("auth.json");
    std::fs::write(&json, r#"{"mode": "environment"}"#).unwrap();
    let from_toml = AuthConfig::from_file(&toml).unwrap();
    assert_eq!(from_toml.origin(), Some(toml.to_str().unwrap()));
    assert_eq!(
        AuthManager::from_config(&from_toml).unwrap().info().mode,
        ModeKind::Auto
    );
    let from_json = AuthConfig::from_file(&json).unwrap();
    assert_eq!(
        AuthManager::from_config(&from_json).unwrap().info().mode,
        ModeKind::Environment
    );
    let err = AuthConfig::from_file(dir.path().join("missing.toml")).unwrap_err();
    assert_eq!(err.problems()[0].error().rule(), Rule::FileMissing);
}

#[test]
fn api_key_mode_from_files_variables_and_the_environment_form() {
    let sandbox = Sandbox::new().env("AWS_BEARER_TOKEN_BEDROCK", "ABSKkey-from-env-9d1e");
    let config = AuthConfig::from_toml(
        "mode = \"api_key\"\nregion = \"us-east-1\"\napi_key = { env = \"AWS_BEARER_TOKEN_BEDROCK\" }",
    )
    .unwrap()
    .sandbox(sandbox);
    let manager = AuthManager::from_config(&config).unwrap();
    assert_eq!(manager.info().mode, ModeKind::ApiKey);
    assert!(!format!("{manager:?} {}", manager.info()).contains("ABSKkey-from-env-9d1e"));

    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("bedrock-key");
    std::fs::write(&key_file, "ABSKkey-from-file-31aa\n").unwrap();
    let config = AuthConfig::from_toml(&format!(
        "mode = \"api_key\"\napi_key = {{ file = \"{}\" }}",
        key_file.display()
    ))
    .unwrap();
    assert_eq!(
        AuthManager::from_config(&config).unwrap().info().mode,
        ModeKind::ApiKey
    );

    let vars = [
        ("BEDROCK_AUTH_MODE", "api_key"),
        ("BEDROCK_AUTH_API_KEY_FILE", key_file.to_str().unwrap()),
    ];
    let config = AuthConfig::from_env_vars(vars).unwrap();
    assert_eq!(
        AuthManager::from_config(&config).unwrap().info().mode,
        ModeKind::ApiKey
    );

    // A SigV4 option in the mode, a key left unset in the environment.
    let broken = AuthConfig::from_toml(
        "mode = \"api_key\"\nrole_arn = \"arn:aws:iam::123456789012:role/X\"",
    )
    .unwrap();
    assert_eq!(
        problems(&broken),
        [(
            "role_arn".to_owned(),
            Rule::NotInMode {
                owner: ModeKind::AssumeRole,
                mode: ModeKind::ApiKey
            }
        )]
    );
    let unset =
        AuthConfig::from_toml("mode = \"api_key\"\napi_key = { env = \"NOT_SET_ANYWHERE\" }")
            .unwrap()
            .sandbox(Sandbox::new());
    assert_eq!(
        problems(&unset),
        [("api_key".to_owned(), Rule::EnvVarMissing)]
    );
    let plain_http = AuthConfig::from_toml(
        "mode = \"api_key\"\napi_key = { env = \"AWS_BEARER_TOKEN_BEDROCK\" }\n\
         endpoint_url = \"http://bedrock.example.com\"",
    )
    .unwrap()
    .sandbox(Sandbox::new().env("AWS_BEARER_TOKEN_BEDROCK", "ABSKexample"));
    assert_eq!(
        problems(&plain_http),
        [("endpoint_url".to_owned(), Rule::BearerOverHttp)]
    );
}

#[tokio::test]
async fn api_key_mode_without_a_key_reads_the_sdk_variable() {
    // As the builder's `api_key_from_env()`: the key of AWS_BEARER_TOKEN_BEDROCK, and when
    // that is unset, `no_credentials` naming it when a call needs the key.
    let config = AuthConfig::from_toml("mode = \"api_key\"\nregion = \"us-east-1\"").unwrap();
    let with_key = config
        .clone()
        .sandbox(Sandbox::new().env("AWS_BEARER_TOKEN_BEDROCK", "ABSKkey-from-env-77c2"));
    let info = AuthManager::from_config(&with_key).unwrap().info();
    assert_eq!(info.mode, ModeKind::ApiKey);
    assert_eq!(
        info.bedrock_auth,
        bedrock_auth::manager::BedrockAuth::ApiKey { from_env: true }
    );

    let without = config.sandbox(Sandbox::new());
    let manager = AuthManager::from_config(&without).unwrap();
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), bedrock_auth::ErrorKind::NoCredentials);
    assert!(err.message().contains("AWS_BEARER_TOKEN_BEDROCK"), "{err}");
}

#[test]
fn a_config_is_one_field_of_a_services_own_configuration() {
    #[derive(serde::Deserialize)]
    struct Service {
        name: String,
        bedrock: AuthConfig,
    }
    let toml = "name = \"orders\"\n[bedrock]\nmode = \"static\"\nregion = \"eu-west-1\"\n\
                access_key_id = \"AKIAIOSFODNN7EXAMPLE\"\n\
                secret_access_key = \"never-shown-2b7/K7MDENG+bPxRfiCYEXAMPLEKEY\"\n\
                launched = 1979-05-27T07:32:00Z\nweight = 0.5";
    let service: Service = toml::from_str(toml).unwrap();
    assert_eq!(service.name, "orders");
    assert!(!format!("{:?}", service.bedrock).contains("never-shown"));
    // Dates and floats are read as what they are, and named by their key.
    assert_eq!(
        problems(&service.bedrock),
        [
            ("launched".to_owned(), Rule::UnknownKey),
            ("weight".to_owned(), Rule::UnknownKey),
        ]
    );

    let json = serde_json::json!({
        "name": "orders",
        "bedrock": {"mode": "profile", "profile": "dev", "region": "eu-west-1", "max_attempts": true},
    });
    let service: Service = serde_json::from_value(json).unwrap();
    let err = AuthManager::from_config(&service.bedrock).unwrap_err();
    assert_eq!(err.problems()[0].field(), "max_attempts");
    assert!(err.to_string().contains("a boolean"), "{err}");

    // Anything but a table is refused without quoting it: it may be a secret.
    let err = serde_json::from_str::<Service>(
        r#"{"name": "orders", "bedrock": "never-shown-wJalrXUtnFEMI/K7MDENG"}"#,
    )
    .err()
    .unwrap();
    assert!(!err.to_string().contains("never-shown"), "{err}");
    assert!(err.to_string().contains("must be a table"), "{err}");
}

#[test]
fn lockout_and_metadata_settings_from_a_file() {
    let config = AuthConfig::from_toml(
        "mode = \"auto\"\nregion = \"us-east-1\"\nlockout_after = 5\nlockout_cool_down_secs = 60\n\
         metadata_timeout_ms = 100\nmetadata_attempts = 1",
    )
    .unwrap();
    AuthManager::from_config(&config).unwrap();
    // Lockout needs both keys; a count out of range is named.
    let half = AuthConfig::from_toml("mode = \"auto\"\nlockout_after = 5").unwrap();
    assert_eq!(
        problems(&half),
        [(
            "lockout_cool_down_secs".to_owned(),
            Rule::NeededWith {
                key: "lockout_after"
            }
        )]
    );
    let zero = AuthConfig::from_toml(
        "mode = \"auto\"\nlockout_after = 0\nlockout_cool_down_secs = 0\nmetadata_attempts = 11",
    )
    .unwrap();
    let mut found = problems(&zero);
    found.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        found,
        [
            ("lockout_after".to_owned(), Rule::LockoutRange),
            ("lockout_cool_down_secs".to_owned(), Rule::ZeroTimeout),
            ("metadata_attempts".to_owned(), Rule::AttemptsRange),
        ]
    );
}

#[test]
fn a_file_that_cannot_be_read_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let looped = dir.path().join("loop.toml");
    std::os::unix::fs::symlink(&looped, &looped).unwrap();
    let binary = dir.path().join("binary.toml");
    std::fs::write(&binary, b"mode = \"auto\"\xff\xfe").unwrap();
    let secret = dir.path().join("secret.bin");
    std::fs::write(&secret, b"\xff\xfe\xfd").unwrap();
    let rule = |path: &std::path::Path| {
        let err = AuthConfig::from_file(path).unwrap_err();
        let problem = &err.problems()[0];
        (problem.error().rule(), problem.error().to_string())
    };
    let (missing, message) = rule(&dir.path().join("missing.toml"));
    assert_eq!(missing, Rule::FileMissing);
    assert!(message.contains("does not exist"), "{message}");
    let (looping, message) = rule(&looped);
    assert_eq!(looping, Rule::FileLinkLoop, "{message}");
    assert!(message.contains("symbolic links"), "{message}");
    let (not_text, message) = rule(&binary);
    assert_eq!(not_text, Rule::FileNotText);
    assert!(message.contains("not UTF-8"), "{message}");
    // A secret file the same way.
    let config = AuthConfig::from_toml(&format!(
        "mode = \"static\"\naccess_key_id = \"AKIAIOSFODNN7EXAMPLE\"\n\
         secret_access_key = {{ file = \"{}\" }}",
        secret.display()
    ))
    .unwrap();
    let err = AuthManager::from_config(&config).unwrap_err();
    assert_eq!(err.problems()[0].error().rule(), Rule::FileNotText, "{err}");
}

#[tokio::test]
async fn a_role_source_of_temporary_keys_takes_its_session_token() {
    use bedrock_auth::testing::RoleSpec;
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    aws.add_role(RoleSpec::new(ROLE.parse().unwrap()));
    // Temporary keys, as a first role hands them out.
    let first = aws
        .builder()
        .assume_role(ROLE)
        .source_static(alice.access_key_id.clone(), alice.secret_access_key.clone())
        .build()
        .unwrap();
    let temporary = first.credentials().await.unwrap();
    let config = AuthConfig::from_toml(&format!(
        "mode = \"assume_role\"\nregion = \"us-east-1\"\nrole_arn = \"{ROLE}\"\n\
         endpoint_url = \"{}\"\nsession_name = \"second\"\n\
         source = {{ access_key_id = \"{}\", secret_access_key = {{ env = \"SRC_SECRET\" }}, \
         session_token = {{ env = \"SRC_TOKEN\" }} }}",
        aws.endpoint_url(),
        temporary.access_key_id(),
    ))
    .unwrap()
    .sandbox(
        aws.sandbox()
            .env("SRC_SECRET", temporary.secret_access_key())
            .env("SRC_TOKEN", temporary.session_token().unwrap()),
    );
    let manager = AuthManager::from_config(&config).unwrap();
    let identity = manager.validate().await.unwrap();
    assert!(identity.arn.ends_with("/second"), "{}", identity.arn);
    let assumed = aws
        .requests()
        .into_iter()
        .rfind(|r| r.action == "AssumeRole")
        .unwrap();
    assert_eq!(
        assumed.access_key_id.as_deref(),
        Some(temporary.access_key_id())
    );
}

#[test]
fn a_key_given_twice_is_refused_in_json_as_in_toml() {
    for json in [
        r#"{"mode": "profile", "profile": "dev", "profile": "prod"}"#,
        r#"{"mode": "assume_role", "role_arn": "arn:aws:iam::123456789012:role/R",
            "source": {"profile": "a", "profile": "b"}}"#,
    ] {
        let err = AuthConfig::from_json(json).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("given twice"), "{message}");
        assert!(
            !message.contains("prod") && !message.contains("\"b\""),
            "{message}"
        );
    }
    let toml = AuthConfig::from_toml("mode = \"profile\"\nprofile = \"dev\"\nprofile = \"prod\"");
    assert!(toml.is_err());
}

/// A configuration's problems come in one fixed order (the table of keys, unknown keys last),
/// and a zero timeout is shown as the `0` that was written, not as `0ns`.
#[test]
fn problems_come_in_the_keys_order_and_a_zero_timeout_reads_as_written() {
    let config = AuthConfig::from_toml(
        "zz_unknown = 1\nbedrock_timeout_ms = 999999999999\noperation_timeout_ms = 0\n\
         mode = \"auto\"\nregion = \"us-east-1\"\n",
    )
    .unwrap();
    let err = AuthManager::from_config(&config).unwrap_err();
    let fields: Vec<&str> = err.problems().iter().map(|p| p.field()).collect();
    assert_eq!(
        fields,
        ["operation_timeout_ms", "bedrock_timeout_ms", "zz_unknown"],
        "{err}"
    );
    let text = err.to_string();
    assert!(text.contains("invalid timeout `0`"), "{text}");
    assert!(!text.contains("0ns"), "{text}");
}

#[test]
fn fips_and_dual_stack_keys_take_booleans_and_the_strings_true_and_false() {
    let on = manager(
        "mode = \"environment\"\nregion = \"us-east-1\"\nuse_fips_endpoint = true\nuse_dualstack_endpoint = \"TRUE\"",
    );
    assert_eq!(
        on.bedrock_endpoint("us-east-1"),
        "https://bedrock-runtime-fips.us-east-1.api.aws"
    );
    for bad in [
        "use_fips_endpoint = \"yes\"",
        "use_fips_endpoint = 1",
        "use_dualstack_endpoint = \"\"",
    ] {
        let config = AuthConfig::from_toml(&format!("mode = \"environment\"\n{bad}")).unwrap();
        let err = AuthManager::from_config(&config).unwrap_err();
        assert_eq!(err.problems().len(), 1, "{bad}: {err}");
        assert!(
            err.to_string().contains("must be true or false"),
            "{bad}: {err}"
        );
    }
    // Shown by `Debug` (never a secret).
    let config = AuthConfig::from_toml("mode = \"auto\"\nuse_fips_endpoint = true").unwrap();
    assert!(
        format!("{config:?}").contains("\"use_fips_endpoint\": true"),
        "{config:?}"
    );
}

/// The settings' declaration, walked: every key a variable sets, and every variable, is in the
/// manual's tables (docs/config.md), so the docs cannot fall behind the declaration.
#[test]
fn every_declared_key_and_variable_is_in_the_manual() {
    let manual = include_str!("../../docs/config.md");
    let missing: Vec<String> = bedrock_auth::config::ENV_VARS
        .iter()
        .flat_map(|(var, key)| [*var, *key])
        .filter(|name| !manual.contains(&format!("`{name}`")))
        .map(str::to_owned)
        .collect();
    assert!(missing.is_empty(), "not in docs/config.md: {missing:?}");
}

/// A number out of its key's range is refused saying so: never quoted back as another number
/// (`0`), a JSON integer beyond 64 bits is not "fractional", and a lockout key without its
/// pair names the other key, once.
#[test]
fn numbers_out_of_range_and_half_pairs_are_refused_as_written() {
    for (key, value) in [
        ("max_attempts", "-1"),
        ("max_attempts", "4294967297"),
        ("connect_timeout_ms", "-5"),
        ("metadata_attempts", "9223372036854775807"),
    ] {
        let config = AuthConfig::from_toml(&format!("mode = \"auto\"\n{key} = {value}\n")).unwrap();
        let err = AuthManager::from_config(&config).unwrap_err();
        let text = err.to_string();
        assert_eq!(err.problems().len(), 1, "{text}");
        assert_eq!(err.problems()[0].field(), key, "{text}");
        assert!(!text.contains("`0`"), "{key} = {value}: {text}");
        let said = if value.starts_with('-') {
            "a negative number"
        } else {
            "a number that large"
        };
        assert!(text.contains(said), "{key} = {value}: {text}");
    }
    let json =
        AuthConfig::from_json(r#"{"mode": "auto", "max_attempts": 18446744073709551616}"#).unwrap();
    let text = AuthManager::from_config(&json).unwrap_err().to_string();
    assert!(text.contains("an integer out of range"), "{text}");

    let half = AuthConfig::from_toml("mode = \"auto\"\nlockout_after = 3\n").unwrap();
    let err = AuthManager::from_config(&half).unwrap_err();
    assert_eq!(
        problems(&half),
        [(
            "lockout_cool_down_secs".to_owned(),
            Rule::NeededWith {
                key: "lockout_after"
            }
        )]
    );
    assert!(
        err.to_string().contains("when `lockout_after` is given"),
        "{err}"
    );
    let wrong = AuthConfig::from_toml("mode = \"auto\"\nlockout_after = true\n").unwrap();
    let found = problems(&wrong);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(matches!(found[0].1, Rule::WrongType { .. }), "{found:?}");
    assert_eq!(found[1].0, "lockout_cool_down_secs", "{found:?}");
}

/// A session policy's file that cannot be read is named as a policy's, not as a secret's.
#[test]
fn a_policy_file_that_cannot_be_read_is_a_session_policy_problem() {
    let text = format!(
        "mode = \"assume_role\"\nrole_arn = \"{ROLE}\"\nsession_policy = {{ file = \"/nonexistent/policy.json\" }}\n"
    );
    let config = AuthConfig::from_toml(&text).unwrap();
    let err = AuthManager::from_config(&config).unwrap_err();
    let [problem] = err.problems() else {
        panic!("{err}");
    };
    assert_eq!(problem.field(), "session_policy.file");
    assert_eq!(
        problem.error().kind(),
        bedrock_auth::error::ValueKind::SessionPolicy
    );
    assert!(
        err.to_string().contains("/nonexistent/policy.json"),
        "{err}"
    );
}
