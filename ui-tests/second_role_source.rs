// A role's source chosen twice: a profile, then the environment.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder()
        .assume_role("arn:aws:iam::123456789012:role/Bedrock")
        .source_profile("base")
        .source_environment()
        .build();
}
