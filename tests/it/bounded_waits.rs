//! Every wait on a credential source ends by the operation timeout: a profile's
//! `credential_process` that never exits, an MFA provider or a custom source that never
//! answers. The error is `timed_out` and names the source that hung, never an endpoint that
//! was not contacted; nothing is sent; waiting callers are released too.
//!
//! Each call runs under a guard far longer than the operation timeout: before the fix, these
//! calls hung until the guard failed them.

use crate::common;

use std::future::Future;
use std::time::Duration;

use bedrock_auth::testing::{Fault, LocalAws, RoleSpec};
use bedrock_auth::{
    AuthError, AuthManager, ErrorKind, RoleArn, SecretString, custom::FreshCredentials,
    error::BoxError,
};

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/BedrockAccess");
const MFA: &str = "arn:aws:iam::123456789012:mfa/ops";
const TIMEOUT: Duration = Duration::from_millis(300);

/// Fails the test if `call` has not ended after 20 times the operation timeout.
async fn bounded<T>(what: &str, call: impl Future<Output = T>) -> T {
    tokio::time::timeout(TIMEOUT * 20, call)
        .await
        .unwrap_or_else(|_| panic!("{what} hung past the operation timeout"))
}

fn assert_names(err: &AuthError, source: &str) {
    assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
    assert!(err.message().contains(source), "{err}");
    assert!(err.message().contains("nothing was sent"), "{err}");
    assert!(
        !err.message().contains("127.0.0.1") && !err.message().contains("GetCallerIdentity"),
        "names an endpoint that was not contacted: {err}"
    );
}

/// A profile `hang` whose `credential_process` sleeps far past the operation timeout.
fn hanging_profile(aws: &LocalAws) -> AuthManager {
    let config = "[profile hang]\ncredential_process = sleep 30\nregion = us-east-1\n";
    aws.builder()
        .operation_timeout(TIMEOUT)
        .profile("hang")
        .sandbox(
            aws.sandbox()
                .env("HOME", "/home/test")
                .file("/home/test/.aws/config", config),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_credential_process_that_never_exits() {
    let aws = LocalAws::start().await.unwrap();
    let manager = hanging_profile(&aws);
    let source = "credential_process of profile `hang`";

    let err = bounded("credentials()", manager.credentials())
        .await
        .unwrap_err();
    assert_names(&err, source);
    let err = bounded(
        "bedrock_api_key()",
        manager.bedrock_api_key("us-east-1", Duration::from_secs(900)),
    )
    .await
    .unwrap_err();
    assert_names(&err, source);
    // Through the SDK's own clients (their operation timeout races this crate's bound).
    let err = bounded("validate()", manager.validate()).await.unwrap_err();
    assert_names(&err, source);
    assert!(aws.requests().is_empty(), "{:?}", aws.requests());
}

#[tokio::test]
async fn a_role_whose_source_profile_never_answers() {
    let aws = LocalAws::start().await.unwrap();
    aws.add_role(RoleSpec::new(ROLE));
    let config = "[profile base]\ncredential_process = sleep 30\n";
    let manager = aws
        .builder()
        .operation_timeout(TIMEOUT)
        .assume_role(ROLE)
        .source_profile("base")
        .sandbox(
            aws.sandbox()
                .env("HOME", "/home/test")
                .file("/home/test/.aws/config", config),
        )
        .build()
        .unwrap();
    let err = bounded("validate()", manager.validate()).await.unwrap_err();
    assert_names(&err, "credential_process of profile `base`");
    assert!(aws.requests().is_empty(), "{:?}", aws.requests());
}

#[tokio::test]
async fn an_mfa_provider_that_never_answers_releases_every_waiter() {
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("ops");
    aws.add_role(RoleSpec::new(ROLE));
    let manager = aws
        .builder()
        .operation_timeout(TIMEOUT)
        .assume_role(ROLE)
        .source_static(user.access_key_id.clone(), user.secret_access_key.clone())
        .mfa(MFA, || {
            std::future::pending::<Result<SecretString, BoxError>>()
        })
        .build()
        .unwrap();
    // Eight callers at once: the first waits on the MFA provider while holding the role's
    // lock; all of them end.
    let calls = (0..8).map(|_| {
        let manager = manager.clone();
        tokio::spawn(async move { manager.validate().await })
    });
    let results = bounded("eight validate() calls", futures_join_all(calls)).await;
    for result in results {
        assert_names(&result.unwrap().unwrap_err(), MFA);
    }
    assert!(aws.requests().is_empty(), "{:?}", aws.requests());
}

#[tokio::test]
async fn a_custom_source_that_never_answers() {
    let aws = LocalAws::start().await.unwrap();
    let manager = aws
        .builder()
        .operation_timeout(TIMEOUT)
        .credential_source(std::future::pending::<Result<FreshCredentials, BoxError>>)
        .build()
        .unwrap();
    let source = "the custom credential source";
    let err = bounded("credentials()", manager.credentials())
        .await
        .unwrap_err();
    assert_names(&err, source);
    let err = bounded("refresh_credentials()", manager.refresh_credentials())
        .await
        .unwrap_err();
    assert_names(&err, source);
    // Callers at once, behind the source's one lock: all of them end.
    let calls = (0..8).map(|_| {
        let manager = manager.clone();
        tokio::spawn(async move { manager.credentials().await })
    });
    for result in bounded("eight credentials() calls", futures_join_all(calls)).await {
        assert_names(&result.unwrap().unwrap_err(), source);
    }
    let err = bounded("validate()", manager.validate()).await.unwrap_err();
    assert_names(&err, source);
    assert!(aws.requests().is_empty(), "{:?}", aws.requests());
}

#[tokio::test]
async fn a_slow_endpoint_is_still_a_network_timeout() {
    // The source answered at once; the endpoint did not: that is not the source's fault.
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("slow");
    aws.set_fault(Fault::Hang);
    let manager = aws
        .builder()
        .operation_timeout(TIMEOUT)
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()
        .unwrap();
    let err = bounded("validate()", manager.validate()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert!(err.message().contains("timed out"), "{err}");
}

/// Awaits every join handle (a tiny `join_all`, without another dependency).
async fn futures_join_all<T>(
    handles: impl IntoIterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<Result<T, tokio::task::JoinError>> {
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await);
    }
    out
}

/// A metadata service of the test's own on loopback that accepts connections and never
/// answers (as the instance metadata address does off EC2, where it is black-holed); counts
/// the connections.
async fn silent_metadata() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            held.push(socket);
        }
    });
    (endpoint, seen)
}

