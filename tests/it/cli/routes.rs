//! Routes: a bearer key never in cleartext to a remote proxy, unreadable proxy and endpoint
//! variables refused by name, container credentials never through a proxy.

use bedrock_auth::ExposeSecret;
use bedrock_auth::testing::RoleSpec;

use super::*;

/// A proxy address that is not on this machine. Nothing is sent to it: it does not resolve,
/// and the requests that must not reach it are refused before any connection.
const REMOTE_PROXY: &str = "http://proxy.example:3128";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bearer_key_never_goes_in_cleartext_to_a_remote_proxy() {
    let (home, aws, alice) = setup().await;
    let key = aws.add_api_key(&alice);
    let key = key.expose_secret();
    let ping = ["ping", "--api-key", "--model", MODEL, "--json"];
    for (variable, endpoint) in [
        ("HTTP_PROXY", aws.endpoint_url()),
        ("http_proxy", aws.endpoint_url()),
        (
            "HTTP_PROXY",
            aws.endpoint_url().replace("127.0.0.1", "localhost"),
        ),
        // Nothing listens there: the request is refused before any connection is tried.
        (
            "HTTP_PROXY",
            aws.endpoint_url().replace("127.0.0.1", "[::1]"),
        ),
    ] {
        let vars = [
            ("AWS_BEARER_TOKEN_BEDROCK", key),
            (variable, REMOTE_PROXY),
            ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ];
        let out = run(home.path(), &aws, &vars, &ping).await;
        assert_eq!(
            out.code, 2,
            "{variable} {endpoint}: {}{}",
            out.stdout, out.stderr
        );
        let json = out.json();
        assert_eq!(json["error"]["kind"], "invalid_config");
        let message = json["error"]["message"].as_str().unwrap();
        assert!(message.contains("proxy"), "{message}");
        // Auto mode sends the variable's key too: refused at the route.
        let auto = ["ping", "--model", MODEL, "--json"];
        let out = run(home.path(), &aws, &vars, &auto).await;
        assert_eq!(
            out.code, 2,
            "auto, {variable}: {}{}",
            out.stdout, out.stderr
        );
        assert!(out.stdout.contains("proxy"), "{}", out.stdout);
    }
    assert_eq!(aws.count("Converse"), 0, "a request reached the server");
    // doctor says so, in auto mode too (whose own whoami signs with SigV4).
    let vars = [
        ("AWS_BEARER_TOKEN_BEDROCK", key),
        ("HTTP_PROXY", REMOTE_PROXY),
    ];
    let doctor = run(home.path(), &aws, &vars, &["doctor"]).await;
    assert!(
        doctor.stdout.lines().any(
            |l| l.starts_with("warning: AWS_ENDPOINT_URL is plain http://")
                && l.contains("proxy.example")
        ),
        "{}",
        doctor.stdout
    );

    // A config file's proxy: `check` says so, and names the endpoint's key.
    let config = home.path().join("api.toml");
    std::fs::write(
        &config,
        format!(
            "mode = \"api_key\"\nendpoint_url = \"{}\"\nproxy = \"{REMOTE_PROXY}\"\n",
            aws.endpoint_url()
        ),
    )
    .unwrap();
    let vars = [("AWS_BEARER_TOKEN_BEDROCK", key)];
    let check = run(
        home.path(),
        &aws,
        &vars,
        &["check", "--config", config.to_str().unwrap()],
    )
    .await;
    assert_eq!(check.code, 2, "{}{}", check.stdout, check.stderr);
    assert!(
        check.stderr.contains("endpoint_url") && check.stderr.contains("proxy"),
        "{}",
        check.stderr
    );

    // Exempted by NO_PROXY, the request goes straight to this machine and is answered.
    let vars = [
        ("AWS_BEARER_TOKEN_BEDROCK", key),
        ("HTTP_PROXY", REMOTE_PROXY),
        ("NO_PROXY", "127.0.0.1"),
    ];
    let out = run(home.path(), &aws, &vars, &ping).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(aws.count("Converse"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_proxy_and_endpoint_variables_are_refused_by_name() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let not_utf8 = OsStr::from_bytes(b"http://127.0.0.1:1/\xff");
    let ping = ["ping", "--env", "--model", MODEL, "--json"];
    for variable in [
        "HTTP_PROXY",
        "https_proxy",
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_STS",
    ] {
        let vars = [
            (k1, OsStr::new(&v1)),
            (k2, OsStr::new(&v2)),
            (variable, not_utf8),
        ];
        let out = run_os(home.path(), &aws, &vars, &ping).await;
        assert_eq!(out.code, 2, "{variable}: {}{}", out.stdout, out.stderr);
        let json = out.json();
        assert_eq!(json["error"]["kind"], "invalid_config", "{variable}");
        let message = json["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(variable) && message.contains("UTF-8"),
            "{message}"
        );
    }
    // A secret that is not text is refused as such, not reported as missing.
    let vars = [
        (k1, OsStr::new(&v1)),
        (k2, OsStr::from_bytes(b"secret\xff")),
    ];
    let out = run_os(home.path(), &aws, &vars, &["whoami", "--env", "--json"]).await;
    let message = out.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("AWS_SECRET_ACCESS_KEY") && message.contains("UTF-8"),
        "{message}"
    );
    // A proxy port that is not a number: refused, naming the variable, nothing sent.
    for variable in ["HTTP_PROXY", "HTTPS_PROXY"] {
        let vars = [
            (k1, v1.as_str()),
            (k2, v2.as_str()),
            (variable, "http://proxy.example:notaport"),
        ];
        let out = run(home.path(), &aws, &vars, &ping).await;
        assert_eq!(out.code, 2, "{variable}: {}{}", out.stdout, out.stderr);
        let message = out.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(
            message.contains(variable) && message.contains("port"),
            "{message}"
        );
    }
    assert_eq!(aws.count("Converse"), 0);
}

/// A container-credentials endpoint of the test's own on 127.0.0.1 (as ECS and EKS Pod
/// Identity serve them): answers every request with these temporary credentials, and counts
/// them.
async fn container_credentials(
    credentials: &aws_credential_types::Credentials,
) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = served.clone();
    let body = format!(
        r#"{{"AccessKeyId":"{}","SecretAccessKey":"{}","Token":"{}","Expiration":"2099-01-01T00:00:00Z"}}"#,
        credentials.access_key_id(),
        credentials.secret_access_key(),
        credentials.session_token().unwrap_or_default(),
    );
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let body = body.clone();
            tokio::spawn(async move {
                let mut head = vec![0u8; 4096];
                let _ = stream.read(&mut head).await;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    (port, served)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn container_credentials_never_go_through_the_proxy() {
    let (home, aws, alice) = setup().await;
    // The task role's temporary credentials, as the container endpoint hands them out.
    aws.add_role(RoleSpec::new(ROLE));
    let task_role = aws
        .builder()
        .assume_role(ROLE)
        .source_static(alice.access_key_id.clone(), alice.secret_access_key.clone())
        .build()
        .unwrap();
    let credentials = task_role.credentials().await.unwrap();
    let (port, served) = container_credentials(&credentials).await;
    // A proxy on this machine that refuses everything (502), as a corporate proxy does for
    // addresses it does not know: what goes to it fails.
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let proxied = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = proxied.clone();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut stream, _)) = proxy.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = stream
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
    });
    let full_uri = format!("http://localhost:{port}/v2/credentials");
    // STS (on 127.0.0.1) is exempted; the container endpoint (localhost) is not, by NO_PROXY.
    let vars = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
        ("HTTP_PROXY", proxy_url.as_str()),
        ("HTTPS_PROXY", proxy_url.as_str()),
        ("NO_PROXY", "127.0.0.1"),
    ];
    let out = run(home.path(), &aws, &vars, &["whoami", "--json"]).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.json()["arn"]
            .as_str()
            .unwrap()
            .contains(":assumed-role/BedrockAccess/")
    );
    assert!(served.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    assert_eq!(
        proxied.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the proxy was asked"
    );
}
