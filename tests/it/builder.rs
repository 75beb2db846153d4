//! The builder at run time: every mode builds into a manager whose `info()` says what was
//! configured, and every invalid value is reported at once, by field, on `build()`.

use std::time::Duration;

use bedrock_auth::{
    AuthManager, SecretString, SessionDuration, error::BoxError, error::Rule, error::ValueKind,
    limits::DEFAULT_CONNECT_TIMEOUT, limits::DEFAULT_OPERATION_TIMEOUT, manager::RoleSource,
    modes::ModeKind,
};

fn secret(s: &str) -> SecretString {
    SecretString::from(s)
}

#[test]
fn profile_mode() {
    let info = AuthManager::builder()
        .profile("bedrock-dev")
        .build()
        .unwrap()
        .info();
    assert_eq!(info.mode, ModeKind::Profile);
    assert_eq!(info.profile.unwrap().as_str(), "bedrock-dev");
    assert_eq!(info.region, None);
    assert_eq!(info.role_arn, None);
}

#[test]
fn environment_and_auto_modes() {
    let env = AuthManager::builder().environment().build().unwrap().info();
    assert_eq!(env.mode, ModeKind::Environment);
    let auto = AuthManager::builder()
        .region("eu-west-1")
        .auto()
        .build()
        .unwrap()
        .info();
    assert_eq!(auto.mode, ModeKind::Auto);
    assert_eq!(auto.region.unwrap().as_str(), "eu-west-1");
}

#[test]
fn static_mode_with_and_without_token() {
    let info = AuthManager::builder()
        .static_credentials(
            "AKIAIOSFODNN7EXAMPLE",
            secret("wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"),
        )
        .build()
        .unwrap()
        .info();
    assert_eq!(info.mode, ModeKind::Static);
    assert_eq!(info.access_key_id.unwrap().as_str(), "AKIAIOSFODNN7EXAMPLE");
    assert!(!info.session_token_set);

    let info = AuthManager::builder()
        .static_credentials(
            "ASIAIOSFODNN7EXAMPLE",
            secret("wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"),
        )
        .session_token(secret("FwoGZXIvYXdzEXAMPLE"))
        .build()
        .unwrap()
        .info();
    assert!(info.session_token_set);
}

#[test]
fn assume_role_mode_defaults() {
    let info = AuthManager::builder()
        .assume_role("arn:aws:iam::123456789012:role/Bedrock")
        .build()
        .unwrap()
        .info();
    assert_eq!(info.mode, ModeKind::AssumeRole);
    assert_eq!(info.role_arn.unwrap().role_name(), "Bedrock");
    assert_eq!(info.duration, Some(SessionDuration::DEFAULT));
    assert_eq!(info.session_name, None);
    assert!(!info.external_id_set);
    assert_eq!(info.mfa_serial, None);
    assert_eq!(info.source, Some(RoleSource::Auto));
}

#[test]
fn assume_role_mode_with_every_option() {
    let info = AuthManager::builder()
        .region("us-west-2")
        .assume_role("arn:aws:iam::123456789012:role/team/Bedrock")
        .external_id("unique-external-id")
        .session_name("orders-service")
        .duration(Duration::from_secs(7200))
        .mfa("arn:aws:iam::123456789012:mfa/alice", || async {
            Ok::<_, BoxError>(SecretString::from("123456"))
        })
        .source_static(
            "AKIAIOSFODNN7EXAMPLE",
            secret("wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"),
        )
        .build()
        .unwrap()
        .info();
    assert_eq!(info.session_name.unwrap().as_str(), "orders-service");
    assert_eq!(info.duration.unwrap().as_secs(), 7200);
    assert!(info.external_id_set);
    assert_eq!(
        info.mfa_serial.unwrap().as_str(),
        "arn:aws:iam::123456789012:mfa/alice"
    );
    assert_eq!(
        info.source,
        Some(RoleSource::Static("AKIAIOSFODNN7EXAMPLE".parse().unwrap()))
    );
}

#[test]
fn role_sources() {
    let role = || AuthManager::builder().assume_role("arn:aws:iam::123456789012:role/Bedrock");
    let profile = role().source_profile("base").build().unwrap().info().source;
    assert_eq!(profile, Some(RoleSource::Profile("base".parse().unwrap())));
    let env = role().source_environment().build().unwrap().info().source;
    assert_eq!(env, Some(RoleSource::Environment));
    let auto = role().source_auto().build().unwrap().info().source;
    assert_eq!(auto, Some(RoleSource::Auto));
}

