//! Conformance against an independent implementation of AWS: moto server, with
//! authentication enforced (signatures checked, IAM policies and role trust policies, external
//! id conditions included). The embedded local server agrees with this crate by construction;
//! moto does not, so these tests can show where we misread AWS.
//!
//! They need a moto server: `.ci/run` installs the pinned `moto[server]` in a virtual
//! environment, starts it on 127.0.0.1 and sets `MOTO_ENDPOINT`, so CI always runs them. To run
//! them locally:
//!
//! ```text
//! python3 -m venv .moto && .moto/bin/pip install 'moto[server]==5.2.5'
//! .moto/bin/moto_server -H 127.0.0.1 -p 5055 &
//! MOTO_ENDPOINT=http://127.0.0.1:5055 cargo test --test moto_conformance
//! ```
//!
//! Without `MOTO_ENDPOINT` each test says so and does nothing, except under CI (`CI` set),
//! where a missing moto is a failure.
//!
//! Setup goes through moto's own switch for it: `/moto-api/reset-auth` lets the next N
//! requests through unauthenticated, exactly the N that create the users, keys, policy and
//! roles; every request after that is authenticated as AWS would.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime};

use bedrock_auth::testing::Sandbox;
use bedrock_auth::{
    AuthBuilder, AuthManager, ErrorKind, SecretString, custom::FreshCredentials, error::BoxError,
    modes::AssumeRole, modes::StaticSource, modes::WantsMode,
};
use tokio::sync::OnceCell;

const ACCOUNT: &str = "123456789012";
const EXTERNAL_ID: &str = "tenant-4242-external-id";

/// What the setup made.
struct Fixture {
    endpoint: String,
    user_arn: String,
    access_key_id: String,
    secret: String,
    /// Trusts the user, with the external id as a condition.
    role_with_external_id: String,
    /// Trusts the user, no condition.
    role: String,
    /// Trusts another principal only.
    foreign_role: String,
    /// Trusts the user to assume it and to tag its sessions (`sts:TagSession`).
    tagged_role: String,
}

static FIXTURE: OnceCell<Option<Fixture>> = OnceCell::const_new();

/// The moto server's fixture, or `None` (with a message) when there is no moto to test against.
async fn fixture() -> Option<&'static Fixture> {
    FIXTURE
        .get_or_init(|| async {
            let Ok(endpoint) = std::env::var("MOTO_ENDPOINT") else {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "CI must run the moto conformance tests: MOTO_ENDPOINT is not set (.ci/run \
                     starts moto server and sets it)"
                );
                eprintln!(
                    "moto conformance tests skipped: MOTO_ENDPOINT is not set. Install and start \
                     moto server, then set it (see tests/it/moto_conformance.rs):\n  python3 -m venv \
                     .moto && .moto/bin/pip install 'moto[server]==5.2.5'\n  .moto/bin/moto_server \
                     -H 127.0.0.1 -p 5055 &\n  MOTO_ENDPOINT=http://127.0.0.1:5055 cargo test \
                     --test moto_conformance"
                );
                return None;
            };
            Some(
                tokio::task::spawn_blocking(move || setup(endpoint))
                    .await
                    .unwrap(),
            )
        })
        .await
        .as_ref()
}

/// Skips the test (returns) when there is no moto.
macro_rules! moto {
    () => {
        match fixture().await {
            Some(fixture) => fixture,
            None => return,
        }
    };
}

