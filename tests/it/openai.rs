//! Bedrock's OpenAI-compatible endpoints (Bedrock Runtime's `/openai/v1`, bedrock-mantle's
//! `/v1`): base URLs as the SDK finds endpoints, requests the caller builds authorized with
//! SigV4 for the endpoint's signing name (checked by the local server) or the API key, sent
//! whole and streamed, and refused when they go anywhere else.

use std::time::Duration;

use bedrock_auth::manager::{OpenAiApi, OpenAiEndpoint};
use bedrock_auth::testing::{AuthKind, LocalAws, ModelAnswer, TestUser};
use bedrock_auth::{AuthManager, ErrorKind, ExposeSecret};

const MODEL: &str = "openai.gpt-oss-20b-1:0";

fn static_manager(aws: &LocalAws, user: &TestUser) -> AuthManager {
    aws.builder()
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()
        .unwrap()
}

fn chat(openai: &OpenAiEndpoint, stream: bool) -> http::Request<Vec<u8>> {
    let body = serde_json::json!({
        "model": MODEL,
        "messages": [{"role": "user", "content": "ping"}],
        "stream": stream,
    });
    http::Request::post(format!("{}/chat/completions", openai.base_url()))
        .header("content-type", "application/json")
        .body(body.to_string().into_bytes())
        .unwrap()
}

fn text_of(response: &http::Response<Vec<u8>>) -> String {
    let json: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    json["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn sigv4_requests_are_signed_for_each_endpoints_own_service_name() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    aws.set_answer(ModelAnswer::new(["po", "ng"]));
    let manager = static_manager(&aws, &alice);
    for (api, path, service) in [
        (OpenAiApi::BedrockRuntime, "/openai/v1", "bedrock"),
        (OpenAiApi::Mantle, "/v1", "bedrock-mantle"),
    ] {
        aws.clear_requests();
        let openai = manager.openai(api, "us-east-1").await.unwrap();
        assert_eq!(
            openai.base_url(),
            format!("{}{path}", aws.endpoint_url()),
            "{api:?}"
        );
        assert!(!openai.uses_api_key());
        let mut request = chat(&openai, false);
        openai.authorize(&mut request).await.unwrap();
        let auth = request.headers()["authorization"].clone();
        assert!(auth.is_sensitive());
        assert!(
            auth.to_str()
                .unwrap()
                .contains(&format!("/us-east-1/{service}/aws4_request"))
        );
        let response = openai.send(request).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(text_of(&response), "pong");
        let seen = aws.requests();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].action, "ChatCompletions");
        assert_eq!(seen[0].auth, AuthKind::SigV4);
        assert_eq!(seen[0].signing_service.as_deref(), Some(service));
        assert_eq!(seen[0].model_id.as_deref(), Some(MODEL));
        assert_eq!(seen[0].status, 200);
    }
}

#[tokio::test]
async fn a_signature_for_the_other_service_or_an_altered_body_is_refused_by_the_server() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let manager = static_manager(&aws, &alice);
    let runtime = manager
        .openai(OpenAiApi::BedrockRuntime, "us-east-1")
        .await
        .unwrap();
    // Signed for `bedrock`, then sent to mantle's path: the scope is wrong there.
    let mut request = chat(&runtime, false);
    runtime.authorize(&mut request).await.unwrap();
    let mantle = manager
        .openai(OpenAiApi::Mantle, "us-east-1")
        .await
        .unwrap();
    *request.uri_mut() = format!("{}/chat/completions", mantle.base_url())
        .parse()
        .unwrap();
    let err = mantle.send(request).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err}");
    // Altered after signing.
    let mut request = chat(&runtime, false);
    runtime.authorize(&mut request).await.unwrap();
    request.body_mut().extend_from_slice(b" ");
    let err = runtime.send(request).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err}");
    assert!(err.to_string().contains("signature"), "{err}");
}

