//! Assume-role mode's state: the role's options, and the state of its source credentials.
//!
//! The source is chosen once: choosing it moves [`AssumeRole<S>`] from [`WantsSource`] (or
//! [`WantsSigningSource`]) to the state of that source, which has no `source_*` methods. A
//! web identity's state ([`WebIdentitySource`]) takes only what `AssumeRoleWithWebIdentity`
//! takes, and an option only a signed `AssumeRole` takes, written before the source, moves the
//! builder to [`WantsSigningSource`], where a web identity cannot be chosen. Each refusal is a
//! compile error through a sealed trait whose `#[diagnostic::on_unimplemented]` says what to do.

use super::{ModeChosen, ModeConfig, ModeState, private};
use crate::error::{Problem, Rule, ValueError, ValueKind};
use crate::mfa::Mfa;
use crate::settings::Settings;
use crate::static_keys::StaticKeys;
use crate::values::{
    ExternalId, MAX_POLICY_ARNS, MAX_SESSION_TAGS, PolicyArn, ProfileName, RoleArn,
    SessionDuration, SessionName, SessionPolicy, SessionTag, SourceIdentity, TagKey,
};
use crate::web_identity::WebIdentityToken;

pub(crate) mod builder;
pub(crate) mod config;
pub(crate) mod source;
pub(crate) mod web_identity_source;

/// The credentials used to call STS when assuming a role.
#[derive(Debug, Clone)]
// Reachable only through the sealed source states' private trait (`IntoSource`): no path
// outside the crate names it, nor the token it holds.
#[allow(private_interfaces)]
pub enum Source {
    /// The standard default chain.
    Auto,
    /// A named profile.
    Profile(ProfileName),
    /// The three `AWS_*` credential variables.
    Environment,
    /// A static key pair.
    Static(StaticKeys),
    /// No source credentials: an OIDC token, for `AssumeRoleWithWebIdentity`.
    WebIdentity(WebIdentityToken),
}

/// What role mode holds once built.
#[derive(Debug, Clone)]
pub struct RoleConfig {
    pub(crate) role_arn: RoleArn,
    pub(crate) external_id: Option<ExternalId>,
    pub(crate) session_name: Option<SessionName>,
    pub(crate) duration: SessionDuration,
    pub(crate) mfa: Option<Mfa>,
    pub(crate) session: RoleSession,
    pub(crate) source: Source,
}

/// Assume-role mode: STS `AssumeRole` with the given role, called with source credentials (or
/// `AssumeRoleWithWebIdentity`, with a web identity token).
///
/// `S` is the state of the role's source credentials: [`WantsSource`] (the default, what
/// [`assume_role`](crate::AuthBuilder::assume_role) returns), [`WantsSigningSource`],
/// [`AutoSource`], [`ProfileSource`], [`EnvironmentSource`], [`StaticSource`] or [`WebIdentitySource`].
#[derive(Debug)]
pub struct AssumeRole<S: SourceState = WantsSource> {
    pub(crate) role_arn: Option<RoleArn>,
    pub(crate) external_id: Option<ExternalId>,
    pub(crate) session_name: Option<SessionName>,
    pub(crate) duration: SessionDuration,
    pub(crate) mfa: Option<Mfa>,
    pub(crate) session: RoleSession,
    pub(crate) source: S,
}

impl AssumeRole {
    pub(crate) fn new(role_arn: Option<RoleArn>) -> Self {
        Self {
            role_arn,
            external_id: None,
            session_name: None,
            duration: SessionDuration::DEFAULT,
            mfa: None,
            session: RoleSession::default(),
            source: WantsSource,
        }
    }
}

impl<S: SourceState> AssumeRole<S> {
    /// The same role, its source in the state `change` makes of it.
    pub(crate) fn map_source<N: SourceState>(self, change: impl FnOnce(S) -> N) -> AssumeRole<N> {
        AssumeRole {
            role_arn: self.role_arn,
            external_id: self.external_id,
            session_name: self.session_name,
            duration: self.duration,
            mfa: self.mfa,
            session: self.session,
            source: change(self.source),
        }
    }
}

