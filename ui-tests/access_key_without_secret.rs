// An access key id without its secret.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder()
        .static_credentials("AKIAIOSFODNN7EXAMPLE")
        .build();
}
