// A role option (`source_profile`) in auto mode.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder().auto().source_profile("base").build();
}