/// What an `AssumeRole` asks of the session beyond the role itself: tags, scope-down policies
/// and who is behind it.
#[derive(Debug, Clone, Default)]
pub(crate) struct RoleSession {
    pub(crate) tags: Vec<SessionTag>,
    pub(crate) transitive_tag_keys: Vec<TagKey>,
    pub(crate) policy: Option<SessionPolicy>,
    pub(crate) policy_arns: Vec<PolicyArn>,
    pub(crate) source_identity: Option<SourceIdentity>,
}

impl RoleSession {
    /// The limits STS sets on one request, each broken one a problem: at most 50 tags and
    /// transitive keys, 10 policy ARNs, one value per tag key (keys compare without case).
    fn check(&self, problems: &mut Vec<Problem>) {
        let too_many = |field: &'static str, kind, count: usize, max: usize| {
            (count > max).then(|| {
                Problem::new(
                    field,
                    ValueError::without_value(kind, Rule::TooMany { max }),
                )
            })
        };
        problems.extend(too_many(
            "session_tags",
            ValueKind::SessionTag,
            self.tags.len(),
            MAX_SESSION_TAGS,
        ));
        problems.extend(too_many(
            "transitive_tag_keys",
            ValueKind::TagKey,
            self.transitive_tag_keys.len(),
            MAX_SESSION_TAGS,
        ));
        problems.extend(too_many(
            "policy_arns",
            ValueKind::PolicyArn,
            self.policy_arns.len(),
            MAX_POLICY_ARNS,
        ));
        let twice = self.tags.iter().enumerate().find_map(|(i, tag)| {
            self.tags[..i]
                .iter()
                .any(|earlier| earlier.key().same_as(tag.key()))
                .then_some(tag)
        });
        if let Some(tag) = twice {
            let error =
                ValueError::new(ValueKind::TagKey, tag.key().as_str(), Rule::DuplicateTagKey);
            problems.push(Problem::new("session_tags", error));
        }
    }
}

// ----- the source's states ----------------------------------------------------------------

/// No source chosen yet, what [`assume_role`](crate::AuthBuilder::assume_role) returns: any
/// `source_*` may follow, once; with none, STS is called with the standard chain's credentials.
#[derive(Debug)]
#[non_exhaustive]
pub struct WantsSource;

/// No source chosen yet, and an option given that only a signed `AssumeRole` takes
/// (`external_id`, `mfa`, `session_tag(s)`, `transitive_tag_keys`, `source_identity`): the
/// source may be a profile, the environment, a key pair or the standard chain, not a web
/// identity.
#[derive(Debug)]
#[non_exhaustive]
pub struct WantsSigningSource;

/// The source is the standard chain, chosen on purpose
/// ([`source_auto`](crate::AuthBuilder::source_auto)): as with no source, but the state no longer
/// changes, so that options may be given conditionally (`if let Some(id) = .. { builder =
/// builder.external_id(id) }`).
#[derive(Debug)]
#[non_exhaustive]
pub struct AutoSource;

/// The source is a named profile ([`source_profile`](crate::AuthBuilder::source_profile)).
#[derive(Debug)]
pub struct ProfileSource {
    /// `None` when the name was invalid (a problem is recorded).
    pub(crate) name: Option<ProfileName>,
}

/// The source is the three `AWS_*` credential variables
/// ([`source_environment`](crate::AuthBuilder::source_environment)).
#[derive(Debug)]
#[non_exhaustive]
pub struct EnvironmentSource;

/// The source is a key pair ([`source_static`](crate::AuthBuilder::source_static)), which
/// takes its [`source_session_token`](crate::AuthBuilder::source_session_token).
#[derive(Debug)]
pub struct StaticSource {
    /// `None` when the access key id was invalid (a problem is recorded).
    pub(crate) keys: Option<StaticKeys>,
}

/// The source is a web identity token
/// ([`source_web_identity`](crate::AuthBuilder::source_web_identity),
/// [`source_web_identity_token`](crate::AuthBuilder::source_web_identity_token)): STS
/// `AssumeRoleWithWebIdentity`, which takes a session name, a duration and scope-down policies,
/// and no external id, MFA, session tags or source identity.
#[derive(Debug)]
pub struct WebIdentitySource {
    pub(crate) token: WebIdentityToken,
}

/// Any state of a role's source credentials. Sealed.
pub trait SourceState: private::SourceSealed + private::IntoSource {}

