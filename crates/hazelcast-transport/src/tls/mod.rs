//! TLS: [`TlsConfig`] (what the user asks for), [`TlsConnector`] (the rustls client
//! configuration built from it once, shared by every connection), and the typed errors of both
//! steps: [`TlsConfigError`] while building, [`TlsError`] while handshaking or when a server
//! rejects the connection right after the handshake.
//!
//! The crypto provider is rustls' `aws-lc-rs` provider, with the hybrid post-quantum key
//! exchange `X25519MLKEM768` offered first (see the crate documentation for why). Nothing links
//! OpenSSL.

mod config;
mod connector;
mod error;
mod pem;
mod verifier;

pub use config::{TlsConfig, TlsVersion, TrustStore};
pub use connector::{TlsConnector, supported_cipher_suites};
pub(crate) use error::classify_io;
pub use error::{TlsConfigError, TlsError, TlsHandshakeError};

#[cfg(test)]
mod tests;
