//! TLS configuration: [`TlsConfig`] (what the user asks for), [`TlsConnector`] (the rustls client
//! configuration built from it once, shared by every connection), and the typed errors of both
//! steps: [`TlsConfigError`] while building, [`TlsError`] while handshaking or when a server
//! rejects the connection right after the handshake.
//!
//! The crypto provider is rustls' `ring` provider. Nothing links OpenSSL.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hazelcast_codec::Secret;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{AlertDescription, CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore};

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

/// What the client's TLS should look like. Turn it into a [`TlsConnector`] with
/// [`TlsConnector::new`] (once; the connector is shared by all connections).
///
/// | Field | Default | Meaning |
/// | --- | --- | --- |
/// | `ca_file` | `None` | PEM file of the CA certificates that sign the members' certificates; `None` trusts the Mozilla roots of `webpki-roots` |
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
    /// PEM CA bundle; `None` uses the webpki roots.
    pub ca_file: Option<PathBuf>,
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

/// Why a [`TlsConfig`] could not be turned into a [`TlsConnector`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlsConfigError {
    /// A configured file could not be read.
    #[error("cannot read {what} file {path}: {message}")]
    UnreadableFile {
        /// Which file (`CA`, `certificate`, `private key`).
        what: &'static str,
        /// The path as configured.
        path: PathBuf,
        /// The I/O error kind.
        kind: io::ErrorKind,
        /// The I/O error text.
        message: String,
    },
    /// A PEM file holds no certificate (or is not PEM at all).
    #[error("{what} file {path} contains no PEM certificate{}", detail(.message))]
    NoCertificate {
        /// Which file.
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// Details from the PEM parser, if any.
        message: Option<String>,
    },
    /// A CA certificate could not be added to the trust store.
    #[error("CA file {path} holds a certificate that cannot be used as a trust anchor: {message}")]
    InvalidCaCertificate {
        /// The path.
        path: PathBuf,
        /// The reason.
        message: String,
    },
    /// The key file holds no private key.
    #[error("private key file {path} contains no PEM private key{}", detail(.message))]
    NoPrivateKey {
        /// The path.
        path: PathBuf,
        /// Details from the PEM parser, if any.
        message: Option<String>,
    },
    /// The private key was found but cannot be used (malformed, or of an unsupported algorithm).
    #[error("private key in {path} is invalid: {message}")]
    InvalidPrivateKey {
        /// The path.
        path: PathBuf,
        /// The reason.
        message: String,
    },
    /// The private key is encrypted and no `key_password` was given.
    #[error("private key in {path} is encrypted but no key password is configured")]
    KeyPasswordRequired {
        /// The path.
        path: PathBuf,
    },
    /// The encrypted private key could not be decrypted with the configured password.
    #[error("cannot decrypt the private key in {path}: wrong password or unsupported encryption ({message})")]
    KeyDecryptionFailed {
        /// The path.
        path: PathBuf,
        /// The decryption error.
        message: String,
    },
    /// The private key uses the legacy OpenSSL PEM encryption (`Proc-Type: 4,ENCRYPTED`), which is
    /// not supported; convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`.
    #[error(
        "private key in {path} uses legacy PEM encryption (Proc-Type/DEK-Info), which is not supported; \
         convert it to encrypted PKCS#8 (openssl pkcs8 -topk8 -v2 aes-256-cbc)"
    )]
    UnsupportedKeyEncryption {
        /// The path.
        path: PathBuf,
    },
    /// A certificate was configured without a key, or a key without a certificate.
    #[error("mutual TLS needs both a certificate and a private key: {message}")]
    IncompleteClientIdentity {
        /// What is missing.
        message: String,
    },
    /// The client certificate and private key do not belong together, or rustls rejected them.
    #[error("client certificate and key are not usable together: {message}")]
    InvalidClientIdentity {
        /// The rustls error text.
        message: String,
    },
    /// A configured cipher suite name is not one rustls knows.
    #[error("unknown cipher suite {name:?}; known suites: {known}")]
    UnknownCipherSuite {
        /// The configured name.
        name: String,
        /// The names this build supports, comma separated.
        known: String,
    },
    /// The version range is empty, or no configured cipher suite works with the allowed versions.
    #[error("unsupported protocol configuration: {message}")]
    UnsupportedProtocol {
        /// What is wrong.
        message: String,
    },
    /// `server_name` is neither a DNS name nor an IP address.
    #[error("invalid TLS server name {name:?}")]
    InvalidServerName {
        /// The configured name.
        name: String,
    },
}

