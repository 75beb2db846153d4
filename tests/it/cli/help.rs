//! The command's own texts: completions, the man page, `--version`, and hints that name its flags
//! and variables, never a builder method.

use crate::common;

use bedrock_auth::ExposeSecret;
use bedrock_auth::testing::RoleSpec;

use super::*;

#[tokio::test]
async fn completions_man_page_and_version() {
    use clap::ValueEnum;
    let (home, aws, _alice) = setup().await;
    for shell in clap_complete::Shell::value_variants() {
        let name = shell.to_possible_value().unwrap().get_name().to_owned();
        let out = run(home.path(), &aws, &[], &["completions", &name]).await;
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        assert!(
            out.stdout.contains("credential-process") && out.stdout.contains("whoami"),
            "{name}"
        );
    }
    let man = run(home.path(), &aws, &[], &["man"]).await;
    assert!(man.stdout.starts_with(".ie") && man.stdout.contains(".TH bedrock-auth 1"));
    assert!(
        man.stdout.contains("credential\\-process"),
        "{}",
        man.stdout
    );
    let version = run(home.path(), &aws, &[], &["--version"]).await;
    // The features of this build (tests are built with the package's `cli`, `metrics` and
    // `test-util`); `cli` turns on `login` and `sso`, so the command reads every profile.
    assert_eq!(
        version.stdout.trim(),
        format!(
            "bedrock-auth {} (features: cli, login, metrics, sso, test-util)",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hint_names_a_flag_or_variable_and_no_builder_method() {
    let (home, aws, alice) = setup().await;
    aws.add_role(RoleSpec::new(ROLE).external_id("the-right-one"));
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let keys = [(k1, v1.as_str()), (k2, v2.as_str())];
    let bad = [
        ("AWS_ACCESS_KEY_ID", "AKIAUNKNOWN000000000"),
        ("AWS_SECRET_ACCESS_KEY", "nope-secret-19"),
    ];
    let expired = expired_key(&alice, "us-east-1");
    let expired_key = expired.token().expose_secret();
    let closed = common::closed_endpoint();
    std::fs::write(
        home.path().join("config"),
        "[profile hang]\ncredential_process = sleep 30\nregion = us-east-1\n",
    )
    .unwrap();
    let hang = home.path().join("hang.toml");
    std::fs::write(
        &hang,
        "mode = \"profile\"\nprofile = \"hang\"\noperation_timeout_ms = 300\n",
    )
    .unwrap();
    let hang = hang.to_str().unwrap();

    /// The kind, the variables, the arguments.
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<&'a str>);
    let cases: Vec<Case> = vec![
        ("no_credentials", vec![], vec!["whoami", "--env"]),
        (
            "profile_not_found",
            vec![],
            vec!["whoami", "--profile", "missing"],
        ),
        ("invalid_credentials", bad.to_vec(), vec!["whoami", "--env"]),
        (
            "expired_credentials",
            vec![("AWS_BEARER_TOKEN_BEDROCK", expired_key)],
            vec!["whoami", "--api-key"],
        ),
        (
            "role_refused",
            keys.to_vec(),
            vec![
                "whoami",
                "--role-arn",
                ROLE_ARN,
                "--external-id",
                "a-wrong-one",
            ],
        ),
        (
            "no_region",
            [keys.to_vec(), vec![("AWS_REGION", "")]].concat(),
            vec!["whoami", "--env"],
        ),
        (
            "network",
            [keys.to_vec(), vec![("AWS_ENDPOINT_URL", closed.as_str())]].concat(),
            vec!["whoami", "--env"],
        ),
        ("timed_out", vec![], vec!["whoami", "--config", hang]),
        (
            "invalid_config",
            vec![],
            vec!["whoami", "--role-arn", "arn:aws:iam::42:role/x"],
        ),
    ];
    let check = |kind: &str, hint: &str| {
        let names_flag_or_variable = hint.contains("--")
            || hint
                .split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
                .any(|word| word.len() >= 5 && word.contains('_'));
        assert!(names_flag_or_variable, "{kind}: {hint}");
        for builder_words in ["`.", "builder", "()", "AuthManager::"] {
            assert!(
                !hint.contains(builder_words),
                "{kind} names the library: {hint}"
            );
        }
    };
    for (kind, vars, args) in &cases {
        let args = [&args[..], &["--json"]].concat();
        let out = run(home.path(), &aws, vars, &args).await;
        let json = out.json();
        assert_eq!(json["error"]["kind"], *kind, "{args:?}: {json}");
        check(kind, json["error"]["hint"].as_str().unwrap());
        if *kind == "network" {
            // The endpoint named is the one the request went to (AWS_ENDPOINT_URL here).
            let message = json["error"]["message"].as_str().unwrap();
            assert!(message.contains(&closed), "{message}");
        }
        // The text form says the same.
        let text = run(home.path(), &aws, vars, &args[..args.len() - 1]).await;
        let hint = text.stderr.split("hint: ").nth(1).unwrap_or_default();
        check(kind, hint);
    }
    for (kind, fault) in [
        ("throttled", bedrock_auth::testing::Fault::Throttling),
        ("service", bedrock_auth::testing::Fault::InternalError),
    ] {
        aws.set_fault(fault);
        let out = run(home.path(), &aws, &keys, &["whoami", "--env", "--json"]).await;
        aws.clear_fault();
        let json = out.json();
        assert_eq!(json["error"]["kind"], kind, "{json}");
        check(kind, json["error"]["hint"].as_str().unwrap());
    }
}
