//! The examples are programs a user copies: each runs as it reads. None starts itself again as
//! a child process with another environment, or changes its own process's environment, to
//! make its modes work offline; what stands in for AWS (the local server, a sandbox) is in the
//! example's own code. CI runs every example.

use std::path::Path;

/// What an example must not do to pass offline: start itself again or rewrite its environment.
const HIDDEN_SETUP: [&str; 4] = ["current_exe", "process::Command", "set_var", "remove_var"];

#[test]
fn no_example_restarts_itself_or_rewrites_its_environment() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("examples/") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            for inner in std::fs::read_dir(&path).expect("a directory") {
                files.push(inner.expect("an entry").path());
            }
        } else {
            files.push(path);
        }
    }
    let sources: Vec<_> = files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    assert!(sources.len() >= 10, "the examples are found: {sources:?}");
    let mut found = Vec::new();
    for path in &sources {
        let text = std::fs::read_to_string(path).expect("an example's source");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for word in HIDDEN_SETUP {
                if code.contains(word) {
                    found.push(format!("{}:{}: {word}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "hidden offline setup in examples: {found:#?}"
    );
}

/// Each example but the tour can be pasted into a project as it is: no hidden module of
/// helpers (`mod common`); what stands in for AWS is a visible line of the testing API.
#[test]
fn every_example_but_the_tour_is_user_code_with_no_hidden_module() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut checked = 0;
    let mut hidden = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("examples/") {
        let path = entry.expect("an entry").path();
        let is_example = path.extension().is_some_and(|e| e == "rs");
        if !is_example || path.ends_with("tour.rs") {
            continue;
        }
        checked += 1;
        let text = std::fs::read_to_string(&path).expect("an example's source");
        if text
            .lines()
            .any(|line| line.trim_start().starts_with("mod "))
        {
            hidden.push(path.display().to_string());
        }
    }
    assert!(checked >= 10, "the examples are found ({checked})");
    assert!(
        hidden.is_empty(),
        "examples with a module of their own: {hidden:?}"
    );
}
