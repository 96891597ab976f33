//! Opening a connection ([`connect`]) and running it ([`Connection`], [`MessageHandler`]).

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use hazelcast_codec::{ClientMessage, MessageDecoder, OversizedMessage, PROTOCOL_PREAMBLE};
use socket2::{SockRef, TcpKeepalive};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{Notify, mpsc, watch};
use tokio::time::timeout_at;
use tracing::Instrument;

/// `timeout_at` that waits without limit when there is no deadline.
async fn within<F: std::future::Future>(
    deadline: Option<tokio::time::Instant>,
    fut: F,
) -> Result<F::Output, ()> {
    match deadline {
        Some(d) => timeout_at(d, fut).await.map_err(|_| ()),
        None => Ok(fut.await),
    }
}

use crate::config::{ConnectionConfig, SocketOptions};
use crate::error::{CloseReason, ConnectError, ConnectStage, LocalCloseReason, SendError};
use crate::tls::{self, TlsError};
use hazelcast_codec::Address;

/// Receives what a connection reads, on the connection's reader task.
///
/// All methods run on the reader task and must not block: hand work off (e.g. complete a
/// oneshot, push to a channel) and return. While `on_message` runs, the connection reads nothing.
/// A panic in `on_message` or `on_oversized` closes the connection with
/// [`CloseReason::HandlerPanicked`].
pub trait MessageHandler: Send + Sync + 'static {
    /// One whole message (fragments already reassembled), in the order received.
    fn on_message(&self, msg: ClientMessage);
    /// A message larger than the connection's
    /// [`max_message_size`](hazelcast_codec::DecoderLimits::max_message_size) arrived and was
    /// skipped: its bytes were read and dropped, never buffered, and the connection stays open.
    /// Whoever waits for the answer under `message.correlation_id` (unless it is an event) should
    /// fail with a "too large" error instead of waiting. Called in order with `on_message`. The
    /// default does nothing.
    fn on_oversized(&self, message: OversizedMessage) {
        let _ = message;
    }
    /// The connection closed. Called exactly once per connection, after the last `on_message`.
    fn on_close(&self, reason: &CloseReason);
}

/// Counters of one connection (cheap, relaxed atomics).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionStats {
    /// Messages handed to the socket.
    pub messages_written: u64,
    /// Batches (vectored writes followed by a flush) written.
    pub batches_written: u64,
    /// The most messages one batch held.
    pub max_batch_messages: u64,
    /// Bytes written, preamble excluded (TLS overhead excluded).
    pub bytes_written: u64,
    /// Messages handed to the handler.
    pub messages_read: u64,
    /// Bytes read (after TLS decryption).
    pub bytes_read: u64,
    /// Messages above the size limit that were skipped and handed to
    /// [`MessageHandler::on_oversized`].
    pub messages_skipped: u64,
}

#[derive(Debug, Default)]
struct Counters {
    messages_written: AtomicU64,
    batches_written: AtomicU64,
    max_batch_messages: AtomicU64,
    bytes_written: AtomicU64,
    messages_read: AtomicU64,
    bytes_read: AtomicU64,
    messages_skipped: AtomicU64,
}

/// State shared by the handles and the two tasks.
struct State {
    id: u64,
    endpoint: Address,
    remote: SocketAddr,
    local: SocketAddr,
    handler: Arc<dyn MessageHandler>,
    reason: OnceLock<CloseReason>,
    /// Flips to `true` when the connection starts closing: both tasks stop.
    shutdown: watch::Sender<bool>,
    /// Flips to `true` once `on_close` has returned.
    done: watch::Sender<bool>,
    /// A failed write, kept until the reader has had its chance to read why (e.g. the TLS alert
    /// a server sent before it closed the connection).
    write_error: OnceLock<CloseReason>,
    write_failed: Notify,
    base: Instant,
    last_read_nanos: AtomicU64,
    last_write_nanos: AtomicU64,
    counters: Counters,
    tls_name: String,
    has_client_cert: bool,
}

impl State {
    /// Records the first close reason and tells both tasks to stop. Later reasons are ignored.
    fn close_with(&self, reason: CloseReason) {
        if self.reason.set(reason).is_ok() {
            self.shutdown.send_replace(true);
        }
    }