fn detail(message: &Option<String>) -> String {
    message.as_ref().map(|m| format!(" ({m})")).unwrap_or_default()
}

/// A TLS failure while connecting, or a TLS alert that closed an established connection.
///
/// Every variant carries `message`, the rustls (or I/O) error text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The server certificate does not chain to a trusted CA.
    #[error("server certificate is not signed by a trusted CA (unknown issuer): {message}")]
    UnknownIssuer {
        /// The rustls error text.
        message: String,
    },
    /// The server certificate has expired.
    #[error("server certificate has expired: {message}")]
    Expired {
        /// The rustls error text.
        message: String,
    },
    /// The server certificate is not valid yet.
    #[error("server certificate is not valid yet: {message}")]
    NotValidYet {
        /// The rustls error text.
        message: String,
    },
    /// The server certificate is not valid for the name that was verified.
    #[error("server certificate is not valid for {name:?} (it names {presented:?}): {message}")]
    NotValidForName {
        /// The name verified (the endpoint host or `server_name`).
        name: String,
        /// The names the certificate presents, when rustls reports them.
        presented: Vec<String>,
        /// The rustls error text.
        message: String,
    },
    /// Another problem with the server certificate (bad signature, wrong purpose, …).
    #[error("invalid server certificate: {message}")]
    InvalidCertificate {
        /// The rustls error text.
        message: String,
    },
    /// The server requires a client certificate and none was configured (TLS 1.3 servers report
    /// this with a `certificate_required` alert right after the handshake, so with TLS 1.3 it
    /// may arrive as a [`CloseReason::Tls`](crate::CloseReason::Tls)).
    #[error("the server requires a client certificate: {message}")]
    ClientCertificateRequired {
        /// The rustls error text.
        message: String,
    },
    /// The server rejected the client certificate that was sent.
    #[error("the server rejected the client certificate ({alert}): {message}")]
    ClientCertificateRejected {
        /// The TLS alert.
        alert: String,
        /// The rustls error text.
        message: String,
    },
    /// The server sent another fatal alert.
    #[error("the server sent TLS alert {alert}{}: {message}", hint_text(.hint))]
    AlertReceived {
        /// The TLS alert.
        alert: String,
        /// What the alert probably means here, if known.
        hint: Option<String>,
        /// The rustls error text.
        message: String,
    },
    /// Client and server share no protocol version or cipher suite.
    #[error("no common TLS version or cipher suite with the server: {message}")]
    Incompatible {
        /// The rustls error text.
        message: String,
    },
    /// The connection failed at the I/O level during the handshake (e.g. the server closed it).
    #[error("I/O error during the TLS handshake ({kind:?}): {message}")]
    Io {
        /// The I/O error kind.
        kind: io::ErrorKind,
        /// The error text.
        message: String,
    },
    /// Any other TLS failure.
    #[error("TLS error: {message}")]
    Other {
        /// The rustls error text.
        message: String,
    },
}

fn hint_text(hint: &Option<String>) -> String {
    hint.as_ref().map(|h| format!(" ({h})")).unwrap_or_default()
}

/// Alias kept for the name the connect error uses.
pub type TlsHandshakeError = TlsError;

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
        let provider = Arc::new(provider(config)?);
        let versions = versions(config)?;
        let roots = Arc::new(load_roots(config.ca_file.as_deref())?);

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
    rustls::crypto::ring::default_provider()
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

