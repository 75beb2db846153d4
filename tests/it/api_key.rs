//! Short-term Bedrock API keys: AWS's own generator's vectors reproduced byte for byte
//! (`tests/data/bedrock-api-key-vectors/`), lifetimes checked and capped, tokens never shown.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use base64::Engine;
use bedrock_auth::testing::Sandbox;
use bedrock_auth::{
    AuthManager, ErrorKind, Region, api_key::API_KEY_PREFIX, api_key::ShortTermKey,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/bedrock-api-key-vectors/vectors.json"
);

fn vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(VECTORS).expect("vectors.json");
    let all: Value = serde_json::from_str(&text).expect("json");
    all["vectors"].as_array().expect("vectors").clone()
}

/// `20250715T123000Z` as a time.
fn amz_date(text: &str) -> SystemTime {
    let n = |range: std::ops::Range<usize>| text[range].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(4..6), n(6..8));
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + n(9..11) * 3600 + n(11..13) * 60 + n(13..15);
    UNIX_EPOCH + Duration::from_secs(secs as u64)
}

fn decode(token: &str) -> String {
    let body = token.strip_prefix(API_KEY_PREFIX).expect("prefix");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("base64");
    String::from_utf8(bytes).expect("utf-8")
}

fn sign_vector(v: &Value) -> ShortTermKey {
    let credentials = Credentials::new(
        v["access_key_id"].as_str().unwrap(),
        v["secret_access_key"].as_str().unwrap(),
        v["session_token"].as_str().map(str::to_owned),
        None,
        "vector",
    );
    let region: Region = v["region"].as_str().unwrap().parse().unwrap();
    let ttl = Duration::from_secs(v["expires_secs"].as_u64().unwrap());
    let now = amz_date(v["signing_time"].as_str().unwrap());
    ShortTermKey::sign(&credentials, &region, ttl, now).expect("signs")
}

#[test]
fn every_vector_is_reproduced_byte_for_byte() {
    let vectors = vectors();
    assert!(
        vectors.len() >= 4,
        "the vectors file lists {}",
        vectors.len()
    );
    for v in &vectors {
        let name = v["name"].as_str().unwrap();
        let key = sign_vector(v);
        let token = key.token().expose_secret();
        assert_eq!(decode(token), v["decoded"].as_str().unwrap(), "{name}");
        assert_eq!(token, v["token"].as_str().unwrap(), "{name}");
        let expires = amz_date(v["signing_time"].as_str().unwrap())
            + Duration::from_secs(v["expires_secs"].as_u64().unwrap());
        assert_eq!(key.expires_at(), expires, "{name}");
        assert_eq!(key.region().as_str(), v["region"].as_str().unwrap());
        assert!(!key.capped_by_credentials());
    }
}

#[test]
fn the_signature_depends_on_every_input() {
    let v = &vectors()[0];
    let reference = decode(sign_vector(v).token().expose_secret());
    let signature = |decoded: &str| {
        decoded
            .split('&')
            .find_map(|p| p.strip_prefix("X-Amz-Signature="))
            .unwrap()
            .to_owned()
    };
    for (field, value) in [
        ("secret_access_key", Value::from("another-secret")),
        ("region", Value::from("us-west-2")),
        ("expires_secs", Value::from(60)),
        ("signing_time", Value::from("20250715T123001Z")),
        ("session_token", Value::from("a-token")),
    ] {
        let mut changed = v.clone();
        changed[field] = value;
        let other = decode(sign_vector(&changed).token().expose_secret());
        assert_ne!(signature(&other), signature(&reference), "{field}");
    }
}

#[test]
fn ttl_must_be_whole_seconds_from_one_second_to_twelve_hours() {
    let credentials = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
    let region: Region = "us-east-1".parse().unwrap();
    let now = SystemTime::now();
    for bad in [
        Duration::ZERO,
        Duration::from_millis(1500),
        Duration::from_secs(43_201),
    ] {
        let err = ShortTermKey::sign(&credentials, &region, bad, now).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{bad:?}");
        assert!(err.message().contains("ttl"), "{err}");
    }
    for good in [Duration::from_secs(1), Duration::from_secs(43_200)] {
        ShortTermKey::sign(&credentials, &region, good, now).unwrap();
    }
}

#[test]
fn a_key_signed_with_temporary_credentials_expires_with_them() {
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let temporary = |left: u64| {
        Credentials::new(
            "ASIAEXAMPLE",
            "secret",
            Some("token".to_owned()),
            Some(now + Duration::from_secs(left)),
            "test",
        )
    };
    let region: Region = "us-east-1".parse().unwrap();
    let key = ShortTermKey::sign(&temporary(900), &region, Duration::from_secs(3600), now).unwrap();
    assert!(key.capped_by_credentials());
    assert_eq!(key.expires_at(), now + Duration::from_secs(900));
    assert!(decode(key.token().expose_secret()).contains("X-Amz-Expires=900&"));

    let key =
        ShortTermKey::sign(&temporary(7200), &region, Duration::from_secs(3600), now).unwrap();
    assert!(!key.capped_by_credentials());
    assert_eq!(key.expires_at(), now + Duration::from_secs(3600));
    // What the key says of itself is what a reader of the token finds in it.
    let parsed = bedrock_auth::api_key::ApiKeyInfo::parse(key.token().expose_secret()).unwrap();
    assert_eq!(key.info(), parsed);
    assert!(parsed.temporary_credentials);
    assert_eq!(parsed.access_key_id.as_deref(), Some("ASIAEXAMPLE"));

    let err = ShortTermKey::sign(&temporary(0), &region, Duration::from_secs(60), now).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ExpiredCredentials);
}

#[tokio::test]
async fn the_manager_signs_with_its_credentials_and_clock() {
    let v = &vectors()[1];
    let sandbox = Sandbox::new().at(amz_date(v["signing_time"].as_str().unwrap()));
    let manager = AuthManager::builder()
        .region("us-east-1")
        .static_credentials(
            v["access_key_id"].as_str().unwrap(),
            SecretString::from(v["secret_access_key"].as_str().unwrap()),
        )
        .sandbox(sandbox)
        .build()
        .unwrap();
    let key = manager
        .bedrock_api_key(
            v["region"].as_str().unwrap(),
            Duration::from_secs(v["expires_secs"].as_u64().unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(key.token().expose_secret(), v["token"].as_str().unwrap());

    let err = manager
        .bedrock_api_key("not a region", Duration::from_secs(60))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
}

#[test]
fn debug_never_shows_the_token() {
    let key = sign_vector(&vectors()[2]);
    let text = format!("{key:?} {key:#?}");
    let token = key.token().expose_secret();
    assert!(!text.contains(token), "{text}");
    let body = token.strip_prefix(API_KEY_PREFIX).unwrap();
    assert!(!text.contains(&body[..24]), "{text}");
    assert!(text.contains("us-west-2"), "{text}");
}
