//! The `bedrock-auth` command end to end: spawned as a process, in an empty environment of its
//! own, against the embedded local AWS. Each subcommand's text and JSON, exit codes, error
//! kinds, and no secret on stdout or stderr even at RUST_LOG=trace. This module holds the
//! setup every file below shares.

mod ca_bundle;
mod cache;
mod config_flags;
mod credential_process;
mod doctor;
mod echoes;
mod exec;
mod help;
mod hosts;
mod logs;
mod mode_flags;
mod openai;
mod outside_text;
mod ping;
mod routes;
mod secret_shaped;
mod settings;
mod sign_in;
mod token;
mod token_files;
mod whoami;

use std::path::Path;
use std::time::Duration;

use bedrock_auth::testing::{LocalAws, TestUser};
use bedrock_auth::{ExposeSecret, RoleArn};
use serde_json::Value;

pub(crate) const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/BedrockAccess";
pub(crate) const ROLE: RoleArn = RoleArn::from_static(ROLE_ARN);
pub(crate) const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

#[derive(Debug)]
pub(crate) struct Output {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Output {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

/// Runs the command with only the variables given (plus an empty HOME, no metadata, the local
/// endpoint and region us-east-1); a variable given as `""` is removed instead.
pub(crate) async fn run(
    home: &Path,
    aws: &LocalAws,
    vars: &[(&str, &str)],
    args: &[&str],
) -> Output {
    let mut command = command(home, aws, args);
    for (name, value) in vars {
        if value.is_empty() {
            command.env_remove(name);
        } else {
            command.env(name, value);
        }
    }
    finish(command).await
}

/// As [`run`], with variables whose values need not be UTF-8.
pub(crate) async fn run_os(
    home: &Path,
    aws: &LocalAws,
    vars: &[(&str, &std::ffi::OsStr)],
    args: &[&str],
) -> Output {
    let mut command = command(home, aws, args);
    command.envs(vars.iter().copied());
    finish(command).await
}

pub(crate) fn command(home: &Path, aws: &LocalAws, args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_bedrock-auth"));
    command
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", aws.endpoint_url())
        .env("AWS_REGION", "us-east-1");
    command
}

pub(crate) async fn finish(mut command: tokio::process::Command) -> Output {
    let output = tokio::time::timeout(Duration::from_secs(30), command.output())
        .await
        .expect("the command finished")
        .expect("the command ran");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A short-term API key of `user` for `region` that expired ten minutes ago.
pub(crate) fn expired_key(user: &TestUser, region: &str) -> bedrock_auth::api_key::ShortTermKey {
    let at = std::time::SystemTime::now() - Duration::from_secs(600);
    super::common::signed_key(user, region, at, Duration::from_secs(60))
}

pub(crate) fn keys(user: &TestUser) -> [(&'static str, String); 2] {
    [
        ("AWS_ACCESS_KEY_ID", user.access_key_id.to_string()),
        (
            "AWS_SECRET_ACCESS_KEY",
            user.secret_access_key.expose_secret().to_owned(),
        ),
    ]
}

/// A `base` profile holding `user`'s keys.
pub(crate) fn write_base_profile(home: &Path, user: &TestUser) {
    let text = format!(
        "[base]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        user.access_key_id,
        user.secret_access_key.expose_secret()
    );
    std::fs::write(home.join("credentials"), text).unwrap();
}

pub(crate) async fn setup() -> (tempfile::TempDir, LocalAws, TestUser) {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("config"), "").unwrap();
    std::fs::write(home.path().join("credentials"), "").unwrap();
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    (home, aws, alice)
}
