//! The library's hints in the command's words: the places they point to named as this command's
//! flags and files, and, where a hint names no setting, where to look next.

use bedrock_auth::error::Place;
use bedrock_auth::{AuthError, ErrorKind};

/// A place of a hint as a person at this command sets it; `None` where the library's words do.
fn words(place: Place) -> Option<&'static str> {
    Some(match place {
        Place::Region => "pass `--region us-east-1`",
        Place::RegionSetting => "`--region`",
        Place::Timeouts => {
            "`connect_timeout_ms` / `operation_timeout_ms` / `bedrock_timeout_ms` in a `--config` \
             file"
        }
        Place::OperationTimeout => "`operation_timeout_ms` in a `--config` file",
        Place::BedrockTimeout => {
            "`--bedrock-timeout` (or `bedrock_timeout_ms` in a `--config` file)"
        }
        Place::MaxAttempts => "`max_attempts` in a `--config` file",
        Place::Mfa => "the MFA code asked for on the terminal (`--mfa-serial`)",
        Place::CustomSource => "the custom credential source",
        Place::ResetLockout => "run the command again",
        Place::EndpointUrl => "`endpoint_url` in a `--config` file",
        Place::NewApiKey => "`bedrock-auth token`",
        Place::CaBundle => "`--ca-bundle FILE`",
        _ => return None,
    })
}

/// Whether a hint names a flag (`--x`) or an environment variable (`AWS_X`, `BEDROCK_AUTH_X`).
fn names_a_setting(hint: &str) -> bool {
    hint.contains("--")
        || hint
            .split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
            .any(|word| word.len() >= 5 && word.contains('_'))
}

/// Where a person at the command looks next, by kind.
fn pointer(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Network | ErrorKind::TimedOut | ErrorKind::Throttled | ErrorKind::Service => {
            "`bedrock-auth doctor` shows the endpoint settings (AWS_ENDPOINT_URL, AWS_REGION)"
        }
        ErrorKind::InvalidConfig => "`bedrock-auth check --config FILE` lists every problem",
        _ => {
            "`bedrock-auth doctor` shows where the credentials come from (AWS_PROFILE, \
             AWS_ACCESS_KEY_ID, --profile, --env)"
        }
    }
}

/// The error's hint for a person at this command: its places worded as flags, and every hint
/// says where to look.
pub fn for_command(error: &AuthError) -> String {
    let worded = error.hint_with(words);
    if error.sign_in().is_some() && !worded.contains("--login") {
        return format!("{worded} (or run this command again with --login, which runs it)");
    }
    if names_a_setting(&worded) {
        worded.into_owned()
    } else {
        format!("{worded}; {}", pointer(error.kind()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key a hint names (`bedrock_timeout_ms`) is a key of the library's declaration,
    /// and every flag (`--bedrock-timeout`) one of the command's: a hint cannot point to a
    /// setting that was renamed.
    #[test]
    fn hints_name_only_keys_and_flags_that_exist() {
        let places = [
            Place::Region,
            Place::RegionSetting,
            Place::Timeouts,
            Place::OperationTimeout,
            Place::BedrockTimeout,
            Place::MaxAttempts,
            Place::Mfa,
            Place::CustomSource,
            Place::ResetLockout,
            Place::EndpointUrl,
            Place::NewApiKey,
            Place::CaBundle,
        ];
        let keys: Vec<&str> = bedrock_auth::config::ENV_VARS
            .iter()
            .map(|(_, key)| *key)
            .collect();
        let flags: Vec<String> = crate::flags::SETTINGS.iter().map(|f| f.name()).collect();
        let mode_flags = [
            "--config",
            "--profile",
            "--env",
            "--auto",
            "--role-arn",
            "--api-key",
        ];
        let mut named = 0;
        for place in places {
            let Some(text) = words(place) else { continue };
            for word in text.split('`').skip(1).step_by(2) {
                let word = word.split_whitespace().next().unwrap_or_default();
                if let Some(flag) = word.strip_prefix("--") {
                    let flag = format!("--{flag}");
                    named += 1;
                    assert!(
                        flags.contains(&flag) || mode_flags.contains(&flag.as_str()),
                        "{place:?} names {flag}, which is no flag"
                    );
                } else if word.contains('_')
                    && word.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                {
                    named += 1;
                    assert!(
                        keys.contains(&word),
                        "{place:?} names {word}, which is no key"
                    );
                }
            }
        }
        assert!(
            named >= 8,
            "the test reads the hints it thinks it reads: {named}"
        );
    }
}
