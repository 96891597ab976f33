//! [`HostileServer`]: a fake member that misbehaves at the byte level.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{BufMut, BytesMut};
use hazelcast_codec::frame::flags;
use hazelcast_codec::messages::client::{AUTH_STATUS_AUTHENTICATED, ClientAuthenticationResponse};
use hazelcast_codec::{ClientMessage, MessageDecoder, MessageWriter, PROTOCOL_PREAMBLE, Uuid};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use super::lock;

/// The message type of [`HostileBehaviour::UnknownMessageType`]'s answer: service `0x7F`, which
/// does not exist.
pub const UNKNOWN_MESSAGE_TYPE: i32 = 0x7F_7F01;

/// What a [`HostileServer`] does on each connection once its [`Trigger`] is reached.
///
/// Unless stated otherwise it then keeps the connection open, reading and recording what the
/// client sends ([`HostileServer::received`]), until the client closes it or the server is
/// dropped.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum HostileBehaviour {
    /// Sends an HTTP error answer followed by pseudo-random bytes, 1 KiB in all. Its first four
    /// bytes (`HTTP`) read as a frame length of 1 347 703 880, so a decoder with the default
    /// limits fails at once with `FrameTooLarge`, and with any limits never yields a message.
    Garbage,
    /// Sends a frame header announcing `i32::MAX` bytes (2 GiB) and a few bytes of it.
    HugeFrame,
    /// Sends a frame header whose length (3) is shorter than the header itself.
    ShortFrame,
    /// Answers with the initial frame of an authentication response, then a 16-byte frame every
    /// `interval`, none of them `IS_FINAL`: a message that never ends.
    EndlessMessage {
        /// Time between two frames.
        interval: Duration,
    },
    /// Answers the first request with a well-formed, empty response of type
    /// [`UNKNOWN_MESSAGE_TYPE`] under its correlation id.
    UnknownMessageType,
    /// Sends nothing at all (accepts and holds the connection).
    Silent,
    /// Answers the first request with a successful authentication response, one byte at a time
    /// with `per_byte` between bytes.
    SlowAuthentication {
        /// Delay before each byte.
        per_byte: Duration,
    },
    /// Closes the connection.
    CloseImmediately,
}

/// When a [`HostileServer`] starts its [`HostileBehaviour`] on a connection.
///
/// [`HostileBehaviour::UnknownMessageType`] and [`HostileBehaviour::SlowAuthentication`] answer a
/// request, so they always wait for the first message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Trigger {
    /// As soon as the connection is accepted.
    Accept,
    /// After the 3-byte preamble.
    Preamble,
    /// After the preamble and the first whole message (normally the authentication request).
    #[default]
    FirstMessage,
}

#[derive(Debug, Default)]
struct Record {
    accepted: usize,
    received: Vec<ClientMessage>,
}

/// A fake member on `127.0.0.1:<free port>` that misbehaves on every connection it accepts, for
/// testing how a client copes. Dropping it closes the listener and every connection.
///
/// ```no_run
/// use std::time::Duration;
/// use hazelcast_testkit::proxy::{HostileBehaviour, HostileServer};
///
/// # async fn example() -> std::io::Result<()> {
/// let server = HostileServer::start(HostileBehaviour::SlowAuthentication {
///     per_byte: Duration::from_millis(10),
/// })
/// .await?;
/// // Point the client at server.address() and check that its connect timeout fires.
/// # let _ = server.address();
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct HostileServer {
    address: SocketAddr,
    record: Arc<Mutex<Record>>,
    task: Option<JoinHandle<()>>,
}

impl HostileServer {
    /// Starts a server that misbehaves after the preamble and the first message.
    pub async fn start(behaviour: HostileBehaviour) -> io::Result<HostileServer> {
        Self::start_after(behaviour, Trigger::FirstMessage).await
    }