#[tokio::test]
async fn instance_metadata_is_given_up_on_as_botocore_is_told() {
    use std::sync::atomic::Ordering;
    let aws = LocalAws::start().await.unwrap();
    let cases = [
        // botocore's variables.
        (
            vec![
                ("AWS_METADATA_SERVICE_TIMEOUT", "0.1"),
                ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "2"),
            ],
            None,
            2,
        ),
        // The profile's keys.
        (
            vec![],
            Some("metadata_service_timeout = 0.1\nmetadata_service_num_attempts = 2\n"),
            2,
        ),
    ];
    for (vars, profile, attempts) in cases {
        let (endpoint, seen) = silent_metadata().await;
        let mut sandbox = aws
            .sandbox()
            .env("AWS_EC2_METADATA_DISABLED", "false")
            .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint)
            .env("HOME", "/home/test")
            .envs(vars.clone());
        if let Some(keys) = profile {
            sandbox = sandbox.file("/home/test/.aws/config", format!("[default]\n{keys}"));
        }
        let manager = aws.builder().auto().sandbox(sandbox).build().unwrap();
        let started = std::time::Instant::now();
        let err = bounded("validate()", manager.validate()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NoCredentials, "{vars:?}: {err}");
        // Each attempt was cut at the 100 ms asked for, not at aws-config's own 1 s (left
        // alone, aws-config makes one attempt of 1 s here).
        assert_eq!(
            seen.load(Ordering::SeqCst),
            attempts,
            "{vars:?} {profile:?}"
        );
        assert!(
            started.elapsed() < Duration::from_millis(900),
            "{:?}",
            started.elapsed()
        );
    }

    // The builder's word wins over the variables.
    let (endpoint, seen) = silent_metadata().await;
    let sandbox = aws
        .sandbox()
        .env("AWS_EC2_METADATA_DISABLED", "false")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint)
        .env("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "5");
    let manager = aws
        .builder()
        .metadata_timeout(Duration::from_millis(100))
        .metadata_attempts(3)
        .auto()
        .sandbox(sandbox)
        .build()
        .unwrap();
    let err = bounded("validate()", manager.validate()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoCredentials, "{err}");
    assert_eq!(seen.load(Ordering::SeqCst), 3);
    assert!(aws.requests().is_empty());

    // A value that cannot be read is refused, not ignored.
    let manager = aws
        .builder()
        .auto()
        .sandbox(aws.sandbox().env("AWS_METADATA_SERVICE_TIMEOUT", "fast"))
        .build()
        .unwrap();
    let err = manager.validate().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{err}");
    assert!(
        err.message().contains("AWS_METADATA_SERVICE_TIMEOUT"),
        "{err}"
    );
}

