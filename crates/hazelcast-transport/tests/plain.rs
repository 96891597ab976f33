//! Plain TCP connections against real members and small loopback servers: authentication,
//! refused and hanging connects, member death, batching and backpressure, hostile frames,
//! fragment reassembly and the close semantics.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic on purpose too

mod common;

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{BufMut, BytesMut};
use hazelcast_codec::decoder::split_into_fragments;
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::client::AUTH_STATUS_AUTHENTICATED;
use hazelcast_codec::messages::map::{MapGetRequest, MapGetResponse, MapSetRequest};
use hazelcast_codec::{CodecError, Deserialize, MessageWriter, PROTOCOL_PREAMBLE, Serialize, partition};
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster};
use hazelcast_transport::{
    Address, CloseReason, ConnectError, ConnectStage, ConnectionConfig, ConnectionStats,
    DEFAULT_WRITE_BATCH_MESSAGES, SendError, TlsConfig, TlsConnector, connect,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use common::{Recorder, auth_request, authenticate, recv_answer};

static ONE_MEMBER: SharedCluster = SharedCluster::new(ClusterConfig::new);

async fn cluster() -> &'static Cluster {
    tokio::task::spawn_blocking(|| ONE_MEMBER.get().expect("a real member starts"))
        .await
        .expect("blocking task")
}

fn config() -> ConnectionConfig {
    ConnectionConfig::default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticates_against_a_real_member() {
    let cluster = cluster().await;
    let addr = cluster.address(0);
    let (handler, mut rx) = Recorder::new();
    let conn = connect(&Address::from(addr), &config(), handler.clone())
        .await
        .expect("connect");
    assert_eq!(conn.remote_addr(), addr);
    assert_eq!(conn.endpoint(), &Address::new("127.0.0.1", addr.port()));
    assert!(conn.local_addr().ip().is_loopback());
    assert!(!conn.is_closed());
    let auth = authenticate(&conn, &mut rx, cluster.cluster_name()).await;
    assert_eq!(auth.status, AUTH_STATUS_AUTHENTICATED);
    assert_eq!(auth.address.expect("member address").port, addr.port());
    assert!(conn.last_read() >= conn.last_write() || conn.stats().messages_read == 1);
    let stats = conn.stats();
    assert_eq!(stats.messages_written, 1);
    assert!(stats.messages_read >= 1);

    conn.close();
    assert!(conn.is_closed());
    assert_eq!(conn.closed().await, CloseReason::LocalClose);
    assert_eq!(handler.close_count(), 1);
    assert_eq!(handler.closes(), vec![CloseReason::LocalClose]);
    match conn.try_send(auth_request("x", 2)) {
        Err(SendError::Closed(CloseReason::LocalClose, msg)) => assert_eq!(msg.correlation_id(), 2),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        conn.send(auth_request("x", 3)).await,
        Err(SendError::Closed(CloseReason::LocalClose, _))
    ));
}

