// A source session token after a profile source: the profile brings its own.
use bedrock_auth::{AuthManager, SecretString};

fn main() {
    let _ = AuthManager::builder()
        .assume_role("arn:aws:iam::123456789012:role/Bedrock")
        .source_profile("base")
        .source_session_token(SecretString::from("FwoGZXIvYXdzEXAMPLE"))
        .build();
}
