//! The audit events: `tracing` events under the target `bedrock_auth::audit`, with stable
//! field names, and no secret in them.
//!
//! In a file of its own, so that no other test's thread shares its `tracing` callsites.

use super::common;

use std::time::Duration;

use bedrock_auth::testing::{LocalAws, ModelAnswer, RoleSpec, StreamEnd};
use bedrock_auth::{ExposeSecret, RoleArn, SecretString};
use common::Captured;

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/BedrockAccess");
const COOL_DOWN: Duration = Duration::from_millis(300);

#[tokio::test(flavor = "current_thread")]
async fn audit_events_have_stable_fields_and_no_secret() {
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("audited");
    aws.add_role(RoleSpec::new(ROLE).external_id("ext-audit-7d"));
    let logs = Captured::default();
    let _guard = logs.install();

    let role = aws
        .builder()
        .assume_role(ROLE)
        .external_id("ext-audit-7d")
        .source_static(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()
        .unwrap();
    role.validate().await.unwrap();
    role.bedrock_api_key("us-east-1", Duration::from_secs(900))
        .await
        .unwrap();
    let refused = aws
        .builder()
        .lockout_after(1, COOL_DOWN)
        .static_credentials(
            user.access_key_id.clone(),
            SecretString::from("audit-wrong-secret"),
        )
        .build()
        .unwrap();
    refused.validate().await.unwrap_err();

    let text = logs.text();
    let audit: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("bedrock_auth::audit"))
        .collect();
    for event in [
        "credentials_resolved",
        "role_assumed",
        "validated",
        "api_key_generated",
        "auth_failed",
        "locked_out",
    ] {
        assert!(
            audit
                .iter()
                .any(|line| line.contains(&format!("event=\"{event}\""))),
            "no {event} event in:\n{}",
            audit.join("\n")
        );
    }
    let validated = audit
        .iter()
        .find(|line| line.contains("event=\"validated\""))
        .unwrap();
    assert!(
        validated.contains("mode=assume_role")
            && validated.contains("region=\"us-east-1\"")
            && validated
                .contains("principal=\"arn:aws:sts::123456789012:assumed-role/BedrockAccess/"),
        "{validated}"
    );
    let failed = audit
        .iter()
        .find(|line| line.contains("event=\"auth_failed\""))
        .unwrap();
    assert!(failed.contains("kind=invalid_credentials"), "{failed}");
    for secret in [
        user.secret_access_key.expose_secret(),
        "audit-wrong-secret",
        "ext-audit-7d",
    ] {
        assert!(
            !audit.iter().any(|line| line.contains(secret)),
            "{secret} in the audit"
        );
    }

    // A stream that fails after its call succeeded: one audit event for the failure, whether
    // an error event ends it or the connection breaks off.
    let streamer = aws
        .builder()
        .static_credentials(user.access_key_id.clone(), user.secret_access_key.clone())
        .build()
        .unwrap();
    let client = streamer.bedrock_client_default().await.unwrap();
    for (end, kind) in [
        (StreamEnd::Throttling, "kind=throttled"),
        (StreamEnd::HangUp, "kind=network"),
    ] {
        aws.set_answer(ModelAnswer::new(["half ", "an answer"]).end(end));
        let before = logs.text().matches("event=\"auth_failed\"").count();
        let mut stream = client
            .converse_stream()
            .model_id(common::MODEL)
            .send()
            .await
            .unwrap()
            .stream;
        let err = loop {
            match stream.recv().await {
                Ok(Some(_)) => {}
                Ok(None) => panic!("{end:?}: the stream ended without its error"),
                Err(err) => break streamer.classify_error(err, "Bedrock ConverseStream", None),
            }
        };
        let text = logs.text();
        let failed: Vec<&str> = text
            .lines()
            .filter(|line| line.contains("event=\"auth_failed\""))
            .skip(before)
            .collect();
        assert_eq!(failed.len(), 1, "{end:?} ({err}): {failed:#?}");
        assert!(failed[0].contains(kind), "{}", failed[0]);
    }
}
