//! The invocation layer with a fault-injection proxy between the client and real members:
//! routing observed per member, redo, invocation deadline, backup acknowledgements.

// Test bodies run through `flavours!`, outside `#[test]` functions: unwrapping is fine here.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hazelcast_codec::Serialize;
use hazelcast_codec::frame::flags;
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::map::{MapGetRequest, MapSetRequest};
use hazelcast_integration_tests::{Redirected, flavours, map_get, map_set, shared, wait_for};
use hazelcast_invocation::{ClusterClient, InvocationConfig, InvocationError};
use hazelcast_testkit::proxy::{Condition, Reaction, Rule};
use hazelcast_testkit::{ClusterConfig, FaultProxy, SharedCluster};

static CLUSTER: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(3).backup_count(1));

const MAP_GET: i32 = MapGetRequest::MESSAGE_TYPE;
const MAP_GET_RESPONSE: i32 = MapGetRequest::MESSAGE_TYPE + 1;
const MAP_SET: i32 = MapSetRequest::MESSAGE_TYPE;

struct Setup {
    proxy: FaultProxy,
    client: ClusterClient,
}

async fn setup(tweak: impl FnOnce(&mut InvocationConfig)) -> Setup {
    let cluster = shared(&CLUSTER).await;
    let proxy = FaultProxy::start(&cluster.addresses()).await.expect("proxy");
    let mut cfg = InvocationConfig::default();
    cfg.cluster_name = cluster.cluster_name().to_owned();
    cfg.invocation_timeout = Duration::from_secs(20);
    tweak(&mut cfg);
    let smart = cfg.smart_routing;
    let client = ClusterClient::connect(cfg, Redirected::new(&cluster.addresses(), &proxy.addresses()))
        .await
        .expect("connect");
    if smart {
        wait_for("a connection per member", Duration::from_secs(20), || {
            client.connections().list.len() == 3
        })
        .await;
    }
    // A fresh cluster assigns partitions on the first partition-bound call.
    map_get::<i32>(&client, "warm-up", "k").await.expect("first call");
    wait_for("the partition table", Duration::from_secs(20), || {
        client.snapshot().partitions.owners.iter().flatten().count() == 271
    })
    .await;
    Setup { proxy, client }
}

flavours!(each_key_reaches_its_partition_owner);
async fn each_key_reaches_its_partition_owner() {
    let Setup { proxy, client } = setup(|_| {}).await;
    let snapshot = client.snapshot();
    let cluster = shared(&CLUSTER).await;
    // Member index (proxy order) of each member UUID.
    let index: HashMap<_, _> = snapshot
        .members
        .members
        .iter()
        .map(|m| {
            let addr: SocketAddr = m.client_address().to_string().parse().unwrap();
            (
                m.uuid,
                cluster.addresses().iter().position(|a| *a == addr).unwrap(),
            )
        })
        .collect();
    let mut expected = [0u64; 3];
    for i in 0..300 {
        let key = format!("routing-{i}");
        let pid = client.partition_id(&key.to_data());
        expected[index[&snapshot.partitions.owner(pid).unwrap()]] += 1;
        map_set(&client, "routing", &key, i).await.expect("set");
    }
    let stats = proxy.stats();
    for (i, want) in expected.iter().enumerate() {
        assert_eq!(
            stats.members[i].requests(MAP_SET),
            *want,
            "member {i} received the sets of the keys it owns"
        );
    }
    client.shutdown().await;
}

flavours!(read_only_call_is_retried_after_a_cut_connection);
async fn read_only_call_is_retried_after_a_cut_connection() {
    let Setup { proxy, client } = setup(|_| {}).await;
    map_set(&client, "redo-read", "k", 7).await.unwrap();
    let gets_before = proxy.stats().requests(MAP_GET);
    proxy.set_request_rules(vec![Rule::new(
        Condition::MessageType(MAP_GET).and(Condition::Times(1)),
        Reaction::CutConnection,
    )]);
    assert_eq!(
        map_get::<i32>(&client, "redo-read", "k")
            .await
            .expect("retried get"),
        Some(7)
    );
    assert_eq!(
        proxy.stats().requests(MAP_GET) - gets_before,
        1,
        "the cut request never reached a member; the retry did"
    );
    client.shutdown().await;
}

flavours!(mutation_fails_after_a_cut_connection_without_redo);
async fn mutation_fails_after_a_cut_connection_without_redo() {
    let Setup { proxy, client } = setup(|_| {}).await;
    proxy.set_request_rules(vec![Rule::new(
        Condition::MessageType(MAP_SET).and(Condition::Times(1)),
        Reaction::CutConnection,
    )]);
    let err = map_set(&client, "redo-off", "k", 1)
        .await
        .expect_err("not retried");
    assert!(
        matches!(err, InvocationError::TargetDisconnected { .. }),
        "{err:?}"
    );
    client.shutdown().await;
}

