//! [`TlsConnector`]: the rustls client configuration built once from a [`TlsConfig`] and shared
//! by every connection, with the crypto provider, the trusted roots and the protocol versions.

use std::fmt;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, RootCertStore};

use super::pem::{load_certs, load_identity};
use super::verifier::NoHostnameVerifier;
use super::{TlsConfig, TlsConfigError, TlsVersion, TrustStore};

/// The rustls client configuration built from a [`TlsConfig`], shared (cheaply cloned) by every
/// connection that uses it.
#[derive(Clone)]
pub struct TlsConnector {
    config: Arc<ClientConfig>,
    server_name: Option<ServerName<'static>>,
    has_client_cert: bool,
}

impl fmt::Debug for TlsConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConnector")
            .field("server_name", &self.server_name)
            .field("client_certificate", &self.has_client_cert)
            .finish_non_exhaustive()
    }
}

impl TlsConnector {
    /// Reads the files of `config` and builds the rustls client configuration.
    pub fn new(config: &TlsConfig) -> Result<Self, TlsConfigError> {
        if !config.verify_hostname && config.ca_file.is_none() {
            return Err(TlsConfigError::HostnameVerificationOffWithoutCaFile {
                trust_store: config.trust_store,
            });
        }
        let provider = Arc::new(provider(config)?);
        let versions = versions(config)?;
        let roots = Arc::new(load_roots(config)?);

        let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
            .build()
            .map_err(|e| TlsConfigError::InvalidCaCertificate {
                path: config.ca_file.clone().unwrap_or_default(),
                message: e.to_string(),
            })?;
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&versions)
            .map_err(|e| TlsConfigError::UnsupportedProtocol {
                message: format!(
                    "{e} (versions {}..={}, cipher suites {:?})",
                    config.min_version, config.max_version, config.cipher_suites
                ),
            })?;
        let builder = if config.verify_hostname {
            builder.with_webpki_verifier(webpki)
        } else {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(NoHostnameVerifier { inner: webpki }))
        };

        let identity = load_identity(config, &provider)?;
        let has_client_cert = identity.is_some();
        let client_config = match identity {
            Some((certs, key)) => builder.with_client_auth_cert(certs, key).map_err(|e| {
                TlsConfigError::InvalidClientIdentity {
                    message: e.to_string(),
                }
            })?,
            None => builder.with_no_client_auth(),
        };
        let server_name = match &config.server_name {
            Some(name) => Some(
                parse_server_name(name)
                    .ok_or_else(|| TlsConfigError::InvalidServerName { name: name.clone() })?,
            ),
            None => None,
        };
        Ok(TlsConnector {
            config: Arc::new(client_config),
            server_name,
            has_client_cert,
        })
    }

    /// The rustls client configuration.
    pub fn client_config(&self) -> &Arc<ClientConfig> {
        &self.config
    }

    /// The configured server name override, if any.
    pub fn server_name_override(&self) -> Option<&ServerName<'static>> {
        self.server_name.as_ref()
    }

    /// Whether a client certificate is configured.
    pub fn has_client_certificate(&self) -> bool {
        self.has_client_cert
    }

    /// The name to send as SNI and verify for `host`.
    pub(crate) fn server_name_for(&self, host: &str) -> Option<ServerName<'static>> {
        match &self.server_name {
            Some(name) => Some(name.clone()),
            None => parse_server_name(host),
        }
    }

    pub(crate) fn tokio_connector(&self) -> tokio_rustls::TlsConnector {
        tokio_rustls::TlsConnector::from(self.config.clone())
    }
}

/// The names of the cipher suites this build supports.
pub fn supported_cipher_suites() -> Vec<&'static str> {
    rustls::crypto::aws_lc_rs::default_provider()
        .cipher_suites
        .iter()
        .filter_map(|s| s.suite().as_str())
        .collect()
}

fn parse_server_name(host: &str) -> Option<ServerName<'static>> {
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    ServerName::try_from(host.to_owned()).ok()
}

/// The aws-lc-rs provider with the hybrid post-quantum key exchange first, whatever rustls'
/// `prefer-post-quantum` feature says in this build, and the configured cipher suites.
fn provider(config: &TlsConfig) -> Result<CryptoProvider, TlsConfigError> {
    use rustls::crypto::aws_lc_rs::kx_group::{SECP256R1, SECP384R1, X25519, X25519MLKEM768};
    let mut provider = rustls::crypto::aws_lc_rs::default_provider();
    provider.kx_groups = vec![X25519MLKEM768, X25519, SECP256R1, SECP384R1];
    if let Some(names) = &config.cipher_suites {
        let mut chosen = Vec::with_capacity(names.len());
        for name in names {
            let found = provider.cipher_suites.iter().find(|s| {
                s.suite()
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name.trim()))
            });
            match found {
                Some(suite) => chosen.push(*suite),
                None => {
                    return Err(TlsConfigError::UnknownCipherSuite {
                        name: name.clone(),
                        known: supported_cipher_suites().join(", "),
                    });
                }
            }
        }
        if chosen.is_empty() {
            return Err(TlsConfigError::UnsupportedProtocol {
                message: "the cipher suite list is empty".into(),
            });
        }
        provider.cipher_suites = chosen;
    }
    Ok(provider)
}

fn versions(config: &TlsConfig) -> Result<Vec<&'static rustls::SupportedProtocolVersion>, TlsConfigError> {
    if config.min_version > config.max_version {
        return Err(TlsConfigError::UnsupportedProtocol {
            message: format!(
                "min_version {} is above max_version {}",
                config.min_version, config.max_version
            ),
        });
    }
    let mut out = Vec::with_capacity(2);
    for (v, proto) in [
        (TlsVersion::Tls12, &rustls::version::TLS12),
        (TlsVersion::Tls13, &rustls::version::TLS13),
    ] {
        if v >= config.min_version && v <= config.max_version {
            out.push(proto);
        }
    }
    Ok(out)
}

fn load_roots(config: &TlsConfig) -> Result<RootCertStore, TlsConfigError> {
    let Some(path) = config.ca_file.as_deref() else {
        return match config.trust_store {
            TrustStore::System => system_roots(),
            _ => Ok(RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            }),
        };
    };
    let mut roots = RootCertStore::empty();
    for cert in load_certs("CA", path)? {
        roots
            .add(cert)
            .map_err(|e| TlsConfigError::InvalidCaCertificate {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
    }
    Ok(roots)
}

/// The operating system's trust store. Certificates the store holds but webpki cannot use are
/// skipped (with a debug line), as are unreadable entries (a warning); an empty result is an
/// error rather than a connector that trusts nothing.
fn system_roots() -> Result<RootCertStore, TlsConfigError> {
    let found = rustls_native_certs::load_native_certs();
    for e in &found.errors {
        tracing::warn!(error = %e, "could not read part of the operating system's trust store");
    }
    let mut roots = RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    if ignored > 0 {
        tracing::debug!(
            added,
            ignored,
            "system trust store: unusable certificates skipped"
        );
    }
    if roots.is_empty() {
        return Err(TlsConfigError::NoSystemRoots {
            message: found.errors.first().map(ToString::to_string),
        });
    }
    Ok(roots)
}
