//! Console sign-in sessions (`aws login` profiles: `login_session` in the config file, a cached
//! session under `~/.aws/login/cache/`): aws-config's own 8 login test cases
//! (`tests/data/aws-config/login-provider-test-cases.json`) run through the library in auto
//! mode with `AWS_PROFILE`, each in a sandbox rooted in a temporary directory. The refresh of
//! an expired session goes to the local server's AWS Sign-In (`CreateOAuth2Token`), which
//! answers as the cases' recorded calls do. And `bedrock-auth whoami --profile`, run as a
//! child process in a real temporary `HOME`, signs in with such a profile.

use std::path::Path;
use std::time::{Duration, SystemTime};

use bedrock_auth::testing::{LocalAws, LoginRefresh, RoleSpec, Sandbox};
use bedrock_auth::{AuthManager, ErrorKind, SecretString};
use serde_json::Value;

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/aws-config/login-provider-test-cases.json"
);

/// The clock of aws-config's runner for these cases: the refreshed keys last 900 s and
/// expire at 2025-11-19T00:15:00Z.
fn case_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_763_510_400)
}

fn cases() -> Vec<Value> {
    serde_json::from_str(&std::fs::read_to_string(CASES).expect("the cases")).expect("JSON")
}

/// Writes a case's config and cache files under `root` (seen as `/` by the sandbox, HOME
/// `/home/user`).
fn write_case(root: &Path, case: &Value) {
    let aws = root.join("home/user/.aws");
    std::fs::create_dir_all(aws.join("login/cache")).unwrap();
    std::fs::write(aws.join("config"), case["configContents"].as_str().unwrap()).unwrap();
    for (name, contents) in case["cacheContents"].as_object().unwrap() {
        std::fs::write(aws.join("login/cache").join(name), contents.to_string()).unwrap();
    }
}

/// An auto-mode manager on the machine under `root` (HOME `/home/user`, `AWS_PROFILE=signin`),
/// at the cases' clock, its AWS Sign-In at `sign_in`.
fn signed_in(root: &Path, sign_in: &str) -> AuthManager {
    let sandbox = Sandbox::rooted_at(root)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .env("HOME", "/home/user")
        .env("AWS_PROFILE", "signin")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_SIGNIN", sign_in)
        .at(case_time());
    AuthManager::builder()
        .region("us-east-1")
        .sandbox(sandbox)
        .auto()
        .build()
        .expect("a valid configuration")
}

/// The recorded Sign-In calls of a case, registered on the local server: a success answers
/// with its keys, a failure is any refresh token the server does not know (400).
fn register_calls(aws: &LocalAws, case: &Value) {
    for call in case["mockApiCalls"].as_array().into_iter().flatten() {
        let input = &call["request"]["tokenInput"];
        let Some(output) = call["response"].get("tokenOutput") else {
            continue;
        };
        let token = &output["accessToken"];
        let text = |v: &Value| v.as_str().unwrap().to_owned();
        aws.add_login_refresh(
            input["refreshToken"].as_str().unwrap(),
            LoginRefresh {
                access_key_id: text(&token["accessKeyId"]),
                secret_access_key: SecretString::from(text(&token["secretAccessKey"])),
                session_token: SecretString::from(text(&token["sessionToken"])),
                refresh_token: SecretString::from(text(&output["refreshToken"])),
                expires_in: Duration::from_secs(output["expiresIn"].as_u64().unwrap()),
            },
        );
    }
}

