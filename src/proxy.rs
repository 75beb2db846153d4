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

/// `doctor`'s name for the proxy of `http://` endpoints, when `HTTP_PROXY` names another than
/// `HTTPS_PROXY` (the other is `proxy`).
pub(crate) const HTTP_ONLY_PROXY: &str = "proxy for http://";

/// A proxy in use, and where it comes from, for `doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProxyInUse {
    /// `proxy`, or [`HTTP_ONLY_PROXY`].
    pub(crate) name: &'static str,
    pub(crate) url: String,
    pub(crate) source: String,
}

/// The proxies of a client, and what `doctor` says of them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Route {
    /// The proxy of every request, or of `https://` ones only when `http` is set.
    main: Option<ProxyConfig>,
    /// The proxy of `http://` endpoints, when `HTTP_PROXY` names another than `HTTPS_PROXY`.
    http: Option<ProxyConfig>,
    pub(crate) in_use: Vec<ProxyInUse>,
}

/// The first of these variables that is set.
fn first(os: &Os, names: [&'static str; 2]) -> Option<(String, &'static str)> {
    names
        .into_iter()
        .find_map(|name| os.var(name).map(|value| (value.trim().to_owned(), name)))
}

/// The proxies for the manager's client, and what `doctor` says of them; an error names a
/// proxy URL that cannot be read (refused, not ignored).
pub(crate) fn proxy_config(os: &Os, choice: &ProxyChoice) -> Result<Route, String> {
    let no_proxy = first(os, ["NO_PROXY", "no_proxy"]).map(|(rules, _)| rules);
    let with_no_proxy = |config: ProxyConfig| match &no_proxy {
        Some(rules) => config.no_proxy(rules),
        None => config,
    };
    let read = |name: &str, config: Result<ProxyConfig, _>| {
        config
            .map(with_no_proxy)
            .map_err(|err| format!("{name} is not a proxy URL (http://host:port): {err}"))
    };
    let from_variable = |name: &'static str, (url, variable): (String, &str)| ProxyInUse {
        name,
        url,
        source: format!("variable {variable}"),
    };
    match choice {
        ProxyChoice::Off => Ok(Route::default()),
        ProxyChoice::Url(url) => Ok(Route {
            main: Some(read("the proxy", ProxyConfig::all(url.as_str()))?),
            http: None,
            in_use: vec![ProxyInUse {
                name: "proxy",
                url: url.clone(),
                source: "the builder or config".to_owned(),
            }],
        }),
        ProxyChoice::FromEnvironment => {
            let https = first(os, ["HTTPS_PROXY", "https_proxy"]);
            let http = first(os, ["HTTP_PROXY", "http_proxy"]);
            Ok(match (https, http) {
                (Some(https), Some(http)) if https.0 == http.0 => Route {
                    main: Some(read(https.1, ProxyConfig::all(https.0.as_str()))?),
                    http: None,
                    in_use: vec![from_variable("proxy", https)],
                },
                // As boto3 chooses: the endpoint's scheme picks the variable.
                (Some(https), http) => {
                    let for_http = match &http {
                        Some(http) => Some(read(http.1, ProxyConfig::http(http.0.as_str()))?),
                        None => None,
                    };
                    Route {
                        main: Some(read(https.1, ProxyConfig::https(https.0.as_str()))?),
                        http: for_http,
                        in_use: std::iter::once(from_variable("proxy", https))
                            .chain(http.map(|http| from_variable(HTTP_ONLY_PROXY, http)))
                            .collect(),
                    }
                }
                (None, Some(http)) => Route {
                    main: Some(read(http.1, ProxyConfig::http(http.0.as_str()))?),
                    http: None,
                    in_use: vec![from_variable("proxy", http)],
                },
                (None, None) => Route::default(),
            })
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

/// An HTTPS client through `main` (and `http` for `http://` endpoints): one connector (one
/// connection pool) per proxy and set of connector settings, as the SDK's own client keeps
/// them.
fn proxied_client(main: ProxyConfig, http: Option<ProxyConfig>) -> SharedHttpClient {
    SharedHttpClient::new(Proxied {
        main,
        http,
        connectors: std::sync::RwLock::new(Vec::new()),
    })
}

struct Proxied {
    main: ProxyConfig,
    http: Option<ProxyConfig>,
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
        let through = |proxy: &ProxyConfig| {
            let mut builder = aws_smithy_http_client::Connector::builder()
                .connector_settings(settings.clone())
                .proxy_config(proxy.clone());
            builder.set_sleep_impl(components.sleep_impl());
            SharedHttpConnector::new(builder.tls_provider(TLS).build())
        };
        let connector = match &self.http {
            None => through(&self.main),
            Some(http) => SharedHttpConnector::new(ByScheme {
                https: through(&self.main),
                http: through(http),
            }),
        };
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

/// Sends `http://` requests through one connector (the `HTTP_PROXY` one) and every other
/// through the other (`HTTPS_PROXY`).
#[derive(Debug)]
struct ByScheme {
    https: SharedHttpConnector,
    http: SharedHttpConnector,
}

impl HttpConnector for ByScheme {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let plain = request
            .uri()
            .get(..7)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"));
        if plain {
            self.http.call(request)
        } else {
            self.https.call(request)
        }
    }
}

/// A manager's own HTTPS client (or a [`Shared`](crate::Shared) one), through the proxy chosen
/// (the environment's by default). A proxy URL that cannot be read makes a client that
/// refuses every request, saying why: a service behind a proxy must not go around it by
/// mistake.
pub(crate) fn https_client(os: &Os, choice: &ProxyChoice) -> SharedHttpClient {
    match proxy_config(os, choice) {
        Ok(Route {
            main: Some(main),
            http,
            in_use,
        }) => {
            for proxy in &in_use {
                tracing::debug!(proxy = proxy.name, source = %proxy.source, "requests go through a proxy");
            }
            proxied_client(main, http)
        }
        Ok(Route { main: None, .. }) => aws_smithy_http_client::Builder::new()
            .tls_provider(TLS)
            .build_https(),
        Err(problem) => {
            tracing::warn!(%problem, "no request will be sent");
            refusing_client(problem)
        }
    }
}
