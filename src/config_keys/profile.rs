//! The key of profile mode: which profile of the shared files.

use super::{Key, of};
use crate::mode_kind::ModeKind;

/// Read by the mode's check (`config/checker.rs`).
pub(super) const KEYS: &[Key] = &[of(
    ModeKind::Profile,
    "profile",
    "BEDROCK_AUTH_PROFILE",
    "profile",
)
.aliases(&["profile_name"])];
