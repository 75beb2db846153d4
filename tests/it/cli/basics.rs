//! The subcommands' text and JSON, exit codes, error kinds, and no secret on stdout or stderr
//! even at RUST_LOG=trace.

use crate::common;

use std::path::Path;
use std::time::Duration;

use bedrock_auth::ExposeSecret;
use bedrock_auth::testing::RoleSpec;
use serde_json::Value;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whoami_text_and_json() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    let text = run(home.path(), &aws, &vars, &["whoami", "--env"]).await;
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains(&format!("arn:     {}", alice.arn)),
        "{}",
        text.stdout
    );

    let json = run(home.path(), &aws, &vars, &["whoami", "--json"])
        .await
        .json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["mode"], "auto");
    assert_eq!(json["region"], "us-east-1");
    assert_eq!(json["account"], "123456789012");
    assert_eq!(json["arn"], alice.arn);
    assert_eq!(json["user_id"], alice.user_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whoami_with_an_assumed_role_and_a_profile() {
    let (home, aws, alice) = setup().await;
    aws.add_role(RoleSpec::new(ROLE).external_id("ext-1"));
    write_base_profile(home.path(), &alice);
    let args = [
        "whoami",
        "--json",
        "--role-arn",
        ROLE_ARN,
        "--external-id",
        "ext-1",
        "--session-name",
        "cli",
        "--duration",
        "900",
        "--source-profile",
        "base",
    ];
    let out = run(home.path(), &aws, &[], &args).await;
    assert_eq!(out.code, 0, "{} {}", out.stdout, out.stderr);
    assert_eq!(
        out.json()["arn"],
        "arn:aws:sts::123456789012:assumed-role/BedrockAccess/cli"
    );
    let profile = run(
        home.path(),
        &aws,
        &[],
        &["whoami", "--json", "--profile", "base"],
    )
    .await;
    assert_eq!(profile.json()["arn"], alice.arn);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_are_the_keys_of_a_config_file() {
    // The flags and a file with the same keys make the same manager: one mapping.
    let (home, aws, alice) = setup().await;
    aws.add_role(RoleSpec::new(ROLE).external_id("ext-1"));
    write_base_profile(home.path(), &alice);
    let file = home.path().join("auth.toml");
    std::fs::write(
        &file,
        format!(
            "mode = \"assume_role\"\nrole_arn = \"{ROLE_ARN}\"\nexternal_id = \"ext-1\"\n\
             session_name = \"cli\"\nduration_secs = 900\nsource = {{ profile = \"base\" }}\n"
        ),
    )
    .unwrap();
    let flags = [
        "--role-arn",
        ROLE_ARN,
        "--external-id",
        "ext-1",
        "--session-name",
        "cli",
        "--duration",
        "900",
        "--source-profile",
        "base",
    ];
    let config = ["--config", file.to_str().unwrap()];
    for command in ["whoami", "doctor", "token"] {
        let by_flags = run(
            home.path(),
            &aws,
            &[],
            &[&[command, "--json"], &flags[..]].concat(),
        )
        .await;
        let by_file = run(
            home.path(),
            &aws,
            &[],
            &[&[command, "--json"], &config[..]].concat(),
        )
        .await;
        assert_eq!(
            (by_flags.code, by_file.code),
            (0, 0),
            "{command}: {} {}",
            by_flags.stderr,
            by_file.stderr
        );
        let (mut by_flags, mut by_file) = (by_flags.json(), by_file.json());
        for json in [&mut by_flags, &mut by_file] {
            // What differs from one run to the next.
            for volatile in [
                "token",
                "signed_at",
                "expires_at",
                "access_key_id",
                "diagnosis",
            ] {
                json.as_object_mut().unwrap().remove(volatile);
            }
        }
        assert_eq!(by_flags, by_file, "{command}");
    }
    // A mode flag and a file do not mix: which mode would it be?
    let mixed = run(
        home.path(),
        &aws,
        &[],
        &[&["whoami", "--profile", "base"], &config[..]].concat(),
    )
    .await;
    assert_eq!(mixed.code, 2, "{}", mixed.stderr);
    assert!(mixed.stderr.contains("--profile"), "{}", mixed.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_setting_flag_beside_a_config_overrides_the_file_and_doctor_and_check_say_which_won() {
    let (home, aws, alice) = setup().await;
    write_base_profile(home.path(), &alice);
    let file = home.path().join("auth.toml");
    let written = "mode = \"profile\"\nprofile = \"base\"\nregion = \"us-west-2\"\n\
                   bedrock_timeout_ms = 60000\n";
    std::fs::write(&file, written).unwrap();
    let config = ["--config", file.to_str().unwrap()];
    let flags = ["--region", "eu-west-1"];
    // `SUBCOMMAND --config FILE --region eu-west-1`.
    let beside_config = async |subcommand: &str| {
        let args = [&[subcommand], &config[..], &flags[..]].concat();
        run(home.path(), &aws, &[], &args).await
    };

    // The flag wins: STS is asked in the flag's region, as the AWS CLI's `--region` wins over
    // a profile's region.
    let whoami = beside_config("whoami").await;
    assert_eq!(whoami.code, 0, "{}", whoami.stderr);
    let regions: Vec<_> = aws
        .requests()
        .into_iter()
        .map(|r| r.signing_region)
        .collect();
    assert_eq!(regions, [Some("eu-west-1".to_owned())]);

    // doctor says which won, and over what.
    let doctor = beside_config("doctor").await;
    assert_eq!(doctor.code, 0, "{}", doctor.stderr);
    let region = doctor
        .stdout
        .lines()
        .find(|l| l.starts_with("region "))
        .unwrap_or_default();
    let file_source = format!("config {}", file.display());
    assert!(region.contains("eu-west-1"), "{}", doctor.stdout);
    assert!(region.contains("flag --region"), "{}", doctor.stdout);
    assert!(
        region.contains(&format!("over us-west-2 from {file_source}")),
        "{region}"
    );
    // A setting no flag gave keeps the file as its source.
    let timeout = doctor
        .stdout
        .lines()
        .find(|l| l.starts_with("Bedrock timeout"))
        .unwrap_or_default();
    assert!(
        timeout.contains("60000") && timeout.ends_with(&file_source),
        "{}",
        doctor.stdout
    );

    // check says so too, in text and JSON, and sends nothing.
    let before = aws.requests().len();
    let check = beside_config("check").await;
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert_eq!(
        check.stdout,
        format!(
            "ok: profile mode, no problems\nregion: eu-west-1 from --region, over us-west-2 \
             from {file_source}\n"
        )
    );
    let json = run(
        home.path(),
        &aws,
        &[],
        &[&["check", "--json", "--bedrock-timeout", "2m"], &config[..]].concat(),
    )
    .await;
    assert_eq!(json.code, 0, "{}", json.stderr);
    let overridden = &json.json()["overridden"];
    assert_eq!(overridden[0]["flag"], "--bedrock-timeout", "{overridden}");
    assert_eq!(overridden[0]["key"], "bedrock_timeout_ms", "{overridden}");
    assert_eq!(overridden.as_array().map(Vec::len), Some(1), "{overridden}");
    assert_eq!(aws.requests().len(), before, "check sends nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_and_error_kinds() {
    let (home, aws, _alice) = setup().await;
    let cases: [(&[&str], i32, &str); 5] = [
        (&["whoami", "--json"], 1, "no_credentials"),
        (
            &["whoami", "--json", "--profile", "missing"],
            1,
            "profile_not_found",
        ),
        (
            &["whoami", "--json", "--role-arn", "arn:aws:iam::42:role/x"],
            2,
            "invalid_config",
        ),
        (
            &[
                "whoami",
                "--json",
                "--role-arn",
                ROLE_ARN,
                "--duration",
                "10",
            ],
            2,
            "invalid_config",
        ),
        (
            &["whoami", "--json", "--env", "--auto"],
            2,
            "invalid_config",
        ),
    ];
    for (args, code, kind) in cases {
        let out = run(home.path(), &aws, &[], args).await;
        assert_eq!(out.code, code, "{args:?}: {} {}", out.stdout, out.stderr);
        let json = out.json();
        assert_eq!(json["ok"], false, "{args:?}");
        assert_eq!(json["error"]["kind"], kind, "{args:?}: {json}");
        assert!(json["error"]["hint"].is_string());
    }
    let bad = [
        ("AWS_ACCESS_KEY_ID", "AKIAUNKNOWN000000000"),
        ("AWS_SECRET_ACCESS_KEY", "nope-secret-19"),
    ];
    let out = run(home.path(), &aws, &bad, &["whoami", "--json", "--env"]).await;
    assert_eq!(
        (out.code, out.json()["error"]["kind"].clone()),
        (1, Value::from("invalid_credentials"))
    );
    // What the service answered comes with the error.
    let error = &out.json()["error"];
    assert_eq!(error["http_status"], 403, "{error}");
    assert_eq!(error["code"], "InvalidClientTokenId", "{error}");
    assert!(error["request_id"].is_string(), "{error}");
    let text = run(home.path(), &aws, &bad, &["whoami", "--env"]).await;
    assert!(
        text.stderr.starts_with("error [invalid_credentials]"),
        "{}",
        text.stderr
    );
    assert!(text.stderr.contains("hint:"), "{}", text.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_lists_every_problem() {
    let (home, aws, _alice) = setup().await;
    let good = home.path().join("good.toml");
    std::fs::write(&good, "mode = \"profile\"\nprofile = \"dev\"").unwrap();
    let bad = home.path().join("bad.toml");
    std::fs::write(&bad, "mode = \"profile\"\nprofile = \"\"\nrole_arn = \"x\"").unwrap();
    let ok = run(
        home.path(),
        &aws,
        &[],
        &["check", "--config", good.to_str().unwrap()],
    )
    .await;
    assert_eq!(ok.code, 0);
    assert_eq!(ok.stdout, "ok: profile mode, no problems\n");
    let out = run(
        home.path(),
        &aws,
        &[],
        &["check", "--json", "--config", bad.to_str().unwrap()],
    )
    .await;
    assert_eq!(out.code, 2);
    let message = out.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("2 problems"), "{message}");
    assert!(
        message.contains("role_arn") && message.contains("profile"),
        "{message}"
    );
    assert!(aws.requests().is_empty(), "check sends nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_is_signed_for_the_requested_region() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    let out = run(
        home.path(),
        &aws,
        &vars,
        &[
            "ping",
            "--json",
            "--env",
            "--region",
            "us-west-2",
            "--model",
            MODEL,
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        (json["region"].as_str(), json["model"].as_str()),
        (Some("us-west-2"), Some(MODEL))
    );
    assert!(json["latency_ms"].is_u64());
    let converse = aws
        .requests()
        .into_iter()
        .find(|r| r.action == "Converse")
        .unwrap();
    assert_eq!(converse.signing_region.as_deref(), Some("us-west-2"));
    assert_eq!(
        converse.access_key_id.as_deref(),
        Some(alice.access_key_id.as_str())
    );

    aws.deny_model("denied.model-v1:0");
    let out = run(
        home.path(),
        &aws,
        &vars,
        &["ping", "--json", "--env", "--model", "denied.model-v1:0"],
    )
    .await;
    assert_eq!(out.code, 1);
    assert_eq!(out.json()["error"]["kind"], "access_denied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_reports_and_no_secret_leaks_at_trace() {
    let (home, aws, alice) = setup().await;
    aws.add_role(RoleSpec::new(ROLE));
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str()), ("RUST_LOG", "trace")];
    let doctor = run(home.path(), &aws, &vars, &["doctor", "--env"]).await;
    assert_eq!(doctor.code, 0, "{}", doctor.stderr);
    assert!(
        doctor.stdout.contains("AWS_SECRET_ACCESS_KEY=********"),
        "{}",
        doctor.stdout
    );
    assert!(doctor.stdout.contains(&alice.arn), "{}", doctor.stdout);
    let role = run(
        home.path(),
        &aws,
        &vars,
        &["whoami", "--role-arn", ROLE_ARN],
    )
    .await;
    assert_eq!(role.code, 0, "{}", role.stderr);
    let ping = run(
        home.path(),
        &aws,
        &vars,
        &["ping", "--env", "--model", MODEL],
    )
    .await;
    assert_eq!(ping.code, 0, "{}", ping.stderr);
    assert!(ping.stderr.lines().count() > 50, "TRACE output was on");
    for out in [&doctor, &role, &ping] {
        for secret in aws.secrets() {
            let secret = secret.expose_secret();
            assert!(
                !out.stdout.contains(secret) && !out.stderr.contains(secret),
                "a secret leaked"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_error_kinds_no_region_network_throttled_service() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];

    let mut without_region = vars.to_vec();
    without_region.push(("AWS_REGION", ""));
    let out = run(
        home.path(),
        &aws,
        &without_region,
        &["whoami", "--json", "--env"],
    )
    .await;
    let json = out.json();
    assert_eq!(
        (out.code, json["error"]["kind"].as_str()),
        (1, Some("no_region"))
    );

    let endpoint = common::closed_endpoint();
    let mut vars_refused = vars.to_vec();
    vars_refused.push(("AWS_ENDPOINT_URL", endpoint.as_str()));
    let out = run(
        home.path(),
        &aws,
        &vars_refused,
        &["whoami", "--json", "--env"],
    )
    .await;
    assert_eq!(out.json()["error"]["kind"], "network", "{}", out.stdout);

    aws.set_fault(bedrock_auth::testing::Fault::Throttling);
    let out = run(home.path(), &aws, &vars, &["whoami", "--json", "--env"]).await;
    assert_eq!(
        (out.code, out.json()["error"]["kind"].clone()),
        (1, Value::from("throttled"))
    );
    aws.set_fault(bedrock_auth::testing::Fault::InternalError);
    let out = run(home.path(), &aws, &vars, &["whoami", "--json", "--env"]).await;
    assert_eq!(out.json()["error"]["kind"], "service");
    aws.clear_fault();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_with_a_profile_and_an_assumed_role_in_text() {
    let (home, aws, alice) = setup().await;
    aws.add_role(RoleSpec::new(ROLE));
    write_base_profile(home.path(), &alice);
    let profile = run(
        home.path(),
        &aws,
        &[],
        &[
            "ping",
            "--profile",
            "base",
            "--region",
            "eu-west-1",
            "--model",
            MODEL,
        ],
    )
    .await;
    assert_eq!(profile.code, 0, "{}", profile.stderr);
    assert!(
        profile
            .stdout
            .starts_with(&format!("ok: {MODEL} answered in eu-west-1 in ")),
        "{}",
        profile.stdout
    );
    assert!(
        profile.stderr.contains("pinging"),
        "progress on stderr: {}",
        profile.stderr
    );
    let role = run(
        home.path(),
        &aws,
        &[],
        &[
            "ping",
            "--role-arn",
            ROLE_ARN,
            "--source-profile",
            "base",
            "--region",
            "ap-south-1",
            "--model",
            MODEL,
        ],
    )
    .await;
    assert_eq!(role.code, 0, "{}", role.stderr);
    let converse: Vec<_> = aws
        .requests()
        .into_iter()
        .filter(|r| r.action == "Converse")
        .collect();
    assert_eq!(
        converse[0].access_key_id.as_deref(),
        Some(alice.access_key_id.as_str())
    );
    assert_eq!(converse[0].signing_region.as_deref(), Some("eu-west-1"));
    assert!(
        converse[1]
            .access_key_id
            .as_deref()
            .unwrap()
            .starts_with("ASIA"),
        "signed with the role"
    );
    assert_eq!(converse[1].signing_region.as_deref(), Some("ap-south-1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_json_carries_the_diagnosis_on_success_and_failure() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    let ok = run(home.path(), &aws, &vars, &["doctor", "--json", "--env"])
        .await
        .json();
    assert_eq!(ok["ok"], true);
    assert_eq!(ok["identity"]["arn"], alice.arn);
    assert_eq!(
        ok["diagnosis"]["variables"]["AWS_SECRET_ACCESS_KEY"],
        "********"
    );
    let failed = run(home.path(), &aws, &[], &["doctor", "--json", "--env"]).await;
    assert_eq!(failed.code, 1);
    let json = failed.json();
    assert_eq!(json["error"]["kind"], "no_credentials");
    assert!(json["diagnosis"]["environment"].is_string(), "{json}");
}

/// Keys exported with their expiry (`aws configure export-credentials --format env`) that has
/// passed: `whoami --env` fails `expired_credentials` (exit 1) without sending anything, and
/// `doctor` says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_exported_keys_are_refused_and_doctor_says_so() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let expired = ("AWS_CREDENTIAL_EXPIRATION", "2020-01-01T00:00:00+00:00");
    let vars = [(k1, v1.as_str()), (k2, v2.as_str()), expired];
    let whoami = run(home.path(), &aws, &vars, &["whoami", "--env", "--json"]).await;
    assert_eq!(whoami.code, 1, "{}", whoami.stderr);
    assert_eq!(whoami.json()["error"]["kind"], "expired_credentials");
    assert!(aws.requests().is_empty(), "{:?}", aws.requests());
    let doctor = run(home.path(), &aws, &vars, &["doctor", "--env"]).await;
    assert_eq!(doctor.code, 1, "{}", doctor.stdout);
    assert!(
        doctor
            .stdout
            .contains("AWS_CREDENTIAL_EXPIRATION says the environment's credentials expired at 2020-01-01T00:00:00Z"),
        "{}",
        doctor.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_prints_the_key_alone_and_api_key_mode_uses_it() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    let out = run(home.path(), &aws, &vars, &["token", "--env", "--ttl", "1h"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let key = out.stdout.strip_suffix('\n').expect("one line");
    assert!(
        key.starts_with("bedrock-api-key-") && !key.contains('\n'),
        "{key}"
    );
    assert!(!out.stderr.contains(key), "the key is on stderr");

    let json = run(
        home.path(),
        &aws,
        &vars,
        &["token", "--json", "--ttl", "900"],
    )
    .await
    .json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["region"], "us-east-1");
    assert!(
        json["token"]
            .as_str()
            .unwrap()
            .starts_with("bedrock-api-key-")
    );
    assert!(json["expires_at"].as_str().unwrap().ends_with('Z'));

    // The key from the environment, never from a flag; no key pair anywhere.
    let with_key = [
        ("AWS_BEARER_TOKEN_BEDROCK", key),
        ("AWS_ACCESS_KEY_ID", ""),
        ("AWS_SECRET_ACCESS_KEY", ""),
        ("RUST_LOG", "trace"),
    ];
    aws.clear_requests();
    let out = run(home.path(), &aws, &with_key, &["whoami", "--api-key"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("api key: short-term"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains(&format!("signed by {}", alice.access_key_id))
    );
    let out2 = run(
        home.path(),
        &aws,
        &with_key,
        &["ping", "--api-key", "--model", MODEL],
    )
    .await;
    assert_eq!(out2.code, 0, "{}", out2.stderr);
    let seen = aws.requests();
    assert!(
        seen.iter()
            .all(|r| r.auth == bedrock_auth::testing::AuthKind::Bearer)
    );
    assert_eq!(seen.len(), 2, "{seen:?}");
    for text in [&out.stdout, &out.stderr, &out2.stdout, &out2.stderr] {
        assert!(!text.contains(key), "the key leaked at RUST_LOG=trace");
        assert!(!text.contains(&key[16..56]), "part of the key leaked");
    }

    let err = run(home.path(), &aws, &with_key, &["token", "--api-key"]).await;
    assert_eq!(err.code, 2, "{}", err.stderr);
    assert!(err.stderr.contains("invalid_config"), "{}", err.stderr);
    let err = run(
        home.path(),
        &aws,
        &vars,
        &["token", "--env", "--ttl", "13h"],
    )
    .await;
    assert_eq!(err.code, 2, "{}", err.stderr);
    // The flag named, the value not quoted back (it may be a secret in the wrong place).
    assert!(
        err.stderr.contains("--ttl takes a duration"),
        "{}",
        err.stderr
    );
    assert!(!err.stderr.contains("13h"), "{}", err.stderr);

    // No key in the environment: missing credentials (exit 1), as for --env, naming the
    // variable; nothing sent.
    aws.clear_requests();
    let without_key = [("AWS_BEARER_TOKEN_BEDROCK", ""), ("AWS_ACCESS_KEY_ID", "")];
    for args in [
        &["whoami", "--api-key"][..],
        &["ping", "--api-key", "--model", MODEL],
    ] {
        let out = run(home.path(), &aws, &without_key, args).await;
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("no_credentials"), "{}", out.stderr);
        assert!(
            out.stderr.contains("AWS_BEARER_TOKEN_BEDROCK"),
            "{}",
            out.stderr
        );
    }
    let out = run(home.path(), &aws, &without_key, &["whoami", "--env"]).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(aws.requests().is_empty(), "{:?}", aws.requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_reports_an_api_key_and_the_auto_mode_override_never_its_bytes() {
    let (home, aws, alice) = setup().await;
    let expired = expired_key(&alice, "eu-west-1");
    let key = expired.token().expose_secret();
    let vars = [("AWS_BEARER_TOKEN_BEDROCK", key)];
    let out = run(home.path(), &aws, &vars, &["doctor", "--api-key"]).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("bedrock API key:  short-term Bedrock API key for eu-west-1"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("(expired)"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("in auto mode, Bedrock calls use this API key")
    );
    assert!(out.stderr.contains("expired_credentials"), "{}", out.stderr);
    assert!(!out.stdout.contains(key) && !out.stderr.contains(key));

    let json = run(home.path(), &aws, &vars, &["doctor", "--json"])
        .await
        .json();
    let api_key = &json["diagnosis"]["api_key"];
    assert_eq!(api_key["kind"], "short-term");
    assert_eq!(api_key["region"], "eu-west-1");
    assert_eq!(api_key["expired"], true);
    assert_eq!(api_key["access_key_id"], alice.access_key_id.as_str());
    assert!(!json.to_string().contains(key));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_process_serves_every_aws_tool() {
    // A profile whose credential_process is this command, used by the library's own profile
    // mode: the credentials of a static config, then of an assumed role.
    let (home, aws, alice) = setup().await;
    aws.add_role(
        RoleSpec::new(ROLE)
            .trust(alice.arn.clone())
            .external_id("ext-cp"),
    );
    let endpoint = aws.endpoint_url();
    let secret = alice.secret_access_key.expose_secret();
    let static_config = home.path().join("static.toml");
    std::fs::write(
        &static_config,
        format!(
            "mode = \"static\"\nregion = \"us-east-1\"\nendpoint_url = \"{endpoint}\"\n\
             access_key_id = \"{}\"\nsecret_access_key = \"{secret}\"\n",
            alice.access_key_id
        ),
    )
    .unwrap();
    let role_config = home.path().join("role.toml");
    std::fs::write(
        &role_config,
        format!(
            "mode = \"assume_role\"\nregion = \"us-east-1\"\nendpoint_url = \"{endpoint}\"\n\
             role_arn = \"{ROLE_ARN}\"\nexternal_id = \"ext-cp\"\nsession_name = \"via-process\"\n\
             source = {{ access_key_id = \"{}\", secret_access_key = \"{secret}\" }}\n",
            alice.access_key_id
        ),
    )
    .unwrap();
    let broken_config = home.path().join("broken.toml");
    std::fs::write(
        &broken_config,
        "mode = \"assume_role\"\nrole_arn = \"nope\"\n",
    )
    .unwrap();

    // The process runs with an environment of its own: nothing of the test's leaks in.
    let line = |config: &Path| {
        format!(
            "env -i HOME={} AWS_EC2_METADATA_DISABLED=true {} credential-process --config {}",
            home.path().display(),
            env!("CARGO_BIN_EXE_bedrock-auth"),
            config.display()
        )
    };
    let profiles = format!(
        "[profile static]\ncredential_process = {}\nregion = us-east-1\n\
         [profile role]\ncredential_process = {}\nregion = us-east-1\n\
         [profile broken]\ncredential_process = {}\nregion = us-east-1\n",
        line(&static_config),
        line(&role_config),
        line(&broken_config)
    );
    let manager = |profile: &str| {
        aws.builder()
            .profile(profile)
            .sandbox(
                aws.sandbox()
                    .env("HOME", "/home/test")
                    .file("/home/test/.aws/config", profiles.clone()),
            )
            .build()
            .unwrap()
    };
    assert_eq!(manager("static").validate().await.unwrap().arn, alice.arn);
    let assumed = manager("role").credentials().await.unwrap();
    assert!(assumed.access_key_id().starts_with("ASIA"), "{assumed:?}");
    assert!(assumed.session_token().is_some() && assumed.expiry().is_some());
    assert_eq!(
        manager("role").validate().await.unwrap().arn,
        "arn:aws:sts::123456789012:assumed-role/BedrockAccess/via-process"
    );
    let err = manager("broken").validate().await.unwrap_err();
    assert!(err.message().contains("role_arn"), "{err}");

    // A failing configuration: a non-zero exit, and nothing on stdout.
    let out = run(
        home.path(),
        &aws,
        &[],
        &[
            "credential-process",
            "--config",
            broken_config.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(out.stderr.contains("invalid_config"), "{}", out.stderr);
    // API-key mode has no credentials to print.
    let out = run(
        home.path(),
        &aws,
        &[("AWS_BEARER_TOKEN_BEDROCK", "ABSKanything")],
        &["credential-process", "--api-key"],
    )
    .await;
    assert_ne!(out.code, 0);
    assert!(
        out.stdout.is_empty() && out.stderr.contains("API-key mode"),
        "{}",
        out.stderr
    );
    // The output itself: version 1, and the secret only there.
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let out = run(
        home.path(),
        &aws,
        &[(k1, v1.as_str()), (k2, v2.as_str())],
        &["credential-process", "--env"],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    assert_eq!(json["Version"], 1);
    assert_eq!(json["AccessKeyId"], alice.access_key_id.as_str());
    assert_eq!(json["SecretAccessKey"], secret);
    assert!(!out.stderr.contains(secret));
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_shows_each_setting_with_its_source_and_never_a_secret() {
    let (home, aws, alice) = setup().await;
    std::fs::write(
        home.path().join("config"),
        "[profile dev]\nregion = eu-north-1\nmetadata_service_num_attempts = 2\n",
    )
    .unwrap();
    let secret = alice.secret_access_key.expose_secret().to_owned();
    let vars = [
        ("AWS_REGION", "eu-west-1"),
        ("AWS_PROFILE", "dev"),
        ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:8"),
        ("AWS_METADATA_SERVICE_TIMEOUT", "0.1"),
        ("AWS_ACCESS_KEY_ID", alice.access_key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", secret.as_str()),
        ("AWS_SESSION_TOKEN", "doctor-session-token-5e1"),
        ("RUST_LOG", "trace"),
    ];
    let text = run(home.path(), &aws, &vars, &["doctor", "--env"]).await;
    let line = |name: &str| {
        text.stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} line in\n{}", text.stdout))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(line("region"), "region eu-west-1 variable AWS_REGION");
    assert_eq!(line("profile"), "profile dev variable AWS_PROFILE");
    assert_eq!(line("mode"), "mode environment flag --env");
    assert_eq!(
        line("endpoint for STS"),
        format!("endpoint for STS http://127.0.0.1:9 variable AWS_ENDPOINT_URL_STS")
    );
    assert!(
        line("endpoint").contains(&aws.endpoint_url()),
        "{}",
        line("endpoint")
    );
    assert_eq!(
        line("metadata endpoint"),
        "metadata endpoint http://127.0.0.1:8 variable AWS_EC2_METADATA_SERVICE_ENDPOINT"
    );
    assert_eq!(
        line("metadata timeout"),
        "metadata timeout 0.1 variable AWS_METADATA_SERVICE_TIMEOUT"
    );
    assert_eq!(line("metadata attempts"), "metadata attempts 2 profile dev");
    assert_eq!(
        line("instance metadata"),
        "instance metadata off variable AWS_EC2_METADATA_DISABLED"
    );
    assert_eq!(
        line("access key id"),
        "access key id AKIA… variable AWS_ACCESS_KEY_ID"
    );
    assert_eq!(
        line("secret access key"),
        "secret access key ******** variable AWS_SECRET_ACCESS_KEY"
    );
    // A flag wins over the variable, and says so.
    let flagged = run(
        home.path(),
        &aws,
        &vars,
        &["doctor", "--env", "--region", "us-east-1"],
    )
    .await;
    assert!(
        flagged
            .stdout
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["region", "us-east-1", "flag", "--region"]),
        "{}",
        flagged.stdout
    );

    // The JSON carries the same.
    let json = run(home.path(), &aws, &vars, &["doctor", "--env", "--json"])
        .await
        .json();
    let settings = json["diagnosis"]["settings"].as_array().unwrap();
    let region = settings.iter().find(|s| s["name"] == "region").unwrap();
    assert_eq!(
        (region["value"].as_str(), region["source"].as_str()),
        (Some("eu-west-1"), Some("variable AWS_REGION"))
    );

    // Never a secret, on either stream, at TRACE.
    for out in [&text, &flagged] {
        for secret in [secret.as_str(), "doctor-session-token-5e1"] {
            assert!(
                !out.stdout.contains(secret) && !out.stderr.contains(secret),
                "{secret}"
            );
        }
    }
    assert!(!json.to_string().contains(&secret));
}

/// A proxy address that is not on this machine. Nothing is sent to it: it does not resolve,
/// and the requests that must not reach it are refused before any connection.
const REMOTE_PROXY: &str = "http://proxy.example:3128";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bearer_key_never_goes_in_cleartext_to_a_remote_proxy() {
    let (home, aws, alice) = setup().await;
    let key = aws.add_api_key(&alice);
    let key = key.expose_secret();
    let ping = ["ping", "--api-key", "--model", MODEL, "--json"];
    for (variable, endpoint) in [
        ("HTTP_PROXY", aws.endpoint_url()),
        ("http_proxy", aws.endpoint_url()),
        (
            "HTTP_PROXY",
            aws.endpoint_url().replace("127.0.0.1", "localhost"),
        ),
        // Nothing listens there: the request is refused before any connection is tried.
        (
            "HTTP_PROXY",
            aws.endpoint_url().replace("127.0.0.1", "[::1]"),
        ),
    ] {
        let vars = [
            ("AWS_BEARER_TOKEN_BEDROCK", key),
            (variable, REMOTE_PROXY),
            ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ];
        let out = run(home.path(), &aws, &vars, &ping).await;
        assert_eq!(
            out.code, 2,
            "{variable} {endpoint}: {}{}",
            out.stdout, out.stderr
        );
        let json = out.json();
        assert_eq!(json["error"]["kind"], "invalid_config");
        let message = json["error"]["message"].as_str().unwrap();
        assert!(message.contains("proxy"), "{message}");
        // Auto mode sends the variable's key too: refused at the route.
        let auto = ["ping", "--model", MODEL, "--json"];
        let out = run(home.path(), &aws, &vars, &auto).await;
        assert_eq!(
            out.code, 2,
            "auto, {variable}: {}{}",
            out.stdout, out.stderr
        );
        assert!(out.stdout.contains("proxy"), "{}", out.stdout);
    }
    assert_eq!(aws.count("Converse"), 0, "a request reached the server");
    // doctor says so, in auto mode too (whose own whoami signs with SigV4).
    let vars = [
        ("AWS_BEARER_TOKEN_BEDROCK", key),
        ("HTTP_PROXY", REMOTE_PROXY),
    ];
    let doctor = run(home.path(), &aws, &vars, &["doctor"]).await;
    assert!(
        doctor.stdout.lines().any(
            |l| l.starts_with("warning: AWS_ENDPOINT_URL is plain http://")
                && l.contains("proxy.example")
        ),
        "{}",
        doctor.stdout
    );

    // A config file's proxy: `check` says so, and names the endpoint's key.
    let config = home.path().join("api.toml");
    std::fs::write(
        &config,
        format!(
            "mode = \"api_key\"\nendpoint_url = \"{}\"\nproxy = \"{REMOTE_PROXY}\"\n",
            aws.endpoint_url()
        ),
    )
    .unwrap();
    let vars = [("AWS_BEARER_TOKEN_BEDROCK", key)];
    let check = run(
        home.path(),
        &aws,
        &vars,
        &["check", "--config", config.to_str().unwrap()],
    )
    .await;
    assert_eq!(check.code, 2, "{}{}", check.stdout, check.stderr);
    assert!(
        check.stderr.contains("endpoint_url") && check.stderr.contains("proxy"),
        "{}",
        check.stderr
    );

    // Exempted by NO_PROXY, the request goes straight to this machine and is answered.
    let vars = [
        ("AWS_BEARER_TOKEN_BEDROCK", key),
        ("HTTP_PROXY", REMOTE_PROXY),
        ("NO_PROXY", "127.0.0.1"),
    ];
    let out = run(home.path(), &aws, &vars, &ping).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(aws.count("Converse"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_proxy_and_endpoint_variables_are_refused_by_name() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let not_utf8 = OsStr::from_bytes(b"http://127.0.0.1:1/\xff");
    let ping = ["ping", "--env", "--model", MODEL, "--json"];
    for variable in [
        "HTTP_PROXY",
        "https_proxy",
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_STS",
    ] {
        let vars = [
            (k1, OsStr::new(&v1)),
            (k2, OsStr::new(&v2)),
            (variable, not_utf8),
        ];
        let out = run_os(home.path(), &aws, &vars, &ping).await;
        assert_eq!(out.code, 2, "{variable}: {}{}", out.stdout, out.stderr);
        let json = out.json();
        assert_eq!(json["error"]["kind"], "invalid_config", "{variable}");
        let message = json["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(variable) && message.contains("UTF-8"),
            "{message}"
        );
    }
    // A secret that is not text is refused as such, not reported as missing.
    let vars = [
        (k1, OsStr::new(&v1)),
        (k2, OsStr::from_bytes(b"secret\xff")),
    ];
    let out = run_os(home.path(), &aws, &vars, &["whoami", "--env", "--json"]).await;
    let message = out.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("AWS_SECRET_ACCESS_KEY") && message.contains("UTF-8"),
        "{message}"
    );
    // A proxy port that is not a number: refused, naming the variable, nothing sent.
    for variable in ["HTTP_PROXY", "HTTPS_PROXY"] {
        let vars = [
            (k1, v1.as_str()),
            (k2, v2.as_str()),
            (variable, "http://proxy.example:notaport"),
        ];
        let out = run(home.path(), &aws, &vars, &ping).await;
        assert_eq!(out.code, 2, "{variable}: {}{}", out.stdout, out.stderr);
        let message = out.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(
            message.contains(variable) && message.contains("port"),
            "{message}"
        );
    }
    assert_eq!(aws.count("Converse"), 0);
}

/// A container-credentials endpoint of the test's own on 127.0.0.1 (as ECS and EKS Pod
/// Identity serve them): answers every request with these temporary credentials, and counts
/// them.
async fn container_credentials(
    credentials: &aws_credential_types::Credentials,
) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = served.clone();
    let body = format!(
        r#"{{"AccessKeyId":"{}","SecretAccessKey":"{}","Token":"{}","Expiration":"2099-01-01T00:00:00Z"}}"#,
        credentials.access_key_id(),
        credentials.secret_access_key(),
        credentials.session_token().unwrap_or_default(),
    );
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let body = body.clone();
            tokio::spawn(async move {
                let mut head = vec![0u8; 4096];
                let _ = stream.read(&mut head).await;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    (port, served)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn container_credentials_never_go_through_the_proxy() {
    let (home, aws, alice) = setup().await;
    // The task role's temporary credentials, as the container endpoint hands them out.
    aws.add_role(RoleSpec::new(ROLE));
    let task_role = aws
        .builder()
        .assume_role(ROLE)
        .source_static(alice.access_key_id.clone(), alice.secret_access_key.clone())
        .build()
        .unwrap();
    let credentials = task_role.credentials().await.unwrap();
    let (port, served) = container_credentials(&credentials).await;
    // A proxy on this machine that refuses everything (502), as a corporate proxy does for
    // addresses it does not know: what goes to it fails.
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let proxied = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = proxied.clone();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut stream, _)) = proxy.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = stream
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
    });
    let full_uri = format!("http://localhost:{port}/v2/credentials");
    // STS (on 127.0.0.1) is exempted; the container endpoint (localhost) is not, by NO_PROXY.
    let vars = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
        ("HTTP_PROXY", proxy_url.as_str()),
        ("HTTPS_PROXY", proxy_url.as_str()),
        ("NO_PROXY", "127.0.0.1"),
    ];
    let out = run(home.path(), &aws, &vars, &["whoami", "--json"]).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.json()["arn"]
            .as_str()
            .unwrap()
            .contains(":assumed-role/BedrockAccess/")
    );
    assert!(served.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    assert_eq!(
        proxied.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the proxy was asked"
    );
}

/// Whether `text` holds a character a terminal acts on, other than the line breaks the
/// command prints itself.
fn has_raw_control(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && c != '\n')
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_from_outside_is_printed_with_its_control_characters_escaped() {
    use bedrock_auth::testing::Fault;
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];

    // A Bedrock error whose message would forge a line and rewrite the terminal.
    aws.set_fault(Fault::Raw {
        status: 400,
        content_type: "application/json",
        body: r#"{"__type":"ValidationException","message":"bad model\r\n\u001b[2Kok: pinged\u0007\u009b"}"#,
    });
    for json in [false, true] {
        let mut args = vec!["ping", "--env", "--model", MODEL];
        if json {
            args.push("--json");
        }
        let out = run(home.path(), &aws, &vars, &args).await;
        assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
        assert!(
            !has_raw_control(&out.stdout) && !has_raw_control(&out.stderr),
            "{out:?}"
        );
        assert!(
            !out.stderr.lines().any(|l| l.starts_with("ok:")),
            "{}",
            out.stderr
        );
        let shown = if json { &out.stdout } else { &out.stderr };
        assert!(shown.contains("bad model"), "{shown}");
    }

    // An identity whose ARN would forge an `account:` line of whoami.
    aws.set_fault(Fault::Raw {
        status: 200,
        content_type: "text/xml",
        body: "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
               <GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/x&#10;account: 999999999999&#27;[2K</Arn>\
               <UserId>AIDAX</UserId><Account>123456789012</Account></GetCallerIdentityResult>\
               <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
    });
    let out = run(home.path(), &aws, &vars, &["whoami", "--env"]).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(!has_raw_control(&out.stdout), "{:?}", out.stdout);
    let accounts: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("account:"))
        .collect();
    assert_eq!(accounts, ["account: 123456789012"], "{}", out.stdout);
    aws.clear_fault();

    // A credential_process that writes escapes to stderr and fails.
    let script = home.path().join("creds.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nprintf 'no\\033[2J\\r\\nok: fine\\a' >&2\nexit 3\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::write(
        home.path().join("config"),
        format!(
            "[profile proc]\ncredential_process = {}\n",
            script.display()
        ),
    )
    .unwrap();
    let out = run(home.path(), &aws, &[], &["whoami", "--profile", "proc"]).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(!has_raw_control(&out.stderr), "{:?}", out.stderr);
    assert!(
        !out.stderr.lines().any(|l| l.starts_with("ok:")),
        "{}",
        out.stderr
    );

    // Values doctor shows from a config file.
    let config = home.path().join("odd.toml");
    std::fs::write(
        &config,
        "mode = \"profile\"\nprofile = \"dev\\u001b[31m\\nregion: forged\"\n",
    )
    .unwrap();
    let out = run(
        home.path(),
        &aws,
        &[],
        &["doctor", "--config", config.to_str().unwrap()],
    )
    .await;
    assert!(
        !has_raw_control(&out.stdout) && !has_raw_control(&out.stderr),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_hides_a_secret_put_where_a_name_or_an_id_belongs() {
    let (home, aws, _alice) = setup().await;
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let config = home.path().join("misplaced.toml");
    std::fs::write(
        &config,
        format!(
            "mode = \"static\"\naccess_key_id = \"{secret}\"\nsecret_access_key = {{ file = \"{secret}\" }}\n"
        ),
    )
    .unwrap();
    for args in [
        vec!["doctor", "--config", config.to_str().unwrap()],
        vec!["doctor", "--config", config.to_str().unwrap(), "--json"],
        vec!["check", "--config", config.to_str().unwrap()],
    ] {
        let out = run(home.path(), &aws, &[], &args).await;
        assert_ne!(out.code, 0, "{args:?}");
        for part in [secret, "wJalr", "KEY9"] {
            assert!(
                !out.stdout.contains(part) && !out.stderr.contains(part),
                "{args:?} shows `{part}`:\n{}{}",
                out.stdout,
                out.stderr
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_echoed_by_an_answer_or_pasted_as_an_argument_are_not_printed() {
    use bedrock_auth::testing::Fault;
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    // A proxy's error page that quotes the request it was sent.
    aws.set_fault(Fault::Raw {
        status: 403,
        content_type: "text/plain",
        body: "Forbidden: Authorization: Bearer ABSKRWNob2VkS2V5UGxhbnRlZDAwMDAwMDAwMDAwMDA= \
               X-Amz-Security-Token: IQoJEchoedSessionToken0000000000/+=",
    });
    for args in [
        ["ping", "--env", "--model", MODEL, "--json"].as_slice(),
        &["ping", "--env", "--model", MODEL],
        &["whoami", "--env"],
    ] {
        let out = run(home.path(), &aws, &vars, args).await;
        assert_eq!(out.code, 1, "{args:?}: {}{}", out.stdout, out.stderr);
        for echoed in ["ABSKRWNob2Vk", "IQoJEchoed"] {
            assert!(
                !out.stdout.contains(echoed) && !out.stderr.contains(echoed),
                "{out:?}"
            );
        }
        assert!(
            format!("{}{}", out.stdout, out.stderr).contains("Forbidden"),
            "{out:?}"
        );
    }
    aws.clear_fault();

    // A key pasted after `--api-key` (which takes none) is not echoed by the usage error.
    let pasted = "ABSKUGFzdGVkS2V5UGxhbnRlZDExMTExMTExMTExMTE=";
    for args in [
        ["whoami", "--api-key", pasted, "--json"].as_slice(),
        &["whoami", "--api-key", pasted],
        &["ping", "--model", MODEL, &format!("--api-key={pasted}")],
    ] {
        let out = run(home.path(), &aws, &[], args).await;
        assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
        assert!(
            !out.stdout.contains(pasted) && !out.stderr.contains(pasted),
            "{out:?}"
        );
    }
}

/// A server on 127.0.0.1 that answers every request with `head` and then `body_bytes` bytes
/// of `x` (in chunks), for answers too large to hold.
async fn oversized(head: &'static str, body_bytes: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = vec![0u8; 64 * 1024];
                let _ = stream.read(&mut request).await;
                let _ = stream.write_all(head.as_bytes()).await;
                let chunk = vec![b'x'; 64 * 1024];
                let mut sent = 0;
                while sent < body_bytes {
                    if stream.write_all(&chunk).await.is_err() {
                        return;
                    }
                    sent += chunk.len();
                }
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_answers_and_arguments_are_refused_by_their_limit() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    // An answer that says it is 50 GiB, and one of 64 MiB that does not say.
    let huge = oversized(
        "HTTP/1.1 403 Forbidden\r\ncontent-type: text/xml\r\ncontent-length: 53687091200\r\n\r\n",
        1024 * 1024,
    )
    .await;
    let unsaid = oversized(
        "HTTP/1.1 403 Forbidden\r\ncontent-type: text/xml\r\nconnection: close\r\n\r\n",
        64 * 1024 * 1024,
    )
    .await;
    for endpoint in [&huge, &unsaid] {
        let vars = [
            (k1, v1.as_str()),
            (k2, v2.as_str()),
            ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ];
        let started = std::time::Instant::now();
        let out = run(home.path(), &aws, &vars, &["whoami", "--env", "--json"]).await;
        assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
        let message = out.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains("1024 KiB"), "{message}");
        assert!(started.elapsed() < Duration::from_secs(20));
    }
    // A model id longer than Bedrock takes, and an argument longer than any: refused, no panic.
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    for (model, limit) in [("m".repeat(5_000), "2048"), ("m".repeat(70_000), "8192")] {
        let out = run(
            home.path(),
            &aws,
            &vars,
            &["ping", "--env", "--model", &model, "--json"],
        )
        .await;
        assert_eq!(out.code, 2, "{}", out.stderr);
        let message = out.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains(limit), "{message}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_key_that_no_header_can_carry_is_a_configuration_error() {
    let (home, aws, alice) = setup().await;
    let key = aws.add_api_key(&alice);
    let file = home.path().join("key.txt");
    // A second line in the key file (or a character outside ASCII): the key can never be sent.
    std::fs::write(&file, format!("{}\nsecond line\n", key.expose_secret())).unwrap();
    let config = home.path().join("key.toml");
    std::fs::write(
        &config,
        format!(
            "mode = \"api_key\"\napi_key = {{ file = \"{}\" }}\n",
            file.display()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    for args in [
        ["check", "--config", config].as_slice(),
        &["ping", "--config", config, "--model", MODEL],
    ] {
        let out = run(home.path(), &aws, &[], args).await;
        assert_eq!(out.code, 2, "{args:?}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("invalid_config") && out.stderr.contains("api_key"),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains("second line"), "{}", out.stderr);
    }
    let accented = format!("{}é", key.expose_secret());
    let vars = [("AWS_BEARER_TOKEN_BEDROCK", accented.as_str())];
    let out = run(
        home.path(),
        &aws,
        &vars,
        &["ping", "--api-key", "--model", MODEL],
    )
    .await;
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("AWS_BEARER_TOKEN_BEDROCK"),
        "{}",
        out.stderr
    );
    assert_eq!(aws.count("Converse"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_that_echoes_the_external_id_or_the_key_does_not_make_the_command_print_it() {
    use bedrock_auth::testing::Fault;
    let (home, aws, alice) = setup().await;
    write_base_profile(home.path(), &alice);
    // STS quoting the external id it was sent, in a bare error of its own shape.
    aws.set_fault(Fault::Raw {
        status: 403,
        content_type: "text/xml",
        body: "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no trust for \
               ExternalId ext-echoed-0042 on this role</Message></Error></ErrorResponse>",
    });
    let args = [
        "whoami",
        "--role-arn",
        ROLE_ARN,
        "--external-id",
        "ext-echoed-0042",
        "--source-profile",
        "base",
    ];
    for json in [false, true] {
        let mut args = args.to_vec();
        if json {
            args.push("--json");
        }
        let out = run(home.path(), &aws, &[], &args).await;
        assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
        let printed = format!("{}{}", out.stdout, out.stderr);
        assert!(
            printed.contains("no trust for ExternalId ********"),
            "{printed}"
        );
        assert!(!printed.contains("ext-echoed-0042"), "{printed}");
    }
    // Bedrock quoting the API key it was sent, without a `Bearer ` before it.
    const KEY: &str = "ABSKRWNob2VkQnlWYWx1ZUtleTAwMDAwMDA=";
    aws.set_fault(Fault::Raw {
        status: 403,
        content_type: "application/json",
        body: "{\"message\":\"unknown key ABSKRWNob2VkQnlWYWx1ZUtleTAwMDAwMDA=\"}",
    });
    let vars = [("AWS_BEARER_TOKEN_BEDROCK", KEY)];
    for args in [
        ["ping", "--api-key", "--model", MODEL].as_slice(),
        &["whoami", "--api-key", "--json"],
    ] {
        let out = run(home.path(), &aws, &vars, args).await;
        assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
        let printed = format!("{}{}", out.stdout, out.stderr);
        assert!(printed.contains("unknown key ********"), "{printed}");
        assert!(!printed.contains(KEY), "{printed}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_waits_for_a_slow_model_as_long_as_the_bedrock_timeout_says() {
    use bedrock_auth::testing::Fault;
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    aws.set_fault(Fault::SlowBedrock {
        delay: Duration::from_millis(1500),
    });
    let ping = ["ping", "--env", "--model", MODEL, "--json"];
    let out = run(home.path(), &aws, &vars, &ping).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.json()["latency_ms"].as_u64().unwrap() >= 1500);

    let mut impatient = ping.to_vec();
    impatient.extend(["--bedrock-timeout", "1s"]);
    let out = run(home.path(), &aws, &vars, &impatient).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let error = &out.json()["error"];
    assert_eq!(error["kind"], "network");
    assert!(
        error["message"].as_str().unwrap().contains("timed out"),
        "{error}"
    );
    assert!(
        error["hint"]
            .as_str()
            .unwrap()
            .contains("bedrock_timeout_ms"),
        "{error}"
    );

    let out = run(
        home.path(),
        &aws,
        &vars,
        &["ping", "--env", "--model", MODEL, "--bedrock-timeout", "2d"],
    )
    .await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--bedrock-timeout"), "{}", out.stderr);
}

/// `ping --stream` proves the streaming path: the streamed text (quoted, so a control
/// character the model sends never reaches the terminal raw), the events and the time to the
/// first one; JSON as for `ping`; a stream that ends with an error event is a failure with the
/// event's kind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_stream_prints_the_streamed_text_and_the_time_to_the_first_event() {
    use bedrock_auth::testing::{Fault, ModelAnswer, StreamEnd};
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    aws.set_answer(ModelAnswer::new(["Hel", "lo", "\u{1b}[31m!"]));
    aws.set_fault(Fault::SlowBedrock {
        delay: Duration::from_millis(300),
    });
    let ping = ["ping", "--env", "--model", MODEL, "--stream"];
    let out = run(home.path(), &aws, &vars, &ping).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains(r#"text: "Hello\u{1b}[31m!""#),
        "{out:?}"
    );
    assert!(!out.stdout.contains('\u{1b}'), "{out:?}");
    assert!(out.stdout.contains("streamed 7 events"), "{out:?}");
    assert_eq!(aws.count("ConverseStream"), 1);
    assert_eq!(aws.count("Converse"), 0);

    let mut json = ping.to_vec();
    json.push("--json");
    let out = run(home.path(), &aws, &vars, &json).await;
    assert_eq!(out.code, 0, "{out:?}");
    let report = out.json();
    assert_eq!(report["text"], "Hello\u{1b}[31m!");
    assert_eq!(report["events"], 7);
    let first = report["first_event_ms"].as_u64().unwrap();
    assert!(first >= 300, "{report}");
    assert!(report["latency_ms"].as_u64().unwrap() >= first, "{report}");

    aws.clear_fault();
    aws.set_answer(ModelAnswer::new(["half"]).end(StreamEnd::Throttling));
    let out = run(home.path(), &aws, &vars, &json).await;
    assert_eq!(out.code, 1, "{out:?}");
    let error = &out.json()["error"];
    assert_eq!(error["kind"], "throttled", "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("Bedrock ConverseStream (mid-stream)"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_session_s_tags_policies_and_source_identity_as_flags() {
    let (home, aws, alice) = setup().await;
    aws.add_role(
        RoleSpec::new(ROLE)
            .allow_session_tags()
            .allow_source_identity(),
    );
    write_base_profile(home.path(), &alice);
    let policy = home.path().join("acme.json");
    let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"bedrock:*","Resource":"*"}]}"#;
    std::fs::write(&policy, document).unwrap();
    let tenant_policy = "arn:aws:iam::123456789012:policy/tenants/acme";
    let flags = [
        "--role-arn",
        ROLE_ARN,
        "--source-profile",
        "base",
        "--tag",
        "tenant=acme",
        "--tag",
        "plan=pro",
        "--policy-arn",
        tenant_policy,
        "--session-policy",
        policy.to_str().unwrap(),
        "--source-identity",
        "alice",
    ];
    let whoami = run(home.path(), &aws, &[], &[&["whoami"], &flags[..]].concat()).await;
    assert_eq!(whoami.code, 0, "{}", whoami.stderr);
    let requests = aws.requests();
    let assume = requests.iter().find(|r| r.action == "AssumeRole").unwrap();
    let param = |name: &str| assume.params.get(name).map(String::as_str);
    assert_eq!(param("Tags.member.1.Key"), Some("plan"));
    assert_eq!(param("Tags.member.2.Value"), Some("acme"));
    assert_eq!(param("PolicyArns.member.1.arn"), Some(tenant_policy));
    assert_eq!(param("Policy"), Some(document));
    assert_eq!(param("SourceIdentity"), Some("alice"));

    // doctor names the flag that set each.
    let doctor = run(home.path(), &aws, &[], &[&["doctor"], &flags[..]].concat()).await;
    let tags = doctor
        .stdout
        .lines()
        .find(|l| l.starts_with("session tags"))
        .unwrap_or_default();
    assert!(
        tags.contains("plan=pro, tenant=acme") && tags.ends_with("flag --tag"),
        "{}",
        doctor.stdout
    );

    // A tag without `=` is a usage problem that does not quote what was given.
    let pasted = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let bad = run(
        home.path(),
        &aws,
        &[],
        &["whoami", "--role-arn", ROLE_ARN, "--tag", pasted],
    )
    .await;
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("--tag") && !bad.stderr.contains(pasted),
        "{}",
        bad.stderr
    );
    // So is a secret put in a tag's value.
    let tag = format!("note={pasted}");
    let bad = run(
        home.path(),
        &aws,
        &[],
        &["whoami", "--role-arn", ROLE_ARN, "--tag", &tag],
    )
    .await;
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("--tag") && !bad.stderr.contains(pasted),
        "{}",
        bad.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_assumed_with_a_web_identity_token_file() {
    let (home, aws, _alice) = setup().await;
    aws.add_role(RoleSpec::new(ROLE).trust_web_identity());
    aws.add_web_identity_token("oidc-token-1", "system:serviceaccount:orders:api");
    let token = home.path().join("token");
    std::fs::write(&token, "oidc-token-1\n").unwrap();
    let args = [
        "whoami",
        "--role-arn",
        ROLE_ARN,
        "--web-identity-token-file",
        token.to_str().unwrap(),
        "--session-name",
        "orders",
    ];
    let whoami = run(home.path(), &aws, &[], &args).await;
    assert_eq!(whoami.code, 0, "{}", whoami.stderr);
    assert!(
        whoami.stdout.contains("assumed-role/BedrockAccess/orders"),
        "{}",
        whoami.stdout
    );
    let actions: Vec<_> = aws.requests().into_iter().map(|r| r.action).collect();
    assert_eq!(actions, ["AssumeRoleWithWebIdentity", "GetCallerIdentity"]);
    // Not with a source profile: the token is the credential.
    let both = [&args[..], &["--source-profile", "base"]].concat();
    assert_eq!(run(home.path(), &aws, &[], &both).await.code, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_says_whether_a_sign_in_profile_s_cached_token_is_there_never_what_it_holds() {
    let (home, aws, _alice) = setup().await;
    let session = "arn:aws:sts::012345678910:assumed-role/Admin/admin";
    std::fs::write(
        home.path().join("config"),
        format!(
            "[profile signin]\nlogin_session = {session}\nregion = us-east-1\n\n\
             [profile corp-dev]\nsso_session = corp\nsso_account_id = 123456789012\n\
             sso_role_name = Dev\nregion = us-east-1\n\n\
             [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n\
             sso_region = us-east-1\n"
        ),
    )
    .unwrap();
    // The file names aws-config gives them: sha256 of the login session, sha1 of the SSO
    // session's name.
    let login_cache = home.path().join(".aws/login/cache");
    std::fs::create_dir_all(&login_cache).unwrap();
    let planted = "PlantedSecretKeyOfTheLoginCache0000000000";
    let cached = |expires: &str| {
        format!(
            r#"{{"accessToken":{{"accessKeyId":"ASIAPLANTED000000000","secretAccessKey":"{planted}","sessionToken":"tok","accountId":"012345678910","expiresAt":"{expires}"}},"refreshToken":"refresh"}}"#
        )
    };
    let login_file =
        login_cache.join("4b0ba8f99f075c0633e122fd73346ce203a3faf18ea0310eb2d29df1bab2e255.json");
    std::fs::write(&login_file, cached("3025-01-01T00:00:00Z")).unwrap();

    let doctor = async |profile: &str| {
        let args = ["doctor", "--profile", profile];
        run(home.path(), &aws, &[], &args).await
    };
    let line = |out: &Output, name: &str| {
        out.stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_default()
            .to_owned()
    };
    let signin = doctor("signin").await;
    assert!(
        line(&signin, "sign-in ").contains(&format!("aws login session {session}")),
        "{}",
        signin.stdout
    );
    assert!(
        line(&signin, "sign-in cache").contains("present, unexpired"),
        "{}",
        signin.stdout
    );

    std::fs::write(&login_file, cached("2020-01-01T00:00:00Z")).unwrap();
    let expired = doctor("signin").await;
    assert!(
        line(&expired, "sign-in cache").contains("expired"),
        "{}",
        expired.stdout
    );

    let sso = doctor("corp-dev").await;
    assert!(
        line(&sso, "sign-in ").contains("SSO session corp"),
        "{}",
        sso.stdout
    );
    assert!(
        line(&sso, "sign-in cache").contains("missing"),
        "{}",
        sso.stdout
    );
    assert!(
        sso.stdout
            .contains("run `aws sso login --profile corp-dev`"),
        "{}",
        sso.stdout
    );
    assert!(
        sso.stdout
            .contains("ee0bfd2552fbd840c02cc48b6e823320543c450f.json"),
        "{}",
        sso.stdout
    );

    for out in [&signin, &expired, &sso] {
        assert!(!out.stdout.contains(planted) && !out.stderr.contains(planted));
        assert!(!out.stdout.contains("ASIAPLANTED"), "{}", out.stdout);
    }
}

/// The MFA prompt of `credential-process` goes to the terminal itself: an AWS tool reads the
/// process's stdout and captures its stderr, so a prompt on stderr is never seen. Run under a
/// pseudo-terminal (`script`, util-linux), with stderr sent to a file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mfa_prompt_of_credential_process_is_on_the_terminal() {
    let (home, aws, alice) = setup().await;
    let serial = "arn:aws:iam::123456789012:mfa/alice";
    aws.add_role(RoleSpec::new(ROLE).require_mfa(serial, "246810"));
    write_base_profile(home.path(), &alice);
    let stderr_file = home.path().join("stderr.txt");
    let line = format!(
        "{} credential-process --role-arn {ROLE_ARN} --source-profile base --mfa-serial {serial} \
         2>{}",
        env!("CARGO_BIN_EXE_bedrock-auth"),
        stderr_file.display()
    );
    // The command's usual environment, and a PATH for the shell `script` starts.
    let mut command = command(home.path(), &aws, &[]);
    let env: Vec<_> = command
        .as_std_mut()
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
        .collect();
    let mut script = tokio::process::Command::new("/usr/bin/script");
    script
        .args(["-qec", &line, "/dev/null"])
        .env_clear()
        .envs(env)
        .env("PATH", "/usr/bin:/bin")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = script.spawn().expect("script(1) from util-linux runs");
    use tokio::io::AsyncWriteExt;
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"246810\n").await.unwrap();
    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("the command finished")
        .unwrap();
    drop(stdin);
    let terminal = String::from_utf8_lossy(&output.stdout);
    let stderr = std::fs::read_to_string(&stderr_file).unwrap_or_default();
    assert!(
        terminal.contains("MFA code: "),
        "the prompt is on the terminal: {terminal}"
    );
    assert!(!stderr.contains("MFA code"), "not on stderr: {stderr}");
    assert!(terminal.contains("\"AccessKeyId\""), "{terminal}{stderr}");
    let requests = aws.requests();
    let assume = requests.iter().find(|r| r.action == "AssumeRole").unwrap();
    assert_eq!(
        assume.params.get("TokenCode").map(String::as_str),
        Some("246810")
    );
}
