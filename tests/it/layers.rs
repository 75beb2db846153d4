//! The crate's layers: each module of `src/` names only modules below it, so there is no
//! import cycle, and no production module names `testing`. A module's submodules (`values/`,
//! `testing/`) belong to it. Doc comments are not code and are not read.
//!
//! A mode is one place, `src/modes/<mode>.rs` and `src/modes/<mode>/`, and its parts keep the
//! layers: the state belongs to `modes`, and each part to the layer of its kind ([`PARTS`]), so
//! `modes/assume_role/source.rs` is a module of `sources` and may name only what `sources` may.
//! `crate::modes::assume_role::source` is read as naming `sources`.
//!
//! When a new module is added, give it its place in [`LAYERS`]: the test fails until then.

use std::collections::BTreeMap;
use std::path::Path;

/// Bottom to top. A module may name the modules of the layers before its own.
const LAYERS: &[&[&str]] = &[
    // What everything shares: names, secrets and the shape of one, dates, which of the SDK's
    // events print secrets; how outside text is printed (no secret's shape in it); then what a
    // service answered and which logs of aws-config are left out.
    &["mode_kind", "secret", "time", "logs"],
    &["printable"],
    &["reply", "quiet_logs"],
    // The errors (of values, of configurations, of authentication), then the values themselves.
    &["error"],
    &["values"],
    // The outside world, the key pair, the settings every mode shares; which endpoints.
    &["os", "static_keys", "metadata", "endpoints"],
    // Which proxy the HTTP client goes through.
    &["tls"],
    &["proxy"],
    &["shared"],
    &["settings"],
    // How the SDK's errors and AWS's answers become the errors.
    &["sdk_errors"],
    // Credential sources of the program's own: MFA codes, custom sources; API keys; every
    // source bounded in time.
    &["mfa", "web_identity", "api_key", "bounded"],
    &["rotation"],
    // The typestate: mode states, then the builder (which has no `build()` of its own).
    &["modes"],
    &["builder"],
    // Every key of a configuration, once, with how it is applied to the builder.
    &["config_keys"],
    // Talking to AWS: the request guard and the bound on silent streams, the credential
    // providers, the manager (which defines `build()`).
    &["endpoint_guard", "silent_stream", "monitor"],
    &["sources"],
    &["manager"],
    // What is built on the manager.
    &["fallback", "diagnose", "classify"],
    // Config-as-code, which can also diagnose the world it reads.
    &["config"],
    // Test support and the manual (documentation only), on top of everything.
    &["testing", "guide"],
];

/// The parts of a mode's folder (`src/modes/<mode>/<part>.rs`), and the module whose layer each
/// belongs to.
const PARTS: &[(&str, &str)] = &[
    ("builder", "builder"),
    ("source", "sources"),
    ("web_identity_source", "sources"),
    ("config", "config"),
];

fn part_module(part: &str) -> Option<&'static str> {
    PARTS
        .iter()
        .find(|(name, _)| *name == part)
        .map(|(_, module)| *module)
}

/// The module a file of `src/` belongs to: `values/region.rs` belongs to `values`, a mode's
/// part `modes/profile/source.rs` to `sources`; a part not in [`PARTS`] to none.
fn module_of(relative: &Path) -> String {
    let parts: Vec<String> = relative
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_owned()
        })
        .collect();
    match parts.as_slice() {
        [modes, _mode, part] if modes == "modes" => {
            part_module(part).map_or_else(|| format!("modes/{part}"), str::to_owned)
        }
        [first, ..] => first.clone(),
        [] => unreachable!(),
    }
}

/// The crate modules a file's code names (`crate::x`, `crate::{x, y}`), comments left out; a
/// mode's part (`crate::modes::profile::source`) names its part's module.
fn named_modules(text: &str) -> Vec<String> {
    named_paths(text, "crate::")
        .into_iter()
        .map(|path| {
            let segments: Vec<&str> = path.split("::").collect();
            match segments.as_slice() {
                ["modes", _mode, part, ..] if part.starts_with(char::is_lowercase) => {
                    part_module(part).map_or_else(|| format!("modes/{part}"), str::to_owned)
                }
                [first, ..] => (*first).to_owned(),
                [] => String::new(),
            }
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// The paths `text` names after `prefix`, outside comments; a group (`crate::x::{a, b::c}`)
/// is one path per item (`x::a`, `x::b::c`).
fn named_paths(text: &str, prefix: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let is_path = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let code = code.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            rest = &rest[at + prefix.len()..];
            let path: String = rest.chars().take_while(|c| is_path(*c)).collect();
            let after = &rest[path.len()..];
            if let Some(group) = after.strip_prefix('{') {
                let group = group.split('}').next().unwrap_or_default();
                for item in group.split(',') {
                    let item: String = item.trim().chars().take_while(|c| is_path(*c)).collect();
                    if !item.is_empty() {
                        paths.push(format!("{path}{item}"));
                    }
                }
            } else {
                paths.push(path.trim_end_matches(':').to_owned());
            }
        }
    }
    paths
}

/// The modules `text` names after `prefix` (`crate::`, `super::`), outside comments.
fn named_after(text: &str, prefix: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let code = code.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            rest = &rest[at + prefix.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let group = group.split('}').next().unwrap_or_default();
                for item in group.split(',') {
                    let name = item.trim().split("::").next().unwrap_or_default();
                    names.push(name.to_owned());
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.push(name);
            }
        }
    }
    names.retain(|name| !name.is_empty());
    names
}

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