/// `localhost` resolves to `::1` and `127.0.0.1` here; the member listens on 127.0.0.1 only, so
/// the connect has to go through the resolved addresses until one works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_names_are_resolved_and_every_address_is_tried() {
    let cluster = cluster().await;
    let port = cluster.address(0).port();
    let (handler, mut rx) = Recorder::new();
    let conn = connect(&Address::new("localhost", port), &config(), handler)
        .await
        .expect("connect by name");
    assert_eq!(conn.remote_addr(), SocketAddr::from(([127, 0, 0, 1], port)));
    let auth = authenticate(&conn, &mut rx, cluster.cluster_name()).await;
    assert_eq!(auth.status, AUTH_STATUS_AUTHENTICATED);

    let err = connect(
        &Address::new("no-such-host.invalid", port),
        &config(),
        Recorder::new().0,
    )
    .await
    .expect_err("unresolvable");
    assert!(
        matches!(err, ConnectError::Resolve { ref host, .. } if host == "no-such-host.invalid"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_port_is_refused_fast() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let began = Instant::now();
    let err = connect(&Address::new("127.0.0.1", port), &config(), Recorder::new().0)
        .await
        .expect_err("nothing listens");
    match &err {
        ConnectError::Io { kind, addr, .. } => {
            assert_eq!(*kind, ErrorKind::ConnectionRefused, "{err}");
            assert_eq!(addr.port(), port);
        }
        other => panic!("{other:?}"),
    }
    assert!(began.elapsed() < Duration::from_secs(1), "{:?}", began.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_member_closes_the_connection_promptly() {
    let cluster = tokio::task::spawn_blocking(|| ClusterConfig::new().start().expect("member starts"))
        .await
        .unwrap();
    let cluster = Arc::new(cluster);
    let (handler, mut rx) = Recorder::new();
    let conn = connect(&Address::from(cluster.address(0)), &config(), handler.clone())
        .await
        .expect("connect");
    authenticate(&conn, &mut rx, cluster.cluster_name()).await;

    let c = cluster.clone();
    let killed_at = tokio::task::spawn_blocking(move || {
        c.kill(0).expect("kill");
        Instant::now()
    })
    .await
    .unwrap();
    let reason = tokio::time::timeout(Duration::from_secs(5), conn.closed())
        .await
        .expect("closed promptly after the kill");
    let after_kill = killed_at.elapsed();
    assert!(
        matches!(reason, CloseReason::Eof | CloseReason::Io { .. }),
        "{reason:?}"
    );
    eprintln!("member kill → close observed {after_kill:?} after the process was reaped: {reason}");
    assert_eq!(handler.close_count(), 1);
    assert_eq!(handler.closes(), vec![reason.clone()]);
    // Still exactly once after a local close on top.
    conn.close();
    assert_eq!(conn.closed().await, reason);
    assert_eq!(handler.close_count(), 1);
}

/// A listener with backlog 0 whose queue is full: the kernel drops further SYNs, so a TCP connect
/// hangs until our timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_connect_timeout_is_honoured() {
    use socket2::{Domain, Socket, Type};
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    listener
        .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    // Fill the accept queue until a connect hangs.
    let mut fillers = Vec::new();
    let mut saturated = false;
    for _ in 0..16 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(s) => fillers.push(s),
            Err(e) if e.kind() == ErrorKind::TimedOut || e.kind() == ErrorKind::WouldBlock => {
                saturated = true;
                break;
            }
            Err(e) => panic!("unexpected filler error {e}"),
        }
    }
    assert!(
        saturated,
        "the accept queue never filled ({} connections)",
        fillers.len()
    );

    for timeout_ms in [300u64, 1000] {
        let timeout = Duration::from_millis(timeout_ms);
        let mut cfg = config();
        cfg.connect_timeout = timeout;
        let began = Instant::now();
        let err = connect(&Address::from(addr), &cfg, Recorder::new().0)
            .await
            .expect_err("connect must time out");
        let elapsed = began.elapsed();
        match &err {
            ConnectError::Timeout {
                stage,
                after,
                endpoint,
            } => {
                assert_eq!(*stage, ConnectStage::Tcp, "{err}");
                assert_eq!(*after, timeout);
                assert_eq!(endpoint, &Address::from(addr));
            }
            other => panic!("{other:?}"),
        }
        eprintln!("TCP connect timeout: configured {timeout:?}, measured {elapsed:?}");
        assert!(elapsed >= timeout, "{elapsed:?} < {timeout:?}");
        assert!(elapsed < timeout + Duration::from_secs(2), "{elapsed:?}");
    }
    drop(fillers);
}

