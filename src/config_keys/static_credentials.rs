//! The keys of static mode: a key pair, and a session token for temporary credentials.

use super::{Key, Shown, of};
use crate::mode_kind::ModeKind;

/// Read by the mode's check (`config/checker.rs`).
pub(super) const KEYS: &[Key] = &[
    // An access key id is no secret, but a secret access key pasted in its place is.
    of(
        ModeKind::Static,
        "access_key_id",
        "BEDROCK_AUTH_ACCESS_KEY_ID",
        "access key id",
    )
    .aliases(&["access_key"])
    .shown(Shown::IfValid),
    of(
        ModeKind::Static,
        "secret_access_key",
        "BEDROCK_AUTH_SECRET_ACCESS_KEY",
        "secret access key",
    )
    .aliases(&["secret_key"])
    .secret("BEDROCK_AUTH_SECRET_ACCESS_KEY_FILE"),
    of(
        ModeKind::Static,
        "session_token",
        "BEDROCK_AUTH_SESSION_TOKEN",
        "session token",
    )
    .secret("BEDROCK_AUTH_SESSION_TOKEN_FILE"),
];
