//! Shared test helpers: an isolated AWS environment for tests that touch the credential chain.

#![allow(dead_code)] // each test binary uses a part
#![allow(unsafe_code)] // `std::env::set_var`, serialized by ENV_LOCK

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

static ENV_LOCK: Mutex<()> = Mutex::new(());

/// An empty AWS environment for one test: `HOME`, `AWS_CONFIG_FILE` and
/// `AWS_SHARED_CREDENTIALS_FILE` in a fresh temp dir, every other `AWS_*` variable cleared,
/// instance metadata disabled. Holds a process-wide lock, so tests that change the environment
/// run one at a time; restores an empty `AWS_*` environment when dropped.
///
/// Only for what reads the process environment itself and has no seam yet: `diagnose()`, and
/// aws-config's own STS client of a profile's role chain. Everything else takes a
/// [`Sandbox`](bedrock_auth::testing::Sandbox) (`LocalAws::builder()` starts in one).
pub struct IsolatedEnv {
    dir: tempfile::TempDir,
    _lock: MutexGuard<'static, ()>,
}

impl IsolatedEnv {
    pub fn new() -> Self {
        let lock = ENV_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
        let dir = tempfile::tempdir().expect("temp dir");
        clear_aws_vars();
        let env = Self { dir, _lock: lock };
        env.write_config("");
        env.write_credentials("");
        env.set("HOME", env.dir.path().to_str().unwrap());
        env.set("AWS_CONFIG_FILE", env.config_path().to_str().unwrap());
        env.set(
            "AWS_SHARED_CREDENTIALS_FILE",
            env.credentials_path().to_str().unwrap(),
        );
        env.set("AWS_EC2_METADATA_DISABLED", "true");
        env
    }

    pub fn set(&self, key: &str, value: &str) {
        // SAFETY: every test of this crate that changes or reads the process environment holds
        // ENV_LOCK (through IsolatedEnv), so no other thread reads it meanwhile.
        unsafe { std::env::set_var(key, value) }
    }

    pub fn remove(&self, key: &str) {
        // SAFETY: as in `set`.
        unsafe { std::env::remove_var(key) }
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    pub fn credentials_path(&self) -> PathBuf {
        self.dir.path().join("credentials")
    }

    pub fn write_config(&self, text: &str) {
        std::fs::write(self.config_path(), text).expect("write config");
    }

    pub fn write_credentials(&self, text: &str) {
        std::fs::write(self.credentials_path(), text).expect("write credentials");
    }
}

impl Drop for IsolatedEnv {
    fn drop(&mut self) {
        clear_aws_vars();
    }
}

fn clear_aws_vars() {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            // SAFETY: called with ENV_LOCK held.
            unsafe { std::env::remove_var(key) }
        }
    }
}

/// Everything a `tracing` subscriber writes, at TRACE, for every crate.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// A subscriber at TRACE level that writes here.
    pub fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync + use<> {
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(self.clone())
            .with_ansi(false)
            .finish()
    }

    /// Makes [`subscriber`](Self::subscriber) this thread's default until the guard drops.
    ///
    /// Also rebuilds `tracing`'s interest cache: a callsite first hit by another test's thread
    /// while no subscriber wanted it can otherwise stay switched off for this one (tests run in
    /// parallel, each with its own thread-local subscriber).
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        let guard = tracing::subscriber::set_default(self.subscriber());
        tracing::callsite::rebuild_interest_cache();
        guard
    }

    /// What was written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The model id the local server's tests call.
pub const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

/// One Bedrock `Converse` call that says "ping" to [`MODEL`].
pub async fn converse(
    client: &aws_sdk_bedrockruntime::Client,
) -> Result<
    aws_sdk_bedrockruntime::operation::converse::ConverseOutput,
    aws_sdk_bedrockruntime::error::SdkError<
        aws_sdk_bedrockruntime::operation::converse::ConverseError,
    >,
> {
    use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};
    let message = Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text("ping".into()))
        .build()
        .expect("a valid message");
    client
        .converse()
        .model_id(MODEL)
        .messages(message)
        .send()
        .await
}

/// An HTTP client for a [`Sandbox`](bedrock_auth::testing::Sandbox) that records the URL of
/// every request it is handed and answers each with an empty 500: for tests that must prove a
/// request was never sent.
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<String>>>);

impl Recorder {
    pub fn client(&self) -> aws_smithy_runtime_api::client::http::SharedHttpClient {
        let seen = self.0.clone();
        aws_smithy_http_client::test_util::infallible_client_fn(move |request| {
            seen.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(request.uri().to_string());
            http::Response::builder()
                .status(500)
                .body(aws_smithy_types::body::SdkBody::empty())
                .expect("a response")
        })
    }

    /// The URLs of the requests handed to the client so far.
    pub fn urls(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// One Bedrock `Converse` call with `manager`'s client for its own region, its error classified
/// as the manager classifies errors.
pub async fn converse_with(
    manager: &bedrock_auth::AuthManager,
) -> Result<(), bedrock_auth::AuthError> {
    let client = manager.bedrock_client_default().await?;
    converse(&client)
        .await
        .map(drop)
        .map_err(|err| manager.classify_error(err, "Bedrock Converse", None))
}
