//! `credential-process --cache`: an entry serves only runs that would resolve the same
//! credentials (same arguments, environment and file contents), it lives only in private files
//! of this user that are never followed through a link, and every file its key reads is checked
//! before it is read.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bedrock_auth::ExposeSecret;
use bedrock_auth::testing::{LocalAws, RoleSpec, TestUser};

use super::*;

/// Where the entries land with XDG_CACHE_HOME unset.
fn cache_dir(home: &Path) -> PathBuf {
    home.join(".cache/bedrock-auth")
}

/// The cache's entries: the `*.json` files of its directory.
fn entries(home: &Path) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(cache_dir(home)) else {
        return Vec::new();
    };
    let mut entries: Vec<PathBuf> = dir
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension() == Some(OsStr::new("json")))
        .collect();
    entries.sort();
    entries
}

/// The one entry there is after a first run.
fn the_entry(home: &Path) -> PathBuf {
    let entries = entries(home);
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries[0].clone()
}

/// The access key that signed the last AssumeRole the server saw.
fn last_signer(aws: &LocalAws) -> Option<String> {
    let requests = aws.requests();
    let last = requests.iter().rev().find(|r| r.action == "AssumeRole")?;
    last.access_key_id.clone()
}

/// A credentials-file section `[name]` with `user`'s keys.
fn section(name: &str, user: &TestUser) -> String {
    format!(
        "[{name}]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        user.access_key_id,
        user.secret_access_key.expose_secret()
    )
}

/// A role any user of the account may assume; alice, and bob (another principal).
async fn role_setup() -> (tempfile::TempDir, LocalAws, TestUser, TestUser) {
    let (home, aws, alice) = setup().await;
    aws.add_role(RoleSpec::new(ROLE));
    let bob = aws.add_user("bob");
    (home, aws, alice, bob)
}

/// The arguments of a role assumed with the `base` profile's keys.
const BASE_ROLE: [&str; 6] = [
    "credential-process",
    "--cache",
    "--role-arn",
    ROLE_ARN,
    "--source-profile",
    "base",
];

