// A role option (`external_id`) in profile mode.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder()
        .profile("dev")
        .external_id("unique-external-id")
        .build();
}
