//! [`Watcher`]: the monitor's interceptor on every client of a manager, and which answers say
//! that the credentials are no longer good.

use std::sync::Arc;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

use super::{Monitor, ResolvedBecause};
use crate::error::{AuthError, ErrorKind};
use crate::sdk_errors::read_answer;

/// On every client of a manager: refuses operations while it is locked out, and records each
/// operation's outcome.
#[derive(Debug, Clone)]
pub(crate) struct Watcher {
    monitor: Arc<Monitor>,
    /// Whether the client sends a bearer key (how its answers are read).
    bearer: bool,
    /// Whether the client is an STS client (its operations are counted).
    sts: bool,
    /// Whether a bearer key that Bedrock turns down is dropped (API-key mode, when its source
    /// can be read again).
    drops_keys: bool,
}

impl Watcher {
    pub(crate) fn sts(monitor: &Arc<Monitor>) -> Self {
        Self {
            monitor: monitor.clone(),
            bearer: false,
            sts: true,
            drops_keys: false,
        }
    }

    pub(crate) fn bedrock(monitor: &Arc<Monitor>, bearer: bool) -> Self {
        Self {
            monitor: monitor.clone(),
            bearer,
            sts: false,
            drops_keys: false,
        }
    }

    /// The same, dropping the bearer key when Bedrock turns it down
    /// ([`turned_down_key`]), so that the next call reads it again.
    pub(crate) fn dropping_keys(mut self) -> Self {
        self.drops_keys = true;
        self
    }
}

impl Intercept for Watcher {
    fn name(&self) -> &'static str {
        "bedrock-auth monitor"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.monitor.check().map_err(BoxError::from)
    }

    /// Notes which credentials the request was signed with (the manager's provider was asked
    /// just before, while signing).
    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let signed_with = SignedWith(self.monitor.generation());
        cfg.interceptor_state().store_put(signed_with);
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg
            .load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
            .map(|m| m.name());
        if let Some(response) = context.response() {
            if self.sts {
                self.monitor.sts_call(operation.unwrap_or("?"));
            }
            if response.status().is_success() {
                self.monitor.success(None);
            } else {
                let err = read_answer(
                    response,
                    operation.unwrap_or("the call"),
                    self.monitor.mode(),
                    self.bearer,
                );
                self.monitor.failure(&err);
                let refused = if self.drops_keys {
                    turned_down_key(&err)
                } else {
                    turned_down(&err)
                };
                if let Some(SignedWith(generation)) = cfg.load::<SignedWith>()
                    && refused
                {
                    self.monitor
                        .drop_credentials(*generation, ResolvedBecause::Rejected);
                }
            }
            return Ok(());
        }
        // No answer: the network (recorded), or a failure before sending (a refused lockout,
        // or credentials that could not be resolved, which their provider recorded).
        let Some(Err(err)) = context.output_or_error() else {
            return Ok(());
        };
        if err.is_timeout_error() || err.is_connector_error() {
            let network = AuthError::new(
                ErrorKind::Network,
                "no answer",
                "check that the endpoint is reachable",
            );
            self.monitor.failure(&network);
        } else if err.is_interceptor_error() {
            // An interceptor's refusal (the endpoint guard's, e.g. an expired key), as its
            // AuthError says; the monitor ignores its own `locked_out`.
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
            while let Some(current) = source {
                if let Some(auth) = current.downcast_ref::<AuthError>() {
                    self.monitor.failure(auth);
                    break;
                }
                source = current.source();
            }
        }
        Ok(())
    }
}

/// The generation of credentials a request was signed with.
#[derive(Debug, Clone, Copy)]
struct SignedWith(u64);

impl Storable for SignedWith {
    type Storer = StoreReplace<Self>;
}

/// The answers that say the credentials themselves are no longer good (expired, deleted,
/// deactivated), on which aws-sdk-go refreshes them too: the manager drops them and resolves
/// them again for its next call. A refusal of a good key (a wrong secret, a clock off) is not
/// among them: reading the same source again would not fix it. Which codes say so is the
/// table's (`error::codes`, `drops_credentials`).
pub(crate) fn turned_down(err: &AuthError) -> bool {
    err.code()
        .and_then(crate::error::codes::find)
        .is_some_and(|known| known.drops_credentials)
        || err
            .message()
            .contains("security token included in the request is expired")
}

/// The answers that say a Bedrock API key is not (or no longer) good: Bedrock Runtime's
/// `AccessDeniedException` "The bearer token included in the request is invalid." for a key
/// it does not know (deleted, revoked, mistyped), and "Authentication failed: Please make sure
/// your API Key is valid." for one that expired, as AWS's users report them. On these the
/// manager drops a key whose source it can read again. A key that is good but lacks a
/// permission ("... is not authorized to perform ...") is not among them.
pub(crate) fn turned_down_key(err: &AuthError) -> bool {
    let message = err.message().to_ascii_lowercase();
    message.contains("bearer token included in the request is invalid")
        || message.contains("make sure your api key is valid")
}
