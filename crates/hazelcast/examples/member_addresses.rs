//! `cluster_members` and `shuffle_member_list`: the seed addresses the client tries first.
//!
//! An address without a port is tried on 5701, 5702 and 5703. After the first connection the
//! client learns the whole member list from the cluster, so one reachable seed is enough.
//!
//! ```sh
//! HZ_CLUSTER_MEMBERS=127.0.0.1:5701,127.0.0.1:5702 HZ_CLUSTER_NAME=dev cargo run -p hazelcast --example member_addresses
//! ```

mod common;

#[tokio::main]
async fn main() -> Result<(), hazelcast::HazelcastError> {
    let seeds = common::members();
    println!("seed addresses: {seeds:?} (tried in a random order: shuffle_member_list = true)");
    let client = common::builder().shuffle_member_list(true).start().await?;
    println!("connected; the cluster has {} member(s):", client.members().len());
    for m in client.members() {
        println!("  {} at {}", m.uuid, m.client_address());
    }
    client.shutdown().await;
    Ok(())
}
