//! How long each wait may take, and how often a call is tried: the connection, an operation
//! of the credential providers, a Bedrock call (a model's whole answer), instance metadata.

use super::{Apply, Key, common};

/// The timeouts (whole milliseconds) and attempts, each applied to the builder method its
/// `builder` names (the key's name without `_ms`).
pub(super) const KEYS: &[Key] = &[
    common(
        "connect_timeout_ms",
        "BEDROCK_AUTH_CONNECT_TIMEOUT_MS",
        "connect timeout (ms)",
    )
    .builder("connect_timeout")
    .apply(Apply::Millis(|builder, timeout| {
        builder.connect_timeout(timeout)
    })),
    common(
        "operation_timeout_ms",
        "BEDROCK_AUTH_OPERATION_TIMEOUT_MS",
        "operation timeout (ms)",
    )
    .builder("operation_timeout")
    .apply(Apply::Millis(|builder, timeout| {
        builder.operation_timeout(timeout)
    })),
    common(
        "bedrock_timeout_ms",
        "BEDROCK_AUTH_BEDROCK_TIMEOUT_MS",
        "Bedrock timeout (ms)",
    )
    .builder("bedrock_timeout")
    .apply(Apply::Millis(|builder, timeout| {
        builder.bedrock_timeout(timeout)
    })),
    common("max_attempts", "BEDROCK_AUTH_MAX_ATTEMPTS", "max attempts").apply(Apply::Count(
        |builder, attempts| builder.max_attempts(attempts),
    )),
    common(
        "metadata_timeout_ms",
        "BEDROCK_AUTH_METADATA_TIMEOUT_MS",
        "metadata timeout",
    )
    .builder("metadata_timeout")
    .apply(Apply::Millis(|builder, timeout| {
        builder.metadata_timeout(timeout)
    })),
    common(
        "metadata_attempts",
        "BEDROCK_AUTH_METADATA_ATTEMPTS",
        "metadata attempts",
    )
    .apply(Apply::Count(|builder, attempts| {
        builder.metadata_attempts(attempts)
    })),
];
