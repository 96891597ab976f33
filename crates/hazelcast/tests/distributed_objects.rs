//! Distributed objects against real members: the list, destroying by name and service, and the
//! creation/destruction events (once each, on one member, moved when that member dies).

use std::time::{Duration, Instant};

use hazelcast::{
    ClientConfig, DistributedObjectEvent, DistributedObjectEventStream, DistributedObjectEventType,
    DistributedObjectInfo, HazelcastClient, Uuid,
};
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster};

static CLUSTER: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(2));

const MAP: &str = "hz:impl:mapService";
const QUEUE: &str = "hz:impl:queueService";
const REPLICATED_MAP: &str = "hz:impl:replicatedMapService";

async fn cluster() -> &'static Cluster {
    tokio::task::spawn_blocking(|| CLUSTER.get().map(|_| ()))
        .await
        .expect("join")
        .expect("a 2-member cluster starts");
    CLUSTER.get().expect("cluster")
}

/// A smart client with a connection to each of `members` members.
async fn connect(cluster: &Cluster, members: usize) -> HazelcastClient {
    connect_with(cluster, members, true).await
}

/// A client (smart or unisocket) once it has `members` connections.
async fn connect_with(cluster: &Cluster, members: usize, smart: bool) -> HazelcastClient {
    let config = ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(cluster.addresses().iter().map(ToString::to_string))
        .smart_routing(smart)
        .invocation_timeout(Duration::from_secs(30))
        .build()
        .expect("valid config");
    let client = HazelcastClient::start(config).await.expect("start");
    let deadline = Instant::now() + Duration::from_secs(30);
    while client
        .cluster_client()
        .is_none_or(|c| c.connections().list.len() < members)
    {
        assert!(Instant::now() < deadline, "no connection to every member");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    client
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4())
}

fn info(service: &str, name: &str) -> (String, String) {
    (service.to_owned(), name.to_owned())
}

fn key(o: &DistributedObjectInfo) -> (String, String) {
    (o.service_name.clone(), o.name.clone())
}

