//! Hazelcast Cloud (Viridian) discovery: `GET {base}/cluster/discovery?token=<token>`.
//!
//! See the crate docs for the protocol and for the TLS settings a cloud client needs.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use rand::seq::SliceRandom;
use reqwest::Url;
use serde::Deserialize;

use crate::AddressError;
use crate::backoff::Backoff;
use crate::error::DiscoveryError;
use crate::provider::AddressProvider;
use hazelcast_codec::address::{Address, MemberAddress};

/// The default coordinator base URL (the Java client's since 5.3).
pub const DEFAULT_CLOUD_BASE_URL: &str = "https://api.viridian.hazelcast.com";
/// Environment variable overriding the default base URL (the Go client's name).
pub const CLOUD_URL_ENV: &str = "HZ_CLOUD_COORDINATOR_BASE_URL";
/// Configuration key of the base URL (the Java client's property name).
pub const CLOUD_URL_PROPERTY: &str = "hazelcast.client.cloud.url";
/// Configuration key of the discovery token (the Java client's property name).
pub const CLOUD_TOKEN_PROPERTY: &str = "hazelcast.client.cloud.discovery.token";
/// The path of the discovery endpoint below the base URL.
pub const DISCOVERY_PATH: &str = "cluster/discovery";
/// Default timeout of one discovery request (connect, TLS handshake, answer and body).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Default number of retries after a 5xx answer (so at most 4 requests).
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default pause before the first retry; it doubles before each further retry.
pub const DEFAULT_RETRY_BACKOFF: Duration = Duration::from_millis(200);
/// The TLS server name the Go client verifies Viridian members' certificates against (they
/// are dialled by IP address, so the certificate cannot match the address itself).
pub const CLOUD_TLS_SERVER_NAME: &str = "hazelcast.cloud";

/// A Hazelcast Cloud discovery token: the client's one secret type (never shown by `Debug` or
/// `Display`; read it with `expose`).
pub type DiscoveryToken = hazelcast_codec::Secret;

/// The base URL to use: `explicit` (configuration: [`CloudConfig::base_url`] or the
/// [`CLOUD_URL_PROPERTY`] key), else `env` (the value of [`CLOUD_URL_ENV`]), else
/// [`DEFAULT_CLOUD_BASE_URL`]. Empty values count as unset; trailing `/` are removed.
pub fn resolve_base_url(explicit: Option<&str>, env: Option<&str>) -> String {
    fn pick(v: Option<&str>) -> Option<&str> {
        v.map(str::trim).filter(|v| !v.is_empty())
    }
    pick(explicit)
        .or_else(|| pick(env))
        .unwrap_or(DEFAULT_CLOUD_BASE_URL)
        .trim_end_matches('/')
        .to_owned()
}

/// Configuration of [`CloudDiscovery`].
///
/// | Option | Default |
/// | --- | --- |
/// | token | required |
/// | [`base_url`](CloudConfig::base_url) | the [`CLOUD_URL_PROPERTY`] key, else env [`CLOUD_URL_ENV`], else [`DEFAULT_CLOUD_BASE_URL`] |
/// | [`request_timeout`](CloudConfig::request_timeout) | 10 s per request ([`DEFAULT_REQUEST_TIMEOUT`]); the `hazelcast` facade passes its `connection_timeout` instead, as the Python client does, unless `cloud_request_timeout` is set |
/// | [`max_retries`](CloudConfig::max_retries) / [`retry_backoff`](CloudConfig::retry_backoff) | 3 retries after a 5xx answer, 200 ms doubling |
/// | [`extra_root_ca_pem`](CloudConfig::extra_root_ca_pem) | none (the webpki roots only) |
/// | [`allow_insecure_http`](CloudConfig::allow_insecure_http) | false: `http://` is refused |
/// | [`use_env_proxy`](CloudConfig::use_env_proxy) | true: `HTTPS_PROXY`/`NO_PROXY` are honoured |
/// | [`shuffle`](CloudConfig::shuffle) | true |
///
/// `Debug` redacts the token.
///
/// ```
/// use std::time::Duration;
/// use hazelcast_discovery::CloudConfig;
///
/// let config = CloudConfig::new("my-token")
///     .base_url("https://127.0.0.1:8443")
///     .request_timeout(Duration::from_secs(3));
/// assert!(!format!("{config:?}").contains("my-token"));
/// ```
#[derive(Clone)]
pub struct CloudConfig {
    token: DiscoveryToken,
    base_url: Option<String>,
    env_base_url: Option<String>,
    request_timeout: Duration,
    max_retries: u32,
    retry_backoff: Duration,
    extra_root_ca_pem: Option<Vec<u8>>,
    allow_insecure_http: bool,
    use_env_proxy: bool,
    shuffle: bool,
}

