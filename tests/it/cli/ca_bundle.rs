//! A private CA: STS and Bedrock behind a TLS server on loopback whose certificate a CA of the
//! test's own signed (as a TLS-intercepting proxy or a private endpoint presents one). Refused
//! without the bundle, saying the certificate is not trusted; accepted with `AWS_CA_BUNDLE`,
//! the profile's `ca_bundle`, `--ca-bundle` and the builder's `ca_bundle`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bedrock_auth::testing::{LocalAws, Sandbox};
use bedrock_auth::{AuthManager, ExposeSecret};
use tokio_rustls::rustls;

use super::{MODEL, keys, run, setup};

/// A CA of the test's own, and a TLS server on 127.0.0.1 (certificate for `localhost`, signed
/// by that CA) that hands every connection on to the local AWS: its URL and the CA's PEM.
async fn private_ca_front(aws: &LocalAws, dir: &Path) -> (String, PathBuf) {
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "bedrock-auth test CA");
    ca.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca = ca.self_signed(&ca_key).unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = leaf.signed_by(&leaf_key, &ca, &ca_key).unwrap();
    let pem = dir.join("corp-ca.pem");
    std::fs::write(&pem, ca.pem()).unwrap();

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let behind = aws
        .endpoint_url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, behind) = (acceptor.clone(), behind.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(&behind).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (format!("https://localhost:{port}"), pem)
}