flavours!(mutation_is_retried_after_a_cut_connection_with_redo);
async fn mutation_is_retried_after_a_cut_connection_with_redo() {
    let Setup { proxy, client } = setup(|c| c.redo_operation = true).await;
    proxy.set_request_rules(vec![Rule::new(
        Condition::MessageType(MAP_SET).and(Condition::Times(1)),
        Reaction::CutConnection,
    )]);
    map_set(&client, "redo-on", "k", 5)
        .await
        .expect("redo retries the set");
    assert_eq!(map_get::<i32>(&client, "redo-on", "k").await.unwrap(), Some(5));
    client.shutdown().await;
}

flavours!(invocation_timeout_fires_for_a_swallowed_response);
async fn invocation_timeout_fires_for_a_swallowed_response() {
    let timeout = Duration::from_secs(2);
    let Setup { proxy, client } = setup(|c| c.invocation_timeout = timeout).await;
    proxy.set_response_rules(vec![Rule::new(
        Condition::MessageType(MAP_GET_RESPONSE),
        Reaction::Drop,
    )]);
    let start = Instant::now();
    let err = map_get::<i32>(&client, "swallowed", "k")
        .await
        .expect_err("no answer");
    let elapsed = start.elapsed();
    assert!(matches!(err, InvocationError::Timeout { .. }), "{err:?}");
    assert!(
        elapsed >= timeout && elapsed < timeout + Duration::from_secs(1),
        "fired after {elapsed:?}"
    );
    eprintln!("invocation timeout {timeout:?} fired after {elapsed:?}");
    assert_eq!(
        client.pending_calls(),
        0,
        "the timed-out call left nothing behind"
    );
    client.shutdown().await;
}

flavours!(backup_acks_arrive_and_complete_the_call);
async fn backup_acks_arrive_and_complete_the_call() {
    let Setup { proxy, client } = setup(|c| c.operation_backup_timeout = Duration::from_secs(3)).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    proxy.set_request_rules(vec![
        Rule::new(Condition::MessageType(MAP_SET), Reaction::Pass).with_feedback(tx),
    ]);
    let start = Instant::now();
    map_set(&client, "acks", "k", 1).await.expect("set");
    let elapsed = start.elapsed();
    let sent = rx.recv().await.expect("the set went through the proxy");
    assert_ne!(
        sent.initial_flags() & flags::BACKUP_AWARE,
        0,
        "smart calls are backup-aware"
    );
    assert!(
        elapsed < Duration::from_secs(2),
        "acks delivered: no wait for the backup timeout ({elapsed:?})"
    );
    client.shutdown().await;
}

flavours!(missing_backup_acks_complete_after_the_backup_timeout);
async fn missing_backup_acks_complete_after_the_backup_timeout() {
    let backup_timeout = Duration::from_millis(1500);
    let Setup { proxy, client } = setup(|c| c.operation_backup_timeout = backup_timeout).await;
    proxy.set_response_rules(vec![Rule::new(Condition::IsBackupEvent, Reaction::Drop)]);
    let start = Instant::now();
    map_set(&client, "acks-dropped", "k", 1)
        .await
        .expect("completes normally");
    let elapsed = start.elapsed();
    assert!(
        elapsed >= backup_timeout && elapsed < backup_timeout + Duration::from_secs(1),
        "{elapsed:?}"
    );
    eprintln!("backup timeout {backup_timeout:?}: call completed after {elapsed:?}");
    client.shutdown().await;
}

flavours!(missing_backup_acks_fail_when_indeterminate_state_is_an_error);
async fn missing_backup_acks_fail_when_indeterminate_state_is_an_error() {
    let backup_timeout = Duration::from_millis(1500);
    let Setup { proxy, client } = setup(|c| {
        c.operation_backup_timeout = backup_timeout;
        c.fail_on_indeterminate_operation_state = true;
    })
    .await;
    proxy.set_response_rules(vec![Rule::new(Condition::IsBackupEvent, Reaction::Drop)]);
    let start = Instant::now();
    let err = map_set(&client, "acks-indeterminate", "k", 1)
        .await
        .expect_err("indeterminate");
    let elapsed = start.elapsed();
    assert!(
        matches!(err, InvocationError::IndeterminateOperationState { .. }),
        "{err:?}"
    );
    assert!(
        elapsed >= backup_timeout && elapsed < backup_timeout + Duration::from_secs(1),
        "{elapsed:?}"
    );
    // The primary applied it anyway.
    proxy.clear_rules();
    assert_eq!(
        map_get::<i32>(&client, "acks-indeterminate", "k").await.unwrap(),
        Some(1)
    );
    client.shutdown().await;
}

