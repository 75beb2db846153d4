//! No secret ever reaches `Debug` or `Display`: every public type that holds one, or that an
//! error built from one, is formatted both ways and searched for the secret's bytes.

use std::fmt::{Debug, Display};

use bedrock_auth::{AuthManager, ExternalId, SecretString, error::BoxError};

const SECRET_KEY: &str = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYzSECRETKEY";
const SOURCE_SECRET: &str = "sourceSECRETsourceSECRETsourceSECRET0001";
const SESSION_TOKEN: &str = "FwoGZXIvYXdzSESSIONTOKENxyzzy0123456789";
const EXTERNAL_ID: &str = "ext-id-confidential-4242";
const MFA_CODE: &str = "918273";

fn assert_hidden(what: &str, text: &str) {
    for secret in [
        SECRET_KEY,
        SOURCE_SECRET,
        SESSION_TOKEN,
        EXTERNAL_ID,
        MFA_CODE,
    ] {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
    }
}

fn debug(what: &str, value: &impl Debug) -> String {
    let text = format!("{value:?} {value:#?}");
    assert_hidden(what, &text);
    text
}

fn display(what: &str, value: &impl Display) {
    assert_hidden(what, &format!("{value} {value:#}"));
}

#[test]
fn static_mode_builder_manager_and_info() {
    let builder = AuthManager::builder()
        .region("us-east-1")
        .static_credentials("ASIAIOSFODNN7EXAMPLE", SecretString::from(SECRET_KEY))
        .session_token(SecretString::from(SESSION_TOKEN));
    let text = debug("static builder", &builder);
    assert!(text.contains("[REDACTED]"), "{text}");
    let manager = builder.build().unwrap();
    let text = debug("static manager", &manager);
    assert!(text.contains("[REDACTED]"), "{text}");
    debug("static info", &manager.info());
    display("static info", &manager.info());
}

#[test]
fn role_mode_builder_manager_and_info() {
    let builder = AuthManager::builder()
        .assume_role("arn:aws:iam::123456789012:role/Bedrock")
        .external_id(EXTERNAL_ID)
        .mfa("arn:aws:iam::123456789012:mfa/alice", || async {
            Ok::<_, BoxError>(SecretString::from(MFA_CODE))
        })
        .source_static("AKIAIOSFODNN7EXAMPLE", SecretString::from(SOURCE_SECRET));
    debug("role builder", &builder);
    let manager = builder.build().unwrap();
    debug("role manager", &manager);
    debug("role info", &manager.info());
    display("role info", &manager.info());
}

#[test]
fn config_errors_and_value_errors() {
    // An external id that breaks a rule, beside secrets that are empty or fine: the error lists
    // the problems without any of the values that are secret.
    let bad_external_id = format!("{EXTERNAL_ID} !");
    let err = AuthManager::builder()
        .assume_role("arn:aws:iam::123456789012:role/Bedrock")
        .external_id(bad_external_id.as_str())
        .source_static("AKIA", SecretString::from(SOURCE_SECRET))
        .endpoint_url(format!("http://user:{SECRET_KEY}@127.0.0.1"))
        .build()
        .unwrap_err();
    assert_eq!(err.problems().len(), 3, "{err}");
    debug("config error", &err);
    display("config error", &err);
    for problem in err.problems() {
        debug("problem", problem);
        display("problem", problem);
    }
    let value_err = bad_external_id.parse::<ExternalId>().unwrap_err();
    debug("value error", &value_err);
    display("value error", &value_err);
}

#[test]
fn external_id_value() {
    let id: ExternalId = EXTERNAL_ID.parse().unwrap();
    assert_eq!(
        debug("external id", &id),
        "ExternalId([REDACTED]) ExternalId([REDACTED])"
    );
}

#[test]
fn custom_source_credentials_and_builder() {
    let fresh = bedrock_auth::custom::FreshCredentials::new(
        "ASIAIOSFODNN7EXAMPLE".parse().unwrap(),
        SecretString::from(SECRET_KEY),
    )
    .session_token(SecretString::from(SESSION_TOKEN));
    debug("fresh credentials", &fresh);
    let builder = AuthManager::builder().credential_source(move || {
        let fresh = fresh.clone();
        async move { Ok::<_, BoxError>(fresh) }
    });
    debug("custom builder", &builder);
    let manager = builder.build().unwrap();
    debug("custom manager", &manager);
    display("custom info", &manager.info());
}

/// Every level of an error chain, `Display` and `Debug`: what a reporter that walks
/// `source()` (anyhow, eyre) or a `{:?}` log line prints.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = String::new();
    let mut level = Some(err);
    while let Some(current) = level {
        text.push_str(&format!("{current}\n{current:?}\n{current:#?}\n"));
        level = current.source();
    }
    text
}

/// An answer that echoes the external id it was sent: not in the manager's error, nor in its
/// `Debug`, nor anywhere down its `source()` chain; nor in the error the SDK's own client
/// returns to a caller that does not go through the manager.
#[tokio::test]
async fn an_echoed_external_id_is_in_no_level_of_any_error_chain() {
    use bedrock_auth::RoleArn;
    use bedrock_auth::testing::{Fault, LocalAws};
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("echoed");
    aws.set_fault(Fault::Raw {
        status: 403,
        content_type: "text/xml",
        body: "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no trust for \
               ExternalId ext-id-confidential-4242 on this role</Message></Error>\
               </ErrorResponse>",
    });
    let manager = aws
        .builder()
        .assume_role(RoleArn::from_static("arn:aws:iam::123456789012:role/Echo"))
        .external_id(EXTERNAL_ID)
        .source_static(user.access_key_id.clone(), user.secret_access_key.clone())
        .max_attempts(1)
        .build()
        .unwrap();
    let err = manager.validate().await.unwrap_err();
    assert!(
        err.message().contains("no trust for ExternalId ********"),
        "{err}"
    );
    assert_hidden("validate()'s error chain", &chain(&err));
    debug("validate()'s error", &err);

    let client = manager.bedrock_client_default().await.unwrap();
    let sdk = crate::common::converse(&client).await.unwrap_err();
    assert_hidden("a Bedrock client's own error chain", &chain(&sdk));
    let classified = manager.classify_error(sdk, "Bedrock Converse", None);
    assert_hidden("the classified error chain", &chain(&classified));
}