impl fmt::Debug for CloudConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudConfig")
            .field("token", &self.token)
            .field("base_url", &self.effective_base_url())
            .field("request_timeout", &self.request_timeout)
            .field("max_retries", &self.max_retries)
            .field("retry_backoff", &self.retry_backoff)
            .field(
                "extra_root_ca_pem",
                &self
                    .extra_root_ca_pem
                    .as_ref()
                    .map(|p| format!("<{} bytes>", p.len())),
            )
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("use_env_proxy", &self.use_env_proxy)
            .field("shuffle", &self.shuffle)
            .finish()
    }
}

impl CloudConfig {
    /// A configuration with `token` and the defaults of the table above (the environment
    /// variable [`CLOUD_URL_ENV`] is read here).
    pub fn new(token: impl Into<String>) -> Self {
        CloudConfig {
            token: DiscoveryToken::new(token),
            base_url: None,
            env_base_url: std::env::var(CLOUD_URL_ENV).ok(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            retry_backoff: DEFAULT_RETRY_BACKOFF,
            extra_root_ca_pem: None,
            allow_insecure_http: false,
            use_env_proxy: true,
            shuffle: true,
        }
    }

    /// A configuration from Java-style properties: [`CLOUD_TOKEN_PROPERTY`] (required) and
    /// [`CLOUD_URL_PROPERTY`] (optional); other keys are ignored (they belong to other parts of
    /// the client configuration).
    pub fn from_properties<K, V>(props: impl IntoIterator<Item = (K, V)>) -> Result<Self, DiscoveryError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut token = None;
        let mut url = None;
        for (k, v) in props {
            match k.as_ref() {
                CLOUD_TOKEN_PROPERTY => token = Some(v.as_ref().to_owned()),
                CLOUD_URL_PROPERTY => url = Some(v.as_ref().to_owned()),
                _ => {}
            }
        }
        let token = token.ok_or_else(|| {
            DiscoveryError::InvalidConfig(format!("the property {CLOUD_TOKEN_PROPERTY} is missing"))
        })?;
        let mut config = CloudConfig::new(token);
        config.base_url = url;
        Ok(config)
    }

    /// The coordinator base URL (scheme, host, optional port and path prefix), e.g.
    /// `https://api.viridian.hazelcast.com`. Takes precedence over [`CLOUD_URL_ENV`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The timeout of one request: connect, TLS handshake, answer and body (default 10 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Retries after a 5xx answer (default 3; 4xx answers are never retried).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The pause before the first retry, doubled before each further one (default 200 ms).
    pub fn retry_backoff(mut self, backoff: Duration) -> Self {
        self.retry_backoff = backoff;
        self
    }

    /// PEM certificates trusted in addition to the built-in webpki roots (for a private
    /// coordinator or a test stub).
    pub fn extra_root_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_root_ca_pem = Some(pem.into());
        self
    }

    /// Accepts a plain `http://` base URL. For tests only: the token travels in clear text.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Whether proxy environment variables (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`) apply
    /// (default true).
    pub fn use_env_proxy(mut self, use_proxy: bool) -> Self {
        self.use_env_proxy = use_proxy;
        self
    }

    /// Whether [`load_addresses`](AddressProvider::load_addresses) shuffles (default true).
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// The token.
    pub fn token(&self) -> &DiscoveryToken {
        &self.token
    }

    /// The base URL that will be used (see [`resolve_base_url`]).
    pub fn effective_base_url(&self) -> String {
        resolve_base_url(self.base_url.as_deref(), self.env_base_url.as_deref())
    }

    /// The configured request timeout.
    pub fn get_request_timeout(&self) -> Duration {
        self.request_timeout
    }
}

/// One element of the coordinator's answer (unknown fields such as `tpc-ports` are ignored).
#[derive(Debug, Deserialize)]
struct DiscoveredNode {
    #[serde(rename = "private-address")]
    private_address: String,
    #[serde(rename = "public-address")]
    public_address: String,
}

/// A private member address and the public address the client must dial for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressPair {
    /// The member's own (private) address, as it appears in the member list.
    pub private: Address,
    /// The address reachable from the client.
    pub public: Address,
}

