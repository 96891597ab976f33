//! `smart_routing`: one connection per member and every key-based call sent straight to the
//! member that owns the key's partition (`true`, the default), or a single connection through
//! which the member forwards (`false`, "unisocket").
//!
//! ```sh
//! HZ_CLUSTER_MEMBERS=127.0.0.1:5701 HZ_CLUSTER_NAME=dev cargo run -p hazelcast --example smart_routing
//! ```

mod common;

use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), hazelcast::HazelcastError> {
    for smart in [true, false] {
        let client = common::builder().smart_routing(smart).start().await?;
        // Smart clients open the other connections right after the member list arrives.
        let members = client.members().len();
        let cc = client.cluster_client().expect("connected");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while smart && cc.connections().list.len() < members && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let map = client.get_map::<String, i32>("smart-routing-example").await?;
        let before: Vec<u64> = cc
            .connections()
            .list
            .iter()
            .map(|c| c.connection.stats().messages_written)
            .collect();
        for i in 0..100 {
            map.set(format!("key-{i}"), i).await?;
        }
        println!(
            "smart_routing = {smart}: {} connection(s) for {members} member(s); requests written per connection:",
            cc.connections().list.len()
        );
        for (c, b) in cc.connections().list.iter().zip(before) {
            println!("  {} → {}", c.endpoint, c.connection.stats().messages_written - b);
        }
        client.shutdown().await;
    }
    Ok(())
}