/// A listener that accepts and never answers the ClientHello: the handshake is bounded too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_handshake_timeout_is_honoured() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            let (s, _) = listener.accept().await.unwrap();
            held.push(s); // never read, never write
        }
    });
    let tls = TlsConnector::new(&TlsConfig::default()).unwrap();
    let timeout = Duration::from_millis(400);
    let mut cfg = ConnectionConfig::with_tls(tls);
    cfg.connect_timeout = timeout;
    let began = Instant::now();
    let err = connect(&Address::from(addr), &cfg, Recorder::new().0)
        .await
        .expect_err("handshake must time out");
    let elapsed = began.elapsed();
    assert!(
        matches!(
            err,
            ConnectError::Timeout {
                stage: ConnectStage::Tls,
                ..
            }
        ),
        "{err:?}"
    );
    eprintln!("TLS handshake timeout: configured {timeout:?}, measured {elapsed:?}");
    assert!(
        elapsed >= timeout && elapsed < timeout + Duration::from_secs(2),
        "{elapsed:?}"
    );
    server.abort();
}

fn set_request(
    name: &str,
    key: &hazelcast_codec::Data,
    value: &hazelcast_codec::Data,
    id: i64,
) -> hazelcast_codec::ClientMessage {
    let pid = partition::partition_id(key, 271);
    let mut msg = MapSetRequest {
        thread_id: 1,
        ttl: -1,
        name,
        key,
        value,
    }
    .encode(pid);
    msg.set_correlation_id(id);
    msg
}

/// 10 000 `Map.Set` requests sent as fast as the queue takes them: all answered without error,
/// and per key the last value written is the one stored (requests reached the member in order).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_requests_are_batched_and_all_answered() {
    let stats = sets_in_order(config(), "transport-batching", 10_000).await;
    assert!(stats.batches_written <= stats.messages_written);
    assert!(stats.max_batch_messages <= DEFAULT_WRITE_BATCH_MESSAGES as u64);
}

/// Small batch limits hold however many messages wait in the queue, and messages that did not
/// fit in one write lead the next one: order and completeness as above.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_batch_limits_hold_and_keep_the_order() {
    let mut cfg = config();
    cfg.write_batch_messages = 5;
    cfg.write_batch_bytes = 64 * 1024;
    let stats = sets_in_order(cfg.clone(), "transport-small-batches", 3_000).await;
    assert!(stats.max_batch_messages <= 5, "{stats:?}");
    assert!(stats.batches_written * 5 >= stats.messages_written, "{stats:?}");
    // A bytes limit below one message: one message per write.
    cfg.write_batch_messages = 64;
    cfg.write_batch_bytes = 1;
    let stats = sets_in_order(cfg, "transport-byte-batches", 1_000).await;
    assert_eq!(stats.max_batch_messages, 1, "{stats:?}");
    assert_eq!(stats.batches_written, stats.messages_written, "{stats:?}");
}

/// Sends `n` `Map.Set` requests over 10 keys as fast as the queue takes them, checks that every
/// one is answered and that per key the last value written is the one stored, and returns the
/// connection's statistics after the sets.
async fn sets_in_order(cfg: ConnectionConfig, map: &str, n: i64) -> ConnectionStats {
    const KEYS: i64 = 10;
    let cluster = cluster().await;
    let (handler, mut rx) = Recorder::new();
    let conn = connect(&Address::from(cluster.address(0)), &cfg, handler)
        .await
        .expect("connect");
    authenticate(&conn, &mut rx, cluster.cluster_name()).await;

    let keys: Vec<_> = (0..KEYS).map(|k| format!("k{k}").to_data()).collect();
    let began = Instant::now();
    for i in 0..n {
        let key = &keys[(i % KEYS) as usize];
        let value = i.to_data();
        conn.send(set_request(map, key, &value, 100 + i))
            .await
            .expect("queued");
    }
    let mut answered = vec![false; n as usize];
    let mut count = 0;
    tokio::time::timeout(Duration::from_secs(60), async {
        while count < n {
            let msg = rx.recv().await.expect("open");
            assert!(!msg.is_error(), "error answer {msg:?}");
            let idx = (msg.correlation_id() - 100) as usize;
            assert!(!answered[idx], "duplicate answer {idx}");
            answered[idx] = true;
            count += 1;
        }
    })
    .await
    .expect("every request answered");
    let elapsed = began.elapsed();
    let stats = conn.stats();
    eprintln!(
        "{n} Map.Set round trips in {elapsed:?}: {} batches, {:.1} messages/batch on average, largest batch {}",
        stats.batches_written,
        stats.messages_written as f64 / stats.batches_written as f64,
        stats.max_batch_messages
    );
    assert_eq!(stats.messages_written, n as u64 + 1);

    for (k, key) in keys.iter().enumerate() {
        let id = 100_000 + k as i64;
        let mut msg = MapGetRequest {
            thread_id: 1,
            name: map,
            key,
        }
        .encode(partition::partition_id(key, 271));
        msg.set_correlation_id(id);
        conn.send(msg).await.unwrap();
        let answer = recv_answer(&mut rx, id).await;
        let value = MapGetResponse::decode(&answer).unwrap().response.expect("value");
        let last = n - KEYS + k as i64;
        assert_eq!(i64::from_data(&value).unwrap(), last, "key {k}");
    }
    stats
}

