// A value of the wrong type: a number where a region belongs.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder().region(1).auto().build();
}
