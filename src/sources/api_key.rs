//! API-key mode: no credentials at all. The key is set on each Bedrock client (the manager's
//! `bedrock_config`); nothing made from the `SdkConfig` may sign.

use super::{Context, Given, Origin};

/// A Bedrock API key's mode.
pub(super) struct ApiKey;

impl Origin for ApiKey {
    fn credentials(&self, _cx: &Context<'_>) -> Given {
        Given::Nothing
    }
}
