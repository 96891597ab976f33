//! The invocation layer against real members: smart and unisocket routing, authentication
//! errors. Fault scenarios (proxy, kills) live in their own binaries with their own clusters.

// Test bodies run through `flavours!`, outside `#[test]` functions: unwrapping is fine here.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use hazelcast_codec::messages::map::{MapGetRequest, MapGetResponse, MapSetRequest, MapSetResponse};
use hazelcast_codec::{Deserialize, Serialize};
use hazelcast_integration_tests::{client_config, flavours, seeds, shared, wait_for};
use hazelcast_invocation::{AuthFailure, ClusterClient, InvocationConfig, InvocationError, Target};
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster};

fn config(cluster: &Cluster, smart: bool) -> InvocationConfig {
    let mut cfg = client_config(cluster);
    cfg.smart_routing = smart;
    cfg
}

static CLUSTER: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(3));

/// Makes a first partition-bound call (a fresh cluster assigns its partitions then) and waits
/// for the complete partition table.
async fn complete_partition_table(client: &ClusterClient) {
    let probe = "probe".to_data();
    client
        .invoke(
            &MapGetRequest {
                thread_id: 1,
                name: "probe",
                key: &probe,
            },
            Target::Partition(client.partition_id(&probe)),
        )
        .await
        .expect("first call");
    wait_for("the partition table", Duration::from_secs(20), || {
        client.snapshot().partitions.owners.iter().flatten().count() == 271
    })
    .await;
}

flavours!(smart_routing_sends_each_key_to_its_partition_owner);
async fn smart_routing_sends_each_key_to_its_partition_owner() {
    let cluster = shared(&CLUSTER).await;
    let (cfg, seeds) = (config(cluster, true), seeds(cluster));
    let client = ClusterClient::connect(cfg, seeds).await.expect("connect");
    wait_for("a connection to every member", Duration::from_secs(20), || {
        client.connections().list.len() == 3
    })
    .await;
    // A fresh cluster assigns partitions on the first partition-bound call.
    complete_partition_table(&client).await;

    // Count, per member, the keys it owns; then compare with what each connection wrote.
    let snapshot = client.snapshot();
    let before: HashMap<_, _> = client
        .connections()
        .list
        .iter()
        .map(|c| (c.member, c.connection.stats().messages_written))
        .collect();
    let mut expected: HashMap<_, u64> = HashMap::new();
    let map = "smart-routing";
    for i in 0..200 {
        let key = format!("key-{i}").to_data();
        let value = i.to_data();
        let pid = client.partition_id(&key);
        *expected
            .entry(snapshot.partitions.owner(pid).expect("owner"))
            .or_default() += 2;
        let set = MapSetRequest {
            thread_id: 1,
            ttl: -1,
            name: map,
            key: &key,
            value: &value,
        };
        let answer = client.invoke(&set, Target::Partition(pid)).await.expect("set");
        MapSetResponse::decode(&answer).expect("set answer");
        let answer = client
            .invoke(
                &MapGetRequest {
                    thread_id: 1,
                    name: map,
                    key: &key,
                },
                Target::Partition(pid),
            )
            .await;
        let got = MapGetResponse::decode(&answer.expect("get"))
            .expect("get answer")
            .response
            .expect("value");
        assert_eq!(i32::from_data(&got).unwrap(), i);
    }
    for c in client.connections().list.iter() {
        let sent = c.connection.stats().messages_written - before[&c.member];
        let want = expected.get(&c.member).copied().unwrap_or(0);
        // Heartbeat pings may add a few messages on an idle connection.
        assert!(
            sent >= want && sent <= want + 3,
            "member {} got {sent} messages, owns {want} calls",
            c.member
        );
    }
    client.shutdown().await;
    assert!(client.connections().list.is_empty());
}

flavours!(unisocket_uses_one_connection_for_everything);
async fn unisocket_uses_one_connection_for_everything() {
    let cluster = shared(&CLUSTER).await;
    let (cfg, seeds) = (config(cluster, false), seeds(cluster));
    let client = ClusterClient::connect(cfg, seeds).await.expect("connect");
    let map = "unisocket";
    for i in 0..50 {
        let key = format!("k{i}").to_data();
        let value = format!("v{i}").to_data();
        let pid = client.partition_id(&key);
        client
            .invoke(
                &MapSetRequest {
                    thread_id: 1,
                    ttl: -1,
                    name: map,
                    key: &key,
                    value: &value,
                },
                Target::Partition(pid),
            )
            .await
            .expect("set");
        let answer = client
            .invoke(
                &MapGetRequest {
                    thread_id: 1,
                    name: map,
                    key: &key,
                },
                Target::Partition(pid),
            )
            .await
            .expect("get");
        let got = MapGetResponse::decode(&answer).unwrap().response.expect("value");
        assert_eq!(String::from_data(&got).unwrap(), format!("v{i}"));
    }
    assert_eq!(
        client.connections().list.len(),
        1,
        "unisocket keeps exactly one connection"
    );
    assert_eq!(
        client.snapshot().members.members.len(),
        3,
        "it still learns the member list"
    );
    client.shutdown().await;
}

