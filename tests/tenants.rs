//! Many tenants, one service: managers that share one HTTP client and connection pool
//! ([`Shared`]) keep their own credentials, and a dropped manager leaves nothing behind.

mod common;

use bedrock_auth::testing::{LocalAws, RoleSpec};
use bedrock_auth::{AuthConfig, AuthManager, RoleArn, Shared};

fn plain_http() -> Shared {
    // The local server speaks plain HTTP; a service would use `Shared::new()`.
    Shared::with_http_client(aws_smithy_http_client::Builder::new().build_http())
}

#[tokio::test]
async fn two_tenants_one_connection_pool_their_own_identities() {
    let aws = LocalAws::start().await.unwrap();
    let acme = aws.add_user("acme");
    let globex = aws.add_user("globex");
    let shared = plain_http();
    let tenant = |user: &bedrock_auth::testing::TestUser| {
        aws.builder()
            .shared(&shared)
            .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
            .build()
            .unwrap()
    };
    let (first, second) = (tenant(&acme), tenant(&globex));
    for _ in 0..3 {
        assert_eq!(first.validate().await.unwrap().arn, acme.arn);
        assert_eq!(second.validate().await.unwrap().arn, globex.arn);
        common::converse_with(&first).await.unwrap();
        common::converse_with(&second).await.unwrap();
    }
    assert_eq!(aws.connections(), 1, "one pool, one kept-alive connection");

    // Without the shared handle, each manager opens its own.
    let before = aws.connections();
    let own = |user: &bedrock_auth::testing::TestUser| {
        aws.builder()
            .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
            .build()
            .unwrap()
    };
    own(&acme).validate().await.unwrap();
    own(&globex).validate().await.unwrap();
    assert_eq!(aws.connections() - before, 2);
}

#[tokio::test]
async fn a_shared_config_and_a_role_per_tenant() {
    // The pattern of a multi-tenant service: one config per tenant, each assuming its own
    // role with its own external id, all on one pool.
    let aws = LocalAws::start().await.unwrap();
    let service = aws.add_user("service");
    let shared = plain_http();
    let mut managers = Vec::new();
    for (n, tenant) in ["acme", "globex", "initech"].iter().enumerate() {
        let role = format!("arn:aws:iam::12345678901{n}:role/BedrockAccess");
        aws.add_role(
            RoleSpec::new(role.parse::<RoleArn>().unwrap())
                .trust(service.arn.clone())
                .external_id(format!("{tenant}-external-id")),
        );
        let config = AuthConfig::from_toml(&format!(
            "mode = \"assume_role\"\nregion = \"us-east-1\"\nendpoint_url = \"{}\"\n\
             role_arn = \"{role}\"\nexternal_id = \"{tenant}-external-id\"\n\
             session_name = \"{tenant}\"\n\
             source = {{ access_key_id = \"{}\", secret_access_key = \"{}\" }}",
            aws.endpoint_url(),
            service.access_key_id,
            bedrock_auth::ExposeSecret::expose_secret(&service.secret_access_key),
        ))
        .unwrap()
        .sandbox(aws.sandbox())
        .shared(&shared);
        managers.push(AuthManager::from_config(&config).unwrap());
    }
    for (n, manager) in managers.iter().enumerate() {
        let arn = manager.validate().await.unwrap().arn;
        assert!(
            arn.starts_with(&format!("arn:aws:sts::12345678901{n}:assumed-role/")),
            "{arn}"
        );
    }
    assert_eq!(aws.count("AssumeRole"), 3);
    assert_eq!(aws.connections(), 1);
}

#[tokio::test]
async fn a_dropped_tenant_leaves_nothing_behind() {
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("short-lived");
    aws.add_role(RoleSpec::new(RoleArn::from_static(
        "arn:aws:iam::123456789012:role/BedrockAccess",
    )));
    let shared = plain_http();
    let manager = aws
        .builder()
        .shared(&shared)
        .assume_role("arn:aws:iam::123456789012:role/BedrockAccess")
        .source_static(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()
        .unwrap();
    // Used in full: credentials, the STS client, a regional Bedrock client.
    manager.validate().await.unwrap();
    common::converse_with(&manager).await.unwrap();
    let client = manager.bedrock_client("eu-west-1").await.unwrap();
    let weak = manager.downgrade();
    assert!(weak.upgrade().is_some());
    drop(manager);
    assert!(weak.upgrade().is_none(), "something kept the tenant alive");
    // A client handed out before stays usable on its own.
    drop(client);
    // The shared pool outlives every tenant.
    let again = aws
        .builder()
        .shared(&shared)
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()
        .unwrap();
    again.validate().await.unwrap();
}