fn provider(config: &TlsConfig) -> Result<CryptoProvider, TlsConfigError> {
    let mut provider = rustls::crypto::ring::default_provider();
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

fn read_file(what: &'static str, path: &Path) -> Result<Vec<u8>, TlsConfigError> {
    std::fs::read(path).map_err(|e| TlsConfigError::UnreadableFile {
        what,
        path: path.to_path_buf(),
        kind: e.kind(),
        message: e.to_string(),
    })
}

fn load_certs(what: &'static str, path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    let pem = read_file(what, path)?;
    let mut certs = Vec::new();
    for item in CertificateDer::pem_slice_iter(&pem) {
        match item {
            Ok(cert) => certs.push(cert),
            Err(e) => {
                return Err(TlsConfigError::NoCertificate {
                    what,
                    path: path.to_path_buf(),
                    message: Some(e.to_string()),
                });
            }
        }
    }
    if certs.is_empty() {
        return Err(TlsConfigError::NoCertificate {
            what,
            path: path.to_path_buf(),
            message: None,
        });
    }
    Ok(certs)
}

fn load_roots(ca_file: Option<&Path>) -> Result<RootCertStore, TlsConfigError> {
    let Some(path) = ca_file else {
        return Ok(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        });
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

type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

fn load_identity(config: &TlsConfig, provider: &CryptoProvider) -> Result<Option<Identity>, TlsConfigError> {
    let (cert_path, key_path) = match (&config.cert_file, &config.key_file) {
        (None, None) => return Ok(None),
        (None, Some(key)) => {
            return Err(TlsConfigError::IncompleteClientIdentity {
                message: format!("key_file {} is set but cert_file is not", key.display()),
            });
        }
        (Some(cert), key) => (cert.as_path(), key.as_deref().unwrap_or(cert.as_path())),
    };
    let certs = load_certs("certificate", cert_path)?;
    let key = load_private_key(key_path, config.key_password.as_ref())?;
    // Fail here, not at the first handshake, when the key type is not usable.
    provider
        .key_provider
        .load_private_key(key.clone_key())
        .map_err(|e| TlsConfigError::InvalidPrivateKey {
            path: key_path.to_path_buf(),
            message: e.to_string(),
        })?;
    Ok(Some((certs, key)))
}

const ENCRYPTED_PKCS8_LABEL: &str = "ENCRYPTED PRIVATE KEY";

/// Loads a private key: PKCS#8, PKCS#1 or SEC1, or an encrypted PKCS#8 key with a password.
pub(crate) fn load_private_key(
    path: &Path,
    password: Option<&Secret>,
) -> Result<PrivateKeyDer<'static>, TlsConfigError> {
    let pem = read_file("private key", path)?;
    let text = String::from_utf8_lossy(&pem);
    if text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(TlsConfigError::UnsupportedKeyEncryption {
            path: path.to_path_buf(),
        });
    }
    let begin = format!("-----BEGIN {ENCRYPTED_PKCS8_LABEL}-----");
    if let Some(start) = text.find(&begin) {
        let Some(password) = password else {
            return Err(TlsConfigError::KeyPasswordRequired {
                path: path.to_path_buf(),
            });
        };
        let end_marker = format!("-----END {ENCRYPTED_PKCS8_LABEL}-----");
        let block = text[start..]
            .find(&end_marker)
            .map(|end| &text[start..start + end + end_marker.len()])
            .ok_or_else(|| TlsConfigError::InvalidPrivateKey {
                path: path.to_path_buf(),
                message: "unterminated ENCRYPTED PRIVATE KEY block".into(),
            })?;
        return decrypt_pkcs8(path, block, password);
    }
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => TlsConfigError::NoPrivateKey {
            path: path.to_path_buf(),
            message: None,
        },
        other => TlsConfigError::NoPrivateKey {
            path: path.to_path_buf(),
            message: Some(other.to_string()),
        },
    })
}

