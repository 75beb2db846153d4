//! The builder's states: one type per mode, and what each state allows; and each mode in one
//! place.
//!
//! [`AuthBuilder<M>`](crate::AuthBuilder) carries its mode as `M`. A program names these types
//! only to write a builder's type down (`AuthBuilder<AssumeRole>`) or to be generic over the
//! states that take an option (`M: TakesRoleOptions`). [`ModeKind`] is the mode of a built
//! manager, as [`info()`](crate::AuthManager::info) and the JSON reports name it.
//!
//! Assume-role mode has a second parameter, the state of its source credentials:
//! `AssumeRole<S = WantsSource>`. `AuthBuilder<AssumeRole>` is the builder `.assume_role(..)`
//! returns; once a source is chosen it is `AuthBuilder<AssumeRole<ProfileSource>>`,
//! `<EnvironmentSource>`, `<StaticSource>` or `<WebIdentitySource>`, and after an option that only
//! a signed `AssumeRole` takes (`external_id`, `mfa`, session tags, `source_identity`), before a
//! source, `AuthBuilder<AssumeRole<WantsSigningSource>>`. [The guide](crate::guide::modes)
//! says why.
//!
//! The traits carry `#[diagnostic::on_unimplemented]` messages, so a call in the wrong state is
//! a compile error that says what to do instead.

// For contributors: each mode is a file and a folder of the same name, `src/modes/<mode>.rs`
// (its state: the marker type and what `build()` makes of it) and `src/modes/<mode>/`, a file
// per part: `builder.rs` (the builder's methods in that state), `source.rs` (where its
// credentials come from, as the loading pipeline of `sources` asks), `config.rs` (its keys
// of a configuration, checked). Each part sits in the layer of its kind (`tests/it/layers.rs`).
// A new mode is that file and folder, a `ModeConfig` and `ModeKind` variant, and one line
// in each of the three dispatches: `sources::origin`, the checker's `run`, `ModeConfig::kind`.

use crate::error::{AuthError, Problem};
use crate::rotation::SourceProvider;
use crate::settings::Settings;
use crate::static_keys::StaticKeys;
use crate::values::ProfileName;

pub(crate) mod api_key;
pub(crate) mod assume_role;
pub(crate) mod auto;
pub(crate) mod custom;
pub(crate) mod environment;
pub(crate) mod profile;
pub(crate) mod static_credentials;

pub use crate::mode_kind::ModeKind;
pub use api_key::{ApiKey, ApiKeyConfig, ApiKeySource, BearerKey};
pub(crate) use api_key::{BEARER_TOKEN_VAR, env_key};
pub use assume_role::{
    AssumeRole, AutoSource, EnvironmentSource, NoSourceYet, ProfileSource, RoleConfig, Source,
    SourceState, StaticSource, TakesRoleOptions, TakesSigningOptions, TakesSourceSessionToken,
    TakesWebIdentity, WantsSigningSource, WantsSource, WebIdentitySource,
};
pub(crate) use assume_role::{RoleSession, SIGNING_ONLY, not_with_web_identity};
pub use auto::Auto;
pub use custom::CustomSource;
pub use environment::Environment;
pub use profile::Profile;
pub use static_credentials::StaticCredentials;

/// No mode chosen yet: call [`profile`](crate::AuthBuilder::profile),
/// [`environment`](crate::AuthBuilder::environment),
/// [`static_credentials`](crate::AuthBuilder::static_credentials),
/// [`assume_role`](crate::AuthBuilder::assume_role), [`auto`](crate::AuthBuilder::auto),
/// [`credential_source`](crate::AuthBuilder::credential_source) or
/// [`api_key`](crate::AuthBuilder::api_key).
#[derive(Debug)]
#[non_exhaustive]
pub struct WantsMode;

/// How a manager made from a configuration makes its mode again, reading the secret files and
/// variables the configuration names anew: for credentials that change underneath it.
#[derive(Clone)]
pub(crate) struct Remake {
    /// The secret files the configuration reads (checked for changes).
    pub(crate) files: Vec<std::path::PathBuf>,
    /// The mode, made again; or why the configuration no longer makes one.
    pub(crate) mode: std::sync::Arc<dyn Fn() -> Result<ModeConfig, AuthError> + Send + Sync>,
}

impl std::fmt::Debug for Remake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remake")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

/// A chosen and checked mode, as the manager holds it.
#[derive(Debug, Clone)]
pub enum ModeConfig {
    /// Profile mode.
    Profile(ProfileName),
    /// Environment mode.
    Environment,
    /// Static mode.
    Static(StaticKeys),
    /// Assume-role mode.
    AssumeRole(Box<RoleConfig>),
    /// Auto mode.
    Auto,
    /// Custom-source mode.
    Custom(SourceProvider),
    /// API-key mode.
    ApiKey(ApiKeyConfig),
}

impl ModeConfig {
    /// The mode's kind: the one mapping from a checked mode to its name.
    pub fn kind(&self) -> ModeKind {
        match self {
            Self::Profile(_) => ModeKind::Profile,
            Self::Environment => ModeKind::Environment,
            Self::Static(_) => ModeKind::Static,
            Self::AssumeRole(_) => ModeKind::AssumeRole,
            Self::Auto => ModeKind::Auto,
            Self::Custom(_) => ModeKind::Custom,
            Self::ApiKey(_) => ModeKind::ApiKey,
        }
    }
}

// `pub` items in a private module: bounds of public traits that users can neither name nor
// implement (the sealed-trait pattern), so the capability traits below stay closed.
pub(crate) mod private {
    use super::*;

    pub trait Sealed {}

    /// Sealed apart from the modes: a role's source state is no mode.
    pub trait SourceSealed {}