/// Parses the coordinator's JSON answer into address pairs (a private address without a port
/// inherits the public address's port).
pub fn parse_discovery_response(body: &[u8]) -> Result<Vec<AddressPair>, DiscoveryResponseError> {
    let nodes: Vec<DiscoveredNode> =
        serde_json::from_slice(body).map_err(|e| DiscoveryResponseError::Json(e.to_string()))?;
    nodes
        .into_iter()
        .map(|n| {
            let public: Address =
                n.public_address
                    .parse()
                    .map_err(|source| DiscoveryResponseError::Address {
                        field: "public-address",
                        value: n.public_address.clone(),
                        source,
                    })?;
            let private: MemberAddress =
                n.private_address
                    .parse()
                    .map_err(|source| DiscoveryResponseError::Address {
                        field: "private-address",
                        value: n.private_address.clone(),
                        source,
                    })?;
            let private = Address::new(private.host(), private.port().unwrap_or(public.port));
            Ok(AddressPair { private, public })
        })
        .collect()
}

/// Why a coordinator answer could not be used (see [`parse_discovery_response`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryResponseError {
    /// Not a JSON array of objects with string `private-address` and `public-address`.
    #[error("{0}")]
    Json(String),
    /// An address is invalid.
    #[error("invalid {field} {value:?}: {source}")]
    Address {
        /// `private-address` or `public-address`.
        field: &'static str,
        /// The value.
        value: String,
        /// Why it is invalid.
        #[source]
        source: AddressError,
    },
}

