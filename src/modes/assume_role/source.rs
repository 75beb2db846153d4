//! Assume-role mode: STS `AssumeRole` (external id, session name, duration, MFA) called with
//! source credentials from a profile, the environment, a key pair or the default chain, through
//! the process's one STS client. aws-config's `AssumeRoleProvider` cannot ask for an MFA code.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use aws_config::SdkConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_smithy_async::rt::sleep::SharedAsyncSleep;
use secrecy::{ExposeSecret, SecretString};

use crate::bounded::{Watch, Watches};
use crate::endpoint_guard::{AnswerLimit, EndpointGuard};
use crate::error::{AuthError, ErrorKind};
use crate::mode_kind::ModeKind;
use crate::modes::auto::source::Auto;
use crate::modes::environment::source::Environment;
use crate::modes::profile::source::{Profile, ProfileSource};
use crate::modes::static_credentials::source::Static;
use crate::modes::{RoleConfig, RoleSession, Source};
use crate::monitor::{Monitor, Watcher};
use crate::os::Os;
use crate::sdk_errors::{Call, classify};
use crate::settings::Settings;
use crate::shared::regional_retry_partition;
use crate::sources::{Around, Context, Given, Origin, Selected};
use crate::time::unix_secs;
use crate::values::MfaSerial;
use crate::web_identity::WebIdentityToken;

/// How long a failed role assumption is shared with callers that come right after it, so a
/// crowd of tasks on a refused role makes one STS call, not one each.
const FAILURE_SHARING: Duration = Duration::from_secs(1);

/// A role, assumed with the credentials of its source.
pub(crate) struct Role<'a>(pub(crate) &'a RoleConfig);

impl Role<'_> {
    /// Where the source credentials come from: the module of that source.
    fn source(&self) -> Box<dyn Origin + '_> {
        match &self.0.source {
            Source::Auto => Box::new(Auto),
            Source::Profile(name) => Box::new(Profile {
                name,
                as_mode: false,
            }),
            Source::Environment => Box::new(Environment),
            Source::Static(keys) => Box::new(Static {
                keys,
                name: "bedrock-auth-role-source",
            }),
            Source::WebIdentity(_) => {
                Box::new(crate::modes::assume_role::web_identity_source::WebIdentity)
            }
        }
    }
}

impl Origin for Role<'_> {
    fn profile(&self, os: &Os) -> Option<Selected> {
        self.source().profile(os)
    }

    fn credentials(&self, cx: &Context<'_>) -> Given {
        self.source().credentials(cx)
    }

    fn hangs_as(&self, profile: Option<(&str, ProfileSource)>) -> Option<String> {
        self.source().hangs_as(profile)
    }

    /// The role, assumed with the (bounded) source credentials of `base`.
    fn wrap(&self, base: SdkConfig, around: &Around<'_>) -> SdkConfig {
        let provider = RoleProvider::new(
            &base,
            self.0,
            around.settings,
            around.watches,
            around.monitor,
            around.sleep.clone(),
        );
        base.into_builder()
            .credentials_provider(SharedCredentialsProvider::new(provider))
            .build()
    }
}

/// The configuration of STS calls made with `sdk`'s credentials: for a client of their own, or
/// as the per-call override of the process's STS client.
pub(crate) fn sts_config(sdk: &SdkConfig, monitor: &Arc<Monitor>) -> aws_sdk_sts::config::Builder {
    let mut config = aws_sdk_sts::config::Builder::from(sdk)
        .interceptor(EndpointGuard::sigv4())
        .interceptor(AnswerLimit {
            successes_too: true,
        })
        .interceptor(Watcher::sts(monitor));
    if let Some(region) = sdk.region() {
        config = config.retry_partition(regional_retry_partition("sts", region.as_ref()));
    }
    config
}

/// STS `AssumeRole` with the source credentials of the base config, MFA included. Failures are
/// shared: callers waiting while a call fails, or arriving within [`FAILURE_SHARING`] after, get
/// that call's error instead of making their own.
struct RoleProvider {
    /// The source credentials (and their cache), region, endpoint, HTTP client and timeouts
    /// that make the process's STS client whole for each call: a role holds no SDK client of
    /// its own.
    source: SdkConfig,
    role: RoleConfig,
    session_name: String,
    endpoint: String,
    last: tokio::sync::Mutex<Option<(Instant, Result<Credentials, AuthError>)>>,
    /// The source credentials', the MFA provider's and the STS call's watches, and how
    /// long they may take.
    watches: Arc<Watches>,
    mfa_watch: Option<Arc<Watch>>,
    sts_watch: Arc<Watch>,
    sleep: SharedAsyncSleep,
    timeout: Duration,
    monitor: Arc<Monitor>,
    /// Where a web identity token file is read.
    os: Os,
}

