// A plain `String` where the session token belongs.
use bedrock_auth::{AuthManager, SecretString};

fn main() {
    let token = String::from("FwoGZXIvYXdzEXAMPLETOKEN");
    let _ = AuthManager::builder()
        .static_credentials(
            "AKIAIOSFODNN7EXAMPLE",
            SecretString::from("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        )
        .session_token(token)
        .build();
}