    fn since_base(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    fn io_reason(&self, err: &io::Error) -> CloseReason {
        if let Some(tls) = tls::classify_io(err, &self.tls_name, self.has_client_cert) {
            return CloseReason::Tls(tls);
        }
        match err.kind() {
            io::ErrorKind::UnexpectedEof => CloseReason::Eof,
            kind => CloseReason::Io {
                kind,
                message: err.to_string(),
            },
        }
    }
}

/// What every handle holds: the queue's sender (dropping the last handle closes the queue, which
/// closes the connection) and the shared state.
struct Inner {
    tx: mpsc::Sender<ClientMessage>,
    state: Arc<State>,
    /// Largest message sent: the connection's `decoder_limits.max_message_size`.
    max_message_size: usize,
}

/// A handle to an open connection. Cloning is cheap; all clones are the same connection.
///
/// # Ownership
///
/// [`connect`] spawns two tasks on the current tokio runtime: a reader that owns the read half
/// and calls the [`MessageHandler`], and a writer that owns the write half and the receiving end
/// of the bounded outbound queue. The connection closes, and both tasks end, when:
///
/// * the peer closes it or a read or write fails ([`CloseReason::Eof`], [`CloseReason::Io`],
///   [`CloseReason::Tls`]), or the peer sends something the codec rejects
///   ([`CloseReason::Protocol`]);
/// * [`close`](Connection::close) is called ([`CloseReason::LocalClose`]);
/// * the last handle is dropped ([`CloseReason::Dropped`]): nobody could send on it any more.
///
/// Either task failing stops the other; the socket is closed when both have ended. Messages
/// still queued are dropped. `on_close` is called exactly once, by the reader task, after its last
/// `on_message`; [`closed`](Connection::closed) resolves after it returned.
#[derive(Clone)]
pub struct Connection {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.inner.state;
        f.debug_struct("Connection")
            .field("id", &s.id)
            .field("endpoint", &s.endpoint)
            .field("remote", &s.remote)
            .field("local", &s.local)
            .field("close_reason", &s.reason.get())
            .finish()
    }
}

impl Connection {
    fn state(&self) -> &State {
        &self.inner.state
    }

    /// A process-unique id (1, 2, 3, …).
    pub fn id(&self) -> u64 {
        self.state().id
    }

    /// The peer's address (the one of the resolved addresses that connected).
    pub fn remote_addr(&self) -> SocketAddr {
        self.state().remote
    }

    /// The local address of the socket.
    pub fn local_addr(&self) -> SocketAddr {
        self.state().local
    }

    /// The endpoint that was dialled.
    pub fn endpoint(&self) -> &Address {
        &self.state().endpoint
    }

