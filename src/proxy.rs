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

use std::sync::Arc;

use hyper_util::client::proxy::matcher::Matcher;

use aws_smithy_http_client::tls::TlsContext;

use crate::os::Os;
use crate::tls::CaBundle;
use crate::values::endpoint_url::is_loopback_host;

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
    /// The proxy `http://` requests go through, if any.
    plain: Option<PlainProxy>,
    /// The hosts reached directly: instance metadata and container credentials.
    direct: Vec<String>,
    pub(crate) in_use: Vec<ProxyInUse>,
}

/// The first of these variables that is set; an error names one that is not UTF-8 text.
fn first(os: &Os, names: [&'static str; 2]) -> Result<Option<(String, &'static str)>, String> {
    for name in names {
        if let Some(value) = os.var_checked(name)? {
            return Ok(Some((value.trim().to_owned(), name)));
        }
    }
    Ok(None)
}

/// A proxy URL read as the HTTP client will use it: `http://` or `https://`, a host, and a port
/// that is a number (a port that is not would otherwise mean port 80, or no proxy at all). The
/// error names where the URL came from and never quotes it: it may hold a password.
fn proxy_uri(name: &str, url: &str) -> Result<http::Uri, String> {
    let refused = |why: &str| format!("{name} is not a proxy URL (http://host:port): {why}");
    let uri: http::Uri = url
        .parse()
        .map_err(|_| refused("it cannot be read as a URL"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err(refused("it must start with http:// or https://"));
    }
    let authority = uri.authority().ok_or_else(|| refused("it names no host"))?;
    if authority.host().is_empty() {
        return Err(refused("it names no host"));
    }
    // What follows the host (after any user info and IPv6 brackets) is `:port` or nothing.
    let after_host = authority
        .as_str()
        .rsplit_once('@')
        .map_or(authority.as_str(), |(_, host)| host);
    let after_host = match after_host.rsplit_once(']') {
        Some((_, rest)) => rest,
        None => after_host.split_once(':').map_or("", |(_, port)| port),
    };
    let port = after_host.strip_prefix(':').unwrap_or(after_host);
    if !port.is_empty() && port.parse::<u16>().is_err() {
        return Err(refused("its port is not a number from 0 to 65535"));
    }
    Ok(uri)
}

/// The proxies for the manager's client, and what `doctor` says of them; an error names a
/// proxy URL or variable that cannot be read (refused, not ignored).
pub(crate) fn proxy_config(os: &Os, choice: &ProxyChoice) -> Result<Route, String> {
    let no_proxy = first(os, ["NO_PROXY", "no_proxy"])?.map(|(rules, _)| rules);
    let reader = ProxyReader { no_proxy };
    let direct = direct_hosts(os)?;
    match choice {
        ProxyChoice::Off => Ok(Route::default()),
        ProxyChoice::Url(url) => Ok(Route {
            main: Some(reader.read("the proxy", url, ProxyConfig::all)?),
            http: None,
            plain: reader.plain("the proxy", url)?,
            direct,
            in_use: vec![ProxyInUse {
                name: "proxy",
                url: url.clone(),
                source: "the builder or config".to_owned(),
            }],
        }),
        ProxyChoice::FromEnvironment => from_environment(os, &reader, direct),
    }
}

/// The proxies of `HTTPS_PROXY` and `HTTP_PROXY`: as boto3 chooses, the endpoint's scheme
/// picks the variable.
fn from_environment(os: &Os, reader: &ProxyReader, direct: Vec<String>) -> Result<Route, String> {
    let https = first(os, ["HTTPS_PROXY", "https_proxy"])?;
    let http = first(os, ["HTTP_PROXY", "http_proxy"])?;
    let from_variable = |name: &'static str, (url, variable): (String, &str)| ProxyInUse {
        name,
        url,
        source: format!("variable {variable}"),
    };
    Ok(match (https, http) {
        (Some(https), Some(http)) if https.0 == http.0 => Route {
            main: Some(reader.read(https.1, &https.0, ProxyConfig::all)?),
            http: None,
            plain: reader.plain(http.1, &http.0)?,
            direct,
            in_use: vec![from_variable("proxy", https)],
        },
        (Some(https), http) => {
            let (for_http, plain_proxy) = match &http {
                Some(http) => (
                    Some(reader.read(http.1, &http.0, ProxyConfig::http)?),
                    reader.plain(http.1, &http.0)?,
                ),
                None => (None, None),
            };
            Route {
                main: Some(reader.read(https.1, &https.0, ProxyConfig::https)?),
                http: for_http,
                plain: plain_proxy,
                direct,
                in_use: std::iter::once(from_variable("proxy", https))
                    .chain(http.map(|http| from_variable(HTTP_ONLY_PROXY, http)))
                    .collect(),
            }
        }
        (None, Some(http)) => Route {
            main: Some(reader.read(http.1, &http.0, ProxyConfig::http)?),
            http: None,
            plain: reader.plain(http.1, &http.0)?,
            direct,
            in_use: vec![from_variable("proxy", http)],
        },
        (None, None) => Route::default(),
    })
}

/// Reads proxy URLs, each with the hosts `NO_PROXY` exempts.
struct ProxyReader {
    no_proxy: Option<String>,
}

impl ProxyReader {
    /// The proxy `url` (given as `name`), for the requests `make` chooses.
    fn read<E: std::fmt::Display>(
        &self,
        name: &str,
        url: &str,
        make: fn(http::Uri) -> Result<ProxyConfig, E>,
    ) -> Result<ProxyConfig, String> {
        let config = make(proxy_uri(name, url)?)
            .map_err(|err| format!("{name} is not a proxy URL (http://host:port): {err}"))?;
        Ok(match &self.no_proxy {
            Some(rules) => config.no_proxy(rules),
            None => config,
        })
    }

    /// The proxy `http://` requests go through, for the rule on bearer keys.
    fn plain(&self, name: &str, url: &str) -> Result<Option<PlainProxy>, String> {
        let uri = proxy_uri(name, url)?;
        let mut matcher = Matcher::builder().http(url.to_owned());
        if let Some(rules) = &self.no_proxy {
            matcher = matcher.no(rules.clone());
        }
        Ok(Some(PlainProxy {
            loopback: uri.host().is_some_and(is_loopback_host),
            host: uri.host().unwrap_or_default().to_owned(),
            matcher: Arc::new(matcher.build()),
        }))
    }
}

/// The fixed addresses of instance metadata and container credentials (EC2, ECS, EKS Pod
/// Identity), IPv4 and IPv6: never reached through a proxy, as botocore never proxies its
/// metadata and container fetchers.
const METADATA_HOSTS: [&str; 5] = [
    "169.254.169.254",
    "fd00:ec2::254",
    "169.254.170.2",
    "169.254.170.23",
    "fd00:ec2::23",
];

/// The variables that name a metadata or container-credentials endpoint of the environment.
const METADATA_URL_VARS: [&str; 2] = [
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
];

/// The hosts (`host` or `host:port`) that requests reach directly, never through a proxy:
/// the metadata addresses, and the hosts of the metadata variables.
fn direct_hosts(os: &Os) -> Result<Vec<String>, String> {
    let mut hosts: Vec<String> = METADATA_HOSTS.iter().map(|h| (*h).to_owned()).collect();
    for name in METADATA_URL_VARS {
        let Some(url) = os.var_checked(name)? else {
            continue;
        };
        // One that cannot be read is aws-config's to refuse; it sends nothing to it.
        if let Some(authority) = url
            .trim()
            .parse::<http::Uri>()
            .ok()
            .and_then(|u| u.authority().cloned())
        {
            hosts.push(authority.as_str().to_ascii_lowercase());
        }
    }
    Ok(hosts)
}

/// The proxy of `http://` requests: where it is, and which hosts it serves (not those of
/// `NO_PROXY`).
#[derive(Clone)]
pub(crate) struct PlainProxy {
    host: String,
    loopback: bool,
    matcher: Arc<Matcher>,
}

impl std::fmt::Debug for PlainProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlainProxy")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

/// A Bedrock endpoint a bearer key would reach over plain HTTP through a proxy not on this
/// machine: where the endpoint was set, the endpoint, and the proxy's host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClearRoute {
    /// `endpoint_url` (the builder's or a config's), or the variable that set it.
    pub(crate) source: &'static str,
    pub(crate) endpoint: String,
    pub(crate) proxy: String,
}

