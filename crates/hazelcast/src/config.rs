//! [`ClientConfig`]: every option of the client under the names the official clients document
//! (the Python client's `snake_case` names), loadable from TOML, YAML and JSON files, overridable
//! from `HZ_*` environment variables, and buildable in code with [`ClientConfigBuilder`].
//!
//! See `docs/configuration.md` for the reference of every option.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hazelcast_discovery::{
    CloudConfig, CloudDiscovery, MemberAddress, MemberAddressTranslator, PublicAddressMode,
    StaticAddressProvider, parse_member_addresses,
};
use hazelcast_invocation::{
    AddressSource, Backoff, Credentials, DiscoveryAddresses, InvocationConfig, LoadBalancer, ReconnectMode,
};
use hazelcast_transport::{Secret, TlsConfig, TlsConfigError, TlsConnector, TlsVersion};
use serde::{Deserialize, Serialize};

use crate::error::ConfigError;

/// The largest duration the client uses for "no limit" (`connection_timeout = 0`): ten years.
const NO_LIMIT: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// The TLS protocol version to allow (`ssl_protocol`).
///
/// As in the Python client, setting it allows exactly that version; leaving it unset (the
/// default) allows TLS 1.2 and TLS 1.3. Older versions are not supported (rustls implements only
/// these two).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SslProtocol {
    /// TLS 1.2 only (`"TLSv1_2"`).
    TlsV1_2,
    /// TLS 1.3 only (`"TLSv1_3"`).
    TlsV1_3,
}

impl SslProtocol {
    /// The name used in configuration files (`TLSv1_2`, `TLSv1_3`).
    pub fn name(self) -> &'static str {
        match self {
            SslProtocol::TlsV1_2 => "TLSv1_2",
            SslProtocol::TlsV1_3 => "TLSv1_3",
        }
    }

    /// A name (`TLSv1_3`, `tls1.3`, …) or the Python client's `SSLProtocol` number (0 SSLv2,
    /// 1 SSLv3, 2 TLSv1, 3 TLSv1_1, 4 TLSv1_2, 5 TLSv1_3).
    fn parse(s: &str) -> Result<Self, String> {
        if let Ok(n) = s.trim().parse::<i64>() {
            return match n {
                4 => Ok(SslProtocol::TlsV1_2),
                5 => Ok(SslProtocol::TlsV1_3),
                0..=3 => Err(format!(
                    "not supported: the Python client's {} (only TLSv1_2 = 4 and TLSv1_3 = 5 are; older protocols are insecure)",
                    ["SSLv2", "SSLv3", "TLSv1", "TLSv1_1"][n as usize]
                )),
                _ => Err("expected TLSv1_2 or TLSv1_3 (or the Python client's numbers 4 and 5)".into()),
            };
        }
        let norm: String = s
            .chars()
            .filter(|c| !matches!(c, '.' | '_' | ' ' | '-'))
            .collect::<String>()
            .to_ascii_lowercase()
            .replace("tlsv", "tls");
        match norm.as_str() {
            "tls12" => Ok(SslProtocol::TlsV1_2),
            "tls13" => Ok(SslProtocol::TlsV1_3),
            "ssl2" | "sslv2" | "ssl3" | "sslv3" | "tls1" | "tls10" | "tls11" => {
                Err("not supported: only TLSv1_2 and TLSv1_3 are (older protocols are insecure)".into())
            }
            _ => Err("expected TLSv1_2 or TLSv1_3".into()),
        }
    }
}

