//! Credentials that change underneath a running manager: `refresh_credentials()` in every
//! mode (and how often it reads the source), credentials AWS turns down (`ExpiredToken`,
//! `InvalidClientTokenId`) dropped once and read again for the next call, and `health()`
//! saying when and why they were last resolved.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bedrock_auth::monitor::ResolvedBecause;
use bedrock_auth::testing::{LocalAws, RoleSpec, Sandbox, TestUser};
use bedrock_auth::{AuthManager, ErrorKind, RoleArn, custom::FreshCredentials, error::BoxError};

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/Renewed");

/// A world whose `/` is `root` and whose `HOME` is `/home`, reaching the local server.
pub(super) fn rooted(root: &Path) -> Sandbox {
    Sandbox::rooted_at(root)
        .env("HOME", "/home")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .http_client(aws_smithy_http_client::Builder::new().build_http())
}

/// Writes `user`'s keys as the `[default]` and `[tenant]` profiles of `root`'s credentials file.
fn write_credentials(root: &Path, user: &TestUser) {
    let dir = root.join("home/.aws");
    std::fs::create_dir_all(&dir).unwrap();
    let keys = format!(
        "aws_access_key_id = {}\naws_secret_access_key = {}\n",
        user.access_key_id.as_str(),
        bedrock_auth::ExposeSecret::expose_secret(&user.secret_access_key)
    );
    let text = format!("[default]\n{keys}[tenant]\n{keys}");
    std::fs::write(dir.join("credentials"), text).unwrap();
}

/// Writes `user`'s keys to `path` as a `credential_process` prints them.
fn write_process_answer(path: &Path, user: &TestUser) {
    let output = serde_json::json!({
        "Version": 1,
        "AccessKeyId": user.access_key_id.as_str(),
        "SecretAccessKey": bedrock_auth::ExposeSecret::expose_secret(&user.secret_access_key),
    });
    std::fs::write(path, output.to_string()).unwrap();
}

/// A manager of the profile `vault` of `root`, whose `credential_process` is `command`.
fn process_profile(aws: &LocalAws, root: &Path, command: &str) -> AuthManager {
    let config = format!("[profile vault]\ncredential_process = {command}\n");
    std::fs::create_dir_all(root.join("home/.aws")).unwrap();
    std::fs::write(root.join("home/.aws/config"), config).unwrap();
    aws.builder()
        .sandbox(rooted(root))
        .profile("vault")
        .build()
        .unwrap()
}

fn resolved_because(manager: &AuthManager) -> Option<ResolvedBecause> {
    manager.health().credentials_resolved_because
}

#[tokio::test]
async fn refresh_reads_the_shared_files_again_in_profile_and_auto_mode() {
    let aws = LocalAws::start().await.unwrap();
    let (alice, bob) = (aws.add_user("alice"), aws.add_user("bob"));
    let root = tempfile::tempdir().unwrap();
    write_credentials(root.path(), &alice);
    let profile = aws
        .builder()
        .sandbox(rooted(root.path()))
        .profile("tenant")
        .build()
        .unwrap();
    let auto = aws
        .builder()
        .sandbox(rooted(root.path()))
        .auto()
        .build()
        .unwrap();
    for manager in [&profile, &auto] {
        assert_eq!(manager.validate().await.unwrap().arn, alice.arn);
        assert_eq!(resolved_because(manager), Some(ResolvedBecause::FirstUse));
    }
    write_credentials(root.path(), &bob);
    for manager in [&profile, &auto] {
        manager.refresh_credentials().await.unwrap();
        assert_eq!(manager.validate().await.unwrap().arn, bob.arn);
        let health = manager.health();
        assert_eq!(health.refreshes, 1, "{health:?}");
        assert_eq!(
            health.credentials_resolved_because,
            Some(ResolvedBecause::Refresh)
        );
        assert!(health.credentials_resolved_at.is_some());
    }
}

#[tokio::test]
async fn refresh_runs_a_credential_process_once() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let root = tempfile::tempdir().unwrap();
    let runs = root.path().join("runs");
    let answer = root.path().join("answer.json");
    write_process_answer(&answer, &alice);
    let command = format!(
        "sh -c 'echo run >> {} && cat {}'",
        runs.display(),
        answer.display()
    );
    let manager = process_profile(&aws, root.path(), &command);
    let count = || std::fs::read_to_string(&runs).unwrap().lines().count();
    manager.validate().await.unwrap();
    manager.validate().await.unwrap();
    assert_eq!(count(), 1, "cached");
    manager.refresh_credentials().await.unwrap();
    assert_eq!(count(), 2, "one run per refresh");
    manager.validate().await.unwrap();
    assert_eq!(count(), 2);
}