/// A model's answer is not a credential: with the operation timeout shortened to 1 s, a
/// `Converse` answered after 1.5 s arrives, through the manager's own client and through the
/// shared client with its override; a credential source that hangs, in the same configuration,
/// is still given up on at the operation timeout; and the Bedrock timeout, when set, bounds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_answer_outlasts_the_operation_timeout_and_a_hung_source_does_not() {
    let operation = Duration::from_secs(1);
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("patient");
    aws.set_fault(Fault::SlowBedrock {
        delay: operation + Duration::from_millis(500),
    });
    let manager = aws
        .builder()
        .operation_timeout(operation)
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    bounded("Converse", common::converse_with(&manager))
        .await
        .unwrap();
    assert!(started.elapsed() > operation, "the answer was not slow");
    bounded(
        "Converse",
        common::converse_as(&common::plain_http(), &manager, "us-east-1"),
    )
    .await
    .unwrap();

    let hung = aws
        .builder()
        .operation_timeout(operation)
        .credential_source(std::future::pending::<Result<FreshCredentials, BoxError>>)
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = bounded("Converse", common::converse_with(&hung))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
    assert!(started.elapsed() < operation * 3, "{:?}", started.elapsed());

    // The Bedrock timeout of its own bounds the answer.
    let impatient = aws
        .builder()
        .bedrock_timeout(Duration::from_millis(300))
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()
        .unwrap();
    let err = bounded("Converse", common::converse_with(&impatient))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert!(err.message().contains("timed out"), "{err}");
}

/// STS that never answers a role assumption is reported the same way on every path: the
/// manager's `credentials()`, `validate()`, its own Bedrock client, and the shared client with
/// its override. A `network` failure naming `STS AssumeRole` and the role, recorded in
/// `health()`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_role_assumption_is_reported_the_same_way_on_every_path_and_recorded() {
    let operation = Duration::from_millis(500);
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("patient");
    aws.add_role(RoleSpec::new(ROLE));
    aws.set_fault(Fault::Hang);
    let shared = common::plain_http();
    for path in ["credentials()", "validate()", "own client", "shared client"] {
        let manager = aws
            .builder()
            .operation_timeout(operation)
            .max_attempts(1)
            .assume_role(ROLE)
            .source_static(user.access_key_id.clone(), user.secret_access_key.clone())
            .build()
            .unwrap();
        let err = match path {
            "credentials()" => bounded(path, manager.credentials()).await.unwrap_err(),
            "validate()" => bounded(path, manager.validate()).await.unwrap_err(),
            "own client" => bounded(path, common::converse_with(&manager))
                .await
                .unwrap_err(),
            _ => bounded(path, common::converse_as(&shared, &manager, "us-east-1"))
                .await
                .unwrap_err(),
        };
        assert_eq!(err.kind(), ErrorKind::Network, "{path}: {err}");
        assert!(
            err.message().contains("STS AssumeRole") && err.message().contains(ROLE.as_str()),
            "{path}: {}",
            err.message()
        );
        assert!(err.message().contains("timed out"), "{path}: {err}");
        let health = manager.health();
        assert_eq!(
            health.last_failure_kind,
            Some(ErrorKind::Network),
            "{path}: {health:?}"
        );
    }
}
