//! [`SilentStream`]: an interceptor on the manager's Bedrock clients that gives up on an event
//! stream (`ConverseStream`, `InvokeModelWithResponseStream`) that has sent no byte for the
//! Bedrock timeout.
//!
//! A stream has no short bound, and should not: a model's answer streams for minutes. The SDK
//! bounds the wait for the stream's first byte (the operation timeout, which the manager sets
//! to the Bedrock timeout), and leaves its event streams out of its stalled-stream protection,
//! whose 5 s grace period would cut a model that pauses between tokens. Without a bound, a
//! connection that dies silently mid-answer would be waited on forever: the SDK's HTTP client
//! sets no TCP keepalive. So the answer's body is read through the SDK's own minimum-throughput
//! body with the Bedrock timeout as its grace period: a stream that moves no byte for that long
//! fails with an error that says so. A caller that stops reading is not a silent stream.

use std::time::Duration;

use aws_smithy_runtime::client::http::body::minimum_throughput::{
    MinimumThroughputDownloadBody, options::MinimumThroughputBodyOptions,
};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextMut;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use http_body_util::BodyExt;

use crate::error::{AuthError, ErrorKind};

/// The content type of Bedrock's event streams.
const EVENT_STREAM: &str = "application/vnd.amazon.eventstream";

/// Gives up on an event stream that sends nothing for `after`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SilentStream {
    pub(crate) after: Duration,
}

impl SilentStream {
    fn silent(after: Duration) -> AuthError {
        AuthError::new(
            ErrorKind::Network,
            format!(
                "the stream's connection went silent: no byte arrived for {after:?} (the Bedrock \
                 timeout)"
            ),
            "check the network between here and Bedrock (a proxy or NAT that drops idle \
             connections); a model that pauses longer between tokens needs a longer Bedrock \
             timeout (<<bedrock_timeout>>)",
        )
    }
}

/// An error of the connection, on its way through the minimum-throughput body.
#[derive(Debug)]
struct Passed(BoxError);

impl std::fmt::Display for Passed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Passed {}

impl Intercept for SilentStream {
    fn name(&self) -> &'static str {
        "SilentStream"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response_mut();
        let stream = response.status().is_success()
            && response
                .headers()
                .get("content-type")
                .is_some_and(|t| t.trim().eq_ignore_ascii_case(EVENT_STREAM));
        let (Some(sleep), Some(time)) = (components.sleep_impl(), components.time_source()) else {
            return Ok(());
        };
        if !stream {
            return Ok(());
        }
        let after = self.after;
        let options = MinimumThroughputBodyOptions::builder()
            .grace_period(after)
            .build();
        let body = std::mem::replace(response.body_mut(), SdkBody::taken());
        *response.body_mut() = body.map(move |body| {
            // The connection's own errors pass through marked, so that what is left is the
            // minimum-throughput body's own (whose error type is not public).
            let marked = body.map_err(|err| Box::new(Passed(err)) as BoxError);
            let guarded = MinimumThroughputDownloadBody::new(
                time.clone(),
                sleep.clone(),
                marked,
                options.clone(),
            )
            .map_err(move |err| match err.downcast::<Passed>() {
                Ok(passed) => passed.0,
                Err(_) => Box::new(Self::silent(after)) as BoxError,
            });
            SdkBody::from_body_1_x(guarded)
        });
        Ok(())
    }
}