#[test]
fn options_in_any_order_around_the_source() {
    let role = || AuthManager::builder().assume_role("arn:aws:iam::123456789012:role/Bedrock");
    let before = role()
        .external_id("unique-external-id")
        .session_name("orders-service")
        .session_tag("tenant", "acme")
        .source_profile("base")
        .build()
        .unwrap()
        .info();
    let after = role()
        .source_profile("base")
        .session_tag("tenant", "acme")
        .session_name("orders-service")
        .external_id("unique-external-id")
        .build()
        .unwrap()
        .info();
    for info in [before, after] {
        assert!(info.external_id_set);
        assert_eq!(info.session_name.unwrap().as_str(), "orders-service");
        assert_eq!(info.session_tags.len(), 1);
        assert_eq!(
            info.source,
            Some(RoleSource::Profile("base".parse().unwrap()))
        );
    }
    // A chosen source's state stays, so options can be given conditionally.
    let external_id = Some("unique-external-id");
    let mut builder = role().source_auto();
    if let Some(id) = external_id {
        builder = builder.external_id(id);
    }
    assert!(builder.build().unwrap().info().external_id_set);
}

// A second source does not compile: ui-tests/second_role_source.rs.

#[test]
fn common_options_and_defaults() {
    let defaults = AuthManager::builder().auto().build().unwrap().info();
    assert_eq!(defaults.connect_timeout, DEFAULT_CONNECT_TIMEOUT);
    assert_eq!(defaults.operation_timeout, DEFAULT_OPERATION_TIMEOUT);
    assert_eq!(defaults.endpoint_url, None);
    assert_eq!(
        defaults.max_attempts,
        bedrock_auth::limits::DEFAULT_MAX_ATTEMPTS
    );

    let info = AuthManager::builder()
        .endpoint_url("http://127.0.0.1:4566")
        .connect_timeout(Duration::from_millis(250))
        .operation_timeout(Duration::from_secs(5))
        .max_attempts(1)
        .environment()
        .build()
        .unwrap()
        .info();
    assert_eq!(info.endpoint_url.unwrap().as_str(), "http://127.0.0.1:4566");
    assert_eq!(info.connect_timeout, Duration::from_millis(250));
    assert_eq!(info.operation_timeout, Duration::from_secs(5));
    assert_eq!(info.max_attempts, 1);

    for attempts in [0, 11] {
        let err = AuthManager::builder()
            .max_attempts(attempts)
            .auto()
            .build()
            .unwrap_err();
        assert_eq!(err.problems()[0].field(), "max_attempts");
        assert_eq!(err.problems()[0].error().rule(), Rule::AttemptsRange);
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let err = AuthManager::builder()
        .region("US East")
        .endpoint_url("localhost:4566")
        .connect_timeout(Duration::ZERO)
        .assume_role("arn:aws:iam::123456789012:role/")
        .external_id("x")
        .session_name("has space")
        .duration(60)
        .mfa("short", || async {
            Ok::<_, BoxError>(SecretString::from("1"))
        })
        .source_profile("")
        .build()
        .unwrap_err();
    let found: Vec<_> = err
        .problems()
        .iter()
        .map(|p| (p.field(), p.error().kind(), p.error().rule()))
        .collect();
    assert_eq!(
        found,
        [
            ("region", ValueKind::Region, Rule::InvalidChar { at: 0 }),
            ("endpoint_url", ValueKind::EndpointUrl, Rule::EndpointScheme),
            ("connect_timeout", ValueKind::Timeout, Rule::ZeroTimeout),
            ("role_arn", ValueKind::RoleArn, Rule::RoleNameLength),
            (
                "external_id",
                ValueKind::ExternalId,
                Rule::TooShort { min: 2 }
            ),
            (
                "session_name",
                ValueKind::SessionName,
                Rule::InvalidChar { at: 3 }
            ),
            (
                "duration_secs",
                ValueKind::SessionDuration,
                Rule::DurationRange
            ),
            (
                "mfa_serial",
                ValueKind::MfaSerial,
                Rule::TooShort { min: 9 }
            ),
            ("source.profile", ValueKind::ProfileName, Rule::Empty),
        ]
    );
    let text = err.to_string();
    assert!(
        text.starts_with("invalid configuration (9 problems):\n  - region: "),
        "{text}"
    );
    assert_eq!(text.lines().count(), 10, "{text}");
}

#[test]
fn runtime_checks_of_each_mode() {
    let empty_profile = AuthManager::builder().profile("").build().unwrap_err();
    assert_eq!(empty_profile.problems()[0].field(), "profile");
    assert_eq!(empty_profile.problems()[0].error().rule(), Rule::Empty);
    assert_eq!(
        empty_profile.to_string(),
        "invalid configuration: profile: invalid profile name ``: must not be empty (for example `default`)"
    );

    let empty_secrets = AuthManager::builder()
        .static_credentials("AKIA", secret(""))
        .session_token(secret(""))
        .operation_timeout(Duration::ZERO)
        .build()
        .unwrap_err();
    let fields: Vec<_> = empty_secrets.problems().iter().map(|p| p.field()).collect();
    assert_eq!(
        fields,
        [
            "access_key_id",
            "secret_access_key",
            "session_token",
            "operation_timeout"
        ]
    );
}

#[test]
fn checked_values_are_accepted_as_they_are() {
    use bedrock_auth::{ProfileName, Region, RoleArn, SessionName};
    const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/Bedrock");
    const REGION: Region = Region::from_static("ap-south-1");
    let name: SessionName = "svc".parse().unwrap();
    let base: ProfileName = "base".parse().unwrap();
    let owned = String::from("arn:aws:iam::123456789012:role/Bedrock");
    let info = AuthManager::builder()
        .region(REGION)
        .assume_role(ROLE)
        .session_name(name)
        .source_profile(base)
        .build()
        .unwrap()
        .info();
    assert_eq!(info.role_arn.as_ref().unwrap().as_str(), owned);
    assert_eq!(info.region.unwrap().as_str(), "ap-south-1");
    assert_eq!(
        info.source,
        Some(RoleSource::Profile("base".parse().unwrap()))
    );
    let from_string = AuthManager::builder().assume_role(&owned).build().unwrap();
    assert_eq!(from_string.info().role_arn, Some(ROLE));
}

#[test]
fn manager_is_cheap_to_clone_and_shareable() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<AuthManager>();
    let manager = AuthManager::builder().auto().build().unwrap();
    let clone = manager.clone();
    let from_thread = std::thread::spawn(move || clone.info()).join().unwrap();
    assert_eq!(from_thread, manager.info());
}

