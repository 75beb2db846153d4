//! [`printable`]: text from outside (a service's answer, an error of another crate, a
//! credential process's output, a value read from a file or a variable) made safe to print on
//! a terminal or in a log line. The one function every output path uses for such text.

use std::borrow::Cow;
use std::fmt::Write;

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

#[cfg(test)]
mod tests {
    use super::printable;

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