/// Tasks woken together (as the responses of one read wake their callers) leave in one write:
/// with write coalescing the writer yields once before writing, so on a one-worker runtime —
/// where a woken writer would otherwise run right after the first sender — 64 requests issued
/// by 64 tasks released at once take a few writes, not 64 (without it: one write per request,
/// 1,280 writes for these 1,280 requests).
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn requests_of_tasks_woken_together_share_a_write() {
    const TASKS: i64 = 64;
    const ROUNDS: i64 = 20;
    let cluster = cluster().await;
    let (handler, mut rx) = Recorder::new();
    let conn = Arc::new(
        connect(&Address::from(cluster.address(0)), &config(), handler)
            .await
            .expect("connect"),
    );
    authenticate(&conn, &mut rx, cluster.cluster_name()).await;
    let key = "coalesced".to_data();
    let value = 1i64.to_data();
    let before = conn.stats();
    for round in 0..ROUNDS {
        let go = Arc::new(tokio::sync::Notify::new());
        let mut tasks = Vec::new();
        for t in 0..TASKS {
            let (conn, go) = (conn.clone(), go.clone());
            let msg = set_request("transport-coalescing", &key, &value, 1_000 + round * TASKS + t);
            let notified = go.clone().notified_owned();
            tasks.push(tokio::spawn(async move {
                notified.await;
                conn.send(msg).await.expect("queued");
            }));
        }
        // Every task waits on `go` before it is released: `notified_owned` registers at once.
        // Released from a task on the runtime's worker, as a reader task wakes its callers: all
        // 64 are queued before any runs. (Released from the test's own thread, they would reach
        // the worker one by one while it already runs the first, however busy the machine.)
        tokio::spawn(async move { go.notify_waiters() })
            .await
            .expect("release");
        for t in tasks {
            t.await.expect("task");
        }
        for _ in 0..TASKS {
            let msg = tokio::time::timeout(Duration::from_secs(20), rx.recv())
                .await
                .expect("answered in time")
                .expect("open");
            assert!(!msg.is_error(), "error answer {msg:?}");
        }
    }
    let after = conn.stats();
    let messages = after.messages_written - before.messages_written;
    let batches = after.batches_written - before.batches_written;
    eprintln!(
        "{messages} requests from tasks woken {TASKS} at a time: {batches} writes, largest {}",
        after.max_batch_messages
    );
    assert_eq!(messages, (TASKS * ROUNDS) as u64);
    assert!(
        batches <= (ROUNDS * 4) as u64,
        "{batches} writes for {ROUNDS} rounds of {TASKS} requests woken together"
    );
}

