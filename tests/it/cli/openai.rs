//! `ping --openai` and `ping --mantle`: Chat Completions on Bedrock's OpenAI-compatible
//! endpoints, through the built command, signed for each endpoint's service or with the key.

use bedrock_auth::testing::{AuthKind, ModelAnswer};

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_calls_chat_completions_on_either_endpoint_whole_or_streamed() {
    let (home, aws, alice) = setup().await;
    aws.set_answer(ModelAnswer::new(["po", "ng"]));
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    for (flag, service) in [("--openai", "bedrock"), ("--mantle", "bedrock-mantle")] {
        for stream in [false, true] {
            aws.clear_requests();
            let mut args = vec![
                "ping",
                "--env",
                "--json",
                flag,
                "--model",
                "openai.gpt-oss-20b-1:0",
            ];
            if stream {
                args.push("--stream");
            }
            let out = run(home.path(), &aws, &vars, &args).await;
            assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
            let json = out.json();
            let base = json["openai_base_url"].as_str().unwrap();
            assert!(base.starts_with(&aws.endpoint_url()), "{json}");
            assert!(base.ends_with(if flag == "--openai" {
                "/openai/v1"
            } else {
                "/v1"
            }));
            if stream {
                assert_eq!(json["text"], "pong", "{json}");
                assert_eq!(json["events"], 4, "{json}");
            }
            let seen = aws.requests();
            assert_eq!(seen.len(), 1, "{seen:?}");
            assert_eq!(seen[0].action, "ChatCompletions");
            assert_eq!(seen[0].signing_service.as_deref(), Some(service));
        }
    }
    // With an API key, the bearer key; a denied model is exit 1 with what the endpoint said.
    let key = aws.add_api_key(&alice);
    aws.clear_requests();
    let vars = [("AWS_BEARER_TOKEN_BEDROCK", key.expose_secret())];
    let args = [
        "ping",
        "--api-key",
        "--mantle",
        "--model",
        "openai.gpt-oss-20b-1:0",
    ];
    let out = run(home.path(), &aws, &vars, &args).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(aws.requests()[0].auth, AuthKind::Bearer);
    aws.deny_model("openai.gpt-oss-20b-1:0");
    let out = run(home.path(), &aws, &vars, &args).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("access_denied"), "{}", out.stderr);
    assert!(
        out.stderr.contains("You don't have access to the model"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(key.expose_secret()));
    let both = run(
        home.path(),
        &aws,
        &vars,
        &["ping", "--openai", "--mantle", "--model", "m"],
    )
    .await;
    assert_eq!(both.code, 2, "{}", both.stderr);
}

/// A model's text is text from outside: in text and in JSON, no raw control character and no
/// Unicode line or direction control reaches the terminal, for every way `ping` streams.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_models_controls_are_escaped_in_every_streamed_ping() {
    let (home, aws, alice) = setup().await;
    aws.set_answer(ModelAnswer::new([
        "ok\u{1b}[2K",
        "\u{202e}evil\u{2028}",
        "\u{7}done",
    ]));
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    for api in [None, Some("--openai"), Some("--mantle")] {
        for json in [false, true] {
            let mut args = vec![
                "ping",
                "--env",
                "--stream",
                "--model",
                "openai.gpt-oss-20b-1:0",
            ];
            args.extend(api);
            if json {
                args.push("--json");
            }
            let out = run(home.path(), &aws, &vars, &args).await;
            assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
            let raw = |c: char| {
                (c.is_control() && c != '\n')
                    || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{61c}' | '\u{200e}' | '\u{200f}')
            };
            assert!(!out.stdout.chars().any(raw), "{args:?}: {:?}", out.stdout);
            assert!(!out.stderr.chars().any(raw), "{args:?}: {:?}", out.stderr);
            assert!(out.stdout.contains("evil"), "{args:?}: {}", out.stdout);
        }
    }
}
