//! A misbehaving network and member in the middle of a session, against a real 3-member cluster
//! (backup count 1) behind the test kit's `FaultProxy`, and a byte-level splice for what the
//! frame-aware proxy cannot send (raw garbage, a frame header announcing 2 GiB). What
//! `tests/network_timeouts.rs` covers (hostile seeds while connecting) is not repeated here:
//! these are established, authenticated connections that go bad.
//!
//! * an error response of every class: retryable codes are retried until the proxy stops
//!   forging; `TARGET_DISCONNECTED` and non-retryable codes end at once in
//!   `InvocationError::Server` with code, class and message; an unknown code is `Other(999)`;
//! * responses, errors and events with unknown correlation ids are ignored;
//! * a response corrupted at the frame level, raw garbage and a 2 GiB frame header mid-stream
//!   close only that member's connection with a protocol error; a pending mutation on it fails
//!   with `TargetDisconnected`, pending reads are retried, the other connections stay, the
//!   client reconnects, and memory does not jump;
//! * a member whose answers are all lost: its calls time out at the invocation timeout, the
//!   other members' calls keep succeeding;
//! * backpressure: a stalled connection with a small outbound queue turns the surplus into
//!   `Overloaded` retries that end at the deadline, and recovers.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes, BytesMut};
use hazelcast_codec::frame::flags;
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::map::{MapGetRequest, MapSetRequest};
use hazelcast_codec::{ClientMessage, ErrorCode, MessageDecoder, MessageWriter, Serialize};
use hazelcast_integration_tests::{Redirected, map_get, map_set, member_index, shared, wait_for};
use hazelcast_invocation::{ClusterClient, InvocationConfig, InvocationError};
use hazelcast_testkit::proxy::{Condition, Reaction, Rule, error_response, forge_error_response};
use hazelcast_testkit::{ClusterConfig, FaultProxy, SharedCluster};
use hazelcast_transport::CloseReason;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

static CLUSTER: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(3).backup_count(1));

/// Held by the tests that measure or load the process's memory, so that one's RSS figures are
/// not another's load (tests of a binary run in parallel threads of one process).
static MEMORY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const MAP_GET: i32 = MapGetRequest::MESSAGE_TYPE;
const MAP_GET_RESPONSE: i32 = MapGetRequest::MESSAGE_TYPE + 1;
const MAP_SET: i32 = MapSetRequest::MESSAGE_TYPE;
const MAP_SET_RESPONSE: i32 = MapSetRequest::MESSAGE_TYPE + 1;

struct Setup {
    proxy: FaultProxy,
    client: ClusterClient,
    /// Proxy index of each member UUID.
    index: HashMap<hazelcast_codec::Uuid, usize>,
    /// A byte-level splice between the client and member 2's proxy, when asked for.
    splice: Option<Splice>,
}

impl Setup {
    /// `count` keys (with `prefix`) whose partitions member `m` owns.
    fn keys_of(&self, m: usize, prefix: &str, count: usize) -> Vec<String> {
        let snapshot = self.client.snapshot();
        (0..)
            .map(|i| format!("{prefix}-{i}"))
            .filter(|k| {
                let pid = self.client.partition_id(&k.to_data());
                snapshot
                    .partitions
                    .owner(pid)
                    .and_then(|o| self.index.get(&o).copied())
                    == Some(m)
            })
            .take(count)
            .collect()
    }

    /// The client's connection to member `m`.
    fn connection_of(&self, m: usize) -> Option<std::sync::Arc<hazelcast_invocation::MemberConnection>> {
        self.client
            .connections()
            .list
            .iter()
            .find(|c| self.index.get(&c.member) == Some(&m))
            .cloned()
    }
}

