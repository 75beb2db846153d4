//! `exec`, `exec --server` and `export`: credentials handed to the programs people run, read
//! back by those programs' own SDKs (this crate's, and boto3 where it is installed).

use std::process::Stdio;

use bedrock_auth::testing::RoleSpec;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

use super::*;

/// A Python that has boto3: `BOTO3_PYTHON` (`.ci/run` points it at moto's virtual
/// environment), else `python3` if it imports boto3; `None` (said on stderr) without one,
/// which CI does not allow.
fn boto3_python() -> Option<String> {
    let candidates = std::env::var("BOTO3_PYTHON")
        .into_iter()
        .chain(["python3".to_owned()]);
    for python in candidates {
        // Its own path: the children run with an environment of their own, no PATH in it.
        let found = std::process::Command::new(&python)
            .args(["-c", "import boto3, sys; print(sys.executable)"])
            .stderr(Stdio::null())
            .output();
        if let Some(found) = found.ok().filter(|found| found.status.success()) {
            return Some(String::from_utf8_lossy(&found.stdout).trim().to_owned());
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the boto3 children: set BOTO3_PYTHON (.ci/run installs boto3 with moto)"
    );
    eprintln!("the boto3 child is skipped: no Python with boto3 (set BOTO3_PYTHON)");
    None
}

/// boto3's `GetCallerIdentity`, printed as its ARN: the child reads its credentials the way
/// any boto3 program does (its default chain), and calls the local STS, which checks the
/// signature.
const WHO_AM_I: &str = "import boto3, os; \
    print(boto3.client('sts', endpoint_url=os.environ['AWS_ENDPOINT_URL']).get_caller_identity()['Arn'])";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_gives_the_child_the_mode_s_credentials_and_nothing_that_competes() {
    let (home, aws, alice) = setup().await;
    aws.add_role(RoleSpec::new(ROLE));
    write_base_profile(home.path(), &alice);
    let role = ["--role-arn", ROLE_ARN, "--source-profile", "base"];
    let competing = [
        ("AWS_PROFILE", "base"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/"),
        (
            "AWS_BEARER_TOKEN_BEDROCK",
            "ABSKQmVkcm9ja0FQSUtleS1jb21wZXRpbmc=",
        ),
    ];
    // This crate's own SDK in the child, through its default chain.
    let args = [
        &["exec"],
        &role[..],
        &["--", env!("CARGO_BIN_EXE_bedrock-auth"), "whoami", "--json"],
    ]
    .concat();
    let out = run(home.path(), &aws, &competing, &args).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let arn = out.json()["arn"].as_str().unwrap_or_default().to_owned();
    assert!(
        arn.contains(":assumed-role/BedrockAccess/"),
        "{}",
        out.stdout
    );

    // What the child's environment holds, and what no argument holds.
    let script =
        "env | sort; tr '\\0' ' ' < /proc/$$/cmdline; echo; tr '\\0' ' ' < /proc/$PPID/cmdline";
    let args = [&["exec"], &role[..], &["--", "sh", "-c", script]].concat();
    let out = run(home.path(), &aws, &competing, &args).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let var = |name: &str| {
        out.stdout
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name}=")))
            .map(str::to_owned)
    };
    for name in [
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_BEARER_TOKEN_BEDROCK",
    ] {
        assert_eq!(var(name), None, "{name} competes: {}", out.stdout);
    }
    assert_eq!(var("AWS_REGION").as_deref(), Some("us-east-1"));
    assert_eq!(var("AWS_DEFAULT_REGION").as_deref(), Some("us-east-1"));
    assert_eq!(var("IN_BEDROCK_AUTH_EXEC").as_deref(), Some("1"));
    assert!(var("AWS_CREDENTIAL_EXPIRATION").is_some(), "{}", out.stdout);
    let (secret, token) = (
        var("AWS_SECRET_ACCESS_KEY").unwrap(),
        var("AWS_SESSION_TOKEN").unwrap(),
    );
    let argv: Vec<&str> = out.stdout.lines().filter(|l| !l.contains('=')).collect();
    for line in &argv {
        assert!(!line.contains(&secret) && !line.contains(&token), "{line}");
    }
    assert!(
        argv.iter().any(|line| line.contains("bedrock-auth exec")),
        "{argv:?}"
    );

    // boto3, an SDK of its own, finds them as any of its programs would.
    if let Some(python) = boto3_python() {
        let args = [&["exec"], &role[..], &["--", &python, "-c", WHO_AM_I]].concat();
        let out = run(home.path(), &aws, &competing, &args).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(
            out.stdout.contains(":assumed-role/BedrockAccess/"),
            "{}",
            out.stdout
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_passes_on_the_exit_code_and_signals_and_refuses_to_nest() {
    let (home, aws, alice) = setup().await;
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    let exit = |script: &'static str| ["exec", "--env", "--", "sh", "-c", script];
    assert_eq!(run(home.path(), &aws, &vars, &exit("exit 7")).await.code, 7);
    assert_eq!(run(home.path(), &aws, &vars, &exit("exit 0")).await.code, 0);
    // Ended by a signal: 128 + its number, as a shell reports it.
    assert_eq!(
        run(home.path(), &aws, &vars, &exit("kill -TERM $$"))
            .await
            .code,
        143
    );

    // An exec inside an exec: which credentials would win?
    let bin = env!("CARGO_BIN_EXE_bedrock-auth");
    let nested = ["exec", "--env", "--", bin, "exec", "--env", "--", "true"];
    let out = run(home.path(), &aws, &vars, &nested).await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("already inside `bedrock-auth exec`"),
        "{}",
        out.stderr
    );

    // A SIGTERM sent to exec reaches the child, which says so; exec reports its exit.
    let mut command = command(
        home.path(),
        &aws,
        &exit("trap 'echo got-term; exit 3' TERM; echo ready; while :; do sleep 0.1; done"),
    );
    command
        .envs(vars)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await;
    assert_eq!(ready.unwrap().unwrap().as_deref(), Some("ready"));
    let pid = child.id().unwrap().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let said = tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await;
    assert_eq!(said.unwrap().unwrap().as_deref(), Some("got-term"));
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait()).await;
    assert_eq!(status.unwrap().unwrap().code(), Some(3));

    // A command that cannot be run: a configuration problem, said.
    let out = run(
        home.path(),
        &aws,
        &vars,
        &["exec", "--env", "--", "/no/such/program"],
    )
    .await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("cannot run the command"),
        "{}",
        out.stderr
    );
}

/// A GET of `url` with `authorization` (if any): the status code and the body.
async fn get(url: &str, authorization: Option<&str>) -> std::io::Result<(u16, String)> {
    let address = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await?;
    let auth = authorization.map_or(String::new(), |value| format!("Authorization: {value}\r\n"));
    let request = format!("GET / HTTP/1.1\r\nHost: {address}\r\n{auth}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await?;
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, body)| body)
        .to_owned();
    Ok((status, body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_server_serves_the_child_from_loopback_with_a_token_and_refreshes() {
    let (home, aws, alice) = setup().await;
    // Credentials that live 4 s: the manager resolves them again halfway.
    aws.add_role(RoleSpec::new(ROLE).credential_lifetime(Duration::from_secs(4)));
    write_base_profile(home.path(), &alice);
    let bin = env!("CARGO_BIN_EXE_bedrock-auth");
    // The child: no key variables; what the endpoint hands out, read by this crate's default
    // chain twice, 3 s apart (past the first credentials' refresh).
    let script = format!(
        "echo \"$AWS_CONTAINER_CREDENTIALS_FULL_URI\"; env | grep -c '^AWS_ACCESS_KEY_ID=' ; \
         {bin} export --format json --yes; sleep 3; {bin} export --format json --yes; sleep 2"
    );
    let args = [
        "exec",
        "--server",
        "--role-arn",
        ROLE_ARN,
        "--source-profile",
        "base",
        "--",
        "sh",
        "-c",
        &script,
    ];
    let mut command = command(home.path(), &aws, &args);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = async || {
        tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap_or_default()
    };
    let url = next().await;
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(
        next().await,
        "0",
        "no key variable in the child's environment"
    );
    // Without the token, or with another: refused.
    assert_eq!(get(&url, None).await.unwrap().0, 401);
    assert_eq!(get(&url, Some("not-the-token")).await.unwrap().0, 403);
    let first: Value = serde_json::from_str(&next().await).unwrap();
    let second: Value = serde_json::from_str(&next().await).unwrap();
    assert!(
        first["SessionToken"].is_string() && first["Expiration"].is_string(),
        "{first}"
    );
    assert_ne!(
        first["AccessKeyId"], second["AccessKeyId"],
        "refreshed before expiry"
    );
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait()).await;
    assert_eq!(status.unwrap().unwrap().code(), Some(0));
    // It stopped with the child.
    assert!(
        get(&url, None).await.is_err(),
        "the endpoint outlived the child"
    );
    // Two lifetimes, two AssumeRole calls: the requests were answered from the cache.
    assert_eq!(aws.count("AssumeRole"), 2);

    // Long-term keys are not served: the protocol wants an expiry.
    let [(k1, v1), (k2, v2)] = keys(&alice);
    let vars = [(k1, v1.as_str()), (k2, v2.as_str())];
    let probe = format!("{bin} export --format json --yes");
    let out = run(
        home.path(),
        &aws,
        &vars,
        &["exec", "--server", "--env", "--", "sh", "-c", &probe],
    )
    .await;
    assert_ne!(out.code, 0, "{}", out.stdout);
    assert!(!out.stdout.contains(&v2), "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_prints_each_shape_its_reader_reads_and_not_to_a_terminal() {
    let (home, aws, alice) = setup().await;
    aws.add_role(RoleSpec::new(ROLE));
    write_base_profile(home.path(), &alice);
    let role = ["--role-arn", ROLE_ARN, "--source-profile", "base"];
    let export = |format: &'static str| [&["export", "--format", format][..], &role[..]].concat();

    let sts = run(home.path(), &aws, &[], &export("sts")).await;
    assert_eq!(sts.code, 0, "{}", sts.stderr);
    let credentials = &sts.json()["Credentials"];
    for field in [
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
    ] {
        assert!(credentials[field].is_string(), "{field}: {}", sts.stdout);
    }

    // `env`, evaluated by a shell, is what this crate's environment mode reads.
    let bin = env!("CARGO_BIN_EXE_bedrock-auth");
    let role_args = role.join(" ");
    let script =
        format!("eval \"$({bin} export --format env {role_args})\" && {bin} whoami --env --json");
    let mut sh = tokio::process::Command::new("sh");
    let std = command(home.path(), &aws, &[]);
    sh.args(["-c", &script])
        .env_clear()
        .envs(std.as_std().get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("PATH", "/usr/bin:/bin");
    let out = finish(sh).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.json()["arn"]
            .as_str()
            .unwrap_or_default()
            .contains("assumed-role"),
        "{}",
        out.stdout
    );

    // `json` is what boto3's credential_process reader takes.
    if let Some(python) = boto3_python() {
        std::fs::write(
            home.path().join("config"),
            format!(
                "[profile exported]\ncredential_process = {bin} export --format json {role_args}\n"
            ),
        )
        .unwrap();
        let read = "import boto3; c = boto3.Session(profile_name='exported').get_credentials(); \
                    print(c.access_key[:4], bool(c.token))";
        let mut py = tokio::process::Command::new(&python);
        py.args(["-c", read])
            .env_clear()
            .envs(std.as_std().get_envs().filter_map(|(k, v)| Some((k, v?))));
        let out = finish(py).await;
        assert_eq!(
            (out.code, out.stdout.trim()),
            (0, "ASIA True"),
            "{}",
            out.stderr
        );
    }

    // To a terminal, only with --yes (`script` gives the command one).
    let line = format!("{bin} export --format env {role_args}");
    let mut script = tokio::process::Command::new("/usr/bin/script");
    script
        .args(["-qec", &line, "/dev/null"])
        .env_clear()
        .envs(std.as_std().get_envs().filter_map(|(k, v)| Some((k, v?))))
        .stdin(Stdio::null());
    let out = finish(script).await;
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stdout.contains("stdout is a terminal"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("AWS_SECRET_ACCESS_KEY="),
        "{}",
        out.stdout
    );
}