impl fmt::Display for SslProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The configuration of a [`HazelcastClient`](crate::HazelcastClient).
///
/// Field names are the option names of configuration files (those of the official Python
/// client, whose defaults this client shares). `Default` gives the documented defaults.
/// `Debug` never shows `ssl_password`, `creds_password` or `cloud_discovery_token`;
/// `Serialize` writes them (it produces configuration files).
///
/// ```
/// use std::time::Duration;
/// use hazelcast::ClientConfig;
///
/// let config = ClientConfig::from_toml_str(r#"
///     cluster_name = "production"
///     cluster_members = ["10.0.0.1:5701", "10.0.0.2"]
///     connection_timeout = 2.5       # seconds, as the official docs write them
///     invocation_timeout = "90s"     # humane strings work too
///     smart_routing = true
/// "#)?;
/// assert_eq!(config.connection_timeout, Duration::from_millis(2500));
/// assert_eq!(config.invocation_timeout, Duration::from_secs(90));
/// assert!(!config.redo_operation); // the default
/// # Ok::<(), hazelcast::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawConfig", into = "RawConfig")]
#[non_exhaustive]
pub struct ClientConfig {
    /// Cluster name sent when authenticating; the member refuses another name. Default `"dev"`.
    pub cluster_name: String,
    /// Seed addresses: `host`, `host:port`, `[ipv6]:port`. Without a port, 5701, 5702 and 5703
    /// are tried. Default `["localhost"]`.
    pub cluster_members: Vec<String>,
    /// One connection per member and key-based routing to the partition owner (`true`), or a
    /// single connection ("unisocket", `false`). Default `true`.
    pub smart_routing: bool,
    /// Retry a mutating call whose connection was lost after it may have been sent (at-least-once
    /// instead of at-most-once). Default `false`.
    pub redo_operation: bool,
    /// Bounds name resolution, TCP connect and TLS handshake of one connection (and its
    /// authentication round trip). `0` means no limit. Default 5 s.
    pub connection_timeout: Duration,
    /// Hazelcast Cloud (Viridian) discovery token; replaces `cluster_members`. Default none.
    pub cloud_discovery_token: Option<Secret>,
    /// Base URL of the cloud discovery coordinator (also accepted under the Java name
    /// `hazelcast.client.cloud.url`). Default: env `HZ_CLOUD_COORDINATOR_BASE_URL`, else
    /// `https://api.viridian.hazelcast.com`.
    pub cloud_url: Option<String>,
    /// Extension: a PEM file of CA certificates trusted (in addition to the public roots) for the
    /// HTTPS request to the cloud coordinator. Default none.
    pub cloud_ca_file: Option<PathBuf>,
    /// Dial members at their public address (`Some(true)`), their private one (`Some(false)`),
    /// or decide automatically from the first member list (`None`, the default).
    pub use_public_ip: Option<bool>,
    /// TLS to members. Default `false`.
    pub ssl_enabled: bool,
    /// PEM CA bundle that signs the members' certificates; none trusts the public web roots.
    pub ssl_cafile: Option<PathBuf>,
    /// PEM client certificate chain (mutual TLS).
    pub ssl_certfile: Option<PathBuf>,
    /// PEM private key of the client certificate; none reads it from `ssl_certfile`.
    pub ssl_keyfile: Option<PathBuf>,
    /// Password of an encrypted (PKCS#8) private key.
    pub ssl_password: Option<Secret>,
    /// Verify that the member certificate names the host dialled. Default `true` (the Python
    /// client's default is `false`; this client verifies unless told not to).
    pub ssl_check_hostname: bool,
    /// Extension: the name sent as SNI and verified instead of the dialled host, e.g.
    /// `hazelcast.cloud` for Viridian clusters. Default none.
    pub ssl_server_name: Option<String>,
    /// Allow only this TLS version. Default none: TLS 1.2 and 1.3.
    pub ssl_protocol: Option<SslProtocol>,
    /// Allowed cipher suites, rustls names separated by `:` or `,` (e.g.
    /// `TLS13_AES_256_GCM_SHA384:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`). Default none: all.
    pub ssl_ciphers: Option<String>,
    /// Members acknowledge backups to the client (smart routing only). Default `true`.
    pub backup_ack_to_client_enabled: bool,
    /// How long an answer waits for its backup acknowledgements. Default 5 s.
    pub operation_backup_timeout: Duration,
    /// Fail a call whose backups were not acknowledged in time instead of completing it.
    /// Default `false`.
    pub fail_on_indeterminate_operation_state: bool,
    /// Deadline of a whole call, retries included. Default 120 s.
    pub invocation_timeout: Duration,
    /// Longest pause between two retries of a call. Default 1 s.
    pub invocation_retry_pause: Duration,
    /// Ping a connection after this long without writing. Default 5 s.
    pub heartbeat_interval: Duration,
    /// Close a connection after this long without reading. Default 60 s.
    pub heartbeat_timeout: Duration,
    /// Budget of one connect-to-cluster procedure; `None` (`-1` in files) tries forever.
    /// Default `None`.
    pub cluster_connect_timeout: Option<Duration>,
    /// First pause between connect rounds. Default 1 s.
    pub retry_initial_backoff: Duration,
    /// Largest pause between connect rounds. Default 30 s.
    pub retry_max_backoff: Duration,
    /// Growth of the pause per round (≥ 1). Default 1.05.
    pub retry_multiplier: f64,
    /// Random spread of each pause, 0..=1. Default 0.
    pub retry_jitter: f64,
    /// After losing the last connection: reconnect with calls waiting (`on`), shut down
    /// (`off`), or reconnect with calls failing at once (`async`). Default `on`.
    pub reconnect_mode: ReconnectMode,
    /// Reconnect through the member addresses of this configuration (or cloud discovery) only,
    /// not through the last known members: for a cluster behind one load balancer or node port.
    /// Default `false`.
    pub skip_member_list_during_reconnection: bool,
    /// `start` returns at once and connects in the background; calls fail with `ClientOffline`
    /// until connected. Default `false`.
    pub async_start: bool,
    /// Try seed addresses in a random order. Default `true`.
    pub shuffle_member_list: bool,
    /// How calls without a key pick a member: `round_robin` (default) or `random`.
    pub load_balancer: LoadBalancer,
    /// Client instance name; default `hz.client_<n>`.
    pub client_name: Option<String>,
    /// Labels sent when authenticating (visible on the members). Default none.
    pub labels: Vec<String>,
    /// User name for authentication. Default none.
    pub creds_username: Option<String>,
    /// Password for authentication. Default none.
    pub creds_password: Option<Secret>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            cluster_name: "dev".into(),
            cluster_members: vec![hazelcast_discovery::DEFAULT_HOST.to_owned()],
            smart_routing: true,
            redo_operation: false,
            connection_timeout: Duration::from_secs(5),
            cloud_discovery_token: None,
            cloud_url: None,
            cloud_ca_file: None,
            use_public_ip: None,
            ssl_enabled: false,
            ssl_cafile: None,
            ssl_certfile: None,
            ssl_keyfile: None,
            ssl_password: None,
            ssl_check_hostname: true,
            ssl_server_name: None,
            ssl_protocol: None,
            ssl_ciphers: None,
            backup_ack_to_client_enabled: true,
            operation_backup_timeout: Duration::from_secs(5),
            fail_on_indeterminate_operation_state: false,
            invocation_timeout: Duration::from_secs(120),
            invocation_retry_pause: Duration::from_secs(1),
            heartbeat_interval: Duration::from_secs(5),
            heartbeat_timeout: Duration::from_secs(60),
            cluster_connect_timeout: None,
            retry_initial_backoff: Duration::from_secs(1),
            retry_max_backoff: Duration::from_secs(30),
            retry_multiplier: 1.05,
            retry_jitter: 0.0,
            reconnect_mode: ReconnectMode::On,
            skip_member_list_during_reconnection: false,
            async_start: false,
            shuffle_member_list: true,
            load_balancer: LoadBalancer::RoundRobin,
            client_name: None,
            labels: Vec::new(),
            creds_username: None,
            creds_password: None,
        }
    }
}

/// The file formats [`ClientConfig`] loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigFormat {
    /// TOML (`.toml`).
    Toml,
    /// YAML (`.yaml`, `.yml`).
    Yaml,
    /// JSON (`.json`).
    Json,
}

impl ConfigFormat {
    fn name(self) -> &'static str {
        match self {
            ConfigFormat::Toml => "TOML",
            ConfigFormat::Yaml => "YAML",
            ConfigFormat::Json => "JSON",
        }
    }

    /// The format of a file, from its extension.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "toml" => Some(ConfigFormat::Toml),
            "yaml" | "yml" => Some(ConfigFormat::Yaml),
            "json" => Some(ConfigFormat::Json),
            _ => None,
        }
    }
}

/// Prefix of the environment variables that override options: `HZ_` + the option name in upper
/// case, e.g. `HZ_CLUSTER_NAME`, `HZ_SMART_ROUTING`, `HZ_CLUSTER_MEMBERS` (comma separated).
pub const ENV_PREFIX: &str = "HZ_";

