//! Bedrock calls as applications make them: `ConverseStream`, `InvokeModel` and
//! `InvokeModelWithResponseStream`, with SigV4 and with a bearer key, through a manager's own
//! client and through the shared client with a manager's override; streams that pause, start
//! late, end with an error event, break off or fall silent. The SDK's own decoder reads every
//! frame the local server sends, so a test that gets its deltas also proves the framing.

use crate::common;

use std::time::{Duration, Instant};

use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ContentBlockDelta, ConversationRole, ConverseStreamOutput, Message,
    ResponseStream,
};
use bedrock_auth::testing::{AuthKind, Fault, LocalAws, ModelAnswer, StreamEnd};
use bedrock_auth::{AuthError, AuthManager, Classify, ErrorKind};
use common::MODEL;

/// Long enough for any of these calls on a loaded machine; a hang fails the test instead of
/// blocking the suite.
const BOUND: Duration = Duration::from_secs(60);

/// The pieces most tests stream: enough to show that order is kept.
fn pieces() -> Vec<String> {
    (0..24).map(|i| format!("t{i:02} ")).collect()
}

fn ping() -> Message {
    Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text("ping".into()))
        .build()
        .expect("a valid message")
}

/// What a stream delivered: its text deltas in order, and when the first of them came.
#[derive(Debug, Default)]
struct Streamed {
    deltas: Vec<String>,
    first_delta_after: Option<Duration>,
    stop_reason: Option<String>,
}

/// Sends a `ConverseStream` and reads it to its end, each error classified by the manager
/// (the call's and the stream's alike) through [`Classify`].
async fn converse_stream(
    manager: &AuthManager,
    client: &aws_sdk_bedrockruntime::Client,
    config: Option<aws_sdk_bedrockruntime::config::Builder>,
) -> Result<Streamed, AuthError> {
    let started = Instant::now();
    let mut call = client
        .converse_stream()
        .model_id(MODEL)
        .messages(ping())
        .customize();
    if let Some(config) = config {
        call = call.config_override(config);
    }
    // `?` through the manager: the operation is named from the SDK's error type.
    let output = call.send().await.classify(manager)?;
    let mut stream = output.stream;
    let mut streamed = Streamed::default();
    loop {
        let event = stream.recv().await.classify(manager)?;
        match event {
            None => return Ok(streamed),
            Some(ConverseStreamOutput::ContentBlockDelta(delta)) => {
                if let Some(ContentBlockDelta::Text(text)) = delta.delta {
                    streamed.first_delta_after.get_or_insert(started.elapsed());
                    streamed.deltas.push(text);
                }
            }
            Some(ConverseStreamOutput::MessageStop(stop)) => {
                streamed.stop_reason = Some(stop.stop_reason.as_str().to_owned());
            }
            Some(_) => {}
        }
    }
}

async fn bounded<T>(call: impl Future<Output = T>) -> T {
    tokio::time::timeout(BOUND, call)
        .await
        .expect("the call ended within the bound")
}

fn sigv4_manager(aws: &LocalAws) -> AuthManager {
    let user = aws.add_user("streamer");
    aws.builder()
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()
        .unwrap()
}

fn bearer_manager(aws: &LocalAws) -> AuthManager {
    let user = aws.add_user("keyholder");
    aws.builder()
        .api_key(aws.add_api_key(&user))
        .build()
        .unwrap()
}

fn assert_complete(streamed: &Streamed, expected: &[String]) {
    assert_eq!(streamed.deltas, expected, "every delta, in order");
    assert_eq!(streamed.stop_reason.as_deref(), Some("end_turn"));
}

/// The last request of `action` the server saw, and how it was authenticated.
fn last_auth(aws: &LocalAws, action: &str) -> AuthKind {
    aws.requests()
        .into_iter()
        .rev()
        .find(|r| r.action == action)
        .unwrap_or_else(|| panic!("no {action} request"))
        .auth
}

