//! Benchmarks against the embedded local AWS (`cargo bench --bench auth`).
//!
//! - a cached `bedrock_client(region)` lookup, alone and with 64 tasks looking up at once;
//! - building a manager, getting clients for 8 regions and one `validate()`, beside the same
//!   steps written by hand with aws-config and the SDK clients;
//! - generating a short-term Bedrock API key, beside one API-key `Converse` round trip;
//! - one SigV4 `Converse` round trip with a tenant's own client, beside the same through the
//!   one shared client with the tenant's override (and building the override alone);
//! - one `ConverseStream` round trip of 1 and of 100 deltas through a manager's client, beside
//!   a client built by hand with aws-config (the per-event cost is the difference over 99);
//! - how many `AssumeRole` calls 1000 concurrent requests over 8 regions make, and 50
//!   concurrent `validate()` calls on a refused role, with their wall time;
//! - how long auto mode with nothing configured takes to say `no_credentials` when the
//!   instance metadata service never answers (a silent loopback listener), with aws-config's
//!   own wait and with 100 ms × 1 attempt.
//!
//! Everything talks to 127.0.0.1 only. The process environment is emptied of `AWS_*` variables
//! first, and instance metadata is disabled.

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use bedrock_auth::testing::{LocalAws, ModelAnswer, RoleSpec, TestUser};
use bedrock_auth::{AuthManager, ExposeSecret, Region, RoleArn, api_key::ShortTermKey};
use criterion::{BenchmarkId, Criterion};
use tokio::runtime::Runtime;

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/BedrockAccess");
const REGIONS: [&str; 8] = [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-northeast-1",
    "ap-southeast-2",
    "ca-central-1",
];

fn main() {
    isolate_environment();
    let runtime = Runtime::new().expect("tokio runtime");
    let aws = runtime.block_on(LocalAws::start()).expect("local server");
    let alice = aws.add_user("alice");

    let mut criterion = Criterion::default()
        .configure_from_args()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    cached_lookup(&mut criterion, &runtime, &aws, &alice);
    build_validate_and_clients(&mut criterion, &runtime, &aws, &alice);
    short_term_keys(&mut criterion, &runtime, &aws, &alice);
    shared_client(&mut criterion, &runtime, &aws, &alice);
    criterion.final_summary();

    streams(&runtime, &aws, &alice);

    role_assumption_counts(&runtime, &aws, &alice);
    bounded_waits(&runtime, &aws);
}

/// Runs the benchmarks in a child process (this binary again) whose environment has no `AWS_*`
/// variable and instance metadata off, and exits with its status; in the child, returns at
/// once. A child process rather than `std::env::set_var`, which is unsafe in a running process.
fn isolate_environment() {
    const MARKER: &str = "BEDROCK_AUTH_BENCH_ISOLATED";
    if std::env::var_os(MARKER).is_some() {
        return;
    }
    let exe = std::env::current_exe().expect("the benchmark's own path");
    let mut child = std::process::Command::new(exe);
    child.args(std::env::args_os().skip(1));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") {
            child.env_remove(name);
        }
    }
    child
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env(MARKER, "1");
    let status = child.status().expect("the benchmarks run");
    std::process::exit(status.code().unwrap_or(1));
}

fn static_manager(aws: &LocalAws, user: &TestUser) -> AuthManager {
    aws.builder()
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()
        .expect("valid configuration")
}

fn cached_lookup(c: &mut Criterion, runtime: &Runtime, aws: &LocalAws, alice: &TestUser) {
    let manager = static_manager(aws, alice);
    runtime.block_on(async {
        for region in REGIONS {
            manager.bedrock_client(region).await.expect("client");
        }
    });
    let mut group = c.benchmark_group("cached bedrock_client(region)");
    group.bench_function("1 task", |b| {
        b.to_async(runtime)
            .iter(|| async { black_box(manager.bedrock_client(black_box("us-west-2")).await) })
    });
    group.bench_function(BenchmarkId::new("per lookup, tasks at once", 64), |b| {
        b.to_async(runtime).iter_custom(|iters| {
            let manager = manager.clone();
            async move {
                let per_task = iters.div_ceil(64).max(1);
                let started = Instant::now();
                let mut tasks = tokio::task::JoinSet::new();
                for t in 0..64 {
                    let manager = manager.clone();
                    tasks.spawn(async move {
                        for i in 0..per_task {
                            let region = REGIONS[(t + i as usize) % REGIONS.len()];
                            black_box(manager.bedrock_client(region).await.ok());
                        }
                    });
                }
                while tasks.join_next().await.is_some() {}
                // Time per lookup, so the two rows compare directly.
                started
                    .elapsed()
                    .div_f64((per_task * 64) as f64 / iters as f64)
            }
        })
    });
    group.finish();

    // What a request asks of the manager's credential cache while signing: no lock, no I/O.
    let mut group = c.benchmark_group("credentials per request (cached)");
    let provider = runtime.block_on(async {
        let sdk = manager.sdk_config().await.expect("configuration");
        let provider = sdk.credentials_provider().expect("a provider");
        provider.provide_credentials().await.expect("credentials");
        provider
    });
    group.bench_function("provide_credentials()", |b| {
        b.to_async(runtime)
            .iter(|| async { black_box(provider.provide_credentials().await.is_ok()) })
    });
    group.finish();
}