#[tokio::test]
async fn a_streamed_answer_arrives_as_server_sent_events_to_done() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let pieces: Vec<String> = (0..200).map(|i| format!("word{i} ")).collect();
    aws.set_answer(ModelAnswer::new(pieces.clone()));
    let manager = static_manager(&aws, &alice);
    let openai = manager
        .openai(OpenAiApi::Mantle, "us-east-1")
        .await
        .unwrap();
    let response = openai.send(chat(&openai, true)).await.unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let text = String::from_utf8(response.body().clone()).unwrap();
    let events: Vec<&str> = text
        .split("\n\n")
        .filter_map(|event| event.strip_prefix("data: "))
        .collect();
    assert_eq!(events.last(), Some(&"[DONE]"));
    let said: String = events[..events.len() - 1]
        .iter()
        .map(|event| serde_json::from_str::<serde_json::Value>(event).unwrap())
        .filter_map(|chunk| Some(chunk["choices"][0]["delta"]["content"].as_str()?.to_owned()))
        .collect();
    assert_eq!(said, pieces.concat());
}

#[tokio::test]
async fn api_key_mode_sends_its_key_and_a_sigv4_mode_makes_a_short_term_one() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let key = aws.add_api_key(&alice);
    let manager = aws.builder().api_key(key.clone()).build().unwrap();
    let openai = manager
        .openai(OpenAiApi::Mantle, "us-east-1")
        .await
        .unwrap();
    assert!(openai.uses_api_key());
    let mut request = chat(&openai, false);
    openai.authorize(&mut request).await.unwrap();
    let auth = &request.headers()["authorization"];
    assert!(auth.is_sensitive());
    assert_eq!(
        auth.to_str().unwrap(),
        format!("Bearer {}", key.expose_secret())
    );
    assert_eq!(text_of(&openai.send(request).await.unwrap()), "pong");
    assert_eq!(aws.requests()[0].auth, AuthKind::Bearer);
    assert_eq!(
        openai
            .api_key(Duration::from_secs(60))
            .await
            .unwrap()
            .expose_secret(),
        key.expose_secret()
    );

    // A SigV4 mode's key for clients that take only a key: Bedrock (here, the local server)
    // takes it on the OpenAI path.
    let sigv4 = static_manager(&aws, &alice);
    let openai = sigv4
        .openai(OpenAiApi::BedrockRuntime, "us-east-1")
        .await
        .unwrap();
    let short = openai.api_key(Duration::from_secs(300)).await.unwrap();
    assert!(short.expose_secret().starts_with("bedrock-api-key-"));
    let mut request = chat(&openai, false);
    let bearer = format!("Bearer {}", short.expose_secret());
    request
        .headers_mut()
        .insert("authorization", bearer.parse().unwrap());
    aws.clear_requests();
    assert_eq!(text_of(&openai.send(request).await.unwrap()), "pong");
    assert_eq!(aws.requests()[0].auth, AuthKind::Bearer);
    assert_eq!(
        aws.requests()[0].access_key_id.as_deref(),
        Some(alice.access_key_id.as_str())
    );
}

#[tokio::test]
async fn credentials_go_only_to_requests_under_the_base_url() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let key = aws.add_api_key(&alice);
    let manager = aws.builder().api_key(key.clone()).build().unwrap();
    let openai = manager
        .openai(OpenAiApi::BedrockRuntime, "us-east-1")
        .await
        .unwrap();
    let base = openai.endpoint_url().to_owned();
    let port = aws.addr().port();
    for url in [
        "https://attacker.example/openai/v1/chat/completions".to_owned(),
        format!("http://127.0.0.1:{}/openai/v1/chat/completions", port + 1),
        format!("http://localhost:{port}/openai/v1/chat/completions"),
        format!("https://127.0.0.1:{port}/openai/v1/chat/completions"),
        format!("http://127.0.0.1:{port}@attacker.example/openai/v1/chat/completions"),
        "/openai/v1/chat/completions".to_owned(),
    ] {
        let mut request = http::Request::post(url.as_str()).body(Vec::new()).unwrap();
        let err = openai.authorize(&mut request).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{url}: {err}");
        assert!(err.to_string().contains(&base), "{url}: {err}");
        assert!(!request.headers().contains_key("authorization"), "{url}");
        assert!(!err.to_string().contains(key.expose_secret()));
        let err = openai.send(request).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{url}: {err}");
    }
    assert!(aws.requests().is_empty());
    // Paths under the endpoint are fine: the OpenAI API's, mantle's Anthropic Messages API.
    for path in ["/openai/v1/models", "/anthropic/v1/messages"] {
        let mut request = http::Request::get(format!("{base}{path}"))
            .body(Vec::new())
            .unwrap();
        openai.authorize(&mut request).await.unwrap();
    }
    // An endpoint with a path of its own (a gateway): only paths under it.
    let gateway = format!("{}/gateway", aws.endpoint_url());
    let manager = aws
        .builder()
        .endpoint_url(gateway.as_str())
        .api_key(key)
        .build()
        .unwrap();
    let openai = manager
        .openai(OpenAiApi::Mantle, "us-east-1")
        .await
        .unwrap();
    assert_eq!(openai.base_url(), format!("{gateway}/v1"));
    for path in ["/gatewayx/v1/models", "/v1/models", "/"] {
        let url = format!("{}{path}", aws.endpoint_url());
        let mut request = http::Request::get(url.as_str()).body(Vec::new()).unwrap();
        let err = openai.authorize(&mut request).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{url}: {err}");
    }
}

