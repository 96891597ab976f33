//! Member failures with real members: kill -9 under load, a whole-cluster restart, a frozen
//! member. Each test owns its cluster.

// Test bodies run through `flavours!`, outside `#[test]` functions: unwrapping is fine here.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hazelcast_integration_tests::{
    client_config, flavours, map_get, map_set, on_cluster, seeds, start_cluster, wait_for,
};
use hazelcast_invocation::{ClientEvent, ClusterClient, InvocationError};
use hazelcast_testkit::ClusterConfig;

flavours!(kill_one_member_under_load_loses_no_acknowledged_write);
async fn kill_one_member_under_load_loses_no_acknowledged_write() {
    let cluster = start_cluster(ClusterConfig::new().members(3).backup_count(1)).await;
    let (mut cfg, seeds) = (client_config(&cluster), seeds(&cluster));
    // "Acknowledged" must mean "on the backup too": with the default (off), a write whose backup
    // never acknowledged is reported a success after the backup timeout, as in the Java client,
    // and is lost if its primary dies before the backup applied it. Such a write is reported
    // indeterminate here, an unknown outcome like a disconnected call.
    cfg.fail_on_indeterminate_operation_state = true;
    let timeout = cfg.invocation_timeout;
    let client = ClusterClient::connect(cfg, seeds).await.expect("connect");
    wait_for("3 connections", Duration::from_secs(20), || {
        client.connections().list.len() == 3
    })
    .await;

    let acked: Arc<Mutex<HashMap<String, i64>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let (ok_sets, failed_sets, failed_gets, slowest_ms) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    let mut workers = Vec::new();
    for w in 0..4 {
        let (client, acked, stop) = (client.clone(), acked.clone(), stop.clone());
        let (ok_sets, failed_sets, failed_gets, slowest_ms) = (
            ok_sets.clone(),
            failed_sets.clone(),
            failed_gets.clone(),
            slowest_ms.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut n = 0i64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let key = format!("w{w}-k{}", n % 50);
                let t = Instant::now();
                match map_set(&client, "chaos", &key, n).await {
                    Ok(()) => {
                        ok_sets.fetch_add(1, Ordering::Relaxed);
                        acked.lock().unwrap().insert(key.clone(), n);
                    }
                    // The outcome of a mutation cut off mid-flight, or whose backup did not
                    // acknowledge it, is unknown: not acknowledged.
                    Err(
                        InvocationError::TargetDisconnected { .. }
                        | InvocationError::IndeterminateOperationState { .. },
                    ) => {
                        failed_sets.fetch_add(1, Ordering::Relaxed);
                        acked.lock().unwrap().remove(&key);
                    }
                    Err(e) => panic!("set failed unexpectedly: {e}"),
                }
                if map_get::<i64>(&client, "chaos", &key).await.is_err() {
                    failed_gets.fetch_add(1, Ordering::Relaxed);
                }
                slowest_ms.fetch_max(t.elapsed().as_millis() as u64, Ordering::Relaxed);
            }
        }));
    }
    wait_for("some load", Duration::from_secs(20), || {
        ok_sets.load(Ordering::Relaxed) > 200
    })
    .await;
    on_cluster(&cluster, "kill", |c| c.kill(1)).await;
    let after_kill = ok_sets.load(Ordering::Relaxed);
    wait_for("load continuing after the kill", Duration::from_secs(30), || {
        ok_sets.load(Ordering::Relaxed) > after_kill + 500
    })
    .await;
    wait_for("2 connections", Duration::from_secs(30), || {
        client.connections().list.len() == 2
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.expect("worker");
    }
    let acked = acked.lock().unwrap().clone();
    let mut lost = 0;
    for (key, value) in &acked {
        if map_get::<i64>(&client, "chaos", key).await.expect("read back") != Some(*value) {
            lost += 1;
        }
    }
    eprintln!(
        "kill -9 under load: {} sets acknowledged, {} failed (target disconnected), {} gets failed, {} keys checked, lost {lost}, slowest call {} ms",
        ok_sets.load(Ordering::Relaxed),
        failed_sets.load(Ordering::Relaxed),
        failed_gets.load(Ordering::Relaxed),
        acked.len(),
        slowest_ms.load(Ordering::Relaxed)
    );
    assert_eq!(lost, 0, "acknowledged writes lost");
    assert_eq!(
        failed_gets.load(Ordering::Relaxed),
        0,
        "read-only calls are retried"
    );
    assert!(Duration::from_millis(slowest_ms.load(Ordering::Relaxed)) < timeout);
    client.shutdown().await;
}

