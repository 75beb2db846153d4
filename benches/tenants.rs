//! Many tenants (`cargo bench --bench tenants`): 10,000 tenants, each assuming its own role
//! with its own external id and session name, each using 2 regions, on one [`Shared`] HTTP
//! client, against the embedded local AWS running in a child process (so that the server's
//! own memory is not counted). Prints, for requests through the one shared Bedrock client
//! with each tenant's override (the way to scale), then for a regional client per tenant:
//!
//! - resident memory per tenant, with every tenant alive and used;
//! - the time to create a tenant's manager (no network);
//! - the TCP connections the server accepted (one pool for all tenants);
//! - the `AssumeRole` calls (one per tenant);
//!
//! and, for scale, the memory per tenant of managers with their own HTTP client each.

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bedrock_auth::testing::{LocalAws, RoleSpec};
use bedrock_auth::{AuthManager, SecretString, Shared};

const TENANTS: usize = 10_000;
const OWN_CLIENT_TENANTS: usize = 1_000;
/// The tenants of each phase: roles `0..TENANTS` send through the shared Bedrock client,
/// `TENANTS..2 * TENANTS` have their own regional clients, the rest their own HTTP client.
const ROLES: usize = 2 * TENANTS + OWN_CLIENT_TENANTS;
const ACCOUNT: &str = "123456789012";
const KEY_ID: &str = "AKIABENCHTENANTS0001";
const SECRET: &str = "bench-tenants-service-secret";
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];
const SERVER: &str = "BEDROCK_AUTH_BENCH_TENANT_SERVER";

fn role(n: usize) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/Tenant{n}")
}

/// The child: the local AWS with the service's user and one role per tenant. Prints its
/// endpoint; on each line read, prints `AssumeRole-count connections`; exits when stdin closes.
fn serve() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let aws = LocalAws::start().await.expect("server");
        let user = aws.add_user_with_key(
            ACCOUNT,
            "service",
            KEY_ID.parse().expect("key id"),
            SecretString::from(SECRET),
        );
        for n in 0..ROLES {
            aws.add_role(
                RoleSpec::new(role(n).parse().expect("role"))
                    .trust(user.arn.clone())
                    .external_id(format!("tenant-{n}-external-id")),
            );
        }
        println!("{}", aws.endpoint_url());
        let mut assumed = 0;
        let lines = tokio::task::spawn_blocking(|| {
            std::io::stdin()
                .lock()
                .lines()
                .map_while(Result::ok)
                .count()
        });
        // Count as we go: the recorded requests are cleared so the server stays small.
        let counter = tokio::spawn({
            async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    assumed += aws.count("AssumeRole");
                    aws.clear_requests();
                    let _ = std::fs::write(
                        std::env::temp_dir()
                            .join(format!("bedrock-auth-tenants-{}", std::process::id())),
                        format!("{assumed} {}", aws.connections()),
                    );
                }
            }
        });
        let _ = lines.await;
        counter.abort();
    });
}

/// Resident memory of this process, in bytes.
fn resident() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn tenant(endpoint: &str, shared: Option<&Shared>, n: usize) -> AuthManager {
    let mut builder = AuthManager::builder()
        .region("us-east-1")
        .endpoint_url(endpoint);
    if let Some(shared) = shared {
        builder = builder.shared(shared);
    }
    builder
        .assume_role(role(n))
        .external_id(format!("tenant-{n}-external-id"))
        .session_name(format!("tenant-{n}"))
        .source_static(KEY_ID, SecretString::from(SECRET))
        .build()
        .expect("valid configuration")
}

/// How a tenant's Bedrock requests go out.
#[derive(Clone, Copy, PartialEq)]
enum Requests {
    /// Through the one client of `Shared::bedrock_client`, with the tenant's override.
    SharedClient,
    /// Through the tenant's own client of each region.
    TenantClients,
}

/// Makes and uses tenants `range`: one Converse in each region, every manager kept. Returns
/// the managers and the time spent in `build()`.
async fn tenants(
    endpoint: &str,
    shared: Option<&Shared>,
    requests: Requests,
    range: std::ops::Range<usize>,
) -> (Vec<AuthManager>, Duration) {
    let mut managers = Vec::with_capacity(range.len());
    let mut building = Duration::ZERO;
    for n in range {
        let started = Instant::now();
        let manager = tenant(endpoint, shared, n);
        building += started.elapsed();
        managers.push(manager);
    }
    for chunk in managers.chunks(64) {
        let mut calls = tokio::task::JoinSet::new();
        for manager in chunk {
            let manager = manager.clone();
            let shared = shared.cloned();
            calls.spawn(async move {
                match depth() {
                    0 => {}
                    1 => drop(manager.credentials().await.expect("credentials")),
                    regions => {
                        for region in &REGIONS[..(regions - 1).min(REGIONS.len())] {
                            match (requests, &shared) {
                                (Requests::SharedClient, Some(shared)) => {
                                    common::converse_as(shared, &manager, region)
                                        .await
                                        .expect("converse");
                                }
                                _ => {
                                    let client =
                                        manager.bedrock_client(region).await.expect("client");
                                    common::converse(&client).await.expect("converse");
                                }
                            }
                        }
                    }
                }
            });
        }
        while let Some(done) = calls.join_next().await {
            done.expect("tenant");
        }
    }
    (managers, building)
}

