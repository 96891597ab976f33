//! `MultiMap` against real members: the operations with the default (set) and a list value
//! collection, keys spread over the partitions of two members, entry events, and user types.

use std::collections::BTreeSet;
use std::time::Duration;

use hazelcast::serialization::Compact;
use hazelcast::{ClientConfig, EntryEventType, HazelcastClient, MultiMapEventStream, Uuid};
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
async fn next(events: &mut MultiMapEventStream<String, i64>) -> hazelcast::EntryEvent<String, i64> {
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
