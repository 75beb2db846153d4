//! A role with a web identity source: STS `AssumeRoleWithWebIdentity` with an OIDC token (EKS
//! service accounts, CI systems), from a file read at every assumption or from a provider of the
//! program's own. The local server answers the call as STS does: unsigned, the token checked,
//! the role's trust in web identities required.

use std::time::Duration;

use bedrock_auth::error::{BoxError, Rule};
use bedrock_auth::testing::{AuthKind, LocalAws, RoleSpec, Sandbox};
use bedrock_auth::{AuthConfig, AuthManager, ErrorKind, RoleArn, SecretString};

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/OrdersBedrock");
const TOKEN_FILE: &str = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";

/// A world whose `/` is `root`, reaching the local server.
fn rooted(root: &std::path::Path) -> Sandbox {
    Sandbox::rooted_at(root)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .env("AWS_EC2_METADATA_DISABLED", "true")
}

fn write_token(root: &std::path::Path, token: &str) {
    let path = root.join(TOKEN_FILE.trim_start_matches('/'));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, token).unwrap();
}

/// The web identity tokens STS was sent, in order.
fn tokens_sent(aws: &LocalAws) -> Vec<String> {
    let requests = aws.requests();
    let calls = requests
        .iter()
        .filter(|r| r.action == "AssumeRoleWithWebIdentity");
    calls
        .map(|r| {
            assert_eq!(
                r.auth,
                AuthKind::None,
                "AssumeRoleWithWebIdentity is not signed"
            );
            r.params
                .get("WebIdentityToken")
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

#[tokio::test]
async fn a_token_file_is_read_at_every_assumption() {
    let aws = LocalAws::start().await.unwrap();
    aws.add_web_identity_token("token-a", "system:serviceaccount:orders:api");
    aws.add_web_identity_token("token-b", "system:serviceaccount:orders:api");
    // Credentials that expire at once: each call assumes the role again.
    let role = RoleSpec::new(ROLE).trust_web_identity();
    aws.add_role(role.credential_lifetime(Duration::from_secs(1)));
    let root = tempfile::tempdir().unwrap();
    write_token(root.path(), "token-a");
    let manager = aws
        .builder()
        .sandbox(rooted(root.path()))
        .assume_role(ROLE)
        .source_web_identity(TOKEN_FILE)
        .session_name("orders")
        .build()
        .unwrap();
    let identity = manager.validate().await.unwrap();
    assert!(
        identity.arn.ends_with(":assumed-role/OrdersBedrock/orders"),
        "{identity}"
    );

    // The platform rotates the token: the next assumption sends the new one.
    write_token(root.path(), "token-b");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    manager.validate().await.unwrap();
    assert_eq!(tokens_sent(&aws), ["token-a", "token-b"]);
    let info = manager.info().to_string();
    assert!(
        info.contains(&format!("web identity token file {TOKEN_FILE}")),
        "{info}"
    );
    assert!(!info.contains("token-b"), "{info}");
}

#[tokio::test]
async fn a_token_from_the_program_s_own_provider() {
    let aws = LocalAws::start().await.unwrap();
    aws.add_web_identity_token("ci-token", "repo:acme/orders:ref:refs/heads/main");
    aws.add_role(RoleSpec::new(ROLE).trust_web_identity());
    let manager = aws
        .builder()
        .assume_role(ROLE)
        .source_web_identity_token(|| async { Ok::<_, BoxError>(SecretString::from("ci-token")) })
        .build()
        .unwrap();
    manager.validate().await.unwrap();
    assert_eq!(tokens_sent(&aws), ["ci-token"]);
}

#[tokio::test]
async fn what_sts_refuses_and_what_cannot_be_sent() {
    let aws = LocalAws::start().await.unwrap();
    aws.add_web_identity_token("good", "subject");
    aws.add_role(RoleSpec::new(ROLE).trust_web_identity());
    let with_token = |token: &'static str| {
        aws.builder()
            .assume_role(ROLE)
            .source_web_identity_token(move || async move {
                Ok::<_, BoxError>(SecretString::from(token))
            })
            .build()
            .unwrap()
    };
    // A token STS cannot validate: the web identity hint, and the token is not quoted.
    let err = with_token("forged").validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err}");
    assert_eq!(err.code(), Some("InvalidIdentityToken"), "{err}");
    assert!(err.hint().contains("token"), "{err}");
    assert!(!err.to_string().contains("forged"), "{err}");
    // An empty token is not sent at all.
    let err = with_token("  ").validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoCredentials, "{err}");
    assert!(tokens_sent(&aws).len() == 1, "{:?}", tokens_sent(&aws));
    // A role that does not trust web identities refuses it.
    aws.add_role(RoleSpec::new(ROLE));
    let err = with_token("good").validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RoleRefused, "{err}");
    // A missing token file says which file.
    let missing = aws
        .builder()
        .assume_role(ROLE)
        .source_web_identity("/nowhere/token")
        .build()
        .unwrap();
    let err = missing.validate().await.unwrap_err();
    assert!(err.message().contains("/nowhere/token"), "{err}");
}