flavours!(unisocket_sends_no_backup_aware_calls);
async fn unisocket_sends_no_backup_aware_calls() {
    let Setup { proxy, client } = setup(|c| c.smart_routing = false).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    proxy.set_request_rules(vec![
        Rule::new(Condition::MessageType(MAP_SET), Reaction::Pass).with_feedback(tx),
    ]);
    map_set(&client, "uni", "k", 1).await.expect("set");
    let sent = rx.recv().await.expect("set seen");
    assert_eq!(sent.initial_flags() & flags::BACKUP_AWARE, 0);
    assert_eq!(client.connections().list.len(), 1);
    assert_eq!(
        proxy
            .stats()
            .members
            .iter()
            .map(|m| m.connections_accepted)
            .sum::<usize>(),
        1
    );
    client.shutdown().await;
}

flavours!(dropping_a_call_cancels_it_cleanly);
async fn dropping_a_call_cancels_it_cleanly() {
    let Setup { proxy, client } = setup(|_| {}).await;
    proxy.set_response_rules(vec![Rule::new(
        Condition::MessageType(MAP_GET_RESPONSE),
        Reaction::Drop,
    )]);
    let before = client.pending_calls();
    let abandoned = tokio::time::timeout(
        Duration::from_millis(300),
        map_get::<i32>(&client, "cancelled", "k"),
    )
    .await;
    assert!(abandoned.is_err(), "the caller gave up first");
    assert_eq!(
        client.pending_calls(),
        before,
        "the abandoned call left no pending entry"
    );
    proxy.clear_rules();
    assert_eq!(
        map_get::<i32>(&client, "cancelled", "k")
            .await
            .expect("the client is unaffected"),
        None
    );
    client.shutdown().await;
}

flavours!(retryable_server_error_is_retried_on_a_fresh_correlation_id);
async fn retryable_server_error_is_retried_on_a_fresh_correlation_id() {
    use hazelcast_codec::ErrorCode;
    use hazelcast_testkit::proxy::forge_error_response;
    let Setup { proxy, client } = setup(|_| {}).await;
    map_set(&client, "retry-errors", "k", 3).await.unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    proxy.set_request_rules(vec![
        Rule::new(
            Condition::MessageType(MAP_GET).and(Condition::Times(2)),
            forge_error_response(
                ErrorCode::PartitionMigrating,
                "com.hazelcast.spi.exception.PartitionMigratingException",
                "migrating",
            ),
        )
        .with_feedback(tx.clone()),
        Rule::new(Condition::MessageType(MAP_GET), Reaction::Pass).with_feedback(tx),
    ]);
    assert_eq!(
        map_get::<i32>(&client, "retry-errors", "k")
            .await
            .expect("retried past the errors"),
        Some(3)
    );
    let mut ids = Vec::new();
    while let Ok(m) = rx.try_recv() {
        ids.push(m.correlation_id());
    }
    assert_eq!(ids.len(), 3, "two refused attempts and the successful one");
    ids.dedup();
    assert_eq!(ids.len(), 3, "each attempt has its own correlation id");
    // A non-retryable error is returned at once.
    proxy.set_request_rules(vec![Rule::new(
        Condition::MessageType(MAP_GET).and(Condition::Times(1)),
        forge_error_response(
            ErrorCode::IllegalArgument,
            "java.lang.IllegalArgumentException",
            "bad",
        ),
    )]);
    let err = map_get::<i32>(&client, "retry-errors", "k")
        .await
        .expect_err("not retried");
    match err {
        InvocationError::Server(e) => {
            assert_eq!(e.code, ErrorCode::IllegalArgument);
            assert_eq!(e.message.as_deref(), Some("bad"));
        }
        other => panic!("{other:?}"),
    }
    client.shutdown().await;
}