/// The route a bearer key would take to the Bedrock endpoint (`given`, else
/// `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, else `AWS_ENDPOINT_URL`), when it is in the clear to a
/// proxy not on this machine. `None` when it is not, and when the proxies cannot be read (the
/// client then refuses every request anyway). The one reading of that rule before a request:
/// `build()` refuses such a route, `doctor` warns of it; the connector refuses it at send.
pub(crate) fn clear_bearer_route(
    os: &Os,
    choice: &ProxyChoice,
    given: Option<&str>,
) -> Option<ClearRoute> {
    let (source, endpoint) = match given {
        Some(url) => ("endpoint_url", url.to_owned()),
        None => ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ENDPOINT_URL"]
            .into_iter()
            .find_map(|var| Some((var, os.var(var)?.trim().to_owned())))?,
    };
    let route = proxy_config(os, choice).ok()?;
    let uri: http::Uri = endpoint.parse().ok()?;
    let proxy = remote_plain_proxy(route.plain.as_ref()?, &uri)?.to_owned();
    Some(ClearRoute {
        source,
        endpoint,
        proxy,
    })
}

/// The host of `proxy`, when a plain-HTTP request to `uri` goes through it and it is not on
/// this machine: a bearer key must not travel to it in the clear.
fn remote_plain_proxy<'a>(proxy: &'a PlainProxy, uri: &http::Uri) -> Option<&'a str> {
    if proxy.loopback
        || !uri
            .scheme_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("http"))
    {
        return None;
    }
    proxy.matcher.intercept(uri).map(|_| proxy.host.as_str())
}