// In code, the options `AssumeRoleWithWebIdentity` does not take do not compile with a web
// identity source (ui-tests/*_with_web_identity.rs); a scope-down policy it takes.
#[test]
fn a_web_identity_takes_scope_down_policies() {
    AuthManager::builder()
        .region("us-east-1")
        .assume_role(ROLE)
        .session_policy(r#"{"Version":"2012-10-17"}"#)
        .source_web_identity(TOKEN_FILE)
        .policy_arns(["arn:aws:iam::123456789012:policy/orders"])
        .session_name("orders")
        .duration(900)
        .build()
        .unwrap();
}

/// A configuration's source is known only when it is read: each key that
/// `AssumeRoleWithWebIdentity` does not take is refused then, naming the key as written.
#[test]
fn a_config_with_a_web_identity_refuses_at_run_time_what_the_call_does_not_take() {
    let config = AuthConfig::from_toml(&format!(
        "mode = \"assume_role\"\nregion = \"us-east-1\"\nrole_arn = \"{}\"\n\
         source = {{ web_identity_token_file = \"{TOKEN_FILE}\" }}\n\
         external_id = \"tenant-1\"\nsession_tags = {{ tenant = \"acme\" }}\n\
         transitive_tag_keys = [\"tenant\"]\nsource_identity = \"alice\"\n\
         mfa_serial = \"arn:aws:iam::123456789012:mfa/alice\"\n\
         policy_arns = [\"arn:aws:iam::123456789012:policy/orders\"]\n",
        ROLE.as_str()
    ))
    .unwrap();
    let err = AuthManager::from_config(&config).unwrap_err();
    let mut refused: Vec<_> = err
        .problems()
        .iter()
        .map(|p| (p.field(), p.error().rule()))
        .collect();
    refused.sort_by_key(|(field, _)| *field);
    assert_eq!(
        refused,
        [
            ("external_id", Rule::NotWithWebIdentity),
            ("mfa_serial", Rule::NotWithWebIdentity),
            ("session_tags", Rule::NotWithWebIdentity),
            ("source_identity", Rule::NotWithWebIdentity),
            ("transitive_tag_keys", Rule::NotWithWebIdentity),
        ],
        "{err}"
    );
    let text = err.to_string();
    assert!(text.contains("external_id: "), "{err}");
    // The run-time rule and the compile error give the same reason.
    let reason = "STS AssumeRoleWithWebIdentity has the caller in the token, and no external id, \
                  MFA, session tags or source identity";
    assert!(text.contains(reason), "{err}");
    for case in [
        include_str!("../../ui-tests/external_id_with_web_identity.stderr"),
        include_str!("../../ui-tests/signing_option_before_web_identity.stderr"),
    ] {
        assert!(case.contains(reason), "{case}");
    }
}

#[tokio::test]
async fn in_config_as_code() {
    let aws = LocalAws::start().await.unwrap();
    aws.add_web_identity_token("token-a", "subject");
    aws.add_role(RoleSpec::new(ROLE).trust_web_identity());
    let root = tempfile::tempdir().unwrap();
    write_token(root.path(), "token-a");
    let config = AuthConfig::from_toml(&format!(
        "mode = \"assume_role\"\nregion = \"us-east-1\"\nendpoint_url = \"{}\"\n\
         role_arn = \"{}\"\nsource = {{ web_identity_token_file = \"{TOKEN_FILE}\" }}\n",
        aws.endpoint_url(),
        ROLE.as_str()
    ))
    .unwrap()
    .sandbox(rooted(root.path()));
    AuthManager::from_config(&config)
        .unwrap()
        .validate()
        .await
        .unwrap();
    assert_eq!(tokens_sent(&aws), ["token-a"]);
}
