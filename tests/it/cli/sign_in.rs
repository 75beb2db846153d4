//! Sign-in that recovers: an SSO or `aws login` session that expired is named by every
//! subcommand with the exact command that renews it, and `--login` runs that command (a fake
//! `aws` on PATH here, at a pseudo-terminal) and tries once more.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use bedrock_auth::testing::{LocalAws, RoleSpec};

use super::{MODEL, Output, ROLE, ROLE_ARN, command, run};

/// The token `aws sso login` caches for the `corp` session once a person signed in.
const FRESH_SSO_TOKEN: &str = "aoaAAAAAGFreshSsoAccessTokenOfTheSignIn11111111";
const EXPIRED_SSO_TOKEN: &str = "aoaAAAAAGExpiredSsoAccessTokenOfTheTest2222222";
const LOGIN_SESSION: &str = "arn:aws:sts::012345678910:assumed-role/Admin/admin";
/// aws-config's own test key, as the login tests use it.
const LOGIN_DPOP_KEY: &str = "-----BEGIN EC PRIVATE KEY-----\n\
    MHcCAQEEIPt/u8InPLpQeQLJTvVX+sNDzni8vMDMt3Liu+nMBigfoAoGCCqGSM49\n\
    AwEHoUQDQgAEILkGG7rNOnxiIJlMgimY1UPP8eDMFP0DAY6WGjngP4bvTAiUCQ/I\n\
    ffut2379uP+OBCm2ovGpBOJRgrl1RspUOQ==\n-----END EC PRIVATE KEY-----\n";

/// The SSO session's cache file, as aws-config names it.
fn sso_cache(home: &Path, session: &str) -> PathBuf {
    let name = hex::encode(<sha1::Sha1 as sha1::Digest>::digest(session.as_bytes()));
    home.join(".aws/sso/cache").join(format!("{name}.json"))
}

fn sso_token(token: &str, expires_at: &str) -> String {
    serde_json::json!({"accessToken": token, "expiresAt": expires_at, "region": "us-east-1",
        "startUrl": "https://corp.awsapps.com/start"})
    .to_string()
}

/// A HOME with profile `dev` on the SSO session `corp` (its cached token expired), `app`
/// assuming a role from it, `signin` on an `aws login` session AWS Sign-In no longer renews,
/// and a fake `aws` in `bin` that records its arguments, prints a line on stdout, and caches
/// a fresh SSO token (exiting `FAKE_AWS_EXIT`, 0 unless set).
async fn signed_out() -> (tempfile::TempDir, LocalAws) {
    let home = tempfile::tempdir().unwrap();
    let aws = LocalAws::start().await.unwrap();
    let dev = aws.add_sso_access(FRESH_SSO_TOKEN, "123456789012", "Dev");
    aws.add_role(RoleSpec::new(ROLE).trust(dev.arn.clone()));
    let config = format!(
        "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n\
         sso_role_name = Dev\nregion = us-east-1\n\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n\
         sso_region = us-east-1\n\n\
         [profile app]\nrole_arn = {ROLE_ARN}\nsource_profile = dev\nregion = us-east-1\n\n\
         [profile signin]\nlogin_session = {LOGIN_SESSION}\nregion = us-east-1\n\n\
         [profile legacy]\nsso_start_url = https://legacy.awsapps.com/start\n\
         sso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Dev\n"
    );
    std::fs::write(home.path().join("config"), config).unwrap();
    std::fs::write(home.path().join("credentials"), "").unwrap();
    let cache = sso_cache(home.path(), "corp");
    std::fs::create_dir_all(cache.parent().unwrap()).unwrap();
    std::fs::write(&cache, sso_token(EXPIRED_SSO_TOKEN, "2020-01-01T00:00:00Z")).unwrap();
    // A legacy profile's token, unexpired by its date, that the portal refuses (revoked).
    std::fs::write(
        sso_cache(home.path(), "https://legacy.awsapps.com/start"),
        sso_token(
            "aoaAAAAAGRevokedSsoTokenOfTheTest3333333333333",
            "2099-01-01T00:00:00Z",
        ),
    )
    .unwrap();
    std::fs::write(
        home.path().join("fresh.json"),
        sso_token(FRESH_SSO_TOKEN, "2099-01-01T00:00:00Z"),
    )
    .unwrap();
    // An `aws login` session whose keys expired, with a refresh token Sign-In does not know.
    let login = home.path().join(".aws/login/cache");
    std::fs::create_dir_all(&login).unwrap();
    let name = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
        LOGIN_SESSION.as_bytes(),
    ));
    let session = serde_json::json!({
        "accessToken": {"accessKeyId": "ASIAEXPIREDLOGIN0000", "secretAccessKey":
            "ExpiredLoginSecretKeyOfTheTest0000000000", "sessionToken": "ExpiredLoginToken",
            "accountId": "012345678910", "expiresAt": "2020-01-01T00:00:00Z"},
        "clientId": "arn:aws:signin:::devtools/same-device",
        "refreshToken": "RefreshTokenSignInDoesNotKnow000000000",
        "idToken": "eyJraWQiOiJsb2NhbCJ9.IdTokenOfTheTest.c2lnbmF0dXJl",
        "dpopKey": LOGIN_DPOP_KEY,
    });
    std::fs::write(login.join(format!("{name}.json")), session.to_string()).unwrap();
    let bin = home.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let script = format!(
        "#!/bin/sh\necho \"$@\" >> '{home}/aws-args'\necho AWS-CLI-STDOUT\n\
         cp '{home}/fresh.json' '{cache}'\nexit ${{FAKE_AWS_EXIT:-0}}\n",
        home = home.path().display(),
        cache = cache.display(),
    );
    let fake = bin.join("aws");
    std::fs::write(&fake, script).unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    (home, aws)
}

