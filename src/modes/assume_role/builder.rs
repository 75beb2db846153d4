//! Choosing assume-role mode, and its options: the role's session (external id, name, duration, MFA, tags,
//! scope-down policies, source identity) and where the credentials that call STS come from.
//!
//! Options every role takes return `Self`. The options only a signed `AssumeRole` takes move
//! [`WantsSource`](crate::modes::WantsSource) to
//! [`WantsSigningSource`](crate::modes::WantsSigningSource) and are refused for a web identity;
//! each `source_*` moves the builder to its source's state, which has no `source_*` of its own.

use crate::error::ValueKind;
use crate::mfa::{Mfa, MfaProvider};
use crate::modes::private::{AfterSigning, StaticSourceState, WithSource};
use crate::modes::{
    AutoSource, EnvironmentSource, ModeState, NoSourceYet, ProfileSource, StaticSource,
    TakesRoleOptions, TakesSigningOptions, TakesSourceSessionToken, TakesWebIdentity,
    WebIdentitySource,
};
use crate::secret::IntoSecret;
use crate::static_keys::StaticKeys;
use crate::values::{
    AccessKeyId, ExternalId, IntoValue, MfaSerial, PolicyArn, ProfileName, SessionDuration,
    SessionName, SessionPolicy, SessionTag, SourceIdentity, TagKey,
};
use crate::web_identity::{WebIdentityProvider, WebIdentityToken};

use crate::builder::AuthBuilder;
use crate::error::Problem;
use crate::modes::{AssumeRole, NoModeYet};
use crate::values::RoleArn;

impl<M: ModeState> AuthBuilder<M> {
    /// Assume-role mode: credentials from STS `AssumeRole` for this role. Configure it with
    /// [`external_id`](AuthBuilder::external_id), [`session_name`](AuthBuilder::session_name),
    /// [`duration`](AuthBuilder::duration), [`mfa`](AuthBuilder::mfa) and one of the `source_*`
    /// methods (default source: the standard chain), in any order.
    pub fn assume_role(mut self, role_arn: impl IntoValue<RoleArn>) -> AuthBuilder<AssumeRole>
    where
        M: NoModeYet,
    {
        let role_arn = self.check("role_arn", role_arn);
        self.with_mode(AssumeRole::new(role_arn))
    }

    /// The same builder in the state after an option that only a signed `AssumeRole` takes.
    pub(crate) fn signing<N: ModeState>(self) -> AuthBuilder<N>
    where
        M: TakesRoleOptions + AfterSigning<N>,
        M::Source: TakesSigningOptions,
    {
        self.map_mode(AfterSigning::after_signing)
    }

    /// The same builder, its role's source chosen.
    fn choose_source<S, N: ModeState>(self, source: S) -> AuthBuilder<N>
    where
        M: TakesRoleOptions + WithSource<S, N>,
    {
        self.map_mode(|mode| mode.with_source(source))
    }

    // ----- what every role takes ----------------------------------------------------------

    /// The role session name, shown in CloudTrail; a valid default is used when not given.
    pub fn session_name(mut self, session_name: impl IntoValue<SessionName>) -> Self
    where
        M: TakesRoleOptions,
    {
        self.mode.role().session_name = self.check("session_name", session_name);
        self
    }

    /// How long the role credentials last: 900 to 43200 seconds, default 3600. Accepts a
    /// [`SessionDuration`], a [`Duration`](std::time::Duration) or a number of seconds.
    pub fn duration(mut self, duration: impl IntoValue<SessionDuration>) -> Self
    where
        M: TakesRoleOptions,
    {
        if let Some(duration) = self.check("duration_secs", duration) {
            self.mode.role().duration = duration;
        }
        self
    }

    /// An inline session policy (a JSON policy document, at most 2048 characters): the session
    /// may do only what both the role and this policy allow, such as one tenant's models.
    pub fn session_policy(mut self, policy: impl IntoValue<SessionPolicy>) -> Self
    where
        M: TakesRoleOptions,
    {
        self.mode.role().session.policy = self.check("session_policy", policy);
        self
    }

    /// Managed policies that scope the session down, as [`session_policy`](Self::session_policy)
    /// does (at most 10).
    pub fn policy_arns<P: IntoValue<PolicyArn>>(mut self, arns: impl IntoIterator<Item = P>) -> Self
    where
        M: TakesRoleOptions,
    {
        for arn in arns {
            if let Some(arn) = self.check("policy_arns", arn) {
                self.mode.role().session.policy_arns.push(arn);
            }
        }
        self
    }

    // ----- what only a signed AssumeRole takes (not a web identity) -----------------------

    /// The external id the role's trust policy requires. Not with a web identity source.
    pub fn external_id<N: ModeState>(
        mut self,
        external_id: impl IntoValue<ExternalId>,
    ) -> AuthBuilder<N>
    where
        M: TakesRoleOptions + AfterSigning<N>,
        M::Source: TakesSigningOptions,
    {
        self.mode.role().external_id = self.check("external_id", external_id);
        self.signing()
    }

