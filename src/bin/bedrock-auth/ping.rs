//! `bedrock-auth ping`: one minimal Bedrock call, `Converse` (1 output token) or with
//! `--stream` a `ConverseStream`, or with `--openai` / `--mantle` an OpenAI Chat Completions
//! call on an OpenAI-compatible endpoint, and how long it took.

use std::time::Instant;

use aws_sdk_bedrockruntime::types::{
    ContentBlock, ContentBlockDelta, ConversationRole, ConverseStreamOutput,
    InferenceConfiguration, Message,
};
use bedrock_auth::manager::{BedrockAuth, OpenAiApi};
use bedrock_auth::printable::printable;
use bedrock_auth::{AuthError, AuthManager, Classify, ErrorKind};
use serde::Serialize;

use crate::BUG;
use crate::flags::ModeFlags;
use crate::output::{Failure, Report, note};

/// The longest model id Bedrock takes (its API's `modelId`: 1 to 2048 characters).
const MODEL_ID_LIMIT: usize = 2048;

/// `ping`'s report.
#[derive(Serialize)]
struct Ping<'a> {
    region: &'a str,
    model: &'a str,
    /// `--openai` / `--mantle`: the base URL called.
    #[serde(skip_serializing_if = "Option::is_none")]
    openai_base_url: Option<&'a str>,
    latency_ms: u128,
    /// `--stream` only.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    stream: Option<Streamed>,
}

/// What `ping --stream` received.
#[derive(Serialize)]
struct Streamed {
    /// From sending the request to the stream's first event (not with `--openai` /
    /// `--mantle`, whose answer is read whole).
    #[serde(skip_serializing_if = "Option::is_none")]
    first_event_ms: Option<u128>,
    events: usize,
    text: String,
}

pub(crate) async fn run(
    mode: &ModeFlags,
    model: &str,
    stream: bool,
    api: Option<OpenAiApi>,
    json: bool,
) -> Result<Report, Failure> {
    check_model(model)?;
    let manager = mode.manager()?;
    if manager.info().bedrock_auth != BedrockAuth::SigV4 && !json {
        note(&format!(
            "note: Bedrock calls use the {}",
            manager.info().bedrock_auth
        ));
    }
    if let Some(api) = api {
        return openai_ping(&manager, api, model, stream).await;
    }
    let client = manager.bedrock_client_default().await?;
    let region = client
        .config()
        .region()
        .map(ToString::to_string)
        .unwrap_or_default();
    // As given, escaped, with no word of a secret's shape: a model id is not checked before
    // Bedrock sees it.
    let shown_model = printable(model);
    note(&format!("pinging {shown_model} in {region}..."));
    let message = Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text("ping".into()))
        .build()
        .map_err(|e| AuthError::new(ErrorKind::Service, e.to_string(), BUG))?;
    // Named in errors: the host the call goes to (a FIPS or dual-stack one, an override).
    let endpoint = manager.bedrock_endpoint(&region);
    let started = Instant::now();
    let (stream, text) = if stream {
        let streamed = stream_ping(&manager, &client, model, message, started, &endpoint).await?;
        let latency_ms = started.elapsed().as_millis();
        // The model's text as Rust quotes it: no control character reaches the terminal.
        let text = format!(
            "ok: {shown_model} streamed {} events in {region}: the first after {} ms, the \
             last after {latency_ms} ms\ntext: {:?}\n",
            streamed.events,
            streamed.first_event_ms.unwrap_or_default(),
            streamed.text
        );
        (Some(streamed), text)
    } else {
        client
            .converse()
            .model_id(model)
            .messages(message)
            .inference_config(InferenceConfiguration::builder().max_tokens(1).build())
            .send()
            .await
            .map_err(|err| manager.classify_error(err, "Bedrock Converse", Some(&endpoint)))?;
        let latency_ms = started.elapsed().as_millis();
        (
            None,
            format!("ok: {shown_model} answered in {region} in {latency_ms} ms\n"),
        )
    };
    let ping = Ping {
        region: &region,
        model,
        openai_base_url: None,
        latency_ms: started.elapsed().as_millis(),
        stream,
    };
    Report::new(text, &ping)
}

