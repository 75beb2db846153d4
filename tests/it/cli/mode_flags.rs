//! The mode flags are the keys of a config file, and a setting flag beside `--config` wins over
//! the file, as `doctor` and `check` say.

use bedrock_auth::testing::RoleSpec;

use super::*;

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
