//! The key of API-key mode: the Bedrock API key (without it, `AWS_BEARER_TOKEN_BEDROCK`).

use super::{Key, of};
use crate::mode_kind::ModeKind;

/// Read by the mode's check (`config/checker.rs`).
pub(super) const KEYS: &[Key] = &[of(
    ModeKind::ApiKey,
    "api_key",
    "BEDROCK_AUTH_API_KEY",
    "Bedrock API key",
)
.secret("BEDROCK_AUTH_API_KEY_FILE")];