    /// Starts a server that misbehaves once `trigger` is reached.
    pub async fn start_after(behaviour: HostileBehaviour, trigger: Trigger) -> io::Result<HostileServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let address = listener.local_addr()?;
        let record = Arc::new(Mutex::new(Record::default()));
        let task = tokio::spawn(serve(listener, behaviour, trigger, Arc::clone(&record)));
        Ok(HostileServer {
            address,
            record,
            task: Some(task),
        })
    }

    /// The address to connect to.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        lock(&self.record).accepted
    }

    /// Every whole message received from clients so far, in arrival order per connection.
    pub fn received(&self) -> Vec<ClientMessage> {
        lock(&self.record).received.clone()
    }

    /// Closes the listener and every connection, and waits until they are closed.
    pub async fn shutdown(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

async fn serve(
    listener: TcpListener,
    behaviour: HostileBehaviour,
    trigger: Trigger,
    record: Arc<Mutex<Record>>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((socket, _)) => {
                    lock(&record).accepted += 1;
                    let conn = Connection {
                        socket,
                        buf: BytesMut::new(),
                        decoder: MessageDecoder::default(),
                        record: Arc::clone(&record),
                        address: listener.local_addr().ok(),
                    };
                    connections.spawn(conn.run(behaviour.clone(), trigger));
                }
                Err(e) => {
                    tracing::debug!(error = %e, "hostile server: accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

struct Connection {
    socket: TcpStream,
    buf: BytesMut,
    decoder: MessageDecoder,
    record: Arc<Mutex<Record>>,
    address: Option<SocketAddr>,
}

impl Connection {
    async fn run(mut self, behaviour: HostileBehaviour, trigger: Trigger) {
        let _ = self.socket.set_nodelay(true);
        let needs_request = matches!(
            behaviour,
            HostileBehaviour::UnknownMessageType | HostileBehaviour::SlowAuthentication { .. }
        );
        let mut first = None;
        if trigger != Trigger::Accept || needs_request {
            if !self.read_preamble().await {
                return;
            }
            if trigger == Trigger::FirstMessage || needs_request {
                match self.next_message().await {
                    Some(msg) => first = Some(msg),
                    None => return,
                }
            }
        }
        let correlation_id = first.as_ref().map_or(0, ClientMessage::correlation_id);
        let result = match behaviour {
            HostileBehaviour::Garbage => self.socket.write_all(&garbage()).await,
            HostileBehaviour::HugeFrame => {
                let mut b = BytesMut::new();
                b.put_i32_le(i32::MAX);
                b.put_u16_le(flags::UNFRAGMENTED_MESSAGE | flags::IS_FINAL);
                b.put_bytes(0xAB, 64);
                self.socket.write_all(&b).await
            }
            HostileBehaviour::ShortFrame => {
                let mut b = BytesMut::new();
                b.put_i32_le(3);
                b.put_u16_le(flags::UNFRAGMENTED_MESSAGE | flags::IS_FINAL);
                b.put_bytes(0, 16);
                self.socket.write_all(&b).await
            }
            HostileBehaviour::EndlessMessage { interval } => {
                self.endless(correlation_id, interval).await;
                return;
            }
            HostileBehaviour::UnknownMessageType => {
                let answer = MessageWriter::response(UNKNOWN_MESSAGE_TYPE, correlation_id, 0).finish();
                self.socket.write_all(answer.as_bytes()).await
            }
            HostileBehaviour::Silent => Ok(()),
            HostileBehaviour::SlowAuthentication { per_byte } => {
                let answer = self.authentication_answer(correlation_id);
                self.trickle(answer.as_bytes(), per_byte).await
            }
            HostileBehaviour::CloseImmediately => return,
        };
        if result.is_ok() {
            self.hold().await;
        }
    }

    async fn read_more(&mut self) -> bool {
        self.buf.reserve(4096);
        matches!(self.socket.read_buf(&mut self.buf).await, Ok(n) if n > 0)
    }

    async fn read_preamble(&mut self) -> bool {
        while self.buf.len() < PROTOCOL_PREAMBLE.len() {
            if !self.read_more().await {
                return false;
            }
        }
        let _ = self.buf.split_to(PROTOCOL_PREAMBLE.len());
        true
    }

    /// The next whole message, recorded; `None` when the client closed or sent undecodable bytes.
    async fn next_message(&mut self) -> Option<ClientMessage> {
        loop {
            match self.decoder.decode(&mut self.buf) {
                Ok(Some(msg)) => {
                    lock(&self.record).received.push(msg.clone());
                    return Some(msg);
                }
                Ok(None) => {
                    if !self.read_more().await {
                        return None;
                    }
                }
                Err(_) => return None,
            }
        }
    }

    /// Keeps the connection open, recording what arrives, until the client closes it. Bytes that
    /// do not decode are read and discarded.
    async fn hold(&mut self) {
        while self.next_message().await.is_some() {}
        let mut sink = [0u8; 4096];
        while matches!(self.socket.read(&mut sink).await, Ok(n) if n > 0) {}
    }

    async fn trickle(&mut self, bytes: &[u8], per_byte: Duration) -> io::Result<()> {
        for byte in bytes {
            tokio::time::sleep(per_byte).await;
            self.socket.write_all(std::slice::from_ref(byte)).await?;
            self.socket.flush().await?;
        }
        Ok(())
    }

    async fn endless(&mut self, correlation_id: i64, interval: Duration) {
        let mut head = BytesMut::new();
        head.put_i32_le(6 + 13);
        head.put_u16_le(flags::UNFRAGMENTED_MESSAGE);
        head.put_i32_le(0x00_0101); // Client.Authentication response
        head.put_i64_le(correlation_id);
        head.put_u8(0);
        if self.socket.write_all(&head).await.is_err() {
            return;
        }
        let mut n = 0u64;
        loop {
            tokio::time::sleep(interval).await;
            let mut frame = BytesMut::new();
            frame.put_i32_le(6 + 16);
            frame.put_u16_le(0);
            frame.put_u64_le(n);
            frame.put_u64_le(!n);
            n += 1;
            if self.socket.write_all(&frame).await.is_err() {
                return;
            }
        }
    }

    fn authentication_answer(&self, correlation_id: i64) -> ClientMessage {
        let address = self
            .address
            .unwrap_or_else(|| SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        ClientAuthenticationResponse::new(
            AUTH_STATUS_AUTHENTICATED,
            Some(Uuid::new_v4()),
            1,
            271,
            Uuid::new_v4(),
            false,
            None,
            None,
            Some(hazelcast_codec::Address::new(
                address.ip().to_string(),
                address.port(),
            )),
            "5.7.0".to_owned(),
            None,
            None,
            None,
            None,
            None,
        )
        .encode(correlation_id)
    }
}

/// 1 KiB that starts like an HTTP error answer and goes on with pseudo-random bytes.
fn garbage() -> Vec<u8> {
    let mut out = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".to_vec();
    let mut x: u32 = 0x9E37_79B9;
    while out.len() < 1024 {
        // xorshift32
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out.push((x >> 24) as u8);
    }
    out
}