    pub trait Finish {
        /// The checked mode, or `None` when a problem was recorded for it (before, or here
        /// with what only `build()` can see: the settings and the environment).
        fn finish(self, settings: &Settings, problems: &mut Vec<Problem>) -> Option<ModeConfig>;
    }

    /// A role's mode, its source in state `S`.
    pub trait RoleState<S: SourceState> {
        fn role(&mut self) -> &mut AssumeRole<S>;
    }

    /// What a role's source becomes when it is built; `None` when a problem was recorded.
    pub trait IntoSource {
        fn into_source(self) -> Option<Source>;
    }

    /// `Self` after an option that only a signed `AssumeRole` takes is `Next`: a role that
    /// wants a source then wants one that signs; any other state stays as it is.
    pub trait AfterSigning<Next> {
        fn after_signing(self) -> Next;
    }

    /// `Self` with its role's source chosen (in state `S`) is `Next`; any other state stays as
    /// it is.
    pub trait WithSource<S, Next> {
        fn with_source(self, source: S) -> Next;
    }

    /// A source key pair, which takes its session token.
    pub trait StaticSourceState {
        fn keys(&mut self) -> &mut Option<StaticKeys>;
    }

    pub trait StaticState {
        fn static_keys(&mut self) -> &mut StaticCredentials;
    }
}

/// Any state of the builder. Sealed.
pub trait ModeState: private::Sealed {}

/// A state in which a mode can still be chosen: only [`WantsMode`]. Sealed.
#[diagnostic::on_unimplemented(
    message = "an authentication mode is already chosen (`{Self}`); a builder takes exactly one",
    label = "second mode chosen here",
    note = "keep one of `.profile(..)`, `.environment()`, `.static_credentials(..)`, `.assume_role(..)`, `.auto()`, `.credential_source(..)`, `.api_key(..)`; for source credentials of a role use `.source_profile(..)`, `.source_environment()` or `.source_static(..)`"
)]
pub trait NoModeYet: ModeState {}

/// A state with a mode chosen, ready to [`build`](crate::AuthBuilder::build). Sealed.
#[diagnostic::on_unimplemented(
    message = "no authentication mode chosen: `build()` needs one",
    label = "`build()` called before a mode was chosen",
    note = "call one of `.profile(name)`, `.environment()`, `.static_credentials(key_id, secret)`, `.assume_role(role_arn)`, `.auto()`, `.credential_source(source)` or `.api_key(key)` before `.build()`"
)]
pub trait ModeChosen: ModeState + private::Finish {}

/// A state that takes a session token: only [`StaticCredentials`]. Sealed.
#[diagnostic::on_unimplemented(
    message = "`session_token` belongs to static credentials, but this builder is in `{Self}` mode",
    label = "only available after `.static_credentials(key_id, secret)`",
    note = "a session token completes a static key pair: call `.static_credentials(key_id, secret)` first; other modes get their token from their own source, and an API key (`ApiKey` mode) needs none"
)]
pub trait TakesSessionToken: ModeState + private::StaticState {}

// A role's option or source in another state is refused by `TakesRoleOptions`; the state stays
// as it is (`AfterSigning`, `WithSource`), so that one wrong call is one compile error.
macro_rules! states {
    ($($state:ident),*) => {
        $(
            impl private::Sealed for $state {}
            impl ModeState for $state {}
            impl private::AfterSigning<$state> for $state {
                fn after_signing(self) -> Self {
                    self
                }
            }
            impl<S> private::WithSource<S, $state> for $state {
                fn with_source(self, _: S) -> Self {
                    self
                }
            }
        )*
    };
}
states!(
    WantsMode,
    Profile,
    Environment,
    StaticCredentials,
    Auto,
    CustomSource,
    ApiKey
);

impl NoModeYet for WantsMode {}

#[cfg(test)]
mod tests {
    use super::ModeKind;

    /// The folder of each mode: the match has no wildcard, so a new mode does not compile
    /// until it has one.
    fn folder(kind: ModeKind) -> (&'static str, bool) {
        // (the folder, whether a configuration can choose the mode: then it has keys to check)
        match kind {
            ModeKind::Profile => ("profile", true),
            ModeKind::Environment => ("environment", false),
            ModeKind::Static => ("static_credentials", true),
            ModeKind::AssumeRole => ("assume_role", true),
            ModeKind::Auto => ("auto", false),
            ModeKind::Custom => ("custom", false),
            ModeKind::ApiKey => ("api_key", true),
        }
    }

    /// Each mode is one place: its state `src/modes/<mode>.rs`, and in `src/modes/<mode>/` its
    /// builder methods, its source and (for a mode with keys) its configuration check.
    #[test]
    fn every_mode_is_a_file_and_a_folder_of_its_parts() {
        let modes = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/modes");
        let kinds = [
            ModeKind::Profile,
            ModeKind::Environment,
            ModeKind::Static,
            ModeKind::AssumeRole,
            ModeKind::Auto,
            ModeKind::Custom,
            ModeKind::ApiKey,
        ];
        let mut folders = Vec::new();
        for kind in kinds {
            let (name, keyed) = folder(kind);
            folders.push(name.to_owned());
            assert!(modes.join(format!("{name}.rs")).is_file(), "{name}.rs");
            for part in ["builder.rs", "source.rs"] {
                assert!(modes.join(name).join(part).is_file(), "{name}/{part}");
            }
            assert_eq!(
                modes.join(name).join("config.rs").is_file(),
                keyed,
                "{name}/config.rs"
            );
        }
        let mut found: Vec<String> = std::fs::read_dir(&modes)
            .unwrap()
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter_map(|name| name.strip_suffix(".rs").map(str::to_owned))
            .collect();
        found.sort();
        folders.sort();
        assert_eq!(found, folders, "a file in src/modes/ that is no mode");
    }
}
