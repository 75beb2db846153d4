//! Text from outside (answers, arguments, files) printed safely: control characters escaped,
//! echoed credentials and pasted secrets not printed, oversized answers and arguments refused by
//! their limit.

use std::time::Duration;

use bedrock_auth::ExposeSecret;

use super::*;

/// Whether `text` holds a character a terminal acts on, other than the line breaks the
/// command prints itself.
fn has_raw_control(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && c != '\n')
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_from_outside_is_printed_with_its_control_characters_escaped() {
    use bedrock_auth::testing::Fault;
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];

    // A Bedrock error whose message would forge a line and rewrite the terminal.
    aws.set_fault(Fault::Raw {
        status: 400,
        content_type: "application/json",
        body: r#"{"__type":"ValidationException","message":"bad model\r\n\u001b[2Kok: pinged\u0007\u009b"}"#,
    });
    for json in [false, true] {
        let mut args = vec!["ping", "--env", "--model", MODEL];
        if json {
            args.push("--json");
        }
        let out = run(home.path(), &aws, &vars, &args).await;
        assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
        assert!(
            !has_raw_control(&out.stdout) && !has_raw_control(&out.stderr),
            "{out:?}"
        );
        assert!(
            !out.stderr.lines().any(|l| l.starts_with("ok:")),
            "{}",
            out.stderr
        );
        let shown = if json { &out.stdout } else { &out.stderr };
        assert!(shown.contains("bad model"), "{shown}");
    }

    // An identity whose ARN would forge an `account:` line of whoami.
    aws.set_fault(Fault::Raw {
        status: 200,
        content_type: "text/xml",
        body: "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
               <GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/x&#10;account: 999999999999&#27;[2K</Arn>\
               <UserId>AIDAX</UserId><Account>123456789012</Account></GetCallerIdentityResult>\
               <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
    });
    let out = run(home.path(), &aws, &vars, &["whoami", "--env"]).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(!has_raw_control(&out.stdout), "{:?}", out.stdout);
    let accounts: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("account:"))
        .collect();
    assert_eq!(accounts, ["account: 123456789012"], "{}", out.stdout);
    aws.clear_fault();

    // A credential_process that writes escapes to stderr and fails.
    let script = home.path().join("creds.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nprintf 'no\\033[2J\\r\\nok: fine\\a' >&2\nexit 3\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::write(
        home.path().join("config"),
        format!(
            "[profile proc]\ncredential_process = {}\n",
            script.display()
        ),
    )
    .unwrap();
    let out = run(home.path(), &aws, &[], &["whoami", "--profile", "proc"]).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(!has_raw_control(&out.stderr), "{:?}", out.stderr);
    assert!(
        !out.stderr.lines().any(|l| l.starts_with("ok:")),
        "{}",
        out.stderr
    );

    // Values doctor shows from a config file.
    let config = home.path().join("odd.toml");
    std::fs::write(
        &config,
        "mode = \"profile\"\nprofile = \"dev\\u001b[31m\\nregion: forged\"\n",
    )
    .unwrap();
    let out = run(
        home.path(),
        &aws,
        &[],
        &["doctor", "--config", config.to_str().unwrap()],
    )
    .await;
    assert!(
        !has_raw_control(&out.stdout) && !has_raw_control(&out.stderr),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_echoed_by_an_answer_or_pasted_as_an_argument_are_not_printed() {
    use bedrock_auth::testing::Fault;
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    // A proxy's error page that quotes the request it was sent.
    aws.set_fault(Fault::Raw {
        status: 403,
        content_type: "text/plain",
        body: "Forbidden: Authorization: Bearer ABSKRWNob2VkS2V5UGxhbnRlZDAwMDAwMDAwMDAwMDA= \
               X-Amz-Security-Token: IQoJEchoedSessionToken0000000000/+=",
    });
    for args in [
        ["ping", "--env", "--model", MODEL, "--json"].as_slice(),
        &["ping", "--env", "--model", MODEL],
        &["whoami", "--env"],
    ] {
        let out = run(home.path(), &aws, &vars, args).await;
        assert_eq!(out.code, 1, "{args:?}: {}{}", out.stdout, out.stderr);
        for echoed in ["ABSKRWNob2Vk", "IQoJEchoed"] {
            assert!(
                !out.stdout.contains(echoed) && !out.stderr.contains(echoed),
                "{out:?}"
            );
        }
        assert!(
            format!("{}{}", out.stdout, out.stderr).contains("Forbidden"),
            "{out:?}"
        );
    }
    aws.clear_fault();

    // A key pasted after `--api-key` (which takes none) is not echoed by the usage error.
    let pasted = "ABSKUGFzdGVkS2V5UGxhbnRlZDExMTExMTExMTExMTE=";
    for args in [
        ["whoami", "--api-key", pasted, "--json"].as_slice(),
        &["whoami", "--api-key", pasted],
        &["ping", "--model", MODEL, &format!("--api-key={pasted}")],
    ] {
        let out = run(home.path(), &aws, &[], args).await;
        assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
        assert!(
            !out.stdout.contains(pasted) && !out.stderr.contains(pasted),
            "{out:?}"
        );
    }
}

/// A server on 127.0.0.1 that answers every request with `head` and then `body_bytes` bytes
/// of `x` (in chunks), for answers too large to hold.
async fn oversized(head: &'static str, body_bytes: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = vec![0u8; 64 * 1024];
                let _ = stream.read(&mut request).await;
                let _ = stream.write_all(head.as_bytes()).await;
                let chunk = vec![b'x'; 64 * 1024];
                let mut sent = 0;
                while sent < body_bytes {
                    if stream.write_all(&chunk).await.is_err() {
                        return;
                    }
                    sent += chunk.len();
                }
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_answers_and_arguments_are_refused_by_their_limit() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    // An answer that says it is 50 GiB, and one of 64 MiB that does not say.
    let huge = oversized(
        "HTTP/1.1 403 Forbidden\r\ncontent-type: text/xml\r\ncontent-length: 53687091200\r\n\r\n",
        1024 * 1024,
    )
    .await;
    let unsaid = oversized(
        "HTTP/1.1 403 Forbidden\r\ncontent-type: text/xml\r\nconnection: close\r\n\r\n",
        64 * 1024 * 1024,
    )
    .await;
    for endpoint in [&huge, &unsaid] {
        let vars = [
            (k1, v1.as_str()),
            (k2, v2.as_str()),
            ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ];
        let started = std::time::Instant::now();
        let out = run(home.path(), &aws, &vars, &["whoami", "--env", "--json"]).await;
        assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
        let message = out.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains("1024 KiB"), "{message}");
        assert!(started.elapsed() < Duration::from_secs(20));
    }
    // A model id longer than Bedrock takes, and an argument longer than any: refused, no panic.
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    for (model, limit) in [("m".repeat(5_000), "2048"), ("m".repeat(70_000), "8192")] {
        let out = run(
            home.path(),
            &aws,
            &vars,
            &["ping", "--env", "--model", &model, "--json"],
        )
        .await;
        assert_eq!(out.code, 2, "{}", out.stderr);
        let message = out.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains(limit), "{message}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_key_that_no_header_can_carry_is_a_configuration_error() {
    let (home, aws, alice) = setup().await;
    let key = aws.add_api_key(&alice);
    let file = home.path().join("key.txt");
    // A second line in the key file (or a character outside ASCII): the key can never be sent.
    std::fs::write(&file, format!("{}\nsecond line\n", key.expose_secret())).unwrap();
    let config = home.path().join("key.toml");
    std::fs::write(
        &config,
        format!(
            "mode = \"api_key\"\napi_key = {{ file = \"{}\" }}\n",
            file.display()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    for args in [
        ["check", "--config", config].as_slice(),
        &["ping", "--config", config, "--model", MODEL],
    ] {
        let out = run(home.path(), &aws, &[], args).await;
        assert_eq!(out.code, 2, "{args:?}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("invalid_config") && out.stderr.contains("api_key"),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains("second line"), "{}", out.stderr);
    }
    let accented = format!("{}é", key.expose_secret());
    let vars = [("AWS_BEARER_TOKEN_BEDROCK", accented.as_str())];
    let out = run(
        home.path(),
        &aws,
        &vars,
        &["ping", "--api-key", "--model", MODEL],
    )
    .await;
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("AWS_BEARER_TOKEN_BEDROCK"),
        "{}",
        out.stderr
    );
    assert_eq!(aws.count("Converse"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_that_echoes_the_external_id_or_the_key_does_not_make_the_command_print_it() {
    use bedrock_auth::testing::Fault;
    let (home, aws, alice) = setup().await;
    write_base_profile(home.path(), &alice);
    // STS quoting the external id it was sent, in a bare error of its own shape.
    aws.set_fault(Fault::Raw {
        status: 403,
        content_type: "text/xml",
        body: "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no trust for \
               ExternalId ext-echoed-0042 on this role</Message></Error></ErrorResponse>",
    });
    let args = [
        "whoami",
        "--role-arn",
        ROLE_ARN,
        "--external-id",
        "ext-echoed-0042",
        "--source-profile",
        "base",
    ];
    for json in [false, true] {
        let mut args = args.to_vec();
        if json {
            args.push("--json");
        }
        let out = run(home.path(), &aws, &[], &args).await;
        assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
        let printed = format!("{}{}", out.stdout, out.stderr);
        assert!(
            printed.contains("no trust for ExternalId ********"),
            "{printed}"
        );
        assert!(!printed.contains("ext-echoed-0042"), "{printed}");
    }
    // Bedrock quoting the API key it was sent, without a `Bearer ` before it.
    const KEY: &str = "ABSKRWNob2VkQnlWYWx1ZUtleTAwMDAwMDA=";
    aws.set_fault(Fault::Raw {
        status: 403,
        content_type: "application/json",
        body: "{\"message\":\"unknown key ABSKRWNob2VkQnlWYWx1ZUtleTAwMDAwMDA=\"}",
    });
    let vars = [("AWS_BEARER_TOKEN_BEDROCK", KEY)];
    for args in [
        ["ping", "--api-key", "--model", MODEL].as_slice(),
        &["whoami", "--api-key", "--json"],
    ] {
        let out = run(home.path(), &aws, &vars, args).await;
        assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
        let printed = format!("{}{}", out.stdout, out.stderr);
        assert!(printed.contains("unknown key ********"), "{printed}");
        assert!(!printed.contains(KEY), "{printed}");
    }
}
