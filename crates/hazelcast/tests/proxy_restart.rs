//! Proxies across a whole-cluster restart: a queue is created again on the new cluster (it is
//! listed there), its item listener and a distributed-object listener are registered again, and
//! its operations work on the new cluster.

use std::time::{Duration, Instant};

use hazelcast::{
    ClientConfig, ClientEvent, DistributedObjectEventType, HazelcastClient, ItemEventType, Uuid,
};
use hazelcast_testkit::ClusterConfig;

const QUEUE: &str = "hz:impl:queueService";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_and_its_listeners_survive_a_whole_cluster_restart() {
    let cluster = std::sync::Arc::new(
        tokio::task::spawn_blocking(|| ClusterConfig::new().members(1).start())
            .await
            .expect("join")
            .expect("a 1-member cluster starts"),
    );
    let config = ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(cluster.addresses().iter().map(ToString::to_string))
        .invocation_timeout(Duration::from_secs(60))
        .build()
        .expect("valid config");
    let client = HazelcastClient::start(config).await.expect("start");
    let name = format!("jobs-{}", Uuid::new_v4());
    let queue = client.get_queue::<i64>(&name).await.expect("queue");
    let mut items = queue.item_events(true).await.expect("item listener");
    let mut objects = client.distributed_object_events().await.expect("object listener");
    queue.offer(1).await.expect("offer");
    let first = tokio::time::timeout(Duration::from_secs(20), items.recv())
        .await
        .expect("an item event")
        .expect("open")
        .expect("decodes");
    assert_eq!((first.event_type, first.item), (ItemEventType::Added, Some(1)));

    let mut events = client.events();
    let restarting = cluster.clone();
    tokio::task::spawn_blocking(move || restarting.restart(0))
        .await
        .expect("join")
        .expect("restart");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, events.recv()).await {
            Ok(Ok(ClientEvent::ClusterChanged)) => break,
            Ok(Ok(_)) | Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {}
            other => panic!("no ClusterChanged within 90 s: {other:?}"),
        }
    }

    // The client creates its objects again on the new cluster, which lists the queue although
    // nobody used it there yet.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let listed = client.distributed_objects().await.unwrap_or_default();
        if listed.iter().any(|o| o.name == name && o.service_name == QUEUE) {
            break;
        }
        assert!(Instant::now() < deadline, "queue not created again: {listed:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The item listener is registered on the new cluster: items offered now are reported.
    // (Its registration completes in the background: offer until one is reported.)
    assert_eq!(queue.size().await.expect("size"), 0, "a new, empty queue");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut offered = 100;
    let event = loop {
        queue.offer(offered).await.expect("offer after the restart");
        if let Ok(Some(e)) = tokio::time::timeout(Duration::from_millis(500), items.recv()).await {
            break e.expect("decodes");
        }
        assert!(Instant::now() < deadline, "no item event after the restart");
        offered += 1;
    };
    assert_eq!(event.event_type, ItemEventType::Added);
    assert!((100..=offered).contains(&event.item.expect("item")));
    assert_eq!(queue.poll().await.expect("poll"), Some(100));

    // The distributed-object listener is registered again too.
    let other = format!("after-{}", Uuid::new_v4());
    client.get_map::<String, i64>(&other).await.expect("map");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let e = tokio::time::timeout(left, objects.recv())
            .await
            .expect("an object event after the restart")
            .expect("open");
        if e.object.name == other {
            assert_eq!(e.event_type, DistributedObjectEventType::Created);
            break;
        }
    }
    client.shutdown().await;
}
