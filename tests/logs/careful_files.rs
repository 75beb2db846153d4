//! Secret, config and shared files are read with care: only regular files (a FIFO blocked a
//! manager forever; `/dev/zero` would never end), at most 64 KiB for secrets and configs, with
//! a warning (a `tracing` event and a `doctor` line) when group or others may read a secret.
//!
//! In a file of its own: it captures `tracing` events.

use super::common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use bedrock_auth::testing::{LocalAws, Sandbox};
use bedrock_auth::{AuthConfig, AuthManager, ErrorKind, ExposeSecret, error::Rule};
use common::Captured;

/// A named pipe at `path`, made by `mkfifo` (no unsafe code for `mkfifo(3)`).
fn fifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Fails the test if `call` blocks: reading a FIFO with no writer never ends.
fn unblocked<T: Send + 'static>(what: &str, call: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(call());
    });
    rx.recv_timeout(Duration::from_secs(10))
        .unwrap_or_else(|_| panic!("{what} blocked"))
}

fn secret_file_config(path: &Path) -> AuthConfig {
    AuthConfig::from_toml(&format!(
        "mode = \"static\"\nregion = \"us-east-1\"\naccess_key_id = \"AKIAIOSFODNN7EXAMPLE\"\n\
         secret_access_key = {{ file = \"{}\" }}",
        path.display()
    ))
    .unwrap()
}

/// The problem of a config whose one problem is its secret file.
fn problem(config: AuthConfig) -> (String, Rule) {
    let err = AuthManager::from_config(&config).unwrap_err();
    let problem = &err.problems()[0];
    assert_eq!(err.problems().len(), 1, "{err}");
    (problem.to_string(), problem.error().rule())
}

#[test]
fn a_secret_file_must_be_a_small_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let pipe = dir.path().join("secret.fifo");
    fifo(&pipe);
    let big = dir.path().join("big");
    std::fs::write(&big, vec![b'x'; 100 * 1024]).unwrap();

    let cases = [
        (
            pipe.clone(),
            Rule::NotRegularFile {
                is: "a FIFO (named pipe)",
            },
        ),
        ("/dev/zero".into(), Rule::NotRegularFile { is: "a device" }),
        (
            dir.path().to_path_buf(),
            Rule::NotRegularFile { is: "a directory" },
        ),
        (
            big,
            Rule::FileTooLarge {
                max_bytes: 64 * 1024,
            },
        ),
    ];
    for (path, rule) in cases {
        let shown = path.display().to_string();
        let (message, found) = unblocked("reading a secret file", move || {
            problem(secret_file_config(&path))
        });
        assert_eq!(found, rule, "{shown}");
        assert!(
            message.contains(&shown) && message.contains("not read"),
            "{message}"
        );
    }

    // A config file is held to the same rules, and named.
    let shown = pipe.display().to_string();
    let err = unblocked("reading a config file", move || {
        AuthConfig::from_file(&pipe)
    })
    .unwrap_err();
    assert_eq!(
        err.problems()[0].error().rule(),
        Rule::NotRegularFile {
            is: "a FIFO (named pipe)"
        }
    );
    assert!(err.to_string().contains(&shown), "{err}");
}

#[tokio::test]
async fn a_shared_file_that_is_a_fifo_is_refused_at_once() {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    let root = tempfile::tempdir().unwrap();
    let aws_dir = root.path().join("home/test/.aws");
    std::fs::create_dir_all(&aws_dir).unwrap();
    std::fs::write(
        aws_dir.join("config"),
        "[profile dev]\nregion = us-east-1\n",
    )
    .unwrap();
    fifo(&aws_dir.join("credentials"));
    let sandbox = Sandbox::rooted_at(root.path())
        .env("HOME", "/home/test")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    // A mode that takes credentials from a profile refuses it; environment mode, which takes
    // none from that file, passes over it (it still reads the config file, for settings such
    // as endpoints).
    let environment = aws
        .builder()
        .environment()
        .sandbox(
            sandbox
                .clone()
                .own_http_client()
                .env("AWS_ACCESS_KEY_ID", alice.access_key_id.as_str())
                .env(
                    "AWS_SECRET_ACCESS_KEY",
                    alice.secret_access_key.expose_secret(),
                ),
        )
        .build()
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), environment.validate())
        .await
        .expect("a FIFO blocked the manager")
        .unwrap();
    aws.clear_requests();
    for manager in [aws
        .builder()
        .profile("dev")
        .sandbox(sandbox.clone())
        .build()
        .unwrap()]
    {
        let err = tokio::time::timeout(Duration::from_secs(10), manager.validate())
            .await
            .expect("a FIFO blocked the manager")
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{err}");
        assert!(
            err.message().contains("/home/test/.aws/credentials") && err.message().contains("FIFO"),
            "{err}"
        );
    }
    assert!(aws.requests().is_empty());
}

#[tokio::test]
async fn secrets_that_group_or_others_may_read_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret");
    std::fs::write(&secret, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    let config = secret_file_config(&secret);

    let logs = Captured::default();
    {
        let _guard = logs.install();
        AuthManager::from_config(&config).unwrap();
    }
    let text = logs.text();
    assert!(
        text.contains("WARN") && text.contains("readable by group or others"),
        "{text}"
    );
    assert!(!text.contains("wJalrXUtnFEMI"), "{text}");

    // doctor's lines: the config's secret file.
    let warnings = config.diagnose().await.warnings;
    let shown = secret.display().to_string();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains(&shown) && w.contains("chmod 600") && w.contains("644")),
        "{warnings:?}"
    );

    // Once it is private, no word.
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(
        !config
            .diagnose()
            .await
            .warnings
            .iter()
            .any(|w| w.contains(&shown)),
        "a private file was warned about"
    );
}

#[tokio::test]
async fn a_shared_credentials_file_others_may_read_is_warned_about_when_loaded() {
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("dev");
    let root = tempfile::tempdir().unwrap();
    let aws_dir = root.path().join("home/test/.aws");
    std::fs::create_dir_all(&aws_dir).unwrap();
    let credentials = aws_dir.join("credentials");
    std::fs::write(
        &credentials,
        format!(
            "[dev]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            user.access_key_id,
            bedrock_auth::ExposeSecret::expose_secret(&user.secret_access_key)
        ),
    )
    .unwrap();
    std::fs::set_permissions(&credentials, std::fs::Permissions::from_mode(0o664)).unwrap();
    let manager = aws
        .builder()
        .profile("dev")
        .sandbox(
            Sandbox::rooted_at(root.path())
                .env("HOME", "/home/test")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .http_client(aws_smithy_http_client::Builder::new().build_http()),
        )
        .build()
        .unwrap();
    let logs = Captured::default();
    let _guard = logs.install();
    assert_eq!(manager.validate().await.unwrap().arn, user.arn);
    let text = logs.text();
    assert!(
        text.contains("the shared credentials file is readable by group or others"),
        "{text}"
    );
}
