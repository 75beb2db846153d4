//! Security monitoring: the health snapshot, lockout after repeated authentication failures
//! (and not after network failures or throttling), audit events, and metrics.
//!
//! The audit events are tested in `tests/logs/audit_events.rs`, a file of their own (`tracing`
//! callsites are shared by the threads of one test binary).

use super::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bedrock_auth::testing::{Fault, LocalAws, RoleSpec};
use bedrock_auth::{
    AuthManager, ErrorKind, RoleArn, SecretString, custom::FreshCredentials, error::BoxError,
};

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/BedrockAccess");
const COOL_DOWN: Duration = Duration::from_millis(300);

#[tokio::test]
async fn five_refusals_lock_out_the_sixth_call_until_the_cool_down() {
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("revoked");
    let manager = aws
        .builder()
        .lockout_after(5, COOL_DOWN)
        .static_credentials(
            user.access_key_id.clone(),
            SecretString::from("wrong-secret"),
        )
        .build()
        .unwrap();
    for attempt in 1..=5 {
        let err = manager.validate().await.unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidCredentials,
            "attempt {attempt}: {err}"
        );
    }
    assert_eq!(aws.count("GetCallerIdentity"), 5);
    let health = manager.health();
    assert_eq!(health.consecutive_failures, 5);
    assert_eq!(
        health.last_failure_kind,
        Some(ErrorKind::InvalidCredentials)
    );
    assert!(health.is_locked_out() && health.last_success.is_none());

    // The sixth call: refused at once, nothing sent; so are the other calls of the manager.
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LockedOut, "{err}");
    assert!(err.message().contains("5 authentication failures"), "{err}");
    assert!(err.message().contains("invalid_credentials"), "{err}");
    assert_eq!(
        manager.credentials().await.unwrap_err().kind(),
        ErrorKind::LockedOut
    );
    let converse = common::converse_with(&manager).await.unwrap_err();
    assert_eq!(converse.kind(), ErrorKind::LockedOut, "{converse}");
    assert_eq!(
        aws.requests().len(),
        5,
        "a locked-out manager sent something"
    );

    // After the cool-down a call goes out again (and, refused again, locks again).
    tokio::time::sleep(COOL_DOWN + Duration::from_millis(100)).await;
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err}");
    assert_eq!(aws.count("GetCallerIdentity"), 6);
    assert!(manager.health().is_locked_out());

    // reset_lockout() opens the door at once.
    manager.reset_lockout();
    assert!(!manager.health().is_locked_out());
    assert_eq!(manager.health().consecutive_failures, 0);
    assert_eq!(
        manager.validate().await.unwrap_err().kind(),
        ErrorKind::InvalidCredentials
    );
}

#[tokio::test]
async fn a_success_resets_the_count() {
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("rotating");
    let fixed = Arc::new(AtomicBool::new(false));
    let (id, secret) = (user.access_key_id.clone(), user.secret_access_key.clone());
    let source = {
        let fixed = fixed.clone();
        move || {
            let (fixed, id, secret) = (fixed.clone(), id.clone(), secret.clone());
            async move {
                let secret = if fixed.load(Ordering::SeqCst) {
                    secret
                } else {
                    SecretString::from("stale-secret")
                };
                Ok::<_, BoxError>(FreshCredentials::new(id, secret))
            }
        }
    };
    let manager = aws
        .builder()
        .lockout_after(5, COOL_DOWN)
        .credential_source(source)
        .build()
        .unwrap();
    for _ in 0..3 {
        manager.validate().await.unwrap_err();
    }
    assert_eq!(manager.health().consecutive_failures, 3);
    fixed.store(true, Ordering::SeqCst);
    manager.refresh_credentials().await.unwrap();
    let identity = manager.validate().await.unwrap();
    let health = manager.health();
    assert_eq!(health.consecutive_failures, 0);
    assert_eq!(health.principal.as_deref(), Some(identity.arn.as_str()));
    assert!(health.last_success.is_some() && health.last_failure.is_some());
    assert_eq!(health.refreshes, 1, "{health:?}");
}

