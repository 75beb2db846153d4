// A source identity (a role option) with static credentials: no role session to carry it.
use bedrock_auth::{AuthManager, SecretString};

fn main() {
    let _ = AuthManager::builder()
        .static_credentials("AKIAIOSFODNN7EXAMPLE", SecretString::from("wJalrXUtnFEMI/K7MDENG"))
        .source_identity("alice")
        .build();
}