#[tokio::test]
async fn refresh_assumes_the_role_once_with_its_source_read_again() {
    let aws = LocalAws::start().await.unwrap();
    let ops = aws.add_user("ops");
    aws.add_role(RoleSpec::new(ROLE));
    let manager = aws
        .builder()
        .assume_role(ROLE)
        .source_static(ops.access_key_id.clone(), ops.secret_access_key.clone())
        .build()
        .unwrap();
    manager.validate().await.unwrap();
    assert_eq!(aws.count("AssumeRole"), 1);
    let mut refreshes = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let manager = manager.clone();
        refreshes.spawn(async move { manager.refresh_credentials().await });
    }
    while let Some(done) = refreshes.join_next().await {
        done.unwrap().unwrap();
    }
    assert_eq!(aws.count("AssumeRole"), 6, "one assumption per refresh");
    manager.validate().await.unwrap();
    assert_eq!(aws.count("AssumeRole"), 6, "the refreshed session is used");
    assert_eq!(resolved_because(&manager), Some(ResolvedBecause::Refresh));
}

#[tokio::test]
async fn refresh_in_the_modes_without_a_source_to_read_again() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let (id, secret) = (alice.access_key_id.clone(), alice.secret_access_key.clone());
    let keys = [
        ("AWS_ACCESS_KEY_ID", id.as_str().to_owned()),
        ("AWS_SECRET_ACCESS_KEY", {
            bedrock_auth::ExposeSecret::expose_secret(&secret).to_owned()
        }),
    ];
    let environment = aws
        .builder()
        .sandbox(aws.sandbox().envs(keys))
        .environment()
        .build()
        .unwrap();
    let fixed = aws
        .builder()
        .static_credentials(id, secret)
        .build()
        .unwrap();
    for manager in [&environment, &fixed] {
        manager.refresh_credentials().await.unwrap();
        assert_eq!(manager.validate().await.unwrap().arn, alice.arn);
        assert_eq!(resolved_because(manager), Some(ResolvedBecause::Refresh));
    }
    // An API key is set on each Bedrock client: nothing to read, nothing sent.
    let key = aws.add_api_key(&alice);
    let api_key = aws.builder().api_key(key).build().unwrap();
    api_key.refresh_credentials().await.unwrap();
    assert_eq!(aws.count("GetCallerIdentity"), 2);
    assert_eq!(aws.requests().len(), 2);
}

#[tokio::test]
async fn a_refresh_that_fails_says_what_the_source_said() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let sealed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = sealed.clone();
    let manager = aws
        .builder()
        .credential_source(move || {
            let (sealed, alice) = (flag.load(Ordering::SeqCst), alice.clone());
            async move {
                if sealed {
                    return Err::<FreshCredentials, BoxError>("vault sealed".into());
                }
                Ok(FreshCredentials::new(
                    alice.access_key_id,
                    alice.secret_access_key,
                ))
            }
        })
        .build()
        .unwrap();
    manager.validate().await.unwrap();
    sealed.store(true, Ordering::SeqCst);
    let err = manager.refresh_credentials().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoCredentials);
    assert!(err.to_string().contains("vault sealed"), "{err}");
    // The old credentials were dropped: the next call asks the source again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let err = manager.validate().await.unwrap_err();
    assert!(err.to_string().contains("vault sealed"), "{err}");
}

/// A role manager whose session the server expires after the first validation.
async fn expired_session(aws: &LocalAws) -> AuthManager {
    let ops = aws.add_user("ops");
    aws.add_role(RoleSpec::new(ROLE));
    let manager = aws
        .builder()
        .assume_role(ROLE)
        .source_static(ops.access_key_id.clone(), ops.secret_access_key.clone())
        .build()
        .unwrap();
    manager.validate().await.unwrap();
    let session = manager.credentials().await.unwrap();
    assert!(aws.expire_key(session.access_key_id()));
    manager
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_sts_calls_expired_are_read_again_once_for_many_callers() {
    let aws = LocalAws::start().await.unwrap();
    let manager = expired_session(&aws).await;
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ExpiredCredentials);
    assert_eq!(err.code(), Some("ExpiredToken"));
    assert!(err.message().contains("reads them again"), "{err}");
    assert_eq!(aws.count("AssumeRole"), 1, "no retry inside the call");

    let mut callers = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let manager = manager.clone();
        callers.spawn(async move { manager.validate().await });
    }
    while let Some(done) = callers.join_next().await {
        done.unwrap().unwrap();
    }
    assert_eq!(aws.count("AssumeRole"), 2, "one new session for 50 callers");
    let health = manager.health();
    assert_eq!(
        health.credentials_resolved_because,
        Some(ResolvedBecause::Rejected)
    );
    assert_eq!(health.refreshes, 1, "{health:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_bedrock_calls_expired_are_read_again_once_for_many_callers() {
    let aws = LocalAws::start().await.unwrap();
    let manager = expired_session(&aws).await;
    let client = manager.bedrock_client("us-east-1").await.unwrap();
    let converse = |client: aws_sdk_bedrockruntime::Client| async move {
        let message = aws_sdk_bedrockruntime::types::Message::builder()
            .role(aws_sdk_bedrockruntime::types::ConversationRole::User)
            .content(aws_sdk_bedrockruntime::types::ContentBlock::Text(
                "hi".into(),
            ))
            .build()
            .unwrap();
        client
            .converse()
            .model_id("anthropic.claude-3-haiku-20240307-v1:0")
            .messages(message)
            .send()
            .await
    };
    let err = converse(client.clone()).await.unwrap_err();
    let code = aws_sdk_bedrockruntime::error::ProvideErrorMetadata::code(&err);
    assert_eq!(code, Some("ExpiredTokenException"));
    let mut callers = tokio::task::JoinSet::new();
    for _ in 0..50 {
        callers.spawn(converse(client.clone()));
    }
    while let Some(done) = callers.join_next().await {
        done.unwrap().unwrap();
    }
    assert_eq!(aws.count("AssumeRole"), 2, "one new session for 50 callers");
    assert_eq!(aws.count("Converse"), 51);
}

