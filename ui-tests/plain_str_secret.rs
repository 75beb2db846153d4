// A plain `&str` where the secret access key belongs.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder()
        .static_credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        .build();
}
