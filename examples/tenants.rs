//! A multi-tenant service: one manager per customer, each assuming the customer's role with
//! the customer's external id (the confused-deputy protection), all sharing one HTTP client and
//! connection pool, and sending through one Bedrock client, each request naming its tenant.
//! Managers are made on a tenant's first request and dropped on eviction.
//!
//! Offline: `cargo run --example tenants`. The program is the one a service writes; the lines
//! for the local server that stands in for AWS say so, and `main` sets that server up first.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};
use bedrock_auth::testing::{LocalAws, RoleSpec};
use bedrock_auth::{AccessKeyId, AuthError, AuthManager, Classify, RoleArn, SecretString, Shared};

const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

/// What the service knows of a customer: the role it made for the service, and the external
/// id the service gave it.
struct Customer {
    role: RoleArn,
    external_id: String,
}

/// The tenant registry: the service's business, shown here as a map.
struct Tenants {
    shared: Shared,
    customers: HashMap<&'static str, Customer>,
    managers: Mutex<HashMap<&'static str, AuthManager>>,
    /// The service's own key pair, and the endpoint: the local server's (on AWS, neither: the
    /// service's own credentials come from its platform, `.source_auto()`).
    local: (AccessKeyId, SecretString, String),
}

impl Tenants {
    /// The tenant's manager, made on its first request.
    fn manager(&self, tenant: &'static str) -> Result<AuthManager, AuthError> {
        let mut managers = self.managers.lock().expect("registry");
        if let Some(manager) = managers.get(tenant) {
            return Ok(manager.clone());
        }
        let customer = &self.customers[tenant];
        let (key_id, secret, endpoint) = &self.local;
        let manager = AuthManager::builder()
            .region("us-east-1")
            .endpoint_url(endpoint.as_str()) // the local server; not for AWS
            .shared(&self.shared)
            .assume_role(customer.role.clone())
            .external_id(customer.external_id.as_str())
            .session_name(format!("orders-{tenant}"))
            // The service's own credentials; on AWS: `.source_auto()`.
            .source_static(key_id.clone(), secret.clone())
            .build()?;
        managers.insert(tenant, manager.clone());
        Ok(manager)
    }

    /// Asks `MODEL` in `region` as `tenant`: through the service's one Bedrock client, the
    /// request naming its tenant with the tenant's override.
    async fn ask(
        &self,
        tenant: &'static str,
        region: &str,
        text: &str,
    ) -> Result<String, Box<dyn std::error::Error>> {
        let manager = self.manager(tenant)?;
        let message = Message::builder()
            .role(ConversationRole::User)
            .content(ContentBlock::Text(text.into()))
            .build()?;
        let output = self
            .shared
            .bedrock_client()
            .converse()
            .model_id(MODEL)
            .messages(message)
            .customize()
            .config_override(manager.bedrock_override(region).await?)
            .send()
            .await
            .classify(&manager)?;
        let answer = output
            .output()
            .and_then(|o| o.as_message().ok())
            .and_then(|m| m.content().first())
            .and_then(|c| c.as_text().ok())
            .cloned()
            .unwrap_or_default();
        Ok(answer)
    }

    /// Forgets a tenant: its credentials go with its manager.
    fn evict(&self, tenant: &str) {
        self.managers.lock().expect("registry").remove(tenant);
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The local server that stands in for AWS: the service's user, and a role per customer
    // that trusts it with the customer's external id.
    let aws = LocalAws::start().await?;
    let service = aws.add_user("orders-service");
    let mut customers = HashMap::new();
    for (n, tenant) in ["acme", "globex", "initech"].into_iter().enumerate() {
        let role: RoleArn = format!("arn:aws:iam::12345678901{n}:role/OrdersBedrock").parse()?;
        let external_id = format!("{tenant}-3f9c{n}");
        aws.add_role(
            RoleSpec::new(role.clone())
                .trust(service.arn.clone())
                .external_id(external_id.clone()),
        );
        customers.insert(tenant, Customer { role, external_id });
    }

    // The service.
    let tenants = Tenants {
        shared: Shared::new(),
        customers,
        managers: Mutex::new(HashMap::new()),
        local: (
            service.access_key_id.clone(),
            service.secret_access_key.clone(),
            aws.endpoint_url(),
        ),
    };
    // Requests come in for three tenants in two regions, some of them twice.
    for (tenant, region) in [
        ("acme", "us-east-1"),
        ("globex", "eu-west-1"),
        ("acme", "eu-west-1"),
        ("initech", "us-east-1"),
        ("globex", "eu-west-1"),
    ] {
        let answer = tenants.ask(tenant, region, "ping").await?;
        let arn = tenants.manager(tenant)?.validate().await?.arn;
        println!("{tenant:<8} {region:<10} {answer:?} as {arn}");
    }
    let weak = tenants.manager("globex")?.downgrade();
    tenants.evict("globex");
    println!(
        "globex evicted: its manager is {}",
        if weak.upgrade().is_none() {
            "gone"
        } else {
            "still alive"
        }
    );
    println!(
        "STS AssumeRole calls: {} (one per tenant per credential lifetime); TCP connections to \
         the endpoint: {}",
        aws.count("AssumeRole"),
        aws.connections()
    );
    Ok(())
}