/// A bearer key refused at the connector: it would have gone over plain HTTP to a proxy that
/// is not on this machine. The error of the request carries it as its source.
#[derive(Debug)]
pub(crate) struct BearerThroughProxy {
    /// The proxy's host.
    pub(crate) proxy: String,
}

impl std::fmt::Display for BearerThroughProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "refusing to send a Bedrock API key over plain HTTP through the proxy {}",
            self.proxy
        )
    }
}

impl std::error::Error for BearerThroughProxy {}

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
        let _ = request;
        let refused = Unroutable(self.0.clone());
        HttpConnectorFuture::ready(Err(ConnectorError::other(Box::new(refused), None)))
    }
}

/// Why a client refuses every request (a proxy URL or variable that cannot be read): the
/// error of each request carries it as its source, a configuration problem.
#[derive(Debug)]
pub(crate) struct Unroutable(pub(crate) String);

impl std::fmt::Display for Unroutable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unroutable {}

/// The TLS stack of the manager's clients: rustls with aws-lc.
pub(crate) const TLS: aws_smithy_http_client::tls::Provider =
    aws_smithy_http_client::tls::Provider::Rustls(
        aws_smithy_http_client::tls::rustls_provider::CryptoMode::AwsLc,
    );

/// An HTTPS client through the route's proxies: one connector (one connection pool) per proxy
/// and set of connector settings, as the SDK's own client keeps them.
fn proxied_client(route: Route, trust: Option<TlsContext>) -> SharedHttpClient {
    SharedHttpClient::new(Proxied {
        route,
        trust,
        connectors: std::sync::RwLock::new(Vec::new()),
    })
}

