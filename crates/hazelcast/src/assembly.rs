//! The client's assembly: from a [`ClientConfig`] to the parts the invocation layer runs with.
//! This is where files are read (the TLS certificates and keys, the cloud coordinator's CA) and
//! where cloud discovery is built; the configuration itself only holds and checks values.

use std::sync::Arc;

use hazelcast_discovery::{AddressProvider, MemberAddress, MemberAddressTranslator, StaticAddressProvider};
use hazelcast_invocation::{AddressSource, DiscoveryAddresses, InvocationConfig};
use hazelcast_transport::{TlsConfigError, TlsConnector};

use crate::config::ClientConfig;
use crate::config::layers::Layers;
use crate::error::ConfigError;

/// The option a TLS configuration error is about.
fn tls_key(e: &TlsConfigError) -> &'static str {
    match e {
        TlsConfigError::UnknownCipherSuite { .. } => "ssl_ciphers",
        TlsConfigError::UnsupportedProtocol { .. } => "ssl_protocol",
        TlsConfigError::InvalidServerName { .. } => "ssl_server_name",
        TlsConfigError::InvalidCaCertificate { .. }
        | TlsConfigError::HostnameVerificationOffWithoutCaFile { .. } => "ssl_cafile",
        TlsConfigError::NoSystemRoots { .. } => "ssl_trust_store",
        TlsConfigError::NoCertificate { what, .. } | TlsConfigError::UnreadableFile { what, .. } => {
            match *what {
                "CA" => "ssl_cafile",
                "certificate" => "ssl_certfile",
                _ => "ssl_keyfile",
            }
        }
        TlsConfigError::KeyPasswordRequired { .. } | TlsConfigError::KeyDecryptionFailed { .. } => {
            "ssl_password"
        }
        TlsConfigError::NoPrivateKey { .. }
        | TlsConfigError::InvalidPrivateKey { .. }
        | TlsConfigError::UnsupportedKeyEncryption { .. } => "ssl_keyfile",
        _ => "ssl_certfile",
    }
}

/// Reads the TLS files and builds the connector.
fn tls_connector(layers: &Layers) -> Result<TlsConnector, ConfigError> {
    TlsConnector::new(&layers.tls).map_err(|source| ConfigError::Tls {
        key: tls_key(&source),
        source,
    })
}

/// The file checks of [`ClientConfig::validate`]: with `ssl_enabled`, the TLS files exist and
/// make a connector; the cloud CA file exists.
pub(crate) fn check_files(config: &ClientConfig) -> Result<(), ConfigError> {
    let layers = config.layers();
    if layers.ssl_enabled {
        for (key, path) in [
            ("ssl_cafile", &config.ssl_cafile),
            ("ssl_certfile", &config.ssl_certfile),
            ("ssl_keyfile", &config.ssl_keyfile),
        ] {
            if let Some(p) = path
                && !p.is_file()
            {
                return Err(ConfigError::invalid(key, p.display(), "no such file"));
            }
        }
        tls_connector(&layers)?;
    }
    if let Some(p) = &config.cloud_ca_file
        && !p.is_file()
    {
        return Err(ConfigError::invalid("cloud_ca_file", p.display(), "no such file"));
    }
    Ok(())
}

/// Cloud discovery from the options (the HTTP client is built here; no request is made).
#[cfg(feature = "cloud")]
fn cloud_provider(
    layers: &Layers,
    token: &hazelcast_transport::Secret,
) -> Result<Arc<dyn AddressProvider>, ConfigError> {
    use hazelcast_discovery::{CloudConfig, CloudDiscovery};
    let cloud = &layers.cloud;
    let mut config = CloudConfig::new(token.expose())
        .shuffle(layers.shuffle)
        .request_timeout(cloud.request_timeout);
    if let Some(url) = &cloud.url {
        config = config.base_url(url.clone());
    }
    if let Some(ca) = &cloud.ca_file {
        let pem = std::fs::read(ca)
            .map_err(|e| ConfigError::invalid("cloud_ca_file", ca.display(), e.to_string()))?;
        config = config.extra_root_ca_pem(pem);
    }
    let discovery = CloudDiscovery::new(config).map_err(|e| {
        ConfigError::invalid(
            "cloud_url",
            format!("{:?}", cloud.url.clone().unwrap_or_default()),
            e.to_string(),
        )
    })?;
    Ok(Arc::new(discovery))
}

#[cfg(not(feature = "cloud"))]
fn cloud_provider(
    _: &Layers,
    _: &hazelcast_transport::Secret,
) -> Result<Arc<dyn AddressProvider>, ConfigError> {
    Err(ConfigError::CloudNotEnabled)
}

impl ClientConfig {
    /// The invocation layer's configuration for these options, with the transport's TLS
    /// connector when `ssl_enabled` (reading the TLS files), for code that drives
    /// [`ClusterClient`](hazelcast_invocation::ClusterClient) directly.
    pub fn invocation_config(&self) -> Result<InvocationConfig, ConfigError> {
        let layers = self.layers();
        let mut invocation = layers.invocation.clone();
        if layers.ssl_enabled {
            invocation.connection.tls = Some(tls_connector(&layers)?);
        }
        Ok(invocation)
    }

    /// Where the client finds members: the static member list, or cloud discovery (with the
    /// Cargo feature `cloud`), with the public/private address decision of `use_public_ip`.
    pub fn address_source(&self) -> Result<Arc<dyn AddressSource>, ConfigError> {
        let layers = self.layers();
        let translator = MemberAddressTranslator::new(layers.public_address);
        let (provider, configured): (Arc<dyn AddressProvider>, Vec<MemberAddress>) = match &layers.cloud.token
        {
            Some(token) => (cloud_provider(&layers, token)?, Vec::new()),
            None => {
                let members = self.member_addresses()?;
                (
                    Arc::new(StaticAddressProvider::new(members.clone(), layers.shuffle)),
                    members,
                )
            }
        };
        Ok(Arc::new(DiscoveryAddresses::new(
            provider,
            translator,
            configured,
            layers.ssl_enabled,
        )))
    }
}
