// A role's source chosen twice: a web identity, then a profile.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder()
        .assume_role("arn:aws:iam::123456789012:role/Bedrock")
        .source_web_identity("/var/run/secrets/eks.amazonaws.com/serviceaccount/token")
        .source_profile("base")
        .build();
}