async fn setup(with_splice: bool, tweak: impl FnOnce(&mut InvocationConfig)) -> Setup {
    let cluster = shared(&CLUSTER).await;
    let proxy = FaultProxy::start(&cluster.addresses()).await.expect("proxy");
    let mut dial = proxy.addresses();
    let splice = if with_splice {
        let s = Splice::start(proxy.address(2)).await;
        dial[2] = s.address;
        Some(s)
    } else {
        None
    };
    let mut cfg = InvocationConfig::default();
    cfg.cluster_name = cluster.cluster_name().to_owned();
    cfg.invocation_timeout = Duration::from_secs(20);
    cfg.connection_retry.initial = Duration::from_millis(100);
    cfg.connection_retry.max = Duration::from_millis(500);
    tweak(&mut cfg);
    let client = ClusterClient::connect(cfg, Redirected::new(&cluster.addresses(), &dial))
        .await
        .expect("connect");
    wait_for("a connection per member", Duration::from_secs(20), || {
        client.connections().list.len() == 3
    })
    .await;
    map_get::<i32>(&client, "warm-up", "k").await.expect("first call");
    wait_for("the partition table", Duration::from_secs(20), || {
        client.snapshot().partitions.owners.iter().flatten().count() == 271
    })
    .await;
    let index = member_index(&client, &cluster.addresses());
    Setup {
        proxy,
        client,
        index,
        splice,
    }
}

// ------------------------------------------------------------------ error responses

/// Retryable codes: every one of them is retried, on a fresh correlation id, and the call
/// succeeds once the proxy stops forging.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retryable_error_codes_are_retried_until_they_stop() {
    let s = setup(false, |_| {}).await;
    map_set(&s.client, "err-retry", "k", 11).await.expect("set");
    let retryable = [
        (
            ErrorCode::CallerNotMember,
            "com.hazelcast.spi.exception.CallerNotMemberException",
        ),
        (ErrorCode::MemberLeft, "com.hazelcast.core.MemberLeftException"),
        (
            ErrorCode::PartitionMigrating,
            "com.hazelcast.spi.exception.PartitionMigratingException",
        ),
        (
            ErrorCode::RetryableHazelcast,
            "com.hazelcast.spi.exception.RetryableHazelcastException",
        ),
        (
            ErrorCode::RetryableIo,
            "com.hazelcast.spi.exception.RetryableIOException",
        ),
        (
            ErrorCode::TargetNotMember,
            "com.hazelcast.spi.exception.TargetNotMemberException",
        ),
        (
            ErrorCode::WrongTarget,
            "com.hazelcast.spi.exception.WrongTargetException",
        ),
        (
            ErrorCode::TargetNotReplica,
            "com.hazelcast.spi.exception.TargetNotReplicaException",
        ),
        (
            ErrorCode::CannotReplicate,
            "com.hazelcast.spi.impl.operationservice.CannotReplicateException",
        ),
        (
            ErrorCode::HazelcastInstanceNotActive,
            "com.hazelcast.core.HazelcastInstanceNotActiveException",
        ),
    ];
    for (code, class) in retryable {
        assert!(code.is_retryable(), "{code}");
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        s.proxy.set_request_rules(vec![
            Rule::new(
                Condition::MessageType(MAP_GET).and(Condition::Times(3)),
                forge_error_response(code, class, "forged"),
            )
            .with_feedback(tx.clone()),
            Rule::new(Condition::MessageType(MAP_GET), Reaction::Pass).with_feedback(tx),
        ]);
        let began = Instant::now();
        let got = map_get::<i32>(&s.client, "err-retry", "k").await;
        assert_eq!(got.expect("retried past the forged errors"), Some(11), "{code}");
        let mut ids = Vec::new();
        while let Ok(m) = rx.try_recv() {
            ids.push(m.correlation_id());
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(
            ids.len(),
            4,
            "{code}: three refused attempts and the successful one"
        );
        eprintln!("{code}: 3 forged errors, answered after {:?}", began.elapsed());
    }
    s.client.shutdown().await;
}