flavours!(client_reconnects_after_the_cluster_restarts);
async fn client_reconnects_after_the_cluster_restarts() {
    let cluster = start_cluster(ClusterConfig::new().members(1)).await;
    let (cfg, seeds) = (client_config(&cluster), seeds(&cluster));
    let client = ClusterClient::connect(cfg, seeds).await.expect("connect");
    let mut events = client.subscribe();
    map_set(&client, "restart", "k", 1).await.expect("set");

    on_cluster(&cluster, "kill", |c| c.kill(0)).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ev = tokio::time::timeout_at(deadline.into(), events.recv())
            .await
            .expect("disconnected event");
        if matches!(ev, Ok(ClientEvent::Disconnected)) {
            break;
        }
    }
    let down_at = Instant::now();
    on_cluster(&cluster, "restart", |c| c.restart(0)).await;
    loop {
        let ev = tokio::time::timeout_at(deadline.into(), events.recv())
            .await
            .expect("connected event");
        if matches!(ev, Ok(ClientEvent::Connected)) {
            break;
        }
    }
    eprintln!("reconnected {:?} after the restart began", down_at.elapsed());
    // The restarted cluster is empty (no persistence), and usable.
    assert_eq!(map_get::<i64>(&client, "restart", "k").await.expect("get"), None);
    map_set(&client, "restart", "k", 2)
        .await
        .expect("set after restart");
    client.shutdown().await;
}

flavours!(heartbeat_closes_the_connection_to_a_frozen_member);
async fn heartbeat_closes_the_connection_to_a_frozen_member() {
    let cluster = start_cluster(ClusterConfig::new().members(1)).await;
    let (mut cfg, seeds) = (client_config(&cluster), seeds(&cluster));
    cfg.heartbeat_interval = Duration::from_millis(300);
    cfg.heartbeat_timeout = Duration::from_secs(2);
    let heartbeat_timeout = cfg.heartbeat_timeout;
    let client = ClusterClient::connect(cfg, seeds).await.expect("connect");
    let mut events = client.subscribe();
    on_cluster(&cluster, "pause", |c| c.pause(0)).await;
    let paused_at = Instant::now();
    let ev = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Ok(ClientEvent::Disconnected) = events.recv().await {
                return;
            }
        }
    })
    .await;
    let elapsed = paused_at.elapsed();
    on_cluster(&cluster, "resume", |c| c.resume(0)).await;
    assert!(ev.is_ok(), "no disconnect within 10 s of freezing the member");
    eprintln!(
        "heartbeat timeout {heartbeat_timeout:?}: connection closed {elapsed:?} after the member froze"
    );
    assert!(
        elapsed >= heartbeat_timeout - Duration::from_millis(400)
            && elapsed < heartbeat_timeout + Duration::from_secs(2)
    );
    // It comes back once the member thaws.
    wait_for("reconnection", Duration::from_secs(30), || {
        client.connections().list.len() == 1
    })
    .await;
    client.shutdown().await;
}

flavours!(membership_events_follow_a_member_leaving_and_joining);
async fn membership_events_follow_a_member_leaving_and_joining() {
    let cluster = start_cluster(ClusterConfig::new().members(2).backup_count(1)).await;
    let (cfg, seeds) = (client_config(&cluster), seeds(&cluster));
    let client = ClusterClient::connect(cfg, seeds).await.expect("connect");
    wait_for("2 connections", Duration::from_secs(20), || {
        client.connections().list.len() == 2
    })
    .await;
    let mut events = client.subscribe();
    // Member 0 is the first seed: the cluster-view listener lives on its connection, so seeing
    // it come back proves the listener moved to another connection when it died.
    on_cluster(&cluster, "kill", |c| c.kill(0)).await;
    let removed = next_matching(&mut events, |e| matches!(e, ClientEvent::MemberRemoved(_))).await;
    let ClientEvent::MemberRemoved(gone) = removed else {
        unreachable!()
    };
    assert_eq!(gone.client_address().port, cluster.address(0).port());
    wait_for("1 connection", Duration::from_secs(20), || {
        client.connections().list.len() == 1
    })
    .await;
    on_cluster(&cluster, "restart", |c| c.restart(0)).await;
    let added = next_matching(&mut events, |e| matches!(e, ClientEvent::MemberAdded(_))).await;
    let ClientEvent::MemberAdded(back) = added else {
        unreachable!()
    };
    assert_eq!(back.client_address().port, cluster.address(0).port());
    assert_ne!(back.uuid, gone.uuid, "a restarted member has a new identity");
    wait_for("a connection to the new member", Duration::from_secs(30), || {
        client.connections().list.len() == 2
    })
    .await;
    client.shutdown().await;
}

