// A role option (`external_id`) in API-key mode: a bearer key is sent as it is.
use bedrock_auth::{AuthManager, SecretString};

fn main() {
    let _ = AuthManager::builder()
        .api_key(SecretString::from("bedrock-api-key-example"))
        .external_id("unique-external-id")
        .build();
}
