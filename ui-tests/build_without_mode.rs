// `build()` before a mode is chosen.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder().region("us-east-1").build();
}