    /// Multi-factor authentication: the device's serial (or ARN) and where the current token
    /// code comes from; the source is asked each time new credentials are needed. Not with a
    /// web identity source.
    pub fn mfa<N: ModeState>(
        mut self,
        serial: impl IntoValue<MfaSerial>,
        token_source: impl MfaProvider,
    ) -> AuthBuilder<N>
    where
        M: TakesRoleOptions + AfterSigning<N>,
        M::Source: TakesSigningOptions,
    {
        let token_source = std::sync::Arc::new(token_source);
        self.mode.role().mfa = self.check("mfa_serial", serial).map(|serial| Mfa {
            serial,
            token_source,
        });
        self.signing()
    }

    /// A session tag: STS attaches `key=value` to the role session, for `aws:PrincipalTag`
    /// conditions in policies and for cost allocation (Bedrock's cost is attributed to the
    /// calling principal and its tags in the Cost and Usage Report). Repeatable, at most 50;
    /// keys compare without case. The role's trust policy must allow `sts:TagSession`. Not with
    /// a web identity source.
    ///
    /// ```
    /// use bedrock_auth::AuthManager;
    ///
    /// let manager = AuthManager::builder()
    ///     .region("us-east-1")
    ///     .assume_role("arn:aws:iam::123456789012:role/TenantBedrock")
    ///     .external_id("tenant-acme-7f3a")
    ///     .session_tag("tenant", "acme")
    ///     .session_tag("cost-center", "4711")
    ///     .transitive_tag_keys(["tenant"])
    ///     .build()?;
    /// assert_eq!(manager.info().session_tags.len(), 2);
    /// # Ok::<(), bedrock_auth::ConfigError>(())
    /// ```
    pub fn session_tag<N: ModeState>(
        mut self,
        key: impl IntoValue<TagKey>,
        value: &str,
    ) -> AuthBuilder<N>
    where
        M: TakesRoleOptions + AfterSigning<N>,
        M::Source: TakesSigningOptions,
    {
        self.add_session_tag(key, value);
        self.signing()
    }

    /// Several [`session_tag`](Self::session_tag)s at once.
    pub fn session_tags<K, V, N: ModeState>(
        mut self,
        tags: impl IntoIterator<Item = (K, V)>,
    ) -> AuthBuilder<N>
    where
        M: TakesRoleOptions + AfterSigning<N>,
        M::Source: TakesSigningOptions,
        K: IntoValue<TagKey>,
        V: AsRef<str>,
    {
        for (key, value) in tags {
            self.add_session_tag(key, value.as_ref());
        }
        self.signing()
    }

    /// The keys of the session tags that pass on to sessions chained from this one (at most
    /// 50). Not with a web identity source.
    pub fn transitive_tag_keys<K: IntoValue<TagKey>, N: ModeState>(
        mut self,
        keys: impl IntoIterator<Item = K>,
    ) -> AuthBuilder<N>
    where
        M: TakesRoleOptions + AfterSigning<N>,
        M::Source: TakesSigningOptions,
    {
        for key in keys {
            if let Some(key) = self.check("transitive_tag_keys", key) {
                self.mode.role().session.transitive_tag_keys.push(key);
            }
        }
        self.signing()
    }

    /// Who is behind the session, kept by STS in CloudTrail for it and every session chained
    /// from it. The role's trust policy must allow `sts:SetSourceIdentity`. Not with a web
    /// identity source.
    pub fn source_identity<N: ModeState>(
        mut self,
        identity: impl IntoValue<SourceIdentity>,
    ) -> AuthBuilder<N>
    where
        M: TakesRoleOptions + AfterSigning<N>,
        M::Source: TakesSigningOptions,
    {
        self.mode.role().session.source_identity = self.check("source_identity", identity);
        self.signing()
    }

    // ----- the source: chosen once --------------------------------------------------------

    /// Calls STS with the standard chain's credentials, as with no `source_*` at all. Chosen on
    /// purpose, the builder's type no longer changes with the options after it, so that they
    /// can be given conditionally:
    ///
    /// ```
    /// use bedrock_auth::AuthManager;
    ///
    /// let external_id: Option<&str> = Some("tenant-acme-7f3a");
    /// let mut builder = AuthManager::builder()
    ///     .assume_role("arn:aws:iam::123456789012:role/TenantBedrock")
    ///     .source_auto();
    /// if let Some(id) = external_id {
    ///     builder = builder.external_id(id);
    /// }
    /// assert!(builder.build()?.info().external_id_set);
    /// # Ok::<(), bedrock_auth::ConfigError>(())
    /// ```
    pub fn source_auto<N: ModeState>(self) -> AuthBuilder<N>
    where
        M: TakesRoleOptions + WithSource<AutoSource, N>,
        M::Source: NoSourceYet,
    {
        self.choose_source(AutoSource)
    }

    /// Calls STS with the credentials of this profile.
    pub fn source_profile<N: ModeState>(
        mut self,
        name: impl IntoValue<ProfileName>,
    ) -> AuthBuilder<N>
    where
        M: TakesRoleOptions + WithSource<ProfileSource, N>,
        M::Source: NoSourceYet,
    {
        let name = self.check("source.profile", name);
        self.choose_source(ProfileSource { name })
    }

