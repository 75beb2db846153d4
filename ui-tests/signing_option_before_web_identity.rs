// An option AssumeRoleWithWebIdentity does not take, written before a web identity source.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder()
        .assume_role("arn:aws:iam::123456789012:role/Bedrock")
        .external_id("unique-external-id")
        .session_name("orders")
        .source_web_identity("/var/run/secrets/eks.amazonaws.com/serviceaccount/token")
        .build();
}
