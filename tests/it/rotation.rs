//! Custom credential sources: fetched once for many concurrent callers, again before expiry and
//! after a forced refresh, and a Bedrock client made before a rotation signs with the new key.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use bedrock_auth::testing::{LocalAws, TestUser};
use bedrock_auth::{
    AuthManager, ErrorKind, custom::FreshCredentials, error::BoxError, modes::ModeKind,
};

/// A source that hands out `users` in turn (the last one forever), counting its calls.
fn rotating(
    aws: &LocalAws,
    users: Vec<TestUser>,
    lifetime: Option<Duration>,
) -> (AuthManager, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let users = Arc::new(users);
    let manager = aws
        .builder()
        .credential_source(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let user = users[n.min(users.len() - 1)].clone();
            async move {
                // A slow secret store: concurrent callers must wait for this one call.
                tokio::time::sleep(Duration::from_millis(50)).await;
                let mut fresh = FreshCredentials::new(user.access_key_id, user.secret_access_key);
                if let Some(lifetime) = lifetime {
                    fresh = fresh.expires_at(SystemTime::now() + lifetime);
                }
                Ok::<_, BoxError>(fresh)
            }
        })
        .build()
        .unwrap();
    (manager, calls)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_fetch_for_many_concurrent_callers() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let (manager, calls) = rotating(&aws, vec![alice.clone()], None);
    assert_eq!(manager.mode(), ModeKind::Custom);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let manager = manager.clone();
        tasks.spawn(async move { manager.validate().await.unwrap().arn });
    }
    while let Some(arn) = tasks.join_next().await {
        assert_eq!(arn.unwrap(), alice.arn);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn fetched_again_before_expiry() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let bob = aws.add_user("bob");
    // 1 s credentials are fetched again after half their life.
    let (manager, calls) = rotating(
        &aws,
        vec![alice.clone(), bob.clone()],
        Some(Duration::from_secs(1)),
    );
    assert_eq!(manager.validate().await.unwrap().arn, alice.arn);
    assert_eq!(
        manager.validate().await.unwrap().arn,
        alice.arn,
        "still cached"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(manager.validate().await.unwrap().arn, bob.arn);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_forced_refresh_reaches_cached_bedrock_clients() {
    let aws = LocalAws::start().await.unwrap();
    let old = aws.add_user("old-key");
    let new = aws.add_user("new-key");
    let (manager, calls) = rotating(&aws, vec![old.clone(), new.clone()], None);
    let client = manager.bedrock_client("us-west-2").await.unwrap();
    let ping = || async {
        let message = aws_sdk_bedrockruntime::types::Message::builder()
            .role(aws_sdk_bedrockruntime::types::ConversationRole::User)
            .content(aws_sdk_bedrockruntime::types::ContentBlock::Text(
                "ping".into(),
            ))
            .build()
            .unwrap();
        client
            .converse()
            .model_id("m")
            .messages(message)
            .send()
            .await
            .unwrap();
    };
    ping().await;
    manager.refresh_credentials().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    ping().await;
    let keys: Vec<_> = aws
        .requests()
        .into_iter()
        .map(|r| r.access_key_id.unwrap())
        .collect();
    assert_eq!(
        keys,
        [old.access_key_id.to_string(), new.access_key_id.to_string()]
    );
}

#[tokio::test]
async fn a_failing_source_fails_with_its_words() {
    let aws = LocalAws::start().await.unwrap();
    let manager = aws
        .builder()
        .credential_source(|| async { Err::<FreshCredentials, BoxError>("vault sealed".into()) })
        .build()
        .unwrap();
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoCredentials);
    assert!(err.message().contains("vault sealed"), "{err}");
    assert!(aws.requests().is_empty());
}
