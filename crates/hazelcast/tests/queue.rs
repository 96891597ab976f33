//! `Queue` against real members: the operations, blocking takes, cancel-safety of a take, item
//! events, and user types as items.

use std::time::{Duration, Instant};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation() {
    let client = client().await;
    let q = client.get_queue::<String>(&unique("ops")).await.expect("queue");
    assert!(q.is_empty().await.expect("is_empty"));
    assert_eq!(q.poll().await.expect("poll empty"), None);
    assert!(q.offer("a").await.expect("offer"));
    q.put("b").await.expect("put");
    let more = ["c".to_owned(), "d".to_owned(), "e".to_owned()];
    assert!(q.add_all(&more).await.expect("add_all"));
    assert_eq!(q.size().await.expect("size"), 5);
    assert_eq!(q.peek().await.expect("peek").as_deref(), Some("a"));
    assert!(q.contains("c").await.expect("contains"));
    assert!(!q.contains("z").await.expect("contains"));
    assert!(q.contains_all(&more).await.expect("contains_all"));
    assert_eq!(q.items().await.expect("items"), ["a", "b", "c", "d", "e"]);
    assert!(q.remove("d").await.expect("remove"));
    assert!(!q.remove("d").await.expect("remove again"));
    assert_eq!(q.poll().await.expect("poll").as_deref(), Some("a"));
    assert_eq!(q.drain(2).await.expect("drain"), ["b", "c"]);
    assert_eq!(q.take().await.expect("take"), "e");
    assert!(q.remaining_capacity().await.expect("capacity") > 1_000_000);
    q.offer("x").await.expect("offer");
    q.clear().await.expect("clear");
    assert!(q.is_empty().await.expect("empty after clear"));
    q.destroy().await.expect("destroy");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn take_waits_for_an_item_and_poll_timeout_gives_up() {
    let client = client().await;
    let q = client.get_queue::<i64>(&unique("take")).await.expect("queue");
    let started = Instant::now();
    assert_eq!(
        q.poll_timeout(Duration::from_millis(300)).await.expect("poll"),
        None
    );
    assert!(started.elapsed() >= Duration::from_millis(300), "it waited");

    let taker = {
        let q = q.clone();
        tokio::spawn(async move { q.take().await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!taker.is_finished(), "take returned without an item");
    q.offer(7).await.expect("offer");
    let got = tokio::time::timeout(Duration::from_secs(10), taker)
        .await
        .expect("take ends")
        .expect("join")
        .expect("take");
    assert_eq!(got, 7);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_take_loses_no_item() {
    let client = client().await;
    let q = client
        .get_queue::<String>(&unique("cancel"))
        .await
        .expect("queue");
    for round in 0..5 {
        let taker = {
            let q = q.clone();
            tokio::spawn(async move { q.take().await })
        };
        // Let the take reach the member (or not: either way no item may be lost).
        tokio::time::sleep(Duration::from_millis(100 + 50 * round)).await;
        taker.abort();
        let _ = taker.await;
        let item = format!("item-{round}");
        assert!(q.offer(item.as_str()).await.expect("offer"));
        let back = q.poll_timeout(Duration::from_secs(10)).await.expect("poll");
        assert_eq!(
            back.as_deref(),
            Some(item.as_str()),
            "round {round}: the item is still in the queue"
        );
    }
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item_events_report_additions_and_removals() {
    let client = client().await;
    let q = client
        .get_queue::<String>(&unique("events"))
        .await
        .expect("queue");
    let mut events = q.item_events(true).await.expect("listener");
    q.offer("one").await.expect("offer");
    q.poll().await.expect("poll");
    let mut seen = Vec::new();
    while seen.len() < 2 {
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
            (ItemEventType::Removed, Some("one".to_owned())),
        ]
    );
    events.close().await;
    client.shutdown().await;
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename = "com.example.Job")]
struct Job {
    id: i64,
    payload: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compact_items_are_read_by_another_client() {
    let (producer, consumer) = (client().await, client().await);
    let name = unique("jobs");
    let out = producer.get_queue::<Compact<Job>>(&name).await.expect("queue");
    for id in 0..5 {
        out.offer(Compact(Job {
            id,
            payload: format!("p{id}"),
        }))
        .await
        .expect("offer");
    }
    let inbox = consumer.get_queue::<Compact<Job>>(&name).await.expect("queue");
    for id in 0..5 {
        let Compact(job) = inbox.take().await.expect("take");
        assert_eq!(
            job,
            Job {
                id,
                payload: format!("p{id}")
            }
        );
    }
    producer.shutdown().await;
    consumer.shutdown().await;
}