/// How far each tenant is used, for a breakdown of its memory: `BEDROCK_AUTH_BENCH_TENANT_DEPTH`
/// 0 (built only), 1 (credentials resolved: the SDK configuration and the role's session),
/// 2 (and one regional client with a `Converse` call), 3 (two regions, the default).
fn depth() -> usize {
    std::env::var("BEDROCK_AUTH_BENCH_TENANT_DEPTH")
        .ok()
        .and_then(|depth| depth.parse().ok())
        .unwrap_or(3)
}

/// Which measurement this process makes (each in a fresh process, so that memory freed by
/// one is not reused by the next).
const PHASE: &str = "BEDROCK_AUTH_BENCH_TENANT_PHASE";
const ENDPOINT: &str = "BEDROCK_AUTH_BENCH_TENANT_ENDPOINT";
const COUNTS: &str = "BEDROCK_AUTH_BENCH_TENANT_COUNTS";

/// `AssumeRole` calls and connections so far, as the server last wrote them.
fn counts() -> (u64, u64) {
    std::thread::sleep(Duration::from_millis(500));
    let path = std::env::var_os(COUNTS).expect("counts file");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut parts = text
        .split_whitespace()
        .map(|p| p.parse::<u64>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// One measurement: `shared-client` (10,000 tenants sending through the one shared Bedrock
/// client), `tenant-clients` (10,000 tenants on one HTTP client, with regional clients of
/// their own) or `own` (1,000 with an HTTP client each).
fn phase(which: &str) {
    let endpoint = std::env::var(ENDPOINT).expect("endpoint");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    // A plain-HTTP client: the local server speaks HTTP; a service writes `Shared::new()`.
    let shared = Shared::with_http_client(aws_smithy_http_client::Builder::new().build_http());
    let (shared, requests, range) = match which {
        "shared-client" => (Some(&shared), Requests::SharedClient, 1..TENANTS),
        "tenant-clients" => (
            Some(&shared),
            Requests::TenantClients,
            TENANTS + 1..2 * TENANTS,
        ),
        _ => (None, Requests::TenantClients, 2 * TENANTS + 1..ROLES),
    };
    // Warm up what every tenant shares (the HTTP client, the SDK's statics) with one tenant.
    let warm = runtime
        .block_on(tenants(
            &endpoint,
            shared,
            requests,
            range.start - 1..range.start,
        ))
        .0;
    let (assumed_before, connections_before) = counts();
    let before = resident();
    let (managers, building) =
        runtime.block_on(tenants(&endpoint, shared, requests, range.clone()));
    let after = resident();
    let (assumed, connections) = counts();
    let count = range.len() as f64;
    let label = match which {
        "shared-client" => format!(
            "{} tenants on one Shared handle, requests through Shared::bedrock_client",
            range.len() + 1
        ),
        "tenant-clients" => format!(
            "{} tenants on one Shared handle, a Bedrock client per tenant and region",
            range.len() + 1
        ),
        _ => format!("{} tenants with an HTTP client each", range.len() + 1),
    };
    println!(
        "{label}, each assuming its own role and using {} regions:",
        REGIONS.len()
    );
    println!(
        "  resident memory per tenant: {:.1} KiB",
        after.saturating_sub(before) as f64 / count / 1024.0
    );
    println!(
        "  manager creation: {:.2} µs per tenant (no network)",
        building.as_secs_f64() * 1e6 / count
    );
    println!(
        "  TCP connections the server accepted: {}",
        connections - connections_before
    );
    println!(
        "  AssumeRole calls: {} for {} tenants",
        assumed - assumed_before,
        range.len()
    );
    drop((managers, warm));
}

fn main() {
    if std::env::var_os(SERVER).is_some() {
        serve();
        return;
    }
    if let Ok(which) = std::env::var(PHASE) {
        phase(&which);
        return;
    }
    let exe = std::env::current_exe().expect("own path");
    let mut server = Command::new(&exe)
        .env(SERVER, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server");
    let mut endpoint = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut endpoint)
        .expect("endpoint");
    let counts = std::env::temp_dir().join(format!("bedrock-auth-tenants-{}", server.id()));
    for which in ["shared-client", "tenant-clients", "own"] {
        let status = Command::new(&exe)
            .env(PHASE, which)
            .env(ENDPOINT, endpoint.trim())
            .env(COUNTS, &counts)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .status()
            .expect("the measurement");
        assert!(status.success(), "{which} failed");
    }
    if let Some(mut stdin) = server.stdin.take() {
        let _ = stdin.flush();
    }
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_file(counts);
}