pub(crate) fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_names_only_the_modules_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let module = module_of(relative);
        // The crate root and the command sit above every module.
        if module == "lib" || module == "bin" {
            continue;
        }
        let Some(own) = rank(&module) else {
            wrong.push(format!(
                "{}: module `{module}` has no layer in LAYERS",
                relative.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        let mut named = named_modules(&text);
        if relative.starts_with("modes") {
            named.extend(relative_parts(&text));
        }
        for named in named {
            if named == module {
                continue;
            }
            match rank(&named) {
                Some(theirs) if theirs < own => {
                    edges.entry(module.clone()).or_default().push(named);
                }
                Some(_) => wrong.push(format!(
                    "{}: `{module}` names `{named}`, which is not below it",
                    relative.display()
                )),
                None if named.starts_with(char::is_uppercase) => wrong.push(format!(
                    "{}: `crate::{named}` hides which module it comes from; name the module",
                    relative.display()
                )),
                None => wrong.push(format!(
                    "{}: `{module}` names `{named}`, which has no layer",
                    relative.display()
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
    // The test reads what it thinks it reads: known edges are found.
    assert!(edges["config"].iter().any(|m| m == "manager"), "{edges:?}");
    assert!(edges["builder"].iter().any(|m| m == "modes"), "{edges:?}");
    assert!(edges["manager"].iter().any(|m| m == "builder"), "{edges:?}");
    assert!(edges["error"].iter().any(|m| m == "mode_kind"), "{edges:?}");
}

/// The parts a file of `src/modes/` names by a relative path (`super::source::X`, `source::X`),
/// as their modules: a mode's state may not reach up into its own parts unseen.
fn relative_parts(text: &str) -> Vec<String> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut named = Vec::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("//") || code.contains("mod ") {
            continue;
        }
        let code = code.split("//").next().unwrap_or_default();
        for (part, module) in PARTS {
            let path = format!("{part}::");
            let mut rest = code;
            while let Some(at) = rest.find(&path) {
                let before = &rest[..at];
                let in_a_name = before.chars().next_back().is_some_and(ident);
                // After `::`, only `super::` is relative: `crate::modes::x::source::` is read by
                // `named_modules`, `aws_sdk_sts::config::` is another crate's.
                let relative = match before.strip_suffix("::") {
                    Some(path) => path.ends_with("super") && !path.ends_with("_super"),
                    None => true,
                };
                if !in_a_name && relative {
                    named.push((*module).to_owned());
                }
                rest = &rest[at + path.len()..];
            }
        }
    }
    named
}

#[test]
fn the_scanner_finds_both_import_forms_and_skips_comments() {
    let text = "use crate::error::Rule;\nuse crate::{manager, values::Region};\n\
                // crate::testing in a comment\n/// [`x`](crate::testing::Sandbox)\n\
                let x = crate::settings::MAX; // crate::os";
    assert_eq!(
        named_modules(text),
        ["error", "manager", "values", "settings"]
    );
    // A mode's part names its part's layer, in a path or a group.
    let parts = "use crate::modes::profile::source::Facts;\n\
                 use crate::modes::{ModeConfig, assume_role::builder::X};";
    assert_eq!(named_modules(parts), ["sources", "modes", "builder"]);
    assert_eq!(
        relative_parts("use super::source::Role;\nlet x = web_identity_source::Y;"),
        ["sources", "sources"]
    );
    assert_eq!(
        module_of(Path::new("modes/assume_role/config.rs")),
        "config"
    );
}

/// The local server's parts (`src/testing/`), bottom to top; `testing.rs`, `LocalAws`, sits on
/// top of them all.
const TESTING_LAYERS: &[&[&str]] = &[
    // What a test sets and reads, and the server's state: the types every part shares.
    &["types"],
    // What a service answers, in its wire format; how a SigV4 signature is checked.
    &["wire", "sigv4"],
    // The services.
    &["bearer", "bedrock", "openai", "sts", "signin", "sso"],
    // The HTTP server that dispatches to them; the sandboxed world a test builds in.
    &["server", "sandbox"],
];

#[test]
fn the_local_server_s_parts_name_only_the_parts_below_them() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/testing");
    let rank = |name: &str| {
        TESTING_LAYERS
            .iter()
            .position(|layer| layer.contains(&name))
    };
    let mut wrong = Vec::new();
    let mut edges = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let part = path.file_stem().unwrap().to_string_lossy().into_owned();
        let Some(own) = rank(&part) else {
            wrong.push(format!("testing/{part}.rs has no layer in TESTING_LAYERS"));
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        for named in named_after(&text, "super::") {
            match rank(&named) {
                Some(theirs) if theirs < own => edges += 1,
                Some(_) => wrong.push(format!("testing/{part}.rs names `{named}`, not below it")),
                // `super::X` of an item of `testing.rs` itself: a circle through the top.
                None => wrong.push(format!(
                    "testing/{part}.rs names `super::{named}`: name its part"
                )),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the local server's layering is broken:\n{}",
        wrong.join("\n")
    );
    assert!(edges > 5, "the scan finds the parts' imports ({edges})");
}
