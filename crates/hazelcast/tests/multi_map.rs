//! `MultiMap` against real members: the operations with the default (set) and a list value
//! collection, keys spread over the partitions of two members, `put_all`, key locks (owners,
//! leases, force unlock, cancelled waits), entry events, and user types.

use std::collections::BTreeSet;
use std::time::Duration;

use hazelcast::serialization::Compact;
use hazelcast::{ClientConfig, EntryEventStream, EntryEventType, HazelcastClient, MultiMap, Uuid};
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster};

/// Multi-maps named `listed-*` keep their values in lists.
static CLUSTER: SharedCluster = SharedCluster::new(|| {
    ClusterConfig::new().members(2).backup_count(1).extra_xml(
        "<multimap name=\"listed-*\"><value-collection-type>LIST</value-collection-type></multimap>",
    )
});

async fn client() -> HazelcastClient {
    tokio::task::spawn_blocking(|| CLUSTER.get().map(|_| ()))
        .await
        .expect("join")
        .expect("a 2-member cluster starts");
    let cluster: &Cluster = CLUSTER.get().expect("cluster");
    let config = ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(cluster.addresses().iter().map(ToString::to_string))
        .invocation_timeout(Duration::from_secs(30))
        .build()
        .expect("valid config");
    HazelcastClient::start(config).await.expect("start")
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4())
}

fn set<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    items.into_iter().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_with_set_values() {
    let client = client().await;
    let m = client
        .get_multi_map::<String, i64>(&unique("ops"))
        .await
        .expect("multi-map");
    assert_eq!(m.size().await.expect("size"), 0);
    assert!(m.put("a", 1).await.expect("put"));
    assert!(
        !m.put("a", 1).await.expect("put again"),
        "a set holds a value once"
    );
    assert!(m.put("a", 2).await.expect("put"));
    assert!(m.put("b", 3).await.expect("put"));
    assert!(m.put("c", 1).await.expect("put"));
    assert_eq!(set(m.get("a").await.expect("get")), set([1, 2]));
    assert_eq!(m.get("zz").await.expect("get absent"), Vec::<i64>::new());
    assert_eq!(m.value_count("a").await.expect("value_count"), 2);
    assert_eq!(m.value_count("zz").await.expect("value_count"), 0);
    assert_eq!(m.size().await.expect("size"), 4);
    assert!(m.contains_key("b").await.expect("contains_key"));
    assert!(!m.contains_key("zz").await.expect("contains_key"));
    assert!(m.contains_value(3).await.expect("contains_value"));
    assert!(!m.contains_value(99).await.expect("contains_value"));
    assert!(m.contains_entry("a", 2).await.expect("contains_entry"));
    assert!(!m.contains_entry("b", 2).await.expect("contains_entry"));
    assert_eq!(
        set(m.key_set().await.expect("key_set")),
        set(["a", "b", "c"].map(String::from))
    );
    let mut values = m.values().await.expect("values");
    values.sort_unstable();
    assert_eq!(values, [1, 1, 2, 3]);
    assert_eq!(
        set(m.entries().await.expect("entries")),
        set([("a", 1), ("a", 2), ("b", 3), ("c", 1)].map(|(k, v)| (k.to_owned(), v)))
    );
    assert!(m.remove_entry("a", 1).await.expect("remove_entry"));
    assert!(!m.remove_entry("a", 1).await.expect("remove_entry again"));
    assert_eq!(m.get("a").await.expect("get"), [2]);
    assert_eq!(m.remove("b").await.expect("remove"), [3]);
    assert_eq!(m.remove("b").await.expect("remove again"), Vec::<i64>::new());
    m.delete("c").await.expect("delete");
    assert!(!m.contains_key("c").await.expect("contains_key after delete"));
    assert_eq!(m.size().await.expect("size"), 1);
    m.clear().await.expect("clear");
    assert_eq!(m.size().await.expect("size after clear"), 0);
    m.destroy().await.expect("destroy");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_values_keep_duplicates_in_order() {
    let client = client().await;
    let m = client
        .get_multi_map::<String, String>(&unique("listed"))
        .await
        .expect("multi-map");
    for v in ["x", "y", "x", "z"] {
        assert!(m.put("k", v).await.expect("put"), "a list always takes the value");
    }
    assert_eq!(m.get("k").await.expect("get"), ["x", "y", "x", "z"]);
    assert_eq!(m.value_count("k").await.expect("value_count"), 4);
    assert!(m.remove_entry("k", "x").await.expect("remove_entry"));
    assert_eq!(m.get("k").await.expect("get"), ["y", "x", "z"], "one x removed");
    assert_eq!(m.remove("k").await.expect("remove"), ["y", "x", "z"]);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_on_both_members_are_read_by_another_client() {
    let (writer, reader) = (client().await, client().await);
    let name = unique("spread");
    let out = writer.get_multi_map::<i64, i64>(&name).await.expect("multi-map");
    for k in 0..60 {
        out.put(k, k * 10).await.expect("put");
        out.put(k, k * 10 + 1).await.expect("put");
    }
    let m = reader.get_multi_map::<i64, i64>(&name).await.expect("multi-map");
    assert_eq!(m.size().await.expect("size"), 120);
    assert_eq!(set(m.key_set().await.expect("key_set")), set(0..60));
    for k in 0..60 {
        assert_eq!(
            set(m.get(k).await.expect("get")),
            set([k * 10, k * 10 + 1]),
            "key {k}"
        );
    }
    writer.shutdown().await;
    reader.shutdown().await;
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename = "com.example.Author")]
struct Author {
    name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename = "com.example.Book")]
