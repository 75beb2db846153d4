//! Flags beside `--config`: every setting flag is applied over the file (and `doctor` names
//! it) or the command exits 2 naming it; none is accepted and dropped. The flags are read
//! from the built command's own `--help`, so a new flag is covered the day it is added.

use std::path::Path;

use bedrock_auth::testing::RoleSpec;
use serde_json::Value;

use super::*;

/// The flags that choose a mode, and the ones that are not settings: beside `--config` clap
/// refuses the first (which mode would it be?); the others say what a subcommand does, not how
/// the manager is configured.
const NOT_SETTINGS: [&str; 16] = [
    "--model",
    "--login",
    "--stream",
    "--openai",
    "--mantle",
    "--ttl",
    "--cache",
    "--config",
    "--json",
    "--help",
    "--profile",
    "--env",
    "--auto",
    "--role-arn",
    "--api-key",
    "--version",
];

/// A value each setting flag takes, and what `doctor` then shows for it. A flag missing here
/// fails the test: add its example with the flag.
fn example(flag: &str, home: &Path) -> (String, &'static str) {
    let file = |name: &str, text: &str| {
        let path = home.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    match flag {
        "--region" => ("eu-west-1".into(), "eu-west-1"),
        "--ca-bundle" => {
            let key = rcgen::KeyPair::generate().unwrap();
            let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            let pem = ca.self_signed(&key).unwrap().pem();
            (file("corp-ca.pem", &pem), "corp-ca.pem")
        }
        // `false`: the harness's AWS_ENDPOINT_URL and `true` are a pair AWS refuses (tested
        // by `fips_with_an_endpoint_variable_is_refused_by_check_as_by_whoami`).
        "--fips" | "--dual-stack" => ("false".into(), "false"),
        "--bedrock-timeout" => ("2m".into(), "120000"),
        "--external-id" => ("ext-1".into(), "********"),
        "--session-name" => ("flagged".into(), "flagged"),
        "--duration" => ("901".into(), "901"),
        "--source-profile" => ("base".into(), "profile base"),
        "--web-identity-token-file" => (file("token.jwt", "eyJ.e30.sig"), "token.jwt"),
        "--mfa-serial" => ("arn:aws:iam::123456789012:mfa/alice".into(), "mfa/alice"),
        "--tag" => ("tenant=acme".into(), "tenant=acme"),
        "--policy-arn" => (
            "arn:aws:iam::123456789012:policy/scoped".into(),
            "policy/scoped",
        ),
        "--session-policy" => (file("deny.json", DENY_ALL), "deny.json"),
        "--source-identity" => ("alice".into(), "alice"),
        "--transitive-tag-key" => ("tenant".into(), "tenant"),
        other => panic!("{other} has no example value here: add one beside the flag"),
    }
}

const DENY_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;

/// The long flags `SUBCOMMAND --help` lists.
async fn flags_of(home: &Path, aws: &LocalAws, subcommand: &str) -> Vec<String> {
    let help = run(home, aws, &[], &[subcommand, "--help"]).await;
    assert_eq!(help.code, 0, "{}", help.stderr);
    let flags: Vec<String> = help
        .stdout
        .split_whitespace()
        .filter(|word| word.starts_with("--") && word.len() > 2)
        .map(|word| word.trim_end_matches([',', '.']).to_owned())
        .filter(|flag| {
            flag.chars()
                .skip(2)
                .all(|c| c.is_ascii_lowercase() || c == '-')
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(flags.len() > 10, "{}", help.stdout);
    flags
}

/// The setting `doctor --json` shows as given by `flag`, if any.
fn shown_by(doctor: &Value, flag: &str) -> Option<Value> {
    let settings = doctor["diagnosis"]["settings"].as_array()?;
    let source = format!("flag {flag}");
    settings.iter().find(|s| s["source"] == source).cloned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_setting_flag_beside_a_config_is_applied_or_refused_by_name() {
    let (home, aws, _alice) = setup().await;
    let role = home.path().join("role.toml");
    std::fs::write(
        &role,
        format!("mode = \"assume_role\"\nrole_arn = \"{ROLE_ARN}\"\nsource = \"environment\"\n"),
    )
    .unwrap();
    let profile = home.path().join("profile.toml");
    std::fs::write(&profile, "mode = \"profile\"\nprofile = \"base\"\n").unwrap();

    for subcommand in [
        "whoami",
        "doctor",
        "ping",
        "token",
        "credential-process",
        "check",
    ] {
        let flags = flags_of(home.path(), &aws, subcommand).await;
        let settings: Vec<_> = flags
            .iter()
            .filter(|flag| !NOT_SETTINGS.contains(&flag.as_str()))
            .collect();
        // Every setting flag of every subcommand has an example (so it is tested below).
        for flag in &settings {
            example(flag, home.path());
        }
    }

    let settings: Vec<String> = flags_of(home.path(), &aws, "doctor")
        .await
        .into_iter()
        .filter(|flag| !NOT_SETTINGS.contains(&flag.as_str()))
        .collect();
    for flag in &settings {
        let (value, shown) = example(flag, home.path());
        // Beside a role's file, every setting flag applies: doctor shows it from the flag.
        let args = [
            "doctor",
            "--json",
            "--config",
            role.to_str().unwrap(),
            flag,
            &value,
        ];
        let doctor = run(home.path(), &aws, &[], &args).await;
        let json = doctor.json();
        let setting = shown_by(&json, flag)
            .unwrap_or_else(|| panic!("{flag} beside --config was dropped: {json}"));
        assert!(
            setting["value"].as_str().is_some_and(|v| v.contains(shown)),
            "{flag}: {setting}"
        );

        // Beside a profile's file, a flag applies or is refused with exit 2 naming it.
        let args = [
            "doctor",
            "--json",
            "--config",
            profile.to_str().unwrap(),
            flag,
            &value,
        ];
        let doctor = run(home.path(), &aws, &[], &args).await;
        let json = doctor.json();
        let refused = doctor.code == 2
            && json["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(flag.as_str()));
        let common = [
            "--region",
            "--bedrock-timeout",
            "--ca-bundle",
            "--fips",
            "--dual-stack",
        ];
        let role_option = !common.contains(&flag.as_str());
        if role_option {
            assert!(refused, "{flag} beside a profile's --config: {json}");
        } else {
            assert!(
                !refused && shown_by(&json, flag).is_some(),
                "{flag}: {json}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_session_flags_beside_a_config_reach_sts() {
    let (home, aws, alice) = setup().await;
    aws.add_role(
        RoleSpec::new(ROLE)
            .external_id("ext-1")
            .allow_session_tags()
            .allow_source_identity(),
    );
    write_base_profile(home.path(), &alice);
    let file = home.path().join("role.toml");
    let allow_all =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    std::fs::write(home.path().join("allow.json"), allow_all).unwrap();
    std::fs::write(
        &file,
        format!(
            "mode = \"assume_role\"\nrole_arn = \"{ROLE_ARN}\"\nexternal_id = \"ext-1\"\n\
             session_name = \"file\"\nsession_policy = {{ file = \"{}\" }}\n\
             session_tags = {{ plan = \"free\" }}\nsource = {{ profile = \"base\" }}\n",
            home.path().join("allow.json").display()
        ),
    )
    .unwrap();
    let deny = home.path().join("deny.json");
    std::fs::write(&deny, DENY_ALL).unwrap();
    let policy_arn = "arn:aws:iam::123456789012:policy/scoped";
    let args = [
        "whoami",
        "--config",
        file.to_str().unwrap(),
        "--session-policy",
        deny.to_str().unwrap(),
        "--policy-arn",
        policy_arn,
        "--tag",
        "tenant=acme",
        "--session-name",
        "flagged",
        "--duration",
        "901",
        "--source-identity",
        "alice",
    ];
    let whoami = run(home.path(), &aws, &[], &args).await;
    assert_eq!(whoami.code, 0, "{}", whoami.stderr);
    let requests = aws.requests();
    let assume = requests.iter().find(|r| r.action == "AssumeRole").unwrap();
    let param = |name: &str| assume.params.get(name).map(String::as_str);
    // The scoped-down session that was asked for, not the file's Allow-all.
    assert_eq!(param("Policy"), Some(DENY_ALL));
    assert_eq!(param("PolicyArns.member.1.arn"), Some(policy_arn));
    // The flag's tags in place of the file's, all of them.
    assert_eq!(param("Tags.member.1.Key"), Some("tenant"));
    assert_eq!(param("Tags.member.2.Key"), None);
    assert_eq!(param("RoleSessionName"), Some("flagged"));
    assert_eq!(param("DurationSeconds"), Some("901"));
    assert_eq!(param("SourceIdentity"), Some("alice"));
    // What no flag gave stays the file's.
    assert_eq!(param("ExternalId"), Some("ext-1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tag_key_given_twice_is_refused_in_any_case() {
    let (home, aws, _alice) = setup().await;
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    for tags in [
        ["tenant=acme", "tenant=evil"],
        ["tenant=acme", "Tenant=evil"],
        ["tenant=acme", &format!("tenant={secret}")],
    ] {
        let args = [
            "whoami",
            "--role-arn",
            ROLE_ARN,
            "--tag",
            tags[0],
            "--tag",
            tags[1],
        ];
        let out = run(home.path(), &aws, &[], &args).await;
        assert_eq!(out.code, 2, "{tags:?}: {}", out.stderr);
        assert!(out.stderr.contains("--tag"), "{}", out.stderr);
        for value in ["evil", secret] {
            assert!(!out.stderr.contains(value), "{}", out.stderr);
        }
        assert!(aws.requests().is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_accepts_a_role_with_mfa_and_says_the_code_is_asked_at_run_time() {
    let (home, aws, _alice) = setup().await;
    let file = home.path().join("mfa.toml");
    std::fs::write(
        &file,
        format!(
            "mode = \"assume_role\"\nrole_arn = \"{ROLE_ARN}\"\n\
             mfa_serial = \"arn:aws:iam::123456789012:mfa/alice\"\nsource = {{ profile = \"base\" }}\n"
        ),
    )
    .unwrap();
    let check = run(
        home.path(),
        &aws,
        &[],
        &["check", "--config", file.to_str().unwrap()],
    )
    .await;
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(
        check.stdout.starts_with("ok: assume_role mode"),
        "{}",
        check.stdout
    );
    assert!(check.stdout.contains("MFA"), "{}", check.stdout);
    assert!(aws.requests().is_empty(), "check sends nothing");
}

/// An MFA code asked with stdin a pipe that stays open: the command answers when the code's
/// wait (the operation timeout) is over, and exits, as an AWS tool waits for it to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mfa_prompt_does_not_keep_the_process_alive_after_it_answered() {
    let (home, aws, alice) = setup().await;
    let serial = "arn:aws:iam::123456789012:mfa/alice";
    aws.add_role(RoleSpec::new(ROLE).require_mfa(serial, "246810"));
    write_base_profile(home.path(), &alice);
    let file = home.path().join("mfa.toml");
    std::fs::write(
        &file,
        format!(
            "mode = \"assume_role\"\nrole_arn = \"{ROLE_ARN}\"\nmfa_serial = \"{serial}\"\n\
             operation_timeout_ms = 1000\nsource = {{ profile = \"base\" }}\n"
        ),
    )
    .unwrap();
    for subcommand in ["credential-process", "whoami"] {
        let mut command = command(
            home.path(),
            &aws,
            &[subcommand, "--json", "--config", file.to_str().unwrap()],
        );
        // No terminal (setsid-less, but /dev/tty fails without one): the prompt reads stdin,
        // a pipe this test holds open and never writes to.
        command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().unwrap();
        let stdin = child.stdin.take();
        let exited = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output()).await;
        drop(stdin);
        let output = exited
            .unwrap_or_else(|_| panic!("{subcommand} kept running after its MFA wait"))
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{subcommand}: {output:?}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("timed_out"), "{subcommand}: {text}");
    }
    assert!(aws.requests().iter().all(|r| r.action != "AssumeRole"));
}

/// A file that gives a setting under its name and an alias: the flag replaces both, and
/// doctor shows the flag's value over the file's own name's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flag_replaces_a_setting_the_file_gives_under_two_names() {
    let (home, aws, _alice) = setup().await;
    let file = home.path().join("dup.toml");
    std::fs::write(
        &file,
        "mode = \"auto\"\nregion = \"us-west-2\"\nregion_override = \"us-west-1\"\n",
    )
    .unwrap();
    let args = [
        "doctor",
        "--json",
        "--config",
        file.to_str().unwrap(),
        "--region",
        "eu-west-1",
    ];
    let doctor = run(home.path(), &aws, &[], &args).await;
    let json = doctor.json();
    let region = shown_by(&json, "--region").unwrap_or_else(|| panic!("{json}"));
    assert_eq!(region["value"], "eu-west-1", "{region}");
    assert!(
        region["overrides"]
            .as_str()
            .is_some_and(|o| o.starts_with("us-west-2 from config")),
        "{region}"
    );
}

/// The `BEDROCK_AUTH_*` variables are a configuration: applied (setting flags over them), or
/// refused beside `--config` or a mode flag; never dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bedrock_auth_variables_are_applied_or_refused_never_dropped() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [
        (k1, v1.as_str()),
        (k2, v2.as_str()),
        ("BEDROCK_AUTH_MODE", "environment"),
        ("BEDROCK_AUTH_REGION", "eu-west-3"),
    ];
    let doctor = run(home.path(), &aws, &vars, &["doctor", "--json"]).await;
    assert_eq!(doctor.code, 0, "{}", doctor.stderr);
    let settings = doctor.json()["diagnosis"]["settings"].clone();
    let region = settings
        .as_array()
        .and_then(|s| s.iter().find(|s| s["key"] == "region"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(region["value"], "eu-west-3", "{settings}");
    assert!(
        region["source"]
            .as_str()
            .unwrap_or_default()
            .contains("BEDROCK_AUTH_"),
        "{region}"
    );
    // A setting flag over a variable.
    let whoami = run(
        home.path(),
        &aws,
        &vars,
        &["whoami", "--region", "eu-west-1"],
    )
    .await;
    assert_eq!(whoami.code, 0, "{}", whoami.stderr);
    let regions: Vec<_> = aws
        .requests()
        .into_iter()
        .filter_map(|r| r.signing_region)
        .collect();
    assert_eq!(regions.last().map(String::as_str), Some("eu-west-1"));
    // Beside another configuration: refused, naming both.
    let file = home.path().join("auth.toml");
    std::fs::write(&file, "mode = \"environment\"\n").unwrap();
    for args in [
        &["whoami", "--env"][..],
        &["whoami", "--config", file.to_str().unwrap()],
        // `check` checks what the others would run: it refuses the same pair.
        &["check", "--config", file.to_str().unwrap()],
        &["doctor", "--config", file.to_str().unwrap()],
    ] {
        let out = run(home.path(), &aws, &vars, args).await;
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("BEDROCK_AUTH_MODE is set"),
            "{}",
            out.stderr
        );
    }
    // A name no configuration has: refused by name.
    let typo = [(k1, v1.as_str()), ("BEDROCK_AUTH_REGOIN", "eu-west-3")];
    let out = run(home.path(), &aws, &typo, &["whoami"]).await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("BEDROCK_AUTH_REGOIN"), "{}", out.stderr);
}

/// FIPS (or dual-stack) on, and a custom endpoint's variable set: AWS's endpoint rules refuse
/// the pair, and `check` says so as `whoami` does, naming the setting where it was set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fips_with_an_endpoint_variable_is_refused_by_check_as_by_whoami() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let file = home.path().join("auth.toml");
    let url = aws.endpoint_url();
    let url = url.as_str();
    for (key, flag) in [
        ("use_fips_endpoint", "--fips"),
        ("use_dualstack_endpoint", "--dual-stack"),
    ] {
        std::fs::write(&file, format!("mode = \"environment\"\n{key} = true\n")).unwrap();
        let path = file.to_str().unwrap();
        for variable in ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] {
            // The harness points AWS_ENDPOINT_URL at the local server; the service's own
            // variable is the one under test here.
            let vars = [
                (k1, v1.as_str()),
                (k2, v2.as_str()),
                ("AWS_ENDPOINT_URL", ""),
                (variable, url),
            ];
            for args in [
                &["check", "--config", path][..],
                &["whoami", "--config", path],
                &["whoami", "--env", flag, "true"],
            ] {
                let out = run(home.path(), &aws, &vars, args).await;
                assert_eq!(out.code, 2, "{args:?} {variable}: {}", out.stderr);
                let named = if args.contains(&"--env") { flag } else { key };
                assert!(out.stderr.contains(named), "{args:?}: {}", out.stderr);
                assert!(out.stderr.contains("AWS_ENDPOINT_URL"), "{}", out.stderr);
            }
            // Turned off by AWS's own switch: the variable is not used, and nothing is refused.
            let ignored = [
                (k1, v1.as_str()),
                ("AWS_ENDPOINT_URL", ""),
                (variable, url),
                ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
            ];
            let out = run(home.path(), &aws, &ignored, &["check", "--config", path]).await;
            assert_eq!(out.code, 0, "{}", out.stderr);
        }
    }
}
