// A source session token with no source key pair for it to complete.
use bedrock_auth::{AuthManager, SecretString};

fn main() {
    let _ = AuthManager::builder()
        .assume_role("arn:aws:iam::123456789012:role/Bedrock")
        .source_session_token(SecretString::from("FwoGZXIvYXdzEXAMPLE"))
        .build();
}
