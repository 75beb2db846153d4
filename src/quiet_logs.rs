//! The `tracing` events of aws-config that print what must not be logged, left out.
//!
//! aws-config's profile provider logs the chain it built from the shared files, at INFO
//! (`constructed abstract provider from config file chain=...`) and DEBUG (`role_arn=...`,
//! and the span `load_assume_role{provider=...}`), with each role's `external_id` in the clear;
//! the SDK's HTTP clients inside it (the SSO portal's among them) log each request with the
//! headers the SDK does not redact ([`crate::logs`]). Credential resolution runs under
//! [`quieted`], which hands every other event to the subscriber in use, as it was.

use std::future::Future;

use tracing::dispatcher::Dispatch;
use tracing::instrument::WithSubscriber;
use tracing::level_filters::LevelFilter;
use tracing::subscriber::{Interest, Subscriber};
use tracing::{Event, Metadata, span};

/// `future`, with the events of aws-config's profile provider that quote its chain left out.
pub(crate) fn quieted<F: Future>(future: F) -> impl Future<Output = F::Output> {
    let inner = tracing::dispatcher::get_default(Dispatch::clone);
    let most = LevelFilter::current();
    future.with_subscriber(Dispatch::new(Quieted { inner, most }))
}

/// Whether an event or span is one that quotes a profile's role chain (or a provider of it,
/// whose `Debug` shows the external id), or one of the SDK's that print an HTTP message
/// ([`carries_secrets`](crate::logs::carries_secrets): the SSO portal's request, with the
/// access token in a header). A span left out leaves its events in place.
fn is_quieted(metadata: &Metadata<'_>) -> bool {
    let role_chain = metadata
        .target()
        .starts_with("aws_config::profile::credentials")
        && ["chain", "role_arn", "base", "provider"]
            .iter()
            .any(|name| metadata.fields().field(name).is_some());
    role_chain || crate::logs::carries_secrets(metadata)
}

/// A subscriber that hands everything to `inner` but the events of [`is_quieted`].
struct Quieted {
    inner: Dispatch,
    /// The most verbose level any subscriber wanted when this one was made.
    most: LevelFilter,
}

impl Subscriber for Quieted {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if is_quieted(metadata) {
            // Asked again on each event: another subscriber may want it outside this scope.
            Interest::sometimes()
        } else {
            self.inner.register_callsite(metadata)
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        !is_quieted(metadata) && self.inner.enabled(metadata)
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.most)
    }

    fn new_span(&self, span: &span::Attributes<'_>) -> span::Id {
        self.inner.new_span(span)
    }

    fn record(&self, span: &span::Id, values: &span::Record<'_>) {
        self.inner.record(span, values);
    }

    fn record_follows_from(&self, span: &span::Id, follows: &span::Id) {
        self.inner.record_follows_from(span, follows);
    }

    fn event(&self, event: &Event<'_>) {
        if !is_quieted(event.metadata()) {
            self.inner.event(event);
        }
    }

    fn enter(&self, span: &span::Id) {
        self.inner.enter(span);
    }

    fn exit(&self, span: &span::Id) {
        self.inner.exit(span);
    }

    fn clone_span(&self, id: &span::Id) -> span::Id {
        self.inner.clone_span(id)
    }

    fn try_close(&self, id: span::Id) -> bool {
        self.inner.try_close(id)
    }

    fn current_span(&self) -> tracing_core::span::Current {
        self.inner.current_span()
    }
}