/// The rustls configuration of the coordinator request: the webpki roots plus `extra_pem`, with
/// the same crypto provider as the member connections (`hazelcast-transport`: aws-lc-rs), set
/// explicitly so that no process-wide default is needed.
fn https_config(extra_pem: Option<&[u8]>) -> Result<rustls::ClientConfig, DiscoveryError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(pem) = extra_pem {
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| {
                DiscoveryError::InvalidConfig(format!("the extra root CA PEM is invalid: {e}"))
            })?;
            roots.add(cert).map_err(|e| {
                DiscoveryError::InvalidConfig(format!("the extra root CA PEM is invalid: {e}"))
            })?;
            added += 1;
        }
        if added == 0 {
            return Err(DiscoveryError::InvalidConfig(
                "the extra root CA PEM contains no certificate".into(),
            ));
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| DiscoveryError::InvalidConfig(format!("cannot build the HTTPS client: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

/// Hazelcast Cloud discovery: asks the coordinator for the cluster's private/public address
/// pairs and translates private addresses to public ones.
///
/// * [`load_addresses`](AddressProvider::load_addresses) fetches the pairs (refreshing the
///   cache) and returns the **private** addresses (shuffled unless configured otherwise).
/// * [`translate`](AddressProvider::translate) maps a private address to its public one from the
///   cache; on a miss it fetches once more and looks again, then gives `None` (a failed refresh
///   is logged as a warning and also gives `None`).
/// * [`translates_member_addresses`](AddressProvider::translates_member_addresses) is true:
///   member-list addresses go through the same map.
///
/// Requests: `GET {base}/cluster/discovery?token=…` with `Accept: application/json`, rustls with
/// the webpki roots (plus [`CloudConfig::extra_root_ca_pem`]), no redirects followed, every
/// request bounded by [`CloudConfig::request_timeout`], 5xx answers retried
/// [`CloudConfig::max_retries`] times with a doubling pause. Every failure is a distinct
/// [`DiscoveryError`]; none contains the token.
pub struct CloudDiscovery {
    config: CloudConfig,
    /// The endpoint without the query (safe to show).
    endpoint: Url,
    client: reqwest::Client,
    map: Mutex<HashMap<Address, Address>>,
    /// Serialises refreshes, so concurrent misses cost one request.
    refresh: tokio::sync::Mutex<()>,
    /// Counts refreshes made by `translate`.
    generation: AtomicU64,
}

impl fmt::Debug for CloudDiscovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudDiscovery")
            .field("endpoint", &self.endpoint.as_str())
            .field("config", &self.config)
            .field("known_addresses", &self.lock_map().len())
            .finish()
    }
}

impl CloudDiscovery {
    /// Validates the configuration and builds the HTTP client (no request is made yet).
    pub fn new(config: CloudConfig) -> Result<Self, DiscoveryError> {
        if config.token.expose().trim().is_empty() {
            return Err(DiscoveryError::InvalidConfig(
                "the discovery token is empty".into(),
            ));
        }
        let base = config.effective_base_url();
        let mut url = Url::parse(&base).map_err(|e| {
            DiscoveryError::InvalidConfig(format!("cloud base URL {base:?} is not a URL: {e}"))
        })?;
        match url.scheme() {
            "https" => {}
            "http" if config.allow_insecure_http => {
                tracing::warn!(url = %base, "cloud discovery over plain http: the token travels unencrypted");
            }
            "http" => return Err(DiscoveryError::InsecureUrl { url: base }),
            other => {
                return Err(DiscoveryError::InvalidConfig(format!(
                    "cloud base URL {base:?} has the unsupported scheme {other:?} (use https)"
                )));
            }
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(DiscoveryError::InvalidConfig(format!(
                "cloud base URL {base:?} has no host"
            )));
        }
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(DiscoveryError::InvalidConfig(format!(
                "cloud base URL {base:?} must not contain credentials, a query or a fragment"
            )));
        }
        let path = format!("{}/{DISCOVERY_PATH}", url.path().trim_end_matches('/'));
        url.set_path(&path);

        let tls = https_config(config.extra_root_ca_pem.as_deref())?;
        let mut builder = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .https_only(!config.allow_insecure_http)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.request_timeout)
            .timeout(config.request_timeout)
            .user_agent(concat!("hazelcast-rs/", env!("CARGO_PKG_VERSION")));
        if !config.use_env_proxy {
            builder = builder.no_proxy();
        }
        let client = builder.build().map_err(|e| {
            DiscoveryError::InvalidConfig(format!("cannot build the HTTPS client: {}", render_chain(&e)))
        })?;
        Ok(CloudDiscovery {
            config,
            endpoint: url,
            client,
            map: Mutex::new(HashMap::new()),
            refresh: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
        })
    }

    /// The discovery endpoint without the token, e.g.
    /// `https://api.viridian.hazelcast.com/cluster/discovery`.
    pub fn endpoint(&self) -> &str {
        self.endpoint.as_str()
    }

    /// The configuration.
    pub fn config(&self) -> &CloudConfig {
        &self.config
    }

    fn lock_map(&self) -> std::sync::MutexGuard<'_, HashMap<Address, Address>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached public address of `private`, without any request.
    pub fn cached_public_address(&self, private: &Address) -> Option<Address> {
        self.lock_map().get(private).cloned()
    }

    /// Fetches the address pairs from the coordinator and replaces the cached map with them.
    pub async fn discover(&self) -> Result<Vec<AddressPair>, DiscoveryError> {
        let pairs = self.fetch().await?;
        let map = pairs
            .iter()
            .map(|p| (p.private.clone(), p.public.clone()))
            .collect();
        *self.lock_map() = map;
        Ok(pairs)
    }

    async fn fetch(&self) -> Result<Vec<AddressPair>, DiscoveryError> {
        let mut url = self.endpoint.clone();
        url.query_pairs_mut()
            .append_pair("token", self.config.token.expose());
        let shown = self.endpoint.to_string();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let request = self
                .client
                .get(url.clone())
                .header(reqwest::header::ACCEPT, "application/json")
                .header(reqwest::header::ACCEPT_CHARSET, "UTF-8");
            let exchange = async {
                let response = request.send().await?;
                let status = response.status();
                let body = response.bytes().await?;
                Ok::<_, reqwest::Error>((status, body))
            };
            let (status, body) = match tokio::time::timeout(self.config.request_timeout, exchange).await {
                Err(_) => {
                    return Err(DiscoveryError::Timeout {
                        url: shown,
                        timeout: self.config.request_timeout,
                    });
                }
                Ok(Err(e)) => return Err(self.transport_error(&e, shown)),
                Ok(Ok(answer)) => answer,
            };
            if status == reqwest::StatusCode::OK {
                let pairs = parse_discovery_response(&body).map_err(|e| match e {
                    DiscoveryResponseError::Json(detail) => DiscoveryError::BadJson {
                        url: shown.clone(),
                        detail: self.scrub(&detail),
                    },
                    DiscoveryResponseError::Address { field, value, source } => {
                        DiscoveryError::BadAddress { field, value, source }
                    }
                })?;
                if pairs.is_empty() {
                    return Err(DiscoveryError::EmptyMemberList { url: shown });
                }
                tracing::debug!(endpoint = %shown, members = pairs.len(), "cloud discovery answered");
                return Ok(pairs);
            }
            let message = self.scrub(&body_message(&body));
            if status.is_server_error() {
                if attempt <= self.config.max_retries {
                    let pause =
                        Backoff::new(self.config.retry_backoff, Duration::MAX, 2.0).delay(attempt - 1);
                    tracing::warn!(
                        endpoint = %shown, status = status.as_u16(), attempt, ?pause,
                        "cloud discovery answered a server error; retrying"
                    );
                    tokio::time::sleep(pause).await;
                    continue;
                }
                return Err(DiscoveryError::ServerError {
                    url: shown,
                    status: status.as_u16(),
                    attempts: attempt,
                    message,
                });
            }
            return Err(DiscoveryError::Rejected {
                url: shown,
                status: status.as_u16(),
                message,
            });
        }
    }

    /// Removes the token (plain and URL-encoded) from text that came from elsewhere.
    fn scrub(&self, text: &str) -> String {
        let token = self.config.token.expose();
        let mut out = text.replace(token, "<redacted>");
        let encoded: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
        if encoded != token {
            out = out.replace(&encoded, "<redacted>");
        }
        out
    }

    fn transport_error(&self, e: &reqwest::Error, url: String) -> DiscoveryError {
        if e.is_timeout() {
            return DiscoveryError::Timeout {
                url,
                timeout: self.config.request_timeout,
            };
        }
        let detail = self.scrub(&render_chain(e));
        if let Some(tls) = find_tls_error(e) {
            return DiscoveryError::Tls {
                url,
                detail: self.scrub(&tls),
            };
        }
        DiscoveryError::Request { url, detail }
    }
}