#[tokio::test]
async fn a_private_ca_is_refused_by_name_and_trusted_from_each_source() {
    let (home, aws, alice) = setup().await;
    let home = home.path();
    let (url, pem) = private_ca_front(&aws, home).await;
    let pem = pem.to_str().unwrap();
    let [k1, k2] = keys(&alice);
    let base = vec![
        (k1.0, k1.1.as_str()),
        (k2.0, k2.1.as_str()),
        ("AWS_ENDPOINT_URL", url.as_str()),
    ];

    // Without the bundle: the certificate is said to be untrusted, with the ways to trust it.
    let out = run(home, &aws, &base, &["whoami", "--env"]).await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("certificate not trusted"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("localhost"), "{}", out.stderr);
    assert!(out.stderr.contains("--ca-bundle"), "{}", out.stderr);
    assert!(out.stderr.contains("AWS_CA_BUNDLE"), "{}", out.stderr);

    // AWS_CA_BUNDLE: STS and Bedrock.
    let mut with_var = base.clone();
    with_var.push(("AWS_CA_BUNDLE", pem));
    let out = run(home, &aws, &with_var, &["whoami", "--env"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains(alice.arn.as_str()), "{}", out.stdout);
    let out = run(home, &aws, &with_var, &["ping", "--env", "--model", MODEL]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let out = run(home, &aws, &with_var, &["--json", "doctor", "--env"]).await;
    let shown = out.json()["diagnosis"]["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "CA bundle")
        .cloned()
        .unwrap_or_default();
    assert_eq!(shown["value"], pem, "{}", out.stdout);
    assert_eq!(shown["source"], "variable AWS_CA_BUNDLE", "{}", out.stdout);

    // --ca-bundle.
    let out = run(home, &aws, &base, &["whoami", "--env", "--ca-bundle", pem]).await;
    assert_eq!(out.code, 0, "{out:?}");

    // The profile's `ca_bundle`.
    std::fs::write(
        home.join("config"),
        format!("[profile corp]\nregion = us-east-1\nca_bundle = {pem}\n"),
    )
    .unwrap();
    std::fs::write(
        home.join("credentials"),
        format!(
            "[corp]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            alice.access_key_id,
            alice.secret_access_key.expose_secret()
        ),
    )
    .unwrap();
    let endpoint = [("AWS_ENDPOINT_URL", url.as_str())];
    let out = run(home, &aws, &endpoint, &["whoami", "--profile", "corp"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let out = run(
        home,
        &aws,
        &endpoint,
        &["ping", "--profile", "corp", "--model", MODEL],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
}

#[tokio::test]
async fn a_bundle_that_cannot_be_used_is_refused_naming_where_it_came_from() {
    let (home, aws, alice) = setup().await;
    let home = home.path();
    let [k1, k2] = keys(&alice);
    let not_pem = home.join("not-a-bundle.pem");
    std::fs::write(&not_pem, "this is not a certificate\n").unwrap();
    let broken = home.join("broken.pem");
    std::fs::write(
        &broken,
        "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    for (bundle, says) in [
        (home.join("missing.pem"), "does not exist"),
        (not_pem, "PEM certificates"),
        (broken, "PEM certificates"),
        (home.to_owned(), "not a regular file"),
    ] {
        let bundle = bundle.to_str().unwrap();
        let vars = [
            (k1.0, k1.1.as_str()),
            (k2.0, k2.1.as_str()),
            ("AWS_CA_BUNDLE", bundle),
        ];
        let out = run(home, &aws, &vars, &["whoami", "--env"]).await;
        assert_eq!(out.code, 2, "{bundle}: {out:?}");
        assert!(out.stderr.contains("AWS_CA_BUNDLE"), "{}", out.stderr);
        assert!(out.stderr.contains(says), "{bundle}: {}", out.stderr);
        let vars = [(k1.0, k1.1.as_str()), (k2.0, k2.1.as_str())];
        let flag = ["whoami", "--env", "--ca-bundle", bundle];
        let out = run(home, &aws, &vars, &flag).await;
        assert_eq!(out.code, 2, "{bundle}: {out:?}");
        assert!(
            out.stderr.contains("ca_bundle") || out.stderr.contains("--ca-bundle"),
            "{}",
            out.stderr
        );
    }
    // A profile's bundle that cannot be used: refused when the profile is read.
    std::fs::write(
        home.join("config"),
        "[profile corp]\nregion = us-east-1\nca_bundle = /nonexistent/ca.pem\n",
    )
    .unwrap();
    super::write_base_profile(home, &alice);
    std::fs::write(
        home.join("credentials"),
        std::fs::read_to_string(home.join("credentials"))
            .unwrap()
            .replace("[base]", "[corp]"),
    )
    .unwrap();
    let out = run(home, &aws, &[], &["whoami", "--profile", "corp"]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("ca_bundle of profile corp"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn the_builder_s_ca_bundle_is_trusted_and_checked_at_build() {
    let (home, aws, alice) = setup().await;
    let (url, pem) = private_ca_front(&aws, home.path()).await;
    let sandbox = || {
        Sandbox::new()
            .own_http_client()
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .file("/ca/corp.pem", std::fs::read(&pem).unwrap())
    };
    let manager = |ca: &str| {
        AuthManager::builder()
            .region("us-east-1")
            .endpoint_url(url.as_str())
            .ca_bundle(ca)
            .sandbox(sandbox())
            .static_credentials(alice.access_key_id.clone(), alice.secret_access_key.clone())
            .build()
    };
    let identity = manager("/ca/corp.pem").unwrap().validate().await.unwrap();
    assert_eq!(identity.arn, alice.arn.as_str());

    let problems = manager("/ca/missing.pem").unwrap_err();
    let text = problems.to_string();
    assert!(text.contains("ca_bundle"), "{text}");
    assert!(text.contains("does not exist"), "{text}");
}

/// Variables and arguments of one run of the command.
type Run<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a str>);

/// A file that is not PEM may be anything, a private key with its line breaks lost among
/// them: its bytes are never printed, in any encoding, by any route or at any log level.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bytes_of_a_bundle_that_cannot_be_read_are_never_printed() {
    let (home, aws, alice) = setup().await;
    let home = home.path();
    let [k1, k2] = keys(&alice);
    let secret = "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF";
    let files = [
        // The marker's end is lost with the line breaks.
        format!("-----BEGIN PRIVATE KEY----- {secret} -----END PRIVATE KEY-----"),
        // A section that opens on a line of its own words.
        format!("-----BEGIN {secret}\n"),
        format!("-----BEGIN CERTIFICATE-----\n{secret}\n"),
    ];
    std::fs::write(
        home.join("credentials"),
        format!(
            "[corp]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            alice.access_key_id,
            alice.secret_access_key.expose_secret()
        ),
    )
    .unwrap();
    for (i, text) in files.iter().enumerate() {
        let path = home.join(format!("key-{i}.pem"));
        std::fs::write(&path, text).unwrap();
        let path = path.to_str().unwrap();
        std::fs::write(
            home.join("config"),
            format!("[profile corp]\nregion = us-east-1\nca_bundle = {path}\n"),
        )
        .unwrap();
        let keys = [(k1.0, k1.1.as_str()), (k2.0, k2.1.as_str())];
        let runs: [Run<'_>; 4] = [
            (
                vec![("RUST_LOG", "trace")],
                vec!["whoami", "--profile", "corp"],
            ),
            (vec![], vec!["whoami", "--json", "--profile", "corp"]),
            (
                [&keys[..], &[("AWS_CA_BUNDLE", path), ("RUST_LOG", "trace")]].concat(),
                vec!["whoami", "--env"],
            ),
            (
                [&keys[..], &[("RUST_LOG", "trace")]].concat(),
                vec!["doctor", "--env", "--ca-bundle", path],
            ),
        ];
        for (vars, args) in runs {
            let out = run(home, &aws, &vars, &args).await;
            assert_ne!(out.code, 0, "{i} {args:?}: {out:?}");
            let all = format!("{}{}", out.stdout, out.stderr);
            let decimal: Vec<String> = secret.bytes().take(8).map(|b| b.to_string()).collect();
            for shown in [secret[..16].to_owned(), decimal.join(", ")] {
                assert!(!all.contains(&shown), "{i} {args:?} shows {shown}: {all}");
            }
        }
    }
}
