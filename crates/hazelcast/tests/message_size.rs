//! `max_message_size` through the facade, against a real member: an answer above the configured
//! limit fails that call alone, with the typed "response too large" error, and the client keeps
//! working on the same connection; a request above it is refused before it is sent.

use std::time::Duration;

use hazelcast::{ClientConfig, HazelcastClient, HazelcastError, InvocationError};
use hazelcast_testkit::{ClusterConfig, SharedCluster};

static CLUSTER: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(1));

/// The smallest limit the option accepts (the first-frame limit).
const LIMIT: usize = 64 * 1024;

fn config(cluster: &hazelcast_testkit::Cluster, max_message_size: Option<usize>) -> ClientConfig {
    let mut builder = ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(cluster.addresses().iter().map(ToString::to_string))
        .invocation_timeout(Duration::from_secs(30));
    if let Some(limit) = max_message_size {
        builder = builder.max_message_size(limit);
    }
    builder.build().expect("valid config")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_above_max_message_size_fails_its_call_only() {
    let cluster = tokio::task::spawn_blocking(|| CLUSTER.get().map(|_| ()))
        .await
        .expect("join");
    cluster.expect("a member starts");
    let cluster = CLUSTER.get().expect("cluster");

    // A client with the default limit writes a value well above the small limit.
    let writer = HazelcastClient::start(config(cluster, None))
        .await
        .expect("writer");
    let big = "x".repeat(3 * LIMIT);
    let map = writer
        .get_map::<String, String>("max-message-size")
        .await
        .expect("map");
    map.set("big", big.clone()).await.expect("set big");
    map.set("small", "fits").await.expect("set small");

    let reader = HazelcastClient::start(config(cluster, Some(LIMIT)))
        .await
        .expect("reader");
    assert_eq!(reader.config().max_message_size, LIMIT);
    let limited = reader
        .get_map::<String, String>("max-message-size")
        .await
        .expect("map");
    let connections = reader
        .cluster_client()
        .expect("connected")
        .connections()
        .list
        .len();

    match limited.get("big").await {
        Err(HazelcastError::Invocation(InvocationError::ResponseTooLarge { size, limit })) => {
            assert_eq!(limit, LIMIT);
            assert!(size > LIMIT as u64, "{size}");
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
    // The connection survived: the next calls work, on as many connections as before.
    assert_eq!(
        limited.get("small").await.expect("small get"),
        Some("fits".into())
    );
    assert_eq!(limited.size().await.expect("size"), 2);
    assert_eq!(
        reader
            .cluster_client()
            .expect("connected")
            .connections()
            .list
            .len(),
        connections
    );
    // The client never sends more than it accepts.
    match limited.set("too-big", big.clone()).await {
        Err(HazelcastError::Invocation(InvocationError::RequestTooLarge { limit, .. })) => {
            assert_eq!(limit, LIMIT)
        }
        other => panic!("expected RequestTooLarge, got {other:?}"),
    }
    // The default limit reads it.
    assert_eq!(
        map.get("big").await.expect("default limit").map(|v| v.len()),
        Some(big.len())
    );

    reader.shutdown().await;
    writer.shutdown().await;
}
