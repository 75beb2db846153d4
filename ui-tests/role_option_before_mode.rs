// A role option before any mode is chosen.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder()
        .external_id("unique-external-id")
        .assume_role("arn:aws:iam::123456789012:role/Bedrock")
        .build();
}
