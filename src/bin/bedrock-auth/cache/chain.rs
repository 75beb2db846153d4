//! The profiles that may choose a run's credentials, and what of them the key can see: the
//! selected profile (the mode's `--profile`, the role's source profile, or in auto mode the one
//! aws-config selects: `AWS_PROFILE`, else `default`), then each `source_profile` it names.
//! The shared files are parsed by aws-config's own parser, from the very bytes the key hashed.
//!
//! A `credential_process` in the chain leaves the key unknown: its answer is the output of a
//! program, which no file or variable the key reads decides. An SSO or `aws login` profile in
//! the chain names the token cache it reads, and the key takes that file's contents: it is a
//! file at a known path, like every other input, and each way it changes is a change of the
//! principal or of its session (`aws sso logout` or `aws logout` removes it, a sign-in as
//! another user rewrites it, a refresh rewrites it), so the key follows it; a refresh during a
//! run only keeps the answer out of the cache. A chain that cannot be followed (the shared
//! files cannot be parsed, a loop, no HOME for a token cache) leaves the key unknown too.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_types::os_shim_internal::{Env, Fs};
use bedrock_auth::manager::{AuthInfo, RoleSource};
use bedrock_auth::modes::ModeKind;
use sha1::Digest as _;
use zeroize::Zeroizing;

use super::key::Unknown;

/// The profile that starts the chain.
#[derive(Clone, Debug)]
pub(crate) enum First {
    /// No profile chooses the credentials (environment, static keys, a web identity).
    None,
    /// The one aws-config selects: `AWS_PROFILE`, else `default`.
    Selected,
    /// This one.
    Named(String),
}

impl First {
    /// The first profile of a run configured as `info`; `Selected` for any mode or source
    /// this build does not know (the selected profile may be read).
    pub(crate) fn of(info: &AuthInfo) -> Self {
        let named =
            |name: &bedrock_auth::values::ProfileName| Self::Named(name.as_str().to_owned());
        match info.mode {
            ModeKind::Profile => info.profile.as_ref().map_or(Self::Selected, named),
            ModeKind::Environment | ModeKind::Static | ModeKind::ApiKey => Self::None,
            ModeKind::AssumeRole => match &info.source {
                Some(RoleSource::Profile(name)) => named(name),
                Some(
                    RoleSource::Environment | RoleSource::Static(_) | RoleSource::WebIdentity(_),
                ) => Self::None,
                _ => Self::Selected,
            },
            _ => Self::Selected,
        }
    }
}

/// The token cache files the chain from `first` reads, in the shared files `shared` (each
/// kind with its text; `None`: missing), with `home` and the `aws login` cache directory
/// `login_dir` as the run has them; or why the key cannot be known.
pub(crate) async fn token_files(
    first: &First,
    shared: &[(EnvConfigFileKind, Option<Zeroizing<String>>)],
    home: Option<&Path>,
    login_dir: Option<&Path>,
) -> Result<Vec<PathBuf>, Unknown> {
    let over = match first {
        First::None => return Ok(Vec::new()),
        First::Selected => None,
        First::Named(name) => Some(Cow::Owned(name.clone())),
    };
    let mut files = EnvConfigFiles::builder();
    for (kind, text) in shared {
        // aws-config keeps a copy of its own (unwiped), as when the library hands it the text.
        let text = text.as_deref().map(String::as_str).unwrap_or_default();
        files = files.with_contents(*kind, text);
    }
    // The text is given: aws-config reads no file here, and takes AWS_PROFILE from the process.
    let profiles = aws_config::profile::load(&Fs::real(), &Env::real(), &files.build(), over)
        .await
        .map_err(|err| Unknown(format!("cannot parse the shared config files: {err}")))?;
    let mut name = profiles.selected_profile().to_owned();
    let mut seen: Vec<String> = Vec::new();
    let mut tokens = Vec::new();
    loop {
        if seen.contains(&name) {
            // A profile that is its own source uses its own keys (aws-config allows it).
            if seen.last() == Some(&name) {
                break;
            }
            return Err(Unknown(format!(
                "profile `{name}` is its own source through {} (a loop)",
                seen.join(" -> ")
            )));
        }
        // A missing profile: the run fails (or, `default` in auto mode, reads none).
        let Some(profile) = profiles.get_profile(&name) else {
            break;
        };
        if profile.get("credential_process").is_some() {
            return Err(Unknown(format!(
                "profile `{name}` gets its credentials from a credential_process, whose answer \
                 no input of the key decides"
            )));
        }
        // Every cache the profile may read: a session's (by its name) and a legacy profile's
        // (by its start URL) alike.
        let sso = [profile.get("sso_session"), profile.get("sso_start_url")];
        for identifier in sso.into_iter().flatten() {
            let home = home.ok_or_else(|| no_home(&name))?;
            let digest = hex::encode(sha1::Sha1::digest(identifier.as_bytes()));
            tokens.push(home.join(".aws/sso/cache").join(format!("{digest}.json")));
        }
        if let Some(session) = profile.get("login_session") {
            let dir = match login_dir {
                Some(dir) => dir.to_path_buf(),
                None => home.ok_or_else(|| no_home(&name))?.join(".aws/login/cache"),
            };
            let digest = hex::encode(sha2::Sha256::digest(session.trim().as_bytes()));
            tokens.push(dir.join(format!("{digest}.json")));
        }
        let next = profile.get("source_profile").map(str::to_owned);
        seen.push(name);
        match next {
            Some(next) => name = next,
            None => break,
        }
    }
    Ok(tokens)
}

/// Why a sign-in profile's token cache is unknown.
fn no_home(profile: &str) -> Unknown {
    Unknown(format!(
        "profile `{profile}` signs in, and without HOME its token cache is unknown"
    ))
}
