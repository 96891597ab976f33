//! [`TlsConfig`]: what the user asks for.

use std::fmt;
use std::path::PathBuf;

use hazelcast_codec::Secret;

#[cfg(doc)]
use super::TlsConnector;

/// A TLS protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum TlsVersion {
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlsVersion::Tls12 => "TLS 1.2",
            TlsVersion::Tls13 => "TLS 1.3",
        })
    }
}

/// The certificate authorities trusted when [`TlsConfig::ca_file`] is not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TrustStore {
    /// The Mozilla root program's CAs, compiled in (`webpki-roots`): the same on every machine,
    /// updated with this crate's dependencies, independent of the operating system.
    #[default]
    WebPkiRoots,
    /// The operating system's trust store, read once when the [`TlsConnector`] is built
    /// (`rustls-native-certs`: the OpenSSL-style certificate directories and bundle on Linux and
    /// the BSDs, honouring `SSL_CERT_FILE` and `SSL_CERT_DIR`; the keychain on macOS; the
    /// system store on Windows): for CAs an organisation installs on its machines.
    System,
}

impl fmt::Display for TrustStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrustStore::WebPkiRoots => "the built-in Mozilla roots",
            TrustStore::System => "the operating system's trust store",
        })
    }
}

/// What the client's TLS should look like. Turn it into a [`TlsConnector`] with
/// [`TlsConnector::new`] (once; the connector is shared by all connections).
///
/// | Field | Default | Meaning |
/// | --- | --- | --- |
/// | `ca_file` | `None` | PEM file of the CA certificates that sign the members' certificates (and nothing else is trusted); `None` trusts the [`trust_store`](TlsConfig::trust_store) |
/// | `trust_store` | [`TrustStore::WebPkiRoots`] | what is trusted without a `ca_file`: the Mozilla roots built in, or the operating system's trust store |
/// | `cert_file` | `None` | PEM client certificate chain for mutual TLS (leaf first) |
/// | `key_file` | `None` | PEM private key of the client certificate (PKCS#8, PKCS#1 or SEC1; PKCS#8 may be encrypted); `None` reads it from `cert_file` |
/// | `key_password` | `None` | password of an encrypted PKCS#8 key (`ENCRYPTED PRIVATE KEY`) |
/// | `verify_hostname` | `true` | check that the member certificate names the host dialled (or `server_name`); `false` still verifies the chain, validity dates and purpose |
/// | `server_name` | `None` | name sent as SNI and verified instead of the endpoint's host |
/// | `min_version` / `max_version` | TLS 1.2 / TLS 1.3 | allowed protocol versions |
/// | `cipher_suites` | `None` | restricts the cipher suites to these rustls names (e.g. `TLS13_AES_128_GCM_SHA256`, `TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384`), case-insensitive |
///
/// ```
/// use hazelcast_transport::{TlsConfig, TlsConnector};
/// let mut tls = TlsConfig::default();
/// tls.verify_hostname = true; // the default
/// let connector = TlsConnector::new(&tls)?; // webpki roots, TLS 1.2 and 1.3
/// # let _ = connector;
/// # Ok::<(), hazelcast_transport::TlsConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TlsConfig {
    /// PEM CA bundle; `None` trusts the [`trust_store`](TlsConfig::trust_store).
    pub ca_file: Option<PathBuf>,
    /// The roots trusted when `ca_file` is `None` (ignored when it is set). Default
    /// [`TrustStore::WebPkiRoots`].
    pub trust_store: TrustStore,
    /// PEM client certificate chain for mutual TLS.
    pub cert_file: Option<PathBuf>,
    /// PEM client private key; `None` with a `cert_file` reads the key from the certificate file.
    pub key_file: Option<PathBuf>,
    /// Password of an encrypted PKCS#8 private key.
    pub key_password: Option<Secret>,
    /// Verify that the server certificate is valid for the host name (default `true`).
    pub verify_hostname: bool,
    /// Overrides the name used for SNI and hostname verification.
    pub server_name: Option<String>,
    /// Lowest protocol version allowed (default TLS 1.2).
    pub min_version: TlsVersion,
    /// Highest protocol version allowed (default TLS 1.3).
    pub max_version: TlsVersion,
    /// Restricts the cipher suites (rustls names); `None` allows all of the provider's suites.
    pub cipher_suites: Option<Vec<String>>,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            ca_file: None,
            trust_store: TrustStore::default(),
            cert_file: None,
            key_file: None,
            key_password: None,
            verify_hostname: true,
            server_name: None,
            min_version: TlsVersion::Tls12,
            max_version: TlsVersion::Tls13,
            cipher_suites: None,
        }
    }
}

impl TlsConfig {
    /// A configuration that trusts the CAs in `ca_file` (and nothing else).
    pub fn with_ca_file(ca_file: impl Into<PathBuf>) -> Self {
        TlsConfig {
            ca_file: Some(ca_file.into()),
            ..TlsConfig::default()
        }
    }
}