struct Book {
    title: String,
    year: i32,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compact_keys_and_values() {
    let (writer, reader) = (client().await, client().await);
    let name = unique("books");
    let author = Compact(Author {
        name: "Le Guin".to_owned(),
    });
    let books = [("The Dispossessed", 1974), ("The Lathe of Heaven", 1971)].map(|(t, y)| {
        Compact(Book {
            title: t.to_owned(),
            year: y,
        })
    });
    let out = writer
        .get_multi_map::<Compact<Author>, Compact<Book>>(&name)
        .await
        .expect("multi-map");
    for b in &books {
        assert!(out.put(&author, b).await.expect("put"));
    }
    let m = reader
        .get_multi_map::<Compact<Author>, Compact<Book>>(&name)
        .await
        .expect("multi-map");
    assert_eq!(
        set(m.get(&author).await.expect("get").into_iter().map(|c| c.0)),
        set(books.iter().map(|c| c.0.clone()))
    );
    assert!(
        m.contains_entry(&author, &books[1])
            .await
            .expect("contains_entry")
    );
    assert_eq!(m.key_set().await.expect("key_set"), [author]);
    writer.shutdown().await;
    reader.shutdown().await;
}

/// The next event of `events` within 10 s.
async fn next(events: &mut EntryEventStream<String, i64>) -> hazelcast::EntryEvent<String, i64> {
    tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("an event within 10 s")
        .expect("stream open")
        .expect("decodes")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entry_events_report_each_value() {
    let client = client().await;
    let m = client
        .get_multi_map::<String, i64>(&unique("events"))
        .await
        .expect("multi-map");
    let mut events = m.entry_events(true).await.expect("listener");
    m.put("a", 1).await.expect("put");
    m.put("a", 2).await.expect("put");
    m.remove_entry("a", 1).await.expect("remove_entry");
    m.remove("a").await.expect("remove");
    let mut seen = Vec::new();
    for _ in 0..4 {
        let e = next(&mut events).await;
        seen.push((e.event_type, e.key, e.value, e.old_value));
    }
    let a = Some("a".to_owned());
    assert_eq!(
        seen,
        [
            (EntryEventType::Added, a.clone(), Some(1), None),
            (EntryEventType::Added, a.clone(), Some(2), None),
            (EntryEventType::Removed, a.clone(), None, Some(1)),
            (EntryEventType::Removed, a, None, Some(2)),
        ]
    );
    m.put("b", 5).await.expect("put");
    m.put("c", 6).await.expect("put");
    m.clear().await.expect("clear");
    let mut clear = None;
    while clear.is_none() {
        let e = next(&mut events).await;
        if e.event_type == EntryEventType::ClearAll {
            clear = Some(e);
        }
    }
    let clear = clear.expect("a clear event");
    assert_eq!((clear.key, clear.number_of_affected_entries), (None, 2));
    events.close().await;
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_entry_events_only_report_that_key() {
    let client = client().await;
    let m = client
        .get_multi_map::<String, i64>(&unique("key-events"))
        .await
        .expect("multi-map");
    let mut events = m.key_entry_events("watched", false).await.expect("listener");
    m.put("other", 1).await.expect("put");
    m.put("watched", 2).await.expect("put");
    m.remove_entry("other", 1).await.expect("remove_entry");
    m.remove_entry("watched", 2).await.expect("remove_entry");
    let first = next(&mut events).await;
    let second = next(&mut events).await;
    assert_eq!(
        [
            (first.event_type, first.key, first.value, first.old_value),
            (second.event_type, second.key, second.value, second.old_value)
        ],
        [
            (EntryEventType::Added, Some("watched".to_owned()), None, None),
            (EntryEventType::Removed, Some("watched".to_owned()), None, None),
        ],
        "no event of the other key, no values"
    );
    events.close().await;
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_all_is_visible_through_get() {
    let (writer, reader) = (client().await, client().await);
    let name = unique("put-all");
    let out = writer.get_multi_map::<i64, i64>(&name).await.expect("multi-map");
    out.put(0, -1).await.expect("put");
    // 50 keys over both members' partitions, 3 values each; key 0 already had one value.
    out.put_all((0..50).map(|k| (k, [k * 10, k * 10 + 1, k * 10 + 2])))
        .await
        .expect("put_all");
    out.put_all([(7, Vec::<i64>::new())])
        .await
        .expect("a key without values");
    out.put_all(Vec::<(i64, Vec<i64>)>::new())
        .await
        .expect("nothing at all");
    let m = reader.get_multi_map::<i64, i64>(&name).await.expect("multi-map");
    assert_eq!(m.size().await.expect("size"), 151);
    assert_eq!(set(m.get(0).await.expect("get")), set([-1, 0, 1, 2]));
    for k in 1..50 {
        assert_eq!(
            set(m.get(k).await.expect("get")),
            set([k * 10, k * 10 + 1, k * 10 + 2]),
            "key {k}"
        );
    }
    assert_eq!(m.value_count(50).await.expect("value_count"), 0);
    writer.shutdown().await;
    reader.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_all_into_lists_keeps_every_value() {
    let client = client().await;
    let m = client
        .get_multi_map::<String, String>(&unique("listed-put-all"))
        .await
        .expect("multi-map");
    m.put_all([("k", vec!["x", "x", "y"]), ("j", vec!["z"])])
        .await
        .expect("put_all");
    assert_eq!(m.get("k").await.expect("get"), ["x", "x", "y"]);
    assert_eq!(m.get("j").await.expect("get"), ["z"]);
    client.shutdown().await;
}

/// A client and two owners of one new multi-map (two `get_multi_map` calls).
async fn two_owners(prefix: &str) -> (HazelcastClient, MultiMap<String, i64>, MultiMap<String, i64>) {
    let client = client().await;
    let name = unique(prefix);
    let a = client
        .get_multi_map::<String, i64>(&name)
        .await
        .expect("multi-map");
    let b = client
        .get_multi_map::<String, i64>(&name)
        .await
        .expect("multi-map");
    (client, a, b)
}

const SHORT: Duration = Duration::from_millis(300);
const LONG: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_holds_off_other_owners_until_unlock() {
    let (client, a, b) = two_owners("lock").await;
    assert!(!a.is_locked("k").await.expect("is_locked"));
    a.lock("k").await.expect("lock");
    assert!(a.is_locked("k").await.expect("is_locked"));
    assert!(b.is_locked("k").await.expect("is_locked by another owner"));
    assert!(
        !b.try_lock("k", SHORT).await.expect("try_lock"),
        "another owner's"
    );
    assert!(!b.try_lock("k", Duration::ZERO).await.expect("try_lock"));
    assert!(
        b.try_lock("other", Duration::ZERO)
            .await
            .expect("another key is free")
    );
    b.unlock("other").await.expect("unlock the other key");
    assert!(
        b.unlock("k").await.is_err(),
        "an owner that does not hold the lock cannot unlock it"
    );

    // The owner writes the locked key; another owner's write waits for the unlock.
    assert!(a.put("k", 1).await.expect("the owner's put"));
    let blocked = tokio::spawn({
        let b = b.clone();
        async move { b.put("k", 2).await }
    });
    let mut blocked = std::pin::pin!(blocked);
    assert!(
        tokio::time::timeout(SHORT, &mut blocked).await.is_err(),
        "another owner's put waits while the key is locked"
    );
    assert_eq!(a.get("k").await.expect("get"), [1]);

    // Reentrant: a clone is the same owner, and it takes as many unlocks.
    let same = a.clone();
    assert!(
        same.try_lock("k", Duration::ZERO)
            .await
            .expect("reentrant try_lock")
    );
    a.unlock("k").await.expect("unlock once");
    assert!(a.is_locked("k").await.expect("is_locked"), "still held once");
    let waiter = tokio::spawn({
        let b = b.clone();
        async move { b.lock("k").await }
    });
    same.unlock("k").await.expect("unlock twice");
    tokio::time::timeout(LONG, &mut blocked)
        .await
        .expect("the waiting put ends after the unlock")
        .expect("join")
        .expect("put");
    tokio::time::timeout(LONG, waiter)
        .await
        .expect("the waiting lock is granted after the unlock")
        .expect("join")
        .expect("lock");
    assert_eq!(set(a.get("k").await.expect("get")), set([1, 2]));
    assert!(
        !a.try_lock("k", Duration::ZERO).await.expect("try_lock"),
        "b holds it now"
    );
    b.unlock("k").await.expect("unlock");
    assert!(!a.is_locked("k").await.expect("is_locked"));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_releases_the_lock() {
    let (client, a, b) = two_owners("lease").await;
    let lease = Duration::from_secs(2);
    let start = tokio::time::Instant::now();
    a.lock_with_lease("k", lease).await.expect("lock_with_lease");
    assert!(!b.try_lock("k", Duration::ZERO).await.expect("try_lock"));
    assert!(
        b.try_lock_with_lease("k", LONG, lease)
            .await
            .expect("try_lock_with_lease"),
        "granted once the lease ran out"
    );
    let waited = start.elapsed();
    assert!(
        waited >= lease - Duration::from_millis(200) && waited < LONG,
        "granted after the lease, in {waited:?}"
    );
    assert!(
        !a.try_lock("k", Duration::ZERO).await.expect("try_lock"),
        "b holds it now"
    );
    assert!(
        a.try_lock("k", LONG).await.expect("try_lock"),
        "b's lease runs out as well"
    );
    a.unlock("k").await.expect("unlock");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn force_unlock_releases_any_owner() {
    let (client, a, b) = two_owners("force").await;
    a.lock("k").await.expect("lock");
    a.lock("k").await.expect("lock again");
    b.force_unlock("k").await.expect("force_unlock");
    assert!(!a.is_locked("k").await.expect("is_locked"), "every hold released");
    assert!(b.try_lock("k", Duration::ZERO).await.expect("try_lock"));
    assert!(a.unlock("k").await.is_err(), "a holds it no more");
    b.force_unlock("k").await.expect("force_unlock");
    b.force_unlock("k").await.expect("force_unlock of a free key");
    assert!(!b.is_locked("k").await.expect("is_locked"));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_owner_is_another_owner() {
    let (client, a, _) = two_owners("new-owner").await;
    let c = a.new_owner();
    assert_eq!(c.name(), a.name());
    a.lock("k").await.expect("lock");
    assert!(!c.try_lock("k", Duration::ZERO).await.expect("try_lock"));
    a.unlock("k").await.expect("unlock");
    assert!(c.try_lock("k", Duration::ZERO).await.expect("try_lock"));
    c.unlock("k").await.expect("unlock");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_lock_future_leaves_nothing_locked() {
    let (client, a, b) = two_owners("dropped").await;
    let c = a.new_owner();
    a.lock("k").await.expect("lock");
    for dropped in [
        tokio::time::timeout(SHORT, b.lock("k")).await.is_err(),
        tokio::time::timeout(SHORT, b.try_lock("k", LONG)).await.is_err(),
    ] {
        assert!(
            dropped,
            "the lock calls wait while a holds the lock, and are dropped"
        );
    }
    // The member still holds b's waits: the unlock grants the lock to one of them, whose task
    // finds its caller gone and unlocks, and the other's in turn.
    a.unlock("k").await.expect("unlock");
    assert!(
        c.try_lock("k", LONG).await.expect("try_lock"),
        "the lock granted to dropped calls is released again"
    );
    assert!(
        !b.try_lock("k", Duration::ZERO).await.expect("try_lock"),
        "c holds it"
    );
    c.unlock("k").await.expect("unlock");
    assert!(!a.is_locked("k").await.expect("is_locked"));
    client.shutdown().await;
}
