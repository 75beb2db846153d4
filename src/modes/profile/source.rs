//! Profile mode: credentials (and region) from a named profile of the shared config and
//! credentials files, through aws-config's own profile provider (keys, a role chain, SSO, web
//! identity, `credential_process`). Also what a profile says about itself, which every mode
//! that reads one (auto mode, a role's source) needs.

use std::borrow::Cow;

use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_credential_types::provider::SharedCredentialsProvider;
use secrecy::SecretString;

use crate::error::{AuthError, ErrorKind, SignIn, SignInKind};
use crate::metadata;
use crate::modes::environment::source::EnvironmentOnly;
use crate::os::Os;
use crate::sources::shared_files::SharedFiles;
use crate::sources::{Context, Given, Origin, Selected};
use crate::values::ProfileName;

/// A named profile: the mode's own (`as_mode`: its settings are the loader's too), or a
/// role's source credentials.
pub(crate) struct Profile<'a> {
    pub(crate) name: &'a ProfileName,
    pub(crate) as_mode: bool,
}

impl Origin for Profile<'_> {
    fn profile(&self, _os: &Os) -> Option<Selected> {
        Some(Selected {
            name: self.name.as_str().to_owned(),
            must_exist: true,
        })
    }

    fn credentials(&self, cx: &Context<'_>) -> Given {
        let provider = provider(self.name, cx.provider_config, cx.os, cx.shared);
        if self.as_mode {
            Given::Profile(self.name.as_str().to_owned(), provider)
        } else {
            Given::Provider(provider)
        }
    }

    fn hangs_as(&self, profile: Option<(&str, ProfileSource)>) -> Option<String> {
        profile.map(|(name, source)| source.describe(name))
    }
}

/// What a profile says about itself: its region, where its credentials come from, and how
/// long to wait for instance metadata.
#[derive(Debug, Default)]
pub(crate) struct ProfileFacts {
    pub(crate) region: Option<String>,
    pub(crate) source: ProfileSource,
    pub(crate) metadata: [Option<String>; 2],
    /// Every profile's `external_id`: aws-config sends them when it assumes a role of the
    /// chain, and an answer may quote what it was sent.
    pub(crate) external_ids: Vec<SecretString>,
    /// The sign-in session the chain starts from (SSO or `aws login`), and the profile that
    /// holds it: what a person renews when it expires.
    pub(crate) sign_in: Option<SignIn>,
    /// The profile's `ca_bundle`: the CA bundle its connections trust, as the AWS CLI reads
    /// it.
    pub(crate) ca_bundle: Option<String>,
    /// The profile's `use_fips_endpoint` and `use_dualstack_endpoint`, as written.
    pub(crate) endpoint_variants: [Option<String>; 2],
}

/// Where a profile's credentials come from, in aws-config's order of precedence.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) enum ProfileSource {
    RoleChain,
    WebIdentity,
    Sso,
    /// A console sign-in session (`login_session`, written by `aws login`).
    Login,
    Process,
    /// Keys in the file, or none (the profile may not exist).
    #[default]
    Keys,
}

impl ProfileSource {
    fn of(profile: &aws_runtime::env_config::section::Profile) -> Self {
        if profile.get("role_arn").is_some() {
            Self::RoleChain
        } else if profile.get("web_identity_token_file").is_some() {
            Self::WebIdentity
        } else if profile.get("sso_session").is_some() || profile.get("sso_start_url").is_some() {
            Self::Sso
        } else if profile.get("login_session").is_some() {
            Self::Login
        } else if profile.get("credential_process").is_some() {
            Self::Process
        } else {
            Self::Keys
        }
    }

    /// The cargo feature of this crate the source needs, if this build lacks it.
    pub(crate) fn missing_feature(self) -> Option<MissingFeature> {
        match self {
            Self::Sso if !cfg!(feature = "sso") => Some(MissingFeature::SSO),
            Self::Login if !cfg!(feature = "login") => Some(MissingFeature::LOGIN),
            _ => None,
        }
    }

    pub(crate) fn describe(self, name: &str) -> String {
        match self {
            Self::RoleChain => format!("the role chain of profile `{name}`"),
            Self::WebIdentity => format!("the web identity of profile `{name}`"),
            Self::Sso => format!("SSO of profile `{name}`"),
            Self::Login => format!("the console sign-in session (`aws login`) of profile `{name}`"),
            Self::Process => format!("credential_process of profile `{name}`"),
            Self::Keys => format!("profile `{name}`"),
        }
    }
}

/// A cargo feature of this crate that a profile needs: its name here and aws-config's, and
/// what the profile uses it for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MissingFeature {
    pub(crate) ours: &'static str,
    pub(crate) aws_config: &'static str,
    pub(crate) what: &'static str,
}

impl MissingFeature {
    const SSO: Self = Self {
        ours: "sso",
        aws_config: "sso",
        what: "IAM Identity Center (SSO, `sso_session` / `sso_start_url`)",
    };
    const LOGIN: Self = Self {
        ours: "login",
        aws_config: "credentials-login",
        what: "a console sign-in session (`login_session`, written by `aws login`)",
    };

