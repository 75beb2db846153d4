//! Static mode: a key pair given in code, the secret as a `SecretString`.
//! Runs offline: `cargo run --example static_keys`.

mod common;

use std::process::ExitCode;

fn main() -> ExitCode {
    common::run(|aws| async move {
        // In a service the key pair comes from a secret store, read straight into the wrapper.
        let user = aws.add_user("static-user");
        let (key_id, secret) = (user.access_key_id, user.secret_access_key);

        let manager = aws
            .builder() // region us-east-1 and the local endpoint; for AWS: AuthManager::builder().region(..)
            .static_credentials(key_id, secret)
            .build()?;
        common::validate_and_ping(&manager).await?;
        Ok(())
    })
}
