//! After how many failures in a row the manager stops asking AWS, and for how long: two keys
//! given together (or neither), to the builder's one `lockout_after(failures, cool_down)`.

use super::{Apply, Key, common};

/// Both keys are read together by the checker (`config/checker.rs`, `lockout`).
pub(super) const KEYS: &[Key] = &[
    common(
        "lockout_after",
        "BEDROCK_AUTH_LOCKOUT_AFTER",
        "lockout after",
    )
    .apply(Apply::Lockout),
    common(
        "lockout_cool_down_secs",
        "BEDROCK_AUTH_LOCKOUT_COOL_DOWN_SECS",
        "lockout cool-down (s)",
    )
    .builder("lockout_cool_down")
    .apply(Apply::Lockout),
];
