// A session policy (a role option) in auto mode: only a role's session can be scoped down.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder()
        .auto()
        .session_policy(r#"{"Version":"2012-10-17","Statement":[]}"#)
        .build();
}
