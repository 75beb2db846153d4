// A role option (`mfa`) in static mode.
use bedrock_auth::{AuthManager, error::BoxError, SecretString};

fn main() {
    let _ = AuthManager::builder()
        .static_credentials(
            "AKIAIOSFODNN7EXAMPLE",
            SecretString::from("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        )
        .mfa("arn:aws:iam::123456789012:mfa/alice", || async {
            Ok::<_, BoxError>(SecretString::from("123456"))
        })
        .build();
}
