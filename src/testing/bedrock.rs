//! Bedrock Runtime on [`LocalAws`](super::LocalAws): `Converse`, `ConverseStream`,
//! `InvokeModel` and `InvokeModelWithResponseStream`, answering the [`ModelAnswer`] set on the
//! server (`pong` unless told otherwise), and `ListAsyncInvokes`, answering an empty list.
//!
//! Streams are framed as Bedrock frames them (`application/vnd.amazon.eventstream`, each message
//! with its prelude and message CRCs, written by the SDK's own event-stream encoder), with
//! Bedrock's event names and payloads, including the `p` padding field Bedrock adds to each event
//! so that their sizes do not tell the tokens apart. `InvokeModel` answers in the Anthropic
//! Messages format, as the Claude models do.

use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use base64::Engine;
use bytes::Bytes;
use serde_json::{Value, json};

use super::types::{ModelAnswer, State, StreamEnd};
use super::wire::{ApiError, Events, Reply, ReplyBody};

/// The content type of an event stream.
pub(super) const EVENT_STREAM: &str = "application/vnd.amazon.eventstream";

/// The exception message that ends a stream of `events` with an error, if it ends with one.
pub(super) fn error_frame(events: &Events) -> Option<Bytes> {
    let (kind, payload) = match events.end {
        StreamEnd::Throttling => (
            "throttlingException",
            json!({"message": "Too many tokens, please wait before trying again."}),
        ),
        StreamEnd::ModelStreamError => (
            "modelStreamErrorException",
            json!({
                "message": "The system encountered an unexpected error during processing. \
                            Try your request again.",
                "originalStatusCode": 500,
                "originalMessage": "model error",
            }),
        ),
        StreamEnd::Complete | StreamEnd::HangUp | StreamEnd::Silence => return None,
    };
    Some(frame(
        vec![
            Header::new(":message-type", HeaderValue::String("exception".into())),
            Header::new(":exception-type", HeaderValue::String(kind.into())),
            Header::new(
                ":content-type",
                HeaderValue::String("application/json".into()),
            ),
        ],
        &payload,
    ))
}

pub(super) fn handle(state: &State, action: &str, model_id: &str) -> Result<Reply, ApiError> {
    if action == "ListAsyncInvokes" {
        return Ok(Reply::whole(
            "application/json",
            "{\"asyncInvokeSummaries\":[]}".to_owned(),
        ));
    }
    let model_call = matches!(
        action,
        "Converse" | "ConverseStream" | "InvokeModel" | "InvokeModelWithResponseStream"
    );
    if !model_call {
        return Err(ApiError::new(
            400,
            "ValidationException",
            format!("The local server does not implement {action}."),
        ));
    }
    if state.lock().denied_models.contains(model_id) {
        return Err(ApiError::new(
            403,
            "AccessDeniedException",
            "You don't have access to the model with the specified model ID.",
        ));
    }
    let answer = state.lock().answer.clone();
    let text: String = answer.pieces.concat();
    let tokens = answer.pieces.len().max(1);
    Ok(match action {
        "Converse" => Reply::whole(
            "application/json",
            json!({
                "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 1, "outputTokens": tokens, "totalTokens": tokens + 1},
                "metrics": {"latencyMs": 1},
            })
            .to_string(),
        ),
        "InvokeModel" => {
            let mut reply = Reply::whole("application/json", claude_message(model_id, &text));
            reply.headers = vec![
                ("x-amzn-bedrock-input-token-count", "1".to_owned()),
                ("x-amzn-bedrock-output-token-count", tokens.to_string()),
                ("x-amzn-bedrock-invocation-latency", "1".to_owned()),
            ];
            reply
        }
        "ConverseStream" => stream(converse_events(&answer, tokens), &answer),
        _ => {
            let mut reply = stream(claude_events(model_id, &answer, tokens), &answer);
            reply
                .headers
                .push(("x-amzn-bedrock-content-type", "application/json".to_owned()));
            reply
        }
    })
}

fn stream((head, tail): (Vec<Bytes>, Vec<Bytes>), answer: &ModelAnswer) -> Reply {
    Reply {
        content_type: EVENT_STREAM,
        headers: Vec::new(),
        body: ReplyBody::Events(Events {
            lead: head.len() - answer.pieces.len(),
            head,
            tail,
            pause: answer.pause,
            end: answer.end,
            sse: false,
        }),
    }
}

