//! Every wait on a credential source ends by the operation timeout: a profile's
//! `credential_process` that never exits, an MFA token source or a custom source that never
//! answers. The error is `timed_out` and names the source that hung, never an endpoint that
//! was not contacted; nothing is sent; waiting callers are released too.
//!
//! Each call runs under a guard far longer than the operation timeout: before the fix, these
//! calls hung until the guard failed them.

use std::future::Future;
use std::time::Duration;

use bedrock_auth::testing::{Fault, LocalAws, RoleSpec};
use bedrock_auth::{
    AuthError, AuthManager, BoxError, ErrorKind, FreshCredentials, RoleArn, SecretString,
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
async fn an_mfa_token_source_that_never_answers_releases_every_waiter() {
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
    // Eight callers at once: the first waits on the token source while holding the role's
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
