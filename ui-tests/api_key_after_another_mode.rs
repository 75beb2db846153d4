// An API key after another mode was chosen: a builder takes exactly one mode.
use bedrock_auth::{AuthManager, SecretString};

fn main() {
    let _ = AuthManager::builder()
        .profile("dev")
        .api_key(SecretString::from("bedrock-api-key-example"))
        .build();
}
