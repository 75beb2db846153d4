//! `doctor`: what it reports of the world (settings and their sources, API keys, cached sign-
//! ins), in text and JSON, and never a secret.

use bedrock_auth::ExposeSecret;
use bedrock_auth::testing::RoleSpec;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_reports_and_no_secret_leaks_at_trace() {
    let (home, aws, alice) = setup().await;
    aws.add_role(RoleSpec::new(ROLE));
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str()), ("RUST_LOG", "trace")];
    let doctor = run(home.path(), &aws, &vars, &["doctor", "--env"]).await;
    assert_eq!(doctor.code, 0, "{}", doctor.stderr);
    assert!(
        doctor.stdout.contains("AWS_SECRET_ACCESS_KEY=********"),
        "{}",
        doctor.stdout
    );
    assert!(doctor.stdout.contains(&alice.arn), "{}", doctor.stdout);
    let role = run(
        home.path(),
        &aws,
        &vars,
        &["whoami", "--role-arn", ROLE_ARN],
    )
    .await;
    assert_eq!(role.code, 0, "{}", role.stderr);
    let ping = run(
        home.path(),
        &aws,
        &vars,
        &["ping", "--env", "--model", MODEL],
    )
    .await;
    assert_eq!(ping.code, 0, "{}", ping.stderr);
    assert!(ping.stderr.lines().count() > 50, "TRACE output was on");
    for out in [&doctor, &role, &ping] {
        for secret in aws.secrets() {
            let secret = secret.expose_secret();
            assert!(
                !out.stdout.contains(secret) && !out.stderr.contains(secret),
                "a secret leaked"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_json_carries_the_diagnosis_on_success_and_failure() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    let ok = run(home.path(), &aws, &vars, &["doctor", "--json", "--env"])
        .await
        .json();
    assert_eq!(ok["ok"], true);
    assert_eq!(ok["identity"]["arn"], alice.arn);
    assert_eq!(
        ok["diagnosis"]["variables"]["AWS_SECRET_ACCESS_KEY"],
        "********"
    );
    let failed = run(home.path(), &aws, &[], &["doctor", "--json", "--env"]).await;
    assert_eq!(failed.code, 1);
    let json = failed.json();
    assert_eq!(json["error"]["kind"], "no_credentials");
    assert!(json["diagnosis"]["environment"].is_string(), "{json}");
}

/// Keys exported with their expiry (`aws configure export-credentials --format env`) that has
/// passed: `whoami --env` fails `expired_credentials` (exit 1) without sending anything, and
/// `doctor` says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_exported_keys_are_refused_and_doctor_says_so() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let expired = ("AWS_CREDENTIAL_EXPIRATION", "2020-01-01T00:00:00+00:00");
    let vars = [(k1, v1.as_str()), (k2, v2.as_str()), expired];
    let whoami = run(home.path(), &aws, &vars, &["whoami", "--env", "--json"]).await;
    assert_eq!(whoami.code, 1, "{}", whoami.stderr);
    assert_eq!(whoami.json()["error"]["kind"], "expired_credentials");
    assert!(aws.requests().is_empty(), "{:?}", aws.requests());
    let doctor = run(home.path(), &aws, &vars, &["doctor", "--env"]).await;
    assert_eq!(doctor.code, 1, "{}", doctor.stdout);
    assert!(
        doctor
            .stdout
            .contains("AWS_CREDENTIAL_EXPIRATION says the environment's credentials expired at 2020-01-01T00:00:00Z"),
        "{}",
        doctor.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_reports_an_api_key_and_the_auto_mode_override_never_its_bytes() {
    let (home, aws, alice) = setup().await;
    let expired = expired_key(&alice, "eu-west-1");
    let key = expired.token().expose_secret();
    let vars = [("AWS_BEARER_TOKEN_BEDROCK", key)];
    let out = run(home.path(), &aws, &vars, &["doctor", "--api-key"]).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("bedrock API key:  short-term Bedrock API key for eu-west-1"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("(expired)"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("in auto mode, Bedrock calls use this API key")
    );
    assert!(out.stderr.contains("expired_credentials"), "{}", out.stderr);
    assert!(!out.stdout.contains(key) && !out.stderr.contains(key));

    let json = run(home.path(), &aws, &vars, &["doctor", "--json"])
        .await
        .json();
    let api_key = &json["diagnosis"]["api_key"];
    assert_eq!(api_key["kind"], "short-term");
    assert_eq!(api_key["region"], "eu-west-1");
    assert_eq!(api_key["expired"], true);
    assert_eq!(api_key["access_key_id"], alice.access_key_id.as_str());
    assert!(!json.to_string().contains(key));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_shows_each_setting_with_its_source_and_never_a_secret() {
    let (home, aws, alice) = setup().await;
    std::fs::write(
        home.path().join("config"),
        "[profile dev]\nregion = eu-north-1\nmetadata_service_num_attempts = 2\n",
    )
    .unwrap();
    let secret = alice.secret_access_key.expose_secret().to_owned();
    let vars = [
        ("AWS_REGION", "eu-west-1"),
        ("AWS_PROFILE", "dev"),
        ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:8"),
        ("AWS_METADATA_SERVICE_TIMEOUT", "0.1"),
        ("AWS_ACCESS_KEY_ID", alice.access_key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", secret.as_str()),
        ("AWS_SESSION_TOKEN", "doctor-session-token-5e1"),
        ("RUST_LOG", "trace"),
    ];
    let text = run(home.path(), &aws, &vars, &["doctor", "--env"]).await;
    let line = |name: &str| {
        text.stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} line in\n{}", text.stdout))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(line("region"), "region eu-west-1 variable AWS_REGION");
    assert_eq!(line("profile"), "profile dev variable AWS_PROFILE");
    assert_eq!(line("mode"), "mode environment flag --env");
    assert_eq!(
        line("endpoint for STS"),
        format!("endpoint for STS http://127.0.0.1:9 variable AWS_ENDPOINT_URL_STS")
    );
    assert!(
        line("endpoint").contains(&aws.endpoint_url()),
        "{}",
        line("endpoint")
    );
    assert_eq!(
        line("metadata endpoint"),
        "metadata endpoint http://127.0.0.1:8 variable AWS_EC2_METADATA_SERVICE_ENDPOINT"
    );
    assert_eq!(
        line("metadata timeout"),
        "metadata timeout 0.1 variable AWS_METADATA_SERVICE_TIMEOUT"
    );
    assert_eq!(line("metadata attempts"), "metadata attempts 2 profile dev");
    assert_eq!(
        line("instance metadata"),
        "instance metadata off variable AWS_EC2_METADATA_DISABLED"
    );
    assert_eq!(
        line("access key id"),
        "access key id AKIA… variable AWS_ACCESS_KEY_ID"
    );
    assert_eq!(
        line("secret access key"),
        "secret access key ******** variable AWS_SECRET_ACCESS_KEY"
    );
    // A flag wins over the variable, and says so.
    let flagged = run(
        home.path(),
        &aws,
        &vars,
        &["doctor", "--env", "--region", "us-east-1"],
    )
    .await;
    assert!(
        flagged
            .stdout
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["region", "us-east-1", "flag", "--region"]),
        "{}",
        flagged.stdout
    );

    // The JSON carries the same.
    let json = run(home.path(), &aws, &vars, &["doctor", "--env", "--json"])
        .await
        .json();
    let settings = json["diagnosis"]["settings"].as_array().unwrap();
    let region = settings.iter().find(|s| s["name"] == "region").unwrap();
    assert_eq!(
        (region["value"].as_str(), region["source"].as_str()),
        (Some("eu-west-1"), Some("variable AWS_REGION"))
    );

    // Never a secret, on either stream, at TRACE.
    for out in [&text, &flagged] {
        for secret in [secret.as_str(), "doctor-session-token-5e1"] {
            assert!(
                !out.stdout.contains(secret) && !out.stderr.contains(secret),
                "{secret}"
            );
        }
    }
    assert!(!json.to_string().contains(&secret));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_hides_a_secret_put_where_a_name_or_an_id_belongs() {
    let (home, aws, _alice) = setup().await;
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let config = home.path().join("misplaced.toml");
    std::fs::write(
        &config,
        format!(
            "mode = \"static\"\naccess_key_id = \"{secret}\"\nsecret_access_key = {{ file = \"{secret}\" }}\n"
        ),
    )
    .unwrap();
    for args in [
        vec!["doctor", "--config", config.to_str().unwrap()],
        vec!["doctor", "--config", config.to_str().unwrap(), "--json"],
        vec!["check", "--config", config.to_str().unwrap()],
    ] {
        let out = run(home.path(), &aws, &[], &args).await;
        assert_ne!(out.code, 0, "{args:?}");
        for part in [secret, "wJalr", "KEY9"] {
            assert!(
                !out.stdout.contains(part) && !out.stderr.contains(part),
                "{args:?} shows `{part}`:\n{}{}",
                out.stdout,
                out.stderr
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_says_whether_a_sign_in_profile_s_cached_token_is_there_never_what_it_holds() {
    let (home, aws, _alice) = setup().await;
    let session = "arn:aws:sts::012345678910:assumed-role/Admin/admin";
    std::fs::write(
        home.path().join("config"),
        format!(
            "[profile signin]\nlogin_session = {session}\nregion = us-east-1\n\n\
             [profile corp-dev]\nsso_session = corp\nsso_account_id = 123456789012\n\
             sso_role_name = Dev\nregion = us-east-1\n\n\
             [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n\
             sso_region = us-east-1\n"
        ),
    )
    .unwrap();
    // The file names aws-config gives them: sha256 of the login session, sha1 of the SSO
    // session's name.
    let login_cache = home.path().join(".aws/login/cache");
    std::fs::create_dir_all(&login_cache).unwrap();
    let planted = "PlantedSecretKeyOfTheLoginCache0000000000";
    let cached = |expires: &str| {
        format!(
            r#"{{"accessToken":{{"accessKeyId":"ASIAPLANTED000000000","secretAccessKey":"{planted}","sessionToken":"tok","accountId":"012345678910","expiresAt":"{expires}"}},"refreshToken":"refresh"}}"#
        )
    };
    let login_file =
        login_cache.join("4b0ba8f99f075c0633e122fd73346ce203a3faf18ea0310eb2d29df1bab2e255.json");
    std::fs::write(&login_file, cached("3025-01-01T00:00:00Z")).unwrap();

    let doctor = async |profile: &str| {
        let args = ["doctor", "--profile", profile];
        run(home.path(), &aws, &[], &args).await
    };
    let line = |out: &Output, name: &str| {
        out.stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_default()
            .to_owned()
    };
    let signin = doctor("signin").await;
    assert!(
        line(&signin, "sign-in ").contains(&format!("aws login session {session}")),
        "{}",
        signin.stdout
    );
    assert!(
        line(&signin, "sign-in cache").contains("present, unexpired"),
        "{}",
        signin.stdout
    );

    std::fs::write(&login_file, cached("2020-01-01T00:00:00Z")).unwrap();
    let expired = doctor("signin").await;
    assert!(
        line(&expired, "sign-in cache").contains("expired"),
        "{}",
        expired.stdout
    );

    let sso = doctor("corp-dev").await;
    assert!(
        line(&sso, "sign-in ").contains("SSO session corp"),
        "{}",
        sso.stdout
    );
    assert!(
        line(&sso, "sign-in cache").contains("missing"),
        "{}",
        sso.stdout
    );
    assert!(
        sso.stdout
            .contains("run `aws sso login --profile corp-dev`"),
        "{}",
        sso.stdout
    );
    assert!(
        sso.stdout
            .contains("ee0bfd2552fbd840c02cc48b6e823320543c450f.json"),
        "{}",
        sso.stdout
    );

    for out in [&signin, &expired, &sso] {
        assert!(!out.stdout.contains(planted) && !out.stderr.contains(planted));
        assert!(!out.stdout.contains("ASIAPLANTED"), "{}", out.stdout);
    }
}

/// The settings `doctor` shows from a profile are those of the profile the mode reads: the one
/// `--profile` names wins over `AWS_PROFILE`, as it does for the manager.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_reads_the_settings_of_the_profile_the_flag_names() {
    let (home, aws, _alice) = setup().await;
    std::fs::write(
        home.path().join("config"),
        "[profile good]\nregion = us-west-2\nca_bundle = /etc/good.pem\n\
         [profile bad]\nregion = eu-west-1\nca_bundle = /etc/bad.pem\nuse_fips_endpoint = true\n",
    )
    .unwrap();
    let vars = [("AWS_PROFILE", "good"), ("AWS_REGION", "")];
    let out = run(
        home.path(),
        &aws,
        &vars,
        &["doctor", "--json", "--profile", "bad"],
    )
    .await;
    let json = out.json();
    let settings = json["diagnosis"]["settings"].as_array().unwrap();
    let row = |name: &str| {
        settings
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{name}: {json}"))
            .clone()
    };
    assert_eq!(row("CA bundle")["value"], "/etc/bad.pem", "{json}");
    assert_eq!(row("CA bundle")["source"], "profile bad", "{json}");
    assert_eq!(row("region")["value"], "eu-west-1", "{json}");
    assert_eq!(row("FIPS endpoints")["value"], "on", "{json}");
}
