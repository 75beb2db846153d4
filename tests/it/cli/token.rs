//! `token`: a short-term key printed alone, and API-key mode using it.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_prints_the_key_alone_and_api_key_mode_uses_it() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    let out = run(home.path(), &aws, &vars, &["token", "--env", "--ttl", "1h"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let key = out.stdout.strip_suffix('\n').expect("one line");
    assert!(
        key.starts_with("bedrock-api-key-") && !key.contains('\n'),
        "{key}"
    );
    assert!(!out.stderr.contains(key), "the key is on stderr");

    let json = run(
        home.path(),
        &aws,
        &vars,
        &["token", "--json", "--ttl", "900"],
    )
    .await
    .json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["region"], "us-east-1");
    assert!(
        json["token"]
            .as_str()
            .unwrap()
            .starts_with("bedrock-api-key-")
    );
    assert!(json["expires_at"].as_str().unwrap().ends_with('Z'));

    // The key from the environment, never from a flag; no key pair anywhere.
    let with_key = [
        ("AWS_BEARER_TOKEN_BEDROCK", key),
        ("AWS_ACCESS_KEY_ID", ""),
        ("AWS_SECRET_ACCESS_KEY", ""),
        ("RUST_LOG", "trace"),
    ];
    aws.clear_requests();
    let out = run(home.path(), &aws, &with_key, &["whoami", "--api-key"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("api key: short-term"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains(&format!("signed by {}", alice.access_key_id))
    );
    let out2 = run(
        home.path(),
        &aws,
        &with_key,
        &["ping", "--api-key", "--model", MODEL],
    )
    .await;
    assert_eq!(out2.code, 0, "{}", out2.stderr);
    let seen = aws.requests();
    assert!(
        seen.iter()
            .all(|r| r.auth == bedrock_auth::testing::AuthKind::Bearer)
    );
    assert_eq!(seen.len(), 2, "{seen:?}");
    for text in [&out.stdout, &out.stderr, &out2.stdout, &out2.stderr] {
        assert!(!text.contains(key), "the key leaked at RUST_LOG=trace");
        assert!(!text.contains(&key[16..56]), "part of the key leaked");
    }

    let err = run(home.path(), &aws, &with_key, &["token", "--api-key"]).await;
    assert_eq!(err.code, 2, "{}", err.stderr);
    assert!(err.stderr.contains("invalid_config"), "{}", err.stderr);
    let err = run(
        home.path(),
        &aws,
        &vars,
        &["token", "--env", "--ttl", "13h"],
    )
    .await;
    assert_eq!(err.code, 2, "{}", err.stderr);
    // The flag named, the value not quoted back (it may be a secret in the wrong place).
    assert!(
        err.stderr.contains("--ttl takes a duration"),
        "{}",
        err.stderr
    );
    assert!(!err.stderr.contains("13h"), "{}", err.stderr);

    // No key in the environment: missing credentials (exit 1), as for --env, naming the
    // variable; nothing sent.
    aws.clear_requests();
    let without_key = [("AWS_BEARER_TOKEN_BEDROCK", ""), ("AWS_ACCESS_KEY_ID", "")];
    for args in [
        &["whoami", "--api-key"][..],
        &["ping", "--api-key", "--model", MODEL],
    ] {
        let out = run(home.path(), &aws, &without_key, args).await;
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("no_credentials"), "{}", out.stderr);
        assert!(
            out.stderr.contains("AWS_BEARER_TOKEN_BEDROCK"),
            "{}",
            out.stderr
        );
    }
    let out = run(home.path(), &aws, &without_key, &["whoami", "--env"]).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(aws.requests().is_empty(), "{:?}", aws.requests());
}