impl ClientConfig {
    /// A builder starting from the defaults.
    pub fn builder() -> ClientConfigBuilder {
        ClientConfigBuilder {
            config: ClientConfig::default(),
        }
    }

    /// Parses a configuration in `format`. Options not given keep their defaults; unknown options
    /// are errors. Values are checked ([`ClientConfig::validate`] without the file checks).
    pub fn from_str_in(text: &str, format: ConfigFormat) -> Result<Self, ConfigError> {
        Self::parse(text, format, None)
    }

    /// Parses a TOML configuration.
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        Self::parse(text, ConfigFormat::Toml, None)
    }

    /// Parses a YAML configuration.
    pub fn from_yaml_str(text: &str) -> Result<Self, ConfigError> {
        Self::parse(text, ConfigFormat::Yaml, None)
    }

    /// Parses a JSON configuration.
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        Self::parse(text, ConfigFormat::Json, None)
    }

    /// Reads a configuration file; the format follows the extension (`.toml`, `.yaml`/`.yml`,
    /// `.json`). Environment variables are not applied (see [`ClientConfig::load`]).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let file_err = |message: String| ConfigError::File {
            path: path.display().to_string(),
            message,
        };
        let format = ConfigFormat::from_path(path)
            .ok_or_else(|| file_err("unknown extension: expected .toml, .yaml, .yml or .json".into()))?;
        let text = std::fs::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
        Self::parse(&text, format, Some(path.display().to_string()))
    }

    /// The usual way to configure an application: the file at `path` if given (else the
    /// defaults), then the `HZ_*` environment variables on top (see
    /// [`ClientConfig::apply_env`]).
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let base = match path {
            Some(p) => Self::from_file(p)?,
            None => ClientConfig::default(),
        };
        base.apply_env()
    }

    fn parse(text: &str, format: ConfigFormat, source_name: Option<String>) -> Result<Self, ConfigError> {
        let parse_err = |message: String| ConfigError::Parse {
            format: format.name(),
            source_name: source_name.clone(),
            message,
        };
        let raw: RawConfig = match format {
            // Not `e.to_string()` as it is: it quotes the offending source line, which may hold a
            // secret. The key and the line number are kept; on a secret's line nothing else is.
            ConfigFormat::Toml => toml::from_str(text).map_err(|e| parse_err(toml_error_text(text, &e)))?,
            ConfigFormat::Yaml => {
                if text.trim().is_empty() {
                    RawConfig::default()
                } else {
                    serde_yaml::from_str(text).map_err(|e| parse_err(e.to_string()))?
                }
            }
            ConfigFormat::Json => serde_json::from_str(text).map_err(|e| parse_err(e.to_string()))?,
        };
        ClientConfig::try_from(raw)
    }

    /// Serializes the configuration as TOML (secrets included: it is a configuration file).
    pub fn to_toml_string(&self) -> String {
        toml::to_string(&RawConfig::from(self.clone())).unwrap_or_default()
    }

    /// Applies the `HZ_*` environment variables of this process (see
    /// [`ClientConfig::apply_env_from`]).
    pub fn apply_env(self) -> Result<Self, ConfigError> {
        self.apply_env_from(std::env::vars())
    }

    /// Applies overrides from `(variable, value)` pairs: `HZ_<OPTION>` in upper case sets
    /// `<option>`. Booleans accept `true/false/1/0/yes/no/on/off`; `use_public_ip` also `auto`
    /// (unset); lists (`cluster_members`, `labels`) are comma separated; durations are seconds or
    /// humane strings (`500ms`, `2m`). Variables that name no option (`HZ_VERSION`, …) are
    /// ignored.
    ///
    /// ```
    /// use hazelcast::ClientConfig;
    /// let config = ClientConfig::default().apply_env_from([
    ///     ("HZ_CLUSTER_NAME".to_string(), "staging".to_string()),
    ///     ("HZ_CLUSTER_MEMBERS".to_string(), "10.0.0.1, 10.0.0.2:5702".to_string()),
    ///     ("HZ_SMART_ROUTING".to_string(), "false".to_string()),
    /// ])?;
    /// assert_eq!(config.cluster_name, "staging");
    /// assert_eq!(config.cluster_members, ["10.0.0.1", "10.0.0.2:5702"]);
    /// assert!(!config.smart_routing);
    /// # Ok::<(), hazelcast::ConfigError>(())
    /// ```
    pub fn apply_env_from<I, K, V>(self, vars: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut value = serde_json::to_value(RawConfig::from(self)).map_err(|e| ConfigError::Parse {
            format: "JSON",
            source_name: None,
            message: e.to_string(),
        })?;
        let Some(object) = value.as_object_mut() else {
            return Err(ConfigError::Parse {
                format: "JSON",
                source_name: None,
                message: "configuration is not an object".into(),
            });
        };
        let mut changed = false;
        for (var, val) in vars {
            let (var, val) = (var.as_ref(), val.as_ref());
            let Some(rest) = var.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let key = rest.to_ascii_lowercase();
            let Some(&(name, kind)) = KEYS.iter().find(|(k, _)| *k == key) else {
                continue;
            };
            let env_err = |reason: String| ConfigError::Environment {
                variable: var.to_owned(),
                key: name,
                value: if is_secret(name) {
                    "<redacted>".into()
                } else {
                    val.to_owned()
                },
                reason,
            };
            let v = match kind {
                Kind::Str | Kind::Duration => serde_json::Value::String(val.to_owned()),
                Kind::Bool => serde_json::Value::Bool(
                    parse_bool(val).ok_or_else(|| env_err("expected a boolean".into()))?,
                ),
                Kind::OptBool => match val.trim().to_ascii_lowercase().as_str() {
                    "" | "auto" | "none" | "null" => serde_json::Value::Null,
                    _ => serde_json::Value::Bool(
                        parse_bool(val).ok_or_else(|| env_err("expected a boolean or `auto`".into()))?,
                    ),
                },
                Kind::Number => {
                    let n: f64 = val
                        .trim()
                        .parse()
                        .map_err(|_| env_err("expected a number".into()))?;
                    serde_json::Number::from_f64(n)
                        .map(serde_json::Value::Number)
                        .ok_or_else(|| env_err("expected a finite number".into()))?
                }
                Kind::List => serde_json::Value::Array(
                    val.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| serde_json::Value::String(s.to_owned()))
                        .collect(),
                ),
            };
            object.insert(name.to_owned(), v);
            changed = true;
        }
        let raw: RawConfig = serde_json::from_value(value).map_err(|e| ConfigError::Parse {
            format: "environment",
            source_name: None,
            message: e.to_string(),
        })?;
        let _ = changed;
        ClientConfig::try_from(raw)
    }

    /// Checks every option: value ranges, member addresses, conflicting options, and that the
    /// TLS files exist and make a usable TLS configuration.
    /// [`HazelcastClient::start`](crate::HazelcastClient::start) calls it before connecting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.check_values()?;
        if self.ssl_enabled {
            for (key, path) in [
                ("ssl_cafile", &self.ssl_cafile),
                ("ssl_certfile", &self.ssl_certfile),
                ("ssl_keyfile", &self.ssl_keyfile),
            ] {
                if let Some(p) = path
                    && !p.is_file()
                {
                    return Err(ConfigError::invalid(key, p.display(), "no such file"));
                }
            }
            self.tls_connector()?;
        }
        if let Some(p) = &self.cloud_ca_file
            && !p.is_file()
        {
            return Err(ConfigError::invalid("cloud_ca_file", p.display(), "no such file"));
        }
        Ok(())
    }

    /// The checks of [`validate`](ClientConfig::validate) that need no file access.
    fn check_values(&self) -> Result<(), ConfigError> {
        if self.cluster_name.is_empty() {
            return Err(ConfigError::invalid("cluster_name", "\"\"", "must not be empty"));
        }
        self.member_addresses()?;
        if self.cloud_discovery_token.is_some() && !self.members_are_default() {
            return Err(ConfigError::Conflict {
                key: "cloud_discovery_token",
                other: "cluster_members",
                reason: "only one discovery method can be enabled at a time".into(),
            });
        }
        if let Some(t) = &self.cloud_discovery_token
            && t.expose().trim().is_empty()
        {
            return Err(ConfigError::invalid(
                "cloud_discovery_token",
                "\"\"",
                "must not be empty",
            ));
        }
        if let Some(url) = &self.cloud_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(ConfigError::invalid(
                "cloud_url",
                format!("{url:?}"),
                "expected an https:// URL",
            ));
        }
        for (key, d) in [
            ("invocation_timeout", self.invocation_timeout),
            ("heartbeat_interval", self.heartbeat_interval),
            ("heartbeat_timeout", self.heartbeat_timeout),
        ] {
            if d.is_zero() {
                return Err(ConfigError::invalid(key, "0", "must be greater than 0"));
            }
        }
        if !(self.retry_multiplier.is_finite() && self.retry_multiplier >= 1.0) {
            return Err(ConfigError::invalid(
                "retry_multiplier",
                self.retry_multiplier,
                "must be a number ≥ 1",
            ));
        }
        if !(self.retry_jitter.is_finite() && (0.0..=1.0).contains(&self.retry_jitter)) {
            return Err(ConfigError::invalid(
                "retry_jitter",
                self.retry_jitter,
                "must be between 0 and 1",
            ));
        }
        if let Some(c) = &self.ssl_ciphers
            && c.split([':', ',']).all(|s| s.trim().is_empty())
        {
            return Err(ConfigError::invalid(
                "ssl_ciphers",
                format!("{c:?}"),
                "names no cipher suite",
            ));
        }
        if let Some(n) = &self.ssl_server_name
            && n.trim().is_empty()
        {
            return Err(ConfigError::invalid(
                "ssl_server_name",
                "\"\"",
                "must not be empty",
            ));
        }
        if self.labels.iter().any(|l| l.is_empty()) {
            return Err(ConfigError::invalid(
                "labels",
                format!("{:?}", self.labels),
                "labels must not be empty",
            ));
        }
        if let Some(n) = &self.client_name
            && n.is_empty()
        {
            return Err(ConfigError::invalid("client_name", "\"\"", "must not be empty"));
        }
        Ok(())
    }

    fn members_are_default(&self) -> bool {
        self.cluster_members.is_empty()
            || (self.cluster_members.len() == 1
                && self.cluster_members[0] == hazelcast_discovery::DEFAULT_HOST)
    }

    /// The parsed `cluster_members`.
    pub fn member_addresses(&self) -> Result<Vec<MemberAddress>, ConfigError> {
        parse_member_addresses(&self.cluster_members).map_err(|e| {
            ConfigError::invalid(
                "cluster_members",
                format!("{:?}", self.cluster_members),
                e.to_string(),
            )
        })
    }

    /// The transport's TLS settings for the `ssl_*` options (whether or not `ssl_enabled`).
    pub fn tls_config(&self) -> TlsConfig {
        let mut tls = TlsConfig::default();
        tls.ca_file = self.ssl_cafile.clone();
        tls.cert_file = self.ssl_certfile.clone();
        tls.key_file = self.ssl_keyfile.clone();
        tls.key_password = self.ssl_password.clone();
        tls.verify_hostname = self.ssl_check_hostname;
        tls.server_name = self.ssl_server_name.clone();
        match self.ssl_protocol {
            Some(SslProtocol::TlsV1_2) => {
                tls.min_version = TlsVersion::Tls12;
                tls.max_version = TlsVersion::Tls12;
            }
            Some(SslProtocol::TlsV1_3) => {
                tls.min_version = TlsVersion::Tls13;
                tls.max_version = TlsVersion::Tls13;
            }
            None => {}
        }
        tls.cipher_suites = self.ssl_ciphers.as_ref().map(|c| {
            c.split([':', ','])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        });
        tls
    }

    fn tls_connector(&self) -> Result<TlsConnector, ConfigError> {
        TlsConnector::new(&self.tls_config()).map_err(|e| {
            let key =
                match &e {
                    TlsConfigError::UnknownCipherSuite { .. } => "ssl_ciphers",
                    TlsConfigError::UnsupportedProtocol { .. } => "ssl_protocol",
                    TlsConfigError::InvalidServerName { .. } => "ssl_server_name",
                    TlsConfigError::InvalidCaCertificate { .. } => "ssl_cafile",
                    TlsConfigError::NoCertificate { what, .. }
                    | TlsConfigError::UnreadableFile { what, .. } => match *what {
                        "CA" => "ssl_cafile",
                        "certificate" => "ssl_certfile",
                        _ => "ssl_keyfile",
                    },
                    TlsConfigError::KeyPasswordRequired { .. }
                    | TlsConfigError::KeyDecryptionFailed { .. } => "ssl_password",
                    TlsConfigError::NoPrivateKey { .. }
                    | TlsConfigError::InvalidPrivateKey { .. }
                    | TlsConfigError::UnsupportedKeyEncryption { .. } => "ssl_keyfile",
                    _ => "ssl_certfile",
                };
            let value = match key {
                "ssl_ciphers" => format!("{:?}", self.ssl_ciphers.clone().unwrap_or_default()),
                "ssl_protocol" => self.ssl_protocol.map(|p| p.to_string()).unwrap_or_default(),
                "ssl_server_name" => format!("{:?}", self.ssl_server_name.clone().unwrap_or_default()),
                "ssl_cafile" => path_text(&self.ssl_cafile),
                "ssl_keyfile" => path_text(&self.ssl_keyfile.clone().or_else(|| self.ssl_certfile.clone())),
                "ssl_password" => "<redacted>".into(),
                _ => path_text(&self.ssl_certfile),
            };
            ConfigError::invalid(key, value, e.to_string())
        })
    }

    /// The invocation layer's configuration for these options (builds the TLS connector when
    /// `ssl_enabled`, reading the TLS files).
    pub fn invocation_config(&self) -> Result<InvocationConfig, ConfigError> {
        let mut c = InvocationConfig::default();
        c.cluster_name = self.cluster_name.clone();
        if self.creds_username.is_some() || self.creds_password.is_some() {
            c.credentials = Some(Credentials {
                username: self.creds_username.clone().unwrap_or_default(),
                password: self.creds_password.clone().unwrap_or_else(|| Secret::new("")),
            });
        }
        if let Some(name) = &self.client_name {
            c.client_name = name.clone();
        }
        c.labels = self.labels.clone();
        c.smart_routing = self.smart_routing;
        c.redo_operation = self.redo_operation;
        c.invocation_timeout = self.invocation_timeout;
        c.invocation_retry_pause = self.invocation_retry_pause;
        c.backup_ack_to_client_enabled = self.backup_ack_to_client_enabled;
        c.operation_backup_timeout = self.operation_backup_timeout;
        c.fail_on_indeterminate_operation_state = self.fail_on_indeterminate_operation_state;
        c.heartbeat_interval = self.heartbeat_interval;
        c.heartbeat_timeout = self.heartbeat_timeout;
        c.cluster_connect_timeout = self.cluster_connect_timeout;
        c.connection_retry = Backoff {
            initial: self.retry_initial_backoff,
            max: self.retry_max_backoff,
            multiplier: self.retry_multiplier,
            jitter: self.retry_jitter,
        };
        c.reconnect_mode = self.reconnect_mode;
        c.skip_member_list_during_reconnection = self.skip_member_list_during_reconnection;
        c.load_balancer = self.load_balancer;
        c.connection.connect_timeout = if self.connection_timeout.is_zero() {
            NO_LIMIT
        } else {
            self.connection_timeout
        };
        if self.ssl_enabled {
            c.connection.tls = Some(self.tls_connector()?);
        }
        Ok(c)
    }

    /// Where the client finds members: the static member list, or cloud discovery, with the
    /// public/private address decision of `use_public_ip`.
    pub fn address_source(&self) -> Result<Arc<dyn AddressSource>, ConfigError> {
        let translator =
            MemberAddressTranslator::new(PublicAddressMode::from_use_public_ip(self.use_public_ip));
        let (provider, configured): (Arc<dyn hazelcast_discovery::AddressProvider>, Vec<MemberAddress>) =
            match &self.cloud_discovery_token {
                Some(token) => {
                    let mut cloud = CloudConfig::new(token.expose()).shuffle(self.shuffle_member_list);
                    if let Some(url) = &self.cloud_url {
                        cloud = cloud.base_url(url.clone());
                    }
                    if let Some(ca) = &self.cloud_ca_file {
                        let pem = std::fs::read(ca).map_err(|e| {
                            ConfigError::invalid("cloud_ca_file", ca.display(), e.to_string())
                        })?;
                        cloud = cloud.extra_root_ca_pem(pem);
                    }
                    let discovery = CloudDiscovery::new(cloud).map_err(|e| {
                        ConfigError::invalid(
                            "cloud_url",
                            format!("{:?}", self.cloud_url.clone().unwrap_or_default()),
                            e.to_string(),
                        )
                    })?;
                    (Arc::new(discovery), Vec::new())
                }
                None => {
                    let members = self.member_addresses()?;
                    (
                        Arc::new(StaticAddressProvider::new(
                            members.clone(),
                            self.shuffle_member_list,
                        )),
                        members,
                    )
                }
            };
        Ok(Arc::new(DiscoveryAddresses::new(
            provider,
            translator,
            configured,
            self.ssl_enabled,
        )))
    }
}

