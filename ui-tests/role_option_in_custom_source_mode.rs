// A role option (`session_name`) in custom-source mode.
use bedrock_auth::{AuthManager, error::BoxError, custom::FreshCredentials, SecretString};

fn main() {
    let _ = AuthManager::builder()
        .credential_source(|| async {
            let id = "AKIAIOSFODNN7EXAMPLE".parse()?;
            Ok::<_, BoxError>(FreshCredentials::new(id, SecretString::from("secret")))
        })
        .session_name("orders")
        .build();
}