impl RoleProvider {
    fn new(
        base: &SdkConfig,
        role: &RoleConfig,
        settings: &Settings,
        watches: &Arc<Watches>,
        monitor: &Arc<Monitor>,
        sleep: SharedAsyncSleep,
    ) -> Self {
        let session_name = match &role.session_name {
            Some(name) => name.as_str().to_owned(),
            None => {
                format!("bedrock-auth-{}", unix_secs(settings.os.now()))
            }
        };
        let endpoint = settings
            .endpoint_url
            .as_ref()
            .map(|u| u.as_str().to_owned())
            .unwrap_or_else(|| "STS".to_owned());
        // Registered after what the call waits on: the source's, then the MFA code's.
        let mfa_watch = role
            .mfa
            .as_ref()
            .map(|mfa| watches.watch(format!("the MFA provider for {}", mfa.serial)));
        let sts_watch = watches.watch_call(format!(
            "STS AssumeRole on {} to {endpoint}",
            role.role_arn.as_str()
        ));
        Self {
            source: base.clone(),
            role: role.clone(),
            session_name,
            endpoint,
            last: tokio::sync::Mutex::new(None),
            watches: watches.clone(),
            mfa_watch,
            sts_watch,
            sleep,
            timeout: settings.operation_timeout,
            monitor: monitor.clone(),
            os: settings.os.clone(),
        }
    }

    async fn credentials(&self) -> Result<Credentials, AuthError> {
        let arrived = Instant::now();
        let mut last = self.last.lock().await;
        if let Some((at, result)) = &*last {
            let fresh = *at >= arrived;
            let recent_failure = result.is_err() && at.elapsed() < FAILURE_SHARING;
            if fresh || recent_failure {
                return result.clone();
            }
        }
        let result = self.assume().await;
        *last = Some((Instant::now(), result.clone()));
        result
    }

    async fn assume(&self) -> Result<Credentials, AuthError> {
        if let Source::WebIdentity(token) = &self.role.source {
            return self.assume_with_web_identity(token).await;
        }
        let role_arn = self.role.role_arn.as_str();
        let mut request = crate::shared::sts_client()
            .assume_role()
            .role_arn(role_arn)
            .role_session_name(&self.session_name)
            .duration_seconds(self.role.duration.as_secs() as i32);
        if let Some(external_id) = &self.role.external_id {
            request = request.external_id(external_id.expose());
        }
        request = with_session(request, &self.role.session);
        let mfa = self.mfa_code().await?;
        if let Some((serial, code)) = &mfa {
            request = request
                .serial_number(serial.as_str())
                .token_code(code.expose_secret().trim());
        }
        let code = mfa.as_ref().map(|(_, code)| code.expose_secret().trim());
        tracing::debug!(role = role_arn, session = %self.session_name, "calling STS AssumeRole");
        let call = request
            .customize()
            .config_override(sts_config(&self.source, &self.monitor))
            .send();
        let mut output = self
            .watches
            .track(&self.sts_watch, call)
            .await
            .map_err(|err| self.refused(err, "STS AssumeRole", code))?;
        let user = output.assumed_role_user.take();
        self.received(output.credentials.take(), user, "STS AssumeRole")
    }

    /// STS `AssumeRoleWithWebIdentity` with the current token, read from its file (the
    /// manager's world, at every assumption) or asked of the program's provider. Not signed.
    async fn assume_with_web_identity(
        &self,
        token: &WebIdentityToken,
    ) -> Result<Credentials, AuthError> {
        const OPERATION: &str = "STS AssumeRoleWithWebIdentity";
        let token = self.web_identity_token(token).await?;
        let mut request = crate::shared::sts_client()
            .assume_role_with_web_identity()
            .role_arn(self.role.role_arn.as_str())
            .role_session_name(&self.session_name)
            .duration_seconds(self.role.duration.as_secs() as i32)
            .web_identity_token(token.expose_secret().trim());
        let (policy, policy_arns) = scope_down(&self.role.session);
        request = request.set_policy(policy).set_policy_arns(policy_arns);
        tracing::debug!(role = self.role.role_arn.as_str(), "calling {OPERATION}");
        let call = request
            .customize()
            .config_override(sts_config(&self.source, &self.monitor))
            .send();
        let mut output = self
            .watches
            .track(&self.sts_watch, call)
            .await
            .map_err(|err| self.refused(err, OPERATION, Some(token.expose_secret().trim())))?;
        let user = output.assumed_role_user.take();
        self.received(output.credentials.take(), user, OPERATION)
    }

