// Transitive tag keys (a role option) in environment mode.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder().environment().transitive_tag_keys(["tenant"]).build();
}
