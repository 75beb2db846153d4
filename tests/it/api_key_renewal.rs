//! An API key that changes underneath a running manager in API-key mode: read again from its
//! file or variable on `refresh_credentials()`, when its file is replaced, when Bedrock turns it
//! down (once per refusal, for many callers), and when a short-term key has expired; a key given
//! in code is sent as it is.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bedrock_auth::monitor::ResolvedBecause;
use bedrock_auth::testing::{LocalAws, TestUser};
use bedrock_auth::{AuthConfig, AuthManager, ErrorKind, ExposeSecret, SecretString};

use super::common::{converse, signed_key, two_keys};
use super::renewal::{eventually, rooted};

/// Where the key file is, in the world and on disk.
const KEY_FILE: &str = "/run/secrets/bedrock-key";

fn key_file(root: &Path) -> PathBuf {
    root.join(KEY_FILE.trim_start_matches('/'))
}

/// Replaces the key file as Kubernetes rotates a mounted secret: a new file in its place.
fn write_key(root: &Path, key: &str) {
    let file = key_file(root);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let new = file.with_extension("new");
    std::fs::write(&new, format!("{key}\n")).unwrap();
    std::fs::rename(new, file).unwrap();
}

/// An API-key manager made from a configuration that reads its key from [`KEY_FILE`], which
/// holds `key`; its files checked every `every` (`None`: every 30 s, that is never in a test).
fn key_file_manager(
    aws: &LocalAws,
    root: &Path,
    key: &str,
    every: Option<Duration>,
) -> AuthManager {
    write_key(root, key);
    let toml = format!(
        "mode = \"api_key\"\nregion = \"us-east-1\"\nendpoint_url = \"{}\"\n\
         api_key = {{ file = \"{KEY_FILE}\" }}\n",
        aws.endpoint_url()
    );
    let sandbox = match every {
        Some(every) => rooted(root).file_check_interval(every),
        None => rooted(root),
    };
    let config = AuthConfig::from_toml(&toml).unwrap().sandbox(sandbox);
    AuthManager::from_config(&config).unwrap()
}

/// The users whose API keys the Bedrock calls so far sent, in order.
fn bearer_owners(aws: &LocalAws) -> Vec<String> {
    let requests = aws
        .requests()
        .into_iter()
        .filter(|r| r.service == "bedrock");
    requests
        .map(|r| r.access_key_id.unwrap_or_default())
        .collect()
}

fn id(user: &TestUser) -> String {
    user.access_key_id.as_str().to_owned()
}

/// A long-term API key of a new user, revoked.
fn revoked_key(aws: &LocalAws) -> SecretString {
    let key = aws.add_api_key(&aws.add_user("alice"));
    assert!(aws.revoke_api_key(&key));
    key
}

fn because(manager: &AuthManager) -> Option<ResolvedBecause> {
    manager.health().credentials_resolved_because
}

#[tokio::test]
async fn refresh_reads_a_key_file_again_and_the_next_call_sends_the_new_key() {
    let aws = LocalAws::start().await.unwrap();
    let ([alice, bob], [old, new]) = two_keys(&aws);
    let root = tempfile::tempdir().unwrap();
    let manager = key_file_manager(&aws, root.path(), old.expose_secret(), None);
    manager.validate().await.unwrap();
    assert_eq!(because(&manager), Some(ResolvedBecause::FirstUse));
    write_key(root.path(), new.expose_secret());
    manager.refresh_credentials().await.unwrap();
    assert_eq!(because(&manager), Some(ResolvedBecause::Refresh));
    assert_eq!(
        aws.requests().len(),
        1,
        "a refresh reads, and sends nothing"
    );
    // The cached client of the region, made before, sends the new key.
    let client = manager.bedrock_client("us-east-1").await.unwrap();
    converse(&client).await.unwrap();
    manager.validate().await.unwrap();
    assert_eq!(bearer_owners(&aws), [id(&alice), id(&bob), id(&bob)]);
    assert_eq!(manager.health().refreshes, 1);
}

#[tokio::test]
async fn refresh_reads_the_variable_again_and_a_key_given_in_code_is_kept() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let key = aws.add_api_key(&alice);
    let sandbox = aws
        .sandbox()
        .env("AWS_BEARER_TOKEN_BEDROCK", key.expose_secret());
    let from_env = aws
        .builder()
        .sandbox(sandbox)
        .api_key_from_env()
        .build()
        .unwrap();
    from_env.validate().await.unwrap();
    from_env.refresh_credentials().await.unwrap();
    assert_eq!(because(&from_env), Some(ResolvedBecause::Refresh));
    from_env.validate().await.unwrap();

    let given = aws.builder().api_key(key).build().unwrap();
    given.validate().await.unwrap();
    given.refresh_credentials().await.unwrap();
    assert_eq!(
        because(&given),
        Some(ResolvedBecause::FirstUse),
        "nothing read"
    );
    assert_eq!(given.health().refreshes, 0);
    assert_eq!(bearer_owners(&aws).len(), 3, "refreshes send nothing");
}

