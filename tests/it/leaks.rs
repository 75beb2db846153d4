//! What users run leaks nothing: the built `bedrock-auth` command (and the tour) as child
//! processes, in a real temporary `HOME` whose shared files hold the secrets of several
//! profiles, at `RUST_LOG=trace`, for every mode × every subcommand × an answer that succeeds
//! and one that fails, in text and `--json`. Everything printed (stdout and stderr) is searched
//! for every planted secret, as is, hex-, base64- or percent-encoded. The sign-in profiles
//! (an SSO session, a legacy SSO profile whose token expired, a session that refreshes its
//! token, an `aws login` session that refreshes its keys) reach the local server's SSO portal
//! and AWS Sign-In, whose requests carry their tokens.
//!
//! Runs with whatever features the test build has: CI runs it for the default features and
//! for `--all-features` (the `sso` feature switches on aws-config's token chain, whose `Debug`
//! once printed every profile's secret at TRACE).

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use bedrock_auth::ExposeSecret;
use bedrock_auth::testing::{LocalAws, RoleSpec, TestUser};

const ROLE: &str = "arn:aws:iam::123456789012:role/BedrockAccess";
const CHAINED_ROLE: &str = "arn:aws:iam::123456789012:role/ChainedAccess";
const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

/// Secrets of profiles no run here uses, in both shared files.
const OTHER_SECRETS: [&str; 4] = [
    "OtherProfileSecretInCredentials0000000000",
    "OtherProfileSecretInConfig11111111111111",
    "OtherProfileSessionToken2222222222222222",
    "OtherProfileSsoAccessToken333333333333333",
];
/// The external id of the role in the role-mode runs (given as a flag) and of the profile's
/// own role chain (in the config file, for aws-config).
const EXTERNAL_ID: &str = "ext-7f3a9c-planted-external-id";
const PROFILE_EXTERNAL_ID: &str = "ext-profile-chain-planted-99";
/// A role's OIDC token (in the failing world, one STS does not know).
const WEB_IDENTITY_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.planted-web-identity-token.c2lnbmF0dXJl";
const FORGED_WEB_IDENTITY_TOKEN: &str =
    "eyJhbGciOiJSUzI1NiJ9.forged-web-identity-token.c2lnbmF0dXJl";
/// The cached access token of the `sso-user` profile's session (`aws sso login`): the SSO
/// portal exchanges it for the role's keys, in the good world.
const SSO_ACCESS_TOKEN: &str = "aoaAAAAAGPlantedSsoAccessToken5555555555555555";
/// The expired token of a legacy SSO profile (`sso_start_url` in the profile), which
/// aws-config sends all the same; and a session's expired token with what refreshes it.
const SSO_EXPIRED_TOKEN: &str = "aoaAAAAAGPlantedExpiredSsoToken666666666666666";
const SSO_STALE_TOKEN: &str = "aoaAAAAAGPlantedStaleSsoToken7777777777777777";
const SSO_CLIENT_SECRET: &str = "PlantedSsoOidcClientSecret88888888888888888";
const SSO_REFRESH_TOKEN: &str = "PlantedSsoOidcRefreshToken99999999999999999";
/// An `aws login` session: its cached (expired) keys, the refresh token AWS Sign-In takes, its
/// DPoP key (aws-config's own test key) and id token.
const LOGIN_SESSION: &str = "arn:aws:sts::012345678910:assumed-role/Admin/admin";
const LOGIN_OLD_SECRET: &str = "PlantedLoginExpiredSecretKey000000000000";
const LOGIN_OLD_SESSION_TOKEN: &str = "PlantedLoginExpiredSessionToken111111111";
const LOGIN_REFRESH_TOKEN: &str = "PlantedLoginRefreshToken2222222222222222";
const LOGIN_ID_TOKEN: &str =
    "eyJraWQiOiJsb2NhbCJ9.PlantedLoginIdToken333333.c2lnbmF0dXJlcGxhbnRlZA";
