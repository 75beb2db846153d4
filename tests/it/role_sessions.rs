//! A role's session beyond the role: session tags, transitive tag keys, an inline session
//! policy, managed policy ARNs and a source identity. Each reaches STS as STS expects it (the
//! local server checks the wire format and the trust policy), and each limit is refused at
//! build, naming the field.

use bedrock_auth::error::{Rule, ValueKind};
use bedrock_auth::testing::{LocalAws, RoleSpec, TestUser};
use bedrock_auth::{AuthConfig, AuthManager, ErrorKind, ExposeSecret, RoleArn};

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/TenantBedrock");
const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*"}]}"#;
const TENANT_POLICY: &str = "arn:aws:iam::123456789012:policy/tenants/acme";

fn tenant(
    aws: &LocalAws,
    user: &TestUser,
) -> bedrock_auth::AuthBuilder<bedrock_auth::modes::AssumeRole<bedrock_auth::modes::StaticSource>> {
    aws.builder()
        .assume_role(ROLE)
        .source_static(user.access_key_id.clone(), user.secret_access_key.clone())
        .session_name("acme")
}

#[tokio::test]
async fn tags_policies_and_source_identity_reach_sts_as_it_expects_them() {
    let aws = LocalAws::start().await.unwrap();
    let ops = aws.add_user("ops");
    aws.add_role(
        RoleSpec::new(ROLE)
            .allow_session_tags()
            .allow_source_identity(),
    );
    let manager = tenant(&aws, &ops)
        .session_tags([("tenant", "acme"), ("cost-center", "4711")])
        .transitive_tag_keys(["tenant"])
        .session_policy(POLICY)
        .policy_arns([TENANT_POLICY])
        .source_identity("alice@acme.example")
        .build()
        .unwrap();
    manager.validate().await.unwrap();

    let requests = aws.requests();
    let assume = requests.iter().find(|r| r.action == "AssumeRole").unwrap();
    let param = |name: &str| assume.params.get(name).map(String::as_str);
    // The query protocol's lists: `Tags.member.N.Key`, `TransitiveTagKeys.member.N`, ...
    assert_eq!(param("Tags.member.1.Key"), Some("tenant"));
    assert_eq!(param("Tags.member.1.Value"), Some("acme"));
    assert_eq!(param("Tags.member.2.Key"), Some("cost-center"));
    assert_eq!(param("Tags.member.2.Value"), Some("4711"));
    assert_eq!(param("TransitiveTagKeys.member.1"), Some("tenant"));
    assert_eq!(param("Policy"), Some(POLICY));
    assert_eq!(param("PolicyArns.member.1.arn"), Some(TENANT_POLICY));
    assert_eq!(param("SourceIdentity"), Some("alice@acme.example"));

    let info = manager.info();
    assert_eq!(info.session_tags.len(), 2);
    assert!(info.session_policy_set);
    let shown = info.to_string();
    for part in [
        "tenant=acme, cost-center=4711",
        "session policy:   set",
        TENANT_POLICY,
        "alice@acme.example",
    ] {
        assert!(shown.contains(part), "{part} in {shown}");
    }
    assert!(
        !shown.contains("bedrock:InvokeModel"),
        "the policy is said to be set, not shown"
    );
}

#[tokio::test]
async fn a_trust_policy_without_tag_session_or_set_source_identity_refuses_them() {
    let aws = LocalAws::start().await.unwrap();
    let ops = aws.add_user("ops");
    aws.add_role(RoleSpec::new(ROLE));
    for (builder, action) in [
        (
            tenant(&aws, &ops).session_tag("tenant", "acme"),
            "sts:TagSession",
        ),
        (
            tenant(&aws, &ops).source_identity("alice"),
            "sts:SetSourceIdentity",
        ),
    ] {
        let err = builder.build().unwrap().validate().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RoleRefused, "{err}");
        assert!(err.message().contains(action), "{err}");
    }
    // Without tags or a source identity the same role is assumed.
    tenant(&aws, &ops)
        .build()
        .unwrap()
        .validate()
        .await
        .unwrap();
}

