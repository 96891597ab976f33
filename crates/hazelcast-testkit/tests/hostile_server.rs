//! The hostile server against raw sockets (no member needed).

mod common;

use common::*;

use std::time::{Duration, Instant};

use hazelcast_codec::messages::client::{
    AUTH_STATUS_AUTHENTICATED, ClientAuthenticationRequest, ClientAuthenticationResponse, ROUTING_MODE_SMART,
};
use hazelcast_codec::types::ListRef;
use hazelcast_codec::{CodecError, DecoderLimits, MessageDecoder, SERIALIZATION_VERSION, Uuid};
use hazelcast_testkit::proxy::{HostileBehaviour, HostileServer, Trigger, UNKNOWN_MESSAGE_TYPE};
use hazelcast_testkit::raw::{RawConnection, RawError};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// A client that has sent the preamble and an authentication request.
async fn hostile_client(server: &HostileServer) -> (Client, i64) {
    let mut client = Client::connect(server.address()).await;
    let labels: [String; 0] = [];
    let request = ClientAuthenticationRequest {
        uuid: Some(Uuid::new_v4()),
        serialization_version: SERIALIZATION_VERSION,
        routing_mode: ROUTING_MODE_SMART,
        cp_direct_to_leader_routing: false,
        cluster_name: "dev",
        username: None,
        password: None,
        client_type: "RST",
        client_hazelcast_version: "5.7.0",
        client_name: "hostile-test",
        labels: ListRef(&labels),
    };
    let id = client.send(&request, -1).await;
    (client, id)
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_huge_frame_is_rejected_before_allocation() {
    let server = HostileServer::start(HostileBehaviour::HugeFrame)
        .await
        .expect("start");
    let (mut client, _) = hostile_client(&server).await;
    match client.recv(ANSWER).await {
        Err(Recv::Codec(CodecError::FrameTooLarge { length, .. })) => {
            assert_eq!(length, i32::MAX as u64);
        }
        other => panic!("expected FrameTooLarge, got {other:?}"),
    }
    eventually("the auth request to be recorded", ANSWER, || {
        server.received().len() == 1
    })
    .await;
    assert_eq!(server.received()[0].message_type(), AUTH);
    assert_eq!(server.accepted(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_short_frame_is_rejected() {
    let server = HostileServer::start(HostileBehaviour::ShortFrame)
        .await
        .expect("start");
    let (mut client, _) = hostile_client(&server).await;
    match client.recv(ANSWER).await {
        Err(Recv::Codec(CodecError::FrameTooShort { length })) => assert_eq!(length, 3),
        other => panic!("expected FrameTooShort, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_garbage_never_decodes() {
    let server = HostileServer::start_after(HostileBehaviour::Garbage, Trigger::Preamble)
        .await
        .expect("start");
    let mut client = Client::connect(server.address()).await;
    assert!(
        matches!(
            client.recv(ANSWER).await,
            Err(Recv::Codec(CodecError::FrameTooLarge { .. }))
        ),
        "default limits reject the garbage at once"
    );
    // Read all of it, then feed it to a decoder that accepts any frame size: still no message.
    let mut all = client.buf.clone();
    while all.len() < 1024 {
        all.reserve(1024);
        let n = tokio::time::timeout(ANSWER, client.stream.read_buf(&mut all))
            .await
            .expect("garbage within the deadline")
            .expect("read");
        assert!(n > 0, "closed before 1 KiB of garbage");
    }
    assert!(all.starts_with(b"HTTP/1.1 400"));
    let mut lenient = MessageDecoder::new(DecoderLimits {
        max_frame_size: usize::MAX,
        max_message_size: usize::MAX,
        max_pending_fragmented: 1024,
        max_fragmented_bytes: usize::MAX,
    });
    assert!(!matches!(lenient.decode(&mut all), Ok(Some(_))));
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_endless_message_never_completes() {
    let server = HostileServer::start(HostileBehaviour::EndlessMessage {
        interval: Duration::from_millis(5),
    })
    .await
    .expect("start");
    let (mut client, _) = hostile_client(&server).await;
    // 19 bytes of initial frame, then 22-byte frames: wait for at least 20 of them.
    let want = 19 + 20 * 22;
    let deadline = tokio::time::Instant::now() + ANSWER;
    let mut received = 0;
    while received < want {
        match client.decoder.decode(&mut client.buf) {
            Ok(None) => {}
            other => panic!("the endless message decoded to {other:?}"),
        }
        received = client.buf.len();
        client.buf.reserve(4096);
        let n = tokio::time::timeout_at(deadline, client.stream.read_buf(&mut client.buf))
            .await
            .expect("frames keep coming")
            .expect("read");
        assert!(n > 0, "the server closed");
    }
    assert!(matches!(client.decoder.decode(&mut client.buf), Ok(None)));
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_unknown_message_type_answers_the_request() {
    let server = HostileServer::start(HostileBehaviour::UnknownMessageType)
        .await
        .expect("start");
    let (mut client, id) = hostile_client(&server).await;
    let answer = client.recv(ANSWER).await.expect("an answer");
    assert_eq!(answer.message_type(), UNKNOWN_MESSAGE_TYPE);
    assert_eq!(answer.correlation_id(), id);
    assert!(ClientAuthenticationResponse::decode(&answer).is_err());

    // The blocking RawConnection sees the same.
    let addr = server.address();
    let result = tokio::task::spawn_blocking(move || {
        let mut conn = RawConnection::connect(addr).expect("connect");
        conn.authenticate("dev").map(|_| ())
    })
    .await
    .expect("blocking task");
    assert!(
        matches!(result, Err(RawError::Codec(CodecError::UnexpectedMessageType { actual, .. })) if actual == UNKNOWN_MESSAGE_TYPE),
        "{result:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_silent_server_holds_the_connection_and_answers_nothing() {
    let server = HostileServer::start(HostileBehaviour::Silent)
        .await
        .expect("start");
    let (mut client, _) = hostile_client(&server).await;
    eventually("the auth request to be recorded", ANSWER, || {
        server.received().len() == 1
    })
    .await;
    assert!(
        matches!(client.recv(QUIET).await, Err(Recv::Timeout)),
        "open and silent"
    );
    // Later requests are still read.
    client.get("m", "k").await;
    eventually("the second request to be recorded", ANSWER, || {
        server.received().len() == 2
    })
    .await;
    assert_eq!(server.received()[1].message_type(), GET);
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_slow_authentication_arrives_byte_by_byte() {
    let per_byte = Duration::from_millis(8);
    let server = HostileServer::start(HostileBehaviour::SlowAuthentication { per_byte })
        .await
        .expect("start");
    let (mut client, id) = hostile_client(&server).await;
    let started = Instant::now();
    let answer = client.recv(ANSWER).await.expect("the slow answer");
    let elapsed = started.elapsed();
    assert_eq!(answer.correlation_id(), id);
    let auth = ClientAuthenticationResponse::decode(&answer).expect("an authentication response");
    assert_eq!(auth.status, AUTH_STATUS_AUTHENTICATED);
    let address = auth.address.expect("an address");
    assert_eq!(server.address().port(), address.port);
    let len = answer.len();
    assert!(
        elapsed >= per_byte * (len as u32 - 1),
        "{len} bytes in {elapsed:?}, faster than {per_byte:?} a byte"
    );
    // Under load a few bytes may coalesce in the socket; most still arrive one by one.
    assert!(
        client.reads >= len / 4,
        "{len} bytes arrived in only {} reads",
        client.reads
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_close_immediately_closes_on_accept_or_after_the_request() {
    let on_accept = HostileServer::start_after(HostileBehaviour::CloseImmediately, Trigger::Accept)
        .await
        .expect("start");
    let mut socket = TcpStream::connect(on_accept.address()).await.expect("connect");
    let mut byte = [0u8; 1];
    let n = tokio::time::timeout(ANSWER, socket.read(&mut byte))
        .await
        .expect("closed within the deadline")
        .unwrap_or(0);
    assert_eq!(n, 0, "EOF without a byte");

    let after_request = HostileServer::start(HostileBehaviour::CloseImmediately)
        .await
        .expect("start");
    let (mut client, _) = hostile_client(&after_request).await;
    assert!(matches!(client.recv(ANSWER).await, Err(Recv::Closed)));
    assert_eq!(after_request.received().len(), 1);
}
