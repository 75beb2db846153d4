//! A local AWS for tests, users' tests and the tour: an in-process STS + Bedrock Runtime server
//! on 127.0.0.1 that checks every SigV4 signature. Enabled by the `test-util` feature.
//!
//! It speaks the real wire formats (the STS query protocol for `GetCallerIdentity` and
//! `AssumeRole`; Bedrock Runtime's REST-JSON `Converse` and `InvokeModel`, and its
//! event streams for `ConverseStream` and `InvokeModelWithResponseStream`), so the AWS SDK talks
//! to it exactly as it talks to AWS. Register users (key, secret, identity), roles (who may
//! assume them, external id, MFA) and denied models; say what the model answers and how it
//! streams ([`LocalAws::set_answer`]); read back what it saw with [`LocalAws::requests`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use bedrock_auth::testing::LocalAws;
//!
//! let aws = LocalAws::start().await?;
//! let alice = aws.add_user("alice");
//! assert_eq!(alice.arn, "arn:aws:iam::123456789012:user/alice");
//! let manager = aws
//!     .builder()
//!     .static_credentials(alice.access_key_id.clone(), alice.secret_access_key.clone())
//!     .build()
//!     .expect("valid configuration");
//! # drop(manager);
//! # Ok(())
//! # }
//! ```

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use crate::builder::AuthBuilder;
use crate::manager::AuthManager;
use crate::modes::WantsMode;
use crate::values::AccessKeyId;

mod bearer;
mod bedrock;
mod openai;
mod sandbox;
mod server;
mod signin;
mod sigv4;
mod sso;
mod sts;
mod types;
mod wire;

pub use sandbox::Sandbox;
pub use types::{
    AuthKind, DEFAULT_ACCOUNT, DEFAULT_REGION, Fault, LoginRefresh, ModelAnswer, RecordedRequest,
    RoleSpec, StreamEnd, TestUser,
};
use types::{Principal, SsoGrant, State, random_hex};

/// A running local STS + Bedrock Runtime server. Stops when dropped.
pub struct LocalAws {
    state: Arc<State>,
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl LocalAws {
    /// Starts a server on an ephemeral port of 127.0.0.1, in the current tokio runtime.
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State::default());
        let task = tokio::spawn(server::serve(listener, Arc::clone(&state)));
        Ok(Self { state, addr, task })
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The endpoint URL to point the SDK at, e.g. `http://127.0.0.1:40123`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A builder pointed at this server, in region [`DEFAULT_REGION`], in an empty
    /// [`sandbox`](Self::sandbox): the manager reads no variable or file of the process, so a
    /// test is the same on every machine. Give it variables and files of its own with
    /// `.sandbox(aws.sandbox().env(..).file(..))`.
    pub fn builder(&self) -> AuthBuilder<WantsMode> {
        AuthManager::builder()
            .region(DEFAULT_REGION)
            .endpoint_url(self.endpoint_url())
            .sandbox(self.sandbox())
    }

    /// A [`Sandbox`] whose HTTP client can reach this server (plain HTTP, no TLS), for tests
    /// that give a manager environment variables of their own and still talk to the server.
    /// Pair it with [`builder`](Self::builder), which points the manager here.
    ///
    /// Instance metadata is off in it (`AWS_EC2_METADATA_DISABLED=true`): its client could
    /// otherwise reach the metadata address. A test of metadata sets that variable to `false`
    /// and `AWS_EC2_METADATA_SERVICE_ENDPOINT` to a loopback server of its own.
    pub fn sandbox(&self) -> Sandbox {
        Sandbox::new()
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .http_client(aws_smithy_http_client::Builder::new().build_http())
    }

    /// Lets AWS Sign-In's `CreateOAuth2Token` (`POST /v1/token`, with a DPoP proof) exchange
    /// `refresh_token` for `answer`: how an `aws login` session's cached keys are renewed.
    /// Any other refresh token is answered 400. Point the provider here with
    /// `AWS_ENDPOINT_URL_SIGNIN` in the manager's sandbox.
    pub fn add_login_refresh(&self, refresh_token: &str, answer: LoginRefresh) {
        self.state
            .lock()
            .login_refreshes
            .insert(refresh_token.to_owned(), answer);
    }

