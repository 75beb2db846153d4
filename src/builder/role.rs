//! The options of assume-role mode: the role's session (external id, name, duration, MFA, tags,
//! scope-down policies, source identity) and where the credentials that call STS come from.

use crate::error::{Problem, Rule, ValueError, ValueKind};
use crate::mfa::{Mfa, MfaProvider};
use crate::mode::{Source, TakesRoleOptions};
use crate::secret::IntoSecret;
use crate::static_keys::StaticKeys;
use crate::values::{
    AccessKeyId, ExternalId, IntoValue, MfaSerial, PolicyArn, ProfileName, SessionDuration,
    SessionName, SessionPolicy, SessionTag, SourceIdentity, TagKey,
};
use crate::web_identity::{WebIdentityProvider, WebIdentityToken};

use super::AuthBuilder;

impl<M: crate::mode::ModeState> AuthBuilder<M> {
    /// The external id the role's trust policy requires.
    pub fn external_id(mut self, external_id: impl IntoValue<ExternalId>) -> Self
    where
        M: TakesRoleOptions,
    {
        self.mode.role().external_id = self.check("external_id", external_id);
        self
    }

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

    /// Multi-factor authentication: the device's serial (or ARN) and where the current token
    /// code comes from; the source is asked each time new credentials are needed.
    pub fn mfa(mut self, serial: impl IntoValue<MfaSerial>, token_source: impl MfaProvider) -> Self
    where
        M: TakesRoleOptions,
    {
        let token_source = std::sync::Arc::new(token_source);
        self.mode.role().mfa = self.check("mfa_serial", serial).map(|serial| Mfa {
            serial,
            token_source,
        });
        self
    }

    /// A session tag: STS attaches `key=value` to the role session, for `aws:PrincipalTag`
    /// conditions in policies and for cost allocation (Bedrock's cost is attributed to the
    /// calling principal and its tags in the Cost and Usage Report). Repeatable, at most 50;
    /// keys compare without case. The role's trust policy must allow `sts:TagSession`.
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
    pub fn session_tag(mut self, key: impl IntoValue<TagKey>, value: &str) -> Self
    where
        M: TakesRoleOptions,
    {
        let tag = key
            .into_value()
            .and_then(|key| SessionTag::new(key, value))
            .map_err(|error| self.problems.push(Problem::new("session_tags", error)));
        if let Ok(tag) = tag {
            self.mode.role().session.tags.push(tag);
        }
        self
    }

    /// Several [`session_tag`](Self::session_tag)s at once.
    pub fn session_tags<K, V>(mut self, tags: impl IntoIterator<Item = (K, V)>) -> Self
    where
        M: TakesRoleOptions,
        K: IntoValue<TagKey>,
        V: AsRef<str>,
    {
        for (key, value) in tags {
            self = self.session_tag(key, value.as_ref());
        }
        self
    }

    /// The keys of the session tags that pass on to sessions chained from this one (at most 50).
    pub fn transitive_tag_keys<K: IntoValue<TagKey>>(
        mut self,
        keys: impl IntoIterator<Item = K>,
    ) -> Self
    where
        M: TakesRoleOptions,
    {
        for key in keys {
            if let Some(key) = self.check("transitive_tag_keys", key) {
                self.mode.role().session.transitive_tag_keys.push(key);
            }
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

    /// Who is behind the session, kept by STS in CloudTrail for it and every session chained
    /// from it. The role's trust policy must allow `sts:SetSourceIdentity`.
    pub fn source_identity(mut self, identity: impl IntoValue<SourceIdentity>) -> Self
    where
        M: TakesRoleOptions,
    {
        self.mode.role().session.source_identity = self.check("source_identity", identity);
        self
    }

    fn source(&mut self, source: Option<Source>)
    where
        M: TakesRoleOptions,
    {
        if std::mem::replace(&mut self.mode.role().source_set, true) {
            let error = ValueError::without_value(ValueKind::RoleSource, Rule::SourceTwice);
            self.problems.push(Problem::new("source", error));
        }
        if let Some(source) = source {
            self.mode.role().source = source;
        }
    }

    /// Calls STS with the credentials of this profile.
    pub fn source_profile(mut self, name: impl IntoValue<ProfileName>) -> Self
    where
        M: TakesRoleOptions,
    {
        let source = self.check("source.profile", name).map(Source::Profile);
        self.source(source);
        self
    }

    /// No source credentials: the role is assumed with the OIDC token in `token_file` (EKS's
    /// `AWS_WEB_IDENTITY_TOKEN_FILE`, a CI system's ID token), through STS
    /// `AssumeRoleWithWebIdentity`. The file is read at every assumption, so a token the
    /// platform rotates is taken up. That call takes no external id, MFA, session tags or
    /// source identity (the token carries who the caller is): giving them is a problem at build.
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
    pub fn source_web_identity(mut self, token_file: impl Into<std::path::PathBuf>) -> Self
    where
        M: TakesRoleOptions,
    {
        let source = Source::WebIdentity(WebIdentityToken::File(token_file.into()));
        self.source(Some(source));
        self
    }

    /// As [`source_web_identity`](Self::source_web_identity), with the token from a provider of
    /// your own, asked at every assumption (within the operation timeout).
    pub fn source_web_identity_token(mut self, provider: impl WebIdentityProvider) -> Self
    where
        M: TakesRoleOptions,
    {
        let token = WebIdentityToken::Provider(std::sync::Arc::new(provider));
        self.source(Some(Source::WebIdentity(token)));
        self
    }

    /// Calls STS with the credentials of the three `AWS_*` credential variables.
    pub fn source_environment(mut self) -> Self
    where
        M: TakesRoleOptions,
    {
        self.source(Some(Source::Environment));
        self
    }

    /// Calls STS with this key pair.
    pub fn source_static(
        mut self,
        access_key_id: impl IntoValue<AccessKeyId>,
        secret_access_key: impl IntoSecret,
    ) -> Self
    where
        M: TakesRoleOptions,
    {
        let access_key_id = self.check("source.access_key_id", access_key_id);
        let secret_access_key = self.secret(
            "source.secret_access_key",
            ValueKind::SecretAccessKey,
            secret_access_key,
        );
        let source = access_key_id
            .map(|access_key_id| Source::Static(StaticKeys::new(access_key_id, secret_access_key)));
        self.source(source);
        self
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
    {
        let token = self.secret("source.session_token", ValueKind::SessionToken, token);
        match &mut self.mode.role().source {
            Source::Static(keys) => keys.session_token = Some(token),
            _ => {
                // Without the key pair it belongs to, the token has nothing to go with.
                let error = ValueError::without_value(ValueKind::RoleSource, Rule::Missing);
                self.problems
                    .push(Problem::new("source.access_key_id", error));
            }
        }
        self
    }
}
