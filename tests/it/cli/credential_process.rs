//! `credential-process`: the credentials every AWS tool reads from a profile's
//! `credential_process`, and its MFA prompt on the terminal.

use std::path::Path;
use std::time::Duration;

use bedrock_auth::ExposeSecret;
use bedrock_auth::testing::RoleSpec;

use super::*;

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
