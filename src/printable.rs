//! [`printable`]: text from outside (a service's answer, an error of another crate, a
//! credential process's output, a value read from a file or a variable) made safe to print on
//! a terminal or in a log line: credentials it echoes back are redacted, control characters
//! escaped. The one function every output path uses for such text.

use std::borrow::Cow;
use std::fmt::Write;

use crate::secret::without_secret_shapes;

/// Whether `c` must not reach a terminal as it is: control characters (C0, DEL, C1: newlines
/// that forge log lines, escape sequences that rewrite the screen, bells) and the Unicode
/// controls that reorder what is shown (bidirectional overrides and isolates).
fn is_unprintable(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every control character escaped as Rust writes it (`\n`, `\u{1b}`): the same
/// text, readable, and nothing a terminal acts on. Borrowed when there is nothing to escape.
///
/// ```text
/// printable("denied\n\u{1b}[2Kaccount: 999") == "denied\\n\\u{1b}[2Kaccount: 999"
/// ```
pub(crate) fn printable(text: &str) -> Cow<'_, str> {
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
    use super::printable;

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
        let forged = "denied\r\n\u{1b}[2K\u{7}account: 999\u{7f}\u{9b}\u{202e}";
        let shown = printable(forged);
        assert_eq!(
            shown,
            "denied\\r\\n\\u{1b}[2K\\u{7}account: 999\\u{7f}\\u{9b}\\u{202e}"
        );
        assert!(!shown.chars().any(|c| c.is_control()));
    }
}
