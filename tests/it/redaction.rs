//! No secret ever reaches `Debug` or `Display`: every public type that holds one, or that an
//! error built from one, is formatted both ways and searched for the secret's bytes.

use std::fmt::{Debug, Display};

use bedrock_auth::{AuthManager, BoxError, ExternalId, SecretString};

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
    let fresh = bedrock_auth::FreshCredentials::new(
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
