//! [`Reply`]: what a service answered when a call failed, read from the raw HTTP response, for
//! the answers the SDK could not parse itself.
//!
//! AWS-compatible services do not all answer in the exact shape of the SDK's models: moto
//! wraps awsQuery errors in `<ErrorResponse><Errors><Error>`, Bedrock answers an expired API
//! key with a bare `{"message": "Signature expired: ..."}` and no error code, and a proxy may
//! answer with an empty body. So the code is looked for in every place AWS puts one (the
//! `x-amzn-ErrorType` header, an XML `<Code>` at any depth, JSON `__type` or `code`), and the
//! message likewise.
//!
//! An error event of a stream (`ConverseStream`, `InvokeModelWithResponseStream`) has no HTTP
//! status of its own: its code is the message's `:exception-type` (`throttlingException`), or
//! its `:error-code`, and its message is in the payload.

use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::event_stream::{HeaderValue, Message, RawMessage};

/// The longest message kept from a response, in characters: enough for any AWS message, short
/// enough that a proxy's HTML page does not flood a log.
const MAX_MESSAGE: usize = 512;

/// What a failed response said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) request_id: Option<String>,
}

impl Reply {
    /// Reads a raw response: status, headers and (when it is in memory) body.
    pub(crate) fn read(response: &Response) -> Self {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let body = response
            .body()
            .bytes()
            .map(String::from_utf8_lossy)
            .unwrap_or_default();
        let mut reply = Self::from_body(&body);
        reply.status = response.status().as_u16();
        if let Some(code) = header("x-amzn-errortype").map(clean_code) {
            reply.code = Some(code);
        }
        if let Some(id) = header("x-amzn-requestid").or_else(|| header("x-amz-request-id")) {
            reply.request_id = Some(printable(id));
        }
        reply
    }

    /// Reads a stream's event as the SDK kept it: a message it decoded (an exception or error
    /// event), or bytes it could not decode.
    pub(crate) fn read_event(raw: &RawMessage) -> Self {
        let RawMessage::Decoded(message) = raw else {
            return Self::default();
        };
        let mut reply = Self::from_body(&String::from_utf8_lossy(message.payload()));
        let code = header(message, ":exception-type").or_else(|| header(message, ":error-code"));
        if let Some(code) = code.map(|c| upper_first(&clean_code(c))) {
            reply.code = Some(code);
        }
        if let Some(said) = header(message, ":error-message") {
            reply.message = Some(printable(said));
        }
        reply
    }

    /// The code, message and request id of an XML or JSON error body, wherever they sit.
    pub(crate) fn from_body(body: &str) -> Self {
        let body = body.trim();
        let mut reply = Self::default();
        let json = body
            .starts_with('{')
            .then(|| serde_json::from_str::<serde_json::Value>(body).ok())
            .flatten();
        if let Some(json) = json {
            // OpenAI's shape, as the OpenAI-compatible endpoints answer:
            // `{"error": {"message": .., "type": .., "code": ..}}`.
            let json = match json {
                serde_json::Value::Object(mut object)
                    if object
                        .get("error")
                        .is_some_and(serde_json::Value::is_object) =>
                {
                    object.remove("error").unwrap_or_default()
                }
                other => other,
            };
            if let serde_json::Value::Object(object) = json {
                let text = |keys: &[&str]| {
                    keys.iter()
                        .find_map(|k| object.get(*k).and_then(|v| v.as_str()))
                        .filter(|v| !v.trim().is_empty())
                };
                reply.code = text(&["__type", "code", "Code"]).map(clean_code);
                reply.message = text(&["message", "Message", "errorMessage"]).map(printable);
            }
        } else if body.starts_with('<') {
            reply.code = xml_element(body, "Code").map(|c| clean_code(&c));
            reply.message = xml_element(body, "Message").map(|m| printable(&m));
            reply.request_id = xml_element(body, "RequestId")
                .or_else(|| xml_element(body, "RequestID"))
                .map(|id| printable(&id));
        } else if !body.is_empty() {
            reply.message = Some(printable(body));
        }
        reply.message = reply.message.filter(|m| !m.is_empty());
        reply.code = reply.code.filter(|c| !c.is_empty());
        reply
    }
}

/// `aws.protocoltests#ExpiredTokenException:http://internal...` → `ExpiredTokenException`.
/// A string header of an event message, if it has one that is not empty.
fn header<'a>(message: &'a Message, name: &str) -> Option<&'a str> {
    message
        .headers()
        .iter()
        .find(|h| h.name().as_str() == name)
        .and_then(|h| match h.value() {
            HeaderValue::String(value) => Some(value.as_str().trim()),
            _ => None,
        })
        .filter(|v| !v.is_empty())
}

/// An event's exception type as the HTTP answers spell the same error's code:
/// `throttlingException` becomes `ThrottlingException`.
fn upper_first(code: &str) -> String {
    let mut chars = code.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn clean_code(code: &str) -> String {
    let code = code.split(':').next().unwrap_or_default();
    let code = code.rsplit('#').next().unwrap_or_default();
    printable(code.trim())
}

/// The text of the first `<name>...</name>` element, entities decoded.
fn xml_element(body: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = body.find(&open)? + open.len();
    let end = start + body[start..].find(&close)?;
    let text = body[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    Some(text.trim().to_owned())
}

/// At most [`MAX_MESSAGE`] characters, control characters (newlines of an HTML page, terminal
/// escapes) escaped.
fn printable(text: &str) -> String {
    let mut out: String = text.chars().take(MAX_MESSAGE).collect();
    if text.chars().nth(MAX_MESSAGE).is_some() {
        out.push('…');
    }
    crate::printable::printable(out.trim()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_code_in_every_shape() {
        let moto = "<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code>\
                    <Message><![CDATA[x]]> The security token included in the request is \
                    invalid.</Message></Error></Errors><RequestId>abc</RequestId></ErrorResponse>";
        let reply = Reply::from_body(moto);
        assert_eq!(reply.code.as_deref(), Some("InvalidClientTokenId"));
        assert_eq!(reply.request_id.as_deref(), Some("abc"));

        let json = r#"{"__type":"com.amazon.coral#AccessDeniedException","message":"no"}"#;
        let reply = Reply::from_body(json);
        assert_eq!(reply.code.as_deref(), Some("AccessDeniedException"));
        assert_eq!(reply.message.as_deref(), Some("no"));

        let bare = r#"{"message":"Signature expired: 20250130T203827Z is now earlier"}"#;
        let reply = Reply::from_body(bare);
        assert_eq!(reply.code, None);
        assert!(reply.message.unwrap().starts_with("Signature expired:"));

        assert_eq!(Reply::from_body(""), Reply::default());
        assert_eq!(Reply::from_body("{}"), Reply::default());
        let unreadable = Reply::from_body("{not json");
        assert_eq!(unreadable.message.as_deref(), Some("{not json"));
        let html = Reply::from_body("Bad Gateway\n\u{1b}[31m");
        let message = html.message.unwrap();
        assert!(message.starts_with("Bad Gateway"), "{message}");
        assert!(!message.chars().any(char::is_control), "{message}");
    }

    #[test]
    fn long_messages_are_cut() {
        let long = "x".repeat(10_000);
        let reply = Reply::from_body(&long);
        assert_eq!(reply.message.unwrap().chars().count(), MAX_MESSAGE + 1);
    }
}