#[tokio::test]
async fn a_source_that_keeps_handing_out_a_deleted_key_does_not_loop() {
    let aws = LocalAws::start().await.unwrap();
    let gone = aws.add_user("gone");
    assert!(aws.delete_key(gone.access_key_id.as_str()));
    let fetches = Arc::new(AtomicUsize::new(0));
    let counter = fetches.clone();
    let manager = aws
        .builder()
        .credential_source(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            let gone = gone.clone();
            async move {
                Ok::<_, BoxError>(FreshCredentials::new(
                    gone.access_key_id,
                    gone.secret_access_key,
                ))
            }
        })
        .build()
        .unwrap();
    for call in 1..=3 {
        let err = manager.validate().await.unwrap_err();
        assert_eq!(err.code(), Some("InvalidClientTokenId"));
        assert!(err.message().contains("reads them again"), "{err}");
        assert_eq!(fetches.load(Ordering::SeqCst), call, "one read per call");
        assert_eq!(aws.count("GetCallerIdentity"), call, "one request per call");
    }
}

#[tokio::test]
async fn a_wrong_secret_is_not_a_reason_to_read_the_source_again() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let fetches = Arc::new(AtomicUsize::new(0));
    let counter = fetches.clone();
    let manager = aws
        .builder()
        .credential_source(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            let id = alice.access_key_id.clone();
            async move { Ok::<_, BoxError>(FreshCredentials::new(id, "wrong".into())) }
        })
        .build()
        .unwrap();
    for _ in 0..3 {
        let err = manager.validate().await.unwrap_err();
        assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
        assert!(!err.message().contains("reads them again"), "{err}");
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
}