fn decrypt_pkcs8(
    path: &Path,
    block: &str,
    password: &Secret,
) -> Result<PrivateKeyDer<'static>, TlsConfigError> {
    use pkcs8::der::Decode;
    let invalid = |message: String| TlsConfigError::InvalidPrivateKey {
        path: path.to_path_buf(),
        message,
    };
    let (label, der) = pkcs8::der::pem::decode_vec(block.as_bytes()).map_err(|e| invalid(e.to_string()))?;
    if label != ENCRYPTED_PKCS8_LABEL {
        return Err(invalid(format!("unexpected PEM label {label}")));
    }
    let info = pkcs8::EncryptedPrivateKeyInfo::from_der(&der).map_err(|e| invalid(e.to_string()))?;
    let plain =
        info.decrypt(password.expose().as_bytes())
            .map_err(|e| TlsConfigError::KeyDecryptionFailed {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
    // A wrong password with CBC padding that happens to be valid yields garbage: check the DER.
    pkcs8::PrivateKeyInfo::from_der(plain.as_bytes()).map_err(|e| TlsConfigError::KeyDecryptionFailed {
        path: path.to_path_buf(),
        message: format!("decrypted data is not a PKCS#8 key: {e}"),
    })?;
    Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        plain.as_bytes().to_vec(),
    )))
}

