//! Bedrock's OpenAI-compatible endpoints, with this crate's credentials: OpenAI Chat
//! Completions on Bedrock Runtime (`/openai/v1`) and on bedrock-mantle (`/v1`), in a request
//! the program builds itself (here as an `http::Request`; with reqwest, build it the same way
//! and convert it with `reqwest::Request::try_from`), authorized in place and sent; then a key
//! for clients that take only a key (OpenAI's SDKs, LiteLLM, Codex).
//!
//! Runs offline: `cargo run --example openai`. Against AWS, start from
//! `AuthManager::builder().region("us-east-1")` instead of the local server's builder.

use std::time::Duration;

use bedrock_auth::manager::OpenAiApi;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Offline only: an embedded local AWS (STS, Bedrock, its OpenAI-compatible paths) and a
    // user of it; `aws.builder()` is `AuthManager::builder()` pointed at it.
    let aws = bedrock_auth::testing::LocalAws::start().await?;
    let user = aws.add_user("openai-user");
    let manager = aws
        .builder()
        .static_credentials(user.access_key_id, user.secret_access_key)
        .build()?;

    for api in [OpenAiApi::BedrockRuntime, OpenAiApi::Mantle] {
        let openai = manager.openai(api, "us-east-1").await?;
        let body = serde_json::json!({
            "model": "openai.gpt-oss-120b-1:0",
            "messages": [{"role": "user", "content": "Say pong."}],
            "max_tokens": 16,
        });
        let mut request = http::Request::post(format!("{}/chat/completions", openai.base_url()))
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&body)?)?;
        // SigV4 for `bedrock` / `bedrock-mantle` (or the API key in API-key mode); refused for
        // a URL that is not under `base_url()`.
        openai.authorize(&mut request).await?;
        let response = openai.send(request).await?;
        let answer: serde_json::Value = serde_json::from_slice(response.body())?;
        println!(
            "{api}: {} said {}",
            openai.base_url(),
            answer["choices"][0]["message"]["content"]
        );
    }

    // For a client that takes only a base URL and a key: a short-term Bedrock API key made from
    // the manager's credentials (in API-key mode, its key). Never print the key itself.
    let openai = manager.openai(OpenAiApi::Mantle, "us-east-1").await?;
    let key = openai.api_key(Duration::from_secs(3600)).await?;
    let chars = bedrock_auth::ExposeSecret::expose_secret(&key).len();
    println!(
        "OPENAI_BASE_URL={} OPENAI_API_KEY=<a key of {chars} characters>",
        openai.base_url()
    );
    Ok(())
}