/// A run that must succeed; its stdout.
async fn ok(home: &Path, aws: &LocalAws, vars: &[(&str, &str)], args: &[&str]) -> String {
    let out = run(home, aws, vars, args).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("\"SessionToken\""), "{}", out.stdout);
    out.stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_process_cache_asks_sts_once_per_lifetime_and_only_in_private_files() {
    let (home, aws, alice) = setup().await;
    aws.add_role(RoleSpec::new(ROLE));
    write_base_profile(home.path(), &alice);
    let args = BASE_ROLE;
    let assumptions = || aws.count("AssumeRole");
    let first = run(home.path(), &aws, &[], &args).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    let json: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(json["AccountId"], "123456789012", "{json}");
    assert!(
        json["SessionToken"].is_string() && json["Expiration"].is_string(),
        "{json}"
    );

    // One file, 0600 in a 0700 directory, named by a SHA-256.
    let dir = cache_dir(home.path());
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(mode(&files[0]), 0o600);
    let stem = files[0].file_stem().unwrap().to_str().unwrap().to_owned();
    assert!(
        stem.len() == 64 && stem.bytes().all(|b| b.is_ascii_hexdigit()),
        "{stem}"
    );

    // The second run within the lifetime: the same credentials, no STS call.
    let second = run(home.path(), &aws, &[], &args).await;
    assert_eq!(
        (second.code, &second.stdout),
        (0, &first.stdout),
        "{}",
        second.stderr
    );
    assert_eq!(assumptions(), 1);

    // A file others may read is refused, said so, and not used.
    std::fs::set_permissions(&files[0], std::fs::Permissions::from_mode(0o644)).unwrap();
    let exposed = run(home.path(), &aws, &[], &args).await;
    assert_eq!(exposed.code, 0, "{}", exposed.stderr);
    assert!(
        exposed.stderr.contains("others may read"),
        "{}",
        exposed.stderr
    );
    assert_eq!(assumptions(), 2);

    // An entry that expires within five minutes is replaced.
    std::fs::set_permissions(&files[0], std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut stale = json.clone();
    stale["Expiration"] = "2020-01-01T00:00:00Z".into();
    std::fs::write(&files[0], stale.to_string()).unwrap();
    let replaced = run(home.path(), &aws, &[], &args).await;
    assert_eq!(replaced.code, 0, "{}", replaced.stderr);
    assert_eq!(assumptions(), 3);
    let kept: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    assert_ne!(kept["Expiration"], "2020-01-01T00:00:00Z");

    // Long-term keys are never kept: a static profile writes nothing.
    let keys = run(
        home.path(),
        &aws,
        &[],
        &["credential-process", "--cache", "--profile", "base"],
    )
    .await;
    assert_eq!(keys.code, 0, "{}", keys.stderr);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

// ---- The key: everything that chose the principal. ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_aws_profile_is_another_entry() {
    let (home, aws, alice, bob) = role_setup().await;
    let text = format!("{}{}", section("a", &alice), section("b", &bob));
    std::fs::write(home.path().join("credentials"), text).unwrap();
    // The default source: the chain, where AWS_PROFILE picks the profile.
    let args = ["credential-process", "--cache", "--role-arn", ROLE_ARN];
    let as_a = ok(home.path(), &aws, &[("AWS_PROFILE", "a")], &args).await;
    assert_eq!(
        as_a,
        ok(home.path(), &aws, &[("AWS_PROFILE", "a")], &args).await
    );
    assert_eq!(aws.count("AssumeRole"), 1);

    let as_b = ok(home.path(), &aws, &[("AWS_PROFILE", "b")], &args).await;
    assert_eq!(aws.count("AssumeRole"), 2, "b was served a's entry");
    assert_eq!(
        last_signer(&aws).as_deref(),
        Some(bob.access_key_id.as_str())
    );
    assert_ne!(as_a, as_b);
    assert_eq!(entries(home.path()).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_environment_keys_are_another_entry() {
    let (home, aws, alice, bob) = role_setup().await;
    let args = ["credential-process", "--cache", "--role-arn", ROLE_ARN];
    let [(k1, alice_id), (k2, alice_secret)] = keys(&alice);
    let alices = [(k1, alice_id.as_str()), (k2, alice_secret.as_str())];
    ok(home.path(), &aws, &alices, &args).await;
    ok(home.path(), &aws, &alices, &args).await;
    assert_eq!(aws.count("AssumeRole"), 1);

    let [(k1, bob_id), (k2, bob_secret)] = keys(&bob);
    let bobs = [(k1, bob_id.as_str()), (k2, bob_secret.as_str())];
    ok(home.path(), &aws, &bobs, &args).await;
    assert_eq!(aws.count("AssumeRole"), 2, "bob was served alice's entry");
    assert_eq!(
        last_signer(&aws).as_deref(),
        Some(bob.access_key_id.as_str())
    );

    // Alice's key id with another secret: not her entry (the secret is refused by STS).
    let wrong = [(k1, alice_id.as_str()), (k2, bob_secret.as_str())];
    let out = run(home.path(), &aws, &wrong, &args).await;
    assert_eq!(out.code, 1, "served from the cache: {}", out.stdout);
    assert_eq!(out.stdout, "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rewritten_session_policy_is_another_entry() {
    let (home, aws, alice, _bob) = role_setup().await;
    write_base_profile(home.path(), &alice);
    let policy = home.path().join("policy.json");
    let statement = |effect: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}","Action":"*","Resource":"*"}}]}}"#
        )
    };
    std::fs::write(&policy, statement("Allow")).unwrap();
    let mut args = BASE_ROLE.to_vec();
    args.extend(["--session-policy", policy.to_str().unwrap()]);
    ok(home.path(), &aws, &[], &args).await;
    ok(home.path(), &aws, &[], &args).await;
    assert_eq!(aws.count("AssumeRole"), 1);

    std::fs::write(&policy, statement("Deny")).unwrap();
    ok(home.path(), &aws, &[], &args).await;
    assert_eq!(aws.count("AssumeRole"), 2, "the Allow session was served");
    let requests = aws.requests();
    let last = requests.iter().rev().find(|r| r.action == "AssumeRole");
    let sent = last.and_then(|r| r.params.get("Policy")).unwrap();
    assert!(sent.contains("Deny"), "{sent}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rewritten_shared_credentials_file_is_another_entry() {
    let (home, aws, alice, bob) = role_setup().await;
    write_base_profile(home.path(), &alice);
    ok(home.path(), &aws, &[], &BASE_ROLE).await;
    ok(home.path(), &aws, &[], &BASE_ROLE).await;
    assert_eq!(aws.count("AssumeRole"), 1);

    write_base_profile(home.path(), &bob);
    ok(home.path(), &aws, &[], &BASE_ROLE).await;
    assert_eq!(
        aws.count("AssumeRole"),
        2,
        "bob's base was served alice's entry"
    );
    assert_eq!(
        last_signer(&aws).as_deref(),
        Some(bob.access_key_id.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_files_at_their_default_paths_key_the_entry_too() {
    let (home, aws, alice, bob) = role_setup().await;
    let aws_dir = home.path().join(".aws");
    std::fs::create_dir(&aws_dir).unwrap();
    let unset = [("AWS_CONFIG_FILE", ""), ("AWS_SHARED_CREDENTIALS_FILE", "")];
    std::fs::write(aws_dir.join("credentials"), section("base", &alice)).unwrap();
    ok(home.path(), &aws, &unset, &BASE_ROLE).await;
    ok(home.path(), &aws, &unset, &BASE_ROLE).await;
    assert_eq!(aws.count("AssumeRole"), 1);

    std::fs::write(aws_dir.join("credentials"), section("base", &bob)).unwrap();
    ok(home.path(), &aws, &unset, &BASE_ROLE).await;
    assert_eq!(
        aws.count("AssumeRole"),
        2,
        "~/.aws/credentials was not in the key"
    );
    assert_eq!(
        last_signer(&aws).as_deref(),
        Some(bob.access_key_id.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rewritten_config_file_is_another_entry() {
    let (home, aws, alice, _bob) = role_setup().await;
    write_base_profile(home.path(), &alice);
    let config = home.path().join("auth.toml");
    let text = |name: &str| {
        format!(
            "mode = \"assume_role\"\nrole_arn = \"{ROLE_ARN}\"\nsession_name = \"{name}\"\n\
             source = {{ profile = \"base\" }}\n"
        )
    };
    std::fs::write(&config, text("one")).unwrap();
    let args = [
        "credential-process",
        "--cache",
        "--config",
        config.to_str().unwrap(),
    ];
    ok(home.path(), &aws, &[], &args).await;
    ok(home.path(), &aws, &[], &args).await;
    assert_eq!(aws.count("AssumeRole"), 1);

    std::fs::write(&config, text("two")).unwrap();
    ok(home.path(), &aws, &[], &args).await;
    assert_eq!(aws.count("AssumeRole"), 2, "session one was served");
    let requests = aws.requests();
    let last = requests.iter().rev().find(|r| r.action == "AssumeRole");
    let name = last.and_then(|r| r.params.get("RoleSessionName"));
    assert_eq!(name.map(String::as_str), Some("two"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rewritten_secret_file_of_the_config_is_another_entry() {
    let (home, aws, alice, _bob) = role_setup().await;
    let secret = home.path().join("secret");
    std::fs::write(&secret, alice.secret_access_key.expose_secret()).unwrap();
    let config = home.path().join("auth.toml");
    let text = format!(
        "mode = \"assume_role\"\nrole_arn = \"{ROLE_ARN}\"\nsource = {{ access_key_id = \"{}\", \
         secret_access_key = {{ file = \"{}\" }} }}\n",
        alice.access_key_id,
        secret.display()
    );
    std::fs::write(&config, text).unwrap();
    let args = [
        "credential-process",
        "--cache",
        "--config",
        config.to_str().unwrap(),
    ];
    ok(home.path(), &aws, &[], &args).await;
    ok(home.path(), &aws, &[], &args).await;
    assert_eq!(aws.count("AssumeRole"), 1);

    // Another secret for the same key id: STS refuses it, so a served entry would show.
    std::fs::write(&secret, "NotAlicesSecretAtAll0000000000000000000000").unwrap();
    let out = run(home.path(), &aws, &[], &args).await;
    assert_eq!(out.code, 1, "served from the cache: {}", out.stdout);
    assert_eq!(aws.count("AssumeRole"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_variable_the_config_names_is_in_the_key() {
    let (home, aws, alice, _bob) = role_setup().await;
    let config = home.path().join("auth.toml");
    // Any variable, not only AWS_*: here the source's secret.
    let text = format!(
        "mode = \"assume_role\"\nrole_arn = \"{ROLE_ARN}\"\nsource = {{ access_key_id = \"{}\", \
         secret_access_key = {{ env = \"MY_SECRET\" }} }}\n",
        alice.access_key_id
    );
    std::fs::write(&config, text).unwrap();
    let args = [
        "credential-process",
        "--cache",
        "--config",
        config.to_str().unwrap(),
    ];
    let right = [("MY_SECRET", alice.secret_access_key.expose_secret())];
    ok(home.path(), &aws, &right, &args).await;
    ok(home.path(), &aws, &right, &args).await;
    assert_eq!(aws.count("AssumeRole"), 1);

    // Another secret for the same key id: STS refuses it, so a served entry would show.
    let wrong = [("MY_SECRET", "NotAlicesSecretAtAll0000000000000000000000")];
    let out = run(home.path(), &aws, &wrong, &args).await;
    assert_eq!(out.code, 1, "served from the cache: {}", out.stdout);
    assert_eq!(out.stdout, "");
    assert_eq!(aws.count("AssumeRole"), 2);

    // Unset: the configuration is refused, and nothing is served.
    let out = run(home.path(), &aws, &[], &args).await;
    assert_eq!(out.code, 2, "served from the cache: {}", out.stdout);
    assert!(out.stderr.contains("MY_SECRET"), "{}", out.stderr);
    assert_eq!(out.stdout, "");

    // The right secret again: its entry, still there.
    ok(home.path(), &aws, &right, &args).await;
    assert_eq!(aws.count("AssumeRole"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rewritten_web_identity_token_is_another_entry() {
    let (home, aws, _alice) = setup().await;
    aws.add_role(RoleSpec::new(ROLE).trust_web_identity());
    aws.add_web_identity_token("oidc-token-1", "system:serviceaccount:orders:api");
    aws.add_web_identity_token("oidc-token-2", "system:serviceaccount:billing:api");
    let token = home.path().join("token");
    std::fs::write(&token, "oidc-token-1").unwrap();
    let assumptions = || aws.count("AssumeRoleWithWebIdentity");
    // From the flag, and from a profile's `web_identity_token_file`.
    let flag = [
        "credential-process",
        "--cache",
        "--role-arn",
        ROLE_ARN,
        "--web-identity-token-file",
        token.to_str().unwrap(),
    ];
    let profile = format!(
        "[profile oidc]\nrole_arn = {ROLE_ARN}\nweb_identity_token_file = {}\n",
        token.display()
    );
    std::fs::write(home.path().join("config"), profile).unwrap();
    let from_profile = ["credential-process", "--cache", "--profile", "oidc"];
    for (at, args) in [&flag[..], &from_profile[..]].into_iter().enumerate() {
        std::fs::write(&token, "oidc-token-1").unwrap();
        ok(home.path(), &aws, &[], args).await;
        ok(home.path(), &aws, &[], args).await;
        assert_eq!(assumptions(), 2 * at + 1, "{args:?}");
        std::fs::write(&token, "oidc-token-2").unwrap();
        ok(home.path(), &aws, &[], args).await;
        assert_eq!(
            assumptions(),
            2 * at + 2,
            "the old token's entry was served: {args:?}"
        );
    }
}

/// A `credential_process` answer of `user`'s keys, with a session token and an expiry when
/// `token` is given (so that, printed as they are, they would be kept).
fn process_answer(user: &TestUser, token: Option<&str>) -> String {
    let mut answer = serde_json::json!({
        "Version": 1,
        "AccessKeyId": user.access_key_id.as_str(),
        "SecretAccessKey": user.secret_access_key.expose_secret(),
    });
    if let Some(token) = token {
        answer["SessionToken"] = token.into();
        answer["Expiration"] = "2099-01-01T00:00:00Z".into();
    }
    answer.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_process_in_the_chain_is_never_cached() {
    let (home, aws, alice, bob) = role_setup().await;
    let answer = home.path().join("cp.json");
    // The process itself, a role chained on it, and a link more: every chain that reaches it.
    let config = format!(
        "[profile cp]\ncredential_process = cat {}\n\n\
         [profile chained]\nrole_arn = {ROLE_ARN}\nsource_profile = cp\n\n\
         [profile twice]\nrole_arn = {ROLE_ARN}\nsource_profile = chained\n",
        answer.display()
    );
    std::fs::write(home.path().join("config"), config).unwrap();
    let role_on_cp = [
        "credential-process",
        "--cache",
        "--role-arn",
        ROLE_ARN,
        "--source-profile",
        "cp",
    ];
    let chained = ["credential-process", "--cache", "--profile", "chained"];
    let twice = ["credential-process", "--cache", "--profile", "twice"];
    let as_aws_profile = ["credential-process", "--cache", "--role-arn", ROLE_ARN];
    let selected = [("AWS_PROFILE", "cp")];
    let runs: [(&[&str], &[_]); 4] = [
        (&role_on_cp, &[]),
        (&chained, &[]),
        (&twice, &[]),
        (&as_aws_profile, &selected),
    ];
    for (args, vars) in runs {
        for user in [&alice, &alice, &bob] {
            std::fs::write(&answer, process_answer(user, None)).unwrap();
            let before = aws.count("AssumeRole");
            let out = run(home.path(), &aws, vars, args).await;
            assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
            assert!(out.stdout.contains("\"SessionToken\""), "{}", out.stdout);
            let said: Vec<&str> = out
                .stderr
                .lines()
                .filter(|l| l.contains("not caching"))
                .collect();
            assert_eq!(said.len(), 1, "{args:?}: {}", out.stderr);
            assert!(said[0].contains("credential_process"), "{}", said[0]);
            assert!(
                aws.count("AssumeRole") > before,
                "served from the cache: {args:?}"
            );
            // (Of a chain of two roles, the second is signed by the first's session.)
            if args != twice {
                let signer = last_signer(&aws);
                assert_eq!(
                    signer.as_deref(),
                    Some(user.access_key_id.as_str()),
                    "{args:?}"
                );
            }
        }
    }
    assert!(
        entries(home.path()).is_empty(),
        "{:?}",
        entries(home.path())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chain_that_loops_is_not_cached() {
    let (home, aws, alice, _bob) = role_setup().await;
    write_base_profile(home.path(), &alice);
    let config = format!(
        "[profile a]\nrole_arn = {ROLE_ARN}\nsource_profile = b\n\n\
         [profile b]\nrole_arn = {ROLE_ARN}\nsource_profile = a\n"
    );
    std::fs::write(home.path().join("config"), config).unwrap();
    let args = ["credential-process", "--cache", "--profile", "a"];
    let out = run(home.path(), &aws, &[], &args).await;
    assert!(out.stderr.contains("not caching"), "{}", out.stderr);
    assert!(out.stderr.contains("loop"), "{}", out.stderr);
    assert!(entries(home.path()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_process_profile_is_not_served_its_old_answer() {
    let (home, aws, alice, bob) = role_setup().await;
    let answer = home.path().join("cp.json");
    let config = format!(
        "[profile cp]\ncredential_process = cat {}\n",
        answer.display()
    );
    std::fs::write(home.path().join("config"), config).unwrap();
    let args = ["credential-process", "--cache", "--profile", "cp"];
    // Temporary keys, which a cache would keep: A's, then B's.
    for user in [&alice, &bob] {
        std::fs::write(&answer, process_answer(user, Some("PlantedProcessToken"))).unwrap();
        let out = run(home.path(), &aws, &[], &args).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stderr.contains("not caching"), "{}", out.stderr);
        assert!(
            out.stdout.contains(user.access_key_id.as_str()),
            "another principal's answer was served: {}",
            out.stdout
        );
    }
    assert!(entries(home.path()).is_empty());
}

/// aws-config's name of the SSO token cache of a session or start URL.
fn sso_cache(home: &Path, identifier: &str) -> PathBuf {
    let name = hex::encode(<sha1::Sha1 as sha1::Digest>::digest(identifier.as_bytes()));
    home.join(".aws/sso/cache").join(format!("{name}.json"))
}

/// A cached SSO access token, unexpired.
fn sso_token(token: &str, start_url: &str) -> String {
    serde_json::json!({"accessToken": token, "expiresAt": "2099-01-01T00:00:00Z",
        "region": "us-east-1", "startUrl": start_url})
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sso_token_caches_of_the_chain_key_the_entry() {
    let (home, aws, _alice) = setup().await;
    aws.add_role(RoleSpec::new(ROLE));
    let one = aws.add_sso_access("PlantedSsoTokenOfUserOne000000000", "123456789012", "Dev");
    let two = aws.add_sso_access("PlantedSsoTokenOfUserTwo000000000", "123456789012", "Dev");
    let (corp, legacy) = (
        "https://corp.awsapps.com/start",
        "https://legacy.awsapps.com/start",
    );
    let config = format!(
        "[profile sso-user]\nsso_session = corp\nsso_account_id = 123456789012\n\
         sso_role_name = Dev\nregion = us-east-1\n\n\
         [sso-session corp]\nsso_start_url = {corp}\nsso_region = us-east-1\n\n\
         [profile sso-legacy]\nsso_start_url = {legacy}\nsso_region = us-east-1\n\
         sso_account_id = 123456789012\nsso_role_name = Dev\nregion = us-east-1\n\n\
         [profile on-sso]\nrole_arn = {ROLE_ARN}\nsource_profile = sso-legacy\n"
    );
    std::fs::write(home.path().join("config"), config).unwrap();
    std::fs::create_dir_all(home.path().join(".aws/sso/cache")).unwrap();
    let cases = [
        (
            ["--profile", "sso-user"],
            sso_cache(home.path(), "corp"),
            corp,
        ),
        (
            ["--profile", "on-sso"],
            sso_cache(home.path(), legacy),
            legacy,
        ),
    ];
    for (flags, cache, url) in cases {
        let args = ["credential-process", "--cache", flags[0], flags[1]];
        let portal = || aws.count("GetRoleCredentials");
        std::fs::write(&cache, sso_token("PlantedSsoTokenOfUserOne000000000", url)).unwrap();
        let first = ok(home.path(), &aws, &[], &args).await;
        let before = portal();
        assert_eq!(ok(home.path(), &aws, &[], &args).await, first, "{args:?}");
        assert_eq!(portal(), before, "not cached: {args:?}");

        // Signed in as another user: another entry, the other user's keys.
        std::fs::write(&cache, sso_token("PlantedSsoTokenOfUserTwo000000000", url)).unwrap();
        let second = ok(home.path(), &aws, &[], &args).await;
        assert_eq!(
            portal(),
            before + 1,
            "the first user's entry was served: {args:?}"
        );
        assert_ne!(second, first);
        if flags[1] == "sso-user" {
            assert!(second.contains(two.access_key_id.as_str()), "{second}");
            assert!(first.contains(one.access_key_id.as_str()), "{first}");
        } else {
            assert_eq!(
                last_signer(&aws).as_deref(),
                Some(two.access_key_id.as_str())
            );
        }

        // Signed out: nothing is served.
        std::fs::remove_file(&cache).unwrap();
        let out = run(home.path(), &aws, &[], &args).await;
        assert_ne!(
            out.code, 0,
            "served after sign-out: {args:?}: {}",
            out.stdout
        );
        assert_eq!(out.stdout, "");
    }
}

/// A DPoP key of an `aws login` session (a P-256 key made for these tests).
const DPOP_KEY: &str = "-----BEGIN EC PRIVATE KEY-----\n\
    MHcCAQEEIPt/u8InPLpQeQLJTvVX+sNDzni8vMDMt3Liu+nMBigfoAoGCCqGSM49\n\
    AwEHoUQDQgAEILkGG7rNOnxiIJlMgimY1UPP8eDMFP0DAY6WGjngP4bvTAiUCQ/I\n\
    ffut2379uP+OBCm2ovGpBOJRgrl1RspUOQ==\n-----END EC PRIVATE KEY-----\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_token_cache_of_the_chain_keys_the_entry() {
    let (home, aws, _alice) = setup().await;
    let session = "arn:aws:sts::012345678910:assumed-role/Admin/admin";
    let config = format!("[profile signin]\nlogin_session = {session}\nregion = us-east-1\n");
    std::fs::write(home.path().join("config"), config).unwrap();
    let dir = home.path().join(".aws/login/cache");
    std::fs::create_dir_all(&dir).unwrap();
    let name = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(session.as_bytes()));
    let cache = dir.join(format!("{name}.json"));
    let signed_in = |key_id: &str| {
        serde_json::json!({
            "accessToken": {"accessKeyId": key_id, "secretAccessKey": "PlantedLoginSecret0000000000000000000000",
                "sessionToken": "PlantedLoginSessionToken", "accountId": "012345678910",
                "expiresAt": "2099-01-01T00:00:00Z"},
            "clientId": "arn:aws:signin:::devtools/same-device",
            "refreshToken": "PlantedLoginRefreshToken00000000000",
            "idToken": "PlantedLoginIdToken",
            "dpopKey": DPOP_KEY,
        })
        .to_string()
    };
    let args = ["credential-process", "--cache", "--profile", "signin"];
    std::fs::write(&cache, signed_in("ASIAPLANTEDLOGINONE0")).unwrap();
    let first = ok(home.path(), &aws, &[], &args).await;
    assert!(first.contains("ASIAPLANTEDLOGINONE0"), "{first}");
    assert_eq!(entries(home.path()).len(), 1);

    // Signed in as another principal: another entry, their keys.
    std::fs::write(&cache, signed_in("ASIAPLANTEDLOGINTWO0")).unwrap();
    let second = ok(home.path(), &aws, &[], &args).await;
    assert!(
        second.contains("ASIAPLANTEDLOGINTWO0"),
        "the first's entry was served: {second}"
    );
    assert_eq!(entries(home.path()).len(), 2);
}

// ---- Planted entries and directories. ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_symlink_at_the_entry_is_never_followed() {
    let (home, aws, alice, _bob) = role_setup().await;
    write_base_profile(home.path(), &alice);
    ok(home.path(), &aws, &[], &BASE_ROLE).await;
    let entry = the_entry(home.path());

    // To another file: it is neither read nor written.
    let victim = home.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::remove_file(&entry).unwrap();
    std::os::unix::fs::symlink(&victim, &entry).unwrap();
    let out = run(home.path(), &aws, &[], &BASE_ROLE).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("symbolic link"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(aws.count("AssumeRole"), 2);

    // Dangling: no file is made where it points.
    let target = home.path().join("made-by-the-cache");
    std::fs::remove_file(&entry).unwrap();
    std::os::unix::fs::symlink(&target, &entry).unwrap();
    let out = run(home.path(), &aws, &[], &BASE_ROLE).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!target.exists(), "the cache wrote through a dangling link");
    assert_eq!(aws.count("AssumeRole"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_at_the_entry_is_refused_and_the_credentials_still_printed() {
    let (home, aws, alice, _bob) = role_setup().await;
    write_base_profile(home.path(), &alice);
    ok(home.path(), &aws, &[], &BASE_ROLE).await;
    let entry = the_entry(home.path());
    std::fs::remove_file(&entry).unwrap();
    std::fs::create_dir(&entry).unwrap();
    for assumed in [2, 3] {
        let out = run(home.path(), &aws, &[], &BASE_ROLE).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.contains("\"SessionToken\""), "{}", out.stdout);
        assert!(out.stderr.contains("not caching"), "{}", out.stderr);
        assert_eq!(aws.count("AssumeRole"), assumed);
    }
    assert!(entry.is_dir());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_at_the_entry_is_refused_at_once_then_replaced() {
    let (home, aws, alice, _bob) = role_setup().await;
    write_base_profile(home.path(), &alice);
    ok(home.path(), &aws, &[], &BASE_ROLE).await;
    let entry = the_entry(home.path());
    std::fs::remove_file(&entry).unwrap();
    mkfifo(&entry);
    let started = Instant::now();
    let out = run(home.path(), &aws, &[], &BASE_ROLE).await;
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
    assert_eq!(aws.count("AssumeRole"), 2);
    // The new entry took its place (a rename, never a write into the FIFO).
    assert!(std::fs::symlink_metadata(&entry).unwrap().is_file());
    ok(home.path(), &aws, &[], &BASE_ROLE).await;
    assert_eq!(aws.count("AssumeRole"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_directory_others_may_enter_is_neither_read_nor_written() {
    let (home, aws, alice, _bob) = role_setup().await;
    write_base_profile(home.path(), &alice);
    let first = ok(home.path(), &aws, &[], &BASE_ROLE).await;
    let entry = the_entry(home.path());
    let dir = cache_dir(home.path());
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = run(home.path(), &aws, &[], &BASE_ROLE).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("not caching"), "{}", out.stderr);
    assert_eq!(aws.count("AssumeRole"), 2, "served from a 0755 directory");
    // Not rewritten either.
    assert_eq!(std::fs::read_to_string(&entry).unwrap(), first);
    assert_eq!(entries(home.path()), [entry]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_directory_that_is_a_symlink_is_refused() {
    let (home, aws, alice, _bob) = role_setup().await;
    write_base_profile(home.path(), &alice);
    let elsewhere = home.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::set_permissions(&elsewhere, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::create_dir(home.path().join(".cache")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, cache_dir(home.path())).unwrap();
    for assumed in [1, 2] {
        let out = run(home.path(), &aws, &[], &BASE_ROLE).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stderr.contains("symbolic link"), "{}", out.stderr);
        assert_eq!(aws.count("AssumeRole"), assumed);
    }
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_of_another_user_is_not_served() {
    let (home, aws, alice, _bob) = role_setup().await;
    write_base_profile(home.path(), &alice);
    ok(home.path(), &aws, &[], &BASE_ROLE).await;
    let entry = the_entry(home.path());
    let planted = "PlantedAttackerSecret0000000000000000000000";
    let text = format!(
        r#"{{"Version":1,"AccessKeyId":"ASIAATTACKER00000000","SecretAccessKey":"{planted}","SessionToken":"attacker","Expiration":"2999-01-01T00:00:00Z"}}"#
    );
    std::fs::write(&entry, text).unwrap();
    std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::chown(&entry, Some(12345), Some(12345)).unwrap();
    let out = run(home.path(), &aws, &[], &BASE_ROLE).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("ATTACKER"), "{}", out.stdout);
    assert!(!out.stdout.contains(planted) && !out.stderr.contains(planted));
    assert!(out.stderr.contains("owned by"), "{}", out.stderr);
    assert_eq!(aws.count("AssumeRole"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_others_may_read_is_not_served() {
    let (home, aws, alice, _bob) = role_setup().await;
    write_base_profile(home.path(), &alice);
    ok(home.path(), &aws, &[], &BASE_ROLE).await;
    let entry = the_entry(home.path());
    std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(home.path(), &aws, &[], &BASE_ROLE).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("others may read"), "{}", out.stderr);
    assert_eq!(aws.count("AssumeRole"), 2);
    // Replaced by a private one, which the next run uses.
    let mode = std::fs::metadata(&entry).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    ok(home.path(), &aws, &[], &BASE_ROLE).await;
    assert_eq!(aws.count("AssumeRole"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relative_xdg_cache_home_is_ignored() {
    let (home, aws, alice, _bob) = role_setup().await;
    write_base_profile(home.path(), &alice);
    let cwd = home.path().join("cwd");
    std::fs::create_dir(&cwd).unwrap();
    let mut command = command(home.path(), &aws, &BASE_ROLE);
    command.env("XDG_CACHE_HOME", "relative").current_dir(&cwd);
    let out = finish(command).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(std::fs::read_dir(&cwd).unwrap().count(), 0);
    the_entry(home.path());
}

// ---- Files the key reads: checked before they are read. ----

/// A FIFO at `path`, made by mkfifo(1).
fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.unwrap().success());
}

/// A run that must be refused as invalid configuration, quickly, naming `file`; its output.
async fn refused_quickly(
    home: &Path,
    aws: &LocalAws,
    vars: &[(&str, &str)],
    args: &[&str],
    file: &str,
) -> Output {
    let started = Instant::now();
    let out = run(home, aws, vars, args).await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains(file), "{}", out.stderr);
    assert_eq!(out.stdout, "");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_or_dev_zero_as_config_is_refused_at_once() {
    let (home, aws, _alice) = setup().await;
    let fifo = home.path().join("fifo.toml");
    mkfifo(&fifo);
    for file in [fifo.to_str().unwrap(), "/dev/zero"] {
        let args = ["credential-process", "--cache", "--config", file];
        refused_quickly(home.path(), &aws, &[], &args, file).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_as_session_policy_is_refused_at_once() {
    let (home, aws, alice, _bob) = role_setup().await;
    write_base_profile(home.path(), &alice);
    let fifo = home.path().join("policy.json");
    mkfifo(&fifo);
    let mut args = BASE_ROLE.to_vec();
    args.extend(["--session-policy", fifo.to_str().unwrap()]);
    refused_quickly(home.path(), &aws, &[], &args, fifo.to_str().unwrap()).await;
    assert_eq!(aws.count("AssumeRole"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_as_a_shared_file_is_refused_at_once() {
    let (home, aws, alice, _bob) = role_setup().await;
    let [(k1, id), (k2, secret)] = keys(&alice);
    let fifo = home.path().join("credentials.fifo");
    mkfifo(&fifo);
    let fifo = fifo.to_str().unwrap();
    let args = ["credential-process", "--cache", "--role-arn", ROLE_ARN];
    let vars = [
        (k1, id.as_str()),
        (k2, secret.as_str()),
        ("AWS_SHARED_CREDENTIALS_FILE", fifo),
    ];
    let out = refused_quickly(home.path(), &aws, &vars, &args, fifo).await;
    assert!(out.stderr.contains("not caching"), "{}", out.stderr);
    assert!(entries(home.path()).is_empty());
    assert_eq!(aws.count("AssumeRole"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_argument_that_is_not_utf8_is_hashed_as_its_bytes() {
    let (home, aws, alice, _bob) = role_setup().await;
    write_base_profile(home.path(), &alice);
    let config = home.path().join(OsStr::from_bytes(b"auth-\xff.toml"));
    let text = format!(
        "mode = \"assume_role\"\nrole_arn = \"{ROLE_ARN}\"\nsource = {{ profile = \"base\" }}\n"
    );
    std::fs::write(&config, text).unwrap();
    for assumed in [1, 1] {
        let mut command = command(home.path(), &aws, &["credential-process", "--cache"]);
        command.arg("--config").arg(&config);
        let out = finish(command).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(aws.count("AssumeRole"), assumed);
    }
    the_entry(home.path());
}
