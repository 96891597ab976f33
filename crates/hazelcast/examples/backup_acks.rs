//! `backup_ack_to_client_enabled`, `operation_backup_timeout`,
//! `fail_on_indeterminate_operation_state`: with smart routing, the members acknowledge the
//! synchronous backups of a mutation to the client, so the call completes once the backups are
//! written without the primary waiting for them.
//!
//! ```sh
//! HZ_CLUSTER_MEMBERS=127.0.0.1:5701 HZ_CLUSTER_NAME=dev cargo run -p hazelcast --example backup_acks
//! ```

mod common;

use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> Result<(), hazelcast::HazelcastError> {
    for enabled in [true, false] {
        let client = common::builder()
            .backup_ack_to_client_enabled(enabled)
            .operation_backup_timeout(Duration::from_secs(5))
            .fail_on_indeterminate_operation_state(false)
            .start()
            .await?;
        let map = client.get_map::<String, String>("backup-acks-example").await?;
        let started = Instant::now();
        for i in 0..500 {
            map.set(format!("k{i}"), "v").await?;
        }
        println!(
            "backup_ack_to_client_enabled = {enabled}: 500 sets in {:.0} ms",
            started.elapsed().as_secs_f64() * 1e3
        );
        client.shutdown().await;
    }
    Ok(())
}