    /// The web identity token: the file's text, or what the provider answers in time.
    async fn web_identity_token(
        &self,
        token: &WebIdentityToken,
    ) -> Result<SecretString, AuthError> {
        let unusable = |what: String| {
            AuthError::new(
                ErrorKind::NoCredentials,
                what,
                "check the web identity token: the file the platform mounts \
                 (AWS_WEB_IDENTITY_TOKEN_FILE on EKS) or the provider given to \
                 `.source_web_identity_token(..)`",
            )
        };
        let token = match token {
            WebIdentityToken::File(path) => {
                let read = self.os.read_careful(path, crate::os::SMALL_FILE_LIMIT);
                let read = read.map_err(|trouble| {
                    unusable(format!(
                        "the web identity token file {} cannot be read: {trouble}",
                        crate::printable::printable(&path.display().to_string())
                    ))
                })?;
                let text = std::str::from_utf8(&read.bytes).map_err(|_| {
                    unusable(format!(
                        "the web identity token file {} is not text",
                        crate::printable::printable(&path.display().to_string())
                    ))
                })?;
                SecretString::from(text.trim())
            }
            WebIdentityToken::Provider(provider) => {
                let watch = self
                    .watches
                    .watch("the web identity token provider".to_owned());
                self.watches
                    .run(&watch, &self.sleep, self.timeout, provider.token())
                    .await?
                    .map_err(|err| {
                        unusable(format!("the web identity token provider failed: {err}"))
                            .caused_by_boxed(err)
                    })?
            }
        };
        if token.expose_secret().trim().is_empty() {
            return Err(unusable(
                "the web identity token is empty; nothing was sent to STS".to_owned(),
            ));
        }
        Ok(token)
    }

    /// The MFA device and its current code, when the role wants one: asked of the MFA
    /// provider, within the operation timeout. An empty code is refused before STS is asked.
    async fn mfa_code(&self) -> Result<Option<(&MfaSerial, SecretString)>, AuthError> {
        let (Some(mfa), Some(watch)) = (&self.role.mfa, &self.mfa_watch) else {
            return Ok(None);
        };
        let code = mfa.token_source.token_code();
        let code = self
            .watches
            .run(watch, &self.sleep, self.timeout, code)
            .await?
            .map_err(|err| {
                AuthError::new(
                    ErrorKind::NoCredentials,
                    format!("the MFA provider for {} failed: {err}", mfa.serial),
                    "check <<mfa>>",
                )
                .caused_by_boxed(err)
            })?;
        // STS would refuse an empty code; nothing is sent with one.
        if code.expose_secret().trim().is_empty() {
            return Err(AuthError::new(
                ErrorKind::NoCredentials,
                format!(
                    "the MFA provider for {} returned an empty code; nothing was sent to STS",
                    mfa.serial
                ),
                "check <<mfa>>: it must return the device's current code",
            ));
        }
        Ok(Some((&mfa.serial, code)))
    }

