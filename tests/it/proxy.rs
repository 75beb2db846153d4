//! Proxies, as boto3 and the AWS CLI honour them: `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY`
//! from the manager's environment, or the builder's own proxy, or none. A small proxy of the
//! test's own on 127.0.0.1 forwards plain-HTTP requests and tunnels `CONNECT`, and records
//! what it was asked and every byte it was sent.

use crate::common;

use std::sync::{Arc, Mutex};

use bedrock_auth::testing::{LocalAws, Sandbox, TestUser};
use bedrock_auth::{AuthManager, SecretString};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the proxy saw: the request lines it was asked (`CONNECT host:port`, `POST http://..`)
/// and every byte that came to it from clients.
#[derive(Clone, Default)]
struct Seen {
    asked: Arc<Mutex<Vec<String>>>,
    bytes: Arc<Mutex<Vec<u8>>>,
}

impl Seen {
    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }

    fn bytes(&self) -> String {
        String::from_utf8_lossy(&self.bytes.lock().unwrap()).into_owned()
    }
}

/// Starts the proxy; returns its URL and what it sees.
async fn start_proxy() -> (String, Seen) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Seen::default();
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(serve(client, record.clone()));
        }
    });
    (url, seen)
}

async fn serve(mut client: tokio::net::TcpStream, seen: Seen) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte).await.unwrap_or(0) == 0 {
            return;
        }
        head.push(byte[0]);
    }
    seen.bytes.lock().unwrap().extend_from_slice(&head);
    let text = String::from_utf8_lossy(&head).into_owned();
    let first = text.lines().next().unwrap_or_default().to_owned();
    seen.asked.lock().unwrap().push(first.clone());
    let mut parts = first.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let authority = if method == "CONNECT" {
        target.to_owned()
    } else {
        let rest = target.split_once("://").map_or(target, |(_, rest)| rest);
        rest.split('/').next().unwrap_or_default().to_owned()
    };
    let Ok(mut upstream) = tokio::net::TcpStream::connect(&authority).await else {
        return;
    };
    if method == "CONNECT" {
        let _ = client
            .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            .await;
    } else {
        let _ = upstream.write_all(&head).await;
    }
    // Relay, keeping a copy of what the client sends.
    let (mut client_read, mut client_write) = client.into_split();
    let (mut upstream_read, mut upstream_write) = upstream.into_split();
    let keep = seen.bytes.clone();
    let up = tokio::spawn(async move {
        let mut buf = [0u8; 4096];
        while let Ok(n) = client_read.read(&mut buf).await {
            if n == 0 || upstream_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
            keep.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let _ = tokio::io::copy(&mut upstream_read, &mut client_write).await;
    up.abort();
}

/// A manager of static keys against `endpoint`, building its own HTTP client in a sandbox with
/// these variables.
/// Asserts the proxy was asked for tunnels to `authority` and nothing else.
fn assert_only_tunnels(seen: &Seen, authority: &str) {
    let asked = seen.asked();
    assert!(
        !asked.is_empty()
            && asked
                .iter()
                .all(|line| line == &format!("CONNECT {authority} HTTP/1.1")),
        "{asked:?}"
    );
}

/// The proxy lines of `doctor`, as `name = value (source)`.
fn proxies_shown(diagnosis: &bedrock_auth::diagnose::Diagnosis) -> Vec<String> {
    diagnosis
        .settings
        .iter()
        .filter(|s| s.name.starts_with("proxy"))
        .map(|s| format!("{} = {} ({})", s.name, s.value, s.source))
        .collect()
}

fn manager(endpoint: &str, user: &TestUser, vars: &[(&str, &str)]) -> AuthManager {
    AuthManager::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .max_attempts(1)
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .sandbox(sandboxed(vars))
        .build()
        .unwrap()
}

fn sandboxed(vars: &[(&str, &str)]) -> Sandbox {
    Sandbox::new()
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(vars.iter().copied())
        .own_http_client()
}

#[tokio::test]
async fn http_proxy_carries_validate_and_converse_unless_no_proxy_says_so() {
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("behind-a-proxy");
    let (proxy, seen) = start_proxy().await;
    let endpoint = aws.endpoint_url();

    let through = manager(&endpoint, &user, &[("HTTP_PROXY", &proxy)]);
    through.validate().await.unwrap();
    common::converse_with(&through).await.unwrap();
    let asked = seen.asked();
    assert!(
        !asked.is_empty() && asked.iter().all(|line| line.contains(&endpoint)),
        "{asked:?}"
    );
    assert_eq!(aws.count("GetCallerIdentity"), 1);

    // The lower-case spelling works too; NO_PROXY takes the host out.
    let before = seen.asked().len();
    let direct = manager(
        &endpoint,
        &user,
        &[("http_proxy", &proxy), ("NO_PROXY", "127.0.0.1")],
    );
    direct.validate().await.unwrap();
    common::converse_with(&direct).await.unwrap();
    assert_eq!(seen.asked().len(), before, "{:?}", seen.asked());

    // The builder turns the variables off, or names its own proxy.
    let off = AuthManager::builder()
        .region("us-east-1")
        .endpoint_url(endpoint.as_str())
        .without_proxy()
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .sandbox(sandboxed(&[("HTTP_PROXY", &proxy)]))
        .build()
        .unwrap();
    off.validate().await.unwrap();
    assert_eq!(seen.asked().len(), before);
    let named = AuthManager::builder()
        .region("us-east-1")
        .endpoint_url(endpoint.as_str())
        .proxy(proxy.as_str())
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .sandbox(sandboxed(&[]))
        .build()
        .unwrap();
    named.validate().await.unwrap();
    assert_eq!(seen.asked().len(), before + 1, "{:?}", seen.asked());
}

#[tokio::test]
async fn an_https_endpoint_is_reached_through_connect_only() {
    // The proxy is asked for a tunnel; what goes through it is TLS (which the plain local
    // server cannot answer, so the call fails), and no signature or key is ever in the clear.
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("tunnelled");
    let (proxy, seen) = start_proxy().await;
    let https = aws.endpoint_url().replace("http://", "https://");
    let authority = https.trim_start_matches("https://").to_owned();

    let signed = manager(&https, &user, &[("HTTPS_PROXY", &proxy)]);
    assert!(signed.validate().await.is_err());
    let keyed = AuthManager::builder()
        .region("us-east-1")
        .endpoint_url(https.as_str())
        .max_attempts(1)
        .api_key(SecretString::from("ABSKproxy-test-key-31c"))
        .sandbox(sandboxed(&[("HTTPS_PROXY", &proxy)]))
        .build()
        .unwrap();
    assert!(keyed.validate().await.is_err());

    assert_only_tunnels(&seen, &authority);
    let bytes = seen.bytes();
    for clear in [
        "AWS4-HMAC-SHA256",
        "Authorization",
        "ABSKproxy-test-key-31c",
        "Bearer",
    ] {
        assert!(
            !bytes.contains(clear),
            "{clear} went to the proxy in the clear"
        );
    }
    assert!(aws.requests().is_empty());
}

#[tokio::test]
async fn a_proxy_that_cannot_be_read_is_refused_not_gone_around() {
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("misconfigured");
    let manager = manager(&aws.endpoint_url(), &user, &[("HTTPS_PROXY", "not a url")]);
    let err = manager.validate().await.unwrap_err();
    assert!(err.message().contains("HTTPS_PROXY"), "{err}");
    assert!(aws.requests().is_empty());
}

#[tokio::test]
async fn doctor_shows_the_proxy_without_its_password() {
    let diagnosis = Sandbox::new()
        .env("HTTPS_PROXY", "http://build:hunter2@proxy.internal:3128")
        .env("NO_PROXY", "internal.example,localhost")
        .diagnose()
        .await;
    let proxy = diagnosis
        .settings
        .iter()
        .find(|s| s.name == "proxy")
        .unwrap();
    assert_eq!(
        (proxy.value.as_str(), proxy.source.as_str()),
        ("http://****@proxy.internal:3128", "variable HTTPS_PROXY")
    );
    assert!(!diagnosis.to_string().contains("hunter2"));
    assert!(!diagnosis.to_json().to_string().contains("hunter2"));
    let none = Sandbox::new().diagnose().await;
    let proxy = none.settings.iter().find(|s| s.name == "proxy").unwrap();
    assert_eq!(proxy.value, "none");
}

#[tokio::test]
async fn https_proxy_and_http_proxy_each_serve_the_endpoints_of_their_scheme() {
    // As boto3 chooses, when the two variables name different proxies: the endpoint's scheme
    // picks the variable.
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("two-proxies");
    let (for_https, https_seen) = start_proxy().await;
    let (for_http, http_seen) = start_proxy().await;
    let vars = [
        ("HTTPS_PROXY", for_https.as_str()),
        ("HTTP_PROXY", for_http.as_str()),
    ];
    let endpoint = aws.endpoint_url();

    let plain = manager(&endpoint, &user, &vars);
    plain.validate().await.unwrap();
    common::converse_with(&plain).await.unwrap();
    let asked = http_seen.asked();
    assert!(
        !asked.is_empty() && asked.iter().all(|line| line.contains(&endpoint)),
        "{asked:?}"
    );
    assert_eq!(https_seen.asked(), Vec::<String>::new());
    let through_http_proxy = asked.len();

    let https = endpoint.replace("http://", "https://");
    let authority = https.trim_start_matches("https://").to_owned();
    assert!(manager(&https, &user, &vars).validate().await.is_err());
    assert_only_tunnels(&https_seen, &authority);
    assert_eq!(http_seen.asked().len(), through_http_proxy);

    // doctor names both.
    assert_eq!(
        proxies_shown(&sandboxed(&vars).diagnose().await),
        [
            format!("proxy = {for_https} (variable HTTPS_PROXY)"),
            format!("proxy for http:// = {for_http} (variable HTTP_PROXY)"),
        ]
    );
    // A config's proxy serves every endpoint, whatever the variables say.
    let config = bedrock_auth::AuthConfig::from_toml(
        "mode = \"auto\"\nregion = \"us-east-1\"\nproxy = \"http://proxy.internal:3128\"\n",
    )
    .unwrap()
    .sandbox(sandboxed(&vars));
    assert_eq!(
        proxies_shown(&config.diagnose().await),
        ["proxy = http://proxy.internal:3128 (given)"]
    );
}
