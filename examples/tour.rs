//! A tour of bedrock-auth: every mode authenticates, validates and calls Bedrock.
//!
//! ```text
//! cargo run --example tour              # offline, against the embedded local AWS
//! cargo run --example tour -- --real-aws # against AWS, with your own credentials (auto mode)
//! ```
//!
//! Offline, the tour starts the local STS + Bedrock Runtime server of `bedrock_auth::testing`
//! on 127.0.0.1, registers a few users and a role, gives the modes that read the machine a
//! sandboxed one (a profile file, environment keys; never the process's), and walks the modes,
//! then Bedrock API keys: a short-term key generated from SigV4 credentials, API-key mode with
//! it, and what `AWS_BEARER_TOKEN_BEDROCK` does to auto mode. No AWS account, no network.
//!
//! Against AWS (`--real-aws`), it uses auto mode (your environment, profile or role), validates
//! it, and, when `BEDROCK_TOUR_MODEL` names a model id, makes one `Converse` call with it.

mod common;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use bedrock_auth::testing::{LocalAws, ModelAnswer, RoleSpec, Sandbox, TestUser};
use bedrock_auth::{
    AccessKeyId, AuthError, AuthManager, ExposeSecret, RoleArn, SecretString, api_key::ApiKeyInfo,
};

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/BedrockAccess");
const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";
const REGIONS: [&str; 3] = ["us-east-1", "us-west-2", "eu-central-1"];

fn main() -> ExitCode {
    init_tracing();
    let real = std::env::args().any(|arg| arg == "--real-aws");
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cannot start tokio: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = if real {
        runtime.block_on(real_tour())
    } else {
        runtime.block_on(local_tour())
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!(
                "error [{}]: {}\nhint: {}",
                err.kind(),
                err.message(),
                err.hint()
            );
            ExitCode::FAILURE
        }
    }
}

/// `RUST_LOG=trace|debug|info|warn|error` prints the library's and the SDK's logs on stderr,
/// as a service's own subscriber would, with the filter the guide asks for: the SDK's events
/// that print secrets (`bedrock_auth::logs::carries_secrets`) left out.
fn init_tracing() {
    use tracing_subscriber::filter::{FilterFn, LevelFilter};
    use tracing_subscriber::prelude::*;

    let Ok(level) = std::env::var("RUST_LOG") else {
        return;
    };
    let level = match level.trim().to_ascii_lowercase().as_str() {
        "trace" => tracing::Level::TRACE,
        "debug" => tracing::Level::DEBUG,
        "info" => tracing::Level::INFO,
        "error" => tracing::Level::ERROR,
        _ => tracing::Level::WARN,
    };
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_filter(LevelFilter::from_level(level))
        .with_filter(FilterFn::new(|metadata| {
            !bedrock_auth::logs::carries_secrets(metadata)
        }));
    tracing_subscriber::registry().with(layer).init();
}

const ENV_KEY: (&str, &str) = ("AKIATOURENVIRONMENT1", "tour-env-secret");
const PROFILE_KEY: (&str, &str) = ("AKIATOURPROFILE00001", "tour-profile-secret");

/// The machine the tour pretends to run on, for the modes that read it (profile, environment,
/// auto): a `HOME` with a profile file, the `AWS_*` variables of one user, instance metadata
/// off. Without `.sandbox(..)` a manager reads the process's own.
fn this_machine(aws: &LocalAws) -> Sandbox {
    aws.sandbox()
        .env("HOME", "/home/tour")
        .file(
            "/home/tour/.aws/config",
            "[profile tour]\nregion = us-west-2\n",
        )
        .file(
            "/home/tour/.aws/credentials",
            format!(
                "[tour]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
                PROFILE_KEY.0, PROFILE_KEY.1
            ),
        )
        .env("AWS_ACCESS_KEY_ID", ENV_KEY.0)
        .env("AWS_SECRET_ACCESS_KEY", ENV_KEY.1)
}

fn user_key((id, secret): (&str, &str)) -> (AccessKeyId, SecretString) {
    (
        id.parse().expect("a valid key id"),
        SecretString::from(secret),
    )
}

