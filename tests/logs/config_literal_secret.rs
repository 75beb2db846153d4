//! A literal secret in a config file is accepted with a warning event that names the key and
//! never the value. `tracing` caches per call site whether anyone listens, and a test on
//! another thread could settle that before this one's subscriber exists: the capture rebuilds
//! the cache when it is installed.

use super::common;

use bedrock_auth::{AuthConfig, AuthManager};
use common::Captured;

#[test]
fn a_literal_secret_is_accepted_with_a_warning_that_names_the_key() {
    let captured = Captured::default();
    let config = AuthConfig::from_toml(
        "mode = \"static\"\naccess_key_id = \"AKIAIOSFODNN7EXAMPLE\"\nsecret_access_key = \"literal-7d3e9b\"",
    )
    .unwrap();
    {
        let _guard = captured.install();
        AuthManager::from_config(&config).unwrap();
    }
    let logs = captured.text();
    let warning = logs
        .lines()
        .find(|l| l.contains("WARN"))
        .unwrap_or_else(|| panic!("no warning in {logs:?}"));
    assert!(warning.contains("secret_access_key"), "{warning}");
    assert!(!logs.contains("literal-7d3e9b"), "{logs}");
}
