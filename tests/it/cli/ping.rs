//! `ping`: one Bedrock call signed for the region asked, with a profile or a role, waiting as
//! long as the Bedrock timeout, streamed.

use std::time::Duration;

use bedrock_auth::testing::RoleSpec;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_is_signed_for_the_requested_region() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    let out = run(
        home.path(),
        &aws,
        &vars,
        &[
            "ping",
            "--json",
            "--env",
            "--region",
            "us-west-2",
            "--model",
            MODEL,
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        (json["region"].as_str(), json["model"].as_str()),
        (Some("us-west-2"), Some(MODEL))
    );
    assert!(json["latency_ms"].is_u64());
    let converse = aws
        .requests()
        .into_iter()
        .find(|r| r.action == "Converse")
        .unwrap();
    assert_eq!(converse.signing_region.as_deref(), Some("us-west-2"));
    assert_eq!(
        converse.access_key_id.as_deref(),
        Some(alice.access_key_id.as_str())
    );

    aws.deny_model("denied.model-v1:0");
    let out = run(
        home.path(),
        &aws,
        &vars,
        &["ping", "--json", "--env", "--model", "denied.model-v1:0"],
    )
    .await;
    assert_eq!(out.code, 1);
    assert_eq!(out.json()["error"]["kind"], "access_denied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_with_a_profile_and_an_assumed_role_in_text() {
    let (home, aws, alice) = setup().await;
    aws.add_role(RoleSpec::new(ROLE));
    write_base_profile(home.path(), &alice);
    let profile = run(
        home.path(),
        &aws,
        &[],
        &[
            "ping",
            "--profile",
            "base",
            "--region",
            "eu-west-1",
            "--model",
            MODEL,
        ],
    )
    .await;
    assert_eq!(profile.code, 0, "{}", profile.stderr);
    assert!(
        profile
            .stdout
            .starts_with(&format!("ok: {MODEL} answered in eu-west-1 in ")),
        "{}",
        profile.stdout
    );
    assert!(
        profile.stderr.contains("pinging"),
        "progress on stderr: {}",
        profile.stderr
    );
    let role = run(
        home.path(),
        &aws,
        &[],
        &[
            "ping",
            "--role-arn",
            ROLE_ARN,
            "--source-profile",
            "base",
            "--region",
            "ap-south-1",
            "--model",
            MODEL,
        ],
    )
    .await;
    assert_eq!(role.code, 0, "{}", role.stderr);
    let converse: Vec<_> = aws
        .requests()
        .into_iter()
        .filter(|r| r.action == "Converse")
        .collect();
    assert_eq!(
        converse[0].access_key_id.as_deref(),
        Some(alice.access_key_id.as_str())
    );
    assert_eq!(converse[0].signing_region.as_deref(), Some("eu-west-1"));
    assert!(
        converse[1]
            .access_key_id
            .as_deref()
            .unwrap()
            .starts_with("ASIA"),
        "signed with the role"
    );
    assert_eq!(converse[1].signing_region.as_deref(), Some("ap-south-1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_waits_for_a_slow_model_as_long_as_the_bedrock_timeout_says() {
    use bedrock_auth::testing::Fault;
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    aws.set_fault(Fault::SlowBedrock {
        delay: Duration::from_millis(1500),
    });
    let ping = ["ping", "--env", "--model", MODEL, "--json"];
    let out = run(home.path(), &aws, &vars, &ping).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.json()["latency_ms"].as_u64().unwrap() >= 1500);

    let mut impatient = ping.to_vec();
    impatient.extend(["--bedrock-timeout", "1s"]);
    let out = run(home.path(), &aws, &vars, &impatient).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let error = &out.json()["error"];
    assert_eq!(error["kind"], "network");
    assert!(
        error["message"].as_str().unwrap().contains("timed out"),
        "{error}"
    );
    assert!(
        error["hint"]
            .as_str()
            .unwrap()
            .contains("bedrock_timeout_ms"),
        "{error}"
    );

    let out = run(
        home.path(),
        &aws,
        &vars,
        &["ping", "--env", "--model", MODEL, "--bedrock-timeout", "2d"],
    )
    .await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--bedrock-timeout"), "{}", out.stderr);
}

/// `ping --stream` proves the streaming path: the streamed text (quoted, so a control
/// character the model sends never reaches the terminal raw), the events and the time to the
/// first one; JSON as for `ping`; a stream that ends with an error event is a failure with the
/// event's kind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_stream_prints_the_streamed_text_and_the_time_to_the_first_event() {
    use bedrock_auth::testing::{Fault, ModelAnswer, StreamEnd};
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    aws.set_answer(ModelAnswer::new(["Hel", "lo", "\u{1b}[31m!"]));
    aws.set_fault(Fault::SlowBedrock {
        delay: Duration::from_millis(300),
    });
    let ping = ["ping", "--env", "--model", MODEL, "--stream"];
    let out = run(home.path(), &aws, &vars, &ping).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains(r#"text: "Hello\u{1b}[31m!""#),
        "{out:?}"
    );
    assert!(!out.stdout.contains('\u{1b}'), "{out:?}");
    assert!(out.stdout.contains("streamed 7 events"), "{out:?}");
    assert_eq!(aws.count("ConverseStream"), 1);
    assert_eq!(aws.count("Converse"), 0);

    let mut json = ping.to_vec();
    json.push("--json");
    let out = run(home.path(), &aws, &vars, &json).await;
    assert_eq!(out.code, 0, "{out:?}");
    let report = out.json();
    assert_eq!(report["text"], "Hello\u{1b}[31m!");
    assert_eq!(report["events"], 7);
    let first = report["first_event_ms"].as_u64().unwrap();
    assert!(first >= 300, "{report}");
    assert!(report["latency_ms"].as_u64().unwrap() >= first, "{report}");

    aws.clear_fault();
    aws.set_answer(ModelAnswer::new(["half"]).end(StreamEnd::Throttling));
    let out = run(home.path(), &aws, &vars, &json).await;
    assert_eq!(out.code, 1, "{out:?}");
    let error = &out.json()["error"];
    assert_eq!(error["kind"], "throttled", "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("Bedrock ConverseStream (mid-stream)"),
        "{error}"
    );
}
