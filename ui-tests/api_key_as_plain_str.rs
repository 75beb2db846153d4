// An API key as a plain `&str`: a secret must be wrapped on purpose.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder()
        .api_key("bedrock-api-key-example")
        .build();
}