fn build_validate_and_clients(
    c: &mut Criterion,
    runtime: &Runtime,
    aws: &LocalAws,
    alice: &TestUser,
) {
    let mut group = c.benchmark_group("build + validate + 8 regional clients");
    group.bench_function("bedrock-auth", |b| {
        b.to_async(runtime).iter(|| async {
            let manager = static_manager(aws, alice);
            black_box(manager.validate().await.expect("validate"));
            for region in REGIONS {
                black_box(manager.bedrock_client(region).await.expect("client"));
            }
        })
    });
    group.bench_function("hand-written aws-config", |b| {
        b.to_async(runtime).iter(|| async {
            // The same settings the manager applies: region, endpoint, timeouts.
            let timeouts = aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(bedrock_auth::limits::DEFAULT_CONNECT_TIMEOUT)
                .operation_timeout(bedrock_auth::limits::DEFAULT_OPERATION_TIMEOUT)
                .build();
            let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new("us-east-1"))
                .timeout_config(timeouts)
                .endpoint_url(aws.endpoint_url())
                .credentials_provider(Credentials::new(
                    alice.access_key_id.as_str(),
                    alice.secret_access_key.expose_secret(),
                    None,
                    None,
                    "bench",
                ))
                .load()
                .await;
            let sts = aws_sdk_sts::Client::new(&sdk);
            black_box(sts.get_caller_identity().send().await.expect("validate"));
            for region in REGIONS {
                let config = aws_sdk_bedrockruntime::config::Builder::from(&sdk)
                    .region(aws_config::Region::new(region))
                    .build();
                black_box(aws_sdk_bedrockruntime::Client::from_conf(config));
            }
        })
    });
    group.finish();
}

/// Generating a short-term API key (one SigV4 presigning, base64), beside one API-key
/// `Converse` round trip to the local server for scale.
fn short_term_keys(c: &mut Criterion, runtime: &Runtime, aws: &LocalAws, alice: &TestUser) {
    let credentials = Credentials::new(
        alice.access_key_id.as_str(),
        alice.secret_access_key.expose_secret(),
        None,
        None,
        "bench",
    );
    let region: Region = "us-east-1".parse().expect("region");
    let mut group = c.benchmark_group("short-term Bedrock API key");
    group.bench_function("generate (ShortTermKey::sign)", |b| {
        b.iter(|| {
            ShortTermKey::sign(
                black_box(&credentials),
                &region,
                Duration::from_secs(3600),
                SystemTime::now(),
            )
            .expect("signs")
        })
    });
    let signer = static_manager(aws, alice);
    let key = runtime
        .block_on(signer.bedrock_api_key("us-east-1", Duration::from_secs(3600)))
        .expect("key");
    let manager = aws
        .builder()
        .api_key(key.token().clone())
        .build()
        .expect("valid configuration");
    let client = runtime
        .block_on(manager.bedrock_client_default())
        .expect("client");
    group.bench_function("Converse round trip with it (local server)", |b| {
        b.to_async(runtime)
            .iter(|| async { common::converse(&client).await.expect("converse") })
    });
    group.finish();
}

/// What a request pays for going through the one shared client with its tenant's override,
/// rather than through the tenant's own regional client.
fn shared_client(criterion: &mut Criterion, runtime: &Runtime, aws: &LocalAws, alice: &TestUser) {
    let mut group = criterion.benchmark_group("one SigV4 Converse round trip (local server)");
    let manager = static_manager(aws, alice);
    let own = runtime
        .block_on(manager.bedrock_client("us-east-1"))
        .expect("client");
    group.bench_function("the tenant's own client", |b| {
        b.to_async(runtime)
            .iter(|| async { common::converse(&own).await.expect("converse") })
    });
    let shared = common::plain_http();
    group.bench_function("the shared client with the tenant's override", |b| {
        b.to_async(runtime).iter(|| async {
            common::converse_as(&shared, &manager, "us-east-1")
                .await
                .expect("converse")
        })
    });
    group.bench_function("building the override alone", |b| {
        b.to_async(runtime).iter(|| async {
            manager
                .bedrock_override("us-east-1")
                .await
                .expect("override")
        })
    });
    group.finish();
    aws.clear_requests();
}

