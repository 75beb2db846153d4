// Managed policy ARNs (a role option) in API-key mode: a key is sent as it is.
use bedrock_auth::{AuthManager, SecretString};

fn main() {
    let _ = AuthManager::builder()
        .api_key(SecretString::from("bedrock-api-key-example"))
        .policy_arns(["arn:aws:iam::123456789012:policy/tenants/acme"])
        .build();
}