fn path_text(p: &Option<PathBuf>) -> String {
    p.as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "(none)".into())
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

fn is_secret(key: &str) -> bool {
    matches!(key, "ssl_password" | "creds_password" | "cloud_discovery_token")
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Str,
    Bool,
    OptBool,
    Duration,
    Number,
    List,
}

/// Every option and how an environment variable spells its value.
const KEYS: &[(&str, Kind)] = &[
    ("cluster_name", Kind::Str),
    ("cluster_members", Kind::List),
    ("smart_routing", Kind::Bool),
    ("redo_operation", Kind::Bool),
    ("connection_timeout", Kind::Duration),
    ("cloud_discovery_token", Kind::Str),
    ("cloud_url", Kind::Str),
    ("cloud_ca_file", Kind::Str),
    ("use_public_ip", Kind::OptBool),
    ("ssl_enabled", Kind::Bool),
    ("ssl_cafile", Kind::Str),
    ("ssl_certfile", Kind::Str),
    ("ssl_keyfile", Kind::Str),
    ("ssl_password", Kind::Str),
    ("ssl_check_hostname", Kind::Bool),
    ("ssl_server_name", Kind::Str),
    ("ssl_protocol", Kind::Str),
    ("ssl_ciphers", Kind::Str),
    ("backup_ack_to_client_enabled", Kind::Bool),
    ("operation_backup_timeout", Kind::Duration),
    ("fail_on_indeterminate_operation_state", Kind::Bool),
    ("invocation_timeout", Kind::Duration),
    ("invocation_retry_pause", Kind::Duration),
    ("heartbeat_interval", Kind::Duration),
    ("heartbeat_timeout", Kind::Duration),
    ("cluster_connect_timeout", Kind::Duration),
    ("retry_initial_backoff", Kind::Duration),
    ("retry_max_backoff", Kind::Duration),
    ("retry_multiplier", Kind::Number),
    ("retry_jitter", Kind::Number),
    ("reconnect_mode", Kind::Str),
    ("skip_member_list_during_reconnection", Kind::Bool),
    ("async_start", Kind::Bool),
    ("shuffle_member_list", Kind::Bool),
    ("load_balancer", Kind::Str),
    ("client_name", Kind::Str),
    ("labels", Kind::List),
    ("creds_username", Kind::Str),
    ("creds_password", Kind::Str),
];