    /// The error of an `AssumeRole` call that failed: a source that hung is what failed, not
    /// STS; an answer that echoes what it was sent (the external id, and `sent`: the MFA code
    /// or the web identity token) does not carry it on.
    fn refused<E, R>(
        &self,
        err: aws_sdk_sts::error::SdkError<E, R>,
        operation: &str,
        sent: Option<&str>,
    ) -> AuthError
    where
        E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let call = Call {
            operation,
            mode: ModeKind::AssumeRole,
            role: Some(self.role.role_arn.as_str()),
            endpoint: Some(&self.endpoint),
            bearer: false,
        };
        // The STS client's monitor recorded the failure of the call itself. This error reaches
        // every caller of the SDK's clients too, inside their own errors.
        let external_id = self.role.external_id.as_ref().map(|id| id.expose());
        let err = self
            .watches
            .blame(classify(err, call), self.timeout)
            .without_secrets(external_id.into_iter().chain(sent));
        if err.kind() == ErrorKind::TimedOut {
            err
        } else {
            err.seen_by_monitor()
        }
    }

    /// The credentials STS answered with, recorded as a success and audited.
    fn received(
        &self,
        credentials: Option<aws_sdk_sts::types::Credentials>,
        user: Option<aws_sdk_sts::types::AssumedRoleUser>,
        operation: &str,
    ) -> Result<Credentials, AuthError> {
        // The SDK's output type keeps the secret and the token in plain strings: they are
        // moved into the credentials (which wipe them) and nothing of them is left to free.
        let Some(creds) = credentials else {
            return Err(AuthError::new(
                ErrorKind::Service,
                format!("{operation} answered without credentials"),
                "check that the endpoint is STS",
            ));
        };
        let aws_sdk_sts::types::Credentials {
            access_key_id,
            secret_access_key,
            session_token,
            expiration,
            ..
        } = creds;
        let expiry = SystemTime::try_from(expiration).ok();
        let role_arn = self.role.role_arn.as_str();
        tracing::debug!(role = role_arn, access_key_id = %access_key_id, "assumed role");
        let principal = user.map(|user| crate::printable::printable(user.arn()).into_owned());
        self.monitor.success(principal.as_deref());
        let region = self.source.region().map(|r| r.as_ref().to_owned());
        self.monitor.audit(
            "role_assumed",
            region.as_deref(),
            principal.as_deref(),
            expiry,
        );
        let mut credentials = Credentials::builder()
            .access_key_id(access_key_id)
            .secret_access_key(secret_access_key)
            .session_token(session_token)
            .provider_name("bedrock-auth-assume-role");
        if let Some(expiry) = expiry {
            credentials = credentials.expiry(expiry);
        }
        // The role's account (`arn:aws:sts::ACCOUNT:assumed-role/..`), which a
        // `credential_process` output carries as `AccountId`.
        let account = principal.as_deref().and_then(|arn| arn.split(':').nth(4));
        if let Some(account) = account.filter(|a| a.len() == 12) {
            credentials = credentials.account_id(account);
        }
        Ok(credentials.build())
    }
}

/// The request with the session's tags, scope-down policies and source identity.
fn with_session(
    mut request: aws_sdk_sts::operation::assume_role::builders::AssumeRoleFluentBuilder,
    session: &RoleSession,
) -> aws_sdk_sts::operation::assume_role::builders::AssumeRoleFluentBuilder {
    use aws_sdk_sts::types::Tag;
    for tag in &session.tags {
        let tag = Tag::builder()
            .key(tag.key().as_str())
            .value(tag.value())
            .build();
        // Both fields are set: the builder cannot fail.
        if let Ok(tag) = tag {
            request = request.tags(tag);
        }
    }
    for key in &session.transitive_tag_keys {
        request = request.transitive_tag_keys(key.as_str());
    }
    let (policy, policy_arns) = scope_down(session);
    request = request.set_policy(policy).set_policy_arns(policy_arns);
    if let Some(identity) = &session.source_identity {
        request = request.source_identity(identity.as_str());
    }
    request
}

/// The session's scope-down policies, as both `AssumeRole` and `AssumeRoleWithWebIdentity`
/// take them: the inline policy, and the managed policies (`None` when there are none).
fn scope_down(
    session: &RoleSession,
) -> (
    Option<String>,
    Option<Vec<aws_sdk_sts::types::PolicyDescriptorType>>,
) {
    let policy = session.policy.as_ref().map(|p| p.as_str().to_owned());
    let arns = session.policy_arns.iter().map(|arn| {
        aws_sdk_sts::types::PolicyDescriptorType::builder()
            .arn(arn.as_str())
            .build()
    });
    let arns: Vec<_> = arns.collect();
    (policy, (!arns.is_empty()).then_some(arns))
}

impl ProvideCredentials for RoleProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async {
            self.credentials()
                .await
                .map_err(CredentialsError::provider_error)
        })
    }
}

impl fmt::Debug for RoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoleProvider")
            .field("role", &self.role)
            .field("session_name", &self.session_name)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use aws_config::BehaviorVersion;

    use super::*;

    #[test]
    fn sts_calls_through_the_process_client_use_their_region_s_retry_partition() {
        let sdk = SdkConfig::builder()
            .region(aws_config::Region::new("eu-west-1"))
            .behavior_version(BehaviorVersion::latest())
            .build();
        let monitor = Arc::new(Monitor::new(
            ModeKind::Static,
            None,
            aws_smithy_async::time::SharedTimeSource::default(),
        ));
        let config = sts_config(&sdk, &monitor).build();
        assert_eq!(
            config.retry_partition(),
            Some(&aws_sdk_sts::config::retry::RetryPartition::new(
                "sts-eu-west-1"
            ))
        );
    }
}
