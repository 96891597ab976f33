//! What the member-kill test binaries share: a client that sees the whole 3-member cluster,
//! killing a member, waiting for a condition, and finding the member that owns an object.

#![allow(dead_code)] // each binary uses its own part

use std::sync::Arc;
use std::time::{Duration, Instant};

use hazelcast::{ClientConfig, HazelcastClient, Uuid};
use hazelcast_testkit::Cluster;

/// A smart client; `writer` turns on `redo_operation` and
/// `fail_on_indeterminate_operation_state` (a call then succeeds only once its backups
/// acknowledged it).
pub(crate) async fn client(cluster: &Cluster, writer: bool) -> HazelcastClient {
    let config = ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(cluster.addresses().iter().map(ToString::to_string))
        .invocation_timeout(Duration::from_secs(60))
        .redo_operation(writer)
        .fail_on_indeterminate_operation_state(writer)
        .build()
        .expect("valid config");
    let client = HazelcastClient::start(config).await.expect("start");
    wait_for("the client to see 3 members", Duration::from_secs(30), || {
        client.members().len() == 3
    })
    .await;
    client
}

pub(crate) async fn kill(cluster: &Arc<Cluster>, index: usize) {
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.kill(index))
        .await
        .expect("join")
        .expect("kill");
}

/// Polls `condition` every 20 ms until it holds; panics after `limit`.
pub(crate) async fn wait_for(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The index of the cluster member whose UUID the client knows as `uuid`.
pub(crate) fn member_index(client: &HazelcastClient, cluster: &Cluster, uuid: Uuid) -> usize {
    let member = client
        .members()
        .into_iter()
        .find(|m| m.uuid == uuid)
        .unwrap_or_else(|| panic!("{uuid} is a member"));
    (0..cluster.len())
        .find(|&i| cluster.address(i).to_string() == member.address.to_string())
        .unwrap_or_else(|| panic!("member {} is one of the cluster's", member.address))
}

/// The index of the member that owns the partition of the object name `name`, once the client
/// knows the partition table.
pub(crate) async fn owner_of_name(client: &HazelcastClient, cluster: &Cluster, name: &str) -> usize {
    let cc = client.cluster_client().expect("connected");
    let partition = cc.partition_id(&hazelcast::Serialize::to_data(name));
    let mut owner = None;
    wait_for("the partition table", Duration::from_secs(30), || {
        owner = cc.snapshot().partitions.owner(partition);
        owner.is_some()
    })
    .await;
    member_index(client, cluster, owner.expect("an owner"))
}