#[test]
fn each_limit_is_refused_at_build_naming_the_field() {
    // A source first, so that every case is the same type (an option only a signed
    // `AssumeRole` takes keeps a chosen source's state).
    let role = || {
        AuthManager::builder()
            .region("us-east-1")
            .assume_role(ROLE)
            .source_environment()
    };
    let many_tags = (0..51).map(|i| (format!("k{i}"), "v"));
    let many_arns = (0..11).map(|i| format!("arn:aws:iam::123456789012:policy/p{i}"));
    let many_keys = (0..51).map(|i| format!("k{i}"));
    let long_policy = format!(r#"{{"Version":"2012-10-17","Sid":"{}"}}"#, "x".repeat(2048));
    let cases = [
        (
            role().session_tags(many_tags),
            "session_tags",
            ValueKind::SessionTag,
            Rule::TooMany { max: 50 },
        ),
        (
            role().session_tag("Tenant", "a").session_tag("tenant", "b"),
            "session_tags",
            ValueKind::TagKey,
            Rule::DuplicateTagKey,
        ),
        (
            role().session_tag("aws:tenant", "a"),
            "session_tags",
            ValueKind::TagKey,
            Rule::ReservedPrefix,
        ),
        (
            role().session_tag("k".repeat(129), "a"),
            "session_tags",
            ValueKind::TagKey,
            Rule::TooLong { max: 128 },
        ),
        (
            role().session_tag("tenant", &"v".repeat(257)),
            "session_tags",
            ValueKind::TagValue,
            Rule::TooLong { max: 256 },
        ),
        (
            role().session_tag("tenant", "a;b"),
            "session_tags",
            ValueKind::TagValue,
            Rule::InvalidChar { at: 1 },
        ),
        (
            role().transitive_tag_keys(many_keys),
            "transitive_tag_keys",
            ValueKind::TagKey,
            Rule::TooMany { max: 50 },
        ),
        (
            role().session_policy("Allow everything"),
            "session_policy",
            ValueKind::SessionPolicy,
            Rule::NotJson,
        ),
        (
            role().session_policy(long_policy),
            "session_policy",
            ValueKind::SessionPolicy,
            Rule::TooLong { max: 2048 },
        ),
        (
            role().policy_arns(many_arns),
            "policy_arns",
            ValueKind::PolicyArn,
            Rule::TooMany { max: 10 },
        ),
        (
            role().policy_arns([ROLE.as_str()]),
            "policy_arns",
            ValueKind::PolicyArn,
            Rule::NotAPolicy,
        ),
        (
            role().source_identity("alice smith"),
            "source_identity",
            ValueKind::SourceIdentity,
            Rule::InvalidChar { at: 5 },
        ),
    ];
    for (builder, field, kind, rule) in cases {
        let err = builder.build().unwrap_err();
        let problem = &err.problems()[0];
        assert_eq!(
            (
                problem.field(),
                problem.error().kind(),
                problem.error().rule()
            ),
            (field, kind, rule),
            "{err}"
        );
        assert!(err.to_string().contains(field), "{err}");
    }
}

#[tokio::test]
async fn config_as_code_and_its_variables_give_the_same_session() {
    let aws = LocalAws::start().await.unwrap();
    let ops = aws.add_user("ops");
    aws.add_role(
        RoleSpec::new(ROLE)
            .allow_session_tags()
            .allow_source_identity(),
    );
    let policy_file = "/etc/tenants/acme.json";
    let toml = format!(
        r#"
        mode = "assume_role"
        role_arn = "{ROLE}"
        session_name = "acme"
        session_tags = {{ tenant = "acme", plan = "pro" }}
        transitive_tag_keys = ["tenant"]
        session_policy = {{ file = "{}" }}
        policy_arns = ["{TENANT_POLICY}"]
        source_identity = "alice"
        source = {{ access_key_id = "{}", secret_access_key = {{ env = "OPS_SECRET" }} }}
        "#,
        policy_file,
        ops.access_key_id,
        ROLE = ROLE.as_str(),
    );
    let sandbox = aws
        .sandbox()
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", aws.endpoint_url())
        .env("OPS_SECRET", ops.secret_access_key.expose_secret())
        .env("AWS_ACCESS_KEY_ID", ops.access_key_id.as_str())
        .env(
            "AWS_SECRET_ACCESS_KEY",
            ops.secret_access_key.expose_secret(),
        )
        .file(policy_file, POLICY);
    let from_file = AuthConfig::from_toml(&toml)
        .unwrap()
        .sandbox(sandbox.clone());
    let variables = [
        ("BEDROCK_AUTH_MODE", "assume_role".to_owned()),
        ("BEDROCK_AUTH_ROLE_ARN", ROLE.as_str().to_owned()),
        ("BEDROCK_AUTH_SESSION_NAME", "acme".to_owned()),
        // In the order of the file's table, which is by key.
        (
            "BEDROCK_AUTH_SESSION_TAGS",
            "plan=pro, tenant=acme".to_owned(),
        ),
        ("BEDROCK_AUTH_TRANSITIVE_TAG_KEYS", "tenant".to_owned()),
        ("BEDROCK_AUTH_SESSION_POLICY_FILE", policy_file.to_owned()),
        ("BEDROCK_AUTH_SOURCE", "environment".to_owned()),
        ("BEDROCK_AUTH_POLICY_ARNS", TENANT_POLICY.to_owned()),
        ("BEDROCK_AUTH_SOURCE_IDENTITY", "alice".to_owned()),
    ];
    let from_env = AuthConfig::from_env_vars(variables).unwrap();
    let from_env = from_env.sandbox(sandbox);
    let mut sent = Vec::new();
    for config in [from_file, from_env] {
        let manager = AuthManager::from_config(&config).unwrap();
        let info = manager.info();
        assert_eq!(info.session_tags.len(), 2, "{info}");
        assert!(
            info.session_policy_set && info.source_identity.is_some(),
            "{info}"
        );
        assert_eq!(info.policy_arns.len(), 1, "{info}");
        assert_eq!(info.transitive_tag_keys.len(), 1, "{info}");
        manager.validate().await.unwrap();
        let requests = aws.requests();
        let assume = requests
            .iter()
            .rev()
            .find(|r| r.action == "AssumeRole")
            .unwrap();
        sent.push(assume.params.clone());
    }
    assert_eq!(sent[0], sent[1], "the file and the variables send the same");
    let params = &sent[0];
    assert_eq!(params.get("Policy").map(String::as_str), Some(POLICY));
    assert_eq!(
        params.get("SourceIdentity").map(String::as_str),
        Some("alice")
    );
    let keys: Vec<_> = params
        .iter()
        .filter(|(k, _)| k.ends_with(".Key"))
        .map(|(_, v)| v)
        .collect();
    assert_eq!(keys.len(), 2, "{params:?}");
}

#[test]
fn config_problems_name_the_key() {
    let config = AuthConfig::from_toml(&format!(
        r#"
        mode = "assume_role"
        role_arn = "{}"
        session_tags = ["tenant=acme"]
        policy_arns = "arn:aws:iam::123456789012:role/NotAPolicy"
        session_policy = "not json"
        "#,
        ROLE.as_str()
    ))
    .unwrap();
    let err = AuthManager::from_config(&config).unwrap_err();
    let fields: Vec<_> = err
        .problems()
        .iter()
        .map(|p| p.field().to_owned())
        .collect();
    assert_eq!(
        fields,
        ["session_tags", "session_policy", "policy_arns"],
        "{err}"
    );
}
