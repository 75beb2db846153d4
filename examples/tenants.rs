//! A multi-tenant service: one manager per customer, each assuming the customer's role with
//! the customer's external id (the confused-deputy protection), all sharing one HTTP client and
//! connection pool, and sending through one Bedrock client, each request naming its tenant.
//! Managers are made on a tenant's first request and dropped on eviction.
//! Offline: `cargo run --example tenants`.

mod common;

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Mutex;

use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};
use bedrock_auth::{AuthError, AuthManager, RoleArn, Shared};

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
    /// For the local server: where to send requests (AWS needs no such line).
    endpoint: String,
}

impl Tenants {
    /// The tenant's manager, made on its first request.
    fn manager(&self, tenant: &'static str) -> Result<AuthManager, AuthError> {
        let mut managers = self.managers.lock().expect("registry");
        if let Some(manager) = managers.get(tenant) {
            return Ok(manager.clone());
        }
        let customer = &self.customers[tenant];
        let manager = AuthManager::builder()
            .region("us-east-1")
            .endpoint_url(self.endpoint.as_str()) // the local server; not for AWS
            .shared(&self.shared)
            .assume_role(customer.role.clone())
            .external_id(customer.external_id.as_str())
            .session_name(format!("orders-{tenant}"))
            .source_environment() // the service's own credentials
            .build()?;
        managers.insert(tenant, manager.clone());
        Ok(manager)
    }

    /// Asks `model` in `region` as `tenant`: through the service's one Bedrock client, the
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
            .model_id(common::MODEL)
            .messages(message)
            .customize()
            .config_override(manager.bedrock_override(region).await?)
            .send()
            .await
            .map_err(|err| manager.classify_error(err, "Bedrock Converse", None))?;
        Ok(common::answer(&output))
    }

    /// Forgets a tenant: its credentials go with its manager.
    fn evict(&self, tenant: &str) {
        self.managers.lock().expect("registry").remove(tenant);
    }
}

/// The service's own key pair, of the local server only (it means nothing on AWS).
const SERVICE_KEY_ID: &str = "AKIALOCALORDERS00001";
const SERVICE_SECRET: &str = "local-orders-service-secret";

fn main() -> ExitCode {
    // The service's own key pair is in the environment it runs in, as a platform gives it.
    let _home = common::offline(
        "",
        "",
        &[
            ("AWS_ACCESS_KEY_ID", SERVICE_KEY_ID),
            ("AWS_SECRET_ACCESS_KEY", SERVICE_SECRET),
        ],
    );
    common::run(|aws| async move {
        let service = aws.add_user_with_key(
            "123456789012",
            "orders-service",
            SERVICE_KEY_ID.parse()?,
            bedrock_auth::SecretString::from(SERVICE_SECRET),
        );
        let mut customers = HashMap::new();
        for (n, tenant) in ["acme", "globex", "initech"].into_iter().enumerate() {
            let role: RoleArn =
                format!("arn:aws:iam::12345678901{n}:role/OrdersBedrock").parse()?;
            let external_id = format!("{tenant}-3f9c{n}");
            aws.add_role(
                bedrock_auth::testing::RoleSpec::new(role.clone())
                    .trust(service.arn.clone())
                    .external_id(external_id.clone()),
            );
            customers.insert(tenant, Customer { role, external_id });
        }
        let tenants = Tenants {
            // The local server speaks plain HTTP; a service writes `Shared::new()`.
            shared: Shared::with_http_client(aws_smithy_http_client::Builder::new().build_http()),
            customers,
            managers: Mutex::new(HashMap::new()),
            endpoint: aws.endpoint_url(),
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
            "STS AssumeRole calls: {} (one per tenant per credential lifetime); TCP connections \
             to the endpoint: {}",
            aws.count("AssumeRole"),
            aws.connections()
        );
        Ok(())
    })
}
