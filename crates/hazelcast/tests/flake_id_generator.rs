//! `FlakeIdGenerator` against real members: ids unique across clients and many concurrent
//! tasks, batches reused until they expire.

use std::collections::HashSet;
use std::time::Duration;

use hazelcast::{FlakeIdGenerator, HazelcastClient, HazelcastError, Uuid};
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster};

static CLUSTER: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(2));

async fn client() -> HazelcastClient {
    tokio::task::spawn_blocking(|| CLUSTER.get().map(|_| ()))
        .await
        .expect("join")
        .expect("a 2-member cluster starts");
    let cluster: &Cluster = CLUSTER.get().expect("cluster");
    let config = hazelcast::ClientConfig::builder()
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

/// The timestamp part of a flake id (milliseconds since the generator's epoch).
fn millis_of(id: i64) -> i64 {
    id >> 22
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_are_unique_across_clients_and_concurrent_tasks() {
    const CLIENTS: usize = 3;
    const TASKS: usize = 40;
    const IDS_PER_TASK: usize = 60;
    let name = unique("ids");
    let mut clients = Vec::new();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let client = client().await;
        let generator = client.get_flake_id_generator(&name).await.expect("generator");
        for _ in 0..TASKS {
            let generator = generator.clone();
            tasks.push(tokio::spawn(async move {
                let mut ids = Vec::with_capacity(IDS_PER_TASK);
                for _ in 0..IDS_PER_TASK {
                    ids.push(generator.new_id().await.expect("new_id"));
                    tokio::task::yield_now().await;
                }
                ids
            }));
        }
        clients.push(client);
    }
    let mut all = HashSet::new();
    for task in tasks {
        for id in task.await.expect("task") {
            assert!(all.insert(id), "id {id} handed out twice");
        }
    }
    assert_eq!(all.len(), CLIENTS * TASKS * IDS_PER_TASK);
    for client in clients {
        client.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_serves_ids_until_it_expires() {
    let client = client().await;
    let name = unique("expiry");
    let reused = client.get_flake_id_generator(&name).await.expect("generator");
    let expiring = reused
        .with_prefetch(100, Duration::from_millis(200))
        .expect("valid prefetch");

    let (a1, b1) = (
        reused.new_id().await.expect("id"),
        expiring.new_id().await.expect("id"),
    );
    // Waiting is the point: the second batch must be older than its validity.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (a2, b2) = (
        reused.new_id().await.expect("id"),
        expiring.new_id().await.expect("id"),
    );

    assert!(a2 > a1 && b2 > b1, "ids grow: {a1} {a2} {b1} {b2}");
    assert!(
        millis_of(a2) - millis_of(a1) < 100,
        "the default generator took the second id from its first batch ({a1}, {a2})"
    );
    assert!(
        millis_of(b2) - millis_of(b1) >= 400,
        "the expiring generator fetched a new batch ({b1}, {b2})"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_one_fetches_every_id_and_bad_prefetch_counts_are_refused() {
    let client = client().await;
    let generator = client
        .get_flake_id_generator(&unique("one"))
        .await
        .expect("generator");
    assert!(matches!(
        generator.with_prefetch(0, Duration::ZERO),
        Err(HazelcastError::Config(_))
    ));
    assert!(matches!(
        generator.with_prefetch(FlakeIdGenerator::MAX_PREFETCH_COUNT + 1, Duration::ZERO),
        Err(HazelcastError::Config(_))
    ));
    let single = generator
        .with_prefetch(1, Duration::ZERO)
        .expect("valid prefetch");
    let mut ids = HashSet::new();
    for _ in 0..50 {
        assert!(ids.insert(single.new_id().await.expect("id")));
    }
    generator.destroy().await.expect("destroy");
    client.shutdown().await;
}