/// A state that takes assume-role options: only [`AssumeRole`]. Sealed.
#[diagnostic::on_unimplemented(
    message = "assume-role options need assume-role mode, but this builder is in `{Self}` mode",
    label = "only available after `.assume_role(role_arn)`",
    note = "`external_id`, `session_name`, `duration`, `mfa`, the session's tags and policies (`session_tag`, `transitive_tag_keys`, `session_policy`, `policy_arns`), `source_identity` and `source_*` configure `AssumeRole`: start with `.assume_role(role_arn)` to use them; an API key (`ApiKey` mode) is sent as it is and takes none of them"
)]
pub trait TakesRoleOptions: ModeState + private::RoleState<Self::Source> {
    /// The state of the role's source credentials.
    type Source: SourceState;
}

/// A source state in which the source can still be chosen: [`WantsSource`] and
/// [`WantsSigningSource`]. Sealed.
#[diagnostic::on_unimplemented(
    message = "the role's source credentials are already chosen (`{Self}`); a role takes one source",
    label = "second source chosen here",
    note = "call only one of `source_profile`, `source_environment`, `source_static`, `source_web_identity`, `source_web_identity_token`, `source_auto` (or none, for the standard chain)"
)]
pub trait NoSourceYet: SourceState {}

/// A source state that takes the options only a signed `AssumeRole` takes (`external_id`,
/// `mfa`, `session_tag(s)`, `transitive_tag_keys`, `source_identity`): every state but
/// [`WebIdentitySource`]. After such an option, [`WantsSource`] is [`WantsSigningSource`]; the
/// other states stay. Sealed.
#[diagnostic::on_unimplemented(
    message = "the role's source is a web identity (`{Self}`), and `AssumeRoleWithWebIdentity` does not take this option",
    label = "not taken with a web identity source",
    note = "STS AssumeRoleWithWebIdentity has the caller in the token, and no external id, MFA, session tags or source identity: remove this call, or choose a source that signs `AssumeRole` (`source_profile`, `source_environment`, `source_static`, or none for the standard chain); a web identity takes `session_name`, `duration`, `session_policy` and `policy_arns`"
)]
pub trait TakesSigningOptions: SourceState {}

/// A source state after which a web identity may be chosen: every state but
/// [`WantsSigningSource`] (those that have a source already refuse it through
/// [`NoSourceYet`]). Sealed.
#[diagnostic::on_unimplemented(
    message = "a web identity cannot be the source after an option that `AssumeRoleWithWebIdentity` does not take (`{Self}`)",
    label = "web identity chosen after `external_id`, `mfa`, `session_tag(s)`, `transitive_tag_keys` or `source_identity`",
    note = "STS AssumeRoleWithWebIdentity has the caller in the token, and no external id, MFA, session tags or source identity: remove those calls, or choose a source that signs `AssumeRole` (`source_profile`, `source_environment`, `source_static`, or none for the standard chain)"
)]
pub trait TakesWebIdentity: SourceState {}

/// A source state that takes a source session token: only [`StaticSource`]. Sealed.
#[diagnostic::on_unimplemented(
    message = "`source_session_token` completes a source key pair, but the role's source is `{Self}`",
    label = "only available after `.source_static(key_id, secret)`",
    note = "call `.source_static(key_id, secret)` first, then `.source_session_token(token)`; a profile, the environment and the standard chain bring their own token, and a web identity needs none"
)]
pub trait TakesSourceSessionToken: SourceState + private::StaticSourceState {}

macro_rules! source_states {
    ($($state:ident),*) => {
        $(
            impl private::SourceSealed for $state {}
            impl SourceState for $state {}
        )*
    };
}
source_states!(
    WantsSource,
    WantsSigningSource,
    AutoSource,
    ProfileSource,
    EnvironmentSource,
    StaticSource,
    WebIdentitySource
);

impl NoSourceYet for WantsSource {}
impl NoSourceYet for WantsSigningSource {}

impl TakesWebIdentity for WantsSource {}
impl TakesWebIdentity for AutoSource {}
impl TakesWebIdentity for ProfileSource {}
impl TakesWebIdentity for EnvironmentSource {}
impl TakesWebIdentity for StaticSource {}
impl TakesWebIdentity for WebIdentitySource {}