#[tokio::test]
async fn converse_stream_with_sigv4_and_a_bearer_key_delivers_every_delta_in_order() {
    let aws = LocalAws::start().await.unwrap();
    aws.set_answer(ModelAnswer::new(pieces()));
    for (manager, auth) in [
        (sigv4_manager(&aws), AuthKind::SigV4),
        (bearer_manager(&aws), AuthKind::Bearer),
    ] {
        let client = manager.bedrock_client_default().await.unwrap();
        let streamed = bounded(converse_stream(&manager, &client, None))
            .await
            .unwrap();
        assert_complete(&streamed, &pieces());
        assert_eq!(last_auth(&aws, "ConverseStream"), auth);
        assert_eq!(manager.health().consecutive_failures, 0);
    }
}

#[tokio::test]
async fn converse_stream_through_the_shared_client_with_an_override() {
    let aws = LocalAws::start().await.unwrap();
    aws.set_answer(ModelAnswer::new(pieces()));
    let shared = common::plain_http();
    for manager in [sigv4_manager(&aws), bearer_manager(&aws)] {
        let config = manager.bedrock_override("us-east-1").await.unwrap();
        let streamed = bounded(converse_stream(
            &manager,
            &shared.bedrock_client(),
            Some(config),
        ))
        .await
        .unwrap();
        assert_complete(&streamed, &pieces());
    }
    let auths: Vec<AuthKind> = aws
        .requests()
        .into_iter()
        .filter(|r| r.action == "ConverseStream")
        .map(|r| r.auth)
        .collect();
    assert_eq!(auths, [AuthKind::SigV4, AuthKind::Bearer]);
}

/// One stream read three ways at once: a SigV4 manager's own client, an API-key manager's own
/// client, and the shared client with the SigV4 manager's override. Each manager has this
/// operation timeout.
async fn three_ways(aws: &LocalAws, operation: Duration) -> [(&'static str, Streamed); 3] {
    let user = aws.add_user("three-ways");
    let sigv4 = aws
        .builder()
        .operation_timeout(operation)
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()
        .unwrap();
    let bearer = aws
        .builder()
        .operation_timeout(operation)
        .api_key(aws.add_api_key(&user))
        .build()
        .unwrap();
    let (own, keyed) = (
        sigv4.bedrock_client_default().await.unwrap(),
        bearer.bedrock_client_default().await.unwrap(),
    );
    let shared = common::plain_http().bedrock_client();
    let config = sigv4.bedrock_override("us-east-1").await.unwrap();
    let (a, b, c) = tokio::join!(
        bounded(converse_stream(&sigv4, &own, None)),
        bounded(converse_stream(&bearer, &keyed, None)),
        bounded(converse_stream(&sigv4, &shared, Some(config))),
    );
    [
        ("SigV4, own client", a.unwrap()),
        ("bearer key, own client", b.unwrap()),
        ("shared client + override", c.unwrap()),
    ]
}

/// The SDK gives up on a download that moves no byte for its stalled-stream grace period (5 s);
/// a stream is not a download, and a model that pauses longer between tokens is answered, on
/// every route.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_that_pauses_longer_than_the_stalled_stream_grace_period_completes() {
    const GRACE: Duration = Duration::from_secs(5);
    let aws = LocalAws::start().await.unwrap();
    aws.set_answer(
        ModelAnswer::new(["before ", "after"]).pause(GRACE + Duration::from_millis(700)),
    );
    let started = Instant::now();
    for (route, streamed) in three_ways(&aws, bedrock_auth::limits::DEFAULT_OPERATION_TIMEOUT).await
    {
        assert_complete(&streamed, &["before ".to_owned(), "after".to_owned()]);
        let paused = streamed.first_delta_after.unwrap();
        assert!(
            started.elapsed() > paused + GRACE,
            "{route}: the stream did not pause"
        );
    }
}