/// PATH with the fake `aws` first.
fn path(home: &Path) -> String {
    format!("{}:/usr/bin:/bin", home.join("bin").display())
}

/// What the fake `aws` was run with, a line per run.
fn aws_runs(home: &Path) -> Vec<String> {
    std::fs::read_to_string(home.join("aws-args"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn every_subcommand_names_the_exact_command_that_renews_an_expired_sign_in() {
    let (home, aws) = signed_out().await;
    let home = home.path();
    let path = path(home);
    let vars = [("PATH", path.as_str())];
    let cases: [(&[&str], &str); 9] = [
        (
            &["whoami", "--profile", "legacy"],
            "aws sso login --profile legacy",
        ),
        (
            &["whoami", "--profile", "dev"],
            "aws sso login --profile dev",
        ),
        // A role chain's sign-in is the profile it starts from.
        (
            &["whoami", "--profile", "app"],
            "aws sso login --profile dev",
        ),
        (
            &["ping", "--profile", "dev", "--model", MODEL],
            "aws sso login --profile dev",
        ),
        (
            &["token", "--profile", "dev"],
            "aws sso login --profile dev",
        ),
        (
            &["credential-process", "--profile", "app"],
            "aws sso login --profile dev",
        ),
        (
            &["exec", "--profile", "dev", "--", "true"],
            "aws sso login --profile dev",
        ),
        (
            &["export", "--format", "sts", "--profile", "dev"],
            "aws sso login --profile dev",
        ),
        (
            &["whoami", "--profile", "signin"],
            "aws login --profile signin",
        ),
    ];
    for (args, renew) in cases {
        let out = run(home, &aws, &vars, args).await;
        assert_eq!(out.code, 1, "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
        assert!(
            out.stderr.contains(&format!("`{renew}`")),
            "{args:?}: {}",
            out.stderr
        );
        assert!(out.stderr.contains("--login"), "{args:?}: {}", out.stderr);

        let mut json_args = args.to_vec();
        json_args.insert(0, "--json");
        let out = run(home, &aws, &vars, &json_args).await;
        assert_eq!(out.code, 1, "{args:?}: {out:?}");
        let sign_in = &out.json()["error"]["sign_in"];
        assert_eq!(sign_in["command"], renew, "{args:?}: {}", out.stdout);
    }
    let doctor = run(home, &aws, &vars, &["doctor", "--profile", "app"]).await;
    assert!(
        doctor.stdout.contains("aws sso login --profile dev")
            || doctor.stderr.contains("aws sso login --profile dev"),
        "{doctor:?}"
    );
    // Nothing ran the sign-in: only --login does.
    assert_eq!(aws_runs(home), Vec::<String>::new());
}

#[tokio::test]
async fn a_missing_sso_cache_says_sign_in_as_well() {
    let (home, aws) = signed_out().await;
    std::fs::remove_file(sso_cache(home.path(), "corp")).unwrap();
    let out = run(
        home.path(),
        &aws,
        &[],
        &["--json", "whoami", "--profile", "app"],
    )
    .await;
    assert_eq!(out.code, 1, "{out:?}");
    let error = &out.json()["error"];
    assert_eq!(
        error["sign_in"]["command"], "aws sso login --profile dev",
        "{error}"
    );
    assert_eq!(error["sign_in"]["kind"], "sso", "{error}");
    assert_eq!(error["sign_in"]["profile"], "dev", "{error}");
}

/// The command with stdin and stderr on a pseudo-terminal (what a person at a terminal has),
/// stdout piped: its output, and what reached the terminal.
async fn at_terminal(
    home: &Path,
    aws: &LocalAws,
    vars: &[(&str, &str)],
    args: &[&str],
) -> (Output, String) {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(rustix::fs::OFlags::NOCTTY.bits() as i32)
        .open(name.to_str().unwrap())
        .unwrap();
    let mut master = std::fs::File::from(master);
    let screen = std::thread::spawn(move || {
        let mut seen = Vec::new();
        // EIO once every end of the terminal is closed.
        let _ = master.read_to_end(&mut seen);
        String::from_utf8_lossy(&seen).into_owned()
    });
    let mut command = command(home, aws, args);
    command.envs(vars.iter().copied());
    command
        .stdin(Stdio::from(terminal.try_clone().unwrap()))
        .stderr(Stdio::from(terminal.try_clone().unwrap()))
        .stdout(Stdio::piped());
    // Spawned here: tokio's `output()` would pipe stderr.
    let child = command.spawn().unwrap();
    // Every end of the terminal but the child's closed, so that its reader ends with it.
    drop((command, terminal));
    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("the command finished")
        .unwrap();
    let out = Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::new(),
    };
    let seen = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::task::spawn_blocking(move || screen.join().unwrap()),
    )
    .await
    .expect("the terminal closed")
    .unwrap();
    (out, seen)
}

#[tokio::test]
async fn login_runs_the_sign_in_at_a_terminal_and_tries_once_more() {
    let (home, aws) = signed_out().await;
    let home = home.path();
    let path = path(home);
    let vars = [("PATH", path.as_str())];
    let (out, seen) = at_terminal(
        home,
        &aws,
        &vars,
        &["--login", "whoami", "--profile", "app", "--json"],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}\n{seen}");
    assert_eq!(
        out.json()["arn"]
            .as_str()
            .map(|arn| arn.contains("BedrockAccess")),
        Some(true),
        "{}",
        out.stdout
    );
    // The sign-in's own output went to the terminal, never to stdout.
    assert!(!out.stdout.contains("AWS-CLI-STDOUT"), "{}", out.stdout);
    assert!(seen.contains("AWS-CLI-STDOUT"), "{seen}");
    assert!(seen.contains("aws sso login --profile dev"), "{seen}");
    assert_eq!(aws_runs(home), ["sso login --profile dev"]);

    // Signed in, --login has nothing to do.
    let (out, _) = at_terminal(
        home,
        &aws,
        &vars,
        &["--login", "whoami", "--profile", "dev"],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(aws_runs(home).len(), 1);
}

#[tokio::test]
async fn login_tries_once_and_reports_a_failed_sign_in_and_needs_a_terminal() {
    let (home, aws) = signed_out().await;
    let home = home.path();
    let path = path(home);
    // The sign-in fails: no second try, and its failure said.
    let vars = [("PATH", path.as_str()), ("FAKE_AWS_EXIT", "3")];
    let cache = sso_cache(home, "corp");
    let (out, seen) =
        at_terminal(home, &aws, &vars, &["--login", "token", "--profile", "dev"]).await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(seen.contains("exited with status 3"), "{seen}");
    assert_eq!(aws_runs(home).len(), 1);
    // The fake cached a fresh token all the same; put the expired one back.
    std::fs::write(&cache, sso_token(EXPIRED_SSO_TOKEN, "2020-01-01T00:00:00Z")).unwrap();

    // No `aws` on PATH: said, with what to install.
    let vars = [("PATH", "/usr/bin/nonexistent")];
    let (out, seen) = at_terminal(
        home,
        &aws,
        &vars,
        &["--login", "whoami", "--profile", "dev"],
    )
    .await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(seen.contains("AWS CLI"), "{seen}");

    // Not at a terminal: nothing is run, and the error says why and what to run.
    let vars = [("PATH", path.as_str())];
    let out = run(
        home,
        &aws,
        &vars,
        &["--login", "whoami", "--profile", "dev"],
    )
    .await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("only at a terminal"), "{}", out.stderr);
    assert!(
        out.stderr.contains("`aws sso login --profile dev`"),
        "{}",
        out.stderr
    );
    assert_eq!(aws_runs(home).len(), 1);
}