    /// Lets the SSO portal's `GetRoleCredentials` (`GET /federation/credentials`, the token in
    /// `x-amz-sso_bearer_token`) exchange `access_token` for new temporary keys of the role
    /// `role_name` in `account`, as IAM Identity Center does for an `aws sso login` session.
    /// Returns those keys (their `arn` is the role session's, `AWSReservedSSO_{role_name}`);
    /// requests signed with them need their session token, which the portal hands out with
    /// them. Any other token, account or role is answered 401 `UnauthorizedException`. An SSO
    /// profile reaches the server through `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_SSO`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use bedrock_auth::testing::LocalAws;
    ///
    /// let aws = LocalAws::start().await?;
    /// let dev = aws.add_sso_access("sso-access-token-of-the-test", "123456789012", "Dev");
    /// assert!(dev.arn.starts_with("arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Dev"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_sso_access(&self, access_token: &str, account: &str, role_name: &str) -> TestUser {
        let n = self.state.next();
        let access_key_id = AccessKeyId::from_str(&format!("ASIALOCAL{n:011}"))
            .unwrap_or_else(|_| unreachable!("a valid access key id"));
        let secret = SecretString::from(format!("temp/{}/{n}", random_hex()));
        let token = SecretString::from(format!("token/{}/{}/{n}", random_hex(), random_hex()));
        let arn = format!(
            "arn:aws:sts::{account}:assumed-role/AWSReservedSSO_{role_name}_local/sso-user"
        );
        self.add_session_keys(&arn, access_key_id.as_str(), secret.clone(), token);
        let user_id = self
            .state
            .lock()
            .keys
            .get(access_key_id.as_str())
            .map(|p| p.user_id.clone())
            .unwrap_or_default();
        self.state.lock().sso_grants.insert(
            access_token.to_owned(),
            SsoGrant {
                account: account.to_owned(),
                role_name: role_name.to_owned(),
                access_key_id: access_key_id.as_str().to_owned(),
            },
        );
        TestUser {
            access_key_id,
            secret_access_key: secret,
            arn,
            account: account.to_owned(),
            user_id,
        }
    }

    /// Registers an IAM user in [`DEFAULT_ACCOUNT`] with a new long-term key pair.
    pub fn add_user(&self, name: &str) -> TestUser {
        self.add_user_in(DEFAULT_ACCOUNT, name)
    }

    /// Registers an IAM user in `account` with a new long-term key pair.
    pub fn add_user_in(&self, account: &str, name: &str) -> TestUser {
        let n = self.state.next();
        let access_key_id = AccessKeyId::from_str(&format!("AKIALOCAL{n:011}"))
            .unwrap_or_else(|_| unreachable!("a valid access key id"));
        let secret = SecretString::from(format!("local/{}/{n}", random_hex()));
        self.add_user_with_key(account, name, access_key_id, secret)
    }

    /// Registers an IAM user in `account` with the given key pair, e.g. one that must be known
    /// before the server starts.
    pub fn add_user_with_key(
        &self,
        account: &str,
        name: &str,
        access_key_id: AccessKeyId,
        secret: SecretString,
    ) -> TestUser {
        let n = self.state.next();
        let principal = Principal {
            arn: format!("arn:aws:iam::{account}:user/{name}"),
            account: account.to_owned(),
            user_id: format!("AIDALOCAL{n:011}"),
            secret: secret.clone(),
            session_token: None,
            expires_at: None,
        };
        let user = TestUser {
            access_key_id: access_key_id.clone(),
            secret_access_key: secret,
            arn: principal.arn.clone(),
            account: principal.account.clone(),
            user_id: principal.user_id.clone(),
        };
        let key = access_key_id.as_str().to_owned();
        self.state.lock().keys.insert(key, principal);
        user
    }

    /// Registers temporary keys with their session token, as AWS Sign-In issues them to an
    /// `aws login` session, for the principal `arn` (e.g.
    /// `arn:aws:sts::012345678910:assumed-role/Admin/admin`; its fifth field is the account).
    /// Requests signed with them need that session token.
    pub fn add_session_keys(
        &self,
        arn: &str,
        access_key_id: &str,
        secret: SecretString,
        session_token: SecretString,
    ) {
        let n = self.state.next();
        let principal = Principal {
            arn: arn.to_owned(),
            account: arn.split(':').nth(4).unwrap_or(DEFAULT_ACCOUNT).to_owned(),
            user_id: format!("AROALOCAL{n:011}"),
            secret,
            session_token: Some(session_token),
            expires_at: None,
        };
        let key = access_key_id.to_owned();
        self.state.lock().keys.insert(key, principal);
    }

    /// Makes the key `access_key_id` expired now, whatever expiry it was issued with (a role
    /// session cut short, a clock that ran ahead): requests signed with it are answered as AWS
    /// answers expired credentials, `ExpiredToken` from STS and `ExpiredTokenException` from
    /// Bedrock Runtime. Returns whether the key was known.
    pub fn expire_key(&self, access_key_id: &str) -> bool {
        let mut state = self.state.lock();
        let Some(principal) = state.keys.get_mut(access_key_id) else {
            return false;
        };
        principal.expires_at = Some(std::time::SystemTime::now());
        true
    }

    /// Deletes the key `access_key_id`, as an operator does with a leaked key: requests signed
    /// with it are answered `InvalidClientTokenId` (STS) and `UnrecognizedClientException`
    /// (Bedrock Runtime). Returns whether the key was known.
    pub fn delete_key(&self, access_key_id: &str) -> bool {
        self.state.lock().keys.remove(access_key_id).is_some()
    }

    /// Issues a long-term Bedrock API key for a registered user (as IAM's
    /// `CreateServiceSpecificCredential` does). The server accepts it as a bearer token on
    /// Bedrock Runtime calls. Short-term keys need no registration: any key that
    /// [`ShortTermKey::sign`](crate::api_key::ShortTermKey::sign) made with a registered user's (or
    /// assumed role's) credentials is checked against them.
    pub fn add_api_key(&self, user: &TestUser) -> SecretString {
        let n = self.state.next();
        let key = format!("ABSKlocal{}{n:08}", random_hex());
        let owner = user.access_key_id.as_str().to_owned();
        self.state.lock().api_keys.insert(key.clone(), owner);
        SecretString::from(key)
    }

    /// Revokes the long-term Bedrock API key `key` (as IAM's
    /// `DeleteServiceSpecificCredential` does): requests that send it are answered 403
    /// `AccessDeniedException` "The bearer token included in the request is invalid.".
    /// Returns whether the key was known.
    pub fn revoke_api_key(&self, key: &SecretString) -> bool {
        let mut state = self.state.lock();
        state.api_keys.remove(key.expose_secret()).is_some()
    }

    /// Which region's short-term API keys this server's Bedrock Runtime accepts, as a regional
    /// Bedrock endpoint does; [`DEFAULT_REGION`] unless set. (A bearer request does not say
    /// which region it was meant for, so the server stands for one.)
    pub fn set_api_key_region(&self, region: &str) {
        self.state.lock().api_key_region = Some(region.to_owned());
    }

    /// Registers an OIDC token that `AssumeRoleWithWebIdentity` accepts, for `subject` (what
    /// STS answers as `SubjectFromWebIdentityToken`), on roles that
    /// [`trust_web_identity`](RoleSpec::trust_web_identity).
    pub fn add_web_identity_token(&self, token: &str, subject: &str) {
        let mut state = self.state.lock();
        state
            .web_identities
            .insert(token.to_owned(), subject.to_owned());
    }

    /// Registers a role that [`AssumeRole`](crate::modes::AssumeRole) can assume.
    pub fn add_role(&self, role: RoleSpec) {
        let arn = role.arn.as_str().to_owned();
        self.state.lock().roles.insert(arn, role);
    }

    /// Makes every model call on this model (`Converse`, `InvokeModel` and their streams) fail
    /// with `AccessDeniedException`, as when model access is not enabled.
    pub fn deny_model(&self, model_id: &str) {
        self.state.lock().denied_models.insert(model_id.to_owned());
    }

    /// What the local model answers from now on: its text (in pieces, streamed as one delta
    /// each), the pause between a stream's events and how a stream ends. Until this is called:
    /// [`ModelAnswer::default`], `pong` in one piece.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use std::time::Duration;
    /// use bedrock_auth::testing::{LocalAws, ModelAnswer, StreamEnd};
    ///
    /// let aws = LocalAws::start().await?;
    /// aws.set_answer(
    ///     ModelAnswer::new(["Hel", "lo", "!"])
    ///         .pause(Duration::from_millis(20))
    ///         .end(StreamEnd::Throttling),
    /// );
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_answer(&self, answer: ModelAnswer) {
        self.state.lock().answer = answer;
    }

    /// Answers every following request with this fault instead of its normal response, until
    /// [`clear_fault`](Self::clear_fault).
    pub fn set_fault(&self, fault: Fault) {
        self.state.lock().fault = Some(fault);
    }

    /// Stops injecting faults.
    pub fn clear_fault(&self) {
        self.state.lock().fault = None;
    }

    /// Every request seen so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.lock().requests.clone()
    }

    /// How many TCP connections the server has accepted: how many a client's pool opened.
    pub fn connections(&self) -> u64 {
        self.state
            .connections
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many requests of this action (`"AssumeRole"`, `"Converse"`, ...) were seen.
    pub fn count(&self, action: &str) -> usize {
        let state = self.state.lock();
        state.requests.iter().filter(|r| r.action == action).count()
    }

    /// Every secret this server knows: the secret keys of registered users, the secret keys
    /// and session tokens it issued for assumed roles, the SSO access tokens it takes and the
    /// sign-in refresh tokens (and what they refresh to). Useful to check that none of them shows
    /// up in logs or output.
    pub fn secrets(&self) -> Vec<SecretString> {
        let state = self.state.lock();
        let mut secrets = Vec::new();
        for principal in state.keys.values() {
            secrets.push(principal.secret.clone());
            secrets.extend(principal.session_token.clone());
        }
        secrets.extend(
            state
                .api_keys
                .keys()
                .map(|k| SecretString::from(k.as_str())),
        );
        secrets.extend(
            state
                .sso_grants
                .keys()
                .map(|k| SecretString::from(k.as_str())),
        );
        for (refresh, answer) in &state.login_refreshes {
            secrets.push(SecretString::from(refresh.as_str()));
            secrets.extend([
                answer.secret_access_key.clone(),
                answer.session_token.clone(),
                answer.refresh_token.clone(),
            ]);
        }
        secrets
    }

    /// Forgets the requests seen so far.
    pub fn clear_requests(&self) {
        self.state.lock().requests.clear();
    }
}

impl Drop for LocalAws {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for LocalAws {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalAws")
            .field("addr", &self.addr)
            .finish()
    }
}
