//! `ReplicatedMap` against real members: every operation on 1 and 3 members, a value put through
//! one member read through each member of a 3-member cluster, TTLs, and entry events.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use hazelcast::{ClientConfig, EntryEvent, EntryEventStream, EntryEventType, HazelcastClient, Uuid};
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster};

static CLUSTER: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(3));

async fn cluster() -> &'static Cluster {
    tokio::task::spawn_blocking(|| CLUSTER.get().map(|_| ()))
        .await
        .expect("join")
        .expect("a 3-member cluster starts");
    CLUSTER.get().expect("cluster")
}

async fn connect(cluster: &Cluster, seeds: &[std::net::SocketAddr], smart: bool) -> HazelcastClient {
    let config = ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(seeds.iter().map(ToString::to_string))
        .smart_routing(smart)
        .invocation_timeout(Duration::from_secs(30))
        .build()
        .expect("valid config");
    HazelcastClient::start(config).await.expect("start")
}

async fn client() -> HazelcastClient {
    let cluster = cluster().await;
    connect(cluster, &cluster.addresses(), true).await
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4())
}

/// The next event within `within`, failing the test otherwise.
async fn next<K, V>(events: &mut EntryEventStream<K, V>, within: Duration) -> EntryEvent<K, V>
where
    K: hazelcast::serialization::FromData,
    V: hazelcast::serialization::FromData,
{
    tokio::time::timeout(within, events.recv())
        .await
        .expect("an event in time")
        .expect("stream open")
        .expect("event decodes")
}

