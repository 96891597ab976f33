//! # hazelcast-transport
//!
//! The transport layer of the Hazelcast Rust client: it opens one TCP (optionally TLS) connection to
//! one address within a connect timeout, writes the `CP2` preamble, and then carries whole
//! [`hazelcast_codec`] messages in both directions.
//!
//! ## Place in the layering
//!
//! ```text
//! hazelcast (facade) ─▶ hazelcast-invocation ─▶ hazelcast-transport ─▶ hazelcast-codec
//!                                 └──────────▶ hazelcast-discovery
//! ```
//!
//! This crate knows about sockets, TLS and frames. It knows nothing about invocations, correlation
//! ids, retries or the cluster: those belong to `hazelcast-invocation`.
//!
//! ## What a connection does
//!
//! * [`connect`] resolves the [`Address`]'s host, tries every resolved address in turn, applies
//!   the [`SocketOptions`] (`TCP_NODELAY` on, keepalive 60 s by default), runs the TLS handshake
//!   when [`ConnectionConfig::tls`] is set, and writes the `CP2` preamble: all of it within
//!   [`ConnectionConfig::connect_timeout`] (5 s by default). A timeout says which
//!   [`ConnectStage`] was running. (The authentication round trip belongs to the layer above,
//!   which should bound it with what is left of the same timeout.)
//! * A reader task cuts the byte stream into messages with the codec's
//!   [`MessageDecoder`](hazelcast_codec::MessageDecoder) (size limits checked before anything is
//!   allocated, fragments reassembled) and hands each one to the [`MessageHandler`]. A message
//!   above [`ConnectionConfig::decoder_limits`]' `max_message_size` is skipped without being
//!   buffered and reported to [`MessageHandler::on_oversized`]: the connection stays open.
//! * A writer task takes messages from a bounded queue ([`Connection::try_send`] fails fast
//!   with [`SendError::QueueFull`], [`Connection::send`] waits for space), gathers what is
//!   queued (up to 64 messages / 64 KiB by default) and writes it with one vectored write. A
//!   message above `max_message_size` is refused with [`SendError::TooLarge`]: the client never
//!   sends more than it accepts.
//! * The connection closes with a typed [`CloseReason`]; `on_close` is called exactly once.
//!
//! ## TLS
//!
//! [`TlsConfig`] → [`TlsConnector`] (rustls, no OpenSSL). Hostname verification is **on by
//! default** against the host dialled (IP literals against IP SANs), with an explicit opt-out
//! that still verifies the chain and is only accepted together with a CA file; SNI is sent for
//! DNS names; TLS 1.2 and 1.3; optional cipher-suite restriction; mutual TLS with PEM certificate
//! and key, including encrypted PKCS#8 keys. Without a CA file the Mozilla roots built in are
//! trusted, or the operating system's trust store ([`TrustStore::System`]). Failures are typed:
//! [`TlsConfigError`] while loading files, [`TlsError`] during the handshake (unknown issuer,
//! expired, wrong name, client certificate required or rejected, …).
//!
//! ### The crypto provider: aws-lc-rs
//!
//! rustls 0.23 ships two providers, and this crate picks **aws-lc-rs** (with its post-quantum
//! hybrid key exchange `X25519MLKEM768` offered first, then X25519, P-256 and P-384), because:
//!
//! * it is rustls' own default provider, and the only one of the two with a post-quantum key
//!   exchange: traffic recorded today cannot be decrypted later by a quantum computer. The
//!   `ring` provider offers classical key exchange only, and rustls marks it as the provider
//!   for those who cannot use aws-lc-rs;
//! * a member that does not speak ML-KEM (Java 17's TLS, for instance) simply picks X25519: the
//!   client sends both key shares, so the handshake costs no extra round trip;
//! * it builds on a fresh machine with what Rust on Linux already needs, a C compiler: `aws-lc-sys`
//!   compiles AWS-LC with the `cc` crate on Linux and macOS (checked: rustls with aws-lc-rs
//!   builds with `cmake` absent from `PATH`); CMake, Go or NASM are needed only for the FIPS
//!   build or on a few other targets. `ring` needs a C compiler too, so the difference is the
//!   first build's time, not what must be installed: rustls alone took 86 s (38 s of CPU) with
//!   aws-lc-rs against 15 s (12 s of CPU) with `ring`, on two shared cores;
//! * one provider for the whole client: the cloud discovery request (`hazelcast-discovery`)
//!   uses the same one, so a build does not compile both.
//!
//! The provider is set explicitly on every rustls configuration this crate builds
//! (`builder_with_provider`), never taken from the process default, so another rustls user in
//! the same process cannot change it (and nothing panics when several providers are linked).
//!
//! ## Example
//!
//! ```no_run
//! use std::sync::Arc;
//! use hazelcast_codec::ClientMessage;
//! use hazelcast_transport::{CloseReason, ConnectionConfig, Address, MessageHandler, connect};
//!
//! struct Print;
//! impl MessageHandler for Print {
//!     fn on_message(&self, msg: ClientMessage) { println!("{msg:?}"); }
//!     fn on_close(&self, reason: &CloseReason) { println!("closed: {reason}"); }
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let conn = connect(&Address::new("127.0.0.1", 5701), &ConnectionConfig::default(), Arc::new(Print)).await?;
//! // conn.send(request).await?;
//! conn.close();
//! let reason = conn.closed().await;
//! assert_eq!(reason, CloseReason::LocalClose);
//! # Ok(()) }
//! ```

mod config;
mod connection;
mod error;
mod tls;

pub use config::{
    ConnectionConfig, DEFAULT_CONNECT_TIMEOUT, DEFAULT_OUTBOUND_QUEUE_CAPACITY, DEFAULT_WRITE_BATCH_BYTES,
    DEFAULT_WRITE_BATCH_MESSAGES, SocketOptions,
};
pub use connection::{Connection, ConnectionStats, MessageHandler, connect};
pub use error::{CloseReason, ConnectError, ConnectStage, LocalCloseReason, SendError};
pub use hazelcast_codec::Address;
pub use hazelcast_codec::Secret;
pub use tls::{
    TlsConfig, TlsConfigError, TlsConnector, TlsError, TlsHandshakeError, TlsVersion, TrustStore,
    supported_cipher_suites,
};
