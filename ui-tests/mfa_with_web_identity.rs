// MFA with a web identity source (here a token provider): AssumeRoleWithWebIdentity takes none.
use bedrock_auth::{AuthManager, SecretString, error::BoxError};

fn main() {
    let _ = AuthManager::builder()
        .assume_role("arn:aws:iam::123456789012:role/Bedrock")
        .source_web_identity_token(|| async { Ok::<_, BoxError>(SecretString::from("ci-token")) })
        .mfa("arn:aws:iam::123456789012:mfa/alice", || async {
            Ok::<_, BoxError>(SecretString::from("123456"))
        })
        .build();
}