#[test]
fn info_display_is_a_short_report() {
    let info = AuthManager::builder()
        .region("us-east-1")
        .assume_role("arn:aws:iam::123456789012:role/Bedrock")
        .external_id("unique-external-id")
        .source_profile("base")
        .build()
        .unwrap()
        .info();
    let text = info.to_string();
    for line in [
        "mode:             assume_role",
        "region:           us-east-1",
        "role:             arn:aws:iam::123456789012:role/Bedrock",
        "session name:     default",
        "duration:         3600s",
        "external id:      set",
        "mfa:              not set",
        "source:           profile base",
        "bedrock auth:     SigV4",
        "timeouts:         connect 3s, operation 30s",
        "attempts:         3",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
}

#[test]
fn fips_with_a_custom_endpoint_is_a_problem_and_each_variant_names_its_host() {
    let err = AuthManager::builder()
        .region("us-east-1")
        .endpoint_url("https://bedrock.internal.example")
        .use_fips(true)
        .environment()
        .build()
        .unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
    assert_eq!(err.problems()[0].field(), "use_fips_endpoint");
    assert_eq!(
        err.problems()[0].error().rule(),
        Rule::FipsWithCustomEndpoint
    );
    assert!(
        err.to_string().contains("FIPS or dual-stack host itself"),
        "{err}"
    );
    let dual = AuthManager::builder()
        .region("us-east-1")
        .endpoint_url("https://bedrock.internal.example")
        .use_dual_stack(true)
        .environment()
        .build()
        .unwrap_err();
    assert_eq!(dual.problems()[0].field(), "use_dualstack_endpoint");
    // `false` with an endpoint is what the endpoint says anyway.
    let off = AuthManager::builder()
        .region("us-east-1")
        .endpoint_url("https://bedrock.internal.example")
        .use_fips(false)
        .environment()
        .build();
    assert!(off.is_ok());
    for (fips, dual, host) in [
        (
            true,
            false,
            "https://bedrock-runtime-fips.eu-west-1.amazonaws.com",
        ),
        (false, true, "https://bedrock-runtime.eu-west-1.api.aws"),
        (true, true, "https://bedrock-runtime-fips.eu-west-1.api.aws"),
        (
            false,
            false,
            "https://bedrock-runtime.eu-west-1.amazonaws.com",
        ),
    ] {
        let manager = AuthManager::builder()
            .region("eu-west-1")
            .use_fips(fips)
            .use_dual_stack(dual)
            .environment()
            .build()
            .unwrap();
        assert_eq!(manager.bedrock_endpoint("eu-west-1"), host);
    }
}