/// The names of every option, as configuration files spell them.
pub fn option_names() -> impl Iterator<Item = &'static str> {
    KEYS.iter().map(|(k, _)| *k)
}

// ------------------------------------------------------------------------------------------
// The file representation.

/// A value written as a name or as a number (`ssl_protocol`: the Python client's numbers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
enum NameOrNumber {
    Name(String),
    Number(i64),
}

/// A duration as files write it: seconds (a number) or a humane string (`"500ms"`, `"5s"`,
/// `"2m"`, `"1h"`, `"1.5"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
enum Seconds {
    Number(f64),
    Text(String),
}

impl Seconds {
    fn of(d: Duration) -> Self {
        Seconds::Number(d.as_secs_f64())
    }

    /// The value in seconds (may be negative).
    fn seconds(&self, key: &'static str) -> Result<f64, ConfigError> {
        let v = match self {
            Seconds::Number(n) => *n,
            Seconds::Text(t) => parse_duration_text(t).ok_or_else(|| {
                ConfigError::invalid(
                    key,
                    format!("{t:?}"),
                    "expected seconds (a number) or a duration such as \"500ms\", \"5s\", \"2m\", \"1h\"",
                )
            })?,
        };
        if !v.is_finite() {
            return Err(ConfigError::invalid(
                key,
                self.shown(),
                "must be a finite number of seconds",
            ));
        }
        Ok(v)
    }

