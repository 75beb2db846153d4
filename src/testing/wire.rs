//! What the local server's services answer, in their wire formats, shared by every service:
//! an error ([`ApiError`]), a reply ([`Reply`]) whole or as a stream of events ([`Events`]).

use std::time::Duration;

use bytes::Bytes;

use super::types::StreamEnd;

/// An AWS error response, rendered in the wire format of the service that answers it.
#[derive(Debug)]
pub(super) struct ApiError {
    pub(super) status: u16,
    pub(super) code: &'static str,
    pub(super) message: String,
}

impl ApiError {
    pub(super) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// An error without an error code, as Bedrock answers an expired API key: a status and a
    /// message only.
    pub(super) fn uncoded(status: u16, message: impl Into<String>) -> Self {
        Self::new(status, "", message)
    }
}

/// A successful response: its content type, headers of its own, and its body.
pub(super) struct Reply {
    pub(super) content_type: &'static str,
    pub(super) headers: Vec<(&'static str, String)>,
    pub(super) body: ReplyBody,
}

impl Reply {
    /// A whole answer, sent at once.
    pub(super) fn whole(content_type: &'static str, body: String) -> Self {
        Self {
            content_type,
            headers: Vec::new(),
            body: ReplyBody::Whole(body),
        }
    }
}

/// A body sent at once, or an event stream sent event by event.
pub(super) enum ReplyBody {
    Whole(String),
    Events(Events),
}

/// What a streamed answer sends: its events, the pause between them, and how it ends.
pub(super) struct Events {
    /// The events before the end: `lead` events that start the message, then a delta per piece.
    pub(super) head: Vec<Bytes>,
    pub(super) lead: usize,
    /// The events of a stream that completes.
    pub(super) tail: Vec<Bytes>,
    pub(super) pause: Duration,
    pub(super) end: StreamEnd,
    /// Server-sent events (the OpenAI-compatible paths) rather than AWS's event stream.
    pub(super) sse: bool,
}

pub(super) fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
