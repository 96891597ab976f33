//! The typed errors of TLS: [`TlsConfigError`] while building a connector, [`TlsError`] while
//! handshaking (or when a server rejects the connection right after the handshake), and the
//! classification of rustls' errors into them.

use std::io;
use std::path::PathBuf;

use rustls::{AlertDescription, CertificateError};

#[cfg(doc)]
use super::{TlsConfig, TlsConnector};

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
    /// [`TrustStore::System`](super::TrustStore::System) was asked for and the operating
    /// system's trust store gave no usable certificate.
    #[error("the operating system's trust store has no usable CA certificate{}", detail(.message))]
    NoSystemRoots {
        /// What the loader reported, if anything.
        message: Option<String>,
    },
    /// `verify_hostname = false` without a `ca_file`: every certificate of any public CA, for
    /// any name, would be accepted.
    #[error(
        "hostname verification can only be turned off together with a CA file: with {trust_store} \
         any certificate a public CA issued, for any name, would be accepted"
    )]
    HostnameVerificationOffWithoutCaFile {
        /// The roots that would have been trusted.
        trust_store: super::TrustStore,
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
