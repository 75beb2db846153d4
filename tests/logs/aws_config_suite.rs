//! aws-config's own credential test suite, run through bedrock-auth: the 29 default-chain cases
//! in auto mode and the 18 profile-provider cases in profile mode (`tests/data/aws-config/`).
//!
//! Each case gets its environment variables, files and recorded HTTP traffic through a
//! [`Sandbox`], so the process environment is neither read nor changed and nothing is sent
//! anywhere: the traffic is replayed in process and every request is checked against the
//! recording. The result must be the case's credentials (key id, secret, session token,
//! account id, expiry), or an `AuthError` of the expected kind whose message contains the
//! case's expected text. As in aws-config's runner, no log line (TRACE, every crate) may
//! contain the case's secret.
//!
//! The cases that cannot pass here are listed in [`deviation`], each with why and the typed
//! error it must produce instead; the README's table says the same.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_smithy_http_client::test_util::dvr::{NetworkTraffic, ReplayingClient};
use bedrock_auth::testing::Sandbox;
use bedrock_auth::{AuthManager, ErrorKind};
use serde_json::Value;

use super::common;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/aws-config");

/// Which mode a case directory runs in.
#[derive(Clone, Copy, Debug)]
enum Suite {
    /// `default-credential-provider-chain/`: auto mode.
    DefaultChain,
    /// `profile-provider/`: profile mode, the profile aws-config would select.
    ProfileProvider,
}

impl Suite {
    fn dir(self) -> &'static str {
        match self {
            Self::DefaultChain => "default-credential-provider-chain",
            Self::ProfileProvider => "profile-provider",
        }
    }
}

/// What a case expects.
#[derive(Debug)]
enum Expected {
    Credentials {
        access_key_id: String,
        secret_access_key: String,
        session_token: Option<String>,
        account_id: Option<String>,
        expiry: Option<u64>,
    },
    ErrorContains(String),
}

struct Case {
    dir: PathBuf,
    env: HashMap<String, String>,
    expected: Expected,
}

impl Case {
    fn load(suite: Suite, name: &str) -> Self {
        let dir = Path::new(DATA).join(suite.dir()).join(name);
        let read = |file: &str| -> Value {
            let text = std::fs::read_to_string(dir.join(file))
                .unwrap_or_else(|err| panic!("{name}/{file}: {err}"));
            serde_json::from_str(&text).unwrap_or_else(|err| panic!("{name}/{file}: {err}"))
        };
        let env = match read("env.json") {
            Value::Object(vars) => vars
                .into_iter()
                .map(|(k, v)| (k, v.as_str().expect("string variables").to_owned()))
                .collect(),
            other => panic!("{name}/env.json: not an object: {other}"),
        };
        let result = read("test-case.json")["result"].clone();
        let expected = if let Some(ok) = result.get("Ok") {
            let text = |key: &str| ok.get(key).and_then(Value::as_str).map(str::to_owned);
            Expected::Credentials {
                access_key_id: text("access_key_id").expect("access_key_id"),
                secret_access_key: text("secret_access_key").expect("secret_access_key"),
                session_token: text("session_token"),
                account_id: text("account_id"),
                expiry: ok.get("expiry").and_then(Value::as_u64),
            }
        } else {
            let text = result["ErrorContains"]
                .as_str()
                .expect("Ok or ErrorContains");
            Expected::ErrorContains(text.to_owned())
        };
        Self { dir, env, expected }
    }

    fn replay(&self) -> ReplayingClient {
        let mut traffic =
            NetworkTraffic::from_file(self.dir.join("http-traffic.json")).expect("traffic");
        traffic.correct_content_lengths();
        ReplayingClient::new(traffic.events().clone())
    }

    fn secret(&self) -> Option<&str> {
        match &self.expected {
            // aws-config's runner makes the same exception for this marker: the case's secret
            // is a common word ("bar").
            _ if self.env.contains_key("EXPOSE_SECRETS_FOR_TESTS") => None,
            Expected::Credentials {
                secret_access_key, ..
            } => Some(secret_access_key),
            Expected::ErrorContains(_) => None,
        }
    }
}

/// A case that cannot pass here, and what bedrock-auth does instead.
enum Deviation {
    /// Fails with this typed error.
    Fails {
        kind: ErrorKind,
        message_contains: &'static str,
    },
    /// Resolves the expected credentials, but the STS call does not go to the endpoint the
    /// case's environment overrides it with.
    IgnoresEndpointOverride,
}

