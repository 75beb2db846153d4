//! The keys of assume-role mode: the role, how it is assumed, and with which source
//! credentials.

use super::{Key, Shown, of};
use crate::mode_kind::ModeKind;

/// Read by the mode's check (`config/checker/assume_role.rs`).
pub(super) const KEYS: &[Key] = &[
    of(
        ModeKind::AssumeRole,
        "role_arn",
        "BEDROCK_AUTH_ROLE_ARN",
        "role",
    ),
    // Confidential to the role's owner and the tenant: never shown.
    of(
        ModeKind::AssumeRole,
        "external_id",
        "BEDROCK_AUTH_EXTERNAL_ID",
        "external id",
    )
    .shown(Shown::Never),
    of(
        ModeKind::AssumeRole,
        "session_name",
        "BEDROCK_AUTH_SESSION_NAME",
        "session name",
    )
    .aliases(&["role_session_name"]),
    of(
        ModeKind::AssumeRole,
        "duration_secs",
        "BEDROCK_AUTH_DURATION_SECS",
        "session duration (s)",
    )
    .aliases(&["assume_role_duration"]),
    of(
        ModeKind::AssumeRole,
        "mfa_serial",
        "BEDROCK_AUTH_MFA_SERIAL",
        "MFA device",
    ),
    of(
        ModeKind::AssumeRole,
        "session_tags",
        "BEDROCK_AUTH_SESSION_TAGS",
        "session tags",
    ),
    of(
        ModeKind::AssumeRole,
        "transitive_tag_keys",
        "BEDROCK_AUTH_TRANSITIVE_TAG_KEYS",
        "transitive tag keys",
    ),
    of(
        ModeKind::AssumeRole,
        "session_policy",
        "BEDROCK_AUTH_SESSION_POLICY",
        "session policy",
    )
    .file_var("BEDROCK_AUTH_SESSION_POLICY_FILE"),
    of(
        ModeKind::AssumeRole,
        "policy_arns",
        "BEDROCK_AUTH_POLICY_ARNS",
        "policy ARNs",
    ),
    of(
        ModeKind::AssumeRole,
        "source_identity",
        "BEDROCK_AUTH_SOURCE_IDENTITY",
        "source identity",
    ),
    of(
        ModeKind::AssumeRole,
        "source",
        "BEDROCK_AUTH_SOURCE",
        "role source",
    ),
];