    /// Queues `msg` for writing without waiting. Fails with [`SendError::QueueFull`] when the
    /// outbound queue is full, [`SendError::Closed`] once the connection is closed, and
    /// [`SendError::TooLarge`] for a message above the connection's
    /// [`max_message_size`](hazelcast_codec::DecoderLimits::max_message_size) (a client never
    /// sends more than it accepts; the connection stays open).
    pub fn try_send(&self, msg: ClientMessage) -> Result<(), SendError> {
        if let Some(reason) = self.close_reason() {
            return Err(SendError::Closed(reason, msg));
        }
        let msg = self.check_size(msg)?;
        match self.inner.tx.try_send(msg) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(m)) => Err(SendError::QueueFull(m)),
            Err(mpsc::error::TrySendError::Closed(m)) => Err(SendError::Closed(self.reason_or_stopped(), m)),
        }
    }

    /// Queues `msg` for writing, waiting for queue space. Fails with [`SendError::Closed`] when
    /// the connection is (or becomes, while waiting) closed, and with [`SendError::TooLarge`] as
    /// [`try_send`](Self::try_send) does.
    pub async fn send(&self, msg: ClientMessage) -> Result<(), SendError> {
        if let Some(reason) = self.close_reason() {
            return Err(SendError::Closed(reason, msg));
        }
        let msg = self.check_size(msg)?;
        let mut shutdown = self.state().shutdown.subscribe();
        let permit = tokio::select! {
            permit = self.inner.tx.reserve() => permit,
            _ = shutdown.wait_for(|s| *s) => return Err(SendError::Closed(self.reason_or_stopped(), msg)),
        };
        match permit {
            Ok(permit) => {
                permit.send(msg);
                Ok(())
            }
            Err(_) => Err(SendError::Closed(self.reason_or_stopped(), msg)),
        }
    }

    /// The largest message this connection sends (and reads whole): its
    /// [`max_message_size`](hazelcast_codec::DecoderLimits::max_message_size).
    pub fn max_message_size(&self) -> usize {
        self.inner.max_message_size
    }

    fn check_size(&self, msg: ClientMessage) -> Result<ClientMessage, SendError> {
        let limit = self.inner.max_message_size;
        if msg.len() > limit {
            return Err(SendError::TooLarge {
                size: msg.len(),
                limit,
                message: msg,
            });
        }
        Ok(msg)
    }

    /// Closes the connection ([`CloseReason::LocalClose`] unless it is already closed). Returns
    /// at once; `on_close` follows on the reader task.
    pub fn close(&self) {
        self.state().close_with(CloseReason::LocalClose);
    }

    /// Closes the connection for a reason of its owner's (unless it is already closed): the
    /// reason is what [`close_reason`](Connection::close_reason), `on_close` and every call
    /// still waiting on the connection report. Returns at once; `on_close` follows on the reader
    /// task.
    pub fn close_because(&self, reason: LocalCloseReason) {
        self.state().close_with(CloseReason::Local(reason));
    }

    /// Whether the connection is closed or closing (a write failed).
    pub fn is_closed(&self) -> bool {
        self.state().reason.get().is_some() || self.state().write_error.get().is_some()
    }

    /// Why the connection closed, once it has.
    pub fn close_reason(&self) -> Option<CloseReason> {
        self.state().reason.get().cloned()
    }

    fn reason_or_stopped(&self) -> CloseReason {
        let s = self.state();
        s.reason
            .get()
            .or_else(|| s.write_error.get())
            .cloned()
            .unwrap_or(CloseReason::TasksStopped)
    }

    /// Resolves once the connection is closed and `on_close` has returned.
    pub async fn closed(&self) -> CloseReason {
        let mut done = self.state().done.subscribe();
        // The sender lives in `State`, which `self` keeps alive: `wait_for` cannot fail.
        let _ = done.wait_for(|d| *d).await;
        self.reason_or_stopped()
    }

    /// When bytes were last read from the socket (initially: when the connection was
    /// established).
    pub fn last_read(&self) -> Instant {
        let s = self.state();
        s.base + std::time::Duration::from_nanos(s.last_read_nanos.load(Ordering::Relaxed))
    }

    /// When a batch was last written to the socket (initially: when the preamble was written).
    pub fn last_write(&self) -> Instant {
        let s = self.state();
        s.base + std::time::Duration::from_nanos(s.last_write_nanos.load(Ordering::Relaxed))
    }

    /// The connection's counters.
    pub fn stats(&self) -> ConnectionStats {
        let c = &self.state().counters;
        ConnectionStats {
            messages_written: c.messages_written.load(Ordering::Relaxed),
            batches_written: c.batches_written.load(Ordering::Relaxed),
            max_batch_messages: c.max_batch_messages.load(Ordering::Relaxed),
            bytes_written: c.bytes_written.load(Ordering::Relaxed),
            messages_read: c.messages_read.load(Ordering::Relaxed),
            bytes_read: c.bytes_read.load(Ordering::Relaxed),
            messages_skipped: c.messages_skipped.load(Ordering::Relaxed),
        }
    }
}