/// A model id Bedrock could take: not longer than its API allows.
fn check_model(model: &str) -> Result<(), AuthError> {
    if model.chars().count() <= MODEL_ID_LIMIT {
        return Ok(());
    }
    Err(AuthError::new(
        ErrorKind::InvalidConfig,
        format!(
            "--model is {} characters long; Bedrock takes model ids of at most \
             {MODEL_ID_LIMIT}",
            model.chars().count()
        ),
        "give a model id or ARN, e.g. anthropic.claude-3-haiku-20240307-v1:0",
    ))
}

/// `ping --stream`: one `ConverseStream`, read to its end.
async fn stream_ping(
    manager: &AuthManager,
    client: &aws_sdk_bedrockruntime::Client,
    model: &str,
    message: Message,
    started: Instant,
    endpoint: &str,
) -> Result<Streamed, AuthError> {
    let mut stream = client
        .converse_stream()
        .model_id(model)
        .messages(message)
        .inference_config(InferenceConfiguration::builder().max_tokens(16).build())
        .send()
        .await
        .map_err(|err| manager.classify_error(err, "Bedrock ConverseStream", Some(endpoint)))?
        .stream;
    let mut streamed = Streamed {
        first_event_ms: None,
        events: 0,
        text: String::new(),
    };
    while let Some(event) = stream.recv().await.classify(manager)? {
        if streamed.events == 0 {
            streamed.first_event_ms = Some(started.elapsed().as_millis());
        }
        streamed.events += 1;
        if let ConverseStreamOutput::ContentBlockDelta(delta) = event
            && let Some(ContentBlockDelta::Text(text)) = delta.delta
        {
            streamed.text.push_str(&text);
        }
    }
    Ok(streamed)
}

/// `ping --openai` / `--mantle`: one Chat Completions call (up to 16 output tokens), streamed
/// with `--stream` (its server-sent events read to `[DONE]`).
async fn openai_ping(
    manager: &AuthManager,
    api: OpenAiApi,
    model: &str,
    stream: bool,
) -> Result<Report, Failure> {
    let region = manager.region().await?;
    let openai = manager.openai(api, region.as_str()).await?;
    let base_url = openai.base_url().to_owned();
    let shown_model = printable(model);
    note(&format!("pinging {shown_model} at {base_url}..."));
    let body = serde_json::json!({
        "model": model,
        "messages": [{"role": "user", "content": "ping"}],
        "max_tokens": 16,
        "stream": stream,
    });
    let request = http::Request::post(format!("{base_url}/chat/completions"))
        .header("content-type", "application/json")
        .body(body.to_string().into_bytes())
        .map_err(|e| AuthError::new(ErrorKind::InvalidConfig, e.to_string(), BUG))?;
    let started = Instant::now();
    let response = openai.send(request).await?;
    let latency_ms = started.elapsed().as_millis();
    let answer = String::from_utf8_lossy(response.body());
    let (streamed, text) = if stream {
        let streamed = read_events(&answer);
        let text = format!(
            "ok: {shown_model} streamed {} events at {base_url} in {latency_ms} ms\ntext: {:?}\n",
            streamed.events, streamed.text
        );
        (Some(streamed), text)
    } else {
        (
            None,
            format!("ok: {shown_model} answered at {base_url} in {latency_ms} ms\n"),
        )
    };
    let ping = Ping {
        region: region.as_str(),
        model,
        openai_base_url: Some(&base_url),
        latency_ms,
        stream: streamed,
    };
    Report::new(text, &ping)
}

/// The chunks of a Chat Completions stream (`data: {..}` events up to `data: [DONE]`) and the
/// text their deltas carry.
fn read_events(answer: &str) -> Streamed {
    let mut streamed = Streamed {
        first_event_ms: None,
        events: 0,
        text: String::new(),
    };
    for data in answer
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
    {
        if data.trim() == "[DONE]" {
            break;
        }
        streamed.events += 1;
        let chunk: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
        if let Some(text) = chunk
            .pointer("/choices/0/delta/content")
            .and_then(serde_json::Value::as_str)
        {
            streamed.text.push_str(text);
        }
    }
    streamed
}