/// Credentials are bounded by the operation timeout, a model's answer is not: a stream whose
/// first event comes after the operation timeout completes, on every route.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_whose_first_event_comes_after_the_operation_timeout_completes() {
    let operation = Duration::from_secs(1);
    let aws = LocalAws::start().await.unwrap();
    aws.set_answer(ModelAnswer::new(pieces()));
    aws.set_fault(Fault::SlowBedrock {
        delay: operation + Duration::from_millis(500),
    });
    for (route, streamed) in three_ways(&aws, operation).await {
        assert!(
            streamed.first_delta_after.unwrap() > operation,
            "{route}: {streamed:?}"
        );
        assert_complete(&streamed, &pieces());
    }
}

/// An error event mid-stream is classified like any call's error, keeps what Bedrock said, and
/// is recorded by the monitor (once: `tests/logs/audit_events.rs` counts its audit events).
#[tokio::test]
async fn an_error_event_mid_stream_is_classified_and_recorded() {
    let aws = LocalAws::start().await.unwrap();
    let manager = sigv4_manager(&aws);
    let client = manager.bedrock_client_default().await.unwrap();
    for (end, kind, code) in [
        (
            StreamEnd::Throttling,
            ErrorKind::Throttled,
            "ThrottlingException",
        ),
        (
            StreamEnd::ModelStreamError,
            ErrorKind::Service,
            "ModelStreamErrorException",
        ),
    ] {
        aws.set_answer(ModelAnswer::new(["half ", "an answer"]).end(end));
        let err = bounded(converse_stream(&manager, &client, None))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{err}");
        assert_eq!(err.code(), Some(code), "{err}");
        assert!(err.message().contains("Bedrock ConverseStream"), "{err}");
        assert!(err.message().contains("stream"), "{err}");
        let health = manager.health();
        assert_eq!(health.last_failure_kind, Some(kind), "{end:?}: {health:?}");
    }
}

/// A connection closed mid-stream is a network failure of the stream, said as such.
#[tokio::test]
async fn a_stream_that_breaks_off_is_a_network_failure() {
    let aws = LocalAws::start().await.unwrap();
    aws.set_answer(ModelAnswer::new(pieces()).end(StreamEnd::HangUp));
    let manager = sigv4_manager(&aws);
    let client = manager.bedrock_client_default().await.unwrap();
    let err = bounded(converse_stream(&manager, &client, None))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert!(err.message().contains("broke off"), "{err}");
    assert_eq!(manager.health().last_failure_kind, Some(ErrorKind::Network));
}

/// A connection that dies silently mid-answer is noticed: after the Bedrock timeout with no
/// byte, the stream fails, with the timeout named.
#[tokio::test]
async fn a_stream_that_falls_silent_is_given_up_on_at_the_bedrock_timeout() {
    let bedrock_timeout = Duration::from_secs(1);
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("waiting");
    let manager = aws
        .builder()
        .bedrock_timeout(bedrock_timeout)
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()
        .unwrap();
    let client = manager.bedrock_client_default().await.unwrap();
    // The bound is on silence, not on the stream: one that lasts longer but keeps talking
    // completes.
    let talking = ["a", "b", "c", "d"].map(str::to_owned);
    aws.set_answer(ModelAnswer::new(talking.clone()).pause(bedrock_timeout / 2));
    let started = Instant::now();
    let streamed = bounded(converse_stream(&manager, &client, None))
        .await
        .unwrap();
    assert!(
        started.elapsed() > bedrock_timeout,
        "{:?}",
        started.elapsed()
    );
    assert_complete(&streamed, &talking);

    aws.set_answer(ModelAnswer::new(pieces()).end(StreamEnd::Silence));
    let started = Instant::now();
    let err = bounded(converse_stream(&manager, &client, None))
        .await
        .unwrap_err();
    let waited = started.elapsed();
    assert!(waited >= bedrock_timeout, "{waited:?}");
    assert!(waited < bedrock_timeout * 10, "{waited:?}");
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert!(err.message().contains("no byte"), "{err}");
}