/// The coordinator's message: the `message` field of a JSON object, else the body text.
fn body_message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Message {
        message: String,
    }
    if let Ok(m) = serde_json::from_slice::<Message>(body) {
        return m.message;
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return "(empty body)".to_owned();
    }
    let mut cut: String = text.chars().take(500).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

/// The error and its sources, joined with `: ` (the URL, which holds the token, left out).
fn render_chain(e: &reqwest::Error) -> String {
    let mut out = String::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut first = true;
    while let Some(err) = current {
        let text = if first {
            // reqwest's own Display appends " for url (…?token=…)"; rebuild it without.
            let mut s = err.to_string();
            if let Some(at) = s.find(" for url (") {
                s.truncate(at);
            }
            s
        } else {
            err.to_string()
        };
        if !text.is_empty() && !out.ends_with(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
        first = false;
        current = err.source();
    }
    out
}

/// The rustls error in the chain, if any (TLS failures reach reqwest as I/O errors wrapping it,
/// sometimes I/O errors wrapping I/O errors; `io::Error::source` skips the wrapped error).
fn find_tls_error(e: &reqwest::Error) -> Option<String> {
    fn in_io(mut io: &std::io::Error) -> Option<&rustls::Error> {
        loop {
            let inner = io.get_ref()?;
            if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
                return Some(tls);
            }
            io = inner.downcast_ref::<std::io::Error>()?;
        }
    }
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls.to_string());
        }
        if let Some(tls) = err.downcast_ref::<std::io::Error>().and_then(in_io) {
            return Some(tls.to_string());
        }
        current = err.source();
    }
    None
}

#[async_trait]
impl AddressProvider for CloudDiscovery {
    async fn load_addresses(&self) -> Result<Vec<Address>, DiscoveryError> {
        let pairs = self.discover().await?;
        let mut out: Vec<Address> = pairs.into_iter().map(|p| p.private).collect();
        if self.config.shuffle {
            out.shuffle(&mut rand::rng());
        }
        Ok(out)
    }