/// Opens a connection to `endpoint`: resolves the host, tries every resolved address in turn,
/// applies the socket options, runs the TLS handshake if configured, writes the `CP2` preamble,
/// and spawns the reader and writer tasks on the current tokio runtime. All of it, name
/// resolution included, is bounded by [`ConnectionConfig::connect_timeout`].
///
/// # Panics
///
/// When called outside a tokio runtime.
pub async fn connect(
    endpoint: &Address,
    config: &ConnectionConfig,
    handler: Arc<dyn MessageHandler>,
) -> Result<Connection, ConnectError> {
    // A timeout too large to add to now means no deadline (never an overflow panic).
    let deadline = tokio::time::Instant::now().checked_add(config.connect_timeout);
    let timeout = |stage| ConnectError::Timeout {
        endpoint: endpoint.clone(),
        after: config.connect_timeout,
        stage,
    };

    // The TLS name is checked before any network activity.
    let tls = match &config.tls {
        Some(connector) => {
            let name =
                connector
                    .server_name_for(&endpoint.host)
                    .ok_or_else(|| ConnectError::InvalidServerName {
                        host: endpoint.host.clone(),
                    })?;
            Some((connector, name))
        }
        None => None,
    };

    let addrs: Vec<SocketAddr> = match within(
        deadline,
        tokio::net::lookup_host((endpoint.host.as_str(), endpoint.port)),
    )
    .await
    {
        Err(_) => return Err(timeout(ConnectStage::Resolve)),
        Ok(Err(e)) => {
            return Err(ConnectError::Resolve {
                host: endpoint.host.clone(),
                message: e.to_string(),
            });
        }
        Ok(Ok(addrs)) => addrs.collect(),
    };
    if addrs.is_empty() {
        return Err(ConnectError::Resolve {
            host: endpoint.host.clone(),
            message: "no addresses".into(),
        });
    }

    let mut last_err = None;
    let mut stream = None;
    for (i, addr) in addrs.iter().enumerate() {
        let socket = new_socket(*addr, &config.socket).map_err(|e| ConnectError::SocketOption {
            addr: *addr,
            message: e.to_string(),
        })?;
        match within(deadline, socket.connect(*addr)).await {
            Err(_) => return Err(timeout(ConnectStage::Tcp)),
            Ok(Ok(s)) => {
                stream = Some(s);
                break;
            }
            Ok(Err(e)) => {
                tracing::debug!(%addr, error = %e, "TCP connect failed");
                last_err = Some(ConnectError::Io {
                    addr: *addr,
                    kind: e.kind(),
                    message: e.to_string(),
                    attempts: i + 1,
                });
            }
        }
    }
    let Some(stream) = stream else {
        return Err(last_err.unwrap_or_else(|| ConnectError::Resolve {
            host: endpoint.host.clone(),
            message: "no addresses".into(),
        }));
    };
    let remote = stream.peer_addr().map_err(|e| io_error(addrs[0], &e))?;
    let local = stream.local_addr().map_err(|e| io_error(remote, &e))?;
    apply_connected_options(&stream, &config.socket).map_err(|e| ConnectError::SocketOption {
        addr: remote,
        message: e.to_string(),
    })?;

    match tls {
        None => {
            let mut stream = stream;
            match within(deadline, write_preamble(&mut stream)).await {
                Err(_) => return Err(timeout(ConnectStage::Preamble)),
                Ok(Err(e)) => return Err(io_error(remote, &e)),
                Ok(Ok(())) => {}
            }
            let (r, w) = stream.into_split();
            Ok(start(
                endpoint,
                config,
                handler,
                remote,
                local,
                r,
                w,
                String::new(),
                false,
            ))
        }
        Some((connector, name)) => {
            let name_text = name.to_str().into_owned();
            let has_cert = connector.has_client_certificate();
            let handshake = connector.tokio_connector().connect(name, stream);
            let mut tls_stream = match within(deadline, handshake).await {
                Err(_) => return Err(timeout(ConnectStage::Tls)),
                Ok(Err(e)) => {
                    let error = tls::classify_io(&e, &name_text, has_cert).unwrap_or(TlsError::Io {
                        kind: e.kind(),
                        message: e.to_string(),
                    });
                    return Err(ConnectError::Tls { addr: remote, error });
                }
                Ok(Ok(s)) => s,
            };
            match within(deadline, write_preamble(&mut tls_stream)).await {
                Err(_) => return Err(timeout(ConnectStage::Preamble)),
                Ok(Err(e)) => {
                    return Err(match tls::classify_io(&e, &name_text, has_cert) {
                        Some(error) => ConnectError::Tls { addr: remote, error },
                        None => io_error(remote, &e),
                    });
                }
                Ok(Ok(())) => {}
            }
            let (r, w) = tokio::io::split(tls_stream);
            Ok(start(
                endpoint, config, handler, remote, local, r, w, name_text, has_cert,
            ))
        }
    }
}