const LOGIN_DPOP_KEY: &str = "-----BEGIN EC PRIVATE KEY-----\n\
    MHcCAQEEIPt/u8InPLpQeQLJTvVX+sNDzni8vMDMt3Liu+nMBigfoAoGCCqGSM49\n\
    AwEHoUQDQgAEILkGG7rNOnxiIJlMgimY1UPP8eDMFP0DAY6WGjngP4bvTAiUCQ/I\n\
    ffut2379uP+OBCm2ovGpBOJRgrl1RspUOQ==\n-----END EC PRIVATE KEY-----\n";

/// One world: a local AWS that knows alice, a `HOME` whose files hold her keys (or, in the
/// failing world, keys AWS refuses) beside other profiles' secrets.
struct World {
    home: tempfile::TempDir,
    aws: LocalAws,
    api_key: String,
    secrets: Vec<String>,
    env_keys: [(String, String); 2],
}

async fn world(good: bool) -> World {
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    aws.add_role(
        RoleSpec::new(ROLE.parse().unwrap())
            .trust(alice.arn.clone())
            .external_id(EXTERNAL_ID)
            .trust_web_identity(),
    );
    aws.add_web_identity_token(WEB_IDENTITY_TOKEN, "system:serviceaccount:orders:api");
    aws.add_role(
        RoleSpec::new(CHAINED_ROLE.parse().unwrap())
            .trust(alice.arn.clone())
            .external_id(PROFILE_EXTERNAL_ID),
    );
    let key = aws.add_api_key(&alice);
    // The sign-in pieces answer only in the good world: in the failing one the portal refuses
    // the SSO token and AWS Sign-In the refresh token.
    if good {
        aws.add_sso_access(SSO_ACCESS_TOKEN, "123456789012", "Dev");
        let n = aws.add_user("login-refreshed");
        let session_token = format!("PlantedLoginNewSessionToken{}", n.access_key_id);
        aws.add_session_keys(
            LOGIN_SESSION,
            n.access_key_id.as_str(),
            n.secret_access_key.clone(),
            bedrock_auth::SecretString::from(session_token.clone()),
        );
        aws.add_login_refresh(
            LOGIN_REFRESH_TOKEN,
            bedrock_auth::testing::LoginRefresh {
                access_key_id: n.access_key_id.to_string(),
                secret_access_key: n.secret_access_key.clone(),
                session_token: bedrock_auth::SecretString::from(session_token),
                refresh_token: bedrock_auth::SecretString::from(
                    "PlantedLoginNextRefreshToken44444444444".to_owned(),
                ),
                expires_in: Duration::from_secs(3600),
            },
        );
    }
    // The failing world's secrets are planted as well: AWS refuses them, and they must not be
    // printed either.
    let (secret, api_key) = if good {
        (
            alice.secret_access_key.expose_secret().to_owned(),
            key.expose_secret().to_owned(),
        )
    } else {
        (
            "RefusedSecretKeyPlanted4444444444444444".to_owned(),
            "ABSKQmVkcm9ja0FQSUtleS1yZWZ1c2VkLXBsYW50ZWQ1NTU1NTU1NTU1NQ==".to_owned(),
        )
    };
    let home = tempfile::tempdir().unwrap();
    write_home(home.path(), &alice, &secret);
    let mut secrets: Vec<String> = aws
        .secrets()
        .iter()
        .map(|s| s.expose_secret().to_owned())
        .collect();
    secrets.extend(OTHER_SECRETS.map(str::to_owned));
    secrets.extend([secret.clone(), api_key.clone()]);
    secrets.extend([EXTERNAL_ID, PROFILE_EXTERNAL_ID].map(str::to_owned));
    secrets.extend([WEB_IDENTITY_TOKEN, FORGED_WEB_IDENTITY_TOKEN].map(str::to_owned));
    secrets.extend(
        [
            SSO_ACCESS_TOKEN,
            SSO_EXPIRED_TOKEN,
            SSO_STALE_TOKEN,
            SSO_CLIENT_SECRET,
            SSO_REFRESH_TOKEN,
            LOGIN_OLD_SECRET,
            LOGIN_OLD_SESSION_TOKEN,
            LOGIN_REFRESH_TOKEN,
            LOGIN_ID_TOKEN,
            "PlantedLoginNextRefreshToken44444444444",
        ]
        .map(str::to_owned),
    );
    // The DPoP key's lines, each as long as a secret.
    secrets.extend(
        LOGIN_DPOP_KEY
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .map(str::to_owned),
    );
    let token = if good {
        WEB_IDENTITY_TOKEN
    } else {
        FORGED_WEB_IDENTITY_TOKEN
    };
    std::fs::write(home.path().join("web-identity-token"), token).unwrap();
    World {
        home,
        aws,
        api_key,
        secrets,
        env_keys: [
            (
                "AWS_ACCESS_KEY_ID".to_owned(),
                alice.access_key_id.to_string(),
            ),
            ("AWS_SECRET_ACCESS_KEY".to_owned(), secret),
        ],
    }
}

