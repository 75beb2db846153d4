//! `whoami`: who the credentials are, in text and JSON, for each mode; the exit codes and error
//! kinds every subcommand shares; a role's session options and web identity as flags.

use crate::common;

use bedrock_auth::testing::RoleSpec;
use serde_json::Value;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whoami_text_and_json() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    let text = run(home.path(), &aws, &vars, &["whoami", "--env"]).await;
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains(&format!("arn:     {}", alice.arn)),
        "{}",
        text.stdout
    );

    let json = run(home.path(), &aws, &vars, &["whoami", "--json"])
        .await
        .json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["mode"], "auto");
    assert_eq!(json["region"], "us-east-1");
    assert_eq!(json["account"], "123456789012");
    assert_eq!(json["arn"], alice.arn);
    assert_eq!(json["user_id"], alice.user_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whoami_with_an_assumed_role_and_a_profile() {
    let (home, aws, alice) = setup().await;
    aws.add_role(RoleSpec::new(ROLE).external_id("ext-1"));
    write_base_profile(home.path(), &alice);
    let args = [
        "whoami",
        "--json",
        "--role-arn",
        ROLE_ARN,
        "--external-id",
        "ext-1",
        "--session-name",
        "cli",
        "--duration",
        "900",
        "--source-profile",
        "base",
    ];
    let out = run(home.path(), &aws, &[], &args).await;
    assert_eq!(out.code, 0, "{} {}", out.stdout, out.stderr);
    assert_eq!(
        out.json()["arn"],
        "arn:aws:sts::123456789012:assumed-role/BedrockAccess/cli"
    );
    let profile = run(
        home.path(),
        &aws,
        &[],
        &["whoami", "--json", "--profile", "base"],
    )
    .await;
    assert_eq!(profile.json()["arn"], alice.arn);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_and_error_kinds() {
    let (home, aws, _alice) = setup().await;
    let cases: [(&[&str], i32, &str); 5] = [
        (&["whoami", "--json"], 1, "no_credentials"),
        (
            &["whoami", "--json", "--profile", "missing"],
            1,
            "profile_not_found",
        ),
        (
            &["whoami", "--json", "--role-arn", "arn:aws:iam::42:role/x"],
            2,
            "invalid_config",
        ),
        (
            &[
                "whoami",
                "--json",
                "--role-arn",
                ROLE_ARN,
                "--duration",
                "10",
            ],
            2,
            "invalid_config",
        ),
        (
            &["whoami", "--json", "--env", "--auto"],
            2,
            "invalid_config",
        ),
    ];
    for (args, code, kind) in cases {
        let out = run(home.path(), &aws, &[], args).await;
        assert_eq!(out.code, code, "{args:?}: {} {}", out.stdout, out.stderr);
        let json = out.json();
        assert_eq!(json["ok"], false, "{args:?}");
        assert_eq!(json["error"]["kind"], kind, "{args:?}: {json}");
        assert!(json["error"]["hint"].is_string());
    }
    let bad = [
        ("AWS_ACCESS_KEY_ID", "AKIAUNKNOWN000000000"),
        ("AWS_SECRET_ACCESS_KEY", "nope-secret-19"),
    ];
    let out = run(home.path(), &aws, &bad, &["whoami", "--json", "--env"]).await;
    assert_eq!(
        (out.code, out.json()["error"]["kind"].clone()),
        (1, Value::from("invalid_credentials"))
    );
    // What the service answered comes with the error.
    let error = &out.json()["error"];
    assert_eq!(error["http_status"], 403, "{error}");
    assert_eq!(error["code"], "InvalidClientTokenId", "{error}");
    assert!(error["request_id"].is_string(), "{error}");
    let text = run(home.path(), &aws, &bad, &["whoami", "--env"]).await;
    assert!(
        text.stderr.starts_with("error [invalid_credentials]"),
        "{}",
        text.stderr
    );
    assert!(text.stderr.contains("hint:"), "{}", text.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_error_kinds_no_region_network_throttled_service() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];

    let mut without_region = vars.to_vec();
    without_region.push(("AWS_REGION", ""));
    let out = run(
        home.path(),
        &aws,
        &without_region,
        &["whoami", "--json", "--env"],
    )
    .await;
    let json = out.json();
    assert_eq!(
        (out.code, json["error"]["kind"].as_str()),
        (1, Some("no_region"))
    );

    let endpoint = common::closed_endpoint();
    let mut vars_refused = vars.to_vec();
    vars_refused.push(("AWS_ENDPOINT_URL", endpoint.as_str()));
    let out = run(
        home.path(),
        &aws,
        &vars_refused,
        &["whoami", "--json", "--env"],
    )
    .await;
    assert_eq!(out.json()["error"]["kind"], "network", "{}", out.stdout);

    aws.set_fault(bedrock_auth::testing::Fault::Throttling);
    let out = run(home.path(), &aws, &vars, &["whoami", "--json", "--env"]).await;
    assert_eq!(
        (out.code, out.json()["error"]["kind"].clone()),
        (1, Value::from("throttled"))
    );
    aws.set_fault(bedrock_auth::testing::Fault::InternalError);
    let out = run(home.path(), &aws, &vars, &["whoami", "--json", "--env"]).await;
    assert_eq!(out.json()["error"]["kind"], "service");
    aws.clear_fault();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_session_s_tags_policies_and_source_identity_as_flags() {
    let (home, aws, alice) = setup().await;
    aws.add_role(
        RoleSpec::new(ROLE)
            .allow_session_tags()
            .allow_source_identity(),
    );
    write_base_profile(home.path(), &alice);
    let policy = home.path().join("acme.json");
    let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"bedrock:*","Resource":"*"}]}"#;
    std::fs::write(&policy, document).unwrap();
    let tenant_policy = "arn:aws:iam::123456789012:policy/tenants/acme";
    let flags = [
        "--role-arn",
        ROLE_ARN,
        "--source-profile",
        "base",
        "--tag",
        "tenant=acme",
        "--tag",
        "plan=pro",
        "--policy-arn",
        tenant_policy,
        "--session-policy",
        policy.to_str().unwrap(),
        "--source-identity",
        "alice",
    ];
    let whoami = run(home.path(), &aws, &[], &[&["whoami"], &flags[..]].concat()).await;
    assert_eq!(whoami.code, 0, "{}", whoami.stderr);
    let requests = aws.requests();
    let assume = requests.iter().find(|r| r.action == "AssumeRole").unwrap();
    let param = |name: &str| assume.params.get(name).map(String::as_str);
    assert_eq!(param("Tags.member.1.Key"), Some("plan"));
    assert_eq!(param("Tags.member.2.Value"), Some("acme"));
    assert_eq!(param("PolicyArns.member.1.arn"), Some(tenant_policy));
    assert_eq!(param("Policy"), Some(document));
    assert_eq!(param("SourceIdentity"), Some("alice"));

    // doctor names the flag that set each.
    let doctor = run(home.path(), &aws, &[], &[&["doctor"], &flags[..]].concat()).await;
    let tags = doctor
        .stdout
        .lines()
        .find(|l| l.starts_with("session tags"))
        .unwrap_or_default();
    assert!(
        tags.contains("plan=pro, tenant=acme") && tags.ends_with("flag --tag"),
        "{}",
        doctor.stdout
    );

    // A tag without `=` is a usage problem that does not quote what was given.
    let pasted = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let bad = run(
        home.path(),
        &aws,
        &[],
        &["whoami", "--role-arn", ROLE_ARN, "--tag", pasted],
    )
    .await;
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("--tag") && !bad.stderr.contains(pasted),
        "{}",
        bad.stderr
    );
    // So is a secret put in a tag's value.
    let tag = format!("note={pasted}");
    let bad = run(
        home.path(),
        &aws,
        &[],
        &["whoami", "--role-arn", ROLE_ARN, "--tag", &tag],
    )
    .await;
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("--tag") && !bad.stderr.contains(pasted),
        "{}",
        bad.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_assumed_with_a_web_identity_token_file() {
    let (home, aws, _alice) = setup().await;
    aws.add_role(RoleSpec::new(ROLE).trust_web_identity());
    aws.add_web_identity_token("oidc-token-1", "system:serviceaccount:orders:api");
    let token = home.path().join("token");
    std::fs::write(&token, "oidc-token-1\n").unwrap();
    let args = [
        "whoami",
        "--role-arn",
        ROLE_ARN,
        "--web-identity-token-file",
        token.to_str().unwrap(),
        "--session-name",
        "orders",
    ];
    let whoami = run(home.path(), &aws, &[], &args).await;
    assert_eq!(whoami.code, 0, "{}", whoami.stderr);
    assert!(
        whoami.stdout.contains("assumed-role/BedrockAccess/orders"),
        "{}",
        whoami.stdout
    );
    let actions: Vec<_> = aws.requests().into_iter().map(|r| r.action).collect();
    assert_eq!(actions, ["AssumeRoleWithWebIdentity", "GetCallerIdentity"]);
    // Not with a source profile: the token is the credential.
    let both = [&args[..], &["--source-profile", "base"]].concat();
    assert_eq!(run(home.path(), &aws, &[], &both).await.code, 2);
}
