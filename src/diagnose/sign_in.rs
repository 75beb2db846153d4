//! What `doctor` says of a profile that signs in (`sso_session` / `sso_start_url`, or
//! `login_session` from `aws login`): the session it uses, and whether its cached token is
//! there and unexpired, read where aws-config reads it. Never the token's contents.

use std::path::PathBuf;

use aws_config::profile::ProfileSet;

use super::Setting;
use crate::os::{Os, SMALL_FILE_LIMIT};

/// The selected profile's sign-in and its cache, as settings, with a warning when the cached
/// token is missing or has expired.
pub(super) fn sign_in_settings(
    os: &Os,
    config: &ProfileSet,
    profile: &str,
    settings: &mut Vec<Setting>,
    warnings: &mut Vec<String>,
) {
    let Some(chosen) = config.get_profile(profile) else {
        return;
    };
    let source = format!("profile {profile}");
    let (what, again, path) = if let Some(session) = chosen.get("login_session") {
        let path = login_cache(os, session);
        (format!("aws login session {session}"), "aws login", path)
    } else if let Some(session) = chosen.get("sso_session") {
        (
            format!("SSO session {session}"),
            "aws sso login",
            sso_cache(os, session),
        )
    } else if let Some(url) = chosen.get("sso_start_url") {
        (
            format!("SSO (legacy) {url}"),
            "aws sso login",
            sso_cache(os, url),
        )
    } else {
        return;
    };
    settings.push(Setting::new("sign-in", what, source.clone()));
    let Some(path) = path else {
        let without = "not checked: this build has neither the `sso` nor the `login` feature";
        settings.push(Setting::new("sign-in cache", without, "default"));
        return;
    };
    let state = cache_state(os, &path);
    if state != "present, unexpired" {
        warnings.push(format!(
            "profile {profile}'s cached sign-in is {state}: run `{again} --profile {profile}`"
        ));
    }
    settings.push(Setting::new(
        "sign-in cache",
        state,
        path.display().to_string(),
    ));
}

/// Whether the cached token at `path` is there and unexpired (its `expiresAt`, or that of its
/// `accessToken`), in words.
fn cache_state(os: &Os, path: &std::path::Path) -> &'static str {
    let Ok(read) = os.read_careful(path, SMALL_FILE_LIMIT) else {
        return "missing";
    };
    let Ok(cached) = serde_json::from_slice::<serde_json::Value>(&read.bytes) else {
        return "unreadable (not JSON)";
    };
    let expires = cached
        .get("expiresAt")
        .or_else(|| cached.get("accessToken")?.get("expiresAt"))
        .and_then(|at| at.as_str())
        .and_then(crate::time::parse_rfc3339);
    match expires {
        None => "unreadable (no expiry)",
        Some(at) if at <= os.now() => {
            if cached.get("refreshToken").is_some() {
                "expired (aws-config refreshes it with its refresh token)"
            } else {
                "expired"
            }
        }
        Some(_) => "present, unexpired",
    }
}

/// `~/.aws/sso/cache/<sha1 of the session name or start URL>.json`, as aws-config names it.
fn sso_cache(os: &Os, identifier: &str) -> Option<PathBuf> {
    #[cfg(feature = "sso")]
    {
        use sha1::Digest;
        let home = PathBuf::from(os.var("HOME")?);
        let name = hex::encode(sha1::Sha1::digest(identifier.as_bytes()));
        Some(home.join(".aws/sso/cache").join(format!("{name}.json")))
    }
    #[cfg(not(feature = "sso"))]
    {
        let _ = (os, identifier);
        None
    }
}

/// `$AWS_LOGIN_CACHE_DIRECTORY` or `~/.aws/login/cache`, `<sha256 of the session>.json`, as
/// aws-config names it.
fn login_cache(os: &Os, session: &str) -> Option<PathBuf> {
    #[cfg(feature = "login")]
    {
        use sha2::Digest;
        let dir = match os.var("AWS_LOGIN_CACHE_DIRECTORY") {
            Some(dir) => PathBuf::from(dir),
            None => PathBuf::from(os.var("HOME")?).join(".aws/login/cache"),
        };
        let name = hex::encode(sha2::Sha256::digest(session.trim().as_bytes()));
        Some(dir.join(format!("{name}.json")))
    }
    #[cfg(not(feature = "login"))]
    {
        let _ = (os, session);
        None
    }
}