/// `ConverseStream`'s events: `messageStart`, a `contentBlockDelta` per piece; then
/// `contentBlockStop`, `messageStop` and `metadata`.
fn converse_events(answer: &ModelAnswer, tokens: usize) -> (Vec<Bytes>, Vec<Bytes>) {
    let mut head = vec![event(
        "messageStart",
        padded(json!({"role": "assistant"}), 0),
    )];
    for piece in &answer.pieces {
        head.push(event(
            "contentBlockDelta",
            padded(
                json!({"contentBlockIndex": 0, "delta": {"text": piece}}),
                piece.len(),
            ),
        ));
    }
    let tail = vec![
        event(
            "contentBlockStop",
            padded(json!({"contentBlockIndex": 0}), 0),
        ),
        event("messageStop", padded(json!({"stopReason": "end_turn"}), 0)),
        event(
            "metadata",
            padded(
                json!({
                    "usage": {"inputTokens": 1, "outputTokens": tokens, "totalTokens": tokens + 1},
                    "metrics": {"latencyMs": 1},
                }),
                0,
            ),
        ),
    ];
    (head, tail)
}

/// `InvokeModelWithResponseStream`'s events: a `chunk` each, whose `bytes` are the model's own
/// streaming events (Anthropic's, as the Claude models send them), base64-encoded.
fn claude_events(model_id: &str, answer: &ModelAnswer, tokens: usize) -> (Vec<Bytes>, Vec<Bytes>) {
    let chunk = |body: Value| {
        let bytes = base64::engine::general_purpose::STANDARD.encode(body.to_string());
        event("chunk", padded(json!({"bytes": bytes}), 0))
    };
    let mut head = vec![
        chunk(json!({
            "type": "message_start",
            "message": {
                "id": "msg_local", "type": "message", "role": "assistant", "model": model_id,
                "content": [], "stop_reason": null, "stop_sequence": null,
                "usage": {"input_tokens": 1, "output_tokens": 1},
            },
        })),
        chunk(json!({
            "type": "content_block_start", "index": 0,
            "content_block": {"type": "text", "text": ""},
        })),
    ];
    for piece in &answer.pieces {
        head.push(chunk(json!({
            "type": "content_block_delta", "index": 0,
            "delta": {"type": "text_delta", "text": piece},
        })));
    }
    let tail = vec![
        chunk(json!({"type": "content_block_stop", "index": 0})),
        chunk(json!({
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": null},
            "usage": {"output_tokens": tokens},
        })),
        chunk(json!({
            "type": "message_stop",
            "amazon-bedrock-invocationMetrics": {
                "inputTokenCount": 1, "outputTokenCount": tokens,
                "invocationLatency": 1, "firstByteLatency": 1,
            },
        })),
    ];
    (head, tail)
}

/// A whole answer in the Anthropic Messages format.
fn claude_message(model_id: &str, text: &str) -> String {
    json!({
        "id": "msg_local", "type": "message", "role": "assistant", "model": model_id,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn", "stop_sequence": null,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    })
    .to_string()
}

/// Bedrock's padding: a `p` field of letters whose length evens out the event's size.
fn padded(mut body: Value, used: usize) -> Value {
    const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    if let Value::Object(fields) = &mut body {
        let len = LETTERS.len() - used.min(LETTERS.len() - 1);
        fields.insert("p".to_owned(), Value::String(LETTERS[..len].to_owned()));
    }
    body
}

/// An event message: `:event-type`, `:content-type` and `:message-type` headers, a JSON payload.
fn event(kind: &str, payload: Value) -> Bytes {
    frame(
        vec![
            Header::new(":event-type", HeaderValue::String(kind.to_owned().into())),
            Header::new(
                ":content-type",
                HeaderValue::String("application/json".into()),
            ),
            Header::new(":message-type", HeaderValue::String("event".into())),
        ],
        &payload,
    )
}

/// One event-stream message, framed by the SDK's own encoder: prelude (total and headers
/// length), prelude CRC, headers, payload, message CRC.
fn frame(headers: Vec<Header>, payload: &Value) -> Bytes {
    let message = Message::new_from_parts(headers, Bytes::from(payload.to_string()));
    let mut buffer = Vec::new();
    // Writing into a Vec fails only for a message over the format's 16 MiB limit.
    match aws_smithy_eventstream::frame::write_message_to(&message, &mut buffer) {
        Ok(()) => Bytes::from(buffer),
        Err(_) => Bytes::new(),
    }
}