fn io_error(addr: SocketAddr, e: &io::Error) -> ConnectError {
    ConnectError::Io {
        addr,
        kind: e.kind(),
        message: e.to_string(),
        attempts: 1,
    }
}

async fn write_preamble<S: AsyncWrite + Unpin>(stream: &mut S) -> io::Result<()> {
    stream.write_all(PROTOCOL_PREAMBLE).await?;
    stream.flush().await
}

/// A socket with the options that must be set before connecting (buffer sizes affect the window
/// scale negotiated in the handshake).
fn new_socket(addr: SocketAddr, opts: &SocketOptions) -> io::Result<TcpSocket> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(size) = opts.send_buffer_size {
        socket.set_send_buffer_size(size)?;
    }
    if let Some(size) = opts.recv_buffer_size {
        socket.set_recv_buffer_size(size)?;
    }
    socket.set_nodelay(opts.tcp_nodelay)?;
    let sock = SockRef::from(&socket);
    if let Some(idle) = opts.keepalive {
        sock.set_tcp_keepalive(&TcpKeepalive::new().with_time(idle))?;
    }
    if opts.linger.is_some() {
        sock.set_linger(opts.linger)?;
    }
    Ok(socket)
}

/// Options re-applied after connecting (some platforms reset `TCP_NODELAY` on connect).
fn apply_connected_options(stream: &TcpStream, opts: &SocketOptions) -> io::Result<()> {
    stream.set_nodelay(opts.tcp_nodelay)
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

#[allow(clippy::too_many_arguments)]
fn start<R, W>(
    endpoint: &Address,
    config: &ConnectionConfig,
    handler: Arc<dyn MessageHandler>,
    remote: SocketAddr,
    local: SocketAddr,
    reader: R,
    writer: W,
    tls_name: String,
    has_client_cert: bool,
) -> Connection
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (tx, rx) = mpsc::channel(config.outbound_queue_capacity.max(1));
    let state = Arc::new(State {
        id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        endpoint: endpoint.clone(),
        remote,
        local,
        handler,
        reason: OnceLock::new(),
        shutdown: watch::Sender::new(false),
        done: watch::Sender::new(false),
        write_error: OnceLock::new(),
        write_failed: Notify::new(),
        base: Instant::now(),
        last_read_nanos: AtomicU64::new(0),
        last_write_nanos: AtomicU64::new(0),
        counters: Counters::default(),
        tls_name,
        has_client_cert,
    });
    tracing::debug!(id = state.id, %remote, %local, endpoint = %endpoint, "connection established");
    let batch = BatchLimits {
        messages: config.write_batch_messages.max(1),
        bytes: config.write_batch_bytes.max(1),
        coalesce: config.write_coalescing,
    };
    // One span per connection: what its tasks log carries the connection's id and peer. Entered
    // on every poll, so only when it records (a disabled span still costs instructions per poll).
    let span = tracing::debug_span!("connection", id = state.id, remote = %remote);
    let writing = write_loop(state.clone(), writer, rx, batch);
    let reading = read_loop(
        CloseGuard(state.clone()),
        reader,
        MessageDecoder::new(config.decoder_limits),
    );
    if span.is_disabled() {
        tokio::spawn(writing);
        tokio::spawn(reading);
    } else {
        tokio::spawn(writing.instrument(span.clone()));
        tokio::spawn(reading.instrument(span));
    }
    Connection {
        inner: Arc::new(Inner {
            tx,
            state,
            max_message_size: config.decoder_limits.max_message_size,
        }),
    }
}

mod tasks;

use tasks::{BatchLimits, CloseGuard, read_loop, write_loop};

#[cfg(test)]
mod tests {
    use super::*;

    struct Nop;
    impl MessageHandler for Nop {
        fn on_message(&self, _msg: ClientMessage) {}
        fn on_close(&self, _reason: &CloseReason) {}
    }

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn connect_future_and_handles_are_send_and_sync() {
        let endpoint = Address::new("127.0.0.1", 1);
        let config = ConnectionConfig::default();
        let fut = connect(&endpoint, &config, Arc::new(Nop));
        assert_send(&fut);
        fn assert_sync<T: Send + Sync + Clone>() {}
        assert_sync::<Connection>();
    }
}
