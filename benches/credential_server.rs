//! `exec --server`'s credential endpoint under load (`cargo bench --bench credential_server`):
//! the built command serves an assumed role's credentials from 127.0.0.1 to a child that
//! waits; this bench is the child's SDKs, 100 concurrent requests at a time for 50 rounds,
//! twice: on 100 kept-alive connections (as the SDKs' container providers send them, through
//! their pooled HTTP clients: aws-config's, botocore's urllib3), and each on a new connection
//! (a client that pools nothing). Prints the latency of a request at the 50th, 99th and 99.9th
//! percentile and the `AssumeRole` calls the local STS saw (one per credential lifetime: the
//! answers come from the cache).

use std::process::Stdio;
use std::time::{Duration, Instant};

use bedrock_auth::ExposeSecret;
use bedrock_auth::testing::{LocalAws, RoleSpec};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

const CONCURRENT: usize = 100;
const ROUNDS: usize = 50;
const ROLE: &str = "arn:aws:iam::123456789012:role/BedrockAccess";

/// One request with the token: its latency, and whether it was answered 200.
async fn request(address: &str, token: &str) -> (Duration, bool) {
    let started = Instant::now();
    let Ok(mut stream) = tokio::net::TcpStream::connect(address).await else {
        return (started.elapsed(), false);
    };
    let head = format!(
        "GET / HTTP/1.1\r\nHost: {address}\r\nAuthorization: {token}\r\nConnection: close\r\n\r\n"
    );
    let mut answer = Vec::with_capacity(4096);
    let ok = stream.write_all(head.as_bytes()).await.is_ok()
        && stream.read_to_end(&mut answer).await.is_ok()
        && answer.starts_with(b"HTTP/1.1 200");
    (started.elapsed(), ok)
}

/// A client on one kept-alive connection: `rounds` requests, one after another, each waiting
/// for the round's start; the latency of each.
async fn kept_alive(
    address: String,
    token: String,
    rounds: usize,
    start: std::sync::Arc<tokio::sync::Barrier>,
) -> Vec<Duration> {
    let stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("the endpoint accepts");
    stream.set_nodelay(true).expect("TCP_NODELAY");
    let mut stream = tokio::io::BufReader::new(stream);
    let head = format!("GET / HTTP/1.1\r\nHost: {address}\r\nAuthorization: {token}\r\n\r\n");
    let mut latencies = Vec::with_capacity(rounds);
    let mut line = String::new();
    let mut body = vec![0u8; 8192];
    for _ in 0..rounds {
        start.wait().await;
        let started = Instant::now();
        stream
            .get_mut()
            .write_all(head.as_bytes())
            .await
            .expect("the request is sent");
        let mut length = 0;
        let mut status = String::new();
        loop {
            line.clear();
            stream.read_line(&mut line).await.expect("a header line");
            if status.is_empty() {
                status = line.clone();
            }
            if line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().expect("a length");
            }
        }
        stream
            .read_exact(&mut body[..length])
            .await
            .expect("the body");
        assert!(status.starts_with("HTTP/1.1 200"), "{status}");
        latencies.push(started.elapsed());
    }
    latencies
}

/// The percentiles of `latencies`, in words.
fn percentiles(mut latencies: Vec<Duration>) -> String {
    latencies.sort_unstable();
    let at = |quantile: f64| {
        latencies[((latencies.len() as f64 * quantile) as usize).min(latencies.len() - 1)]
    };
    format!(
        "{} requests: p50 {:.1?}, p99 {:.1?}, p99.9 {:.1?}, max {:.1?}",
        latencies.len(),
        at(0.50),
        at(0.99),
        at(0.999),
        latencies[latencies.len() - 1],
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let aws = LocalAws::start().await.expect("the local AWS starts");
    aws.add_role(RoleSpec::new(bedrock_auth::RoleArn::from_static(ROLE)));
    let user = aws.add_user("bench");
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("config"), "").unwrap();
    std::fs::write(
        home.path().join("credentials"),
        format!(
            "[base]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            user.access_key_id,
            user.secret_access_key.expose_secret()
        ),
    )
    .unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_bedrock-auth"))
        .args(["exec", "--server", "--role-arn", ROLE, "--source-profile", "base", "--"])
        .args(["sh", "-c", "echo \"$AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN\"; exec sleep 600"])
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", "/usr/bin:/bin")
        .env("AWS_CONFIG_FILE", home.path().join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.path().join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", aws.endpoint_url())
        .env("AWS_REGION", "us-east-1")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the built command runs");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().unwrap_or_default();
    let (url, token) = line
        .split_once(' ')
        .expect("the child printed the endpoint");
    let address = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();

    // The first request resolves the credentials (one AssumeRole); the rest come from cache.
    let (first, ok) = request(&address, token).await;
    assert!(ok, "the endpoint answers");
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(CONCURRENT));
    let clients: Vec<_> = (0..CONCURRENT)
        .map(|_| {
            let (address, token) = (address.clone(), token.to_owned());
            tokio::spawn(kept_alive(address, token, ROUNDS, start.clone()))
        })
        .collect();
    let mut pooled = Vec::with_capacity(CONCURRENT * ROUNDS);
    for latencies in futures_join(clients.into_iter()).await {
        pooled.extend(latencies);
    }

    let mut fresh = Vec::with_capacity(CONCURRENT * ROUNDS);
    for _ in 0..ROUNDS {
        let requests = (0..CONCURRENT).map(|_| {
            let (address, token) = (address.clone(), token.to_owned());
            tokio::spawn(async move { request(&address, &token).await })
        });
        for answered in futures_join(requests).await {
            let (latency, ok) = answered;
            assert!(ok, "every request is answered 200");
            fresh.push(latency);
        }
    }
    println!(
        "credential endpoint, {CONCURRENT} concurrent x {ROUNDS} rounds:\n  \
         kept-alive connections: {}\n  a new connection each: {}\n  \
         first request (with AssumeRole) {first:.1?}; AssumeRole calls: {}",
        percentiles(pooled),
        percentiles(fresh),
        aws.count("AssumeRole"),
    );
    // SIGTERM, which the command passes on to its child: a SIGKILL would leave the child
    // behind, holding the pipe.
    if let Some(pid) = child.id() {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
    }
    let _ = child.wait().await;
}

/// Every handle's result, in order.
async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        out.push(handle.await.expect("a request task ends"));
    }
    out
}