fn setup(endpoint: String) -> Fixture {
    let run = format!(
        "{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis()
    );
    let user = format!("bedrock-auth-{run}");
    let trust_to = |principal: &str, action: &str, external_id: Option<&str>| {
        let condition = external_id.map_or(String::new(), |id| {
            format!(r#","Condition":{{"StringEquals":{{"sts:ExternalId":"{id}"}}}}"#)
        });
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":{action}{condition}}}]}}"#
        )
    };
    let trust =
        |principal: &str, external_id| trust_to(principal, r#""sts:AssumeRole""#, external_id);
    let user_arn = format!("arn:aws:iam::{ACCOUNT}:user/{user}");
    let roles = [
        (
            format!("with-external-id-{run}"),
            trust(&user_arn, Some(EXTERNAL_ID)),
        ),
        (format!("plain-{run}"), trust(&user_arn, None)),
        (
            format!("foreign-{run}"),
            trust(&format!("arn:aws:iam::{ACCOUNT}:user/someone-else"), None),
        ),
        (
            format!("tagged-{run}"),
            trust_to(&user_arn, r#"["sts:AssumeRole","sts:TagSession"]"#, None),
        ),
    ];
    let allow_assume = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#;

    // Exactly the requests below go through unauthenticated.
    let (status, body) = http(&endpoint, "/moto-api/reset-auth", None, "7");
    assert_eq!(status, 200, "moto's reset-auth: {body}");
    let iam = |params: &[(&str, &str)]| {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("Version", "2010-05-08");
        for (k, v) in params {
            form.append_pair(k, v);
        }
        let (status, body) = http(&endpoint, "/", Some("iam"), &form.finish());
        assert_eq!(status, 200, "IAM {params:?}: {body}");
        body
    };
    iam(&[("Action", "CreateUser"), ("UserName", &user)]);
    let key = iam(&[("Action", "CreateAccessKey"), ("UserName", &user)]);
    iam(&[
        ("Action", "PutUserPolicy"),
        ("UserName", &user),
        ("PolicyName", "assume-roles"),
        ("PolicyDocument", allow_assume),
    ]);
    for (name, policy) in &roles {
        iam(&[
            ("Action", "CreateRole"),
            ("RoleName", name),
            ("AssumeRolePolicyDocument", policy),
        ]);
    }
    let element = |name: &str| {
        let start = key.find(&format!("<{name}>")).unwrap() + name.len() + 2;
        let end = start + key[start..].find(&format!("</{name}>")).unwrap();
        key[start..end].to_owned()
    };
    let role_arn = |name: &str| format!("arn:aws:iam::{ACCOUNT}:role/{name}");
    Fixture {
        access_key_id: element("AccessKeyId"),
        secret: element("SecretAccessKey"),
        user_arn,
        role_with_external_id: role_arn(&roles[0].0),
        role: role_arn(&roles[1].0),
        foreign_role: role_arn(&roles[2].0),
        tagged_role: role_arn(&roles[3].0),
        endpoint,
    }
}

/// One HTTP/1.1 POST, with a SigV4-shaped `Authorization` naming `service` (moto routes on
/// its credential scope; the signature is not checked for the setup requests).
fn http(endpoint: &str, path: &str, service: Option<&str>, body: &str) -> (u16, String) {
    let authority = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let auth = service.map_or(String::new(), |service| {
        format!(
            "Authorization: AWS4-HMAC-SHA256 Credential=AKIDSETUP0000000/20260101/us-east-1/\
             {service}/aws4_request, SignedHeaders=host, Signature=00\r\n"
        )
    });
    // A form for the AWS APIs; moto's own API reads the raw body, which a form type hides.
    let content_type = if service.is_some() {
        "application/x-www-form-urlencoded"
    } else {
        "text/plain"
    };
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\n{auth}Content-Type: {content_type}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_owned());
    (status, body)
}

/// A builder pointed at moto, in a sandbox of its own with `vars` and `files`, that can reach
/// moto over plain HTTP.
fn builder(fixture: &Fixture, sandbox: Sandbox) -> AuthBuilder<WantsMode> {
    let sandbox = sandbox
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .http_client(aws_smithy_http_client::Builder::new().build_http());
    AuthManager::builder()
        .region("us-east-1")
        .endpoint_url(fixture.endpoint.as_str())
        .max_attempts(1)
        .sandbox(sandbox)
}

fn key_vars(fixture: &Fixture) -> Sandbox {
    Sandbox::new()
        .env("AWS_ACCESS_KEY_ID", &fixture.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &fixture.secret)
}

#[tokio::test]
async fn every_sigv4_mode_validates_against_moto() {
    let fixture = moto!();
    let secret = || SecretString::from(fixture.secret.as_str());
    let profile = Sandbox::new().env("HOME", "/home/test").file(
        "/home/test/.aws/credentials",
        format!(
            "[moto]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            fixture.access_key_id, fixture.secret
        ),
    );
    let (id, source_secret) = (fixture.access_key_id.clone(), fixture.secret.clone());
    let source = move || {
        let (id, secret) = (id.clone(), source_secret.clone());
        async move {
            Ok::<_, BoxError>(FreshCredentials::new(
                id.parse()?,
                SecretString::from(secret),
            ))
        }
    };
    let managers = [
        builder(fixture, Sandbox::new())
            .static_credentials(fixture.access_key_id.as_str(), secret())
            .build()
            .unwrap(),
        builder(fixture, key_vars(fixture))
            .environment()
            .build()
            .unwrap(),
        builder(fixture, profile).profile("moto").build().unwrap(),
        builder(fixture, key_vars(fixture)).auto().build().unwrap(),
        builder(fixture, Sandbox::new())
            .credential_source(source)
            .build()
            .unwrap(),
    ];
    for manager in &managers {
        let identity = manager
            .validate()
            .await
            .unwrap_or_else(|err| panic!("{} mode: {err}", manager.mode()));
        assert_eq!(identity.arn, fixture.user_arn, "{} mode", manager.mode());
        assert_eq!(identity.account, ACCOUNT);
    }
}

#[tokio::test]
async fn assume_role_with_the_external_id_its_trust_policy_requires() {
    let fixture = moto!();
    let role = |arn: &str| {
        builder(fixture, Sandbox::new())
            .assume_role(arn)
            .session_name("conformance")
            .source_static(
                fixture.access_key_id.as_str(),
                SecretString::from(fixture.secret.as_str()),
            )
    };
    let validate = |builder: AuthBuilder<AssumeRole<StaticSource>>| async move {
        builder.build()?.validate().await
    };
    let identity = validate(role(&fixture.role_with_external_id).external_id(EXTERNAL_ID))
        .await
        .unwrap();
    let role_name = fixture.role_with_external_id.rsplit('/').next().unwrap();
    assert!(
        identity
            .arn
            .contains(&format!("assumed-role/{role_name}/conformance")),
        "{identity}"
    );

    // With another tenant's id, AWS refuses the assumption. (Without any id AWS refuses too,
    // but moto 5.2.5 lets that through: a condition on a key the request lacks passes there.
    // AWS wins: `live_auth.rs` checks that case against the embedded server.)
    let err = validate(role(&fixture.role_with_external_id).external_id("another-tenant"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RoleRefused, "{err}");
    assert!(err.message().contains("AssumeRole"), "{err}");
    assert!(!err.to_string().contains(EXTERNAL_ID), "{err}");

    // A role with no condition needs none; one that trusts someone else is refused.
    validate(role(&fixture.role)).await.unwrap();
    let err = validate(role(&fixture.foreign_role)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RoleRefused, "{err}");
    assert_eq!(err.http_status(), Some(403), "{err}");
}

#[tokio::test]
async fn session_tags_and_a_session_policy_are_taken_by_an_independent_sts() {
    let fixture = moto!();
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"arn:aws:bedrock:*::foundation-model/*"}]}"#;
    let manager = builder(fixture, Sandbox::new())
        .assume_role(fixture.tagged_role.as_str())
        .session_name("tenant-acme")
        .source_static(
            fixture.access_key_id.as_str(),
            SecretString::from(fixture.secret.as_str()),
        )
        .session_tags([("tenant", "acme"), ("cost-center", "4711")])
        .transitive_tag_keys(["tenant"])
        .session_policy(policy)
        .build()
        .unwrap();
    // moto parses the query protocol's lists and the policy, and answers with the session.
    let identity = manager.validate().await.unwrap();
    assert!(identity.arn.contains("assumed-role/"), "{identity}");
    assert!(identity.arn.ends_with("/tenant-acme"), "{identity}");
}

