//! What the command writes when it cannot write, and what outside text looks like once it is
//! written: stdout on a full disk (`/dev/full`) or a reader that hung up (a pipe whose read end
//! is closed) is exit 1 with a line on stderr, never a panic nor a success, for every
//! subcommand, `--help`, `--version`, `man` and `completions`; a `credential_process`'s stderr,
//! model ids, durations and paths reach stdout, stderr and log lines escaped, in text and
//! JSON, whatever `RUST_LOG` says; `RUST_LOG=off` is off.

use std::process::Stdio;
use std::time::Duration;

use bedrock_auth::printable::is_unprintable;

use super::*;

/// Where the command's stdout goes in a run that cannot write it.
#[derive(Clone, Copy, Debug)]
enum Sink {
    /// `/dev/full`: every write fails with ENOSPC.
    Full,
    /// A pipe whose read end was closed before the command started: EPIPE.
    HungUp,
}

impl Sink {
    fn stdio(self) -> Stdio {
        match self {
            Self::Full => std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .expect("/dev/full")
                .into(),
            Self::HungUp => {
                let (reader, writer) = std::io::pipe().expect("a pipe");
                drop(reader);
                writer.into()
            }
        }
    }
}

/// Runs `command`, its stdout as it was set (`output()` would capture it), its stderr read.
async fn unread(mut command: tokio::process::Command) -> Output {
    let child = command.spawn().expect("the command ran");
    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("the command finished")
        .expect("its stderr");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every run of the command that writes to stdout when it succeeds: each subcommand (text and
/// `--json`), the outputs that are not reports, and a usage error with `--json`; with the
/// exit code each has when stdout takes what it writes.
fn writing_runs(config: &str) -> Vec<(Vec<&str>, i32)> {
    let mut runs: Vec<(Vec<&str>, i32)> = vec![
        (vec!["--help"], 0),
        (vec!["--version"], 0),
        (vec!["whoami", "--help"], 0),
        (vec!["man"], 0),
        (vec!["completions", "bash"], 0),
        (vec!["completions", "zsh"], 0),
        (vec!["credential-process", "--env"], 0),
        (vec!["whoami", "--no-such-flag", "--json"], 2),
    ];
    let reports: [&[&str]; 6] = [
        &["whoami", "--env"],
        &["doctor", "--env"],
        &["ping", "--env", "--model", MODEL],
        &["ping", "--env", "--model", MODEL, "--stream"],
        &["token", "--env", "--ttl", "15m"],
        &["check", "--config", config],
    ];
    for report in reports {
        runs.push((report.to_vec(), 0));
        runs.push(([report, &["--json"]].concat(), 0));
    }
    runs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdout_that_cannot_be_written_is_exit_1_with_a_message_never_a_panic() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let config = home.path().join("static.toml");
    std::fs::write(
        &config,
        format!(
            "mode = \"static\"\naccess_key_id = \"{}\"\nsecret_access_key = {{ env = \"{k2}\" }}\n",
            alice.access_key_id
        ),
    )
    .unwrap();
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    let mut wrong = Vec::new();
    for (args, code) in writing_runs(config.to_str().unwrap()) {
        // Where stdout takes it all, the run succeeds and prints: what fails below is the
        // writing.
        let fine = run(home.path(), &aws, &vars, &args).await;
        assert_eq!(fine.code, code, "{args:?}: {}", fine.stderr);
        assert!(!fine.stdout.is_empty(), "{args:?} printed nothing");
        for sink in [Sink::Full, Sink::HungUp] {
            let mut command = command(home.path(), &aws, &args);
            command
                .envs(vars)
                .stdout(sink.stdio())
                .stderr(Stdio::piped());
            let out = unread(command).await;
            let said = out.stderr.contains("cannot write");
            if out.code != 1 || out.stderr.contains("panicked") || !said {
                wrong.push(format!(
                    "{args:?} {sink:?}: exit {}: {}",
                    out.code, out.stderr
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The characters a credential process's stderr carries into the SDK's warning, and a bearer
/// key it quotes.
const RAW: [&str; 5] = ["\x1b[31m", "\u{2028}", "\u{202e}", "\u{7}", "\r"];
const FAKE_SECRET: &str = "FakeProcessBearerSecret00000000000000";

/// None of [`RAW`] (nor any other unprintable character but the line breaks), nor the fake
/// secret, in `text`.
fn raw_in(text: &str) -> Option<String> {
    if let Some(c) = text.chars().find(|&c| is_unprintable(c) && c != '\n') {
        return Some(format!("{c:?}"));
    }
    RAW.iter()
        .chain([&FAKE_SECRET])
        .find(|raw| text.contains(**raw))
        .map(|raw| format!("{raw:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_process_s_stderr_is_escaped_in_errors_and_logs_at_any_level() {
    let (home, aws, _) = setup().await;
    let script = home.path().join("proc.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf 'denied \\033[31mred\\342\\200\\250forged line\\342\\200\\256\
             reversed\\a\\r Authorization: Bearer {FAKE_SECRET}\\n' >&2\nexit 3\n"
        ),
    )
    .unwrap();
    std::fs::write(
        home.path().join("config"),
        format!(
            "[profile proc]\nregion = us-east-1\ncredential_process = sh {}\n",
            script.display()
        ),
    )
    .unwrap();
    for log in [
        None,
        Some("trace"),
        Some("debug"),
        Some("warn"),
        Some("error"),
    ] {
        for json in [false, true] {
            let mut args = vec!["whoami", "--profile", "proc"];
            if json {
                args.push("--json");
            }
            let vars = log.map(|level| ("RUST_LOG", level));
            let out = run(home.path(), &aws, vars.as_slice(), &args).await;
            let what = format!("RUST_LOG={log:?} {args:?}");
            assert_eq!(out.code, 1, "{what}: {}", out.stderr);
            // The process's stderr is in the error, escaped: it says what went wrong.
            let error = if json {
                out.json()["error"]["message"].as_str().unwrap().to_owned()
            } else {
                out.stderr.clone()
            };
            assert!(
                error.contains("\\u{1b}[31mred\\u{2028}forged line\\u{202e}reversed"),
                "{what}: {error}"
            );
            for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                if let Some(raw) = raw_in(text) {
                    panic!("{what}: {raw} in {stream}:\n{text}");
                }
            }
            if matches!(log, Some("trace" | "warn")) {
                // The SDK's warning quotes it too, escaped.
                let warning = out
                    .stderr
                    .lines()
                    .find(|line| line.contains(" WARN ") && line.contains("forged line"));
                assert!(warning.is_some(), "{what}: no warning:\n{}", out.stderr);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_log_off_or_empty_logs_nothing_and_an_unknown_value_says_so() {
    let (home, aws, _) = setup().await;
    std::fs::write(
        home.path().join("config"),
        "[profile proc]\nregion = us-east-1\ncredential_process = sh -c 'echo no >&2; exit 3'\n",
    )
    .unwrap();
    let args = ["whoami", "--profile", "proc"];
    for quiet in ["off", "OFF", " off ", "none", ""] {
        let out = run_os(
            home.path(),
            &aws,
            &[("RUST_LOG", std::ffi::OsStr::new(quiet))],
            &args,
        )
        .await;
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert!(
            out.stderr.starts_with("error [") && !out.stderr.contains(" WARN "),
            "RUST_LOG={quiet:?}:\n{}",
            out.stderr
        );
    }
    let warn = run(home.path(), &aws, &[("RUST_LOG", "warn")], &args).await;
    assert!(warn.stderr.contains(" WARN "), "{}", warn.stderr);
    let unknown = run(
        home.path(),
        &aws,
        &[("RUST_LOG", "bedrock_auth=debug\u{1b}[2J")],
        &args,
    )
    .await;
    let first = unknown.stderr.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        "note: RUST_LOG=bedrock_auth=debug\\u{1b}[2J is not one of off, error, warn, info, \
         debug, trace: logging warnings",
        "{}",
        unknown.stderr
    );
    assert!(unknown.stderr.contains(" WARN "), "{}", unknown.stderr);
    assert!(!unknown.stderr.contains(" DEBUG "), "{}", unknown.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_from_the_command_line_are_echoed_escaped() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    let odd = "x\u{1b}[31m\u{2028}\u{2029}\u{202e}\u{61c}\u{7f}\u{85}y";
    let escaped = "x\\u{1b}[31m\\u{2028}\\u{2029}\\u{202e}\\u{61c}\\u{7f}\\u{85}y";
    // With a line break, where the command quotes the value itself.
    let (odd_line, escaped_line) = (format!("{odd}\ny"), format!("{escaped}\\ny"));
    let path = format!("/tmp/no-such-{odd_line}token");
    let runs: [(Vec<&str>, i32, &str); 4] = [
        // A duration is named by its flag, and not quoted back at all.
        (
            vec!["whoami", "--env", "--bedrock-timeout", odd],
            2,
            "--bedrock-timeout takes a duration",
        ),
        (
            vec!["token", "--env", "--ttl", &odd_line],
            2,
            "--ttl takes a duration",
        ),
        (
            vec![
                "whoami",
                "--role-arn",
                ROLE_ARN,
                "--web-identity-token-file",
                &path,
            ],
            1,
            &escaped_line,
        ),
        // The local Bedrock takes any model id.
        (
            vec!["ping", "--env", "--model", &odd_line],
            0,
            &escaped_line,
        ),
    ];
    for (args, code, named) in runs {
        for json in [false, true] {
            let args = if json {
                [&args[..], &["--json"]].concat()
            } else {
                args.clone()
            };
            let out = run(home.path(), &aws, &vars, &args).await;
            assert_eq!(out.code, code, "{args:?}: {}", out.stderr);
            for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                if let Some(raw) = raw_in(text) {
                    panic!("{args:?}: {raw} in {stream}:\n{text}");
                }
            }
            // The value is named, escaped (or, in JSON, as JSON escapes it).
            if json && args[0] != "ping" {
                let message = out.json()["error"]["message"].as_str().unwrap().to_owned();
                assert!(
                    message.contains(named) || message.contains(odd),
                    "{args:?}: {message}"
                );
            } else {
                assert!(out.stderr.contains(named), "{args:?}: {}", out.stderr);
            }
        }
    }
    // JSON escapes what serde_json writes raw, and a reader gets the text back.
    let out = run(
        home.path(),
        &aws,
        &vars,
        &["ping", "--env", "--json", "--model", odd],
    )
    .await;
    assert!(
        out.stdout
            .contains(r"\u001b[31m\u2028\u2029\u202e\u061c\u007f\u0085y"),
        "{}",
        out.stdout
    );
    assert_eq!(out.json()["model"], odd, "{}", out.stdout);
    assert!(
        out.stderr
            .contains(&format!("pinging {escaped} in us-east-1")),
        "{}",
        out.stderr
    );
}

/// A path that is not UTF-8, where the command takes a path: a usage or configuration error,
/// never a panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_that_is_not_utf8_is_an_error_not_a_panic() {
    use std::os::unix::ffi::OsStrExt;
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let odd = std::ffi::OsStr::from_bytes(b"/tmp/not-utf8-\xff.toml");
    let runs: [&[&str]; 6] = [
        &["check", "--config"],
        &["whoami", "--config"],
        &["doctor", "--config"],
        &["token", "--config"],
        &["credential-process", "--config"],
        &[
            "whoami",
            "--role-arn",
            ROLE_ARN,
            "--web-identity-token-file",
        ],
    ];
    for args in runs {
        let mut command = command(home.path(), &aws, args);
        command.arg(odd).env(k1, &v1).env(k2, &v2);
        let out = finish(command).await;
        assert!(
            matches!(out.code, 1 | 2) && !out.stderr.contains("panicked"),
            "{args:?}: exit {}: {}",
            out.code,
            out.stderr
        );
        assert!(out.stderr.contains("error"), "{args:?}: {}", out.stderr);
    }
}

/// `credential-process --cache` keys its cache on the arguments as bytes: one that is not
/// UTF-8 (`std::env::args()` panicked on it) is refused or used, never a panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_process_cache_with_a_path_that_is_not_utf8_does_not_panic() {
    use std::os::unix::ffi::OsStrExt;
    let (home, aws, _) = setup().await;
    let mut command = command(
        home.path(),
        &aws,
        &["credential-process", "--cache", "--config"],
    );
    command.arg(std::ffi::OsStr::from_bytes(b"/tmp/not-utf8-\xff.toml"));
    let out = finish(command).await;
    assert!(
        matches!(out.code, 1 | 2),
        "exit {}: {}",
        out.code,
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}