#[tokio::test]
async fn an_api_key_is_not_sent_over_plain_http_to_another_machine() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let key = aws.add_api_key(&alice);
    let manager = AuthManager::builder()
        .region("us-east-1")
        .endpoint_url("http://bedrock.internal.example:8080")
        .sandbox(aws.sandbox())
        .api_key(key)
        .build();
    // Refused when built: a bearer key over plain http to another host.
    assert!(manager.is_err());
}

#[tokio::test]
async fn errors_say_what_the_endpoint_said_in_openais_shape() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    aws.deny_model(MODEL);
    let manager = static_manager(&aws, &alice);
    let openai = manager
        .openai(OpenAiApi::Mantle, "us-east-1")
        .await
        .unwrap();
    let err = openai.send(chat(&openai, false)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AccessDenied, "{err}");
    assert!(
        err.to_string()
            .contains("You don't have access to the model"),
        "{err}"
    );
    // A revoked key: invalid credentials, the key not quoted.
    let key = aws.add_api_key(&alice);
    let manager = aws.builder().api_key(key.clone()).build().unwrap();
    aws.revoke_api_key(&key);
    let openai = manager
        .openai(OpenAiApi::Mantle, "us-east-1")
        .await
        .unwrap();
    let err = openai.send(chat(&openai, false)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err}");
    assert!(!format!("{err:?}").contains(key.expose_secret()));
}

#[tokio::test]
async fn the_endpoint_comes_from_the_services_variable_and_fips_never_silently_falls_back() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let [(k1, v1), (k2, v2)] = super::cli::keys(&alice);
    let sandbox = || {
        aws.sandbox()
            .env(k1, v1.clone())
            .env(k2, v2.clone())
            .env("AWS_REGION", "us-west-2")
    };
    let mantle = "https://mantle.internal.example";
    let manager = AuthManager::builder()
        .sandbox(sandbox().env("AWS_ENDPOINT_URL_BEDROCK_MANTLE", mantle))
        .environment()
        .build()
        .unwrap();
    let openai = manager
        .openai(OpenAiApi::Mantle, "us-west-2")
        .await
        .unwrap();
    assert_eq!(openai.base_url(), format!("{mantle}/v1"));
    let runtime = manager
        .openai(OpenAiApi::BedrockRuntime, "us-west-2")
        .await
        .unwrap();
    assert_eq!(
        runtime.base_url(),
        "https://bedrock-runtime.us-west-2.amazonaws.com/openai/v1"
    );

    let fips = AuthManager::builder()
        .sandbox(sandbox())
        .use_fips(true)
        .environment()
        .build()
        .unwrap();
    let runtime = fips
        .openai(OpenAiApi::BedrockRuntime, "us-west-2")
        .await
        .unwrap();
    assert_eq!(
        runtime.base_url(),
        "https://bedrock-runtime-fips.us-west-2.amazonaws.com/openai/v1"
    );
    let err = fips
        .openai(OpenAiApi::Mantle, "us-west-2")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{err}");
    assert!(err.to_string().contains("no FIPS endpoint"), "{err}");
    let plain = AuthManager::builder()
        .sandbox(sandbox())
        .environment()
        .build()
        .unwrap();
    let openai = plain
        .openai(OpenAiApi::Mantle, "eu-central-1")
        .await
        .unwrap();
    assert_eq!(
        openai.base_url(),
        "https://bedrock-mantle.eu-central-1.api.aws/v1"
    );
}

