// Source credentials in API-key mode: they belong to an assumed role.
use bedrock_auth::{AuthManager, SecretString};

fn main() {
    let _ = AuthManager::builder()
        .api_key(SecretString::from("bedrock-api-key-example"))
        .source_static("AKIAIOSFODNN7EXAMPLE", SecretString::from("secret"))
        .build();
}