impl World {
    /// The variables that point aws-config's SSO, SSO-OIDC and Sign-In clients at the local
    /// server.
    fn sign_in_endpoints(&self) -> Vec<(String, String)> {
        [
            "AWS_ENDPOINT_URL_SSO",
            "AWS_ENDPOINT_URL_SSO_OIDC",
            "AWS_ENDPOINT_URL_SIGNIN",
        ]
        .map(|name| (name.to_owned(), self.aws.endpoint_url()))
        .to_vec()
    }
}

fn write_home(home: &Path, alice: &TestUser, secret: &str) {
    let aws_dir = home.join(".aws");
    std::fs::create_dir(&aws_dir).unwrap();
    let credentials = format!(
        "[dev]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n\n\
         [other]\naws_access_key_id = AKIAOTHERPROFILE0000\naws_secret_access_key = {}\n\
         aws_session_token = {}\n",
        OTHER_SECRETS[0],
        OTHER_SECRETS[2],
        id = alice.access_key_id,
    );
    let config = format!(
        "[default]\nregion = us-east-1\n\n[profile dev]\nregion = us-east-1\n\n\
         [profile chained]\nregion = us-east-1\nrole_arn = {CHAINED_ROLE}\n\
         source_profile = dev\nexternal_id = {PROFILE_EXTERNAL_ID}\n\n\
         [profile elsewhere]\naws_access_key_id = AKIAELSEWHERE0000000\n\
         aws_secret_access_key = {}\n\n\
         [profile sso-user]\nsso_session = corp\nsso_account_id = 123456789012\n\
         sso_role_name = Dev\nregion = us-east-1\n\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n\
         sso_region = us-east-1\n\n\
         [profile sso-legacy]\nsso_start_url = https://legacy.awsapps.com/start\n\
         sso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Dev\n\
         region = us-east-1\n\n\
         [profile sso-stale]\nsso_session = stale\nsso_account_id = 123456789012\n\
         sso_role_name = Dev\nregion = us-east-1\n\n\
         [sso-session stale]\nsso_start_url = https://stale.awsapps.com/start\n\
         sso_region = us-east-1\n\n\
         [profile signin]\nlogin_session = {LOGIN_SESSION}\nregion = us-east-1\n",
        OTHER_SECRETS[1],
    );
    std::fs::write(aws_dir.join("credentials"), credentials).unwrap();
    std::fs::write(aws_dir.join("config"), config).unwrap();
    // A cached SSO token for the session: read by the token chain that `sso` builds.
    let cache = aws_dir.join("sso").join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(
        cache.join("corp.json"),
        format!(
            r#"{{"accessToken":"{}","expiresAt":"2099-01-01T00:00:00Z","region":"us-east-1","startUrl":"https://corp.awsapps.com/start"}}"#,
            OTHER_SECRETS[3]
        ),
    )
    .unwrap();
    // The caches aws-config reads: a session's token under the SHA-1 of its name, a legacy
    // profile's under that of its start URL.
    let sha1 = |text: &str| hex::encode(<sha1::Sha1 as sha1::Digest>::digest(text.as_bytes()));
    let cached = |name: &str, json: serde_json::Value| {
        std::fs::write(cache.join(format!("{}.json", sha1(name))), json.to_string()).unwrap();
    };
    cached(
        "corp",
        serde_json::json!({"accessToken": SSO_ACCESS_TOKEN, "expiresAt": "2099-01-01T00:00:00Z",
            "region": "us-east-1", "startUrl": "https://corp.awsapps.com/start"}),
    );
    cached(
        "https://legacy.awsapps.com/start",
        serde_json::json!({"accessToken": SSO_EXPIRED_TOKEN, "expiresAt": "2020-01-01T00:00:00Z",
            "region": "us-east-1", "startUrl": "https://legacy.awsapps.com/start"}),
    );
    cached(
        "stale",
        serde_json::json!({"accessToken": SSO_STALE_TOKEN, "expiresAt": "2020-01-01T00:00:00Z",
            "region": "us-east-1", "startUrl": "https://stale.awsapps.com/start",
            "clientId": "planted-client-id", "clientSecret": SSO_CLIENT_SECRET,
            "registrationExpiresAt": "2099-01-01T00:00:00Z", "refreshToken": SSO_REFRESH_TOKEN}),
    );
    // An `aws login` session whose keys expired: the first run refreshes them.
    let login = aws_dir.join("login").join("cache");
    std::fs::create_dir_all(&login).unwrap();
    let name = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
        LOGIN_SESSION.as_bytes(),
    ));
    std::fs::write(
        login.join(format!("{name}.json")),
        serde_json::json!({
            "accessToken": {"accessKeyId": "ASIAPLANTEDLOGINOLD0", "secretAccessKey": LOGIN_OLD_SECRET,
                "sessionToken": LOGIN_OLD_SESSION_TOKEN, "accountId": "012345678910",
                "expiresAt": "2020-01-01T00:00:00Z"},
            "clientId": "arn:aws:signin:::devtools/same-device",
            "refreshToken": LOGIN_REFRESH_TOKEN,
            "idToken": LOGIN_ID_TOKEN,
            "dpopKey": LOGIN_DPOP_KEY,
        })
        .to_string(),
    )
    .unwrap();
    let static_config = format!(
        "mode = \"static\"\naccess_key_id = \"{}\"\nsecret_access_key = {{ env = \"APP_SECRET\" }}\n",
        alice.access_key_id
    );
    std::fs::write(home.join("static.toml"), static_config).unwrap();
    std::fs::write(
        home.join("api-key.toml"),
        "mode = \"api_key\"\napi_key = { file = \"api-key.txt\" }\n",
    )
    .unwrap();
}

