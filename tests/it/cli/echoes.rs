//! A server that echoes the request: the secrets this process sent (a web identity token, an
//! MFA code, a profile's external id) are not printed back, in text, JSON or debug logs.

use bedrock_auth::testing::Fault;

use super::*;

/// Runs `args` in text, in JSON and at `RUST_LOG=debug` (stdin and the terminal given as
/// `stdin`), and checks that `secret` is in none of their outputs while AWS's words are.
async fn never_printed(
    home: &Path,
    aws: &LocalAws,
    args: &[&str],
    stdin: &[u8],
    secret: &str,
    said: &str,
) {
    for extra in [&[][..], &["--json"], &["--debug"]] {
        let debug = extra == ["--debug"];
        let mut line: Vec<&str> = args.to_vec();
        if !debug {
            line.extend(extra);
        }
        let mut command = command(home, aws, &line);
        if debug {
            command.env("RUST_LOG", "debug");
        }
        let out = with_stdin(command, stdin).await;
        let printed = format!("{}{}", out.stdout, out.stderr);
        assert_eq!(out.code, 1, "{args:?} {extra:?}: {printed}");
        assert!(printed.contains(said), "{args:?} {extra:?}: {printed}");
        assert!(!printed.contains(secret), "{args:?} {extra:?}: {printed}");
    }
}

/// The command with `stdin` on its standard input and no terminal of its own (`setsid`), so
/// that an MFA prompt reads stdin.
async fn with_stdin(command: tokio::process::Command, stdin: &[u8]) -> Output {
    use tokio::io::AsyncWriteExt;
    let std = command.as_std();
    let mut setsid = tokio::process::Command::new("/usr/bin/setsid");
    setsid
        .arg(std.get_program())
        .args(std.get_args())
        .env_clear()
        .envs(std.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = setsid.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin).await.unwrap();
    drop(input);
    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("the command finished")
        .unwrap();
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn denied(body: &'static str) -> Fault {
    Fault::Raw {
        status: 403,
        content_type: "text/xml",
        body,
    }
}

const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJlY2hvIn0.c2lnbmF0dXJlLWVjaG8";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_identity_token_an_answer_echoes_is_not_printed() {
    let (home, aws, _alice) = setup().await;
    let file = home.path().join("token.jwt");
    std::fs::write(&file, TOKEN).unwrap();
    aws.set_fault(denied(
        "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>token \
         eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJlY2hvIn0.c2lnbmF0dXJlLWVjaG8 is not trusted\
         </Message></Error></ErrorResponse>",
    ));
    let args = [
        "whoami",
        "--role-arn",
        ROLE_ARN,
        "--web-identity-token-file",
        file.to_str().unwrap(),
    ];
    never_printed(home.path(), &aws, &args, b"", TOKEN, "is not trusted").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mfa_code_an_answer_echoes_is_not_printed() {
    let (home, aws, alice) = setup().await;
    write_base_profile(home.path(), &alice);
    aws.set_fault(denied(
        "<ErrorResponse><Error><Code>AccessDenied</Code><Message>MFA code 135791 is not \
         valid</Message></Error></ErrorResponse>",
    ));
    let args = [
        "whoami",
        "--role-arn",
        ROLE_ARN,
        "--source-profile",
        "base",
        "--mfa-serial",
        "arn:aws:iam::123456789012:mfa/alice",
    ];
    never_printed(
        home.path(),
        &aws,
        &args,
        b"135791\n",
        "135791",
        "is not valid",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_s_external_id_an_answer_echoes_is_not_printed() {
    let (home, aws, alice) = setup().await;
    write_base_profile(home.path(), &alice);
    std::fs::write(
        home.path().join("config"),
        format!(
            "[profile chained]\nrole_arn = {ROLE_ARN}\nsource_profile = base\n\
             external_id = ext-profile-0042\n"
        ),
    )
    .unwrap();
    aws.set_fault(denied(
        "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no trust for ExternalId \
         ext-profile-0042 on this role</Message></Error></ErrorResponse>",
    ));
    for args in [
        &["whoami", "--profile", "chained"][..],
        &["credential-process", "--profile", "chained"],
        &[
            "whoami",
            "--role-arn",
            ROLE_ARN,
            "--source-profile",
            "chained",
        ],
    ] {
        never_printed(
            home.path(),
            &aws,
            args,
            b"",
            "ext-profile-0042",
            "no trust for ExternalId",
        )
        .await;
    }
}
