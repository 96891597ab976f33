//! Shared by the test kit's proxy and hostile-server tests: waiting for a condition, and an
//! async raw protocol client.

#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::client::{
    AUTH_STATUS_AUTHENTICATED, ClientAuthenticationRequest, ClientAuthenticationResponse,
};
use hazelcast_codec::messages::map::{MapGetRequest, MapGetResponse, MapPutRequest, MapPutResponse};
use hazelcast_codec::{
    ClientMessage, CodecError, Deserialize, ErrorResponse, MessageDecoder, PROTOCOL_PREAMBLE, Serialize,
    partition,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const AUTH: i32 = ClientAuthenticationRequest::MESSAGE_TYPE;
pub const PUT: i32 = MapPutRequest::MESSAGE_TYPE;
pub const GET: i32 = MapGetRequest::MESSAGE_TYPE;
pub const PUT_ANSWER: i32 = 0x010101;
pub const GET_ANSWER: i32 = 0x010201;

/// Answers from a healthy member arrive well within this.
pub const ANSWER: std::time::Duration = std::time::Duration::from_secs(30);
/// How long a test waits to assert that something does NOT happen.
pub const QUIET: std::time::Duration = std::time::Duration::from_millis(500);

/// Polls `condition` every 10 ms until it holds or `timeout` passes.
pub async fn eventually(what: &str, timeout: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !condition() {
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Why [`Client::recv`] returned no message.
#[derive(Debug)]
pub enum Recv {
    Timeout,
    /// EOF or connection reset.
    Closed,
    Codec(CodecError),
}

/// An async raw protocol client: preamble, whole messages, nothing else.
pub struct Client {
    pub stream: TcpStream,
    pub buf: BytesMut,
    pub decoder: MessageDecoder,
    pub next_id: i64,
    /// Read calls that returned data (for the slow-authentication test).
    pub reads: usize,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Client {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        stream.write_all(PROTOCOL_PREAMBLE).await.expect("write preamble");
        Client {
            stream,
            buf: BytesMut::new(),
            decoder: MessageDecoder::default(),
            next_id: 1,
            reads: 0,
        }
    }

    pub async fn send<R: Request>(&mut self, request: &R, partition_id: i32) -> i64 {
        self.send_message(request.encode(partition_id)).await
    }

    pub async fn send_message(&mut self, mut msg: ClientMessage) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        msg.set_correlation_id(id);
        self.stream
            .write_all(msg.as_bytes())
            .await
            .expect("write request");
        id
    }

    pub async fn recv(&mut self, timeout: Duration) -> Result<ClientMessage, Recv> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(msg) = self.decoder.decode(&mut self.buf).map_err(Recv::Codec)? {
                return Ok(msg);
            }
            self.buf.reserve(4096);
            match tokio::time::timeout_at(deadline, self.stream.read_buf(&mut self.buf)).await {
                Err(_) => return Err(Recv::Timeout),
                Ok(Ok(0)) | Ok(Err(_)) => return Err(Recv::Closed),
                Ok(Ok(_)) => self.reads += 1,
            }
        }
    }

    /// The answer to `id` (events and other answers are skipped).
    pub async fn answer(&mut self, id: i64, timeout: Duration) -> Result<ClientMessage, Recv> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline
                .checked_duration_since(Instant::now())
                .ok_or(Recv::Timeout)?;
            let msg = self.recv(left).await?;
            if msg.correlation_id() == id && !msg.is_event() {
                return Ok(msg);
            }
        }
    }

    pub async fn authenticate(&mut self, cluster_name: &str) -> ClientAuthenticationResponse {
        let request = hazelcast_testkit::raw::authentication_request(cluster_name, "hazelcast-rs-proxy-test");
        let id = self.send_message(request).await;
        let msg = self.answer(id, ANSWER).await.expect("authentication answer");
        let auth = ClientAuthenticationResponse::decode(&msg).expect("an authentication response");
        assert_eq!(auth.status, AUTH_STATUS_AUTHENTICATED, "authenticated");
        auth
    }

    /// Sends a `Map.Put` of `key` → `value` and returns its correlation id.
    pub async fn put(&mut self, map: &str, key: &str, value: i32) -> i64 {
        let key = key.to_data();
        let value = value.to_data();
        let request = MapPutRequest {
            thread_id: 1,
            ttl: -1,
            name: map,
            key: &key,
            value: &value,
        };
        self.send(&request, partition::partition_id(&key, 271)).await
    }

    /// Sends a `Map.Get` of `key` and returns its correlation id.
    pub async fn get(&mut self, map: &str, key: &str) -> i64 {
        let key = key.to_data();
        let request = MapGetRequest {
            thread_id: 1,
            name: map,
            key: &key,
        };
        self.send(&request, partition::partition_id(&key, 271)).await
    }

    /// A put that must succeed.
    pub async fn put_ok(&mut self, map: &str, key: &str, value: i32) {
        let id = self.put(map, key, value).await;
        let answer = self.answer(id, ANSWER).await.expect("put answer");
        assert!(
            !answer.is_error(),
            "put failed: {:?}",
            ErrorResponse::decode(&answer)
        );
        MapPutResponse::decode(&answer).expect("a put response");
    }

    /// A get that must be answered; the value.
    pub async fn get_ok(&mut self, map: &str, key: &str) -> Option<i32> {
        let id = self.get(map, key).await;
        let answer = self.answer(id, ANSWER).await.expect("get answer");
        get_value(&answer)
    }
}

pub fn get_value(answer: &ClientMessage) -> Option<i32> {
    assert!(
        !answer.is_error(),
        "get failed: {:?}",
        ErrorResponse::decode(answer)
    );
    MapGetResponse::decode(answer)
        .expect("a get response")
        .response
        .map(|d| i32::from_data(&d).expect("an i32 value"))
}
