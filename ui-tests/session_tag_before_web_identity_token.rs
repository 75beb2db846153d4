// A session tag written before a web identity source given by a token provider.
use bedrock_auth::{AuthManager, SecretString, error::BoxError};

fn main() {
    let _ = AuthManager::builder()
        .assume_role("arn:aws:iam::123456789012:role/Bedrock")
        .session_tag("tenant", "acme")
        .source_web_identity_token(|| async { Ok::<_, BoxError>(SecretString::from("ci-token")) })
        .build();
}