/// A peer that never reads: the writer blocks on the socket, the bounded queue fills,
/// `try_send` fails fast with `QueueFull`, `send` waits, and closing wakes it with `Closed`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_queue_gives_queue_full_and_send_waits() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (s, _) = listener.accept().await.unwrap();
        // Hold the socket open without reading.
        std::future::pending::<()>().await;
        drop(s);
    });
    let mut cfg = config();
    cfg.outbound_queue_capacity = 4;
    cfg.socket.send_buffer_size = Some(64 * 1024);
    let (handler, _rx) = Recorder::new();
    let conn = connect(&Address::from(addr), &cfg, handler.clone())
        .await
        .expect("connect");

    let big = {
        let mut w = MessageWriter::request(0x010F00, -1, 64);
        w.frame(0, &vec![7u8; 256 * 1024]);
        w.finish()
    };
    // Fill the queue until `send` cannot complete: the writer is then stuck on the socket.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut queued = 0;
    let mut queue_full_seen = 0;
    loop {
        match conn.try_send(big.clone()) {
            Ok(()) => {
                queued += 1;
                continue;
            }
            Err(SendError::QueueFull(msg)) => {
                assert_eq!(msg, big);
                queue_full_seen += 1;
            }
            Err(e) => panic!("{e:?}"),
        }
        // `send` waits for space; once the writer is blocked, none comes.
        match tokio::time::timeout(Duration::from_millis(300), conn.send(big.clone())).await {
            Err(_) => break,
            Ok(Ok(())) => queued += 1,
            Ok(Err(e)) => panic!("{e:?}"),
        }
        assert!(
            Instant::now() < deadline,
            "the writer never blocked ({queued} queued)"
        );
    }
    eprintln!("writer blocked after {queued} messages of 256 KiB; QueueFull seen {queue_full_seen} times");
    assert!(matches!(conn.try_send(big.clone()), Err(SendError::QueueFull(_))));
    // ... until the connection closes.
    let waiter = {
        let conn = conn.clone();
        let big = big.clone();
        tokio::spawn(async move { conn.send(big).await })
    };
    conn.close();
    let result = tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .expect("send woken by close")
        .unwrap();
    assert!(
        matches!(result, Err(SendError::Closed(CloseReason::LocalClose, _))),
        "{result:?}"
    );
    assert_eq!(conn.closed().await, CloseReason::LocalClose);
    assert_eq!(handler.close_count(), 1);
    server.abort();
}

/// In a current-thread runtime the writer cannot run between `try_send` calls: the queue
/// capacity is exact.
#[tokio::test(flavor = "current_thread")]
async fn try_send_fails_fast_at_capacity() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut cfg = config();
    cfg.outbound_queue_capacity = 3;
    let endpoint = Address::from(addr);
    let (accepted, conn) = tokio::join!(listener.accept(), connect(&endpoint, &cfg, Recorder::new().0));
    let _peer = accepted.unwrap();
    let conn = conn.unwrap();
    for i in 0..3 {
        conn.try_send(auth_request("c", i)).expect("capacity left");
    }
    assert!(
        matches!(conn.try_send(auth_request("c", 9)), Err(SendError::QueueFull(m)) if m.correlation_id() == 9)
    );
}

/// A server that answers the preamble with a frame header announcing ~2 GB: no message begins
/// with such a frame, so the reader closes with `FrameTooLarge` at once, without reserving the
/// announced size (an oversized frame *after* a message's initial frame is skipped instead, see
/// `an_answer_above_the_limit_fails_alone_and_the_connection_stays_open`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_frame_length_closes_with_protocol_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut preamble = [0u8; 3];
        s.read_exact(&mut preamble).await.unwrap();
        assert_eq!(&preamble, PROTOCOL_PREAMBLE);
        let mut buf = BytesMut::new();
        buf.put_i32_le(2_000_000_000);
        buf.put_u16_le(0xC000);
        buf.put_slice(&[0u8; 64]);
        s.write_all(&buf).await.unwrap();
        std::future::pending::<()>().await;
    });
    let (handler, _rx) = Recorder::new();
    let began = Instant::now();
    let conn = connect(&Address::from(addr), &config(), handler.clone())
        .await
        .unwrap();
    let reason = tokio::time::timeout(Duration::from_secs(5), conn.closed())
        .await
        .expect("closed quickly");
    match &reason {
        CloseReason::Protocol(CodecError::FrameTooLarge { length, max }) => {
            assert_eq!(*length, 2_000_000_000);
            assert_eq!(*max, hazelcast_codec::decoder::DEFAULT_MAX_FRAME_SIZE);
        }
        other => panic!("{other:?}"),
    }
    assert!(began.elapsed() < Duration::from_secs(2));
    assert!(conn.stats().bytes_read < 1024);
    assert_eq!(handler.close_count(), 1);
    server.abort();
}

