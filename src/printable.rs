//! Text from outside (a service's answer, an error of another crate, a credential process's
//! output, a value read from a file, a variable or the command line) made safe to print on a
//! terminal or in a log line: credentials it echoes back are redacted, control characters
//! escaped. The one rule every output path of this crate and of the `bedrock-auth` command
//! uses for such text, in text ([`printable`]), JSON ([`to_json_string`]) and log lines.
//!
//! ```
//! use bedrock_auth::printable::{printable, to_json_string};
//!
//! let said = "denied\n\u{1b}[2Kaccount: 999\u{202e}";
//! assert_eq!(printable(said), "denied\\n\\u{1b}[2Kaccount: 999\\u{202e}");
//! // JSON keeps the text (a reader decodes the same string), none of it raw.
//! assert_eq!(
//!     to_json_string(&said)?,
//!     r#""denied\n\u001b[2Kaccount: 999\u202e""#
//! );
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::borrow::Cow;
use std::fmt::Write;

use crate::secret::without_secret_shapes;

/// Whether `c` must not reach a terminal or a log line as it is: control characters (C0, DEL,
/// C1: newlines that forge log lines, escape sequences that rewrite the screen, bells), the
/// Unicode line and paragraph separators (U+2028, U+2029: a new line to many viewers), and
/// the controls that reorder what is shown (the marks U+061C, U+200E, U+200F, the embeddings
/// and overrides U+202A to U+202E, the isolates U+2066 to U+2069).
///
/// ```
/// use bedrock_auth::printable::is_unprintable;
///
/// assert!(is_unprintable('\u{1b}') && is_unprintable('\u{2028}') && is_unprintable('\u{202e}'));
/// assert!(!is_unprintable('é') && !is_unprintable(' '));
/// ```
pub fn is_unprintable(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{61c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every character of [`is_unprintable`] escaped as Rust writes it (`\n`,
/// `\u{1b}`), and a credential it echoes (after `Bearer `, `X-Amz-Security-Token`, a
/// signature) replaced by `[REDACTED]`: the same text, readable, and nothing a terminal acts
/// on. Borrowed when there is nothing to change. Printable text stays as it is, so text
/// escaped once can go through again.
///
/// ```
/// use bedrock_auth::printable::printable;
///
/// assert_eq!(printable("denied\n\u{1b}[2Kaccount: 999"), "denied\\n\\u{1b}[2Kaccount: 999");
/// assert_eq!(printable(&printable("a\u{2028}b")), "a\\u{2028}b");
/// ```
pub fn printable(text: &str) -> Cow<'_, str> {
    let redacted = and_then(without_echoed_credentials(text), without_secret_shapes);
    and_then(redacted, escaped)
}

/// `step` applied to `text`, borrowed while neither changed it.
fn and_then<'a>(text: Cow<'a, str>, step: fn(&str) -> Cow<'_, str>) -> Cow<'a, str> {
    match text {
        Cow::Borrowed(same) => step(same),
        Cow::Owned(changed) => Cow::Owned(step(&changed).into_owned()),
    }
}

/// `value` as one line of compact JSON in which every character of [`is_unprintable`] is
/// escaped (`\u202e`), not only those JSON requires (serde_json leaves DEL, C1 controls and
/// the Unicode line and direction controls raw). What a JSON reader decodes is unchanged.
///
/// ```
/// let line = bedrock_auth::printable::to_json_string(&serde_json::json!({"m": "a\u{7f}\u{2029}"}))?;
/// assert_eq!(line, r#"{"m":"a\u007f\u2029"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// # Errors
///
/// What serializing `value` fails with (a map whose keys are not strings, a `Serialize` of
/// its own that fails).
pub fn to_json_string<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(128);
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out,
        EscapingFormatter,
    ))?;
    // serde_json writes UTF-8 and escapes are ASCII.
    Ok(String::from_utf8(out)
        .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned()))
}

/// serde_json's compact output, with the characters of [`is_unprintable`] that it would
/// write raw escaped as `\uXXXX`.
struct EscapingFormatter;

