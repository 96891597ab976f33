//! [`ClientConfig`]: every option of the client under the names the official clients document
//! (the Python client's `snake_case` names), loadable from TOML, YAML and JSON files, overridable
//! from `HZ_*` environment variables, and buildable in code with [`ClientConfigBuilder`].
//!
//! Each option is declared once, in `options.rs`; see `docs/configuration.md` for the reference.

#[macro_use]
pub(crate) mod declare;
mod checks;
mod env;
mod formats;
pub(crate) mod layers;
mod options;
mod ssl;
pub(crate) mod value;

use std::path::Path;

use hazelcast_transport::TlsConfig;

pub use declare::{Mark, OptionSpec};
pub use formats::ConfigFormat;
pub use options::ClientConfig;
use options::SPECS;
pub use ssl::SslProtocol;
use value::{Raw, Reason};

use crate::error::ConfigError;
use layers::Layers;

/// Prefix of the environment variables that override options: `HZ_` + the option name in upper
/// case, e.g. `HZ_CLUSTER_NAME`, `HZ_SMART_ROUTING`, `HZ_CLUSTER_MEMBERS` (comma separated).
pub const ENV_PREFIX: &str = "HZ_";

/// The option `key` (with `aliases`, also under another name files may use).
pub(crate) fn spec(key: &str, aliases: bool) -> Option<&'static OptionSpec> {
    SPECS
        .iter()
        .find(|s| s.name == key || (aliases && s.alias() == Some(key)))
}

/// A value as an error shows it: not at all for a secret.
pub(crate) fn shown(spec: &OptionSpec, raw: &Raw) -> String {
    if spec.is_secret() {
        "(not shown)".into()
    } else {
        raw.shown()
    }
}

/// The error of an option whose value fails its check.
pub(crate) fn invalid_value(key: &'static str, raw: Raw, reason: Reason) -> ConfigError {
    let value = match spec(key, false) {
        Some(s) => shown(s, &raw),
        None => raw.shown(),
    };
    ConfigError::InvalidValue {
        key,
        value,
        reason: reason.into_owned(),
    }
}

/// The names of every option, as configuration files spell them.
pub fn option_names() -> impl Iterator<Item = &'static str> {
    SPECS.iter().map(|s| s.name)
}

impl ClientConfig {
    /// Every option: name, type, default, environment variable, whether secret, its summary.
    ///
    /// ```
    /// let timeout = hazelcast::ClientConfig::options()
    ///     .iter()
    ///     .find(|o| o.name() == "connection_timeout")
    ///     .expect("declared");
    /// assert_eq!(timeout.env_var(), "HZ_CONNECTION_TIMEOUT");
    /// assert_eq!(timeout.default_value(), "5.0");
    /// ```
    pub fn options() -> &'static [OptionSpec] {
        SPECS
    }

    /// A builder starting from the defaults.
    pub fn builder() -> ClientConfigBuilder {
        ClientConfigBuilder {
            config: ClientConfig::default(),
        }
    }

    /// Parses a configuration in `format`. Options not given keep their defaults; unknown options
    /// are errors. Values are checked ([`ClientConfig::validate`] without the file checks). A
    /// format whose Cargo feature is off fails with [`ConfigError::FormatNotEnabled`].
    pub fn from_str_in(text: &str, format: ConfigFormat) -> Result<Self, ConfigError> {
        Self::parse(text, format, None)
    }

    /// Parses a TOML configuration.
    #[cfg(feature = "toml")]
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        Self::parse(text, ConfigFormat::Toml, None)
    }

    /// Parses a YAML configuration.
    #[cfg(feature = "yaml")]
    pub fn from_yaml_str(text: &str) -> Result<Self, ConfigError> {
        Self::parse(text, ConfigFormat::Yaml, None)
    }

    /// Parses a JSON configuration.
    #[cfg(feature = "json")]
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        Self::parse(text, ConfigFormat::Json, None)
    }

    /// Reads a configuration file; the format follows the extension (`.toml`, `.yaml`/`.yml`,
    /// `.json`). Environment variables are not applied (see [`ClientConfig::load`]).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let shown = || path.display().to_string();
        let format =
            ConfigFormat::from_path(path).ok_or_else(|| ConfigError::UnknownFileFormat { path: shown() })?;
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
            path: shown(),
            source: e.into(),
        })?;
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

    /// The defaults with the `HZ_*` environment variables of this process applied: what the
    /// examples use (`HZ_CLUSTER_MEMBERS`, `HZ_CLUSTER_NAME`, …).
    pub fn from_env() -> Result<Self, ConfigError> {
        ClientConfig::default().apply_env()
    }

    /// Serializes the configuration as TOML (secrets included: it is a configuration file).
    #[cfg(feature = "toml")]
    pub fn to_toml_string(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Checks every option: value ranges, member addresses, conflicting options, and with
    /// `ssl_enabled` that the TLS files exist and make a usable TLS configuration (the client
    /// assembly reads them). [`HazelcastClient::start`](crate::HazelcastClient::start) calls it
    /// before connecting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.check_values()?;
        crate::assembly::check_files(self)
    }

    /// What the options turn into in the layers below (without reading any file).
    pub(crate) fn layers(&self) -> Layers {
        let mut layers = Layers::new();
        self.to_layers(&mut layers);
        layers
    }

    /// The transport's TLS settings for the `ssl_*` options (whether or not `ssl_enabled`).
    pub fn tls_config(&self) -> TlsConfig {
        self.layers().tls
    }
}

impl serde::Serialize for ClientConfig {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        for spec in SPECS {
            let raw = self.raw_value(spec.name);
            if raw != Raw::Null {
                map.serialize_entry(spec.name, &raw)?;
            }
        }
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for ClientConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let doc = value::Document::deserialize(d)?;
        let mut config = ClientConfig::default();
        config
            .apply_document(doc.0)
            .and_then(|()| config.check_values())
            .map_err(serde::de::Error::custom)?;
        Ok(config)
    }
}

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
///     .use_public_ip(true)
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

impl ClientConfigBuilder {
    /// A builder starting from `config`.
    pub fn from_config(config: ClientConfig) -> Self {
        ClientConfigBuilder { config }
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