    fn shown(&self) -> String {
        match self {
            Seconds::Number(n) => n.to_string(),
            Seconds::Text(t) => format!("{t:?}"),
        }
    }

    fn duration(&self, key: &'static str) -> Result<Duration, ConfigError> {
        let v = self.seconds(key)?;
        if v < 0.0 {
            return Err(ConfigError::invalid(key, self.shown(), "must not be negative"));
        }
        Duration::try_from_secs_f64(v).map_err(|e| ConfigError::invalid(key, self.shown(), e.to_string()))
    }
}

fn parse_duration_text(t: &str) -> Option<f64> {
    let t = t.trim();
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.trim().parse().ok()?;
    let factor = match unit.trim() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "ms" | "millis" | "milliseconds" => 1e-3,
        "us" | "µs" | "micros" => 1e-6,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hour" | "hours" => 3600.0,
        _ => return None,
    };
    Some(n * factor)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawConfig {
    cluster_name: String,
    cluster_members: Vec<String>,
    smart_routing: bool,
    redo_operation: bool,
    connection_timeout: Seconds,
    #[serde(skip_serializing_if = "Option::is_none")]
    cloud_discovery_token: Option<String>,
    #[serde(alias = "hazelcast.client.cloud.url", skip_serializing_if = "Option::is_none")]
    cloud_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cloud_ca_file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    use_public_ip: Option<bool>,
    ssl_enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    ssl_cafile: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ssl_certfile: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ssl_keyfile: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ssl_password: Option<String>,
    ssl_check_hostname: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    ssl_server_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ssl_protocol: Option<NameOrNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ssl_ciphers: Option<String>,
    backup_ack_to_client_enabled: bool,
    operation_backup_timeout: Seconds,
    fail_on_indeterminate_operation_state: bool,
    invocation_timeout: Seconds,
    invocation_retry_pause: Seconds,
    heartbeat_interval: Seconds,
    heartbeat_timeout: Seconds,
    cluster_connect_timeout: Seconds,
    retry_initial_backoff: Seconds,
    retry_max_backoff: Seconds,
    retry_multiplier: f64,
    retry_jitter: f64,
    reconnect_mode: String,
    skip_member_list_during_reconnection: bool,
    async_start: bool,
    shuffle_member_list: bool,
    load_balancer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_name: Option<String>,
    labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    creds_username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    creds_password: Option<String>,
}

impl Default for RawConfig {
    fn default() -> Self {
        RawConfig::from(ClientConfig::default())
    }
}

fn reconnect_mode_name(m: ReconnectMode) -> &'static str {
    match m {
        ReconnectMode::Off => "off",
        ReconnectMode::Async => "async",
        _ => "on",
    }
}

fn load_balancer_name(lb: LoadBalancer) -> &'static str {
    match lb {
        LoadBalancer::Random => "random",
        _ => "round_robin",
    }
}