/// A `ConverseStream` read to its end through a manager's client and through a client built by
/// hand (same server, same plain-HTTP client, same run): what the manager's interceptors (the
/// endpoint guard, the monitor, the bound on silent streams) cost a stream, per round trip and
/// per event. The two alternate, call by call, so that the machine's drift (large on a shared
/// 2-core VM) falls on both alike; the figures are medians.
fn streams(runtime: &Runtime, aws: &LocalAws, alice: &TestUser) {
    const ROUNDS: usize = 400;
    let manager = static_manager(aws, alice);
    let own = runtime
        .block_on(manager.bedrock_client("us-east-1"))
        .expect("client");
    let sdk = runtime.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(aws.endpoint_url())
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .credentials_provider(Credentials::new(
                alice.access_key_id.as_str(),
                alice.secret_access_key.expose_secret(),
                None,
                None,
                "bench",
            ))
            .load(),
    );
    let hand = aws_sdk_bedrockruntime::Client::new(&sdk);
    let median = |times: &mut Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let mut medians = Vec::new();
    println!("\nConverseStream round trip, read to its end ({ROUNDS} alternating calls each):");
    for deltas in [1_u32, 100] {
        aws.set_answer(ModelAnswer::new((0..deltas).map(|i| format!("t{i} "))));
        let (mut mine, mut theirs) = (Vec::new(), Vec::new());
        runtime.block_on(async {
            for round in 0..ROUNDS + 20 {
                let t = Instant::now();
                black_box(common::converse_stream(&own).await);
                let a = t.elapsed();
                let t = Instant::now();
                black_box(common::converse_stream(&hand).await);
                let b = t.elapsed();
                // The first 20 warm the pools and caches.
                if round >= 20 {
                    mine.push(a);
                    theirs.push(b);
                }
            }
        });
        let (a, b) = (median(&mut mine), median(&mut theirs));
        println!(
            "  {deltas:>3} deltas: the manager's client {a:?}, hand-written aws-config {b:?} \
             (ratio {:.3})",
            a.as_secs_f64() / b.as_secs_f64()
        );
        medians.push((a, b));
    }
    let per_event = |one: Duration, hundred: Duration| hundred.saturating_sub(one) / 99;
    println!(
        "  per delta: the manager's client {:?}, hand-written {:?}",
        per_event(medians[0].0, medians[1].0),
        per_event(medians[0].1, medians[1].1)
    );
    aws.set_answer(ModelAnswer::default());
    aws.clear_requests();
}

fn role_assumption_counts(runtime: &Runtime, aws: &LocalAws, alice: &TestUser) {
    aws.add_role(
        RoleSpec::new(ROLE)
            .trust(alice.arn.clone())
            .external_id("right"),
    );
    let role = |external_id: &str| {
        aws.builder()
            .assume_role(ROLE)
            .external_id(external_id)
            .source_static(alice.access_key_id.clone(), alice.secret_access_key.clone())
            .build()
            .expect("valid configuration")
    };

    aws.clear_requests();
    let manager = role("right");
    let started = Instant::now();
    runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..1000 {
            let manager = manager.clone();
            tasks.spawn(async move {
                let client = manager
                    .bedrock_client(REGIONS[i % 8])
                    .await
                    .expect("client");
                common::converse(&client).await.expect("converse");
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("task");
        }
    });
    println!(
        "1000 concurrent Converse calls over 8 regions: {} AssumeRole call(s), {} Converse, {:.1} ms",
        aws.count("AssumeRole"),
        aws.count("Converse"),
        started.elapsed().as_secs_f64() * 1e3
    );

    aws.clear_requests();
    let refused = role("wrong");
    let started = Instant::now();
    let denied = runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..50 {
            let refused = refused.clone();
            tasks.spawn(async move { refused.validate().await.is_err() });
        }
        let mut denied = 0;
        while let Some(done) = tasks.join_next().await {
            denied += usize::from(done.expect("task"));
        }
        denied
    });
    println!(
        "50 concurrent validate() on a refused role: {} AssumeRole call(s), {denied} denied, {:.1} ms",
        aws.count("AssumeRole"),
        started.elapsed().as_secs_f64() * 1e3
    );
}

/// Auto mode, nothing configured, a metadata service that accepts and never answers: the time
/// to `no_credentials`, median of 5, with aws-config's own wait and with botocore's variables.
fn bounded_waits(runtime: &Runtime, aws: &LocalAws) {
    let endpoint = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("listener");
        let endpoint = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        endpoint
    });
    let cases: [(&str, &[(&str, &str)]); 2] = [
        ("aws-config's own wait", &[]),
        (
            "AWS_METADATA_SERVICE_TIMEOUT=0.1, _NUM_ATTEMPTS=1",
            &[
                ("AWS_METADATA_SERVICE_TIMEOUT", "0.1"),
                ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "1"),
            ],
        ),
    ];
    for (label, vars) in cases {
        let mut times: Vec<f64> = (0..5)
            .map(|_| {
                let sandbox = aws
                    .sandbox()
                    .env("AWS_EC2_METADATA_DISABLED", "false")
                    .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint)
                    .envs(vars.iter().copied());
                let manager = aws
                    .builder()
                    .auto()
                    .sandbox(sandbox)
                    .build()
                    .expect("valid configuration");
                let started = Instant::now();
                let result = runtime.block_on(manager.validate());
                assert!(result.is_err(), "no credentials anywhere");
                started.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "auto mode, nothing configured, silent instance metadata ({label}): no_credentials in {:.1} ms (median of 5)",
            times[2]
        );
    }
}