/// The reader reassembles a fragmented message, and the peer closing yields `Eof`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fragments_are_reassembled_and_eof_is_reported() {
    let original = {
        let mut w = MessageWriter::response(0x010201, 42, 0);
        for i in 0..20u8 {
            w.frame(0, &vec![i; 1000]);
        }
        w.finish()
    };
    let fragments = split_into_fragments(&original, 7, 3000);
    assert!(fragments.len() > 3);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut preamble = [0u8; 3];
        s.read_exact(&mut preamble).await.unwrap();
        for f in fragments {
            // Dribble each fragment in two writes.
            let b = f.as_bytes();
            let (a, c) = b.split_at(b.len() / 2);
            s.write_all(a).await.unwrap();
            s.flush().await.unwrap();
            s.write_all(c).await.unwrap();
        }
        s.shutdown().await.unwrap();
    });
    let (handler, mut rx) = Recorder::new();
    let conn = connect(&Address::from(addr), &config(), handler.clone())
        .await
        .unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got, original);
    assert_eq!(conn.closed().await, CloseReason::Eof);
    assert_eq!(
        handler.wait_closed(Duration::from_secs(1)).await,
        CloseReason::Eof
    );
    assert_eq!(handler.close_count(), 1);
    server.await.unwrap();
}

/// Dropping every handle closes the connection (`Dropped`) and ends its tasks: the peer sees EOF.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_all_handles_closes_the_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (handler, _rx) = Recorder::new();
    let (endpoint, cfg) = (Address::from(addr), config());
    let (accepted, conn) = tokio::join!(listener.accept(), connect(&endpoint, &cfg, handler.clone()));
    let (mut peer, _) = accepted.unwrap();
    let conn = conn.unwrap();
    let clone = conn.clone();
    drop(conn);
    assert!(!clone.is_closed());
    drop(clone);
    assert_eq!(
        handler.wait_closed(Duration::from_secs(5)).await,
        CloseReason::Dropped
    );
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), peer.read_to_end(&mut buf))
        .await
        .expect("peer sees the socket closed")
        .unwrap();
    assert_eq!(buf, PROTOCOL_PREAMBLE);
    assert_eq!(handler.close_count(), 1);
}

fn get_request(name: &str, key: &hazelcast_codec::Data, id: i64) -> hazelcast_codec::ClientMessage {
    let mut msg = MapGetRequest {
        thread_id: 1,
        name,
        key,
    }
    .encode(partition::partition_id(key, 271));
    msg.set_correlation_id(id);
    msg
}

