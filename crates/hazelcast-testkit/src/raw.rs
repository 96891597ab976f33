//! A blocking connection that speaks the protocol through `hazelcast-codec` alone, for tests and
//! tools that drive the codec directly against a member (no client layers involved).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::client::{
    ClientAuthenticationRequest, ClientAuthenticationResponse, ROUTING_MODE_SMART,
};
use hazelcast_codec::types::ListRef;
use hazelcast_codec::{
    ClientMessage, CodecError, MessageDecoder, PROTOCOL_PREAMBLE, SERIALIZATION_VERSION, Uuid,
};

/// A blocking, single-threaded protocol connection for tests that drive the codec directly
/// against a member: it writes the preamble and whole messages, and reads whole messages.
#[derive(Debug)]
pub struct RawConnection {
    stream: TcpStream,
    decoder: MessageDecoder,
    buf: BytesMut,
    next_correlation_id: i64,
}

/// Failures of [`RawConnection`].
#[derive(Debug)]
#[non_exhaustive]
pub enum RawError {
    /// Socket error.
    Io(std::io::Error),
    /// The member sent bytes the codec rejects.
    Codec(CodecError),
    /// No message arrived before the deadline.
    Timeout,
    /// The member closed the connection.
    Closed,
}

impl From<std::io::Error> for RawError {
    fn from(e: std::io::Error) -> Self {
        RawError::Io(e)
    }
}
impl From<CodecError> for RawError {
    fn from(e: CodecError) -> Self {
        RawError::Codec(e)
    }
}

impl RawConnection {
    /// Connects and writes the `CP2` preamble.
    pub fn connect(addr: SocketAddr) -> Result<Self, RawError> {
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
        stream.set_nodelay(true)?;
        stream.write_all(PROTOCOL_PREAMBLE)?;
        Ok(RawConnection {
            stream,
            decoder: MessageDecoder::default(),
            buf: BytesMut::new(),
            next_correlation_id: 1,
        })
    }

    /// Sends a request with a fresh correlation id, which it returns.
    pub fn send<R: Request>(&mut self, request: &R, partition_id: i32) -> Result<i64, RawError> {
        let id = self.next_correlation_id;
        self.next_correlation_id += 1;
        let mut msg = request.encode(partition_id);
        msg.set_correlation_id(id);
        self.stream.write_all(msg.as_bytes())?;
        Ok(id)
    }

    /// Sends a message as it is (its correlation id already set).
    pub fn send_raw(&mut self, msg: &ClientMessage) -> Result<(), RawError> {
        self.stream.write_all(msg.as_bytes())?;
        Ok(())
    }

    /// Receives the next message within `timeout`.
    pub fn recv(&mut self, timeout: Duration) -> Result<ClientMessage, RawError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(msg) = self.decoder.decode(&mut self.buf)? {
                return Ok(msg);
            }
            let left = deadline
                .checked_duration_since(Instant::now())
                .ok_or(RawError::Timeout)?;
            self.stream
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))?;
            let mut chunk = [0u8; 16 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(RawError::Closed),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(RawError::Timeout);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Receives messages until one answers `correlation_id` (events and other answers are
    /// handed to `other`).
    pub fn recv_answer(
        &mut self,
        correlation_id: i64,
        timeout: Duration,
        mut other: impl FnMut(ClientMessage),
    ) -> Result<ClientMessage, RawError> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline
                .checked_duration_since(Instant::now())
                .ok_or(RawError::Timeout)?;
            let msg = self.recv(left)?;
            if msg.correlation_id() == correlation_id && !msg.is_event() {
                return Ok(msg);
            }
            other(msg);
        }
    }

    /// Authenticates against `cluster_name` without credentials and returns the decoded answer.
    pub fn authenticate(
        &mut self,
        cluster_name: &str,
    ) -> Result<(ClientMessage, ClientAuthenticationResponse), RawError> {
        let id = self.next_correlation_id;
        self.next_correlation_id += 1;
        let mut request = authentication_request(cluster_name, "hazelcast-rs-it");
        request.set_correlation_id(id);
        self.send_raw(&request)?;
        let msg = self.recv_answer(id, Duration::from_secs(30), |_| {})?;
        let decoded = ClientAuthenticationResponse::decode(&msg)?;
        Ok((msg, decoded))
    }
}

/// An encoded `Client.Authentication` request without credentials (smart routing, serialization
/// version 1, a fresh client UUID, correlation id 0: set it before sending).
pub fn authentication_request(cluster_name: &str, client_name: &str) -> ClientMessage {
    let request = ClientAuthenticationRequest {
        uuid: Some(Uuid::new_v4()),
        serialization_version: SERIALIZATION_VERSION,
        routing_mode: ROUTING_MODE_SMART,
        cp_direct_to_leader_routing: false,
        cluster_name,
        username: None,
        password: None,
        client_type: "RST",
        client_hazelcast_version: "5.7.0",
        client_name,
        labels: ListRef(&[]),
    };
    request.encode(-1)
}
