//! How to dial ([`ConnectionConfig`], [`SocketOptions`]).

use std::time::Duration;

use hazelcast_codec::DecoderLimits;

use crate::tls::TlsConnector;

/// Socket options applied to every connection before it connects.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SocketOptions {
    /// `TCP_NODELAY` (default `true`): requests are small and latency-bound; the writer batches
    /// by itself.
    pub tcp_nodelay: bool,
    /// TCP keepalive idle time (`SO_KEEPALIVE` + `TCP_KEEPIDLE`); default 60 s, `None` leaves
    /// keepalive off.
    pub keepalive: Option<Duration>,
    /// `SO_SNDBUF` in bytes; `None` keeps the kernel default (which autotunes).
    pub send_buffer_size: Option<u32>,
    /// `SO_RCVBUF` in bytes; `None` keeps the kernel default (which autotunes).
    pub recv_buffer_size: Option<u32>,
    /// `SO_LINGER`; `None` (default) keeps the kernel default (close returns at once).
    pub linger: Option<Duration>,
}

impl Default for SocketOptions {
    fn default() -> Self {
        SocketOptions {
            tcp_nodelay: true,
            keepalive: Some(Duration::from_secs(60)),
            send_buffer_size: None,
            recv_buffer_size: None,
            linger: None,
        }
    }
}

/// Default connect timeout: 5 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default outbound queue capacity (messages).
pub const DEFAULT_OUTBOUND_QUEUE_CAPACITY: usize = 4096;
/// Default largest number of messages written in one batch.
pub const DEFAULT_WRITE_BATCH_MESSAGES: usize = 64;
/// Default largest number of bytes gathered into one batch (a single larger message is written
/// alone).
pub const DEFAULT_WRITE_BATCH_BYTES: usize = 64 * 1024;

/// How to open and run one connection.
///
/// | Field | Default | Meaning |
/// | --- | --- | --- |
/// | `connect_timeout` | 5 s | bounds DNS resolution, the TCP connect of every resolved address, the TLS handshake and the preamble write, all together |
/// | `socket` | [`SocketOptions::default`] | `TCP_NODELAY` on, keepalive 60 s |
/// | `outbound_queue_capacity` | 4096 | messages queued for the writer; [`Connection::try_send`](crate::Connection::try_send) fails with `QueueFull` beyond it, [`send`](crate::Connection::send) waits |
/// | `write_batch_messages` / `write_batch_bytes` | 64 / 64 KiB | most messages / bytes written with one vectored write |
/// | `write_coalescing` | `true` | the writer yields to the runtime once before a write that is not full, so that the messages of tasks woken together leave in one write |
/// | `decoder_limits` | [`DecoderLimits::default`] | largest message read whole and sent (256 MiB), largest first frame (64 KiB), fragment reassembly caps; see below |
/// | `tls` | `None` | TLS connector; `None` is plain TCP |
///
/// ```
/// use std::time::Duration;
/// use hazelcast_transport::ConnectionConfig;
/// let mut config = ConnectionConfig::default();
/// config.connect_timeout = Duration::from_secs(2);
/// config.socket.keepalive = None;
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConnectionConfig {
    /// Bounds resolution + TCP connect (all addresses) + TLS handshake + preamble; default 5 s.
    pub connect_timeout: Duration,
    /// Socket options.
    pub socket: SocketOptions,
    /// Capacity of the bounded outbound queue, in messages (at least 1).
    pub outbound_queue_capacity: usize,
    /// Most messages gathered into one write.
    pub write_batch_messages: usize,
    /// Most bytes gathered into one write.
    pub write_batch_bytes: usize,
    /// Write coalescing: when the queue holds less than a full batch, the writer yields to the
    /// runtime once before writing, so that tasks already woken (typically by the responses of
    /// one read) can queue their requests and leave with the same system call. Without it, a
    /// runtime that runs a woken task next (tokio's LIFO slot) runs the writer after every
    /// single request: one `writev` per message. Costs one scheduler pass per write, which
    /// matters only to a lone caller's latency.
    pub write_coalescing: bool,
    /// Size limits, configurable: set `decoder_limits.max_message_size` to at least the largest
    /// message the application sends or reads (a value plus ~100 bytes of message around it).
    ///
    /// * Incoming: a message above `max_message_size` is skipped (its bytes are read and
    ///   dropped, never buffered) and handed to
    ///   [`MessageHandler::on_oversized`](crate::MessageHandler::on_oversized); only that answer
    ///   is lost, the connection stays open. What the peer cannot have meant (a first frame above
    ///   `max_frame_size`, too many bytes in fragmented messages, …) closes the connection with
    ///   [`CloseReason::Protocol`](crate::CloseReason::Protocol).
    /// * Outgoing: the same `max_message_size` bounds what is sent, so the limit is never below
    ///   what the client itself sends: [`Connection::try_send`](crate::Connection::try_send) and
    ///   [`send`](crate::Connection::send) refuse a larger message with
    ///   [`SendError::TooLarge`](crate::SendError::TooLarge).
    pub decoder_limits: DecoderLimits,
    /// TLS; `None` is plain TCP.
    pub tls: Option<TlsConnector>,
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        ConnectionConfig {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            socket: SocketOptions::default(),
            outbound_queue_capacity: DEFAULT_OUTBOUND_QUEUE_CAPACITY,
            write_batch_messages: DEFAULT_WRITE_BATCH_MESSAGES,
            write_batch_bytes: DEFAULT_WRITE_BATCH_BYTES,
            write_coalescing: true,
            decoder_limits: DecoderLimits::default(),
            tls: None,
        }
    }
}

impl ConnectionConfig {
    /// The default configuration with TLS through `connector`.
    pub fn with_tls(connector: TlsConnector) -> Self {
        ConnectionConfig {
            tls: Some(connector),
            ..ConnectionConfig::default()
        }
    }
}
