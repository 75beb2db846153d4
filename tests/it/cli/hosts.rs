//! The host a request went to, as errors name it: FIPS and dual-stack endpoints chosen by
//! `AWS_USE_FIPS_ENDPOINT` / `AWS_USE_DUALSTACK_ENDPOINT`, seen without leaving loopback: a
//! proxy of the test's own is asked to `CONNECT` to the host, records it and refuses.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;

/// A proxy on 127.0.0.1 that records the first line of each request and answers 403: nothing
/// goes further.
async fn refusing_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let asked = Arc::new(Mutex::new(Vec::new()));
    let record = asked.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let text = String::from_utf8_lossy(&head);
                let first = text.lines().next().unwrap_or_default().to_owned();
                record.lock().unwrap().push(first);
                let _ = client
                    .write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
                    .await;
            });
        }
    });
    (url, asked)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_name_the_fips_or_dual_stack_host_the_request_went_to() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let cases = [
        (
            "AWS_USE_FIPS_ENDPOINT",
            &["whoami", "--env"][..],
            "sts-fips.us-east-1.amazonaws.com",
        ),
        (
            "AWS_USE_DUALSTACK_ENDPOINT",
            &["whoami", "--env"],
            "sts.us-east-1.api.aws",
        ),
        (
            "AWS_USE_FIPS_ENDPOINT",
            &["ping", "--env", "--model", MODEL],
            "bedrock-runtime-fips.us-east-1.amazonaws.com",
        ),
    ];
    for (var, args, host) in cases {
        let (proxy, asked) = refusing_proxy().await;
        let vars = [
            (k1, v1.as_str()),
            (k2, v2.as_str()),
            ("AWS_ENDPOINT_URL", ""),
            ("HTTPS_PROXY", proxy.as_str()),
            ("AWS_MAX_ATTEMPTS", "1"),
            (var, "true"),
        ];
        let out = run(home.path(), &aws, &vars, args).await;
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
        let connect = format!("CONNECT {host}:443 HTTP/1.1");
        assert!(
            asked.lock().unwrap().contains(&connect),
            "{:?}",
            asked.lock().unwrap()
        );
        assert!(out.stderr.contains(host), "{var} {args:?}: {}", out.stderr);
        for default in [
            "sts.us-east-1.amazonaws.com",
            "bedrock-runtime.us-east-1.amazonaws.com",
        ] {
            assert!(
                !out.stderr.contains(default),
                "{var} {args:?}: {}",
                out.stderr
            );
        }
    }
}

/// Variables, arguments, and the host they send requests to (or the name an error gives).
type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str);

