//! The host a request went to, as errors name it: FIPS and dual-stack endpoints chosen by
//! `AWS_USE_FIPS_ENDPOINT` / `AWS_USE_DUALSTACK_ENDPOINT`, seen without leaving loopback: a
//! proxy of the test's own is asked to `CONNECT` to the host, records it and refuses.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;

/// A proxy on 127.0.0.1 that records the first line of each request and answers 403: nothing
/// goes further.
async fn refusing_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let asked = Arc::new(Mutex::new(Vec::new()));
    let record = asked.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let text = String::from_utf8_lossy(&head);
                let first = text.lines().next().unwrap_or_default().to_owned();
                record.lock().unwrap().push(first);
                let _ = client
                    .write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
                    .await;
            });
        }
    });
    (url, asked)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_name_the_fips_or_dual_stack_host_the_request_went_to() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let cases = [
        (
            "AWS_USE_FIPS_ENDPOINT",
            &["whoami", "--env"][..],
            "sts-fips.us-east-1.amazonaws.com",
        ),
        (
            "AWS_USE_DUALSTACK_ENDPOINT",
            &["whoami", "--env"],
            "sts.us-east-1.api.aws",
        ),
        (
            "AWS_USE_FIPS_ENDPOINT",
            &["ping", "--env", "--model", MODEL],
            "bedrock-runtime-fips.us-east-1.amazonaws.com",
        ),
    ];
    for (var, args, host) in cases {
        let (proxy, asked) = refusing_proxy().await;
        let vars = [
            (k1, v1.as_str()),
            (k2, v2.as_str()),
            ("AWS_ENDPOINT_URL", ""),
            ("HTTPS_PROXY", proxy.as_str()),
            ("AWS_MAX_ATTEMPTS", "1"),
            (var, "true"),
        ];
        let out = run(home.path(), &aws, &vars, args).await;
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
        let connect = format!("CONNECT {host}:443 HTTP/1.1");
        assert!(
            asked.lock().unwrap().contains(&connect),
            "{:?}",
            asked.lock().unwrap()
        );
        assert!(out.stderr.contains(host), "{var} {args:?}: {}", out.stderr);
        for default in [
            "sts.us-east-1.amazonaws.com",
            "bedrock-runtime.us-east-1.amazonaws.com",
        ] {
            assert!(
                !out.stderr.contains(default),
                "{var} {args:?}: {}",
                out.stderr
            );
        }
    }
}