flavours!(primary_leaving_before_the_acks_leaves_the_decision_to_the_backup_timeout);
/// Fault 4 of the invocation-core review: once the response is in, the primary's connection
/// decides nothing. The primary leaves while the acks are missing: the call still waits for the
/// backup timeout (the acks could still come on the backups' connections), then is
/// indeterminate. The seed failed at once when the primary's connection closed.
async fn primary_leaving_before_the_acks_leaves_the_decision_to_the_backup_timeout() {
    let backup_timeout = Duration::from_secs(3);
    let Setup { proxy, client } = setup(|c| {
        c.operation_backup_timeout = backup_timeout;
        c.fail_on_indeterminate_operation_state = true;
    })
    .await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    proxy.set_response_rules(vec![
        Rule::new(Condition::IsBackupEvent, Reaction::Drop),
        Rule::new(Condition::MessageType(MAP_SET + 1), Reaction::Pass).with_delivery_feedback(tx),
    ]);
    let call = tokio::spawn({
        let client = client.clone();
        async move { map_set(&client, "primary-left", "k", 1).await }
    });
    // The answer is in the client's socket (and waits for acks that were dropped): cut its member.
    rx.recv().await.expect("the set was answered");
    let answered = Instant::now();
    for i in 0..3 {
        proxy.cut_member(i);
    }
    let err = call.await.expect("join").expect_err("indeterminate");
    let waited = answered.elapsed();
    assert!(
        matches!(err, InvocationError::IndeterminateOperationState { .. }),
        "{err:?}"
    );
    assert!(
        waited >= backup_timeout - Duration::from_millis(100),
        "decided {waited:?} after the answer: by the primary's connection, not the backup timeout"
    );
    client.shutdown().await;
}

flavours!(a_held_response_outlives_the_invocation_deadline);
/// Fault 4, second half: a response held for backup acks at the invocation deadline is not a
/// timeout (the member applied the write); the backup timeout decides, as in the Java client.
/// The seed reported `Timeout` after the 1 s invocation timeout.
async fn a_held_response_outlives_the_invocation_deadline() {
    let backup_timeout = Duration::from_secs(3);
    let Setup { proxy, client } = setup(|c| {
        c.invocation_timeout = Duration::from_secs(1);
        c.operation_backup_timeout = backup_timeout;
    })
    .await;
    proxy.set_response_rules(vec![Rule::new(Condition::IsBackupEvent, Reaction::Drop)]);
    let start = Instant::now();
    map_set(&client, "held-past-deadline", "k", 7)
        .await
        .expect("the applied write completes at the backup timeout, not as a timeout");
    assert!(start.elapsed() >= backup_timeout - Duration::from_millis(100));
    proxy.clear_rules();
    assert_eq!(
        map_get::<i32>(&client, "held-past-deadline", "k")
            .await
            .expect("get"),
        Some(7)
    );
    client.shutdown().await;
}

/// A cluster behind one load balancer: the client reaches it through one seed address (proxy
/// listener 0), while the members advertise another address (listener 1, which stands for an
/// address the client could not reach in real life). After the connection drops, a reconnect
/// dials the last known members first, unless `skip_member_list_during_reconnection` sends it
/// straight to the seed.
#[derive(Debug)]
struct BehindLoadBalancer {
    seed: SocketAddr,
    advertised: SocketAddr,
}

#[async_trait::async_trait]
impl hazelcast_invocation::AddressSource for BehindLoadBalancer {
    async fn seeds(&self) -> Result<Vec<hazelcast_transport::Address>, InvocationError> {
        Ok(vec![hazelcast_integration_tests::endpoint(self.seed)])
    }
    async fn dial_address(
        &self,
        _member: &hazelcast_codec::custom::MemberInfo,
    ) -> hazelcast_transport::Address {
        hazelcast_integration_tests::endpoint(self.advertised)
    }
}

flavours!(reconnect_can_skip_the_last_known_members);
async fn reconnect_can_skip_the_last_known_members() {
    let cluster = shared(&CLUSTER).await;
    for skip in [false, true] {
        let member = cluster.address(0);
        let proxy = FaultProxy::start(&[member, member]).await.expect("proxy");
        let mut cfg = InvocationConfig::default();
        cfg.cluster_name = cluster.cluster_name().to_owned();
        cfg.smart_routing = false;
        cfg.skip_member_list_during_reconnection = skip;
        let source = std::sync::Arc::new(BehindLoadBalancer {
            seed: proxy.address(0),
            advertised: proxy.address(1),
        });
        let client = ClusterClient::connect(cfg, source).await.expect("connect");
        map_set(&client, "behind-lb", "k", 1).await.expect("set");
        assert_eq!(
            proxy.stats().members[0].connections_accepted,
            1,
            "first through the seed"
        );

        proxy.cut_all();
        wait_for("a second connection", Duration::from_secs(20), || {
            proxy.stats().connections_accepted() >= 2 && client.connections().list.len() == 1
        })
        .await;
        map_set(&client, "behind-lb", "k", 2)
            .await
            .expect("set after the reconnect");
        let stats = proxy.stats();
        let (via_seed, via_member_list) = (
            stats.members[0].connections_accepted,
            stats.members[1].connections_accepted,
        );
        if skip {
            assert_eq!((via_seed, via_member_list), (2, 0), "the seed only");
        } else {
            assert_eq!((via_seed, via_member_list), (1, 1), "the last known member first");
        }
        client.shutdown().await;
        proxy.shutdown().await;
    }
}

