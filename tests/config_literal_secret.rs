//! A literal secret in a config file is accepted with a warning event that names the key and
//! never the value. Alone in its test binary: `tracing` caches per call site whether anyone
//! listens, and a test on another thread could settle that before this one's subscriber exists.

use std::sync::{Arc, Mutex};

use bedrock_auth::{AuthConfig, AuthManager};

#[test]
fn a_literal_secret_is_accepted_with_a_warning_that_names_the_key() {
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Captured {
            self.clone()
        }
    }
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let config = AuthConfig::from_toml(
        "mode = \"static\"\naccess_key_id = \"AKIAIOSFODNN7EXAMPLE\"\nsecret_access_key = \"literal-7d3e9b\"",
    )
    .unwrap();
    tracing::subscriber::with_default(subscriber, || AuthManager::from_config(&config).unwrap());
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let warning = logs
        .lines()
        .find(|l| l.contains("WARN"))
        .unwrap_or_else(|| panic!("no warning in {logs:?}"));
    assert!(warning.contains("secret_access_key"), "{warning}");
    assert!(!logs.contains("literal-7d3e9b"), "{logs}");
}
