//! `List` against real members: the operations, positions out of range, item events, and user
//! types as items.

use std::time::Duration;

use hazelcast::serialization::Compact;
use hazelcast::{ClientConfig, HazelcastClient, HazelcastError, InvocationError, ItemEventType, Uuid};
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation() {
    let client = client().await;
    let l = client.get_list::<String>(&unique("ops")).await.expect("list");
    assert!(l.is_empty().await.expect("is_empty"));
    assert!(l.add("a").await.expect("add"));
    assert!(l.add("c").await.expect("add"));
    l.add_at(1, "b").await.expect("add_at");
    assert!(l.add_all(&owned(&["d", "b"])).await.expect("add_all"));
    assert!(l.add_all_at(0, &owned(&["x", "y"])).await.expect("add_all_at"));
    assert_eq!(
        l.items().await.expect("items"),
        ["x", "y", "a", "b", "c", "d", "b"]
    );
    assert_eq!(l.size().await.expect("size"), 7);
    assert!(!l.is_empty().await.expect("is_empty"));
    assert_eq!(l.get(3).await.expect("get").as_deref(), Some("b"));
    assert_eq!(l.set(3, "B").await.expect("set").as_deref(), Some("b"));
    assert_eq!(l.get(3).await.expect("get").as_deref(), Some("B"));
    assert_eq!(l.index_of("b").await.expect("index_of"), Some(6));
    assert_eq!(l.index_of("zz").await.expect("index_of"), None);
    assert!(l.add("a").await.expect("add"));
    assert_eq!(l.last_index_of("a").await.expect("last_index_of"), Some(7));
    assert_eq!(l.sub_list(1, 4).await.expect("sub_list"), ["y", "a", "B"]);
    assert!(l.contains("c").await.expect("contains"));
    assert!(!l.contains("zz").await.expect("contains"));
    assert!(l.contains_all(&owned(&["x", "d"])).await.expect("contains_all"));
    assert!(!l.contains_all(&owned(&["x", "zz"])).await.expect("contains_all"));
    assert_eq!(l.remove_at(0).await.expect("remove_at").as_deref(), Some("x"));
    assert!(l.remove("a").await.expect("remove"), "first a removed");
    assert_eq!(l.items().await.expect("items"), ["y", "B", "c", "d", "b", "a"]);
    assert!(!l.remove("zz").await.expect("remove absent"));
    assert!(l.remove_all(&owned(&["y", "b"])).await.expect("remove_all"));
    assert!(!l.remove_all(&owned(&["y"])).await.expect("remove_all again"));
    assert_eq!(l.items().await.expect("items"), ["B", "c", "d", "a"]);
    assert!(l.retain_all(&owned(&["c", "a", "zz"])).await.expect("retain_all"));
    assert!(!l.retain_all(&owned(&["c", "a"])).await.expect("retain_all again"));
    assert_eq!(l.items().await.expect("items"), ["c", "a"]);
    l.clear().await.expect("clear");
    assert!(l.is_empty().await.expect("empty after clear"));
    assert_eq!(l.items().await.expect("items"), Vec::<String>::new());
    l.destroy().await.expect("destroy");
    client.shutdown().await;
}

fn is_out_of_bounds(e: &HazelcastError) -> bool {
    matches!(e, HazelcastError::Invocation(InvocationError::Server(s)) if s.class_name.contains("IndexOutOfBounds"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn positions_out_of_range_are_errors() {
    let client = client().await;
    let l = client.get_list::<i64>(&unique("bounds")).await.expect("list");
    l.add(1).await.expect("add");
    let get = l.get(5).await.expect_err("get past the end");
    assert!(is_out_of_bounds(&get), "{get:?}");
    let set = l.set(1, 2).await.expect_err("set past the end");
    assert!(is_out_of_bounds(&set), "{set:?}");
    let add = l.add_at(usize::MAX, 2).await.expect_err("add far past the end");
    assert!(is_out_of_bounds(&add), "{add:?}");
    let remove = l.remove_at(3).await.expect_err("remove past the end");
    assert!(is_out_of_bounds(&remove), "{remove:?}");
    assert_eq!(l.items().await.expect("items"), [1], "nothing changed");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item_events_report_additions_and_removals() {
    let client = client().await;
    let l = client.get_list::<String>(&unique("events")).await.expect("list");
    let mut events = l.item_events(true).await.expect("listener");
    let mut bare = l.item_events(false).await.expect("listener without items");
    l.add("one").await.expect("add");
    l.add_at(0, "two").await.expect("add_at");
    l.remove_at(1).await.expect("remove_at");
    l.remove("two").await.expect("remove");
    let mut seen = Vec::new();
    while seen.len() < 4 {
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
            (ItemEventType::Added, Some("one".to_owned())),
            (ItemEventType::Added, Some("two".to_owned())),
            // The member publishes a removal by position before it reads the item.
            (ItemEventType::Removed, None),
            (ItemEventType::Removed, Some("two".to_owned())),
        ]
    );
    let first = tokio::time::timeout(Duration::from_secs(10), bare.recv())
        .await
        .expect("an event within 10 s")
        .expect("stream open")
        .expect("decodes");
    assert_eq!((first.event_type, first.item), (ItemEventType::Added, None));
    events.close().await;
    bare.close().await;
    client.shutdown().await;
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename = "com.example.Step")]
struct Step {
    order: i32,
    label: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compact_items_are_read_by_another_client() {
    let (writer, reader) = (client().await, client().await);
    let name = unique("steps");
    let out = writer.get_list::<Compact<Step>>(&name).await.expect("list");
    let steps: Vec<_> = (0..4)
        .map(|order| {
            Compact(Step {
                order,
                label: format!("s{order}"),
            })
        })
        .collect();
    assert!(out.add_all(&steps).await.expect("add_all"));
    let inbox = reader.get_list::<Compact<Step>>(&name).await.expect("list");
    assert_eq!(inbox.items().await.expect("items"), steps);
    assert_eq!(inbox.index_of(&steps[2]).await.expect("index_of"), Some(2));
    writer.shutdown().await;
    reader.shutdown().await;
}