impl From<ClientConfig> for RawConfig {
    fn from(c: ClientConfig) -> Self {
        RawConfig {
            cluster_name: c.cluster_name,
            cluster_members: c.cluster_members,
            smart_routing: c.smart_routing,
            redo_operation: c.redo_operation,
            connection_timeout: Seconds::of(c.connection_timeout),
            cloud_discovery_token: c.cloud_discovery_token.map(|s| s.expose().to_owned()),
            cloud_url: c.cloud_url,
            cloud_ca_file: c.cloud_ca_file,
            use_public_ip: c.use_public_ip,
            ssl_enabled: c.ssl_enabled,
            ssl_cafile: c.ssl_cafile,
            ssl_certfile: c.ssl_certfile,
            ssl_keyfile: c.ssl_keyfile,
            ssl_password: c.ssl_password.map(|s| s.expose().to_owned()),
            ssl_check_hostname: c.ssl_check_hostname,
            ssl_server_name: c.ssl_server_name,
            ssl_protocol: c.ssl_protocol.map(|p| NameOrNumber::Name(p.name().to_owned())),
            ssl_ciphers: c.ssl_ciphers,
            backup_ack_to_client_enabled: c.backup_ack_to_client_enabled,
            operation_backup_timeout: Seconds::of(c.operation_backup_timeout),
            fail_on_indeterminate_operation_state: c.fail_on_indeterminate_operation_state,
            invocation_timeout: Seconds::of(c.invocation_timeout),
            invocation_retry_pause: Seconds::of(c.invocation_retry_pause),
            heartbeat_interval: Seconds::of(c.heartbeat_interval),
            heartbeat_timeout: Seconds::of(c.heartbeat_timeout),
            cluster_connect_timeout: c
                .cluster_connect_timeout
                .map_or(Seconds::Number(-1.0), Seconds::of),
            retry_initial_backoff: Seconds::of(c.retry_initial_backoff),
            retry_max_backoff: Seconds::of(c.retry_max_backoff),
            retry_multiplier: c.retry_multiplier,
            retry_jitter: c.retry_jitter,
            reconnect_mode: reconnect_mode_name(c.reconnect_mode).to_owned(),
            skip_member_list_during_reconnection: c.skip_member_list_during_reconnection,
            async_start: c.async_start,
            shuffle_member_list: c.shuffle_member_list,
            load_balancer: load_balancer_name(c.load_balancer).to_owned(),
            client_name: c.client_name,
            labels: c.labels,
            creds_username: c.creds_username,
            creds_password: c.creds_password.map(|s| s.expose().to_owned()),
        }
    }
}

impl TryFrom<RawConfig> for ClientConfig {
    type Error = ConfigError;

    fn try_from(r: RawConfig) -> Result<Self, ConfigError> {
        let cluster_connect_timeout = {
            let v = r.cluster_connect_timeout.seconds("cluster_connect_timeout")?;
            if v == -1.0 {
                None
            } else if v < 0.0 {
                return Err(ConfigError::invalid(
                    "cluster_connect_timeout",
                    r.cluster_connect_timeout.shown(),
                    "must be -1 (infinite) or a duration ≥ 0",
                ));
            } else {
                Some(r.cluster_connect_timeout.duration("cluster_connect_timeout")?)
            }
        };
        let reconnect_mode = match r.reconnect_mode.trim().to_ascii_lowercase().as_str() {
            "on" => ReconnectMode::On,
            "off" => ReconnectMode::Off,
            "async" => ReconnectMode::Async,
            _ => {
                return Err(ConfigError::invalid(
                    "reconnect_mode",
                    format!("{:?}", r.reconnect_mode),
                    "expected \"on\", \"off\" or \"async\"",
                ));
            }
        };
        let lb_norm: String = r
            .load_balancer
            .chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .collect::<String>()
            .to_ascii_lowercase();
        let load_balancer = match lb_norm.as_str() {
            "roundrobin" | "roundrobinlb" => LoadBalancer::RoundRobin,
            "random" | "randomlb" => LoadBalancer::Random,
            _ => {
                return Err(ConfigError::invalid(
                    "load_balancer",
                    format!("{:?}", r.load_balancer),
                    "expected \"round_robin\" or \"random\"",
                ));
            }
        };
        let ssl_protocol = match &r.ssl_protocol {
            None => None,
            Some(p) => {
                let (text, shown) = match p {
                    NameOrNumber::Name(s) => (s.clone(), format!("{s:?}")),
                    NameOrNumber::Number(n) => (n.to_string(), n.to_string()),
                };
                Some(
                    SslProtocol::parse(&text)
                        .map_err(|reason| ConfigError::invalid("ssl_protocol", shown, reason))?,
                )
            }
        };
        let config = ClientConfig {
            cluster_name: r.cluster_name,
            cluster_members: r.cluster_members,
            smart_routing: r.smart_routing,
            redo_operation: r.redo_operation,
            connection_timeout: r.connection_timeout.duration("connection_timeout")?,
            cloud_discovery_token: r.cloud_discovery_token.map(Secret::new),
            cloud_url: r.cloud_url,
            cloud_ca_file: r.cloud_ca_file,
            use_public_ip: r.use_public_ip,
            ssl_enabled: r.ssl_enabled,
            ssl_cafile: r.ssl_cafile,
            ssl_certfile: r.ssl_certfile,
            ssl_keyfile: r.ssl_keyfile,
            ssl_password: r.ssl_password.map(Secret::new),
            ssl_check_hostname: r.ssl_check_hostname,
            ssl_server_name: r.ssl_server_name,
            ssl_protocol,
            ssl_ciphers: r.ssl_ciphers,
            backup_ack_to_client_enabled: r.backup_ack_to_client_enabled,
            operation_backup_timeout: r.operation_backup_timeout.duration("operation_backup_timeout")?,
            fail_on_indeterminate_operation_state: r.fail_on_indeterminate_operation_state,
            invocation_timeout: r.invocation_timeout.duration("invocation_timeout")?,
            invocation_retry_pause: r.invocation_retry_pause.duration("invocation_retry_pause")?,
            heartbeat_interval: r.heartbeat_interval.duration("heartbeat_interval")?,
            heartbeat_timeout: r.heartbeat_timeout.duration("heartbeat_timeout")?,
            cluster_connect_timeout,
            retry_initial_backoff: r.retry_initial_backoff.duration("retry_initial_backoff")?,
            retry_max_backoff: r.retry_max_backoff.duration("retry_max_backoff")?,
            retry_multiplier: r.retry_multiplier,
            retry_jitter: r.retry_jitter,
            reconnect_mode,
            skip_member_list_during_reconnection: r.skip_member_list_during_reconnection,
            async_start: r.async_start,
            shuffle_member_list: r.shuffle_member_list,
            load_balancer,
            client_name: r.client_name,
            labels: r.labels,
            creds_username: r.creds_username,
            creds_password: r.creds_password.map(Secret::new),
        };
        config.check_values()?;
        Ok(config)
    }
}

// ------------------------------------------------------------------------------------------
// The builder.

/// Builds a [`ClientConfig`] in code; every option has a setter of the same name.
/// [`build`](ClientConfigBuilder::build) validates; [`start`](ClientConfigBuilder::start)
/// validates and connects.
///
/// ```
/// use std::time::Duration;
/// use hazelcast::ClientConfig;
///
/// let config = ClientConfig::builder()
///     .cluster_name("production")
///     .cluster_members(["10.0.0.1:5701", "10.0.0.2:5701"])
///     .smart_routing(false)
///     .connection_timeout(Duration::from_secs(2))
///     .build()?;
/// assert_eq!(config.cluster_members.len(), 2);
/// # Ok::<(), hazelcast::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ClientConfigBuilder {
    config: ClientConfig,
}

