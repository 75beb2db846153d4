//! Bedrock's OpenAI-compatible APIs on [`LocalAws`](super::LocalAws), under `/openai/v1`
//! (Bedrock Runtime, signed as `bedrock`) and `/v1` (bedrock-mantle, signed as
//! `bedrock-mantle`), with SigV4 or a Bedrock API key, answering the
//! [`ModelAnswer`](super::ModelAnswer) set on the server:
//!
//! - `POST chat/completions`: a `chat.completion` object, or with `"stream": true` server-sent
//!   events, a `chat.completion.chunk` per piece and `data: [DONE]`;
//! - `POST responses`: a `response` object with one `output_text` message (whole only);
//! - `GET models`: the models the server does not deny.
//!
//! Errors have OpenAI's shape, `{"error": {"message", "type", "code"}}`.

use bytes::Bytes;
use serde_json::{Value, json};

use super::types::{ModelAnswer, State, StreamEnd};
use super::wire::{ApiError, Events, Reply, ReplyBody};

/// The content type of server-sent events.
const EVENT_STREAM: &str = "text/event-stream";

/// The answer to one of the OpenAI-compatible operations.
pub(super) fn handle(state: &State, action: &str, body: &[u8]) -> Result<Reply, ApiError> {
    match action {
        "ListModels" => Ok(Reply::whole(
            "application/json",
            json!({"object": "list", "data": [
                {"id": "openai.gpt-oss-20b", "object": "model", "owned_by": "openai"},
                {"id": "openai.gpt-oss-120b", "object": "model", "owned_by": "openai"},
            ]})
            .to_string(),
        )),
        "Responses" => responses(state, body),
        _ => chat_completions(state, body),
    }
}

/// A Responses request's answer: the model's text as one message.
fn responses(state: &State, body: &[u8]) -> Result<Reply, ApiError> {
    let request: Value = serde_json::from_slice(body).map_err(|_| {
        ApiError::new(
            400,
            "invalid_request_error",
            "The request body is not valid JSON.",
        )
    })?;
    let Some(model) = request.get("model").and_then(Value::as_str) else {
        return Err(ApiError::new(
            400,
            "invalid_request_error",
            "Missing required parameter: 'model'.",
        ));
    };
    if state.lock().denied_models.contains(model) {
        return Err(ApiError::new(
            403,
            "access_denied",
            "You don't have access to the model with the specified model ID.",
        ));
    }
    let answer = state.lock().answer.clone();
    let text: String = answer.pieces.concat();
    let tokens = answer.pieces.len().max(1);
    Ok(Reply::whole(
        "application/json",
        json!({
            "id": "resp_local", "object": "response", "created_at": 0, "status": "completed",
            "model": model,
            "output": [{
                "type": "message", "id": "msg_local", "status": "completed", "role": "assistant",
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            }],
            "usage": {"input_tokens": 1, "output_tokens": tokens, "total_tokens": tokens + 1},
        })
        .to_string(),
    ))
}

/// A Chat Completions request's answer.
fn chat_completions(state: &State, body: &[u8]) -> Result<Reply, ApiError> {
    let request: Value = serde_json::from_slice(body).map_err(|_| {
        ApiError::new(
            400,
            "invalid_request_error",
            "The request body is not valid JSON.",
        )
    })?;
    let Some(model) = request.get("model").and_then(Value::as_str) else {
        return Err(ApiError::new(
            400,
            "invalid_request_error",
            "you must provide a model parameter",
        ));
    };
    if !request.get("messages").is_some_and(Value::is_array) {
        return Err(ApiError::new(
            400,
            "invalid_request_error",
            "Missing required parameter: 'messages'.",
        ));
    }
    if state.lock().denied_models.contains(model) {
        return Err(ApiError::new(
            403,
            "access_denied",
            "You don't have access to the model with the specified model ID.",
        ));
    }
    let answer = state.lock().answer.clone();
    let tokens = answer.pieces.len().max(1);
    let usage =
        json!({"prompt_tokens": 1, "completion_tokens": tokens, "total_tokens": tokens + 1});
    if request.get("stream").and_then(Value::as_bool) != Some(true) {
        let text: String = answer.pieces.concat();
        return Ok(Reply::whole(
            "application/json",
            json!({
                "id": "chatcmpl-local", "object": "chat.completion", "created": 0, "model": model,
                "choices": [{
                    "index": 0, "finish_reason": "stop",
                    "message": {"role": "assistant", "content": text},
                }],
                "usage": usage,
            })
            .to_string(),
        ));
    }
    Ok(streamed(&request, model, &answer, &usage))
}