async fn next_matching(
    events: &mut tokio::sync::broadcast::Receiver<ClientEvent>,
    want: impl Fn(&ClientEvent) -> bool,
) -> ClientEvent {
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match events.recv().await {
                Ok(e) if want(&e) => return e,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(e) => panic!("event stream ended: {e}"),
            }
        }
    })
    .await
    .expect("event within 30 s")
}

flavours!(reconnect_mode_off_shuts_the_client_down);
async fn reconnect_mode_off_shuts_the_client_down() {
    let cluster = start_cluster(ClusterConfig::new().members(1)).await;
    let (mut cfg, seeds) = (client_config(&cluster), seeds(&cluster));
    cfg.reconnect_mode = hazelcast_invocation::ReconnectMode::Off;
    let client = ClusterClient::connect(cfg, seeds).await.expect("connect");
    let mut events = client.subscribe();
    on_cluster(&cluster, "kill", |c| c.kill(0)).await;
    next_matching(&mut events, |e| matches!(e, ClientEvent::Shutdown)).await;
    assert!(!client.is_active());
    let err = map_get::<i64>(&client, "off", "k")
        .await
        .expect_err("client is down");
    assert!(matches!(err, InvocationError::ClientNotActive), "{err:?}");
}

flavours!(reconnect_mode_async_fails_calls_at_once_while_offline);
async fn reconnect_mode_async_fails_calls_at_once_while_offline() {
    let cluster = start_cluster(ClusterConfig::new().members(1)).await;
    let (mut cfg, seeds) = (client_config(&cluster), seeds(&cluster));
    cfg.reconnect_mode = hazelcast_invocation::ReconnectMode::Async;
    let client = ClusterClient::connect(cfg, seeds).await.expect("connect");
    let mut events = client.subscribe();
    on_cluster(&cluster, "kill", |c| c.kill(0)).await;
    next_matching(&mut events, |e| matches!(e, ClientEvent::Disconnected)).await;
    let t = Instant::now();
    let err = map_get::<i64>(&client, "async", "k").await.expect_err("offline");
    assert!(matches!(err, InvocationError::ClientOffline), "{err:?}");
    assert!(
        t.elapsed() < Duration::from_secs(1),
        "fails at once, not after retries"
    );
    on_cluster(&cluster, "restart", |c| c.restart(0)).await;
    next_matching(&mut events, |e| matches!(e, ClientEvent::Connected)).await;
    map_set(&client, "async", "k", 1).await.expect("works again");
    client.shutdown().await;
}

/// The objects the member cluster knows, asked on a raw connection of our own.
async fn distributed_objects(cluster: &Arc<hazelcast_testkit::Cluster>) -> Vec<(String, String)> {
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || list_objects(&c))
        .await
        .expect("the listing runs")
}

fn list_objects(cluster: &hazelcast_testkit::Cluster) -> Vec<(String, String)> {
    use hazelcast_codec::messages::client::{
        ClientGetDistributedObjectsRequest, ClientGetDistributedObjectsResponse,
    };
    let mut raw = hazelcast_testkit::raw::RawConnection::connect(cluster.address(0)).expect("raw connect");
    raw.authenticate(cluster.cluster_name()).expect("authenticate");
    let id = raw
        .send(&ClientGetDistributedObjectsRequest {}, -1)
        .expect("send");
    let answer = raw
        .recv_answer(id, Duration::from_secs(10), |_| {})
        .expect("answer");
    let decoded = ClientGetDistributedObjectsResponse::decode(&answer).expect("decode");
    decoded
        .response
        .0
        .into_iter()
        .map(|o| (o.service_name, o.name))
        .collect()
}