struct Proxied {
    route: Route,
    /// The CA bundle trusted instead of the system's roots, if one is given.
    trust: Option<TlsContext>,
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
        let through = |proxy: Option<&ProxyConfig>| {
            let mut builder =
                aws_smithy_http_client::Connector::builder().connector_settings(settings.clone());
            builder.set_proxy_config(proxy.cloned());
            builder.set_sleep_impl(components.sleep_impl());
            let mut builder = builder.tls_provider(TLS);
            if let Some(trust) = &self.trust {
                builder.set_tls_context(trust.clone());
            }
            SharedHttpConnector::new(builder.build())
        };
        let Some(main) = &self.route.main else {
            return through(None);
        };
        let connector = SharedHttpConnector::new(Router {
            https: through(Some(main)),
            http: self.route.http.as_ref().map(|http| through(Some(http))),
            direct: through(None),
            direct_hosts: self.route.direct.clone(),
            plain: self.route.plain.clone(),
        });
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

/// Where each request goes: instance metadata and container credentials directly, `http://`
/// requests through the `HTTP_PROXY` connector when it is another than the `HTTPS_PROXY` one,
/// every other through the main one. A Bedrock API key that would go over plain HTTP to a
/// proxy not on this machine is refused here, whatever the endpoint: the route decides where
/// the key travels, not the URL alone.
#[derive(Debug)]
struct Router {
    https: SharedHttpConnector,
    http: Option<SharedHttpConnector>,
    direct: SharedHttpConnector,
    direct_hosts: Vec<String>,
    plain: Option<PlainProxy>,
}

impl Router {
    fn is_direct(&self, uri: &http::Uri) -> bool {
        let Some(authority) = uri.authority() else {
            return false;
        };
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let with_port = authority.as_str().rsplit('@').next().unwrap_or_default();
        self.direct_hosts.iter().any(|direct| {
            direct.eq_ignore_ascii_case(host) || direct.eq_ignore_ascii_case(with_port)
        })
    }
}

impl HttpConnector for Router {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let Ok(uri) = request.uri().parse::<http::Uri>() else {
            // The SDK made this URI; the connector refuses what it cannot read as well.
            return self.https.call(request);
        };
        if self.is_direct(&uri) {
            return self.direct.call(request);
        }
        let plain = uri
            .scheme_str()
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http"));
        if plain {
            let bearer = request.headers().get("authorization").is_some_and(|value| {
                value
                    .get(..7)
                    .is_some_and(|s| s.eq_ignore_ascii_case("bearer "))
            });
            if let (true, Some(proxy)) = (bearer, &self.plain)
                && let Some(host) = remote_plain_proxy(proxy, &uri)
            {
                let refused = BearerThroughProxy {
                    proxy: host.to_owned(),
                };
                return HttpConnectorFuture::ready(Err(ConnectorError::other(
                    Box::new(refused),
                    None,
                )));
            }
            if let Some(http) = &self.http {
                return http.call(request);
            }
        }
        self.https.call(request)
    }
}

/// A manager's own HTTPS client (or a [`Shared`](crate::Shared) one), through the proxy chosen
/// (the environment's by default), trusting `ca` instead of the system's roots when given. A
/// proxy URL that cannot be read makes a client that refuses every request, saying why: a
/// service behind a proxy must not go around it by mistake.
pub(crate) fn https_client(
    os: &Os,
    choice: &ProxyChoice,
    ca: Option<&CaBundle>,
) -> SharedHttpClient {
    let trust = ca.map(|ca| {
        tracing::debug!(ca_bundle = %ca.path.display(), source = %ca.source, certificates = ca.certificates, "connections trust the CA bundle");
        ca.tls_context()
    });
    match proxy_config(os, choice) {
        Ok(route) if route.main.is_some() => {
            for proxy in &route.in_use {
                tracing::debug!(proxy = proxy.name, source = %proxy.source, "requests go through a proxy");
            }
            proxied_client(route, trust)
        }
        Ok(_) => match trust {
            Some(trust) => aws_smithy_http_client::Builder::new()
                .tls_provider(TLS)
                .tls_context(trust)
                .build_https(),
            None => aws_smithy_http_client::Builder::new()
                .tls_provider(TLS)
                .build_https(),
        },
        Err(problem) => {
            tracing::warn!(%problem, "no request will be sent");
            refusing_client(problem)
        }
    }
}