/// A streamed answer: a `chat.completion.chunk` event per piece after one with the role, a last
/// one with `finish_reason` (and, when asked, the usage), then `data: [DONE]`.
fn streamed(request: &Value, model: &str, answer: &ModelAnswer, usage: &Value) -> Reply {
    let chunk = |delta: Value, finish: Value| {
        event(&json!({
            "id": "chatcmpl-local", "object": "chat.completion.chunk", "created": 0,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }))
    };
    let mut head = vec![chunk(
        json!({"role": "assistant", "content": ""}),
        Value::Null,
    )];
    for piece in &answer.pieces {
        head.push(chunk(json!({"content": piece}), Value::Null));
    }
    let mut last = chunk(json!({}), json!("stop"));
    let mut with_usage = last.to_vec();
    if let Some(include) = request.pointer("/stream_options/include_usage")
        && include.as_bool() == Some(true)
    {
        with_usage.extend_from_slice(&event(&json!({
            "id": "chatcmpl-local", "object": "chat.completion.chunk", "created": 0,
            "model": model, "choices": [], "usage": usage,
        })));
        last = Bytes::from(with_usage);
    }
    let tail = vec![last, Bytes::from_static(b"data: [DONE]\n\n")];
    Reply {
        content_type: EVENT_STREAM,
        headers: Vec::new(),
        body: ReplyBody::Events(Events {
            lead: 1,
            head,
            tail,
            pause: answer.pause,
            end: answer.end,
            sse: true,
        }),
    }
}

/// The event that ends a stream with an error, if it ends with one: OpenAI's error object as
/// an event of its own.
pub(super) fn error_event(events: &Events) -> Option<Bytes> {
    let (code, message) = match events.end {
        StreamEnd::Throttling => (
            "rate_limit_exceeded",
            "Too many tokens, please wait before trying again.",
        ),
        StreamEnd::ModelStreamError => (
            "server_error",
            "The system encountered an unexpected error during processing. Try your request again.",
        ),
        StreamEnd::Complete | StreamEnd::HangUp | StreamEnd::Silence => return None,
    };
    Some(event(
        &json!({"error": {"message": message, "type": code, "code": code}}),
    ))
}

/// An error answer's body, in OpenAI's shape as bedrock-mantle answers it: a refused key is
/// `invalid_api_key`, a denied call `access_denied` (both of type `permission_denied_error`),
/// a bad request `invalid_request_error`; the service's other codes are kept.
pub(super) fn error_body(error: &ApiError) -> String {
    let code = match error.code {
        "AccessDeniedException" if error.message.contains("bearer token") => "invalid_api_key",
        "UnrecognizedClientException" | "InvalidSignatureException" => "invalid_api_key",
        other => other,
    };
    let kind = match (error.status, code) {
        (_, "rate_limit_exceeded" | "ThrottlingException") => "rate_limit_error",
        (401 | 403, _) => "permission_denied_error",
        (400..=499, _) => "invalid_request_error",
        _ => "server_error",
    };
    json!({"error": {"message": error.message, "type": kind, "code": code, "param": null}})
        .to_string()
}

/// One server-sent event: `data: JSON`, then a blank line.
fn event(data: &Value) -> Bytes {
    Bytes::from(format!("data: {data}\n\n"))
}