/// Fault 13 of issue #11: a 2 MiB value is stored through a connection with the default limits,
/// then read through a connection whose limit is 1 MiB. The answer is skipped (read and
/// dropped) and reported to `on_oversized` under the get's correlation id; the connection stays
/// open and answers the next get.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_above_the_limit_fails_alone_and_the_connection_stays_open() {
    const LIMIT: usize = 1024 * 1024;
    let cluster = cluster().await;
    let endpoint = Address::from(cluster.address(0));
    let map = "transport-oversized";
    let (big_key, small_key) = ("big".to_data(), "small".to_data());
    let big_value = vec![0x5Au8; 2 * 1024 * 1024].to_data();

    let (handler, mut rx) = Recorder::new();
    let writer = connect(&endpoint, &config(), handler).await.expect("connect");
    authenticate(&writer, &mut rx, cluster.cluster_name()).await;
    writer
        .send(set_request(map, &big_key, &big_value, 2))
        .await
        .expect("queue the big set");
    writer
        .send(set_request(map, &small_key, &7i64.to_data(), 3))
        .await
        .expect("queue the small set");
    for id in [2, 3] {
        assert!(!recv_answer(&mut rx, id).await.is_error());
    }

    let mut cfg = config();
    cfg.decoder_limits.max_message_size = LIMIT;
    let (handler, mut rx) = Recorder::new();
    let reader = connect(&endpoint, &cfg, handler.clone()).await.expect("connect");
    assert_eq!(reader.max_message_size(), LIMIT);
    authenticate(&reader, &mut rx, cluster.cluster_name()).await;
    reader
        .send(get_request(map, &big_key, 2))
        .await
        .expect("queue the big get");
    let skipped = handler.wait_oversized(2).await;
    assert_eq!(skipped.message_type, MapGetResponse::MESSAGE_TYPE);
    assert!(!skipped.is_event);
    assert!(skipped.size > 2 * 1024 * 1024, "{skipped:?}");
    assert_eq!(skipped.limit, LIMIT);
    assert!(!reader.is_closed());

    reader
        .send(get_request(map, &small_key, 3))
        .await
        .expect("queue the small get");
    let answer = recv_answer(&mut rx, 3).await;
    let value = MapGetResponse::decode(&answer).unwrap().response.expect("value");
    assert_eq!(i64::from_data(&value).unwrap(), 7);
    assert!(!reader.is_closed());
    assert_eq!(handler.close_count(), 0);
    assert_eq!(handler.oversized().len(), 1);
    let stats = reader.stats();
    assert_eq!(stats.messages_skipped, 1);
    assert!(stats.bytes_read > 2 * 1024 * 1024);
    // The skipped answer never reached `on_message`.
    while let Ok(msg) = rx.try_recv() {
        assert_ne!(msg.correlation_id(), 2, "{msg:?}");
    }
    reader.close();
    writer.close();
}

/// The client never sends what it would not accept: a message above the connection's
/// `max_message_size` is refused with `SendError::TooLarge` (message handed back), nothing is
/// written, and the connection stays open for the next request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_above_the_limit_is_refused_and_the_connection_stays_open() {
    const LIMIT: usize = 1024 * 1024;
    let cluster = cluster().await;
    let mut cfg = config();
    cfg.decoder_limits.max_message_size = LIMIT;
    let (handler, mut rx) = Recorder::new();
    let conn = connect(&Address::from(cluster.address(0)), &cfg, handler.clone())
        .await
        .expect("connect");
    authenticate(&conn, &mut rx, cluster.cluster_name()).await;
    let written = conn.stats().messages_written;

    let key = "too-big".to_data();
    let value = vec![1u8; 2 * 1024 * 1024].to_data();
    let big = set_request("transport-too-large", &key, &value, 5);
    let size = big.len();
    match conn.try_send(big.clone()) {
        Err(SendError::TooLarge {
            size: s,
            limit,
            message,
        }) => {
            assert_eq!((s, limit), (size, LIMIT));
            assert_eq!(message.correlation_id(), 5);
        }
        other => panic!("{other:?}"),
    }
    let err = conn.send(big).await.expect_err("refused");
    assert!(err.close_reason().is_none());
    assert!(err.to_string().contains("exceeds"), "{err}");
    assert_eq!(err.into_message().correlation_id(), 5);
    assert!(!conn.is_closed());
    assert_eq!(conn.stats().messages_written, written);

    // A message within the limit is queued, and answered.
    let small = set_request("transport-too-large", &key, &7i64.to_data(), 6);
    assert!(small.len() <= LIMIT);
    conn.try_send(small).expect("a small message is queued");
    assert!(!recv_answer(&mut rx, 6).await.is_error());
    assert_eq!(handler.close_count(), 0);
    conn.close();
}