/// The SSO cases need aws-config's `sso` feature, which this project leaves to its own `sso`
/// feature (off by default in the library: two more SDK crates; on in the tests, through
/// `cli`); without it, a clear `invalid_config` naming this crate's feature.
const NEEDS_SSO: Deviation = Deviation::Fails {
    kind: ErrorKind::InvalidConfig,
    message_contains: "without its `sso` feature",
};

fn deviation(suite: Suite, name: &str) -> Option<Deviation> {
    match (suite, name) {
        (
            _,
            "e2e_fips_and_dual_stack_sso"
            | "sso_assume_role"
            | "sso_no_token_file"
            | "sso_server_error"
            | "sso_credentials"
            | "sso_override_global_env_url"
            | "sso_token"
            | "invalid_sso_credentials_config",
        ) if cfg!(not(feature = "sso")) => Some(NEEDS_SSO),
        // With the feature: aws-config reads the SSO token cache of a profile provider built
        // outside it from the process's file system (`ProviderConfig::with_fs` is
        // crate-private), not the sandbox's. Auto mode's SSO cases read the sandbox.
        (Suite::ProfileProvider, "sso_credentials" | "sso_override_global_env_url") => {
            Some(Deviation::Fails {
                kind: ErrorKind::NoCredentials,
                message_contains: "failed to load the cached SSO token",
            })
        }
        // Profile mode checks first that the named profile exists, and says so with the list
        // of profiles that do; aws-config's provider reports "not enabled" instead.
        (Suite::ProfileProvider, "empty_config") => Some(Deviation::Fails {
            kind: ErrorKind::ProfileNotFound,
            message_contains: "profile `default` not found",
        }),
        // aws-config gives a profile provider built outside it no way to take another
        // environment (`ProviderConfig::with_env` is crate-private), so the STS client of the
        // profile's role chain reads endpoint overrides from the process, not the sandbox:
        // the call goes to the regional STS endpoint. (Outside a sandbox the variables work.)
        (
            Suite::ProfileProvider,
            "assume_role_override_global_env_url" | "assume_role_override_service_env_url",
        ) => Some(Deviation::IgnoresEndpointOverride),
        _ => None,
    }
}

/// The kind of `AuthError` expected for the cases that expect an error.
fn expected_kind(name: &str) -> ErrorKind {
    match name {
        "invalid_config" | "web_identity_source_profile_no_env" => ErrorKind::InvalidConfig,
        "web_identity_token_invalid_jwt" => ErrorKind::InvalidCredentials,
        _ => ErrorKind::NoCredentials,
    }
}