#[tokio::test]
async fn a_wrong_secret_and_an_unknown_key_are_invalid_credentials() {
    let fixture = moto!();
    let wrong_secret = builder(fixture, Sandbox::new())
        .static_credentials(
            fixture.access_key_id.as_str(),
            SecretString::from("not-the-secret-of-this-key-000000000000"),
        )
        .build()
        .unwrap();
    let err = wrong_secret.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err}");
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"), "{err}");
    assert!(err.message().contains("HTTP 403"), "{err}");

    let unknown = builder(fixture, Sandbox::new())
        .static_credentials(
            "AKIAUNKNOWNKEY000000",
            SecretString::from(fixture.secret.as_str()),
        )
        .build()
        .unwrap();
    let err = unknown.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err}");
    assert_eq!(err.code(), Some("InvalidClientTokenId"), "{err}");

    // The same through a role's source credentials.
    let err = builder(fixture, Sandbox::new())
        .assume_role(fixture.role.as_str())
        .source_static(
            "AKIAUNKNOWNKEY000000",
            SecretString::from(fixture.secret.as_str()),
        )
        .build()
        .unwrap()
        .validate()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err}");
    for err_text in [err.to_string(), format!("{err:?}")] {
        assert!(!err_text.contains(&fixture.secret), "{err_text}");
    }
}

/// A key that moto no longer knows (as AWS answers a deleted key: `InvalidClientTokenId`) is
/// dropped, and the next call reads the credentials file again: a rewrite with the new key is
/// used by the same manager.
#[tokio::test]
async fn a_key_moto_turns_down_is_dropped_and_the_rewritten_file_read_for_the_next_call() {
    let fixture = moto!();
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("home/.aws")).unwrap();
    let file = root.path().join("home/.aws/credentials");
    let write = |id: &str| {
        let text = format!(
            "[rotated]\naws_access_key_id = {id}\naws_secret_access_key = {}\n",
            fixture.secret
        );
        std::fs::write(&file, text).unwrap();
    };
    write("AKIADELETEDKEY000000");
    let sandbox = Sandbox::rooted_at(root.path()).env("HOME", "/home");
    let manager = builder(fixture, sandbox)
        .profile("rotated")
        .build()
        .unwrap();
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidClientTokenId"), "{err}");
    assert!(err.message().contains("reads them again"), "{err}");
    write(&fixture.access_key_id);
    assert_eq!(manager.validate().await.unwrap().arn, fixture.user_arn);
    assert_eq!(
        manager.health().credentials_resolved_because,
        Some(bedrock_auth::monitor::ResolvedBecause::Rejected)
    );
}
