//! Small enough to read: no source file over 800 lines and no test file over 1,000, each
//! measured whole (its unit tests included), and at most 20 names at the crate root (the rest
//! are in its modules). Long functions are clippy's to point out (`too_many_lines`, at its own
//! threshold): a gauge that informs, with an `expect` and its reason where one must stay long.

use std::path::{Path, PathBuf};

use crate::layers::rust_files;

const SOURCE_LINES: usize = 800;
const TEST_LINES: usize = 1000;
const ROOT_NAMES: usize = 20;

/// Every Rust file under `dir` (of the crate), with its line count, largest first.
fn files_of(dir: &str) -> Vec<(PathBuf, usize)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut counted: Vec<(PathBuf, usize)> = files
        .into_iter()
        .map(|path| {
            let lines = std::fs::read_to_string(&path).unwrap().lines().count();
            (path, lines)
        })
        .collect();
    counted.sort_by_key(|(_, lines)| std::cmp::Reverse(*lines));
    counted
}

#[test]
fn no_file_is_too_long_to_read_whole() {
    for (dir, limit) in [("src", SOURCE_LINES), ("tests", TEST_LINES)] {
        let files = files_of(dir);
        assert!(files.len() > 20, "the scan finds the files of {dir}");
        // The largest, as a gauge to read in the test's output.
        for (path, lines) in files.iter().take(3) {
            eprintln!("{lines:>5} lines: {}", path.display());
        }
        let big: Vec<String> = files
            .iter()
            .filter(|(_, lines)| *lines > limit)
            .map(|(path, lines)| format!("{}: {lines} lines", path.display()))
            .collect();
        assert!(
            big.is_empty(),
            "split these by what they hold (over {limit} lines):\n{}",
            big.join("\n")
        );
    }
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
