//! `mode`: which of the modes a configuration is in. Read first, by the checker, which then
//! drives that mode's builder.

use super::{Apply, Key, common};

/// `mode = "assume_role"`: `profile`, `environment`, `static` (or `credentials`),
/// `assume_role` (or `iam_role` with a `role_arn`), `auto`, `api_key`.
pub(super) const KEYS: &[Key] = &[common("mode", "BEDROCK_AUTH_MODE", "mode").apply(Apply::ByMode)];