/// Verifies the chain, validity and purpose like the webpki verifier, but accepts a certificate
/// that is not valid for the server name (`verify_hostname = false`).
#[derive(Debug)]
struct NoHostnameVerifier {
    inner: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for NoHostnameVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // The webpki verifier checks the chain, dates and purpose first and the name last, so a
        // name error means everything else passed.
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Classifies an I/O error from a TLS stream (handshake or later) into a [`TlsError`], if it
/// carries a rustls error. `name` is the server name that was verified.
pub(crate) fn classify_io(err: &io::Error, name: &str, has_client_cert: bool) -> Option<TlsError> {
    let inner = err.get_ref()?.downcast_ref::<rustls::Error>()?;
    Some(classify(inner, name, has_client_cert))
}

/// Classifies a rustls error.
pub(crate) fn classify(err: &rustls::Error, name: &str, has_client_cert: bool) -> TlsError {
    let message = err.to_string();
    match err {
        rustls::Error::InvalidCertificate(cert) => match cert {
            CertificateError::UnknownIssuer => TlsError::UnknownIssuer { message },
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                TlsError::Expired { message }
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                TlsError::NotValidYet { message }
            }
            CertificateError::NotValidForName => TlsError::NotValidForName {
                name: name.to_owned(),
                presented: Vec::new(),
                message,
            },
            CertificateError::NotValidForNameContext { presented, .. } => TlsError::NotValidForName {
                name: name.to_owned(),
                presented: presented.clone(),
                message,
            },
            _ => TlsError::InvalidCertificate { message },
        },
        rustls::Error::AlertReceived(alert) => {
            let alert_name = format!("{alert:?}");
            match alert {
                AlertDescription::CertificateRequired => TlsError::ClientCertificateRequired { message },
                AlertDescription::HandshakeFailure if !has_client_cert => TlsError::AlertReceived {
                    alert: alert_name,
                    hint: Some(
                        "the server may require a client certificate, or no cipher suite is shared".into(),
                    ),
                    message,
                },
                AlertDescription::BadCertificate
                | AlertDescription::UnknownCA
                | AlertDescription::CertificateUnknown
                | AlertDescription::CertificateExpired
                | AlertDescription::CertificateRevoked
                | AlertDescription::UnsupportedCertificate
                | AlertDescription::AccessDenied
                | AlertDescription::DecryptError
                    if has_client_cert =>
                {
                    TlsError::ClientCertificateRejected {
                        alert: alert_name,
                        message,
                    }
                }
                AlertDescription::ProtocolVersion | AlertDescription::InsufficientSecurity => {
                    TlsError::Incompatible { message }
                }
                _ => TlsError::AlertReceived {
                    alert: alert_name,
                    hint: None,
                    message,
                },
            }
        }
        rustls::Error::PeerIncompatible(_) => TlsError::Incompatible { message },
        _ => TlsError::Other { message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_not_printed() {
        let mut cfg = TlsConfig::with_ca_file("/nonexistent/ca.pem");
        cfg.key_password = Some(Secret::new("hunter2-very-secret"));
        let debug = format!("{cfg:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("Secret(***)"), "{debug}");
        assert_eq!(format!("{}", Secret::new("x")), "***");
    }

    #[test]
    fn missing_ca_file_is_reported_with_path_and_kind() {
        let cfg = TlsConfig::with_ca_file("/nonexistent/ca.pem");
        match TlsConnector::new(&cfg) {
            Err(TlsConfigError::UnreadableFile { what, path, kind, .. }) => {
                assert_eq!(what, "CA");
                assert_eq!(path, PathBuf::from("/nonexistent/ca.pem"));
                assert_eq!(kind, io::ErrorKind::NotFound);
            }
            other => panic!("{other:?}"),
        }
    }

    fn temp_file(name: &str, content: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("hz-transport-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    #[test]
    fn garbage_pem_has_no_certificate() {
        let path = temp_file("garbage.pem", b"this is not a certificate\n");
        match TlsConnector::new(&TlsConfig::with_ca_file(&path)) {
            Err(TlsConfigError::NoCertificate { what: "CA", .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_cipher_suite_is_named() {
        let cfg = TlsConfig {
            cipher_suites: Some(vec!["TLS13_AES_128_GCM_SHA256".into(), "RC4-MD5".into()]),
            ..TlsConfig::default()
        };
        match TlsConnector::new(&cfg) {
            Err(TlsConfigError::UnknownCipherSuite { name, known }) => {
                assert_eq!(name, "RC4-MD5");
                assert!(known.contains("TLS13_AES_256_GCM_SHA384"), "{known}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tls13_suite_with_tls12_only_is_unsupported() {
        let cfg = TlsConfig {
            max_version: TlsVersion::Tls12,
            cipher_suites: Some(vec!["tls13_aes_128_gcm_sha256".into()]),
            ..TlsConfig::default()
        };
        assert!(matches!(
            TlsConnector::new(&cfg),
            Err(TlsConfigError::UnsupportedProtocol { .. })
        ));
        let cfg = TlsConfig {
            min_version: TlsVersion::Tls13,
            max_version: TlsVersion::Tls12,
            ..TlsConfig::default()
        };
        assert!(matches!(
            TlsConnector::new(&cfg),
            Err(TlsConfigError::UnsupportedProtocol { .. })
        ));
    }

    #[test]
    fn key_without_certificate_is_incomplete() {
        let cfg = TlsConfig {
            key_file: Some("/nonexistent/key.pem".into()),
            ..TlsConfig::default()
        };
        assert!(matches!(
            TlsConnector::new(&cfg),
            Err(TlsConfigError::IncompleteClientIdentity { .. })
        ));
    }

    #[test]
    fn legacy_encrypted_pem_is_unsupported() {
        let path = temp_file(
            "legacy.key",
            b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
        );
        assert!(matches!(
            load_private_key(&path, None),
            Err(TlsConfigError::UnsupportedKeyEncryption { .. })
        ));
    }

    #[test]
    fn file_without_key_has_no_private_key() {
        let path = temp_file("nokey.pem", b"nothing here\n");
        assert!(matches!(
            load_private_key(&path, None),
            Err(TlsConfigError::NoPrivateKey { .. })
        ));
    }

    #[test]
    fn default_config_builds_with_webpki_roots() {
        let c = TlsConnector::new(&TlsConfig::default()).unwrap();
        assert!(!c.has_client_certificate());
        assert!(c.server_name_for("127.0.0.1").is_some());
        assert!(c.server_name_for("::1").is_some());
        assert!(c.server_name_for("[::1]").is_some());
        assert!(c.server_name_for("member.example").is_some());
        assert!(supported_cipher_suites().contains(&"TLS13_AES_128_GCM_SHA256"));
    }
}