/// How a run chooses its mode: flags, and the variables it adds.
struct Mode {
    name: &'static str,
    flags: Vec<String>,
    vars: Vec<(String, String)>,
}

fn modes(world: &World) -> Vec<Mode> {
    let home = world.home.path();
    let flags = |f: &[&str]| f.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let api_key_file = home.join("api-key.txt");
    std::fs::write(&api_key_file, &world.api_key).unwrap();
    vec![
        Mode {
            name: "profile",
            flags: flags(&["--profile", "dev"]),
            vars: vec![],
        },
        Mode {
            name: "profile with its own role chain",
            flags: flags(&["--profile", "chained"]),
            vars: vec![],
        },
        Mode {
            name: "environment",
            flags: flags(&["--env"]),
            vars: world.env_keys.to_vec(),
        },
        Mode {
            name: "auto",
            flags: vec![],
            vars: world.env_keys.to_vec(),
        },
        Mode {
            name: "assume role",
            flags: flags(&[
                "--role-arn",
                ROLE,
                "--external-id",
                EXTERNAL_ID,
                "--source-profile",
                "dev",
            ]),
            vars: vec![],
        },
        Mode {
            name: "assume role with a web identity",
            flags: vec![
                "--role-arn".to_owned(),
                ROLE.to_owned(),
                "--web-identity-token-file".to_owned(),
                home.join("web-identity-token").display().to_string(),
            ],
            vars: vec![],
        },
        Mode {
            name: "static (config file)",
            flags: vec![
                "--config".to_owned(),
                home.join("static.toml").display().to_string(),
            ],
            vars: vec![("APP_SECRET".to_owned(), world.env_keys[1].1.clone())],
        },
        Mode {
            name: "api key (variable)",
            flags: flags(&["--api-key"]),
            vars: vec![("AWS_BEARER_TOKEN_BEDROCK".to_owned(), world.api_key.clone())],
        },
        // The SSO portal and AWS Sign-In are the local server: aws-config's SSO and sign-in
        // clients are reached through their own endpoint variables.
        Mode {
            name: "sso profile",
            flags: flags(&["--profile", "sso-user"]),
            vars: world.sign_in_endpoints(),
        },
        Mode {
            name: "legacy sso profile, expired token",
            flags: flags(&["--profile", "sso-legacy"]),
            vars: world.sign_in_endpoints(),
        },
        Mode {
            name: "sso profile, expired token with a refresh",
            flags: flags(&["--profile", "sso-stale"]),
            vars: world.sign_in_endpoints(),
        },
        Mode {
            name: "aws login profile",
            flags: flags(&["--profile", "signin"]),
            vars: world.sign_in_endpoints(),
        },
        Mode {
            name: "api key (config file)",
            flags: vec![
                "--config".to_owned(),
                home.join("api-key.toml").display().to_string(),
            ],
            vars: vec![],
        },
    ]
}

