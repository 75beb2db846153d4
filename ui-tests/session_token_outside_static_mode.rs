// `session_token` in assume-role mode.
use bedrock_auth::{AuthManager, SecretString};

fn main() {
    let _ = AuthManager::builder()
        .assume_role("arn:aws:iam::123456789012:role/Bedrock")
        .session_token(SecretString::from("token"))
        .build();
}