impl serde_json::ser::Formatter for EscapingFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if is_unprintable(c) {
                writer.write_all(&fragment.as_bytes()[start..at])?;
                let mut units = [0_u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
                start = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// `text` with its control characters escaped.
fn escaped(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unprintable) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unprintable(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Where an answer that echoes the request would quote its credentials: a bearer key, a
/// session token (header or query), a signature. Lowercase, for a search that ignores case.
const ECHOED: [&str; 4] = [
    "bearer ",
    "x-amz-security-token",
    "signature=",
    "x-amz-signature",
];

/// `text` with the value (16 characters or more) after each of [`ECHOED`] replaced by
/// `[REDACTED]`: a service or proxy
/// that echoes the request back (`Authorization: Bearer ...` in an error page) must not make
/// this crate print the credentials it sent.
fn without_echoed_credentials(text: &str) -> Cow<'_, str> {
    let lower = text.to_ascii_lowercase();
    if !ECHOED.iter().any(|pattern| lower.contains(pattern)) {
        return Cow::Borrowed(text);
    }
    let value_char = |c: char| c.is_ascii_alphanumeric() || "+/=_-.%~".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < text.len() {
        let found = ECHOED
            .iter()
            .filter_map(|pattern| Some((lower[at..].find(pattern)? + at, pattern.len())))
            .min();
        let Some((start, len)) = found else {
            out.push_str(&text[at..]);
            break;
        };
        let mut value = start + len;
        out.push_str(&text[at..value]);
        // Separators between the name and its value: `: `, `=`, quotes.
        while let Some(c) = text[value..]
            .chars()
            .next()
            .filter(|c| matches!(c, ':' | '=' | ' ' | '"' | '\''))
        {
            out.push(c);
            value += c.len_utf8();
        }
        let end = text[value..]
            .find(|c: char| !value_char(c))
            .map_or(text.len(), |n| value + n);
        // A credential is long; a word is not ("The bearer token included in the request is
        // invalid" is AWS's own message, and says what failed).
        if end - value >= 16 {
            out.push_str("[REDACTED]");
        } else {
            out.push_str(&text[value..end]);
        }
        at = end.max(start + len);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::{printable, to_json_string};

    #[test]
    fn json_escapes_every_control_and_keeps_the_text() {
        let mut raw: Vec<char> = ('\u{0}'..='\u{1f}').chain('\u{7f}'..='\u{9f}').collect();
        raw.extend(['\u{61c}', '\u{200e}', '\u{200f}', '\u{2028}', '\u{2029}']);
        raw.extend('\u{202a}'..='\u{202e}');
        raw.extend('\u{2066}'..='\u{2069}');
        let text: String = raw.iter().collect::<String>() + "é ✓ \"\\";
        let line = to_json_string(&serde_json::json!({ "k\u{202e}": text })).unwrap();
        for c in &raw {
            assert!(!line.contains(*c), "{:?} raw in {line}", c);
        }
        assert!(
            line.contains("\\u202e") && line.contains("\\u0085"),
            "{line}"
        );
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["k\u{202e}"], text.as_str());
    }

    #[test]
    fn credentials_an_answer_echoes_are_not_printed() {
        let echoed = "denied: Authorization: Bearer ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl== \
                      X-Amz-Security-Token: IQoJb3JpZ2luX2VjEXAMPLE/+= \
                      url ?X-Amz-Signature=abc123f00dfeed0123456789abcdef&x-amz-security-token=FwoG%2FzEXAMPLE0000";
        let shown = printable(echoed);
        for secret in ["ABSKQmVk", "IQoJb3Jp", "abc123", "FwoG"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(
            shown.starts_with("denied: Authorization: Bearer [REDACTED]"),
            "{shown}"
        );
        let aws = "The bearer token included in the request is invalid.";
        assert_eq!(printable(aws), aws);
    }

    #[test]
    fn escapes_what_a_terminal_acts_on_and_keeps_the_rest() {
        assert_eq!(printable("plain text, ünïcode ✓"), "plain text, ünïcode ✓");
        assert!(matches!(printable("x"), std::borrow::Cow::Borrowed(_)));
        let forged =
            "denied\r\n\u{1b}[2K\u{7}account: 999\u{7f}\u{9b}\u{202e}\u{2028}\u{2029}\u{61c}";
        let shown = printable(forged);
        assert_eq!(
            shown,
            "denied\\r\\n\\u{1b}[2K\\u{7}account: 999\\u{7f}\\u{9b}\\u{202e}\\u{2028}\\u{2029}\\u{61c}"
        );
        assert!(!shown.chars().any(super::is_unprintable));
    }
}