async fn check(suite: Suite, name: &str, now: Option<SystemTime>) {
    let case = Case::load(suite, name);
    let deviation = deviation(suite, name);
    let replay = case.replay();
    let logs = common::Captured::default();
    let mut region_given = false;
    let result = loop {
        let mut sandbox = Sandbox::rooted_at(case.dir.join("fs"))
            .envs(case.env.clone())
            .http_client(replay.clone());
        if let Some(now) = now {
            sandbox = sandbox.at(now);
        }
        let mut builder = AuthManager::builder().sandbox(sandbox);
        if region_given {
            builder = builder.region("us-east-1");
        }
        let manager = match suite {
            Suite::DefaultChain => builder.auto().build(),
            Suite::ProfileProvider => {
                let profile = case
                    .env
                    .get("AWS_PROFILE")
                    .map_or("default", String::as_str);
                builder.profile(profile).build()
            }
        }
        .expect("the case's configuration builds");
        let result = {
            let _guard = logs.install();
            tokio::time::timeout(Duration::from_secs(30), manager.credentials())
                .await
                .unwrap_or_else(|_| panic!("{name}: no answer in 30 s"))
        };
        match result {
            // A case without a region: set one, as the error's hint says a user should.
            Err(err) if err.kind() == ErrorKind::NoRegion && !region_given => region_given = true,
            result => break result,
        }
    };

    if let Some(Deviation::Fails {
        kind,
        message_contains,
    }) = deviation
    {
        let err = result.expect_err("a listed deviation fails; if it passes now, unlist it");
        assert_eq!(err.kind(), kind, "{name}: {err}");
        assert!(
            err.message().contains(message_contains),
            "{name}: `{}` lacks `{message_contains}`",
            err.message(),
        );
        assert!(!err.hint().is_empty());
        return;
    }

    match (&case.expected, &result) {
        (
            Expected::Credentials {
                access_key_id,
                secret_access_key,
                session_token,
                account_id,
                expiry,
            },
            Ok(got),
        ) => {
            assert_eq!(got.access_key_id(), access_key_id, "{name}");
            assert_eq!(got.secret_access_key(), secret_access_key, "{name}");
            assert_eq!(got.session_token(), session_token.as_deref(), "{name}");
            assert_eq!(
                got.account_id().map(|id| id.as_str()),
                account_id.as_deref(),
                "{name}"
            );
            let got_expiry = got
                .expiry()
                .map(|t| t.duration_since(UNIX_EPOCH).expect("after 1970").as_secs());
            assert_eq!(got_expiry, *expiry, "{name}");
        }
        (Expected::ErrorContains(text), Err(err)) => {
            assert!(
                err.message().contains(text.as_str()),
                "{name}: `{err}` lacks `{text}`"
            );
            assert_eq!(err.kind(), expected_kind(name), "{name}: {err}");
            assert!(!err.hint().is_empty());
        }
        (expected, Ok(_)) => panic!("{name}: expected {expected:?}, got credentials"),
        (expected, Err(err)) => panic!("{name}: expected {expected:?}, got {err}"),
    }

    // Every request as recorded (method, URI, and the headers aws-config's runner checks).
    // The replay answers in order whatever the request, and `validate` panics on a difference.
    let validation = tokio::spawn(async move {
        replay
            .validate(&["CONTENT-TYPE", "x-aws-ec2-metadata-token"], |_, _| Ok(()))
            .await
            .map_err(|err| err.to_string())
    })
    .await;
    match (validation, deviation) {
        (Ok(Ok(())), None) => {}
        (Ok(Err(err)), None) => panic!("{name}: traffic differs from the recording: {err}"),
        (Err(panic), None) => panic!("{name}: traffic differs from the recording: {panic}"),
        (Err(panic), Some(Deviation::IgnoresEndpointOverride)) => assert!(panic.is_panic()),
        (Ok(_), Some(Deviation::IgnoresEndpointOverride)) => {
            panic!("{name}: the endpoint override reached STS now; unlist the deviation")
        }
        (_, Some(Deviation::Fails { .. })) => unreachable!("returned above"),
    }

    let text = logs.text();
    if let Some(secret) = case.secret() {
        assert!(
            text.contains("TRACE"),
            "{name}: the TRACE capture saw nothing"
        );
        let leaks: Vec<&str> = text.lines().filter(|line| line.contains(secret)).collect();
        assert!(
            leaks.is_empty(),
            "{name}: the secret is in the logs:\n{}",
            leaks.join("\n")
        );
    }
}

macro_rules! cases {
    ($suite:expr => $($name:ident $(at $now:expr)?),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                #[allow(unused_mut, unused_assignments)]
                let mut now = None;
                // aws-config's runner sets the same clock for these cases: their instance
                // metadata credentials expired in 2021.
                $( now = Some($now); )?
                check($suite, stringify!($name), now).await;
            }
        )*
    };
}

mod default_chain {
    use super::*;

    cases!(Suite::DefaultChain =>
        e2e_fips_and_dual_stack_sso,
        ecs_assume_role,
        ecs_credentials,
        ecs_credentials_invalid_profile,
        eks_pod_identity_credentials,
        eks_pod_identity_no_token_file,
        environment_variables,
        environment_variables_blank,
        imds_assume_role,
        imds_config_with_no_creds at UNIX_EPOCH,
        imds_default_chain_error,
        imds_default_chain_retries at UNIX_EPOCH,
        imds_default_chain_success at UNIX_EPOCH,
        imds_disabled,
        imds_no_iam_role,
        imds_token_fail,
        prefer_environment,
        profile_name,
        profile_overrides_web_identity,
        profile_static_keys,
        profile_static_keys_case_insensitive,
        sso_assume_role,
        sso_no_token_file,
        sso_server_error,
        web_identity_source_profile_no_env,
        web_identity_token_env,
        web_identity_token_invalid_jwt,
        web_identity_token_profile,
        web_identity_token_source_profile,
    );
}

mod profile_provider {
    use super::*;

    cases!(Suite::ProfileProvider =>
        assume_role_override_global_env_url,
        assume_role_override_global_profile_url,
        assume_role_override_service_env_url,
        assume_role_override_service_profile_url,
        credential_process,
        credential_process_account_id_fallback,
        credential_process_failure,
        credential_process_invalid,
        e2e_assume_role,
        e2e_fips_and_dual_stack_sts,
        empty_config,
        invalid_config,
        invalid_sso_credentials_config,
        region_override,
        retry_on_error,
        sso_credentials,
        sso_override_global_env_url,
        sso_token,
    );
}
