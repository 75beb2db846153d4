// A session token in API-key mode: only a static key pair takes one.
use bedrock_auth::{AuthManager, SecretString};

fn main() {
    let _ = AuthManager::builder()
        .api_key_from_env()
        .session_token(SecretString::from("token"))
        .build();
}