/// `InvokeModel`, with SigV4 and with a bearer key: the model's own JSON.
#[tokio::test]
async fn invoke_model_with_sigv4_and_a_bearer_key() {
    let aws = LocalAws::start().await.unwrap();
    aws.set_answer(ModelAnswer::new(["po", "ng"]));
    for (manager, auth) in [
        (sigv4_manager(&aws), AuthKind::SigV4),
        (bearer_manager(&aws), AuthKind::Bearer),
    ] {
        let client = manager.bedrock_client_default().await.unwrap();
        let output = bounded(
            client
                .invoke_model()
                .model_id(MODEL)
                .content_type("application/json")
                .body(Blob::new(claude_request()))
                .send(),
        )
        .await
        .classify(&manager)
        .unwrap();
        let body: serde_json::Value = serde_json::from_slice(output.body.as_ref()).unwrap();
        assert_eq!(body["content"][0]["text"], "pong", "{body}");
        assert_eq!(last_auth(&aws, "InvokeModel"), auth);
    }
}

/// `InvokeModelWithResponseStream`, with SigV4 and with a bearer key: the model's own
/// streaming events, a chunk each, in order.
#[tokio::test]
async fn invoke_model_with_response_stream_with_sigv4_and_a_bearer_key() {
    let aws = LocalAws::start().await.unwrap();
    aws.set_answer(ModelAnswer::new(pieces()));
    for (manager, auth) in [
        (sigv4_manager(&aws), AuthKind::SigV4),
        (bearer_manager(&aws), AuthKind::Bearer),
    ] {
        let client = manager.bedrock_client_default().await.unwrap();
        let output = bounded(
            client
                .invoke_model_with_response_stream()
                .model_id(MODEL)
                .content_type("application/json")
                .body(Blob::new(claude_request()))
                .send(),
        )
        .await
        .classify(&manager)
        .unwrap();
        let mut stream = output.body;
        let mut deltas = Vec::new();
        let mut types = Vec::new();
        while let Some(event) = bounded(stream.recv()).await.classify(&manager).unwrap() {
            let ResponseStream::Chunk(chunk) = event else {
                continue;
            };
            let bytes = chunk.bytes.expect("a chunk carries bytes");
            let body: serde_json::Value = serde_json::from_slice(bytes.as_ref()).unwrap();
            types.push(body["type"].as_str().unwrap_or_default().to_owned());
            if body["type"] == "content_block_delta" {
                deltas.push(body["delta"]["text"].as_str().unwrap().to_owned());
            }
        }
        assert_eq!(deltas, pieces());
        assert_eq!(types.first().map(String::as_str), Some("message_start"));
        assert_eq!(types.last().map(String::as_str), Some("message_stop"));
        assert_eq!(last_auth(&aws, "InvokeModelWithResponseStream"), auth);
    }
}

/// A stream's request is signed and checked as any other: a wrong secret is refused before any
/// event, with the server's code.
#[tokio::test]
async fn a_stream_signed_with_a_wrong_secret_is_refused() {
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("mistyped");
    let manager = aws
        .builder()
        .static_credentials(
            user.access_key_id.clone(),
            bedrock_auth::SecretString::from("not-the-secret"),
        )
        .build()
        .unwrap();
    let client = manager.bedrock_client_default().await.unwrap();
    let err = bounded(converse_stream(&manager, &client, None))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err}");
    assert_eq!(err.code(), Some("InvalidSignatureException"), "{err}");
}

/// A request body for Anthropic's models on Bedrock.
fn claude_request() -> Vec<u8> {
    serde_json::json!({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 64,
        "messages": [{"role": "user", "content": "ping"}],
    })
    .to_string()
    .into_bytes()
}