#[tokio::test]
async fn aws_configs_login_cases_pass_case_by_case() {
    let mut failures = Vec::new();
    let all = cases();
    assert_eq!(all.len(), 8, "aws-config's login cases");
    for case in &all {
        let name = case["documentation"].as_str().unwrap().to_owned();
        let aws = LocalAws::start().await.unwrap();
        register_calls(&aws, case);
        let root = tempfile::tempdir().unwrap();
        write_case(root.path(), case);
        let manager = signed_in(root.path(), &aws.endpoint_url());
        let got = manager.credentials().await;
        let expected = &case["outcomes"][0];
        let outcome = match (expected["result"].as_str(), got) {
            (Some("credentials"), Ok(creds)) => {
                let text = |k: &str| expected[k].as_str().unwrap().to_owned();
                let expiry = aws_smithy_types::DateTime::from_str(
                    &text("expiresAt"),
                    aws_smithy_types::date_time::Format::DateTime,
                )
                .unwrap();
                let same = creds.access_key_id() == text("accessKeyId")
                    && creds.secret_access_key() == text("secretAccessKey")
                    && creds.session_token() == Some(text("sessionToken").as_str())
                    && creds.account_id().map(|a| a.as_str()) == Some(text("accountId").as_str())
                    && creds.expiry() == Some(SystemTime::try_from(expiry).unwrap());
                same.then_some(())
                    .ok_or(format!("other credentials: {creds:?}"))
            }
            (Some("error"), Err(err)) => {
                // A typed error that says what to do (sign in again), never a panic or a hang.
                let renew = bedrock_auth::error::SignIn::new(
                    bedrock_auth::error::SignInKind::Login,
                    "signin",
                );
                match err.kind() {
                    _ if !err.hint().contains("`aws login --profile signin`") => Err(format!(
                        "no `aws login --profile signin` in the hint: {}",
                        err.hint()
                    )),
                    _ if err.sign_in() != Some(&renew) => {
                        Err(format!("the sign-in to renew: {:?}", err.sign_in()))
                    }
                    ErrorKind::NoCredentials | ErrorKind::InvalidConfig => Ok(()),
                    other => Err(format!("{other}: {err}")),
                }
            }
            (_, Ok(creds)) => Err(format!(
                "credentials where an error was expected: {creds:?}"
            )),
            (_, Err(err)) => Err(format!("[{}] {err}", err.kind())),
        };
        // A refreshed session is written back to the cache, as the AWS CLI reads it.
        let outcome = outcome.and_then(|()| match case["outcomes"].get(1) {
            Some(cache) if cache["result"] == "cacheContents" => {
                let (file, want) = cache
                    .as_object()
                    .unwrap()
                    .iter()
                    .find(|(k, _)| k.ends_with(".json"))
                    .unwrap();
                let path = root.path().join("home/user/.aws/login/cache").join(file);
                let written: Value =
                    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
                (written["accessToken"] == want["accessToken"]
                    && written["refreshToken"] == want["refreshToken"])
                    .then_some(())
                    .ok_or(format!("cache written as {written}"))
            }
            _ => Ok(()),
        });
        let refreshes = aws.count("CreateOAuth2Token");
        let recorded = case["mockApiCalls"].as_array().map_or(0, Vec::len);
        let outcome = outcome.and_then(|()| {
            (refreshes == recorded)
                .then_some(())
                .ok_or(format!("{refreshes} Sign-In calls, {recorded} recorded"))
        });
        if let Err(why) = outcome {
            failures.push(format!("{name}: {why}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The reproduction of the report: `bedrock-auth whoami --profile signin` with a profile
/// written by `aws login` and its cached session, in a real temporary `HOME`, run as a user
/// runs it: the identity of the session's keys, not "requires cargo feature(s)
/// credentials-login".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_signs_in_with_an_aws_login_profile() {
    let case = cases()
        .into_iter()
        .find(|c| c["outcomes"][0]["result"] == "credentials" && c.get("mockApiCalls").is_none())
        .expect("the valid cached session case");
    let aws = LocalAws::start().await.unwrap();
    let token = &case["outcomes"][0];
    let arn = "arn:aws:sts::012345678901:assumed-role/Admin/admin";
    let text = |k: &str| SecretString::from(token[k].as_str().unwrap().to_owned());
    aws.add_session_keys(
        arn,
        token["accessKeyId"].as_str().unwrap(),
        text("secretAccessKey"),
        text("sessionToken"),
    );
    let home = tempfile::tempdir().unwrap();
    write_case(home.path(), &case);
    let home = home.path().join("home/user");
    // The command in that HOME, reaching the local server, nothing else of the test's.
    let command = |args: &[&str]| {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_bedrock-auth"));
        command
            .args(args)
            .env_clear()
            .env("HOME", &home)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL", aws.endpoint_url())
            .env("AWS_REGION", "us-east-1");
        command
    };
    let output = command(&["whoami", "--profile", "signin", "--json"])
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["arn"], arn, "{json}");
    let secret = token["secretAccessKey"].as_str().unwrap();
    assert!(!stdout.contains(secret));

    // The same session as a role's source profile: the role is assumed with its keys.
    let role = "arn:aws:iam::012345678901:role/BedrockAccess";
    aws.add_role(RoleSpec::new(role.parse().unwrap()));
    let args = [
        "whoami",
        "--role-arn",
        role,
        "--source-profile",
        "signin",
        "--json",
    ];
    let output = command(&[&args[..], &["--session-name", "via-login"]].concat())
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let assumed = "arn:aws:sts::012345678901:assumed-role/BedrockAccess/via-login";
    assert_eq!(json["arn"], assumed, "{json}");
    let requests = aws.requests();
    let assume = requests.iter().find(|r| r.action == "AssumeRole").unwrap();
    assert_eq!(
        assume.access_key_id.as_deref(),
        token["accessKeyId"].as_str()
    );
    assert!(!stdout.contains(secret) && !stderr.contains(secret));
}

/// An expired session whose refresh cannot reach AWS Sign-In (nothing listens at its
/// endpoint): a `network` failure that does not send the user to sign in again, since the
/// session itself may be fine. It was `no_credentials`, "sign in again".
#[tokio::test]
async fn an_unreachable_sign_in_is_not_a_reason_to_sign_in_again() {
    let case = cases()
        .into_iter()
        .find(|c| c["outcomes"][0]["result"] == "credentials" && c.get("mockApiCalls").is_some())
        .expect("the refresh case");
    let root = tempfile::tempdir().unwrap();
    write_case(root.path(), &case);
    // A port that was free a moment ago: the connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let manager = signed_in(root.path(), &format!("http://127.0.0.1:{port}"));
    let err = manager.credentials().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert!(
        err.message().contains("Connection refused"),
        "{}",
        err.message()
    );
    assert!(
        err.hint().contains("AWS Sign-In could not be reached"),
        "{}",
        err.hint()
    );
    assert_eq!(err.sign_in(), None, "nothing to renew: {err}");
}
