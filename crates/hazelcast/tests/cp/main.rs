//! The CP structures against real members, in one test binary sharing one cluster:
//! open-source 5.4.0 members, whose CP subsystem runs in unsafe mode (no CP members configured;
//! the CP subsystem is Enterprise-only from 5.5 on). `cp_config.rs` has the tests that need
//! members with CP settings of their own.

use std::time::Duration;

use hazelcast::{HazelcastClient, Uuid};
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster};

mod atomic_long;
mod atomic_reference;
mod count_down_latch;
mod fenced_lock;
mod semaphore;

/// The last open-source member version with the CP subsystem.
const CP_VERSION: &str = "5.4.0";

static CLUSTER: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(2).version(CP_VERSION));

/// A client of the binary's 2-member cluster (started by the first caller).
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

/// `prefix` made unique, so tests sharing the cluster never share an object.
fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4())
}

/// Polls `check` until it returns true or `within` passes.
async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