#[tokio::test]
async fn the_local_server_also_answers_responses_and_lists_models() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    aws.set_answer(ModelAnswer::new(["po", "ng"]));
    let manager = static_manager(&aws, &alice);
    for api in [OpenAiApi::BedrockRuntime, OpenAiApi::Mantle] {
        let openai = manager.openai(api, "us-east-1").await.unwrap();
        let body = serde_json::json!({"model": MODEL, "input": "ping"});
        let request = http::Request::post(format!("{}/responses", openai.base_url()))
            .header("content-type", "application/json")
            .body(body.to_string().into_bytes())
            .unwrap();
        let response = openai.send(request).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(json["output"][0]["content"][0]["text"], "pong", "{json}");
        let request = http::Request::get(format!("{}/models", openai.base_url()))
            .body(Vec::new())
            .unwrap();
        let response = openai.send(request).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert!(
            json["data"].as_array().is_some_and(|m| !m.is_empty()),
            "{json}"
        );
    }
    assert_eq!(aws.count("Responses"), 2);
    assert_eq!(aws.count("ListModels"), 2);
}

/// A Python with botocore (`BOTO3_PYTHON`; `.ci/run` installs it with moto), or `None` off CI.
fn botocore_python() -> Option<String> {
    let candidates = std::env::var("BOTO3_PYTHON")
        .into_iter()
        .chain(["python3".to_owned()]);
    for python in candidates {
        let found = std::process::Command::new(&python)
            .args(["-c", "import botocore"])
            .stderr(std::process::Stdio::null())
            .status();
        if found.is_ok_and(|status| status.success()) {
            return Some(python);
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the botocore check: set BOTO3_PYTHON (.ci/run installs it with moto)"
    );
    None
}

/// botocore's own SigV4 signer, given the request, the credentials and the signing time.
const BOTOCORE_SIGN: &str = r#"
import json, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
d = json.load(sys.stdin)
request = AWSRequest(method=d["method"], url=d["url"], data=d["body"].encode(),
                     headers={"content-type": "application/json"})
auth = SigV4Auth(Credentials(d["key"], d["secret"], d["token"]), d["service"], d["region"])
request.context["timestamp"] = d["amz_date"]
auth._modify_request_before_signing(request)
canonical = auth.canonical_request(request)
print(auth.signature(auth.string_to_sign(request, canonical), request))
"#;

/// An independent signer agrees: botocore signs the same request, at the same time, with the
/// same credentials, for the same service name, to the same signature.
#[tokio::test]
async fn botocore_computes_the_same_signature_for_each_endpoint() {
    let Some(python) = botocore_python() else {
        eprintln!("the botocore check is skipped: no Python with botocore (set BOTO3_PYTHON)");
        return;
    };
    let at = std::time::UNIX_EPOCH + Duration::from_secs(1_796_000_000);
    let (key, secret) = (
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    for token in [None, Some("FwoGZXIvYXdzEXAMPLETOKEN")] {
        let builder = AuthManager::builder()
            .region("us-west-2")
            .sandbox(bedrock_auth::testing::Sandbox::new().at(at))
            .static_credentials(key, bedrock_auth::SecretString::from(secret));
        let manager = match token {
            Some(token) => builder
                .session_token(bedrock_auth::SecretString::from(token))
                .build()
                .unwrap(),
            None => builder.build().unwrap(),
        };
        for (api, service) in [
            (OpenAiApi::BedrockRuntime, "bedrock"),
            (OpenAiApi::Mantle, "bedrock-mantle"),
        ] {
            let openai = manager.openai(api, "us-west-2").await.unwrap();
            let mut request = chat(&openai, false);
            openai.authorize(&mut request).await.unwrap();
            let ours = request.headers()["authorization"]
                .to_str()
                .unwrap()
                .to_owned();
            let amz_date = request.headers()["x-amz-date"].to_str().unwrap().to_owned();
            let input = serde_json::json!({
                "method": "POST",
                "url": request.uri().to_string(),
                "body": String::from_utf8(request.body().clone()).unwrap(),
                "key": key, "secret": secret, "token": token,
                "service": service, "region": "us-west-2", "amz_date": amz_date,
            });
            let mut child = std::process::Command::new(&python)
                .args(["-c", BOTOCORE_SIGN])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            std::io::Write::write_all(
                &mut child.stdin.take().unwrap(),
                input.to_string().as_bytes(),
            )
            .unwrap();
            let output = child.wait_with_output().unwrap();
            assert!(output.status.success());
            let theirs = String::from_utf8(output.stdout).unwrap();
            assert!(
                ours.ends_with(&format!("Signature={}", theirs.trim())),
                "{api:?} {token:?}: ours {ours}, botocore {theirs}"
            );
            assert_eq!(
                request
                    .headers()
                    .get("x-amz-security-token")
                    .map(|v| v.to_str().unwrap()),
                token
            );
        }
    }
}

/// A server that answers 403 with the request's credential headers pasted into an
/// OpenAI-shaped error, as some gateways do.
async fn echoing_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 64 * 1024];
                let mut read = 0;
                while !buffer[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer[read..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => read += n,
                    }
                }
                let head = String::from_utf8_lossy(&buffer[..read]).into_owned();
                let echoed: Vec<&str> = head
                    .lines()
                    .filter(|l| {
                        let l = l.to_ascii_lowercase();
                        l.starts_with("authorization") || l.starts_with("x-amz-security-token")
                    })
                    .collect();
                let body = serde_json::json!({"error": {
                    "message": format!("denied: {}", echoed.join(" ")),
                    "type": "permission_denied", "code": "permission_denied",
                }})
                .to_string();
                let answer = format!(
                    "HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    url
}

#[tokio::test]
async fn credentials_an_endpoint_echoes_back_are_not_in_the_error() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let echo = echoing_server().await;
    let key = aws.add_api_key(&alice);
    let token = bedrock_auth::SecretString::from("FwoGZXIvYXdzEchoedSessionToken1234567890abcdef");
    let with_key = AuthManager::builder()
        .region("us-east-1")
        .endpoint_url(echo.as_str())
        .sandbox(aws.sandbox())
        .api_key(key.clone())
        .build()
        .unwrap();
    let with_token = AuthManager::builder()
        .region("us-east-1")
        .endpoint_url(echo.as_str())
        .sandbox(aws.sandbox())
        .static_credentials(alice.access_key_id.clone(), alice.secret_access_key.clone())
        .session_token(token.clone())
        .build()
        .unwrap();
    for (manager, secret) in [(&with_key, &key), (&with_token, &token)] {
        let openai = manager
            .openai(OpenAiApi::Mantle, "us-east-1")
            .await
            .unwrap();
        let err = openai.send(chat(&openai, false)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AccessDenied, "{err}");
        assert!(err.to_string().contains("denied"), "{err}");
        for shown in [err.to_string(), format!("{err:?}"), err.hint().to_owned()] {
            assert!(!shown.contains(secret.expose_secret()), "{shown}");
        }
    }
}