#[expect(
    clippy::too_many_lines,
    reason = "the tour is one story, told in order: each step prints what it shows"
)]
async fn local_tour() -> Result<(), AuthError> {
    let started = Instant::now();
    let aws = LocalAws::start()
        .await
        .expect("start the local server on 127.0.0.1");
    println!(
        "bedrock-auth tour: local STS + Bedrock Runtime at {}\n",
        aws.endpoint_url()
    );

    let (env_id, env_secret) = user_key(ENV_KEY);
    aws.add_user_with_key("123456789012", "tour-env", env_id, env_secret);
    let (profile_id, profile_secret) = user_key(PROFILE_KEY);
    aws.add_user_with_key("123456789012", "tour-profile", profile_id, profile_secret);
    let static_user = aws.add_user("tour-static");
    let source = aws.add_user("tour-role-source");
    aws.add_role(
        RoleSpec::new(ROLE)
            .trust(source.arn.clone())
            .external_id("tour-external-id"),
    );

    let managers = [
        (
            "profile",
            AuthManager::builder() // the region comes from the profile
                .endpoint_url(aws.endpoint_url())
                .sandbox(this_machine(&aws))
                .profile("tour")
                .build()?,
        ),
        (
            "environment",
            aws.builder()
                .sandbox(this_machine(&aws))
                .environment()
                .build()?,
        ),
        (
            "static",
            aws.builder()
                .static_credentials(
                    static_user.access_key_id.clone(),
                    static_user.secret_access_key.clone(),
                )
                .build()?,
        ),
        (
            "assume_role",
            aws.builder()
                .assume_role(ROLE)
                .external_id("tour-external-id")
                .session_name("bedrock-auth-tour")
                .duration(Duration::from_secs(3600))
                .source_static(
                    source.access_key_id.clone(),
                    source.secret_access_key.clone(),
                )
                .build()?,
        ),
        (
            "auto",
            aws.builder().sandbox(this_machine(&aws)).auto().build()?,
        ),
    ];

    println!("{:<12} {:>9}  identity", "mode", "validate");
    for (name, manager) in &managers {
        let t = Instant::now();
        let identity = manager.validate().await?;
        println!("{name:<12} {:>9}  {}", ms(t.elapsed()), identity.arn);
    }

    let (_, role_manager) = &managers[3];
    println!("\nBedrock Runtime clients (assume_role mode):");
    for region in REGIONS {
        let t = Instant::now();
        role_manager.bedrock_client(region).await?;
        let first = t.elapsed();
        let t = Instant::now();
        role_manager.bedrock_client(region).await?;
        println!(
            "  {region:<14} first {:>9}, cached {:>9}",
            ms(first),
            ms(t.elapsed())
        );
    }

    let client = role_manager.bedrock_client("us-west-2").await?;
    let t = Instant::now();
    let reply = common::ping(&client, MODEL).await;
    println!(
        "\nConverse {MODEL} in us-west-2: {reply:?} in {}",
        ms(t.elapsed())
    );
    // A streamed answer: the local model sends each piece as a delta, 20 ms apart.
    aws.set_answer(
        ModelAnswer::new(["Streamed", " token", " by", " token"]).pause(Duration::from_millis(20)),
    );
    let t = Instant::now();
    match common::stream(&client, MODEL).await {
        Ok(streamed) => println!(
            "ConverseStream {MODEL} in us-west-2: {:?} in {} deltas, the first after {}, all in {}",
            streamed.text,
            streamed.deltas,
            ms(streamed.first_delta),
            ms(t.elapsed())
        ),
        Err(err) => println!("ConverseStream failed: {err}"),
    }
    aws.set_answer(ModelAnswer::default());
    println!(
        "STS AssumeRole calls so far: {} (one per credential lifetime, shared by every region)",
        aws.count("AssumeRole")
    );

    let refused = aws
        .builder()
        .assume_role(ROLE)
        .external_id("not-the-external-id")
        .source_static(
            source.access_key_id.clone(),
            source.secret_access_key.clone(),
        )
        .build()?;
    if let Err(err) = refused.validate().await {
        println!(
            "\nA refused role, as the library reports it:\n  [{}] {}\n  hint: {}",
            err.kind(),
            err.message(),
            err.hint()
        );
    }

    api_keys(&aws, &static_user).await?;

    println!("\n{}", managers[3].1.info());
    println!(
        "\ntour finished in {} with no AWS account; against AWS: cargo run --example tour -- --real-aws",
        ms(started.elapsed())
    );
    Ok(())
}

