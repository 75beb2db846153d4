//! Odd input from outside is a typed error, never a panic: non-UTF-8 environment variables and
//! command-line arguments, and absurd timeouts.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::process::Command;
use std::time::Duration;

use bedrock_auth::{AuthConfig, AuthManager, error::Rule};

/// `AuthConfig::from_env()` reads the process environment, so the odd variables are given to
/// a child process (this test binary again), never set in this one.
#[test]
fn non_utf8_variables_are_a_named_problem_not_a_panic() {
    if std::env::var_os("ODD_INPUT_CHILD").is_some() {
        match AuthConfig::from_env() {
            Ok(config) => println!("RESULT ok {config:?}"),
            Err(err) => println!("RESULT err {err}"),
        }
        return;
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            // Its name in the test crate: `odd_input::...`.
            concat!(
                module_path!(),
                "::non_utf8_variables_are_a_named_problem_not_a_panic"
            )
            .trim_start_matches("it::"),
            "--nocapture",
            "--test-threads=1",
        ])
        .env_clear()
        .env("ODD_INPUT_CHILD", "1")
        .env("BEDROCK_AUTH_REGION", OsStr::from_bytes(b"us-\xffeast-1"))
        .env("UNRELATED", OsStr::from_bytes(b"\xfe\xff"))
        .env("BEDROCK_AUTH_MODE", "auto")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the child failed: {stdout}");
    let result = stdout
        .lines()
        .find_map(|line| line.find("RESULT").map(|at| &line[at..]))
        .unwrap_or_else(|| panic!("no result in {stdout}"));
    assert!(result.starts_with("RESULT err"), "{result}");
    assert!(result.contains("BEDROCK_AUTH_REGION"), "{result}");
    assert!(result.contains("UTF-8"), "{result}");
    assert!(!result.contains("UNRELATED"), "{result}");
}

#[test]
fn non_utf8_arguments_are_a_usage_error_not_a_panic() {
    for args in [
        vec![
            OsStr::new("whoami"),
            OsStr::from_bytes(b"--region=\xff"),
            OsStr::new("--json"),
        ],
        vec![
            OsStr::new("whoami"),
            OsStr::new("--profile"),
            OsStr::from_bytes(b"dev\xfe"),
        ],
        vec![OsStr::from_bytes(b"\xff"), OsStr::new("--json")],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_bedrock-auth"))
            .args(&args)
            .env_clear()
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn absurd_timeouts_are_refused_by_build() {
    let err = AuthManager::builder()
        .region("us-east-1")
        .connect_timeout(Duration::MAX)
        .operation_timeout(Duration::from_secs(u64::MAX))
        .auto()
        .build()
        .unwrap_err();
    let rules: Vec<(&str, Rule)> = err
        .problems()
        .iter()
        .map(|p| (p.field(), p.error().rule()))
        .collect();
    assert_eq!(
        rules,
        [
            ("connect_timeout", Rule::TimeoutTooLong { max_secs: 600 }),
            (
                "operation_timeout",
                Rule::TimeoutTooLong { max_secs: 86_400 }
            ),
        ]
    );
    assert!(err.to_string().contains("at most 600 s"), "{err}");

    let config = AuthConfig::from_toml(&format!(
        "mode = \"auto\"\nconnect_timeout_ms = {}\noperation_timeout_ms = {}",
        i64::MAX,
        i64::MAX
    ))
    .unwrap();
    let err = AuthManager::from_config(&config).unwrap_err();
    assert_eq!(err.problems().len(), 2, "{err}");
    assert_eq!(err.problems()[0].field(), "connect_timeout_ms", "{err}");

    // The limits themselves are accepted.
    AuthManager::builder()
        .connect_timeout(bedrock_auth::limits::MAX_CONNECT_TIMEOUT)
        .operation_timeout(bedrock_auth::limits::MAX_OPERATION_TIMEOUT)
        .auto()
        .build()
        .unwrap();
}
