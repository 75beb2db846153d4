//! What the command prints: a report (text, or its fields with `--json`), or a failure (the
//! error and its hint, or the error as JSON), and the command's own error type.

use std::io::{self, Write};
use std::process::ExitCode;

use bedrock_auth::printable::printable;
use bedrock_auth::{AuthError, ConfigError, diagnose::Diagnosis};
use serde::Serialize;

use crate::BUG;

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

/// One line of JSON on stdout, every string's controls escaped (`\u202e`); when stdout cannot
/// take it, the exit code of that failure (after a line on stderr).
pub(crate) fn print_json(value: &impl Serialize) -> Result<(), ExitCode> {
    match bedrock_auth::printable::to_json_string(value) {
        Ok(line) => write_stdout(&format!("{line}\n")).map_err(|err| stdout_failed(&err)),
        Err(err) => {
            note(&format!("error: cannot write JSON: {err}\nhint: {BUG}"));
            Err(ExitCode::FAILURE)
        }
    }
}

/// `text` on stdout, all of it, flushed: a full disk or a reader that hung up is an error to
/// report, not a panic (`print!` panics) nor a success.
pub(crate) fn write_stdout(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

/// Exit 1, saying why on stderr: what was to be printed did not reach stdout.
pub(crate) fn stdout_failed(err: &io::Error) -> ExitCode {
    note(&format!("error: cannot write to stdout: {err}"));
    ExitCode::FAILURE
}

/// `text` with each line printable (its line breaks kept): what the command prints as text.
pub(crate) fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (line, end) = match line.strip_suffix('\n') {
            Some(line) => (line, "\n"),
            None => (line, ""),
        };
        out.push_str(&printable(line));
        out.push_str(end);
    }
    out
}

/// A line (or lines) on stderr, [`shown`]; nothing more to do when stderr itself fails.
pub(crate) fn note(text: &str) {
    let _ = writeln!(io::stderr().lock(), "{}", shown(text));
}

/// A command's result, as text and as what `--json` prints.
pub(crate) struct Report {
    pub(crate) text: String,
    pub(crate) json: serde_json::Value,
    /// The text is a secret the user asked for (`token`'s key), made by this command: printed
    /// as it is, since the rule for outside text would replace it (it has a secret's shape).
    pub(crate) secret: bool,
}

impl Report {
    pub(crate) fn new(text: String, json: &impl Serialize) -> Result<Self, Failure> {
        let json = serde_json::to_value(json).map_err(Failure::Output)?;
        Ok(Self {
            text,
            json,
            secret: false,
        })
    }

    /// A report whose text is the secret asked for, made by this command.
    pub(crate) fn secret(text: String, json: &impl Serialize) -> Result<Self, Failure> {
        Ok(Self {
            secret: true,
            ..Self::new(text, json)?
        })
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
    /// What was printed before the report (doctor's diagnosis) did not reach stdout.
    Stdout(io::Error),
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