/// Bedrock API keys: a short-term key generated from SigV4 credentials, API-key mode with it,
/// and what `AWS_BEARER_TOKEN_BEDROCK` does to auto mode (and not to the explicit modes).
async fn api_keys(aws: &LocalAws, user: &TestUser) -> Result<(), AuthError> {
    println!("\nBedrock API keys:");
    let signer = aws
        .builder()
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()?;
    let t = Instant::now();
    signer
        .bedrock_api_key("us-east-1", Duration::from_secs(3600))
        .await?;
    let first = t.elapsed();
    let t = Instant::now();
    let key = signer
        .bedrock_api_key("us-east-1", Duration::from_secs(3600))
        .await?;
    let generated = t.elapsed();
    let info = ApiKeyInfo::parse(key.token().expose_secret())?;
    println!(
        "  short-term key generated in {} (first: {}, loading the configuration)",
        ms(generated),
        ms(first)
    );
    println!("  {info}; the key itself is never printed");

    let manager = aws.builder().api_key(key.token().clone()).build()?;
    let t = Instant::now();
    manager.validate().await?;
    let client = manager.bedrock_client_default().await?;
    let reply = common::ping(&client, MODEL).await;
    println!(
        "  api_key mode: validated (Bedrock ListAsyncInvokes) and Converse {reply:?} in {}",
        ms(t.elapsed())
    );

    // With a key in AWS_BEARER_TOKEN_BEDROCK (here in a sandbox, not the process):
    let with_key = || {
        aws.sandbox()
            .env("AWS_BEARER_TOKEN_BEDROCK", key.token().expose_secret())
            .env("AWS_ACCESS_KEY_ID", user.access_key_id.as_str())
            .env(
                "AWS_SECRET_ACCESS_KEY",
                user.secret_access_key.expose_secret(),
            )
    };
    println!("  with AWS_BEARER_TOKEN_BEDROCK set:");
    for manager in [
        aws.builder().auto().sandbox(with_key()).build()?,
        aws.builder().environment().sandbox(with_key()).build()?,
    ] {
        let client = manager.bedrock_client_default().await?;
        let reply = common::ping(&client, MODEL).await;
        let seen = aws.requests().last().map(|r| r.auth);
        println!(
            "    {:<12} Bedrock auth {:<38} Converse {reply:?}, the server saw {seen:?}",
            manager.mode().as_str(),
            manager.info().bedrock_auth.to_string()
        );
    }
    println!("    auto mode follows the SDK and says so (info(), doctor, a log event); every");
    println!("    explicit mode keeps its own credentials");
    Ok(())
}

async fn real_tour() -> Result<(), AuthError> {
    println!("bedrock-auth tour against AWS (auto mode)\n");
    let manager = AuthManager::builder().auto().build()?;
    let t = Instant::now();
    let identity = manager.validate().await?;
    println!("validated in {}: {identity}", ms(t.elapsed()));
    println!(
        "Bedrock calls authenticate with: {}",
        manager.info().bedrock_auth
    );
    match std::env::var("BEDROCK_TOUR_MODEL") {
        Ok(model) => {
            let client = manager.bedrock_client_default().await?;
            let t = Instant::now();
            let reply = common::ping(&client, &model).await;
            println!("Converse {model}: {reply:?} in {}", ms(t.elapsed()));
        }
        Err(_) => println!("set BEDROCK_TOUR_MODEL=<model id> to make one Converse call"),
    }
    Ok(())
}

fn ms(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    }
}
