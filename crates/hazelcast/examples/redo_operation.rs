//! `redo_operation`: whether a mutating call whose connection was lost after it may have been
//! sent is retried (at-least-once) or fails with `TargetDisconnected` (at-most-once, the
//! default). Read-only calls are always retried.
//!
//! ```sh
//! HZ_CLUSTER_MEMBERS=127.0.0.1:5701 HZ_CLUSTER_NAME=dev cargo run -p hazelcast --example redo_operation
//! ```
//! Kill a member while it runs to see the calls survive.

mod common;

use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), hazelcast::HazelcastError> {
    let client = common::builder()
        .redo_operation(true)
        .invocation_timeout(Duration::from_secs(30))
        .start()
        .await?;
    let map = client.get_map::<String, i64>("redo-example").await?;
    for i in 0..1000 {
        map.set(format!("k{i}"), i).await?;
    }
    println!(
        "1000 sets done with redo_operation = true; map size {}",
        map.size().await?
    );
    client.shutdown().await;
    Ok(())
}