/// A server that answers 200 with an endless body (or one that says it is huge).
async fn endless_server(says_length: bool) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 64 * 1024];
                let _ = stream.read(&mut buffer).await;
                let head = if says_length {
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000000000\r\n\r\n"
                } else {
                    "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                };
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024));
                while stream.write_all(chunk.as_bytes()).await.is_ok() {}
            });
        }
    });
    url
}

/// `send` reads a successful answer into memory up to its bound (16 MiB), and refuses one that
/// says it is larger, or grows past it, there: an endpoint cannot make it buffer without end.
#[tokio::test]
async fn an_answer_larger_than_the_bound_is_refused_at_the_bound() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    for says_length in [true, false] {
        let endpoint = endless_server(says_length).await;
        let manager = AuthManager::builder()
            .region("us-east-1")
            .endpoint_url(endpoint.as_str())
            .sandbox(aws.sandbox())
            .static_credentials(alice.access_key_id.clone(), alice.secret_access_key.clone())
            .build()
            .unwrap();
        let openai = manager
            .openai(OpenAiApi::Mantle, "us-east-1")
            .await
            .unwrap();
        let sent = tokio::time::timeout(Duration::from_secs(60), openai.send(chat(&openai, true)));
        let err = sent
            .await
            .expect("refused at the bound, not read forever")
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Service, "{err}");
        assert!(err.to_string().contains("16384 KiB"), "{err}");
    }
}
