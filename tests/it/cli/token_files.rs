//! A web identity token file that would block its reader (a FIFO planted where the token
//! belongs), named by a profile or by `AWS_WEB_IDENTITY_TOKEN_FILE`: refused at once, never
//! read (aws-config's own read of it has no bound).

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_as_a_web_identity_token_file_is_refused_at_once() {
    let (home, aws, _alice) = setup().await;
    let fifo = home.path().join("token.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    std::fs::write(
        home.path().join("config"),
        format!(
            "[profile wi]\nrole_arn = {ROLE_ARN}\nweb_identity_token_file = {fifo}\n\n\
                 [profile chained]\nrole_arn = {ROLE_ARN}\nsource_profile = wi\n"
        ),
    )
    .unwrap();
    let from_env = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", fifo),
        ("AWS_ROLE_ARN", ROLE_ARN),
    ];
    let none: &[(&str, &str)] = &[];
    let runs = [
        (none, &["whoami", "--profile", "wi"][..]),
        (none, &["whoami", "--profile", "chained"]),
        (&from_env, &["whoami"]),
        (&from_env, &["credential-process", "--cache"]),
    ];
    for (vars, args) in runs {
        let out = run(home.path(), &aws, vars, args).await;
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr
                .contains("is a FIFO (named pipe), not a regular file"),
            "{args:?}: {}",
            out.stderr
        );
    }
    assert!(aws.requests().is_empty());
}
