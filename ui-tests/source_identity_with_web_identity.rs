// A source identity with a web identity source: AssumeRoleWithWebIdentity takes none.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder()
        .assume_role("arn:aws:iam::123456789012:role/Bedrock")
        .source_web_identity("/var/run/secrets/eks.amazonaws.com/serviceaccount/token")
        .source_identity("alice")
        .build();
}