    /// Ours, from the name aws-config gives it in `FeatureNotEnabled`.
    pub(crate) fn of_aws_config(feature: &str) -> Option<Self> {
        [Self::SSO, Self::LOGIN]
            .into_iter()
            .find(|f| f.aws_config == feature)
    }

    /// The error for `profile` (or a profile of its chain, when `None`): this crate's feature
    /// named, and how to turn it on.
    pub(crate) fn error(self, profile: Option<&str>) -> AuthError {
        let whose = match profile {
            Some(name) => format!("profile `{name}` uses"),
            None => "a profile of the chain uses".to_owned(),
        };
        AuthError::new(
            ErrorKind::InvalidConfig,
            format!(
                "{whose} {}, which this build of bedrock-auth cannot read: it was built without \
                 its `{}` feature",
                self.what, self.ours
            ),
            format!(
                "turn on bedrock-auth's `{0}` feature (`features = [\"{0}\"]` in Cargo.toml, \
                 `cargo build --features {0}`; the `cli` feature includes it), or choose a \
                 profile with another credential source",
                self.ours
            ),
        )
    }
}

/// A profile's `use_fips_endpoint` and `use_dualstack_endpoint`, as written.
fn variants_of(profile: &aws_runtime::env_config::section::Profile) -> [Option<String>; 2] {
    [crate::endpoints::FIPS, crate::endpoints::DUAL_STACK]
        .map(|variant| profile.get(variant.profile_key).map(str::to_owned))
}

/// The FIPS and dual-stack keys of the profile that aws-config reads them from when the mode
/// reads no profile of its own (`AWS_PROFILE`, else `default`); none when the files cannot be
/// read (aws-config then reads none either).
pub(crate) async fn endpoint_variants(os: &Os, shared: &SharedFiles) -> [Option<String>; 2] {
    let name = selected_profile(os);
    let profiles = aws_config::profile::load(
        &os.fs,
        &os.env,
        &shared.files,
        Some(Cow::Owned(name.clone())),
    )
    .await;
    match profiles
        .ok()
        .as_ref()
        .and_then(|set| set.get_profile(&name))
    {
        Some(profile) => variants_of(profile),
        None => [None, None],
    }
}

/// The profile the default chain reads: `AWS_PROFILE`, else `default`.
pub(crate) fn selected_profile(os: &Os) -> String {
    os.var("AWS_PROFILE")
        .unwrap_or_else(|| "default".to_owned())
}

/// The profile's `region` and credential source, after checking that a profile that must exist
/// does; its absence is an error that lists the profiles that do exist.
pub(crate) async fn facts(
    os: &Os,
    shared: &SharedFiles,
    name: &str,
    must_exist: bool,
) -> Result<ProfileFacts, AuthError> {
    if let (Some(unreadable), true) = (&shared.unreadable, must_exist) {
        return Err(AuthError::new(
            ErrorKind::InvalidConfig,
            format!("cannot read the shared config files: {unreadable}"),
            "fix the file named in the message, or AWS_CONFIG_FILE / \
             AWS_SHARED_CREDENTIALS_FILE",
        ));
    }
    let profiles = aws_config::profile::load(
        &os.fs,
        &os.env,
        &shared.files,
        Some(Cow::Owned(name.to_owned())),
    )
    .await;
    let profiles = match profiles {
        Ok(profiles) => profiles,
        Err(err) if must_exist => {
            return Err(AuthError::new(
                ErrorKind::InvalidConfig,
                format!("cannot read the shared config files: {err}"),
                "fix the file named in the message, or AWS_CONFIG_FILE / \
                 AWS_SHARED_CREDENTIALS_FILE",
            )
            .caused_by(err));
        }
        // The default chain copes without files; so do we.
        Err(_) => return Ok(ProfileFacts::default()),
    };
    refuse_blocking_token_files(os, &profiles, name)?;
    let sign_in = sign_in_of(&profiles, name);
    let external_ids = profiles
        .profiles()
        .filter_map(|name| profiles.get_profile(name)?.get("external_id"))
        .map(SecretString::from)
        .collect();
    match profiles.get_profile(name) {
        Some(profile) => {
            let source = ProfileSource::of(profile);
            if let Some(feature) = source.missing_feature() {
                return Err(feature.error(Some(name)));
            }
            Ok(ProfileFacts {
                region: profile.get("region").map(str::to_owned),
                source,
                metadata: metadata::PROFILE_KEYS.map(|key| profile.get(key).map(str::to_owned)),
                external_ids,
                sign_in,
                ca_bundle: profile.get("ca_bundle").map(str::to_owned),
                endpoint_variants: variants_of(profile),
            })
        }
        None if must_exist => {
            let mut available: Vec<String> = profiles.profiles().map(str::to_owned).collect();
            available.sort();
            Err(AuthError::profile_not_found(name, available))
        }
        None => Ok(ProfileFacts::default()),
    }
}

