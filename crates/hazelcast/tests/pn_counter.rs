//! `PnCounter` against real members: every operation, concurrent updates from several
//! clients, and the replica timestamps each proxy carries.

use std::time::{Duration, Instant};

use hazelcast::{HazelcastClient, Uuid};
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation() {
    let client = client().await;
    let c = client.get_pn_counter(&unique("ops")).await.expect("counter");
    assert_eq!(c.get().await.expect("get"), 0);
    assert_eq!(c.add_and_get(5).await.expect("add_and_get"), 5);
    assert_eq!(c.get_and_add(3).await.expect("get_and_add"), 5);
    assert_eq!(c.subtract_and_get(2).await.expect("subtract_and_get"), 6);
    assert_eq!(c.get_and_subtract(4).await.expect("get_and_subtract"), 6);
    assert_eq!(c.increment_and_get().await.expect("increment_and_get"), 3);
    assert_eq!(c.get_and_increment().await.expect("get_and_increment"), 3);
    assert_eq!(c.decrement_and_get().await.expect("decrement_and_get"), 3);
    assert_eq!(c.get_and_decrement().await.expect("get_and_decrement"), 3);
    assert_eq!(c.get().await.expect("get"), 2);
    assert_eq!(c.add_and_get(-10).await.expect("negative add"), -8);
    c.reset();
    assert_eq!(c.get().await.expect("get after reset"), -8);
    c.destroy().await.expect("destroy");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_updates_from_several_clients_all_count() {
    const CLIENTS: usize = 3;
    const TASKS: usize = 8;
    const ADDS: i64 = 25;
    let name = unique("concurrent");
    let mut clients = Vec::new();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let client = client().await;
        let counter = client.get_pn_counter(&name).await.expect("counter");
        for t in 0..TASKS {
            let counter = counter.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..ADDS {
                    if t % 2 == 0 {
                        counter.add_and_get(3).await.expect("add");
                    } else {
                        counter.get_and_decrement().await.expect("decrement");
                    }
                }
            }));
        }
        clients.push(client);
    }
    for task in tasks {
        task.await.expect("task");
    }
    let per_pair = 3 - 1;
    let expected = (CLIENTS * TASKS / 2) as i64 * ADDS * per_pair;
    // Replicas converge in the background: every client eventually reads the total.
    let deadline = Instant::now() + Duration::from_secs(20);
    for client in &clients {
        let counter = client.get_pn_counter(&name).await.expect("counter");
        loop {
            let value = counter.get().await.expect("get");
            if value == expected {
                break;
            }
            assert!(value <= expected, "read {value}, more than the {expected} added");
            assert!(Instant::now() < deadline, "stuck at {value}, expected {expected}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    for client in clients {
        client.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_never_reads_less_than_it_wrote() {
    let client = client().await;
    let name = unique("monotonic");
    let counter = client.get_pn_counter(&name).await.expect("counter");
    for i in 1..=50 {
        let written = counter.add_and_get(1).await.expect("add");
        assert_eq!(written, i);
        // A new proxy of another client may read from the other replica, but this proxy,
        // carrying its vector clock, must see its own writes.
        assert!(counter.get().await.expect("get") >= i);
    }
    client.shutdown().await;
}

/// The first calls of a fresh proxy, started together, all go to one replica: every add is
/// answered in order by that replica (the values are exactly 1..=n) and none is refused as
/// stale, which happened when each call chose a replica of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_calls_of_a_proxy_share_one_replica() {
    const TASKS: i64 = 16;
    let client = client().await;
    for round in 0..5 {
        let counter = client
            .get_pn_counter(&unique(&format!("first-calls-{round}")))
            .await
            .expect("counter");
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let counter = counter.clone();
                tokio::spawn(async move { counter.add_and_get(1).await })
            })
            .collect();
        let mut values = Vec::new();
        for task in tasks {
            values.push(task.await.expect("task").expect("add"));
        }
        values.sort_unstable();
        assert_eq!(values, (1..=TASKS).collect::<Vec<_>>(), "round {round}");
        assert!(counter.target_replica().is_some());
    }
    client.shutdown().await;
}
