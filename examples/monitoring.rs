//! Security monitoring, offline: a revoked key fails until the manager locks itself out (no
//! more calls to AWS), the health snapshot a health endpoint would serve, the audit events a
//! log pipeline would collect, then recovery once the key is fixed and the lockout is reset.
//! `cargo run --example monitoring`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bedrock_auth::{
    SecretString, custom::FreshCredentials, error::BoxError, monitor::AUDIT_TARGET,
};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The audit events on stdout, and nothing else of the logs: what a log pipeline would
    // collect from the target `bedrock_auth::audit`.
    let audit_only = Targets::new().with_target(AUDIT_TARGET, tracing::Level::INFO);
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .without_time()
        .with_writer(std::io::stdout)
        .finish()
        .with(audit_only);
    let _ = tracing::subscriber::set_global_default(subscriber);
    // Offline only: the embedded local AWS stands in for STS (`aws.builder()` is
    // `AuthManager::builder()` pointed at it); against AWS, leave it out.
    let aws = bedrock_auth::testing::LocalAws::start().await?;
    let user = aws.add_user("orders-service");
    // The vault holds a revoked secret until an operator puts the right one back.
    let vault = Arc::new(Mutex::new(SecretString::from("revoked-secret")));
    let store = Arc::clone(&vault);
    let id = user.access_key_id.clone();
    let manager = aws
        .builder() // for AWS: AuthManager::builder().region(..)
        .lockout_after(3, Duration::from_secs(60))
        .credential_source(move || {
            let (id, secret) = (id.clone(), store.lock().expect("vault").clone());
            async move { Ok::<_, BoxError>(FreshCredentials::new(id, secret)) }
        })
        .build()?;

    for attempt in 1..=4 {
        match manager.validate().await {
            Ok(identity) => println!("attempt {attempt}: {}", identity.arn),
            Err(err) => println!("attempt {attempt}: {} [{}]", err.message(), err.kind()),
        }
    }
    println!(
        "STS saw {} GetCallerIdentity calls: the fourth was never sent",
        aws.count("GetCallerIdentity")
    );
    let health = manager.health();
    println!("health: {}", serde_json::to_string(&health).expect("json"));

    // The operator fixes the secret and lifts the lockout.
    *vault.lock().expect("vault") = user.secret_access_key.clone();
    manager.reset_lockout();
    manager.refresh_credentials().await?;
    println!("after the fix: {}", manager.validate().await?.arn);
    println!(
        "health: {}",
        serde_json::to_string(&manager.health()).expect("json")
    );
    Ok(())
}