/// Waits until `check` holds, for at most 5 s: a file check runs every 100 ms here.
pub(super) async fn eventually(mut check: impl AsyncFnMut() -> bool) -> bool {
    for _ in 0..50 {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// A profile-mode manager on `root`'s credentials file (with `user`'s keys, validated), its
/// files checked every 100 ms.
async fn watched_profile(aws: &LocalAws, root: &Path, user: &TestUser) -> AuthManager {
    write_credentials(root, user);
    let sandbox = rooted(root).file_check_interval(Duration::from_millis(100));
    let manager = aws
        .builder()
        .sandbox(sandbox)
        .profile("tenant")
        .build()
        .unwrap();
    assert_eq!(manager.validate().await.unwrap().arn, user.arn);
    manager
}

/// Fails unless `manager` resolves its credentials again for a file change within 5 s.
async fn assert_switched_by_a_file(manager: &AuthManager) {
    let switched = eventually(async || {
        manager.health().credentials_resolved_because == Some(ResolvedBecause::FileChanged)
    })
    .await;
    assert!(switched, "{:?}", manager.health());
}

#[tokio::test]
async fn a_rewritten_credentials_file_is_used_by_the_same_manager() {
    let aws = LocalAws::start().await.unwrap();
    let (alice, bob) = (aws.add_user("alice"), aws.add_user("bob"));
    let root = tempfile::tempdir().unwrap();
    let manager = watched_profile(&aws, root.path(), &alice).await;
    // As saml2aws, granted and `aws_signing_helper update` do: the file rewritten in place.
    write_credentials(root.path(), &bob);
    assert_switched_by_a_file(&manager).await;
    assert_eq!(manager.validate().await.unwrap().arn, bob.arn);
    assert_eq!(manager.health().refreshes, 1);
    // No change, no new read.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(manager.health().refreshes, 1);
}

#[tokio::test]
async fn a_file_caught_half_written_leaves_the_old_credentials_in_use() {
    let aws = LocalAws::start().await.unwrap();
    let (alice, bob) = (aws.add_user("alice"), aws.add_user("bob"));
    let root = tempfile::tempdir().unwrap();
    let manager = watched_profile(&aws, root.path(), &alice).await;
    let file = root.path().join("home/.aws/credentials");
    std::fs::write(&file, "[tenant]\naws_access_key_id = AKIA").unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(manager.validate().await.unwrap().arn, alice.arn);
    write_credentials(root.path(), &bob);
    assert_switched_by_a_file(&manager).await;
    assert_eq!(manager.validate().await.unwrap().arn, bob.arn);
}

#[tokio::test]
async fn a_role_whose_source_profile_is_rewritten_is_assumed_again_with_the_new_keys() {
    let aws = LocalAws::start().await.unwrap();
    let (alice, bob) = (aws.add_user("alice"), aws.add_user("bob"));
    aws.add_role(RoleSpec::new(ROLE));
    let root = tempfile::tempdir().unwrap();
    write_credentials(root.path(), &alice);
    let sandbox = rooted(root.path()).file_check_interval(Duration::from_millis(100));
    let manager = aws
        .builder()
        .sandbox(sandbox)
        .assume_role(ROLE)
        .source_profile("tenant")
        .build()
        .unwrap();
    manager.validate().await.unwrap();
    write_credentials(root.path(), &bob);
    let assumed = eventually(async || aws.count("AssumeRole") == 2).await;
    assert!(assumed, "{:?}", manager.health());
    let signers: Vec<_> = aws
        .requests()
        .into_iter()
        .filter(|r| r.action == "AssumeRole")
        .map(|r| r.access_key_id.unwrap())
        .collect();
    let expected = [&alice, &bob].map(|u| u.access_key_id.as_str().to_owned());
    assert_eq!(signers, expected);
}

#[tokio::test]
async fn a_replaced_secret_file_of_a_configuration_is_used_by_the_same_manager() {
    let aws = LocalAws::start().await.unwrap();
    let root = tempfile::tempdir().unwrap();
    let alice = aws.add_user("alice");
    let secret = |user: &TestUser| {
        bedrock_auth::ExposeSecret::expose_secret(&user.secret_access_key).to_owned()
    };
    std::fs::create_dir_all(root.path().join("run/secrets")).unwrap();
    let file = root.path().join("run/secrets/bedrock");
    std::fs::write(&file, secret(&alice)).unwrap();
    // The key rotated as Kubernetes rotates a mounted secret: a new file in place of the old.
    let bob = aws.add_user_with_key(
        "123456789012",
        "bob",
        alice.access_key_id.clone(),
        bedrock_auth::SecretString::from("rotated/secret"),
    );
    let toml = format!(
        "mode = \"static\"\nregion = \"us-east-1\"\nendpoint_url = \"{}\"\n\
         access_key_id = \"{}\"\nsecret_access_key = {{ file = \"/run/secrets/bedrock\" }}\n",
        aws.endpoint_url(),
        alice.access_key_id.as_str()
    );
    let sandbox = rooted(root.path()).file_check_interval(Duration::from_millis(100));
    let config = bedrock_auth::AuthConfig::from_toml(&toml)
        .unwrap()
        .sandbox(sandbox);
    let manager = AuthManager::from_config(&config).unwrap();
    // The server now knows the key by its new secret only.
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
    let replacement = root.path().join("run/secrets/bedrock.new");
    std::fs::write(&replacement, secret(&bob)).unwrap();
    std::fs::rename(&replacement, &file).unwrap();
    assert_switched_by_a_file(&manager).await;
    assert_eq!(manager.validate().await.unwrap().arn, bob.arn);
}

#[tokio::test]
async fn a_credential_process_whose_key_was_deleted_is_run_again_for_the_next_call() {
    let aws = LocalAws::start().await.unwrap();
    let (alice, bob) = (aws.add_user("alice"), aws.add_user("bob"));
    let root = tempfile::tempdir().unwrap();
    let answer = root.path().join("answer.json");
    write_process_answer(&answer, &alice);
    let command = format!("cat {}", answer.display());
    let manager = process_profile(&aws, root.path(), &command);
    assert_eq!(manager.validate().await.unwrap().arn, alice.arn);
    // The vault rotated the key: the old one deleted, the process now answers the new one.
    assert!(aws.delete_key(alice.access_key_id.as_str()));
    write_process_answer(&answer, &bob);
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidClientTokenId"));
    assert_eq!(manager.validate().await.unwrap().arn, bob.arn);
    assert_eq!(resolved_because(&manager), Some(ResolvedBecause::Rejected));
}