/// The subcommands that take a mode, with their own arguments.
const SUBCOMMANDS: [&[&str]; 10] = [
    &["whoami"],
    &["doctor"],
    &["ping", "--model", MODEL],
    // A stream's events are logged at TRACE, frame by frame.
    &["ping", "--model", MODEL, "--stream"],
    &["token", "--ttl", "15m"],
    &["credential-process"],
    &["export", "--format", "json"],
    &["export", "--format", "env"],
    // With a child that prints nothing: what exec itself prints is what is searched.
    &["exec"],
    &["exec", "--server"],
];

struct Printed {
    what: String,
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `program` in `home` (a real directory: `HOME`, `~/.aws/*` as a user has them) with
/// only the variables given, the local endpoint, and tracing on for every crate.
async fn run(
    program: &Path,
    home: &Path,
    endpoint: &str,
    vars: &[(String, String)],
    args: &[String],
) -> Printed {
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .current_dir(home)
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("RUST_LOG", "trace")
        // The SDK's own switch for logging whole response bodies (the keys STS and the SSO
        // portal hand out): a user may have it on; the command prints none of it.
        .env("LOG_SENSITIVE_BODIES", "true")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_REGION", "us-east-1")
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .expect("the command finished")
        .expect("the command ran");
    Printed {
        what: format!("{} {}", program.display(), args.join(" ")),
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `secret` as it may appear in output: as is, percent-encoded (a query or a form), in hex
/// (a `Debug` of bytes, a digest's input), and in base64 at each of the three alignments it
/// can have inside a longer encoded text.
fn forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_owned()];
    forms.push(hex::encode(secret));
    forms.push(hex::encode_upper(secret));
    let encoded: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    forms.push(encoded.replace('+', "%20"));
    forms.push(encoded);
    for engine in [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::URL_SAFE,
    ] {
        for pad in 0..3 {
            let text = format!("{}{secret}", "x".repeat(pad));
            let b64 = engine.encode(text.as_bytes());
            // Characters that depend on what stands before or after the secret are left out.
            let start = if pad == 0 {
                0
            } else {
                (pad * 4).div_ceil(3) + 1
            };
            let end = b64.trim_end_matches('=').len().saturating_sub(2);
            if end > start + 8 {
                forms.push(b64[start..end].to_owned());
            }
        }
    }
    forms
}

/// Every planted secret that `printed` contains, in any of its [`forms`].
fn leaks(printed: &Printed, secrets: &[String], stdout_may_hold_a_key: bool) -> Vec<String> {
    let mut found = Vec::new();
    let mut streams = vec![("stderr", &printed.stderr)];
    if !stdout_may_hold_a_key {
        streams.push(("stdout", &printed.stdout));
    }
    for secret in secrets {
        for (stream, text) in &streams {
            let hit = forms(secret).into_iter().find_map(|form| {
                let line = text.lines().find(|line| line.contains(&form))?;
                Some((form, line.chars().take(600).collect::<String>()))
            });
            if let Some((form, line)) = hit {
                found.push(format!("{}: {stream}: `{form}` in: {line}", printed.what));
            }
        }
    }
    found
}

fn command() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_bedrock-auth"))
}

