//! What the command prints: a report (text, or its fields with `--json`), or a failure (the
//! error and its hint, or the error as JSON), and the command's own error type.

use bedrock_auth::{AuthError, ConfigError, diagnose::Diagnosis};
use serde::Serialize;

/// What `--json` prints: `ok`, then the report's fields, or the error (and doctor's
/// diagnosis, which explains it).
#[derive(Serialize)]
pub(crate) struct Outcome<'a, T> {
    ok: bool,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    report: Option<&'a T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a AuthError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnosis: Option<&'a Diagnosis>,
}

impl<'a, T> Outcome<'a, T> {
    pub(crate) fn ok(report: &'a T) -> Self {
        Self {
            ok: true,
            report: Some(report),
            error: None,
            diagnosis: None,
        }
    }

    pub(crate) fn failed(error: &'a AuthError, diagnosis: Option<&'a Diagnosis>) -> Self {
        Self {
            ok: false,
            report: None,
            error: Some(error),
            diagnosis,
        }
    }
}

/// One line of JSON on stdout.
pub(crate) fn print_json(value: &impl Serialize) {
    match serde_json::to_string(value) {
        Ok(line) => println!("{line}"),
        Err(err) => eprintln!("cannot write JSON: {err}"),
    }
}

/// A command's result, as text and as what `--json` prints.
pub(crate) struct Report {
    pub(crate) text: String,
    pub(crate) json: serde_json::Value,
}

impl Report {
    pub(crate) fn new(text: String, json: &impl Serialize) -> Result<Self, Failure> {
        let json = serde_json::to_value(json).map_err(Failure::Output)?;
        Ok(Self { text, json })
    }
}

/// Why a subcommand failed: what the library said (with doctor's diagnosis, which explains
/// it), or this command's own failure to write its report (a bug of the command, not of the
/// credentials or the call).
pub(crate) enum Failure {
    Auth {
        error: AuthError,
        diagnosis: Option<Box<Diagnosis>>,
    },
    Output(serde_json::Error),
}

impl From<AuthError> for Failure {
    fn from(error: AuthError) -> Self {
        Self::Auth {
            error,
            diagnosis: None,
        }
    }
}

impl From<ConfigError> for Failure {
    fn from(error: ConfigError) -> Self {
        AuthError::from(error).into()
    }
}