flavours!(maps_are_created_again_on_a_restarted_cluster);
/// After a whole-cluster restart the facade announces `ClusterChanged` and creates its maps on
/// the new cluster again, as the official clients do (the new cluster knew nothing of them).
async fn maps_are_created_again_on_a_restarted_cluster() {
    use hazelcast::HazelcastClient;
    let cluster = start_cluster(ClusterConfig::new().members(1)).await;
    let client = HazelcastClient::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(vec![cluster.address(0).to_string()])
        .start()
        .await
        .expect("start");
    let map = client
        .get_map::<String, i32>("kept-across-restarts")
        .await
        .expect("map");
    map.set("k".to_owned(), 1).await.expect("set");
    let want = ("hz:impl:mapService".to_owned(), "kept-across-restarts".to_owned());
    let objects = distributed_objects(&cluster).await;
    assert!(objects.contains(&want), "{objects:?}");

    let mut events = client.events();
    on_cluster(&cluster, "kill", |c| c.kill(0)).await;
    on_cluster(&cluster, "restart", |c| c.restart(0)).await;
    next_matching(&mut events, |e| matches!(e, ClientEvent::ClusterChanged)).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut objects = Vec::new();
    while !objects.contains(&want) {
        assert!(Instant::now() < deadline, "map not created again: {objects:?}");
        objects = distributed_objects(&cluster).await;
        if !objects.contains(&want) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    client.shutdown().await;
}

/// Fault 13 of the invocation-core review: a value above the frame limit could be stored but
/// not read back; the client closed the connection the answer came on (failing every other call
/// on it), and the read-only `get`, retried, reconnected and closed again until its deadline
/// (120 s for a 70 MB value in the seed). Now the limit is one configurable
/// `max_message_size` (256 MiB by default, in both directions): a 70 MB value reads back with
/// the defaults; an answer above a client's limit fails only its call, at once and without a
/// retry, while the connection stays up; a request above it is not sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_above_the_size_limit_fails_only_its_call() {
    let cluster = start_cluster(ClusterConfig::new().members(1).jvm_arg("-Xmx768m")).await;
    let (cfg, seeds_) = (client_config(&cluster), seeds(&cluster));
    let client = ClusterClient::connect(cfg, seeds_.clone())
        .await
        .expect("connect");
    let big = vec![7u8; 70_000_000];
    map_set(&client, "large", "big", big.clone())
        .await
        .expect("set 70 MB");
    let back: Vec<u8> = map_get(&client, "large", "big")
        .await
        .expect("get 70 MB with the default limits")
        .expect("present");
    assert!(back == big, "the 70 MB value reads back intact");
    drop(back);
    let two_mib = vec![1u8; 2 << 20];
    map_set(&client, "large", "two", two_mib.clone())
        .await
        .expect("set 2 MiB");

    let mut small = client_config(&cluster);
    small.connection.decoder_limits.max_message_size = 1 << 20;
    let limited = ClusterClient::connect(small, seeds_)
        .await
        .expect("connect with a 1 MiB limit");
    map_set(&limited, "large", "small", 5)
        .await
        .expect("a small call");
    let connection = limited.connections().list[0].connection.clone();
    let began = Instant::now();
    match map_get::<Vec<u8>>(&limited, "large", "two").await {
        Err(InvocationError::ResponseTooLarge { size, limit }) => {
            assert_eq!(limit, 1 << 20);
            assert!(size > 2 << 20, "{size}");
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
    assert!(
        began.elapsed() < Duration::from_secs(10),
        "failed at once, not retried until the 120 s deadline: {:?}",
        began.elapsed()
    );
    assert!(!connection.is_closed(), "the connection stays up");
    assert_eq!(
        map_get::<i32>(&limited, "large", "small")
            .await
            .expect("same connection"),
        Some(5)
    );
    assert_eq!(limited.connections().list[0].connection.id(), connection.id());
    match map_set(&limited, "large", "refused", two_mib).await {
        Err(InvocationError::RequestTooLarge { size, limit }) => {
            assert_eq!(limit, 1 << 20);
            assert!(size > 2 << 20);
        }
        other => panic!("expected RequestTooLarge, got {other:?}"),
    }
    assert_eq!(
        map_get::<Vec<u8>>(&client, "large", "refused")
            .await
            .expect("get"),
        None,
        "never sent"
    );
    assert!(!connection.is_closed());
    assert_eq!(limited.pending_calls(), 0);
    limited.shutdown().await;
    client.shutdown().await;
}
