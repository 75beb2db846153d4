//! A secret typed in the wrong place: whatever field it lands in (a flag, a variable, a key of
//! a file, a stray argument), the command never prints it back, in text or JSON.

use super::*;

/// A secret access key's shape (AWS's documentation example).
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// A secret that starts as an absolute path does (AWS's keys may start with `/`).
const SLASHED: &str = "/K7MDENGbPxRfiCYEXAMPLEKEYwJalrXUtnFEMI0";

/// Each secret as it may be pasted into a field that is not a secret: bare, as a name's value
/// (a line of a credentials file), in a URL's user info, after a list's comma.
fn disguised() -> Vec<String> {
    let mut values = Vec::new();
    for secret in [SECRET, SLASHED] {
        values.extend([
            secret.to_owned(),
            format!("aws_secret_access_key={secret}"),
            format!("tenant={secret}"),
            format!("http://{secret}@127.0.0.1:9"),
            format!("x,{secret}"),
        ]);
    }
    values
}

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
        // In any case: a lowercased copy is the secret too.
        let lower = printed.to_ascii_lowercase();
        assert!(
            !lower.contains("wjalrxutnfemi") && !lower.contains("k7mdeng"),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_behind_a_name_a_url_or_a_slash_is_not_printed_back() {
    let (home, aws, _alice) = setup().await;
    let role = ["whoami", "--role-arn", ROLE_ARN];
    for value in disguised() {
        let value = value.as_str();
        for args in [
            vec!["whoami", "--region", value],
            vec!["whoami", "--profile", value],
            vec!["whoami", "--role-arn", value],
            vec!["whoami", "--ca-bundle", value],
            [&role[..], &["--session-name", value]].concat(),
            [&role[..], &["--source-identity", value]].concat(),
            [&role[..], &["--source-profile", value]].concat(),
            [&role[..], &["--mfa-serial", value]].concat(),
            [&role[..], &["--session-policy", value]].concat(),
        ] {
            not_echoed(home.path(), &aws, &[], &args).await;
        }
        for name in [
            "BEDROCK_AUTH_REGION",
            "BEDROCK_AUTH_PROXY",
            "BEDROCK_AUTH_ENDPOINT_URL",
            "BEDROCK_AUTH_SECRET_ACCESS_KEY_FILE",
        ] {
            let vars = [
                ("BEDROCK_AUTH_MODE", "static"),
                ("BEDROCK_AUTH_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
                ("BEDROCK_AUTH_SECRET_ACCESS_KEY", "abc"),
                (name, value),
            ];
            not_echoed(home.path(), &aws, &vars, &["whoami"]).await;
        }
        let file = home.path().join("auth.toml");
        for key in [
            "mode",
            "region",
            "session_name",
            "mfa_serial",
            "proxy",
            "ca_bundle",
        ] {
            let body = format!(
                "mode = \"assume_role\"\nrole_arn = \"{ROLE_ARN}\"\nsource = \"environment\"\n{key} = {}\n",
                serde_json::to_string(value).unwrap()
            );
            let body = if key == "mode" {
                body.replacen("mode = \"assume_role\"\n", "", 1)
            } else {
                body
            };
            std::fs::write(&file, body).unwrap();
            for command in ["whoami", "check"] {
                let args = [command, "--config", file.to_str().unwrap()];
                not_echoed(home.path(), &aws, &[], &args).await;
            }
        }
    }
}