#[tokio::test]
async fn a_replaced_key_file_is_used_by_the_same_manager_within_the_check_interval() {
    let aws = LocalAws::start().await.unwrap();
    let ([alice, bob], [old, new]) = two_keys(&aws);
    let root = tempfile::tempdir().unwrap();
    let every = Some(Duration::from_millis(100));
    let manager = key_file_manager(&aws, root.path(), old.expose_secret(), every);
    let client = manager.bedrock_client("us-east-1").await.unwrap();
    converse(&client).await.unwrap();
    write_key(root.path(), new.expose_secret());
    let switched =
        eventually(async || because(&manager) == Some(ResolvedBecause::FileChanged)).await;
    assert!(switched, "{:?}", manager.health());
    converse(&client).await.unwrap();
    assert_eq!(bearer_owners(&aws), [id(&alice), id(&bob)]);
    // A file caught half-written (a key no header can carry) leaves the key in use.
    std::fs::write(key_file(root.path()), "ABSK-half\nwritten").unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    converse(&client).await.unwrap();
    assert_eq!(manager.health().refreshes, 1, "{:?}", manager.health());
    assert_eq!(bearer_owners(&aws).last(), Some(&id(&bob)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_key_is_dropped_once_and_read_again_for_the_next_call_of_many() {
    let aws = LocalAws::start().await.unwrap();
    let ([_, bob], [old, new]) = two_keys(&aws);
    let root = tempfile::tempdir().unwrap();
    let manager = key_file_manager(&aws, root.path(), old.expose_secret(), None);
    let client = manager.bedrock_client("us-east-1").await.unwrap();
    converse(&client).await.unwrap();
    // The operator revoked the key and wrote its successor, well before the next file check.
    assert!(aws.revoke_api_key(&old));
    write_key(root.path(), new.expose_secret());
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials);
    assert_eq!(err.code(), Some("AccessDeniedException"));
    assert!(err.message().contains("reads it again from"), "{err}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(old.expose_secret()) && !shown.contains(new.expose_secret()));

    let mut callers = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let client = client.clone();
        callers.spawn(async move { converse(&client).await });
    }
    while let Some(done) = callers.join_next().await {
        done.unwrap().unwrap();
    }
    let health = manager.health();
    assert_eq!(
        health.credentials_resolved_because,
        Some(ResolvedBecause::Rejected)
    );
    assert_eq!(health.refreshes, 1, "one read for 50 callers: {health:?}");
    let owners = bearer_owners(&aws);
    assert_eq!(owners.len(), 52, "no retry inside a call");
    assert!(owners[2..].iter().all(|owner| *owner == id(&bob)));
}

#[tokio::test]
async fn a_key_that_stays_revoked_is_read_again_once_per_refusal_and_never_loops() {
    let aws = LocalAws::start().await.unwrap();
    let key = revoked_key(&aws);
    let root = tempfile::tempdir().unwrap();
    let manager = key_file_manager(&aws, root.path(), key.expose_secret(), None);
    for _ in 0..3 {
        let err = manager.validate().await.unwrap_err();
        assert_eq!(err.code(), Some("AccessDeniedException"));
    }
    assert_eq!(aws.count("ListAsyncInvokes"), 3, "one request per call");
    assert_eq!(manager.health().refreshes, 2, "one read per refusal");
}

#[tokio::test]
async fn a_refused_key_given_in_code_is_not_dropped() {
    let aws = LocalAws::start().await.unwrap();
    let key = revoked_key(&aws);
    let manager = aws.builder().api_key(key).build().unwrap();
    for _ in 0..2 {
        let err = manager.validate().await.unwrap_err();
        assert_eq!(err.code(), Some("AccessDeniedException"));
        assert!(!err.message().contains("reads it again"), "{err}");
    }
    assert_eq!(manager.health().refreshes, 0);
}

#[tokio::test]
async fn an_expired_short_term_key_is_read_again_from_its_file() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let sign = |at| {
        let key = signed_key(&alice, "us-east-1", at, Duration::from_secs(60));
        key.token().expose_secret().to_owned()
    };
    let root = tempfile::tempdir().unwrap();
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let manager = key_file_manager(&aws, root.path(), &sign(hour_ago), None);
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ExpiredCredentials);
    // Its generator wrote a new one; the manager reads the file again at most once a second.
    write_key(root.path(), &sign(SystemTime::now()));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    manager.validate().await.unwrap();
    assert_eq!(because(&manager), Some(ResolvedBecause::Expiry));
    assert_eq!(
        aws.count("ListAsyncInvokes"),
        1,
        "the expired key was never sent"
    );
}

#[tokio::test]
async fn a_key_file_gone_at_a_refresh_is_an_error_that_names_it_and_the_old_key_is_not_sent() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let key = aws.add_api_key(&alice);
    let root = tempfile::tempdir().unwrap();
    let manager = key_file_manager(&aws, root.path(), key.expose_secret(), None);
    manager.validate().await.unwrap();
    std::fs::remove_file(key_file(root.path())).unwrap();
    let err = manager.refresh_credentials().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert!(err.to_string().contains("api_key"), "{err}");
    assert!(!format!("{err} {err:?}").contains(key.expose_secret()));
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert_eq!(aws.count("ListAsyncInvokes"), 1);
}
