//! `Set` against real members: the operations, distinct items, item events, and user types as
//! items.

use std::collections::BTreeSet;
use std::time::Duration;

use hazelcast::serialization::Compact;
use hazelcast::{ClientConfig, HazelcastClient, ItemEventType, Uuid};
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster};

static CLUSTER: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(2).backup_count(1));

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

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn sorted(items: Vec<String>) -> BTreeSet<String> {
    items.into_iter().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation() {
    let client = client().await;
    let s = client.get_set::<String>(&unique("ops")).await.expect("set");
    assert!(s.is_empty().await.expect("is_empty"));
    assert!(s.add("a").await.expect("add"));
    assert!(!s.add("a").await.expect("add again"), "items are distinct");
    assert!(s.add_all(&owned(&["b", "c", "a"])).await.expect("add_all"));
    assert!(!s.add_all(&owned(&["b", "c"])).await.expect("add_all again"));
    assert_eq!(s.size().await.expect("size"), 3);
    assert_eq!(
        s.items().await.expect("items").len(),
        3,
        "no duplicate in the snapshot"
    );
    assert_eq!(
        sorted(s.items().await.expect("items")),
        sorted(owned(&["a", "b", "c"]))
    );
    assert!(s.contains("b").await.expect("contains"));
    assert!(!s.contains("z").await.expect("contains"));
    assert!(s.contains_all(&owned(&["a", "c"])).await.expect("contains_all"));
    assert!(!s.contains_all(&owned(&["a", "z"])).await.expect("contains_all"));
    assert!(s.remove("a").await.expect("remove"));
    assert!(!s.remove("a").await.expect("remove again"));
    assert!(s.add_all(&owned(&["d", "e", "f"])).await.expect("add_all"));
    assert!(s.remove_all(&owned(&["b", "z"])).await.expect("remove_all"));
    assert!(!s.remove_all(&owned(&["b"])).await.expect("remove_all again"));
    assert!(s.retain_all(&owned(&["c", "d", "z"])).await.expect("retain_all"));
    assert!(!s.retain_all(&owned(&["c", "d"])).await.expect("retain_all again"));
    assert_eq!(
        sorted(s.items().await.expect("items")),
        sorted(owned(&["c", "d"]))
    );
    s.clear().await.expect("clear");
    assert!(s.is_empty().await.expect("empty after clear"));
    assert_eq!(s.size().await.expect("size"), 0);
    s.destroy().await.expect("destroy");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item_events_report_additions_and_removals() {
    let client = client().await;
    let s = client.get_set::<i64>(&unique("events")).await.expect("set");
    let mut events = s.item_events(true).await.expect("listener");
    s.add(1).await.expect("add");
    s.add(1).await.expect("add a duplicate: no event");
    s.add(2).await.expect("add");
    s.remove(1).await.expect("remove");
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let event = tokio::time::timeout(Duration::from_secs(10), events.recv())
            .await
            .expect("an event within 10 s")
            .expect("stream open")
            .expect("decodes");
        seen.push((event.event_type, event.item));
    }
    assert_eq!(
        seen,
        [
            (ItemEventType::Added, Some(1)),
            (ItemEventType::Added, Some(2)),
            (ItemEventType::Removed, Some(1)),
        ]
    );
    events.close().await;
    client.shutdown().await;
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename = "com.example.Tag")]
struct Tag {
    key: String,
    weight: i32,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compact_items_are_read_by_another_client() {
    let (writer, reader) = (client().await, client().await);
    let name = unique("tags");
    let tag = Compact(Tag {
        key: "rust".to_owned(),
        weight: 3,
    });
    let out = writer.get_set::<Compact<Tag>>(&name).await.expect("set");
    assert!(out.add(&tag).await.expect("add"));
    let inbox = reader.get_set::<Compact<Tag>>(&name).await.expect("set");
    assert!(inbox.contains(&tag).await.expect("contains"));
    assert!(!inbox.add(&tag).await.expect("the same record again"));
    assert_eq!(inbox.items().await.expect("items"), [tag]);
    writer.shutdown().await;
    reader.shutdown().await;
}