macro_rules! setters {
    ($( $(#[$m:meta])* $name:ident ( $v:ident : $ty:ty ) => $conv:expr ; )*) => {
        impl ClientConfigBuilder {
            $(
                $(#[$m])*
                pub fn $name(mut self, $v: $ty) -> Self {
                    self.config.$name = $conv;
                    self
                }
            )*
        }
    };
}

setters! {
    /// `cluster_name`.
    cluster_name(v: impl Into<String>) => v.into();
    /// `smart_routing`.
    smart_routing(v: bool) => v;
    /// `redo_operation`.
    redo_operation(v: bool) => v;
    /// `connection_timeout` (zero: no limit).
    connection_timeout(v: Duration) => v;
    /// `cloud_discovery_token`.
    cloud_discovery_token(v: impl Into<String>) => Some(Secret::new(v.into()));
    /// `cloud_url`.
    cloud_url(v: impl Into<String>) => Some(v.into());
    /// `cloud_ca_file` (extension).
    cloud_ca_file(v: impl Into<PathBuf>) => Some(v.into());
    /// `use_public_ip` (`None`: automatic).
    use_public_ip(v: Option<bool>) => v;
    /// `ssl_enabled`.
    ssl_enabled(v: bool) => v;
    /// `ssl_cafile`.
    ssl_cafile(v: impl Into<PathBuf>) => Some(v.into());
    /// `ssl_certfile`.
    ssl_certfile(v: impl Into<PathBuf>) => Some(v.into());
    /// `ssl_keyfile`.
    ssl_keyfile(v: impl Into<PathBuf>) => Some(v.into());
    /// `ssl_password`.
    ssl_password(v: impl Into<String>) => Some(Secret::new(v.into()));
    /// `ssl_check_hostname`.
    ssl_check_hostname(v: bool) => v;
    /// `ssl_server_name` (extension).
    ssl_server_name(v: impl Into<String>) => Some(v.into());
    /// `ssl_protocol`.
    ssl_protocol(v: SslProtocol) => Some(v);
    /// `ssl_ciphers`.
    ssl_ciphers(v: impl Into<String>) => Some(v.into());
    /// `backup_ack_to_client_enabled`.
    backup_ack_to_client_enabled(v: bool) => v;
    /// `operation_backup_timeout`.
    operation_backup_timeout(v: Duration) => v;
    /// `fail_on_indeterminate_operation_state`.
    fail_on_indeterminate_operation_state(v: bool) => v;
    /// `invocation_timeout`.
    invocation_timeout(v: Duration) => v;
    /// `invocation_retry_pause`.
    invocation_retry_pause(v: Duration) => v;
    /// `heartbeat_interval`.
    heartbeat_interval(v: Duration) => v;
    /// `heartbeat_timeout`.
    heartbeat_timeout(v: Duration) => v;
    /// `cluster_connect_timeout` (`None`: infinite).
    cluster_connect_timeout(v: Option<Duration>) => v;
    /// `retry_initial_backoff`.
    retry_initial_backoff(v: Duration) => v;
    /// `retry_max_backoff`.
    retry_max_backoff(v: Duration) => v;
    /// `retry_multiplier` (≥ 1).
    retry_multiplier(v: f64) => v;
    /// `retry_jitter` (0..=1).
    retry_jitter(v: f64) => v;
    /// `reconnect_mode`.
    reconnect_mode(v: ReconnectMode) => v;
    /// `skip_member_list_during_reconnection`.
    skip_member_list_during_reconnection(v: bool) => v;
    /// `async_start`.
    async_start(v: bool) => v;
    /// `shuffle_member_list`.
    shuffle_member_list(v: bool) => v;
    /// `load_balancer`.
    load_balancer(v: LoadBalancer) => v;
    /// `client_name`.
    client_name(v: impl Into<String>) => Some(v.into());
    /// `creds_username`.
    creds_username(v: impl Into<String>) => Some(v.into());
    /// `creds_password`.
    creds_password(v: impl Into<String>) => Some(Secret::new(v.into()));
}

impl ClientConfigBuilder {
    /// A builder starting from `config`.
    pub fn from_config(config: ClientConfig) -> Self {
        ClientConfigBuilder { config }
    }

    /// `cluster_members`.
    pub fn cluster_members<I, S>(mut self, members: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config.cluster_members = members.into_iter().map(Into::into).collect();
        self
    }

    /// `labels`.
    pub fn labels<I, S>(mut self, labels: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config.labels = labels.into_iter().map(Into::into).collect();
        self
    }

    /// Validates ([`ClientConfig::validate`]) and returns the configuration.
    pub fn build(self) -> Result<ClientConfig, ConfigError> {
        self.config.validate()?;
        Ok(self.config)
    }

    /// The configuration as set so far, unvalidated.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Validates and starts a client ([`HazelcastClient::start`](crate::HazelcastClient::start)).
    pub async fn start(self) -> Result<crate::HazelcastClient, crate::HazelcastError> {
        crate::HazelcastClient::start(self.config).await
    }
}

/// Keys whose values must never appear in an error.
const SECRET_KEYS: [&str; 3] = ["creds_password", "ssl_password", "cloud_discovery_token"];

/// A TOML parse error naming the key and the line, without echoing a secret's value.
fn toml_error_text(text: &str, e: &toml::de::Error) -> String {
    let Some(span) = e.span() else {
        return e.message().to_owned();
    };
    let start = span.start.min(text.len());
    let line_no = text[..start].matches('\n').count() + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or_default().trim();
    let key = line
        .split('=')
        .next()
        .unwrap_or_default()
        .trim()
        .trim_matches('"');
    if SECRET_KEYS
        .iter()
        .any(|s| key == *s || key.ends_with(&format!(".{s}")))
    {
        format!("invalid value for `{key}` (line {line_no}; the value is not shown)")
    } else if line.contains('=') {
        format!("{} in `{line}` (line {line_no})", e.message())
    } else {
        format!("{} (line {line_no})", e.message())
    }
}
