//! A secret typed in the wrong place: whatever field it lands in (a flag, a variable, a key of
//! a file, a stray argument), the command never prints it back, in text or JSON.

use super::*;

/// A secret access key's shape (AWS's documentation example).
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// Runs `args` (with `vars`) as text and as JSON, and checks that `secret` is in neither.
async fn not_echoed(home: &Path, aws: &LocalAws, vars: &[(&str, &str)], args: &[&str]) {
    for json in [false, true] {
        let mut line = args.to_vec();
        if json {
            line.push("--json");
        }
        let out = run(home, aws, vars, &line).await;
        let printed = format!("{}{}", out.stdout, out.stderr);
        assert!(!printed.contains(SECRET), "{line:?} {vars:?}: {printed}");
        assert!(
            !printed.contains("wJalrXUtnFEMI"),
            "{line:?} {vars:?}: {printed}"
        );
        assert!(!printed.contains("panicked"), "{line:?}: {printed}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_in_any_flag_is_not_printed_back() {
    let (home, aws, _alice) = setup().await;
    let flags: [&[&str]; 16] = [
        &["whoami", "--region", SECRET],
        &["whoami", "--profile", SECRET],
        &["whoami", "--role-arn", SECRET],
        &["whoami", "--role-arn", ROLE_ARN, "--policy-arn", SECRET],
        &["whoami", "--role-arn", ROLE_ARN, "--mfa-serial", SECRET],
        &["whoami", "--role-arn", ROLE_ARN, "--session-name", SECRET],
        &[
            "whoami",
            "--role-arn",
            ROLE_ARN,
            "--source-identity",
            SECRET,
        ],
        &["whoami", "--role-arn", ROLE_ARN, "--source-profile", SECRET],
        &["whoami", "--role-arn", ROLE_ARN, "--session-policy", SECRET],
        &[
            "whoami",
            "--role-arn",
            ROLE_ARN,
            "--web-identity-token-file",
            SECRET,
        ],
        &["whoami", "--config", SECRET],
        &["whoami", "--env", "--bedrock-timeout", SECRET],
        &["token", "--env", "--ttl", SECRET],
        &["ping", "--env", "--model", SECRET],
        &["whoami", SECRET],
        &["doctor", "--profile", SECRET],
    ];
    for args in flags {
        not_echoed(home.path(), &aws, &[], args).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_in_a_variable_or_a_file_s_key_is_not_printed_back() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    for vars in [
        [("AWS_REGION", SECRET), (k1, v1.as_str())],
        [("AWS_PROFILE", SECRET), ("AWS_REGION", "us-east-1")],
        [("AWS_DEFAULT_REGION", SECRET), ("AWS_REGION", "")],
        [("BEDROCK_AUTH_REGION", SECRET), (k2, v2.as_str())],
    ] {
        not_echoed(home.path(), &aws, &vars, &["whoami"]).await;
    }
    for (key, value) in [
        ("region", SECRET),
        ("profile", SECRET),
        ("role_arn", SECRET),
        ("mode", SECRET),
        ("endpoint_url", SECRET),
        (SECRET, "x"),
    ] {
        let file = home.path().join("auth.toml");
        std::fs::write(
            &file,
            format!("mode = \"profile\"\n\"{key}\" = \"{value}\"\n"),
        )
        .unwrap();
        not_echoed(
            home.path(),
            &aws,
            &[],
            &["whoami", "--config", file.to_str().unwrap()],
        )
        .await;
        not_echoed(
            home.path(),
            &aws,
            &[],
            &["check", "--config", file.to_str().unwrap()],
        )
        .await;
    }
}
