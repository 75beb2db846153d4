//! Many tenants, one service: managers that share one HTTP client and connection pool
//! ([`Shared`]) keep their own credentials, and a dropped manager leaves nothing behind.

use crate::common;

use bedrock_auth::testing::{LocalAws, RoleSpec};
use std::time::Duration;

use aws_sdk_bedrockruntime::config::retry::RetryPartition;
use bedrock_auth::testing::AuthKind;
use bedrock_auth::{AuthConfig, AuthManager, ErrorKind, RoleArn, SecretString};

use common::plain_http;

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
    common::converse_as(&shared, &manager, "ap-south-1")
        .await
        .unwrap();
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

#[tokio::test]
async fn one_bedrock_client_for_every_tenant_and_region() {
    let aws = LocalAws::start().await.unwrap();
    let service = aws.add_user("service");
    let shared = plain_http();
    let tenant = |n: usize| {
        let role = format!("arn:aws:iam::12345678901{n}:role/BedrockAccess");
        aws.add_role(
            RoleSpec::new(role.parse::<RoleArn>().unwrap())
                .trust(service.arn.clone())
                .external_id(format!("tenant-{n}")),
        );
        aws.builder()
            .shared(&shared)
            .assume_role(role)
            .external_id(format!("tenant-{n}"))
            .session_name(format!("tenant-{n}"))
            .source_static(
                service.access_key_id.clone(),
                service.secret_access_key.clone(),
            )
            .build()
            .unwrap()
    };
    let tenants = [tenant(0), tenant(1)];
    for _ in 0..3 {
        for tenant in &tenants {
            for region in ["us-east-1", "eu-west-1"] {
                common::converse_as(&shared, tenant, region).await.unwrap();
            }
        }
    }
    // Each request signed by its tenant's role session, in the region it named.
    let converses: Vec<_> = aws
        .requests()
        .into_iter()
        .filter(|r| r.action == "Converse")
        .collect();
    assert_eq!(converses.len(), 12);
    for (n, request) in converses.iter().enumerate() {
        let region = ["us-east-1", "eu-west-1"][n % 2];
        assert_eq!(
            request.signing_region.as_deref(),
            Some(region),
            "{request:?}"
        );
        assert_eq!(request.status, 200, "{request:?}");
    }
    let key_of = |n: usize| converses[n].access_key_id.clone().unwrap();
    assert_eq!(
        key_of(0),
        key_of(1),
        "one tenant, one session for both regions"
    );
    assert_ne!(key_of(0), key_of(2), "two tenants, two sessions");
    assert_ne!(key_of(0), service.access_key_id.to_string());
    // One role assumption per tenant, however many requests and regions: the override brings
    // the tenant's own credential cache.
    assert_eq!(aws.count("AssumeRole"), 2);
    let sessions: Vec<_> = aws
        .requests()
        .into_iter()
        .filter(|r| r.action == "AssumeRole")
        .map(|r| r.params["ExternalId"].clone())
        .collect();
    assert_eq!(sessions, ["tenant-0", "tenant-1"]);
    assert_eq!(aws.connections(), 1, "one pool for every tenant");
    // Retries through the shared client draw on the token bucket of the request's region, the
    // one the SDK gives a client of that region.
    let config = tenants[1]
        .bedrock_override("eu-west-1")
        .await
        .unwrap()
        .build();
    assert_eq!(
        config.retry_partition(),
        Some(&RetryPartition::new("bedrockruntime-eu-west-1"))
    );
}

#[tokio::test]
async fn a_request_that_names_no_tenant_is_refused_with_nothing_sent() {
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("someone");
    // A tenant exists and has been used: its credentials are not the shared client's.
    let shared = plain_http();
    let tenant = aws
        .builder()
        .shared(&shared)
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()
        .unwrap();
    common::converse_as(&shared, &tenant, "us-east-1")
        .await
        .unwrap();
    let before = aws.requests().len();
    let err = common::converse(&shared.bedrock_client())
        .await
        .unwrap_err();
    let said = aws_smithy_types::error::display::DisplayErrorContext(&err).to_string();
    assert!(said.contains("no identity resolver"), "{said}");
    assert_eq!(aws.requests().len(), before, "sent without a tenant");
}

#[tokio::test]
async fn an_api_key_tenant_and_a_locked_out_tenant_through_the_shared_client() {
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("keyholder");
    let key = aws.add_api_key(&user);
    let shared = plain_http();
    let with_key = aws.builder().shared(&shared).api_key(key).build().unwrap();
    common::converse_as(&shared, &with_key, "us-east-1")
        .await
        .unwrap();
    let last = aws.requests().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.auth),
        ("Converse", AuthKind::Bearer)
    );

    // A tenant's lockout holds on the shared client: its override carries the monitor.
    let revoked = aws
        .builder()
        .shared(&shared)
        .lockout_after(2, Duration::from_secs(60))
        .static_credentials(
            user.access_key_id.clone(),
            SecretString::from("wrong-secret"),
        )
        .build()
        .unwrap();
    for _ in 0..2 {
        let err = common::converse_as(&shared, &revoked, "us-east-1")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err}");
    }
    let sent = aws.requests().len();
    let err = common::converse_as(&shared, &revoked, "us-east-1")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LockedOut, "{err}");
    assert_eq!(
        aws.requests().len(),
        sent,
        "a locked-out tenant sent something"
    );
    // The other tenant is not locked out.
    common::converse_as(&shared, &with_key, "eu-west-1")
        .await
        .unwrap();
}