#[tokio::test]
async fn network_failures_and_throttling_do_not_lock_out() {
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("busy");
    let manager = aws
        .builder()
        .lockout_after(2, COOL_DOWN)
        .max_attempts(1)
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()
        .unwrap();
    aws.set_fault(Fault::Throttling);
    for _ in 0..4 {
        let err = manager.validate().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Throttled, "{err}");
    }
    let health = manager.health();
    assert!(!health.is_locked_out());
    assert_eq!(health.consecutive_failures, 0);
    assert_eq!(health.last_failure_kind, Some(ErrorKind::Throttled));

    // Nothing listens on this port: connection refused, four times.
    let closed = common::closed_endpoint();
    let unreachable = AuthManager::builder()
        .region("us-east-1")
        .endpoint_url(closed.as_str())
        .lockout_after(2, COOL_DOWN)
        .max_attempts(1)
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .sandbox(aws.sandbox())
        .build()
        .unwrap();
    for _ in 0..4 {
        let err = unreachable.validate().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    }
    let health = unreachable.health();
    assert!(!health.is_locked_out());
    assert_eq!(health.last_failure_kind, Some(ErrorKind::Network));
}

/// A model the account may not use is a denial of that request, not a failed authentication:
/// denied calls do not lock the manager out, and a permitted model and `validate()` still
/// work; `health()` counts them apart. A refused role does count, as refused keys do.
#[tokio::test]
async fn denied_models_do_not_lock_out_and_refused_roles_do() {
    const DENIED: &str = "denied.model-v1:0";
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("tenant");
    aws.deny_model(DENIED);
    let manager = aws
        .builder()
        .lockout_after(2, COOL_DOWN)
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()
        .unwrap();
    let client = manager.bedrock_client_default().await.unwrap();
    for _ in 0..4 {
        let err = client
            .converse()
            .model_id(DENIED)
            .send()
            .await
            .map_err(|err| manager.classify_error(err, "Bedrock Converse", None))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AccessDenied, "{err}");
        assert!(err.hint().contains("model"), "{}", err.hint());
    }
    let health = manager.health();
    assert!(!health.is_locked_out(), "{health:?}");
    assert_eq!(health.consecutive_failures, 0, "{health:?}");
    assert_eq!(health.denied_requests, 4, "{health:?}");
    assert_eq!(health.last_failure_kind, Some(ErrorKind::AccessDenied));
    common::converse_with(&manager).await.unwrap();
    manager.validate().await.unwrap();

    // A role whose trust policy does not allow the source: its own kind, and it counts.
    aws.add_role(RoleSpec::new(ROLE).trust("arn:aws:iam::123456789012:user/someone-else"));
    let role = aws
        .builder()
        .lockout_after(2, COOL_DOWN)
        .assume_role(ROLE)
        .source_static(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()
        .unwrap();
    for attempt in 0..2 {
        if attempt > 0 {
            // The failure-sharing window of a refused role (1 s) would answer this call from
            // the first: wait it out, so that STS refuses twice.
            tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        }
        let err = role.validate().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RoleRefused, "{err}");
        assert!(err.hint().contains("trust policy"), "{}", err.hint());
    }
    let health = role.health();
    assert!(health.is_locked_out(), "{health:?}");
    assert_eq!(health.denied_requests, 0, "{health:?}");
    let err = role.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LockedOut, "{err}");
}