/// Runs the command through a refusing proxy of its own, with no endpoint set, and returns
/// the output and the hosts the proxy was asked to `CONNECT` to.
async fn through_proxy(
    home: &std::path::Path,
    aws: &LocalAws,
    alice: &TestUser,
    vars: &[(&str, &str)],
    args: &[&str],
) -> (Output, Vec<String>) {
    let [(k1, v1), (k2, v2)] = keys(alice);
    let (proxy, asked) = refusing_proxy().await;
    let mut all = vec![
        (k1, v1.as_str()),
        (k2, v2.as_str()),
        ("AWS_ENDPOINT_URL", ""),
        ("HTTPS_PROXY", proxy.as_str()),
        ("AWS_MAX_ATTEMPTS", "1"),
    ];
    all.extend_from_slice(vars);
    let out = run(home, aws, &all, args).await;
    let mut hosts: Vec<String> = asked
        .lock()
        .unwrap()
        .iter()
        .filter_map(|line| {
            let target = line.strip_prefix("CONNECT ")?.split(' ').next()?;
            Some(target.trim_end_matches(":443").to_owned())
        })
        .collect();
    // Each attempt asks again.
    hosts.dedup();
    (out, hosts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fips_and_dual_stack_come_from_the_flag_a_config_file_and_the_profile_the_flag_winning() {
    let (home, aws, alice) = setup().await;
    std::fs::write(
        home.path().join("config"),
        "[profile fips]\nuse_fips_endpoint = true\n[profile dual]\nuse_dualstack_endpoint = TRUE\n",
    )
    .unwrap();
    let file = home.path().join("bedrock.toml");
    std::fs::write(&file, "mode = \"environment\"\nuse_fips_endpoint = true\n").unwrap();
    let file = file.to_str().unwrap();
    let cases: [Case<'_>; 7] = [
        (
            &[],
            &["whoami", "--env", "--fips", "true"],
            "sts-fips.us-east-1.amazonaws.com",
        ),
        (
            &[],
            &["whoami", "--env", "--dual-stack", "true"],
            "sts.us-east-1.api.aws",
        ),
        (
            &[],
            &["whoami", "--config", file],
            "sts-fips.us-east-1.amazonaws.com",
        ),
        (
            &[
                ("BEDROCK_AUTH_MODE", "environment"),
                ("BEDROCK_AUTH_USE_DUALSTACK_ENDPOINT", "true"),
            ],
            &["whoami"],
            "sts.us-east-1.api.aws",
        ),
        // The profile's key, in environment mode too (aws-config reads it there).
        (
            &[("AWS_PROFILE", "fips")],
            &["whoami", "--env"],
            "sts-fips.us-east-1.amazonaws.com",
        ),
        (
            &[("AWS_PROFILE", "dual")],
            &["whoami", "--env"],
            "sts.us-east-1.api.aws",
        ),
        // The flag wins over the variable, both ways.
        (
            &[("AWS_USE_FIPS_ENDPOINT", "true")],
            &["whoami", "--env", "--fips", "false"],
            "sts.us-east-1.amazonaws.com",
        ),
    ];
    for (vars, args, host) in cases {
        let (out, hosts) = through_proxy(home.path(), &aws, &alice, vars, args).await;
        assert_eq!(out.code, 1, "{vars:?} {args:?}: {}", out.stderr);
        assert_eq!(hosts, [host], "{vars:?} {args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains(host),
            "{vars:?} {args:?}: {}",
            out.stderr
        );
    }
    let (out, hosts) = through_proxy(
        home.path(),
        &aws,
        &alice,
        &[],
        &[
            "ping",
            "--env",
            "--fips",
            "true",
            "--dual-stack",
            "true",
            "--model",
            MODEL,
        ],
    )
    .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        hosts,
        ["bedrock-runtime-fips.us-east-1.api.aws"],
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fips_setting_that_cannot_be_read_is_refused_before_any_request() {
    let (home, aws, alice) = setup().await;
    std::fs::write(
        home.path().join("config"),
        "[profile odd]\nuse_fips_endpoint = yes\n",
    )
    .unwrap();
    let file = home.path().join("bedrock.toml");
    std::fs::write(
        &file,
        "mode = \"environment\"\nuse_fips_endpoint = \"on\"\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let cases: [Case<'_>; 6] = [
        (
            &[("AWS_USE_FIPS_ENDPOINT", "yes")],
            &["whoami", "--env"],
            "AWS_USE_FIPS_ENDPOINT",
        ),
        (
            &[("AWS_USE_FIPS_ENDPOINT", "1")],
            &["whoami", "--auto"],
            "AWS_USE_FIPS_ENDPOINT",
        ),
        (
            &[("AWS_USE_DUALSTACK_ENDPOINT", "enabled")],
            &["whoami", "--env"],
            "AWS_USE_DUALSTACK_ENDPOINT",
        ),
        (
            &[("AWS_PROFILE", "odd")],
            &["whoami", "--env"],
            "`use_fips_endpoint` of profile `odd`",
        ),
        (&[], &["whoami", "--env", "--fips", "yes"], "--fips"),
        (&[], &["whoami", "--config", file], "use_fips_endpoint"),
    ];
    for (vars, args, named) in cases {
        let (out, hosts) = through_proxy(home.path(), &aws, &alice, vars, args).await;
        assert_eq!(out.code, 2, "{vars:?} {args:?}: {}", out.stderr);
        assert!(hosts.is_empty(), "{vars:?} {args:?}: {hosts:?}");
        assert!(
            out.stderr.contains(named),
            "{vars:?} {args:?}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("true"),
            "{vars:?} {args:?}: {}",
            out.stderr
        );
    }
    // FIPS with a custom endpoint for every service: AWS's rules refuse the pair.
    let out = run(
        home.path(),
        &aws,
        &keys(&alice)
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .chain([("AWS_USE_FIPS_ENDPOINT", "true")])
            .collect::<Vec<_>>(),
        &["whoami", "--env"],
    )
    .await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "FIPS endpoints (AWS_USE_FIPS_ENDPOINT) cannot be used with a custom endpoint"
        ),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_names_the_fips_and_dual_stack_settings_and_the_hosts_they_choose() {
    let (home, aws, _alice) = setup().await;
    let vars = [
        ("AWS_ENDPOINT_URL", ""),
        ("AWS_REGION", "eu-west-1"),
        ("AWS_USE_FIPS_ENDPOINT", "true"),
        ("AWS_USE_DUALSTACK_ENDPOINT", "maybe"),
    ];
    let out = run(home.path(), &aws, &vars, &["doctor"]).await;
    let text = format!("{}{}", out.stdout, out.stderr);
    let line = |name: &str| {
        text.lines()
            .find(|line| line.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("{name}: {text}"))
            .to_owned()
    };
    assert!(line("FIPS endpoints").contains("on"), "{text}");
    assert!(
        line("FIPS endpoints").contains("AWS_USE_FIPS_ENDPOINT"),
        "{text}"
    );
    assert!(line("dual-stack endpoints").contains("refused"), "{text}");
    assert!(
        line("endpoint ").contains("sts-fips.eu-west-1.amazonaws.com"),
        "{text}"
    );
    assert!(
        line("endpoint ").contains("bedrock-runtime-fips.eu-west-1.amazonaws.com"),
        "{text}"
    );
}

/// AWS's endpoint rules refuse FIPS, and dual-stack, with a custom endpoint: every way the two
/// meet is `invalid_config` (exit 2) naming both, before any request, never a network error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fips_or_dual_stack_with_any_custom_endpoint_is_refused_before_any_request() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    std::fs::write(
        home.path().join("config"),
        "[profile svc]\nservices = local\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:9\n",
    )
    .unwrap();
    let local = aws.endpoint_url();
    let cases: [Case<'_>; 6] = [
        (
            &[("AWS_USE_FIPS_ENDPOINT", "true")],
            &["whoami", "--env"],
            "AWS_ENDPOINT_URL",
        ),
        (
            &[("AWS_USE_DUALSTACK_ENDPOINT", "true")],
            &["whoami", "--env"],
            "AWS_ENDPOINT_URL",
        ),
        (
            &[
                ("AWS_ENDPOINT_URL", ""),
                ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9"),
            ],
            &["whoami", "--env", "--fips", "true"],
            "STS",
        ),
        (
            &[
                ("AWS_ENDPOINT_URL", ""),
                ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://127.0.0.1:9"),
            ],
            &["ping", "--env", "--dual-stack", "true", "--model", MODEL],
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
        ),
        (
            &[
                ("AWS_ENDPOINT_URL", ""),
                ("AWS_PROFILE", "svc"),
                ("AWS_USE_FIPS_ENDPOINT", "true"),
            ],
            &["whoami", "--env"],
            "STS",
        ),
        (
            &[],
            &["whoami", "--env", "--fips", "true"],
            "AWS_ENDPOINT_URL",
        ),
    ];
    for (vars, args, named) in cases {
        let mut all = vec![(k1, v1.as_str()), (k2, v2.as_str())];
        all.extend_from_slice(vars);
        aws.clear_requests();
        let out = run(home.path(), &aws, &all, args).await;
        assert_eq!(out.code, 2, "{vars:?} {args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("invalid_config"),
            "{vars:?} {args:?}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains(named),
            "{vars:?} {args:?}: {}",
            out.stderr
        );
        assert!(aws.requests().is_empty(), "{vars:?} {args:?}");
    }
    let _ = local;
}
