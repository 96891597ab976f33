//! Errors and close reasons.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use hazelcast_codec::{ClientMessage, CodecError};

use crate::tls::TlsError;
use hazelcast_codec::Address;

/// The stage of [`connect`](crate::connect) that was running when the timeout struck.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConnectStage {
    /// Resolving the host name.
    Resolve,
    /// TCP connect (of one of the resolved addresses).
    Tcp,
    /// TLS handshake.
    Tls,
    /// Writing the `CP2` preamble.
    Preamble,
}

impl fmt::Display for ConnectStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConnectStage::Resolve => "name resolution",
            ConnectStage::Tcp => "TCP connect",
            ConnectStage::Tls => "TLS handshake",
            ConnectStage::Preamble => "preamble write",
        })
    }
}

/// Why [`connect`](crate::connect) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The host name could not be resolved, or resolved to no address.
    #[error("cannot resolve {host}: {message}")]
    Resolve {
        /// The host.
        host: String,
        /// The resolver's error text.
        message: String,
    },
    /// The connect timeout expired.
    #[error("connecting to {endpoint} timed out after {after:?} during the {stage}")]
    Timeout {
        /// The endpoint being dialled.
        endpoint: Address,
        /// The configured timeout.
        after: Duration,
        /// What was running when it expired.
        stage: ConnectStage,
    },
    /// The TCP connect failed (refused, unreachable, …) for every resolved address; `addr`,
    /// `kind` and `message` describe the last attempt.
    #[error("cannot connect to {addr}: {message} ({kind:?}){}", others(*.attempts))]
    Io {
        /// The address of the last attempt.
        addr: SocketAddr,
        /// The I/O error kind (e.g. `ConnectionRefused`).
        kind: io::ErrorKind,
        /// The I/O error text.
        message: String,
        /// How many addresses were tried.
        attempts: usize,
    },
    /// The TLS handshake failed.
    #[error("TLS handshake with {addr} failed: {error}")]
    Tls {
        /// The address the handshake ran with.
        addr: SocketAddr,
        /// What went wrong.
        error: TlsError,
    },
    /// The endpoint host cannot be used as a TLS server name (set
    /// [`TlsConfig::server_name`](crate::TlsConfig::server_name)).
    #[error("{host:?} is not a valid TLS server name; configure server_name")]
    InvalidServerName {
        /// The host.
        host: String,
    },
    /// A socket option could not be applied.
    #[error("cannot configure the socket for {addr}: {message}")]
    SocketOption {
        /// The address.
        addr: SocketAddr,
        /// The error text.
        message: String,
    },
}

fn others(attempts: usize) -> String {
    if attempts > 1 {
        format!("; {attempts} addresses tried")
    } else {
        String::new()
    }
}

impl ConnectError {
    /// The TLS error, if this is one.
    pub fn tls_error(&self) -> Option<&TlsError> {
        match self {
            ConnectError::Tls { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Why a connection closed. Handed to [`MessageHandler::on_close`](crate::MessageHandler::on_close)
/// once, and returned by [`Connection::closed`](crate::Connection::closed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CloseReason {
    /// The peer closed the connection (end of stream).
    #[error("the peer closed the connection")]
    Eof,
    /// A read or write failed.
    #[error("I/O error ({kind:?}): {message}")]
    Io {
        /// The I/O error kind.
        kind: io::ErrorKind,
        /// The error text.
        message: String,
    },
    /// The peer sent bytes the codec rejects: a frame shorter than its header, a first frame
    /// above [`DecoderLimits::max_frame_size`](hazelcast_codec::DecoderLimits), a message too
    /// large to identify, too many or too large fragmented messages, … . (A message above
    /// `max_message_size` whose initial frame was read is skipped instead, see
    /// [`MessageHandler::on_oversized`](crate::MessageHandler::on_oversized).)
    #[error("protocol error: {0}")]
    Protocol(CodecError),
    /// A TLS error after the handshake, typically a fatal alert from the server (a TLS 1.3
    /// server that requires a client certificate rejects a client without one this way).
    #[error("TLS error: {0}")]
    Tls(TlsError),
    /// [`Connection::close`](crate::Connection::close) was called.
    #[error("closed locally")]
    LocalClose,
    /// The connection's owner closed it, for this reason
    /// ([`Connection::close_because`](crate::Connection::close_because)).
    #[error("closed locally: {0}")]
    Local(LocalCloseReason),
    /// Every [`Connection`](crate::Connection) handle was dropped.
    #[error("all connection handles were dropped")]
    Dropped,
    /// [`MessageHandler::on_message`](crate::MessageHandler::on_message) panicked.
    #[error("the message handler panicked")]
    HandlerPanicked,
    /// The connection's tasks ended without another reason (e.g. the runtime shut down).
    #[error("the connection's tasks stopped")]
    TasksStopped,
}

/// Why the owner of a connection closed it ([`Connection::close_because`](crate::Connection::close_because)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LocalCloseReason {
    /// Nothing was read for this long (the heartbeat timeout).
    #[error("heartbeat timed out: nothing read for {silent_for:?}")]
    HeartbeatTimeout {
        /// The heartbeat timeout.
        silent_for: std::time::Duration,
    },
    /// The member at the other end left the cluster.
    #[error("the member left the cluster")]
    MemberLeft,
    /// The client shut down.
    #[error("the client shut down")]
    ClientShutdown,
    /// The connection is not needed: a second connection to a member that has one, or one whose
    /// set-up (authentication, listener registrations) failed or ran out of time.
    #[error("the connection is not used (duplicate, or its set-up failed)")]
    Unused,
}

/// Why a message could not be queued. The message is handed back.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The outbound queue is full (only from [`Connection::try_send`](crate::Connection::try_send)).
    #[error("the outbound queue is full")]
    QueueFull(ClientMessage),
    /// The connection is closed.
    #[error("the connection is closed: {0}")]
    Closed(CloseReason, ClientMessage),
    /// The message is larger than the connection's
    /// [`max_message_size`](hazelcast_codec::DecoderLimits::max_message_size): a client does not
    /// send what it would not accept. Nothing was queued; the connection stays open.
    #[error("message of {size} bytes exceeds the connection's maximum message size of {limit} bytes")]
    TooLarge {
        /// The message's size in bytes.
        size: usize,
        /// The connection's limit.
        limit: usize,
        /// The message.
        message: ClientMessage,
    },
}

impl fmt::Debug for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::QueueFull(m) => f.debug_tuple("QueueFull").field(m).finish(),
            SendError::Closed(r, m) => f.debug_tuple("Closed").field(r).field(m).finish(),
            SendError::TooLarge { size, limit, message } => f
                .debug_struct("TooLarge")
                .field("size", size)
                .field("limit", limit)
                .field("message", message)
                .finish(),
        }
    }
}

impl SendError {
    /// The message that was not sent.
    pub fn into_message(self) -> ClientMessage {
        match self {
            SendError::QueueFull(m) | SendError::Closed(_, m) | SendError::TooLarge { message: m, .. } => m,
        }
    }

    /// The close reason, if the connection is closed.
    pub fn close_reason(&self) -> Option<&CloseReason> {
        match self {
            SendError::Closed(r, _) => Some(r),
            SendError::QueueFull(_) | SendError::TooLarge { .. } => None,
        }
    }
}