/// Polls `check` until it holds, for at most 30 s: whole-map reads go to the owner of one
/// partition, which may not have received the latest replication yet.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn every_operation(client: &HazelcastClient) {
    let map = client
        .get_replicated_map::<String, i64>(&unique("ops"))
        .await
        .expect("replicated map");
    assert!(map.is_empty().await.expect("is_empty"));
    assert_eq!(map.size().await.expect("size"), 0);
    assert_eq!(map.get("a").await.expect("get absent"), None);
    assert_eq!(map.put("a", 1).await.expect("put"), None);
    assert_eq!(map.put("a", 2).await.expect("put again"), Some(1));
    // Reads of one key go to the key's owner, which took the write.
    assert_eq!(map.get("a").await.expect("get"), Some(2));
    map.put_all([("b", 3), ("c", 4)]).await.expect("put_all");
    assert!(map.contains_key("b").await.expect("contains_key"));
    assert_eq!(map.get("c").await.expect("get"), Some(4));
    assert!(!map.contains_key("z").await.expect("contains_key absent"));
    let expected = BTreeMap::from([("a".to_owned(), 2), ("b".to_owned(), 3), ("c".to_owned(), 4)]);
    eventually("every entry is replicated", || async {
        let entries: BTreeMap<String, i64> = map.entries().await.expect("entries").into_iter().collect();
        entries == expected
    })
    .await;
    assert_eq!(map.size().await.expect("size"), 3);
    assert!(!map.is_empty().await.expect("is_empty"));
    assert!(map.contains_value(4).await.expect("contains_value"));
    assert!(!map.contains_value(99).await.expect("contains_value absent"));
    let mut keys = map.key_set().await.expect("key_set");
    keys.sort();
    assert_eq!(keys, ["a", "b", "c"]);
    let mut values = map.values().await.expect("values");
    values.sort();
    assert_eq!(values, [2, 3, 4]);
    assert_eq!(map.remove("b").await.expect("remove"), Some(3));
    assert_eq!(map.remove("b").await.expect("remove again"), None);
    assert!(!map.contains_key("b").await.expect("contains_key removed"));
    eventually("the removal is replicated", || async {
        map.size().await.expect("size after remove") == 2
    })
    .await;
    map.clear().await.expect("clear");
    eventually("the clear is replicated", || async {
        map.is_empty().await.expect("empty after clear")
    })
    .await;
    assert_eq!(map.get("a").await.expect("get after clear"), None);
    map.destroy().await.expect("destroy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_on_three_members() {
    let client = client().await;
    every_operation(&client).await;
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_on_one_member() {
    let cluster = tokio::task::spawn_blocking(|| ClusterConfig::new().members(1).start())
        .await
        .expect("join")
        .expect("a 1-member cluster starts");
    let client = connect(&cluster, &cluster.addresses(), true).await;
    every_operation(&client).await;
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_put_through_one_member_is_readable_through_every_member() {
    let cluster = cluster().await;
    let addresses = cluster.addresses();
    assert_eq!(addresses.len(), 3);
    let name = unique("everywhere");
    // One unisocket client per member: each talks to its own member only.
    let mut clients = Vec::new();
    for addr in &addresses {
        clients.push(connect(cluster, std::slice::from_ref(addr), false).await);
    }
    let writer = clients[0]
        .get_replicated_map::<String, String>(&name)
        .await
        .expect("replicated map");
    let pairs: Vec<(String, String)> = (0..20).map(|i| (format!("k{i}"), format!("v{i}"))).collect();
    writer.put_all(pairs.iter().cloned()).await.expect("put_all");
    writer.put("single", "one").await.expect("put");

    for (i, client) in clients.iter().enumerate() {
        let conns = client
            .cluster_client()
            .expect("connected")
            .connections()
            .list
            .len();
        assert_eq!(conns, 1, "client {i} is unisocket");
        let map = client
            .get_replicated_map::<String, String>(&name)
            .await
            .expect("replicated map");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let size = map.size().await.expect("size");
            let single = map.get("single").await.expect("get");
            let last = map.get("k19").await.expect("get");
            if size == 21 && single.as_deref() == Some("one") && last.as_deref() == Some("v19") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "member {i} sees size {size}, single {single:?}, k19 {last:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(map.contains_value("v7").await.expect("contains_value"));
    }
    for client in clients {
        client.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_put_with_a_ttl_expires() {
    let client = client().await;
    let map = client
        .get_replicated_map::<String, i64>(&unique("ttl"))
        .await
        .expect("replicated map");
    let mut events = map.entry_events().await.expect("listener");
    let ttl = Duration::from_secs(2);
    let before = Instant::now();
    map.put_with_ttl("short", 1, ttl).await.expect("put with ttl");
    let first = map.get("short").await.expect("get");
    // Present while the time to live cannot have run out yet (a loaded machine may take longer
    // than that between the two calls; then only the expiry below is checked).
    if before.elapsed() < ttl {
        assert_eq!(first, Some(1));
    }
    map.put("forever", 2).await.expect("put");
    let deadline = Instant::now() + Duration::from_secs(30);
    while map.get("short").await.expect("get").is_some() {
        assert!(Instant::now() < deadline, "the entry did not expire");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(map.get("forever").await.expect("get"), Some(2));
    let mut evicted = None;
    let deadline = Instant::now() + Duration::from_secs(30);
    while evicted.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        let e = next(&mut events, left).await;
        if e.event_type == EntryEventType::Evicted {
            evicted = Some(e);
        }
    }
    assert_eq!(evicted.expect("evicted").key.as_deref(), Some("short"));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entry_events_of_the_map_and_of_one_key() {
    let client = client().await;
    let map = client
        .get_replicated_map::<String, i64>(&unique("events"))
        .await
        .expect("replicated map");
    let mut all = map.entry_events().await.expect("listener");
    let mut one = map.key_entry_events("watched").await.expect("key listener");
    let within = Duration::from_secs(20);

    map.put("other", 1).await.expect("put");
    map.put("watched", 10).await.expect("put");
    map.put("watched", 11).await.expect("update");
    map.remove("watched").await.expect("remove");

    let mut seen = Vec::new();
    for _ in 0..4 {
        let e = next(&mut all, within).await;
        seen.push((e.event_type, e.key, e.value, e.old_value));
    }
    // Events of one key come in order; `other` and `watched` live in different partitions.
    let watched: Vec<_> = seen
        .iter()
        .filter(|(_, k, _, _)| k.as_deref() == Some("watched"))
        .cloned()
        .collect();
    assert_eq!(
        watched,
        [
            (EntryEventType::Added, Some("watched".to_owned()), Some(10), None),
            (
                EntryEventType::Updated,
                Some("watched".to_owned()),
                Some(11),
                Some(10)
            ),
            (
                EntryEventType::Removed,
                Some("watched".to_owned()),
                None,
                Some(11)
            ),
        ]
    );
    assert!(seen.contains(&(EntryEventType::Added, Some("other".to_owned()), Some(1), None)));

    // The key listener saw its key only.
    let mut mine = Vec::new();
    for _ in 0..3 {
        let e = next(&mut one, within).await;
        mine.push((e.event_type, e.key));
    }
    assert_eq!(
        mine,
        [
            (EntryEventType::Added, Some("watched".to_owned())),
            (EntryEventType::Updated, Some("watched".to_owned())),
            (EntryEventType::Removed, Some("watched".to_owned())),
        ]
    );

    // A clear is reported to both, without a key. (It is not ordered with the events of the
    // keys' partitions, so it is made only after those arrived.)
    map.clear().await.expect("clear");
    let e = next(&mut all, within).await;
    assert_eq!((e.event_type, e.key), (EntryEventType::ClearAll, None));
    let e = next(&mut one, within).await;
    assert_eq!((e.event_type, e.key), (EntryEventType::ClearAll, None));
    map.put("other", 2).await.expect("put");
    map.put("watched", 12).await.expect("put");
    let e = next(&mut one, within).await;
    assert_eq!((e.event_type, e.value), (EntryEventType::Added, Some(12)));

    // Shutdown ends the streams (after the events already queued: at most the last two).
    client.shutdown().await;
    let mut left = 0;
    while tokio::time::timeout(Duration::from_secs(10), all.recv())
        .await
        .expect("stream ends after shutdown")
        .is_some()
    {
        left += 1;
        assert!(left <= 2, "more events than were sent");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_of_keys_owned_by_every_member_reach_one_listener() {
    let client = client().await;
    let map = client
        .get_replicated_map::<i64, i64>(&unique("spread"))
        .await
        .expect("replicated map");
    let mut events = map.entry_events().await.expect("listener");
    // 60 keys spread over the 271 partitions, hence over the 3 members.
    for k in 0..60 {
        map.put(k, k * 10).await.expect("put");
    }
    let members: HashSet<Uuid> = client.members().iter().map(|m| m.uuid).collect();
    assert_eq!(members.len(), 3);
    let mut added = BTreeMap::new();
    let mut senders = HashSet::new();
    while added.len() < 60 {
        let e = next(&mut events, Duration::from_secs(20)).await;
        assert_eq!(e.event_type, EntryEventType::Added);
        assert!(members.contains(&e.member), "event from a cluster member");
        senders.insert(e.member);
        let key = e.key.expect("key");
        assert!(added.insert(key, e.value).is_none(), "key {key} reported twice");
    }
    for (k, v) in &added {
        assert_eq!(*v, Some(k * 10));
    }
    assert!(senders.len() > 1, "events came from {} member(s)", senders.len());
    client.shutdown().await;
}
