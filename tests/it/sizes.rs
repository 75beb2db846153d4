//! Small enough to read: no production file of 600 lines or more, no function over 80 lines,
//! at most 20 names at the crate root (the rest are in its modules).

use std::path::{Path, PathBuf};

use crate::layers::rust_files;

const FILE_LINES: usize = 600;
const FUNCTION_LINES: usize = 80;
const ROOT_NAMES: usize = 20;

/// Every source file with its production code: what comes before its unit tests.
fn production_files() -> Vec<(PathBuf, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let production = text.split("\n#[cfg(test)]").next().unwrap_or_default();
            (path, production.to_owned())
        })
        .collect()
}

/// `text` with its comments removed and its string and character literals emptied, lines kept:
/// what is left of braces is code.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let keep_lines = |out: &mut String, part: &[char]| {
        out.extend(part.iter().filter(|c| **c == '\n'));
    };
    while i < chars.len() {
        let rest = &chars[i..];
        if rest.starts_with(&['/', '/']) {
            let end = rest.iter().position(|c| *c == '\n').unwrap_or(rest.len());
            i += end;
        } else if rest.starts_with(&['r', '"']) || rest.starts_with(&['r', '#']) {
            let hashes = rest[1..].iter().take_while(|c| **c == '#').count();
            let close: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let body = &rest[2 + hashes..];
            let end = body
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .unwrap_or(body.len());
            keep_lines(&mut out, &body[..end]);
            i += 2 + hashes + end + close.len();
        } else if rest[0] == '"' {
            let mut j = 1;
            while j < rest.len() && rest[j] != '"' {
                j += if rest[j] == '\\' { 2 } else { 1 };
            }
            keep_lines(&mut out, &rest[..j.min(rest.len())]);
            i += j + 1;
        } else if rest[0] == '\'' && rest.len() > 2 && (rest[2] == '\'' || rest[1] == '\\') {
            // A character literal ('{', '\n', '\''), not a lifetime.
            let end = rest[2..]
                .iter()
                .position(|c| *c == '\'')
                .map_or(1, |at| at + 3);
            i += end;
        } else {
            out.push(rest[0]);
            i += 1;
        }
    }
    out
}

/// Each function of `code` longer than the limit: its name and length in lines.
fn long_functions(code: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut long = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let words: Vec<&str> = lines[i].split_whitespace().collect();
        let Some(at) = words.iter().position(|w| *w == "fn") else {
            i += 1;
            continue;
        };
        let name = words
            .get(at + 1)
            .map_or("", |w| w.split(['(', '<']).next().unwrap_or(""));
        let (mut depth, mut opened, mut j) = (0i64, false, i);
        while j < lines.len() {
            depth += lines[j].matches('{').count() as i64 - lines[j].matches('}').count() as i64;
            opened |= lines[j].contains('{');
            if (opened && depth <= 0) || (!opened && lines[j].trim_end().ends_with(';')) {
                break;
            }
            j += 1;
        }
        if opened && j - i + 1 > FUNCTION_LINES {
            long.push((name.to_owned(), j - i + 1));
        }
        i = if opened { j + 1 } else { i + 1 };
    }
    long
}

#[test]
fn no_production_file_reaches_600_lines() {
    let big: Vec<String> = production_files()
        .into_iter()
        .map(|(path, text)| (path, text.lines().count()))
        .filter(|(_, lines)| *lines >= FILE_LINES)
        .map(|(path, lines)| format!("{}: {lines} lines", path.display()))
        .collect();
    assert!(
        big.is_empty(),
        "split these by what they hold:\n{}",
        big.join("\n")
    );
}

#[test]
fn no_function_is_longer_than_80_lines() {
    let mut long = Vec::new();
    let mut functions = 0;
    for (path, text) in production_files() {
        let code = code_only(&text);
        functions += code
            .lines()
            .filter(|l| l.split_whitespace().any(|w| w == "fn"))
            .count();
        for (name, lines) in long_functions(&code) {
            long.push(format!("{}: fn {name}, {lines} lines", path.display()));
        }
    }
    assert!(
        functions > 500,
        "the scan finds the functions ({functions})"
    );
    assert!(
        long.is_empty(),
        "make these steps of their own:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_scanner_measures_functions_in_code_not_in_strings_or_comments() {
    let text =
        "fn short() {\n    let s = \"{{{ not code\";\n    // } nor this\n    let c = '}';\n}\n";
    let mut long_one = String::from("fn long<'a>(x: &'a str) {\n");
    long_one.push_str(&"    x;\n".repeat(FUNCTION_LINES));
    long_one.push_str("}\n");
    let code = code_only(&format!("{text}{long_one}"));
    assert_eq!(
        long_functions(&code),
        [("long".to_owned(), FUNCTION_LINES + 2)]
    );
}

#[test]
fn the_crate_root_names_at_most_20_items() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"));
    let lib = lib.unwrap();
    // `pub use` at the root (not inside a `pub mod { .. }`), to its `;`.
    let mut names = Vec::new();
    let mut rest = lib.as_str();
    while let Some(at) = rest.find("\npub use ") {
        rest = &rest[at + "\npub use ".len()..];
        let item = &rest[..rest.find(';').unwrap_or(rest.len())];
        let listed = item.split_once('{').map_or(item, |(_, list)| list);
        let last = |name: &str| {
            name.trim()
                .trim_end_matches('}')
                .rsplit("::")
                .next()
                .map(str::trim)
                .map(str::to_owned)
        };
        names.extend(listed.split(',').filter_map(last).filter(|n| !n.is_empty()));
    }
    assert!(names.contains(&"AuthManager".to_owned()), "{names:?}");
    assert!(
        names.len() >= 15,
        "the scan finds the root's names: {names:?}"
    );
    assert!(
        names.len() <= ROOT_NAMES,
        "{} names at the root: {names:?}",
        names.len()
    );
}
