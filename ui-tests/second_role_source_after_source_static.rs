// A role's source chosen twice: a key pair, then a profile (options between them do not reopen
// the choice).
use bedrock_auth::{AuthManager, SecretString};

fn main() {
    let _ = AuthManager::builder()
        .assume_role("arn:aws:iam::123456789012:role/Bedrock")
        .source_static("AKIAIOSFODNN7EXAMPLE", SecretString::from("wJalrXUtnFEMI/K7MDENG"))
        .session_name("orders")
        .source_profile("base")
        .build();
}
