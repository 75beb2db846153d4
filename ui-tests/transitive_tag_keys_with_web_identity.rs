// Transitive tag keys with a web identity source: there are no session tags to pass on.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder()
        .assume_role("arn:aws:iam::123456789012:role/Bedrock")
        .source_web_identity("/var/run/secrets/eks.amazonaws.com/serviceaccount/token")
        .transitive_tag_keys(["tenant"])
        .build();
}