    async fn translate(&self, address: &Address) -> Option<Address> {
        if let Some(public) = self.cached_public_address(address) {
            return Some(public);
        }
        // One refresh per miss; a miss that waited for a concurrent refresh looks again first.
        let seen = self.generation.load(Ordering::Acquire);
        let _refreshing = self.refresh.lock().await;
        if self.generation.load(Ordering::Acquire) != seen
            && let Some(public) = self.cached_public_address(address)
        {
            return Some(public);
        }
        if let Err(e) = self.discover().await {
            tracing::warn!(error = %e, %address, "cloud discovery refresh failed; cannot translate");
            return None;
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.cached_public_address(address)
    }

    fn translates_member_addresses(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_precedence() {
        assert_eq!(resolve_base_url(None, None), DEFAULT_CLOUD_BASE_URL);
        assert_eq!(resolve_base_url(None, Some("")), DEFAULT_CLOUD_BASE_URL);
        assert_eq!(resolve_base_url(None, Some("https://e/")), "https://e");
        assert_eq!(
            resolve_base_url(Some("https://x"), Some("https://e")),
            "https://x"
        );
        assert_eq!(resolve_base_url(Some(" "), Some("https://e")), "https://e");
    }

    #[test]
    fn properties() {
        let c = CloudConfig::from_properties([
            (CLOUD_TOKEN_PROPERTY, "tok"),
            (CLOUD_URL_PROPERTY, "https://127.0.0.1:9/"),
            ("other", "x"),
        ])
        .unwrap();
        assert_eq!(c.token().expose(), "tok");
        assert_eq!(c.effective_base_url(), "https://127.0.0.1:9");
        let e = CloudConfig::from_properties([(CLOUD_URL_PROPERTY, "https://x")]).unwrap_err();
        assert!(e.to_string().contains(CLOUD_TOKEN_PROPERTY));
    }

    #[test]
    fn parses_pairs() {
        let body = br#"[{"private-address":"10.47.0.8","public-address":"54.213.63.142:32298"},
            {"private-address":"100.96.5.1:5701","public-address":"10.113.44.139:31115",
             "tpc-ports":[{"private-port":1,"public-port":2}], "extra": true}]"#;
        let pairs = parse_discovery_response(body).unwrap();
        assert_eq!(pairs[0].private, Address::new("10.47.0.8", 32298));
        assert_eq!(pairs[0].public, Address::new("54.213.63.142", 32298));
        assert_eq!(pairs[1].private, Address::new("100.96.5.1", 5701));
        assert_eq!(pairs[1].public, Address::new("10.113.44.139", 31115));
    }

    #[test]
    fn bad_responses() {
        assert!(matches!(
            parse_discovery_response(b"{"),
            Err(DiscoveryResponseError::Json(_))
        ));
        assert!(matches!(
            parse_discovery_response(br#"{"message":"x"}"#),
            Err(DiscoveryResponseError::Json(_))
        ));
        assert!(matches!(
            parse_discovery_response(br#"[{"private-address":"a"}]"#),
            Err(DiscoveryResponseError::Json(_))
        ));
        let e = parse_discovery_response(br#"[{"private-address":"a","public-address":"b"}]"#).unwrap_err();
        assert!(e.to_string().contains("public-address \"b\""), "{e}");
        let e =
            parse_discovery_response(br#"[{"private-address":"a b","public-address":"b:1"}]"#).unwrap_err();
        assert!(e.to_string().contains("private-address \"a b\""), "{e}");
        assert_eq!(parse_discovery_response(b"[]").unwrap(), vec![]);
    }

    #[test]
    fn config_validation() {
        let e = CloudDiscovery::new(CloudConfig::new("")).unwrap_err();
        assert!(matches!(e, DiscoveryError::InvalidConfig(_)));
        let e = CloudDiscovery::new(CloudConfig::new("t").base_url("http://127.0.0.1:1")).unwrap_err();
        assert!(matches!(e, DiscoveryError::InsecureUrl { .. }), "{e}");
        let e = CloudDiscovery::new(CloudConfig::new("t").base_url("ftp://127.0.0.1")).unwrap_err();
        assert!(e.to_string().contains("ftp"), "{e}");
        let e = CloudDiscovery::new(CloudConfig::new("t").base_url("not a url")).unwrap_err();
        assert!(matches!(e, DiscoveryError::InvalidConfig(_)));
        let e = CloudDiscovery::new(CloudConfig::new("t").base_url("https://h/?q=1")).unwrap_err();
        assert!(matches!(e, DiscoveryError::InvalidConfig(_)));
        let e = CloudDiscovery::new(
            CloudConfig::new("t")
                .base_url("https://127.0.0.1:1")
                .extra_root_ca_pem("garbage"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("PEM"), "{e}");
        let d = CloudDiscovery::new(CloudConfig::new("secret-tok").base_url("https://127.0.0.1:1/prefix/"))
            .unwrap();
        assert_eq!(d.endpoint(), "https://127.0.0.1:1/prefix/cluster/discovery");
        assert!(!format!("{d:?}").contains("secret-tok"));
    }

    #[test]
    fn body_messages() {
        assert_eq!(
            body_message(br#"{"message":"Cluster with token: X not found."}"#),
            "Cluster with token: X not found."
        );
        assert_eq!(body_message(b"  plain  "), "plain");
        assert_eq!(body_message(b""), "(empty body)");
        assert_eq!(body_message(&[b'x'; 600]).chars().count(), 501);
    }
}
