//! Which proxy the manager's HTTP client goes through, as boto3 and the AWS CLI choose it:
//! `HTTPS_PROXY` for `https://` endpoints, `HTTP_PROXY` for `http://` ones (either case, upper
//! first), minus the hosts of `NO_PROXY`; or the builder's (config's) own proxy, or none.
//!
//! An `https://` endpoint is reached through the proxy with `CONNECT` only, so a signed request
//! or a bearer key never travels to the proxy in the clear (aws-smithy-http-client's proxy
//! support, on hyper-util).

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

use crate::os::Os;

/// What the builder or a config says about proxies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum ProxyChoice {
    /// The proxy variables of the manager's environment (the default).
    #[default]
    FromEnvironment,
    /// This proxy for every endpoint (but those of `NO_PROXY`).
    Url(String),
    /// No proxy, whatever the variables say.
    Off,
}

/// The proxy in use, and where it comes from, for `doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProxyInUse {
    pub(crate) url: String,
    pub(crate) source: String,
}

/// The first of these variables that is set.
fn first(os: &Os, names: [&'static str; 2]) -> Option<(String, &'static str)> {
    names
        .into_iter()
        .find_map(|name| os.var(name).map(|value| (value.trim().to_owned(), name)))
}

/// The proxy configuration for the manager's client, and what `doctor` says of it; an error
/// names a proxy URL that cannot be read (refused, not ignored).
pub(crate) fn proxy_config(
    os: &Os,
    choice: &ProxyChoice,
) -> Result<(ProxyConfig, Option<ProxyInUse>), String> {
    let no_proxy = first(os, ["NO_PROXY", "no_proxy"]).map(|(rules, _)| rules);
    let with_no_proxy = |config: ProxyConfig| match &no_proxy {
        Some(rules) => config.no_proxy(rules),
        None => config,
    };
    let bad = |name: &str, err: &dyn std::fmt::Display| {
        format!("{name} is not a proxy URL (http://host:port): {err}")
    };
    match choice {
        ProxyChoice::Off => Ok((ProxyConfig::disabled(), None)),
        ProxyChoice::Url(url) => {
            let config = ProxyConfig::all(url.as_str()).map_err(|err| bad("the proxy", &err))?;
            let in_use = ProxyInUse {
                url: url.clone(),
                source: "the builder or config".to_owned(),
            };
            Ok((with_no_proxy(config), Some(in_use)))
        }
        ProxyChoice::FromEnvironment => {
            let https = first(os, ["HTTPS_PROXY", "https_proxy"]);
            let http = first(os, ["HTTP_PROXY", "http_proxy"]);
            let (config, (url, name)) = match (https, http) {
                (Some(https), Some(http)) if https.0 == http.0 => {
                    (ProxyConfig::all(https.0.as_str()), https)
                }
                // AWS endpoints are https: the HTTPS proxy is the one that matters.
                (Some(https), _) => (ProxyConfig::https(https.0.as_str()), https),
                (None, Some(http)) => (ProxyConfig::http(http.0.as_str()), http),
                (None, None) => return Ok((ProxyConfig::disabled(), None)),
            };
            let config = config.map_err(|err| bad(name, &err))?;
            let in_use = ProxyInUse {
                url,
                source: format!("variable {name}"),
            };
            Ok((with_no_proxy(config), Some(in_use)))
        }
    }
}

/// A client that refuses every request, saying why (a proxy URL that cannot be read, a test
/// sandbox given no client).
pub(crate) fn refusing_client(problem: String) -> SharedHttpClient {
    SharedHttpClient::new(Refusing(problem))
}

#[derive(Debug)]
struct Refusing(String);

impl HttpClient for Refusing {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(RefusingConnector(self.0.clone()))
    }
}

#[derive(Debug)]
struct RefusingConnector(String);

impl HttpConnector for RefusingConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let message = format!("{}: the request to {} was not sent", self.0, request.uri());
        HttpConnectorFuture::ready(Err(ConnectorError::other(message.into(), None)))
    }
}

/// The TLS stack of the manager's clients: rustls with aws-lc.
pub(crate) const TLS: aws_smithy_http_client::tls::Provider =
    aws_smithy_http_client::tls::Provider::Rustls(
        aws_smithy_http_client::tls::rustls_provider::CryptoMode::AwsLc,
    );

/// An HTTPS client through `proxy`: one connector (one connection pool) per set of connector
/// settings, as the SDK's own client keeps them.
pub(crate) fn proxied_client(proxy: ProxyConfig) -> SharedHttpClient {
    SharedHttpClient::new(Proxied {
        proxy,
        connectors: std::sync::RwLock::new(Vec::new()),
    })
}

struct Proxied {
    proxy: ProxyConfig,
    connectors: std::sync::RwLock<Vec<(ConnectorKey, SharedHttpConnector)>>,
}

type ConnectorKey = (Option<std::time::Duration>, Option<std::time::Duration>);

impl std::fmt::Debug for Proxied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The proxy URL may hold the proxy's credentials.
        f.debug_struct("Proxied").finish_non_exhaustive()
    }
}

impl HttpClient for Proxied {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        use std::sync::PoisonError;
        let key = (settings.connect_timeout(), settings.read_timeout());
        let cached = self
            .connectors
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, c)| c.clone());
        if let Some(connector) = cached {
            return connector;
        }
        let mut builder = aws_smithy_http_client::Connector::builder()
            .connector_settings(settings.clone())
            .proxy_config(self.proxy.clone());
        builder.set_sleep_impl(components.sleep_impl());
        let connector = SharedHttpConnector::new(builder.tls_provider(TLS).build());
        let mut connectors = self
            .connectors
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        match connectors.iter().find(|(k, _)| *k == key) {
            Some((_, existing)) => existing.clone(),
            None => {
                connectors.push((key, connector.clone()));
                connector
            }
        }
    }
}

/// A manager's own HTTPS client (or a [`Shared`](crate::Shared) one), through the proxy chosen
/// (the environment's by default). A proxy URL that cannot be read makes a client that
/// refuses every request, saying why: a service behind a proxy must not go around it by
/// mistake.
pub(crate) fn https_client(os: &Os, choice: &ProxyChoice) -> SharedHttpClient {
    match proxy_config(os, choice) {
        Ok((_, None)) => aws_smithy_http_client::Builder::new()
            .tls_provider(TLS)
            .build_https(),
        Ok((proxy, Some(in_use))) => {
            tracing::debug!(source = %in_use.source, "requests go through a proxy");
            proxied_client(proxy)
        }
        Err(problem) => {
            tracing::warn!(%problem, "no request will be sent");
            refusing_client(problem)
        }
    }
}