impl TakesSigningOptions for WantsSource {}
impl TakesSigningOptions for WantsSigningSource {}
impl TakesSigningOptions for AutoSource {}
impl TakesSigningOptions for ProfileSource {}
impl TakesSigningOptions for EnvironmentSource {}
impl TakesSigningOptions for StaticSource {}

impl TakesSourceSessionToken for StaticSource {}
impl private::StaticSourceState for StaticSource {
    fn keys(&mut self) -> &mut Option<StaticKeys> {
        &mut self.keys
    }
}

impl private::IntoSource for WantsSource {
    fn into_source(self) -> Option<Source> {
        Some(Source::Auto)
    }
}
impl private::IntoSource for WantsSigningSource {
    fn into_source(self) -> Option<Source> {
        Some(Source::Auto)
    }
}
impl private::IntoSource for AutoSource {
    fn into_source(self) -> Option<Source> {
        Some(Source::Auto)
    }
}
impl private::IntoSource for ProfileSource {
    fn into_source(self) -> Option<Source> {
        self.name.map(Source::Profile)
    }
}
impl private::IntoSource for EnvironmentSource {
    fn into_source(self) -> Option<Source> {
        Some(Source::Environment)
    }
}
impl private::IntoSource for StaticSource {
    fn into_source(self) -> Option<Source> {
        self.keys.map(Source::Static)
    }
}
impl private::IntoSource for WebIdentitySource {
    fn into_source(self) -> Option<Source> {
        Some(Source::WebIdentity(self.token))
    }
}

// ----- the mode ---------------------------------------------------------------------------

impl<S: SourceState> private::Sealed for AssumeRole<S> {}
impl<S: SourceState> ModeState for AssumeRole<S> {}

impl<S: SourceState> ModeChosen for AssumeRole<S> {}
impl<S: SourceState> private::Finish for AssumeRole<S> {
    fn finish(self, _: &Settings, problems: &mut Vec<Problem>) -> Option<ModeConfig> {
        self.session.check(problems);
        // `None`: an invalid profile name or key id, its problem recorded.
        let source = self.source.into_source()?;
        let role = RoleConfig {
            role_arn: self.role_arn?,
            external_id: self.external_id,
            session_name: self.session_name,
            duration: self.duration,
            mfa: self.mfa,
            session: self.session,
            source,
        };
        Some(ModeConfig::AssumeRole(Box::new(role)))
    }
}

impl<S: SourceState> TakesRoleOptions for AssumeRole<S> {
    type Source = S;
}
impl<S: SourceState> private::RoleState<S> for AssumeRole<S> {
    fn role(&mut self) -> &mut AssumeRole<S> {
        self
    }
}

impl private::AfterSigning<AssumeRole<WantsSigningSource>> for AssumeRole<WantsSource> {
    fn after_signing(self) -> AssumeRole<WantsSigningSource> {
        self.map_source(|_| WantsSigningSource)
    }
}
// A web identity stays too: `TakesSigningOptions` refuses the call.
macro_rules! signing_stays {
    ($($state:ident),*) => {
        $(
            impl private::AfterSigning<AssumeRole<$state>> for AssumeRole<$state> {
                fn after_signing(self) -> Self {
                    self
                }
            }
        )*
    };
}
signing_stays!(
    WantsSigningSource,
    AutoSource,
    ProfileSource,
    EnvironmentSource,
    StaticSource,
    WebIdentitySource
);

impl<S: SourceState, N: SourceState> private::WithSource<N, AssumeRole<N>> for AssumeRole<S> {
    fn with_source(self, source: N) -> AssumeRole<N> {
        self.map_source(|_| source)
    }
}

/// The options `AssumeRoleWithWebIdentity` does not take, by the names the builder's problems
/// and a configuration's keys give them: what [`TakesSigningOptions`] refuses when the program
/// compiles. A configuration's source is known only when it is read: it refuses each of them
/// that it gives with a web identity source with [`not_with_web_identity`], the same rule.
pub(crate) const SIGNING_ONLY: [&str; 5] = [
    "external_id",
    "mfa_serial",
    "session_tags",
    "transitive_tag_keys",
    "source_identity",
];

/// Why an option of [`SIGNING_ONLY`] given with a web identity source is refused, in the words
/// of [`Rule::NotWithWebIdentity`].
pub(crate) fn not_with_web_identity() -> ValueError {
    ValueError::without_value(ValueKind::RoleSource, Rule::NotWithWebIdentity)
}
