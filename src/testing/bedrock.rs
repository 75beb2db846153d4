//! Bedrock Runtime on [`LocalAws`](super::LocalAws): `Converse`, answering `pong`, and
//! `ListAsyncInvokes`, answering an empty list.

use super::State;
use super::server::{ApiError, Reply, json_string};

pub(super) fn handle(state: &State, action: &str, model_id: &str) -> Result<Reply, ApiError> {
    if action == "ListAsyncInvokes" {
        return Ok(Reply {
            content_type: "application/json",
            body: "{\"asyncInvokeSummaries\":[]}".to_owned(),
        });
    }
    if action != "Converse" {
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
    let body = format!(
        "{{\"output\":{{\"message\":{{\"role\":\"assistant\",\"content\":[{{\"text\":{}}}]}}}},\
         \"stopReason\":\"max_tokens\",\
         \"usage\":{{\"inputTokens\":1,\"outputTokens\":1,\"totalTokens\":2}},\
         \"metrics\":{{\"latencyMs\":1}}}}",
        json_string("pong")
    );
    Ok(Reply {
        content_type: "application/json",
        body,
    })
}
