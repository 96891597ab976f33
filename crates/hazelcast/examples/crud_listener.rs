//! A map's create, read, update and delete calls, watched by an entry listener: every change
//! arrives as an event (exactly once with smart routing), in a task of its own.
//!
//! ```sh
//! HZ_CLUSTER_MEMBERS=127.0.0.1:5701 HZ_CLUSTER_NAME=dev cargo run -p hazelcast --example crud_listener
//! ```

mod common;

use std::time::Duration;

use hazelcast::EntryEventType;

#[tokio::main]
async fn main() -> Result<(), hazelcast::HazelcastError> {
    let client = common::builder().start().await?;
    let name = format!("crud-example-{}", hazelcast::Uuid::new_v4());
    let map = client.get_map::<String, i64>(&name).await?;

    // The listener first, so that it sees every change below.
    let mut events = map.entry_events().await?;
    let listener = tokio::spawn(async move {
        let mut seen = 0;
        while let Some(event) = events.recv().await {
            match event {
                Ok(e) => {
                    println!(
                        "  event: {:?} {:?}: {:?} -> {:?}",
                        e.event_type, e.key, e.old_value, e.value
                    );
                    seen += 1;
                    if e.event_type == EntryEventType::Removed && e.key.as_deref() == Some("apples") {
                        break;
                    }
                }
                Err(e) => {
                    println!("  listener error: {e}");
                    break;
                }
            }
        }
        seen
    });

    // Create.
    map.put("apples", 3).await?;
    map.set("pears", 5).await?;
    // Read.
    println!(
        "apples = {:?}, pears = {:?}",
        map.get("apples").await?,
        map.get("pears").await?
    );
    println!("size = {}", map.size().await?);
    // Update.
    let old = map.replace("apples", 7).await?;
    println!("replaced apples (was {old:?})");
    // Delete.
    map.delete("pears").await?;
    let removed = map.remove("apples").await?;
    println!("removed apples (was {removed:?}); size = {}", map.size().await?);

    let seen = tokio::time::timeout(Duration::from_secs(10), listener)
        .await
        .map(|joined| joined.unwrap_or(0))
        .unwrap_or(0);
    println!("the listener saw {seen} event(s)");
    map.destroy().await?;
    client.shutdown().await;
    Ok(())
}
