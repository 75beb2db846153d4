//! The settings' declaration walked through the built command: every key the library declares,
//! written in a `--config` file and given as its `BEDROCK_AUTH_*` variables, is shown by
//! `doctor --json` under its key with where it came from, and no secret of it is printed. The
//! examples are `settings.rs`'s (a key without one fails there); the flags are walked in
//! `config_flags.rs`.

use super::*;
use crate::settings::{SECRETS, ca_bundle_in, declared_keys, example};

/// `doctor --json`'s setting of `key`: its value and source.
fn shown(out: &Output, key: &str, how: &str) -> (String, String) {
    let json = out.json();
    let settings = json["diagnosis"]["settings"]
        .as_array()
        .unwrap_or_else(|| panic!("{how}, {key}: no diagnosis in {}", out.stdout));
    let setting = settings
        .iter()
        .find(|setting| setting["key"] == key)
        .unwrap_or_else(|| panic!("{how}: `{key}` not shown by doctor: {}", out.stdout));
    for secret in SECRETS {
        assert!(
            !out.stdout.contains(secret) && !out.stderr.contains(secret),
            "{how}: a secret printed with `{key}`"
        );
    }
    (
        setting["value"].as_str().unwrap_or_default().to_owned(),
        setting["source"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_shows_every_declared_key_from_a_file_and_from_its_variables() {
    let (home, aws, _alice) = setup().await;
    let ca_bundle = ca_bundle_in(home.path());
    let file = home.path().join("walked.toml");
    let file_arg = file.to_str().unwrap().to_owned();
    for key in declared_keys() {
        let example = example(key, &ca_bundle);
        let expected = |value: &str, how: &str| match example.shown {
            Some(shown) => assert!(value.contains(shown), "{how}: `{key}` shown as {value}"),
            None => assert_eq!(value, "********", "{how}: `{key}`"),
        };

        let toml = format!("mode = \"{}\"\n{}", example.mode, example.toml);
        std::fs::write(&file, toml).unwrap();
        let out = run(
            home.path(),
            &aws,
            &[],
            &["doctor", "--json", "--config", &file_arg],
        )
        .await;
        let (value, source) = shown(&out, key, "a file");
        expected(&value, "a file");
        assert_eq!(source, format!("config {file_arg}"), "a file: `{key}`");

        let mut vars: Vec<(&str, &str)> = example
            .vars
            .iter()
            .filter(|(var, _)| !var.is_empty())
            .map(|(var, value)| (*var, value.as_str()))
            .collect();
        vars.push(("BEDROCK_AUTH_MODE", example.mode));
        let out = run(home.path(), &aws, &vars, &["doctor", "--json"]).await;
        let (value, source) = shown(&out, key, "its variables");
        expected(&value, "its variables");
        assert_eq!(
            source, "environment (BEDROCK_AUTH_*)",
            "its variables: `{key}`"
        );
    }
}
