//! Credential rotation from a source of your own: the manager reads the current key pair from a
//! (here, in-memory) secret store, caches it, and re-reads it when told the secret was rotated;
//! the Bedrock client made before the rotation signs with the new key. Offline:
//! `cargo run --example rotation`.

mod common;

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use bedrock_auth::{custom::FreshCredentials, error::BoxError};

fn main() -> ExitCode {
    common::run(|aws| async move {
        let first = aws.add_user("key-generation-1");
        let second = aws.add_user("key-generation-2");
        // Stands for a secret manager that a rotation job writes to.
        let vault = Arc::new(Mutex::new(first.clone()));

        let store = Arc::clone(&vault);
        let manager = aws
            .builder() // region us-east-1 and the local endpoint; for AWS: AuthManager::builder().region(..)
            .credential_source(move || {
                let current = store.lock().expect("vault").clone();
                async move {
                    Ok::<_, BoxError>(FreshCredentials::new(
                        current.access_key_id,
                        current.secret_access_key,
                    ))
                }
            })
            .build()?;
        let client = manager.bedrock_client("us-east-1").await?;

        println!("before rotation: {}", manager.validate().await?.arn);
        common::ping(&client, common::MODEL).await?;

        *vault.lock().expect("vault") = second.clone(); // the rotation job runs
        manager.refresh_credentials().await?; // e.g. on the rotation event

        println!("after rotation:  {}", manager.validate().await?.arn);
        common::ping(&client, common::MODEL).await?;
        let keys: Vec<_> = aws
            .requests()
            .into_iter()
            .filter(|r| r.action == "Converse")
            .filter_map(|r| r.access_key_id)
            .collect();
        println!("the same Bedrock client signed with: {keys:?}");
        Ok(())
    })
}
