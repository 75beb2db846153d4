//! Shared test helpers: log capture, a recording HTTP client, one Converse call.

#![allow(dead_code)] // each test binary uses a part

use std::sync::{Arc, Mutex, PoisonError};

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

/// An endpoint on 127.0.0.1 where nothing listens (a port that was just free): every
/// connection is refused.
pub fn closed_endpoint() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    format!("http://127.0.0.1:{port}")
}

/// A short-term Bedrock API key signed by `user` for `region` at `at`, valid for `ttl`: made
/// locally, as AWS's generators make one.
pub fn signed_key(
    user: &bedrock_auth::testing::TestUser,
    region: &str,
    at: std::time::SystemTime,
    ttl: std::time::Duration,
) -> bedrock_auth::api_key::ShortTermKey {
    let credentials = aws_credential_types::Credentials::new(
        user.access_key_id.as_str(),
        bedrock_auth::ExposeSecret::expose_secret(&user.secret_access_key),
        None,
        None,
        "test",
    );
    let region = region.parse().expect("a region");
    bedrock_auth::api_key::ShortTermKey::sign(&credentials, &region, ttl, at).expect("a key")
}

/// Two users of `aws`, alice and bob, and a long-term Bedrock API key of each.
pub fn two_keys(
    aws: &bedrock_auth::testing::LocalAws,
) -> (
    [bedrock_auth::testing::TestUser; 2],
    [bedrock_auth::SecretString; 2],
) {
    let (alice, bob) = (aws.add_user("alice"), aws.add_user("bob"));
    let keys = [aws.add_api_key(&alice), aws.add_api_key(&bob)];
    ([alice, bob], keys)
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
    client
        .converse()
        .model_id(MODEL)
        .messages(ping())
        .send()
        .await
}

/// One Bedrock `ConverseStream` call that says "ping" to [`MODEL`], read to its end; how many
/// events it carried.
pub async fn converse_stream(client: &aws_sdk_bedrockruntime::Client) -> usize {
    let mut stream = client
        .converse_stream()
        .model_id(MODEL)
        .messages(ping())
        .send()
        .await
        .expect("the stream starts")
        .stream;
    let mut events = 0;
    while stream.recv().await.expect("an event").is_some() {
        events += 1;
    }
    events
}

/// The message "ping".
fn ping() -> aws_sdk_bedrockruntime::types::Message {
    use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};
    Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text("ping".into()))
        .build()
        .expect("a valid message")
}

/// A [`Shared`](bedrock_auth::Shared) on plain HTTP: the local server's protocol (a service
/// writes `Shared::new()`).
pub fn plain_http() -> bedrock_auth::Shared {
    bedrock_auth::Shared::with_http_client(aws_smithy_http_client::Builder::new().build_http())
}

/// One Bedrock `Converse` call in `region` as `manager`'s tenant, through the one client of
/// [`Shared::bedrock_client`](bedrock_auth::Shared::bedrock_client) with the manager's
/// per-request override; its error classified as the manager classifies errors.
pub async fn converse_as(
    shared: &bedrock_auth::Shared,
    manager: &bedrock_auth::AuthManager,
    region: &str,
) -> Result<(), bedrock_auth::AuthError> {
    let config = manager.bedrock_override(region).await?;
    shared
        .bedrock_client()
        .converse()
        .model_id(MODEL)
        .messages(ping())
        .customize()
        .config_override(config)
        .send()
        .await
        .map(drop)
        .map_err(|err| manager.classify_error(err, "Bedrock Converse", None))
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
