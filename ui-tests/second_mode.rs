// Choosing a second mode after the first.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder().profile("dev").auto().build();
}