/// Non-retryable codes and an unknown code: one attempt, and a typed `Server` error carrying
/// code, class name and message. `TARGET_DISCONNECTED` is final for a mutation and retried for
/// a read, as the Java client does with a `TargetDisconnectedException`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_retryable_and_unknown_error_codes_are_typed_server_errors() {
    let s = setup(false, |_| {}).await;
    map_set(&s.client, "err-final", "k", 12).await.expect("set");
    let cases = [
        (
            ErrorCode::TargetDisconnected,
            "com.hazelcast.spi.exception.TargetDisconnectedException",
        ),
        (ErrorCode::IllegalState, "java.lang.IllegalStateException"),
        (ErrorCode::NullPointer, "java.lang.NullPointerException"),
        (
            ErrorCode::OperationTimeout,
            "com.hazelcast.core.OperationTimeoutException",
        ),
        (
            ErrorCode::HazelcastOverload,
            "com.hazelcast.core.HazelcastOverloadException",
        ),
        (ErrorCode::ClassCast, "java.lang.ClassCastException"),
        (ErrorCode::Undefined, "java.lang.Throwable"),
        (ErrorCode::from_code(999), "com.example.FutureException"),
    ];
    assert_eq!(ErrorCode::from_code(999), ErrorCode::Other(999));
    for (code, class) in cases {
        assert!(!code.is_retryable(), "{code}");
        let message = format!("forged {}", code.code());
        for request in [MAP_GET, MAP_SET] {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            s.proxy.set_request_rules(vec![
                Rule::new(
                    Condition::MessageType(request).and(Condition::Times(1)),
                    forge_error_response(code, class, &message),
                )
                .with_feedback(tx),
            ]);
            if code == ErrorCode::TargetDisconnected && request == MAP_GET {
                // As in the Java client, a TargetDisconnectedException is retried for a
                // retryable request (a read): the second attempt passes.
                let got = map_get::<i32>(&s.client, "err-final", "k")
                    .await
                    .expect("a read is retried after TARGET_DISCONNECTED");
                assert_eq!(got, Some(12));
                assert!(rx.try_recv().is_ok() && rx.try_recv().is_err(), "forged once");
                continue;
            }
            let began = Instant::now();
            let err = if request == MAP_GET {
                map_get::<i32>(&s.client, "err-final", "k").await.map(|_| ())
            } else {
                map_set(&s.client, "err-final", "k", 13).await
            }
            .expect_err("not retried");
            let took = began.elapsed();
            match &err {
                InvocationError::Server(e) => {
                    assert_eq!(e.code, code);
                    assert_eq!(e.class_name, class);
                    assert_eq!(e.message.as_deref(), Some(message.as_str()));
                }
                other => panic!("{code}: expected a server error, got {other:?}"),
            }
            assert!(
                rx.try_recv().is_ok() && rx.try_recv().is_err(),
                "{code}: one attempt"
            );
            assert!(
                took < Duration::from_secs(2),
                "{code}: at once, not after retries ({took:?})"
            );
            eprintln!("{code} on {request:#08x}: {err}");
        }
    }
    s.proxy.clear_rules();
    assert_eq!(
        map_get::<i32>(&s.client, "err-final", "k").await.expect("usable"),
        Some(12)
    );
    assert_eq!(s.client.pending_calls(), 0);
    s.client.shutdown().await;
}

// ------------------------------------------------------------------ unknown correlation ids

/// Every Map.Get answer arrives behind a forged response, a forged error and a forged event,
/// all with correlation ids the client never used: they are ignored, nothing closes, and every
/// call gets its own answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_to_unknown_correlation_ids_are_ignored() {
    let s = setup(false, |_| {}).await;
    for i in 0..20 {
        map_set(&s.client, "unknown-ids", &format!("k{i}"), i)
            .await
            .expect("set");
    }
    let before: Vec<u64> = (0..3)
        .map(|m| s.connection_of(m).expect("connection").connection.id())
        .collect();
    let accepted = s.proxy.stats().connections_accepted();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    s.proxy.set_response_rules(vec![
        Rule::new(
            Condition::MessageType(MAP_GET_RESPONSE),
            Reaction::transform(|answer: ClientMessage| {
                let unknown = 0x7EAD_0000_0000 + answer.correlation_id();
                let forged_response = MessageWriter::response(MAP_GET_RESPONSE, unknown, 0).finish();
                let forged_error = error_response(
                    unknown + 1,
                    ErrorCode::IllegalState,
                    "java.lang.IllegalStateException",
                    "for nobody",
                );
                let forged_event = MessageWriter::event(0x01_1C02, unknown + 2, -1).finish();
                let mut all = BytesMut::new();
                for m in [&forged_response, &forged_error, &forged_event, &answer] {
                    all.extend_from_slice(m.as_bytes());
                }
                ClientMessage::from_bytes(all.freeze()).expect("whole frames")
            }),
        )
        .with_feedback(tx),
    ]);
    for i in 0..20 {
        assert_eq!(
            map_get::<i32>(&s.client, "unknown-ids", &format!("k{i}"))
                .await
                .expect("get"),
            Some(i),
            "each call gets its own answer"
        );
    }
    let mut forged = 0;
    while rx.try_recv().is_ok() {
        forged += 1;
    }
    assert_eq!(forged, 20, "every answer came with three strangers");
    let after: Vec<u64> = (0..3)
        .map(|m| s.connection_of(m).expect("connection").connection.id())
        .collect();
    assert_eq!(before, after, "no connection was closed");
    assert_eq!(s.proxy.stats().connections_accepted(), accepted);
    assert_eq!(s.client.pending_calls(), 0);
    s.client.shutdown().await;
}