/// Lists the objects until `check` holds (30 s at most).
async fn listed_until(client: &HazelcastClient, what: &str, check: impl Fn(&[(String, String)]) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let listed: Vec<_> = client
            .distributed_objects()
            .await
            .expect("list")
            .iter()
            .map(key)
            .collect();
        if check(&listed) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting until {what}: {listed:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn next(events: &mut DistributedObjectEventStream) -> DistributedObjectEvent {
    tokio::time::timeout(Duration::from_secs(20), events.recv())
        .await
        .expect("an event in time")
        .expect("stream open")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_created_by_another_client_are_listed_and_can_be_destroyed_by_name() {
    let cluster = cluster().await;
    let creator = connect(cluster, 2).await;
    let observer = connect(cluster, 2).await;
    let (m, q, r) = (unique("map"), unique("queue"), unique("rmap"));
    creator.get_map::<String, i64>(&m).await.expect("map");
    let queue = creator.get_queue::<i64>(&q).await.expect("queue");
    queue.offer(1).await.expect("offer");
    creator
        .get_replicated_map::<String, i64>(&r)
        .await
        .expect("replicated map");

    // Members learn of an object created on another member asynchronously.
    let wanted = [info(MAP, &m), info(QUEUE, &q), info(REPLICATED_MAP, &r)];
    listed_until(&observer, "every object is listed", |l| {
        wanted.iter().all(|w| l.contains(w))
    })
    .await;

    observer.destroy_object(&q, QUEUE).await.expect("destroy");
    listed_until(&creator, "the destroyed queue is gone", |l| {
        !l.contains(&info(QUEUE, &q)) && l.contains(&info(MAP, &m))
    })
    .await;
    // The queue's items went with it: the same name is a new, empty queue.
    assert_eq!(queue.size().await.expect("size"), 0);

    observer
        .destroy_object(&unique("never-created"), MAP)
        .await
        .expect("destroying an unknown object succeeds");
    creator.shutdown().await;
    observer.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creations_and_destructions_arrive_once_each_smart() {
    creations_and_destructions_arrive_once_each(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creations_and_destructions_arrive_once_each_unisocket() {
    creations_and_destructions_arrive_once_each(false).await;
}

async fn creations_and_destructions_arrive_once_each(smart: bool) {
    let cluster = cluster().await;
    let creator = connect(cluster, 2).await;
    let observer = connect_with(cluster, if smart { 2 } else { 1 }, smart).await;
    let stats = |c: &HazelcastClient| c.cluster_client().expect("connected").stats();
    let before = stats(&observer);
    let mut events = observer.distributed_object_events().await.expect("listener");
    let with = stats(&observer);
    assert_eq!(with.user_listeners, before.user_listeners + 1);
    assert_eq!(
        with.event_handlers,
        before.event_handlers + 1,
        "registered on one member"
    );

    let (m, q) = (unique("map"), unique("queue"));
    let map = creator.get_map::<String, i64>(&m).await.expect("map");
    creator.get_queue::<i64>(&q).await.expect("queue");
    map.destroy().await.expect("destroy");
    // A last object: if any event came twice, it would come before this one's.
    let last = unique("last");
    creator.get_map::<String, i64>(&last).await.expect("map");

    let creator_uuid = creator.uuid().expect("uuid");
    let expected = [
        (DistributedObjectEventType::Created, info(MAP, &m)),
        (DistributedObjectEventType::Created, info(QUEUE, &q)),
        (DistributedObjectEventType::Destroyed, info(MAP, &m)),
        (DistributedObjectEventType::Created, info(MAP, &last)),
    ];
    let mut seen = Vec::new();
    let mut probe = None;
    loop {
        let e = next(&mut events).await;
        // Other tests of this binary create objects too: keep ours.
        let ours = [&m, &q, &last].contains(&&e.object.name);
        if ours {
            assert_eq!(e.source, creator_uuid, "{e:?}");
            seen.push((e.event_type, key(&e.object)));
        }
        if probe.as_ref() == Some(&e.object.name) {
            break;
        }
        if probe.is_none() && expected.iter().all(|x| seen.contains(x)) {
            // Everything arrived; a duplicate would arrive before the events of a new object.
            let name = unique("probe");
            creator.get_map::<String, i64>(&name).await.expect("map");
            probe = Some(name);
        }
    }
    assert_eq!(seen.len(), expected.len(), "each event once: {seen:?}");
    // The events of one object come in order (those of different objects need not).
    let map_events: Vec<_> = seen.iter().filter(|(_, o)| *o == info(MAP, &m)).collect();
    assert_eq!(map_events, [&expected[0], &expected[2]]);

    // Dropping the stream deregisters the listener.
    drop(events);
    let deadline = Instant::now() + Duration::from_secs(10);
    while stats(&observer).event_handlers != before.event_handlers {
        assert!(Instant::now() < deadline, "the listener was not removed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(stats(&observer).user_listeners, before.user_listeners);

    // Shutdown ends a stream.
    let mut events = observer.distributed_object_events().await.expect("listener");
    observer.shutdown().await;
    let end = tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("the stream ends at shutdown");
    assert!(end.is_none());
    creator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_moves_to_another_member_when_its_member_dies() {
    let cluster = std::sync::Arc::new(
        tokio::task::spawn_blocking(|| ClusterConfig::new().members(2).start())
            .await
            .expect("join")
            .expect("a 2-member cluster starts"),
    );
    let observer = connect(&cluster, 2).await;
    let before = observer.cluster_client().expect("connected").stats();
    let mut events = observer.distributed_object_events().await.expect("listener");
    let with = observer.cluster_client().expect("connected").stats();
    assert_eq!(with.event_handlers, before.event_handlers + 1);

    // Kill the member the listener is on: the first connection's.
    let first = observer.cluster_client().expect("connected").connections().list[0]
        .endpoint
        .port;
    let index = (0..2)
        .find(|&i| cluster.address(i).port() == first)
        .expect("the first connection's member");
    let killing = cluster.clone();
    tokio::task::spawn_blocking(move || killing.kill(index))
        .await
        .expect("join")
        .expect("kill");
    let deadline = Instant::now() + Duration::from_secs(60);
    while observer.members().len() != 1 {
        assert!(Instant::now() < deadline, "the member did not leave");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Objects created from now on are reported once the listener is on the other member.
    let creator = connect(&cluster, 1).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut made = Vec::new();
    let first_seen = loop {
        let name = unique("after-kill");
        creator.get_map::<String, i64>(&name).await.expect("map");
        made.push(name);
        if let Ok(Some(e)) = tokio::time::timeout(Duration::from_millis(500), events.recv()).await {
            break e;
        }
        assert!(Instant::now() < deadline, "no event after the member died");
    };
    assert_eq!(first_seen.event_type, DistributedObjectEventType::Created);
    assert!(made.contains(&first_seen.object.name));
    // Once each: the next event is that of the next object.
    let last = unique("last");
    creator.get_map::<String, i64>(&last).await.expect("map");
    let mut later = Vec::new();
    loop {
        let e = next(&mut events).await;
        later.push(e.object.name.clone());
        if e.object.name == last {
            break;
        }
    }
    assert!(
        !later.contains(&first_seen.object.name),
        "reported twice: {later:?}"
    );
    creator.shutdown().await;
    observer.shutdown().await;
}