    /// No source credentials: the role is assumed with the OIDC token in `token_file` (EKS's
    /// `AWS_WEB_IDENTITY_TOKEN_FILE`, a CI system's ID token), through STS
    /// `AssumeRoleWithWebIdentity`. The file is read at every assumption, so a token the
    /// platform rotates is taken up. That call takes no external id, MFA, session tags or
    /// source identity (the token carries who the caller is): before or after this call, they
    /// do not compile.
    ///
    /// ```
    /// use bedrock_auth::AuthManager;
    ///
    /// let manager = AuthManager::builder()
    ///     .region("us-east-1")
    ///     .assume_role("arn:aws:iam::123456789012:role/OrdersBedrock")
    ///     .source_web_identity("/var/run/secrets/eks.amazonaws.com/serviceaccount/token")
    ///     .session_name("orders")
    ///     .build()?;
    /// assert!(manager.info().to_string().contains("web identity token file"));
    /// # Ok::<(), bedrock_auth::ConfigError>(())
    /// ```
    pub fn source_web_identity<N: ModeState>(
        self,
        token_file: impl Into<std::path::PathBuf>,
    ) -> AuthBuilder<N>
    where
        M: TakesRoleOptions + WithSource<WebIdentitySource, N>,
        M::Source: NoSourceYet + TakesWebIdentity,
    {
        let token = WebIdentityToken::File(token_file.into());
        self.choose_source(WebIdentitySource { token })
    }

    /// As [`source_web_identity`](Self::source_web_identity), with the token from a provider of
    /// your own, asked at every assumption (within the operation timeout).
    pub fn source_web_identity_token<N: ModeState>(
        self,
        provider: impl WebIdentityProvider,
    ) -> AuthBuilder<N>
    where
        M: TakesRoleOptions + WithSource<WebIdentitySource, N>,
        M::Source: NoSourceYet + TakesWebIdentity,
    {
        let token = WebIdentityToken::Provider(std::sync::Arc::new(provider));
        self.choose_source(WebIdentitySource { token })
    }

    /// Calls STS with the credentials of the three `AWS_*` credential variables.
    pub fn source_environment<N: ModeState>(self) -> AuthBuilder<N>
    where
        M: TakesRoleOptions + WithSource<EnvironmentSource, N>,
        M::Source: NoSourceYet,
    {
        self.choose_source(EnvironmentSource)
    }

    /// Calls STS with this key pair; add the session token of temporary keys with
    /// [`source_session_token`](Self::source_session_token).
    pub fn source_static<N: ModeState>(
        mut self,
        access_key_id: impl IntoValue<AccessKeyId>,
        secret_access_key: impl IntoSecret,
    ) -> AuthBuilder<N>
    where
        M: TakesRoleOptions + WithSource<StaticSource, N>,
        M::Source: NoSourceYet,
    {
        let access_key_id = self.check("source.access_key_id", access_key_id);
        let secret_access_key = self.secret(
            "source.secret_access_key",
            ValueKind::SecretAccessKey,
            secret_access_key,
        );
        let keys =
            access_key_id.map(|access_key_id| StaticKeys::new(access_key_id, secret_access_key));
        self.choose_source(StaticSource { keys })
    }

    /// The session token of temporary source credentials, after
    /// [`source_static`](Self::source_static): STS is called with the key pair and this token.
    ///
    /// ```
    /// use bedrock_auth::{AuthManager, SecretString};
    ///
    /// let manager = AuthManager::builder()
    ///     .region("us-east-1")
    ///     .assume_role("arn:aws:iam::123456789012:role/BedrockAccess")
    ///     .source_static("ASIAIOSFODNN7EXAMPLE", SecretString::from("wJalrXUtnFEMI/K7MDENG"))
    ///     .source_session_token(SecretString::from("FwoGZXIvYXdzEXAMPLE"))
    ///     .build()?;
    /// # let _ = manager;
    /// # Ok::<(), bedrock_auth::ConfigError>(())
    /// ```
    pub fn source_session_token(mut self, token: impl IntoSecret) -> Self
    where
        M: TakesRoleOptions,
        M::Source: TakesSourceSessionToken,
    {
        let token = self.secret("source.session_token", ValueKind::SessionToken, token);
        // No keys: their id was invalid, and that problem is recorded.
        if let Some(keys) = self.mode.role().source.keys() {
            keys.session_token = Some(token);
        }
        self
    }
}

impl<M: TakesRoleOptions> AuthBuilder<M> {
    fn add_session_tag(&mut self, key: impl IntoValue<TagKey>, value: &str) {
        let tag = key
            .into_value()
            .and_then(|key| SessionTag::new(key, value))
            .map_err(|error| self.problems.push(Problem::new("session_tags", error)));
        if let Ok(tag) = tag {
            self.mode.role().session.tags.push(tag);
        }
    }
}