// ------------------------------------------------------------------ corruption mid-stream

/// A byte-level relay for one member: client → upstream bytes pass unchanged; upstream → client
/// is cut into messages, and when armed, the next answer of `MAP_GET_RESPONSE` is replaced by
/// the armed raw bytes (once).
struct Splice {
    address: SocketAddr,
    mode: Arc<AtomicU8>,
    _task: tokio::task::JoinHandle<()>,
}

const SPLICE_OFF: u8 = 0;
const SPLICE_GARBAGE: u8 = 1;
const SPLICE_HUGE_FRAME: u8 = 2;

impl Splice {
    async fn start(upstream: SocketAddr) -> Splice {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let mode = Arc::new(AtomicU8::new(SPLICE_OFF));
        let m = Arc::clone(&mode);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let m = Arc::clone(&m);
                tokio::spawn(async move {
                    let Ok(member) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let (mut cr, mut cw) = client.into_split();
                    let (mut mr, mut mw) = member.into_split();
                    let up = tokio::spawn(async move {
                        let _ = tokio::io::copy(&mut cr, &mut mw).await;
                        let _ = mw.shutdown().await;
                    });
                    let mut decoder = MessageDecoder::default();
                    let mut buf = BytesMut::with_capacity(64 * 1024);
                    'read: while matches!(mr.read_buf(&mut buf).await, Ok(n) if n > 0) {
                        while let Ok(Some(msg)) = decoder.decode(&mut buf) {
                            let armed = m.load(Ordering::SeqCst);
                            let out: Bytes = if armed != SPLICE_OFF
                                && msg.message_type() == MAP_GET_RESPONSE
                                && m.compare_exchange(armed, SPLICE_OFF, Ordering::SeqCst, Ordering::SeqCst)
                                    .is_ok()
                            {
                                injection(armed)
                            } else {
                                msg.into_bytes()
                            };
                            if cw.write_all(&out).await.is_err() {
                                break 'read;
                            }
                        }
                        buf.reserve(64 * 1024);
                    }
                    up.abort();
                });
            }
        });
        Splice {
            address,
            mode,
            _task: task,
        }
    }

    fn arm(&self, what: u8) {
        self.mode.store(what, Ordering::SeqCst);
    }
}

fn injection(what: u8) -> Bytes {
    let mut b = BytesMut::new();
    if what == SPLICE_HUGE_FRAME {
        // A frame header announcing 2 GiB, and a little of its content.
        b.put_i32_le(i32::MAX);
        b.put_u16_le(flags::UNFRAGMENTED_MESSAGE | flags::IS_FINAL);
        b.put_bytes(0xAB, 4096);
    } else {
        // What a web server would say, then noise.
        b.extend_from_slice(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        let mut x: u32 = 0x2545_F491;
        while b.len() < 1024 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            b.put_u8((x >> 24) as u8);
        }
    }
    b.freeze()
}