/// Every mode × subcommand × text and JSON, in `world`; the leaks found, and how many runs
/// exited 0.
async fn sweep(world: &World) -> (Vec<String>, usize, usize) {
    let mut runs = Vec::new();
    for mode in modes(world) {
        for subcommand in SUBCOMMANDS {
            for json in [false, true] {
                let mut args: Vec<String> = subcommand.iter().map(|s| (*s).to_owned()).collect();
                args.extend(mode.flags.iter().cloned());
                if json {
                    args.push("--json".to_owned());
                }
                if subcommand[0] == "exec" {
                    args.extend(["--".to_owned(), "true".to_owned()]);
                }
                runs.push((mode.name, subcommand[0], args, mode.vars.clone()));
            }
        }
        if mode.flags.first().is_some_and(|f| f == "--config") {
            for json in [false, true] {
                let mut args = vec!["check".to_owned(), mode.flags[1].clone()];
                args.insert(1, "--config".to_owned());
                if json {
                    args.push("--json".to_owned());
                }
                runs.push((mode.name, "check", args, mode.vars.clone()));
            }
        }
    }
    let total = runs.len();
    let mut found = Vec::new();
    let mut succeeded = 0;
    let mut traced = 0;
    // A few at a time: each is a process of its own.
    for chunk in runs.chunks(4) {
        let started: Vec<_> = chunk
            .iter()
            .map(|(_, _, args, vars)| {
                let (home, endpoint) = (world.home.path().to_owned(), world.aws.endpoint_url());
                let (args, vars) = (args.clone(), vars.clone());
                tokio::spawn(async move { run(&command(), &home, &endpoint, &vars, &args).await })
            })
            .collect();
        let mut outputs = Vec::new();
        for run in started {
            outputs.push(run.await.unwrap());
        }
        for ((mode, subcommand, _, _), printed) in chunk.iter().zip(outputs) {
            assert_ne!(
                printed.code, 101,
                "{mode}: {subcommand} panicked:\n{}",
                printed.stderr
            );
            if printed.stderr.contains(" TRACE ") {
                traced += 1;
            }
            if printed.code == 0 {
                succeeded += 1;
            }
            let key_on_stdout = matches!(*subcommand, "token" | "credential-process" | "export");
            found.extend(leaks(&printed, &world.secrets, key_on_stdout));
        }
    }
    // Runs refused before anything starts (`check`, a mode a subcommand does not take) trace
    // nothing; the others must, or the sweep proves nothing.
    assert!(
        traced * 4 > total * 3,
        "only {traced} of {total} runs traced anything"
    );
    (found, succeeded, total)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_planted_secret_in_anything_the_command_prints() {
    let good = world(true).await;
    let (found, succeeded, total) = sweep(&good).await;
    assert!(found.is_empty(), "secrets printed:\n{}", found.join("\n"));
    // The sign-in profiles got as far as the services that take their tokens.
    for action in ["GetRoleCredentials", "CreateOAuth2Token"] {
        assert!(good.aws.count(action) > 0, "no {action} call");
    }
    let sso_ok = good
        .aws
        .requests()
        .iter()
        .filter(|r| r.action == "GetRoleCredentials" && r.status == 200)
        .count();
    assert!(sso_ok > 0, "the SSO portal never handed out keys");
    // The sweep proves something only where the runs got far: most of them succeed.
    assert!(
        succeeded * 2 > total,
        "only {succeeded} of {total} runs succeeded"
    );

    let bad = world(false).await;
    let (found, succeeded, total) = sweep(&bad).await;
    assert!(found.is_empty(), "secrets printed:\n{}", found.join("\n"));
    assert!(
        bad.aws.count("GetRoleCredentials") > 0,
        "no GetRoleCredentials call"
    );
    assert!(
        succeeded * 2 < total,
        "{succeeded} of {total} runs succeeded with refused keys"
    );
}

#[test]
fn the_encoded_forms_of_a_secret_are_found_inside_longer_text() {
    let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    for prefix in ["", "a", "ab", "abc"] {
        let text = base64::engine::general_purpose::STANDARD.encode(format!("{prefix}{secret}!"));
        let printed = Printed {
            what: String::new(),
            code: 0,
            stdout: String::new(),
            stderr: format!("token={text}"),
        };
        assert!(
            !leaks(&printed, &[secret.to_owned()], false).is_empty(),
            "{prefix:?}"
        );
    }
    let query: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let printed = Printed {
        what: String::new(),
        code: 0,
        stdout: format!("?X-Amz-Security-Token={query}&x=1"),
        stderr: String::new(),
    };
    assert!(!leaks(&printed, &[secret.to_owned()], false).is_empty());
    let printed = Printed {
        what: String::new(),
        code: 0,
        stdout: String::new(),
        stderr: format!("bytes: {}", hex::encode(secret)),
    };
    assert!(!leaks(&printed, &[secret.to_owned()], false).is_empty());
}

/// The secrets the embedded local AWS makes, by their shape: `local/<hex>/<n>` (secret keys),
/// `temp/<hex>/<n>` and `token/<hex>/<hex>/<n>` (role credentials), `ABSKlocal<hex>` (API keys),
/// as they are or percent-encoded. For a program (the tour) whose server this test cannot ask.
fn local_secret_in(text: &str) -> Option<String> {
    for prefix in [
        "local/",
        "temp/",
        "token/",
        "local%2F",
        "temp%2F",
        "token%2F",
        "ABSKlocal",
    ] {
        let mut rest = text;
        while let Some(at) = rest.find(prefix) {
            let after = &rest[at + prefix.len()..];
            let hex = after.bytes().take_while(u8::is_ascii_hexdigit).count();
            if hex >= 16 {
                return Some(rest[at..at + prefix.len() + hex].to_owned());
            }
            rest = after;
        }
    }
    None
}

/// The tour, as a user runs it after `cargo run --example tour`: the built example, in a
/// temporary `HOME` with other profiles' secrets, at `RUST_LOG=trace`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_anything_the_tour_prints() {
    // Examples are built beside the test binaries (`target/debug/examples`) by `cargo test`.
    let tour = std::env::current_exe()
        .unwrap()
        .parent()
        .and_then(Path::parent)
        .map(|debug| debug.join("examples").join("tour"))
        .unwrap();
    assert!(
        tour.exists(),
        "{} is not built: `cargo test` builds the examples (or `cargo build --example tour`)",
        tour.display()
    );
    let home = tempfile::tempdir().unwrap();
    let aws = LocalAws::start().await.unwrap();
    let alice = aws.add_user("alice");
    write_home(home.path(), &alice, alice.secret_access_key.expose_secret());
    let printed = run(&tour, home.path(), &aws.endpoint_url(), &[], &[]).await;
    assert_eq!(printed.code, 0, "{}", printed.stderr);
    assert!(
        printed.stderr.contains(" TRACE "),
        "the tour traced nothing"
    );
    let mut secrets: Vec<String> = OTHER_SECRETS.map(str::to_owned).to_vec();
    secrets.push(alice.secret_access_key.expose_secret().to_owned());
    let found = leaks(&printed, &secrets, false);
    assert!(found.is_empty(), "secrets printed:\n{}", found.join("\n"));
    for (stream, text) in [("stdout", &printed.stdout), ("stderr", &printed.stderr)] {
        if let Some(secret) = local_secret_in(text) {
            let line = text
                .lines()
                .find(|l| l.contains(&secret))
                .unwrap_or_default();
            panic!(
                "the tour's {stream} holds `{secret}`: {}",
                &line[..line.len().min(600)]
            );
        }
    }
}

#[test]
fn the_local_server_s_secrets_are_told_by_their_shape() {
    assert!(local_secret_in("x secret=local/0123456789abcdef/3 y").is_some());
    assert!(local_secret_in("token%2F0123456789abcdef%2F").is_some());
    assert!(local_secret_in("ABSKlocal0123456789abcdef00000001").is_some());
    assert!(local_secret_in("a local/ path, temp/dir, token/x").is_none());
}