/// Fault 1 of the invocation-core review: a call routed to a connection the client itself has
/// just closed (here by the heartbeat, with member 2 silent) must not spin. In the seed such a
/// connection stayed listed until its reader ran `on_close`; a call picked it, failed to queue,
/// became "no connection" and retried without ever awaiting, so on a `current_thread` runtime
/// the reader never ran and the call spun until its deadline (a `Timeout` here, with the whole
/// runtime frozen). Busy tasks keep the run queue full, so a call gets in between the close and
/// the reader; three close/reconnect cycles.
#[tokio::test(flavor = "current_thread")]
async fn a_call_right_after_the_client_closes_a_connection_does_not_spin() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let Setup { proxy, client } = setup(|c| {
        c.invocation_timeout = Duration::from_secs(8);
        c.heartbeat_interval = Duration::from_millis(200);
        c.heartbeat_timeout = Duration::from_secs(1);
        c.connection_retry.initial = Duration::from_millis(100);
        c.connection_retry.max = Duration::from_millis(200);
        c.connection.connect_timeout = Duration::from_secs(1);
    })
    .await;
    let cluster = shared(&CLUSTER).await;
    let silent = cluster.addresses()[2];
    let silent_uuid = client
        .snapshot()
        .members
        .members
        .iter()
        .find(|m| m.client_address().to_string() == silent.to_string())
        .map(|m| m.uuid)
        .expect("member 2 is listed");
    let snapshot = client.snapshot();
    let keys: Vec<(String, bool)> = (0..64)
        .map(|i| format!("spin-{i}"))
        .map(|k| {
            let owner = snapshot.partitions.owner(client.partition_id(&k.to_data()));
            let silent = owner == Some(silent_uuid);
            (k, silent)
        })
        .collect();
    let silent_key = keys
        .iter()
        .find(|(_, s)| *s)
        .map(|(k, _)| k.clone())
        .expect("a key of member 2");
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut busy = Vec::new();
    for t in 0..8 {
        let (client, stop, ok, failed, keys, silent_key) = (
            client.clone(),
            stop.clone(),
            ok.clone(),
            failed.clone(),
            keys.clone(),
            silent_key.clone(),
        );
        busy.push(tokio::spawn(async move {
            let mut i = t;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                // A connection to member 2 that is closed but still listed: call it now.
                let closing = client
                    .connections()
                    .list
                    .iter()
                    .any(|c| c.member == silent_uuid && c.connection.is_closed());
                let key = if closing {
                    silent_key.clone()
                } else {
                    let (k, s) = &keys[i % keys.len()];
                    if *s {
                        continue;
                    }
                    k.clone()
                };
                match map_get::<i32>(&client, "spin", &key).await {
                    Ok(_) => ok.fetch_add(1, Ordering::Relaxed),
                    Err(e) => {
                        eprintln!("get {key} failed: {e:?}");
                        failed.fetch_add(1, Ordering::Relaxed)
                    }
                };
            }
        }));
    }
    for cycle in 0..3 {
        let connection = client
            .connections()
            .list
            .iter()
            .find(|c| c.member == silent_uuid)
            .map(|c| c.connection.id())
            .expect("a connection to member 2");
        proxy.set_response_rules(vec![Rule::new(Condition::Member(2), Reaction::Drop)]);
        wait_for(
            "the heartbeat to close member 2's connection",
            Duration::from_secs(20),
            || {
                client
                    .connections()
                    .list
                    .iter()
                    .all(|c| c.connection.id() != connection)
            },
        )
        .await;
        proxy.clear_rules();
        wait_for("member 2 connected again", Duration::from_secs(20), || {
            client.connections().list.iter().any(|c| c.member == silent_uuid)
        })
        .await;
        eprintln!("cycle {cycle}: {} gets served", ok.load(Ordering::Relaxed));
    }
    stop.store(true, Ordering::Relaxed);
    for b in busy {
        b.await.expect("join");
    }
    assert_eq!(
        failed.load(Ordering::Relaxed),
        0,
        "every get succeeds (retried elsewhere)"
    );
    assert!(ok.load(Ordering::Relaxed) > 100);
    client.shutdown().await;
}
