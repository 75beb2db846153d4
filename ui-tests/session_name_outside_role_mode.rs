// A role option (`session_name`) in auto mode.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder().auto().session_name("orders").build();
}