/// A message of whole frames whose only frame claims to continue a fragmented message the
/// client never saw: valid for the proxy, a protocol error (`UnknownFragment`) for the client.
fn corrupt(_answer: ClientMessage) -> ClientMessage {
    let mut b = BytesMut::new();
    b.put_i32_le(6 + 8);
    b.put_u16_le(flags::IS_FINAL);
    b.put_i64_le(0x0BAD_F00D);
    ClientMessage::from_bytes(b.freeze()).expect("whole frames")
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Corruption {
    /// `FaultProxy` `Transform`: one answer replaced by a frame of an unknown fragment.
    Transform,
    /// Raw garbage instead of one answer (splice).
    Garbage,
    /// A 2 GiB frame header instead of one answer (splice).
    HugeFrame,
}

/// Member 2 corrupts one Map.Get answer while a mutation is pending on the same connection and
/// reads are in flight on every member.
async fn corruption_mid_stream(kind: Corruption, expect_reconnect: bool) {
    let _memory = MEMORY.lock().await;
    let s = setup(kind != Corruption::Transform, |_| {}).await;
    let victim = 2;
    let victim_keys = s.keys_of(victim, &format!("{kind:?}"), 16);
    let other_keys: Vec<String> = s
        .keys_of(0, &format!("{kind:?}-o"), 8)
        .into_iter()
        .chain(s.keys_of(1, &format!("{kind:?}-o"), 8))
        .collect();
    for (i, k) in victim_keys.iter().chain(&other_keys).enumerate() {
        map_set(&s.client, "corrupt", k, i as i32).await.expect("set");
    }
    let others_before: Vec<u64> = [0, 1]
        .iter()
        .map(|&m| s.connection_of(m).expect("connection").connection.id())
        .collect();
    let old = s.connection_of(victim).expect("victim connection");
    let accepted_before = s.proxy.stats().members[victim].connections_accepted;
    let rss_before = rss_kb();

    // A mutation left pending on the victim's connection: its answer is lost.
    let (lost_tx, mut lost_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut rules = vec![
        Rule::new(
            Condition::MessageType(MAP_SET_RESPONSE)
                .and(Condition::Member(victim))
                .and(Condition::Times(1)),
            Reaction::Drop,
        )
        .with_feedback(lost_tx),
    ];
    if kind == Corruption::Transform {
        rules.push(Rule::new(
            Condition::MessageType(MAP_GET_RESPONSE)
                .and(Condition::Member(victim))
                .and(Condition::Times(1)),
            Reaction::transform(corrupt),
        ));
    }
    s.proxy.set_response_rules(rules);
    let pending_set = {
        let client = s.client.clone();
        let key = victim_keys[0].clone();
        tokio::spawn(async move {
            let began = Instant::now();
            (map_set(&client, "corrupt", &key, -1).await, began.elapsed())
        })
    };
    tokio::time::timeout(Duration::from_secs(10), lost_rx.recv())
        .await
        .expect("the set's answer reached the proxy")
        .expect("feedback");
    match kind {
        Corruption::Transform => {}
        Corruption::Garbage => s.splice.as_ref().expect("splice").arm(SPLICE_GARBAGE),
        Corruption::HugeFrame => s.splice.as_ref().expect("splice").arm(SPLICE_HUGE_FRAME),
    }

    // Reads on every member at once; the victim's first answer is the corrupt one.
    let began = Instant::now();
    let mut reads = Vec::new();
    for (i, k) in victim_keys.iter().chain(&other_keys).enumerate() {
        let client = s.client.clone();
        let k = k.clone();
        reads.push(tokio::spawn(async move {
            (i, map_get::<i32>(&client, "corrupt", &k).await)
        }));
    }
    for r in reads {
        let (i, got) = r.await.expect("join");
        let want = if i == 0 {
            [Some(0), Some(-1)].to_vec()
        } else {
            vec![Some(i as i32)]
        };
        let got = got.expect("every read succeeds (retried when its connection closed)");
        assert!(want.contains(&got), "read {i}: {got:?}, expected one of {want:?}");
    }
    let reads_took = began.elapsed();

    let (set_result, set_took) = pending_set.await.expect("join");
    match &set_result {
        Err(InvocationError::TargetDisconnected { reason, .. }) => {
            assert!(matches!(reason, CloseReason::Protocol(_)), "{reason:?}");
        }
        other => panic!("the pending mutation fails with TargetDisconnected, got {other:?}"),
    }
    let reason = old
        .connection
        .close_reason()
        .expect("the victim's connection closed");
    assert!(matches!(reason, CloseReason::Protocol(_)), "{reason:?}");
    let others_after: Vec<u64> = [0, 1]
        .iter()
        .map(|&m| s.connection_of(m).expect("connection").connection.id())
        .collect();
    assert_eq!(
        others_before, others_after,
        "the other members' connections stay open"
    );
    // The client keeps serving the victim's keys (through another member until it reconnects).
    s.proxy.clear_rules();
    map_set(&s.client, "corrupt", &victim_keys[1], 99)
        .await
        .expect("set after the close");
    assert_eq!(
        map_get::<i32>(&s.client, "corrupt", &victim_keys[1])
            .await
            .expect("get"),
        Some(99)
    );
    if expect_reconnect {
        wait_for("a new connection to the victim", Duration::from_secs(20), || {
            s.connection_of(victim)
                .is_some_and(|c| c.connection.id() != old.connection.id())
        })
        .await;
        assert!(s.proxy.stats().members[victim].connections_accepted > accepted_before);
    }
    let rss_after = rss_kb();
    eprintln!(
        "{kind:?}: {reason}; pending set failed after {set_took:?}; {} reads in {reads_took:?}; RSS {rss_before} → {rss_after} KB",
        victim_keys.len() + other_keys.len()
    );
    assert!(
        rss_after < rss_before + 64 * 1024,
        "RSS jumped from {rss_before} to {rss_after} KB"
    );
    assert_eq!(s.client.pending_calls(), 0);
    s.client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_frame_mid_stream_closes_only_that_connection() {
    corruption_mid_stream(Corruption::Transform, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_mid_stream_closes_only_that_connection() {
    corruption_mid_stream(Corruption::Garbage, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2_gib_frame_mid_stream_closes_only_that_connection_without_allocating() {
    corruption_mid_stream(Corruption::HugeFrame, false).await;
}

/// After a member's connection closed on a protocol error, the member is still listed: a smart
/// client should open a new connection to it (with the connect backoff).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_reconnects_to_a_member_after_a_protocol_error() {
    corruption_mid_stream(Corruption::Transform, true).await;
}

// ------------------------------------------------------------------ a silent member

/// Member 2's answers are all lost (its events still pass, so backup acks are not the issue):
/// calls to its partitions end at the invocation timeout; calls to the other members' keep
/// succeeding meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_member_times_out_its_calls_only() {
    let timeout = Duration::from_secs(3);
    let s = setup(false, |c| c.invocation_timeout = timeout).await;
    let silent_keys = s.keys_of(2, "silent", 8);
    let other_keys: Vec<String> = s
        .keys_of(0, "silent-o", 4)
        .into_iter()
        .chain(s.keys_of(1, "silent-o", 4))
        .collect();
    s.proxy.set_response_rules(vec![Rule::new(
        Condition::Member(2).and(!Condition::IsEvent),
        Reaction::Drop,
    )]);
    let began = Instant::now();
    let mut silent = Vec::new();
    for k in &silent_keys {
        let client = s.client.clone();
        let k = k.clone();
        silent.push(tokio::spawn(async move {
            let t = Instant::now();
            (map_get::<i32>(&client, "silent", &k).await, t.elapsed())
        }));
    }
    // Meanwhile, the other members answer: loop until the silent calls have all ended.
    let mut served = 0u32;
    while !silent.iter().all(tokio::task::JoinHandle::is_finished) {
        for (i, k) in other_keys.iter().enumerate() {
            map_set(&s.client, "silent", k, i as i32)
                .await
                .expect("other member set");
            assert_eq!(
                map_get::<i32>(&s.client, "silent", k)
                    .await
                    .expect("other member get"),
                Some(i as i32)
            );
            served += 2;
        }
        assert!(began.elapsed() < timeout * 3, "the silent calls never ended");
    }
    for h in silent {
        let (result, took) = h.await.expect("join");
        assert!(
            matches!(result, Err(InvocationError::Timeout { .. })),
            "{result:?}"
        );
        assert!(
            took >= timeout && took < timeout + Duration::from_secs(1),
            "ended after {took:?}"
        );
    }
    eprintln!(
        "silent member: {} calls timed out at {timeout:?}; {served} calls to the other members succeeded meanwhile",
        silent_keys.len()
    );
    assert_eq!(s.client.pending_calls(), 0);
    s.proxy.clear_rules();
    assert_eq!(
        map_get::<i32>(&s.client, "silent", &silent_keys[0])
            .await
            .expect("get"),
        None
    );
    s.client.shutdown().await;
}

// ------------------------------------------------------------------ backpressure

const QUEUE: usize = 64;
const VALUE_BYTES: usize = 64 * 1024;
const CALLS: usize = 400;

/// Fires `CALLS` concurrent 64 KiB sets at member 2 while the proxy holds the first one for
/// `stall`; returns each call's result and duration.
async fn flood(s: &Setup, stall: Duration) -> Vec<(Result<(), InvocationError>, Duration)> {
    let _memory = MEMORY.lock().await;
    let keys = s.keys_of(2, "flood", CALLS);
    s.proxy.set_request_rules(vec![Rule::new(
        Condition::MessageType(MAP_SET)
            .and(Condition::Member(2))
            .and(Condition::Times(1)),
        Reaction::Delay(stall),
    )]);
    let value = Arc::new(vec![7u8; VALUE_BYTES]);
    let mut calls = Vec::new();
    for k in keys {
        let client = s.client.clone();
        let value = Arc::clone(&value);
        calls.push(tokio::spawn(async move {
            let t = Instant::now();
            (
                map_set(&client, "flood", &k, value.as_slice().to_vec()).await,
                t.elapsed(),
            )
        }));
    }
    let mut out = Vec::new();
    for c in calls {
        out.push(c.await.expect("join"));
    }
    out
}

/// With the connection stalled longer than the invocation timeout, the queue (64) fills: the
/// surplus calls get `Overloaded` and retry until the deadline, every call ends by then, and
/// memory stays bounded. With a short stall, every call succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_outbound_queue_is_backpressure_not_a_hang() {
    let timeout = Duration::from_secs(3);
    let s = setup(false, |c| {
        c.invocation_timeout = timeout;
        c.connection.outbound_queue_capacity = QUEUE;
        c.connection.socket.send_buffer_size = Some(64 * 1024);
        c.backup_ack_to_client_enabled = false;
    })
    .await;
    let rss_before = rss_kb();
    let began = Instant::now();
    let results = flood(&s, Duration::from_secs(8)).await;
    let took = began.elapsed();
    let mut overloaded = 0;
    let mut other = 0;
    for (r, t) in &results {
        assert!(*t < timeout + Duration::from_secs(1), "a call took {t:?}");
        match r {
            Err(InvocationError::Timeout { last: Some(l), .. })
                if matches!(**l, InvocationError::Overloaded) =>
            {
                overloaded += 1;
            }
            Err(InvocationError::Timeout { .. }) | Ok(()) => other += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    let rss_after = rss_kb();
    eprintln!(
        "stalled connection, queue {QUEUE}: {CALLS} calls ended in {took:?}: {overloaded} timed out retrying Overloaded, \
         {other} timed out waiting for their answer (or succeeded); RSS {rss_before} → {rss_after} KB"
    );
    assert!(overloaded > 0, "the surplus met a full queue");
    assert!(
        rss_after < rss_before + 128 * 1024,
        "RSS {rss_before} → {rss_after} KB"
    );
    assert_eq!(s.client.pending_calls(), 0, "nothing outlives its deadline");

    // The stall ends: the connection drains and serves again.
    s.proxy.clear_rules();
    let k = s.keys_of(2, "after-flood", 1).remove(0);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match map_set(&s.client, "flood", &k, 1i32).await {
            Ok(()) => break,
            Err(e) => assert!(Instant::now() < deadline, "never recovered: {e:?}"),
        }
    }
    s.client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_stall_with_a_full_outbound_queue_loses_no_call() {
    let timeout = Duration::from_secs(30);
    let s = setup(false, |c| {
        c.invocation_timeout = timeout;
        c.connection.outbound_queue_capacity = QUEUE;
        c.connection.socket.send_buffer_size = Some(64 * 1024);
        c.backup_ack_to_client_enabled = false;
    })
    .await;
    let began = Instant::now();
    let results = flood(&s, Duration::from_millis(1500)).await;
    let took = began.elapsed();
    for (r, t) in &results {
        assert!(r.is_ok(), "{r:?} after {t:?}");
    }
    let slowest = results.iter().map(|(_, t)| *t).max().unwrap_or_default();
    eprintln!("short stall, queue {QUEUE}: all {CALLS} sets succeeded in {took:?} (slowest {slowest:?})");
    assert_eq!(s.client.pending_calls(), 0);
    s.client.shutdown().await;
}