/// The `web_identity_token_file` of each profile of the chain from `name` (through
/// `source_profile`), refused when it is a FIFO, a device or a directory: aws-config reads it
/// as a file, and would block on a FIFO with no bound.
fn refuse_blocking_token_files(
    os: &Os,
    profiles: &aws_config::profile::ProfileSet,
    name: &str,
) -> Result<(), AuthError> {
    let mut at = Some(name.to_owned());
    // A chain longer than this is a loop, which aws-config refuses itself.
    for _ in 0..16 {
        let Some(profile) = at.as_deref().and_then(|name| profiles.get_profile(name)) else {
            return Ok(());
        };
        if let Some(path) = profile.get("web_identity_token_file") {
            refuse_blocking_token_file(os, path, &format!("profile `{}`", profile.name()))?;
        }
        at = profile.get("source_profile").map(str::to_owned);
    }
    Ok(())
}

/// The sign-in session the chain from `name` starts from: the first profile along
/// `source_profile` whose credentials come from SSO or `aws login` (a profile with keys, a
/// `credential_source`, a process or a web identity ends the chain without one).
fn sign_in_of(profiles: &aws_config::profile::ProfileSet, name: &str) -> Option<SignIn> {
    let mut at = name.to_owned();
    // A chain longer than this is a loop, which aws-config refuses itself.
    for _ in 0..16 {
        let profile = profiles.get_profile(&at)?;
        let kind = match ProfileSource::of(profile) {
            ProfileSource::Sso => SignInKind::Sso,
            ProfileSource::Login => SignInKind::Login,
            ProfileSource::RoleChain => {
                at = profile.get("source_profile")?.to_owned();
                continue;
            }
            ProfileSource::WebIdentity | ProfileSource::Process | ProfileSource::Keys => {
                return None;
            }
        };
        return Some(SignIn::new(kind, profile.name()));
    }
    None
}

/// A web identity token file that is there and not a regular file, refused naming `whose`.
pub(crate) fn refuse_blocking_token_file(
    os: &Os,
    path: &str,
    whose: &str,
) -> Result<(), AuthError> {
    match os.not_regular(std::path::Path::new(path)) {
        Some(is) => Err(AuthError::new(
            ErrorKind::InvalidConfig,
            format!(
                "the web identity token file of {whose} ({}) is {is}, not a regular file: it \
                 was not read (a FIFO would block)",
                crate::printable::printable(path)
            ),
            "point it at the token file itself (on EKS, the projected token's path)",
        )),
        None => Ok(()),
    }
}

/// aws-config's profile provider for the named profile. Its named credential source
/// `Environment` reads the manager's environment (the process's, or a sandbox's).
pub(crate) fn provider(
    name: &ProfileName,
    config: &ProviderConfig,
    os: &Os,
    shared: &SharedFiles,
) -> SharedCredentialsProvider {
    // aws-config reads the files of a provider built here from the process's file system,
    // whatever `os` is: hand it the files as `os` read them.
    let builder = ProfileFileCredentialsProvider::builder()
        .profile_name(name.as_str())
        .with_custom_provider("Environment", EnvironmentOnly::new(os))
        .configure(config)
        .profile_files(shared.files.clone());
    SharedCredentialsProvider::new(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The builds that run the tests have every feature (the `cli` feature turns on `sso` and
    /// `login`), so the refusal of a build without them is shown here on its parts.
    #[test]
    fn a_missing_feature_is_named_as_this_crate_names_it_with_the_profile() {
        let login = MissingFeature::of_aws_config("credentials-login").expect("known");
        assert_eq!(login, MissingFeature::LOGIN);
        assert_eq!(
            MissingFeature::of_aws_config("sso"),
            Some(MissingFeature::SSO)
        );
        assert_eq!(MissingFeature::of_aws_config("credentials-process"), None);

        let err = login.error(Some("signin"));
        assert_eq!(err.kind(), ErrorKind::InvalidConfig);
        let message = err.message();
        assert!(message.contains("profile `signin`"), "{message}");
        assert!(message.contains("`aws login`"), "{message}");
        assert!(message.contains("`login` feature"), "{message}");
        assert!(
            !message.contains("credentials-login"),
            "aws-config's name: {message}"
        );
        assert!(err.hint().contains("--features login"), "{}", err.hint());

        let chained = MissingFeature::SSO.error(None);
        assert!(chained.message().contains("a profile of the chain"));
        assert!(chained.hint().contains("--features sso"));
    }

    #[test]
    fn sso_and_login_sessions_need_their_features_and_keys_need_none() {
        assert_eq!(
            ProfileSource::Login.missing_feature().is_some(),
            !cfg!(feature = "login")
        );
        assert_eq!(
            ProfileSource::Sso.missing_feature().is_some(),
            !cfg!(feature = "sso")
        );
        assert_eq!(ProfileSource::Keys.missing_feature(), None);
    }
}