flavours!(wrong_cluster_name_is_an_authentication_error);
async fn wrong_cluster_name_is_an_authentication_error() {
    let cluster = shared(&CLUSTER).await;
    let (mut cfg, seeds) = (config(cluster, true), seeds(cluster));
    cfg.cluster_name = "not-this-cluster".into();
    // No connect budget: a refused cluster name must still end the procedure, after one round.
    cfg.cluster_connect_timeout = None;
    let started = std::time::Instant::now();
    let err = tokio::time::timeout(Duration::from_secs(20), ClusterClient::connect(cfg, seeds))
        .await
        .expect("a refused cluster name is not retried forever")
        .expect_err("must not connect");
    match err {
        InvocationError::Authentication { failure, .. } => assert_eq!(failure, AuthFailure::Credentials),
        other => panic!("unexpected error {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// A `Map.AddEntryListener` registration forwarding decoded events to a channel.
struct EntryListener {
    map: String,
    tx: tokio::sync::mpsc::UnboundedSender<hazelcast_codec::messages::map::MapAddEntryListenerEntryEvent>,
}

impl hazelcast_invocation::ListenerRegistration for EntryListener {
    fn encode_add(&self, local_only: bool) -> hazelcast_codec::ClientMessage {
        use hazelcast_codec::messages::Request;
        use hazelcast_codec::messages::map::{MapAddEntryListenerRequest, entry_event_type as t};
        let req = MapAddEntryListenerRequest {
            include_value: true,
            listener_flags: t::ADDED | t::UPDATED | t::REMOVED,
            local_only,
            name: &self.map,
        };
        req.encode(-1)
    }
    fn decode_add_response(
        &self,
        msg: &hazelcast_codec::ClientMessage,
    ) -> Result<hazelcast_codec::Uuid, hazelcast_codec::CodecError> {
        Ok(hazelcast_codec::messages::map::MapAddEntryListenerResponse::decode(msg)?.response)
    }
    fn encode_remove(&self, id: hazelcast_codec::Uuid) -> hazelcast_codec::ClientMessage {
        use hazelcast_codec::messages::Request;
        hazelcast_codec::messages::map::MapRemoveEntryListenerRequest {
            registration_id: id,
            name: &self.map,
        }
        .encode(-1)
    }
    fn on_event(&self, event: hazelcast_codec::ClientMessage) {
        if let Ok(e) = hazelcast_codec::messages::map::MapAddEntryListenerEntryEvent::decode(&event) {
            let _ = self.tx.send(e);
        }
    }
}

async fn listener_delivers_each_change_once(smart: bool) {
    use hazelcast_codec::messages::map::entry_event_type as t;
    let cluster = shared(&CLUSTER).await;
    let (cfg, seeds) = (config(cluster, smart), seeds(cluster));
    let client = ClusterClient::connect(cfg, seeds).await.expect("connect");
    if smart {
        wait_for("3 connections", Duration::from_secs(20), || {
            client.connections().list.len() == 3
        })
        .await;
    }
    // A fresh cluster assigns its partitions on the first partition-bound call: wait for a
    // complete table first (as an application does once, long before), so that no event is
    // published while partitions are first assigned.
    complete_partition_table(&client).await;
    // Both runtime flavours run this at once on the shared cluster: a map of their own.
    static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let map = format!("listened-{smart}-{run}");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    // Keeps the channel open after the listener (and its sender) is dropped on removal.
    let _open = tx.clone();
    let id = client
        .add_listener(Arc::new(EntryListener { map: map.clone(), tx }))
        .await
        .expect("listener");
    let set = |key: String, value: i32| {
        let client = client.clone();
        let map = map.clone();
        async move {
            let (k, v) = (key.to_data(), value.to_data());
            let pid = client.partition_id(&k);
            client
                .invoke(
                    &MapSetRequest {
                        thread_id: 1,
                        ttl: -1,
                        name: &map,
                        key: &k,
                        value: &v,
                    },
                    Target::Partition(pid),
                )
                .await
                .expect("set");
        }
    };
    for i in 0..30 {
        set(format!("k{i}"), i).await;
    }
    set("k0".into(), 100).await; // an update
    let mut added = 0;
    let mut updated = 0;
    // Events come from several members (smart mode) with no order between them: count until
    // every change has been seen.
    while (added, updated) != (30, 1) {
        let ev = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .unwrap_or_else(|_| panic!("events missing: {added} added, {updated} updated"))
            .expect("open");
        match ev.event_type {
            t::ADDED => added += 1,
            t::UPDATED => updated += 1,
            other => panic!("unexpected event type {other}"),
        }
        assert!(
            added <= 30 && updated <= 1,
            "a change was reported twice (smart: {smart})"
        );
    }
    // Asserting an absence (no duplicate arrives late): a short window is the only way.
    assert!(
        !matches!(
            tokio::time::timeout(Duration::from_millis(500), rx.recv()).await,
            Ok(Some(_))
        ),
        "a change was reported twice (smart: {smart})"
    );
    assert!(client.remove_listener(id).await);
    set("after-removal".into(), 1).await;
    // Asserting an absence: a short window is the only way.
    assert!(
        tokio::time::timeout(Duration::from_millis(500), rx.recv())
            .await
            .is_err(),
        "no events after removal"
    );
    client.shutdown().await;
}

flavours!(entry_listener_smart);
async fn entry_listener_smart() {
    listener_delivers_each_change_once(true).await;
}

flavours!(entry_listener_unisocket);
async fn entry_listener_unisocket() {
    listener_delivers_each_change_once(false).await;
}