#[tokio::test]
async fn bedrock_refusals_count_and_a_locked_client_sends_nothing() {
    // A revoked API key: Bedrock's 403 through the manager's own client counts.
    let aws = LocalAws::start().await.unwrap();
    let manager = aws
        .builder()
        .lockout_after(2, COOL_DOWN)
        .api_key(SecretString::from("ABSKrevoked-key-0000"))
        .build()
        .unwrap();
    let client = manager.bedrock_client_default().await.unwrap();
    for _ in 0..2 {
        let err = common::converse_with(&manager).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err}");
    }
    assert!(manager.health().is_locked_out());
    // A client taken before the lockout is held to it too.
    let err = common::converse(&client).await.unwrap_err();
    let err = manager.classify_error(err, "Bedrock Converse", None);
    assert_eq!(err.kind(), ErrorKind::LockedOut, "{err}");
    assert_eq!(aws.count("Converse"), 2);
}

#[test]
fn metrics_through_the_facade() {
    use metrics_util::debugging::{DebugValue, DebuggingRecorder};
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    metrics::with_local_recorder(&recorder, || {
        runtime.block_on(async {
            let aws = LocalAws::start().await.unwrap();
            let user = aws.add_user("measured");
            aws.add_role(RoleSpec::new(ROLE));
            let role = aws
                .builder()
                .assume_role(ROLE)
                .source_static(user.access_key_id.clone(), user.secret_access_key.clone())
                .build()
                .unwrap();
            role.validate().await.unwrap();
            let refused = aws
                .builder()
                .static_credentials(user.access_key_id.clone(), SecretString::from("wrong"))
                .build()
                .unwrap();
            refused.validate().await.unwrap_err();
            // A role whose STS cannot be reached: one failure of the network, recorded once
            // (by the role's STS client), not again by the provider or by validate().
            let closed = common::closed_endpoint();
            let unreachable = AuthManager::builder()
                .region("us-east-1")
                .endpoint_url(closed.as_str())
                .max_attempts(1)
                .assume_role(ROLE)
                .source_static(user.access_key_id.clone(), user.secret_access_key.clone())
                .sandbox(aws.sandbox())
                .build()
                .unwrap();
            let err = unreachable.validate().await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Network, "{err}");
        });
    });
    let found: Vec<(String, Vec<String>, DebugValue)> = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| {
            let key = key.key();
            let labels = key
                .labels()
                .map(|l| format!("{}={}", l.key(), l.value()))
                .collect();
            (key.name().to_owned(), labels, value)
        })
        .collect();
    let get = |name: &str, wanted: &[&str]| {
        found
            .iter()
            .find(|(n, labels, _)| {
                n == name && wanted.iter().all(|w| labels.iter().any(|l| l == w))
            })
            .map(|(_, _, value)| value)
            .unwrap_or_else(|| panic!("no {name} {wanted:?} in {found:?}"))
    };
    let counters: [(&str, &[&str], u64); 6] = [
        ("bedrock_auth_validations_total", &["mode=assume_role"], 1),
        (
            "bedrock_auth_sts_calls_total",
            &["mode=assume_role", "operation=AssumeRole"],
            1,
        ),
        (
            "bedrock_auth_sts_calls_total",
            &["mode=assume_role", "operation=GetCallerIdentity"],
            1,
        ),
        (
            "bedrock_auth_sts_calls_total",
            &["mode=static", "operation=GetCallerIdentity"],
            1,
        ),
        (
            "bedrock_auth_failures_total",
            &["mode=static", "kind=invalid_credentials"],
            1,
        ),
        // Recorded once, by the role's STS client, not again on the way out.
        (
            "bedrock_auth_failures_total",
            &["mode=assume_role", "kind=network"],
            1,
        ),
    ];
    for (name, labels, count) in counters {
        assert_eq!(
            get(name, labels),
            &DebugValue::Counter(count),
            "{name} {labels:?}"
        );
    }
    assert!(matches!(
        get("bedrock_auth_credential_resolution_seconds", &["mode=assume_role"]),
        DebugValue::Histogram(values) if values.len() == 1
    ));
    match get(
        "bedrock_auth_credentials_expiry_seconds",
        &["mode=assume_role"],
    ) {
        DebugValue::Gauge(left) => assert!(left.into_inner() > 3000.0, "{left:?}"),
        other => panic!("{other:?}"),
    }
}
