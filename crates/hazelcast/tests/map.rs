//! The typed map API, entry listeners, lifecycle and concurrent use, against a real 3-member
//! cluster, in smart and unisocket mode.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use hazelcast::{
    ClientConfig, ClientEvent, EntryEvent, EntryEventStream, EntryEventType, HazelcastClient, JsonValue, Uuid,
};
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster};

static CLUSTER: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(3).backup_count(1));

async fn cluster() -> &'static Cluster {
    tokio::task::spawn_blocking(|| CLUSTER.get().map(|_| ()))
        .await
        .expect("join")
        .expect("a 3-member cluster starts");
    CLUSTER.get().expect("cluster")
}

fn config(cluster: &Cluster, smart: bool) -> ClientConfig {
    ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(cluster.addresses().iter().map(ToString::to_string))
        .smart_routing(smart)
        .invocation_timeout(Duration::from_secs(30))
        .build()
        .expect("valid config")
}

async fn client(smart: bool) -> HazelcastClient {
    let cluster = cluster().await;
    let client = HazelcastClient::start(config(cluster, smart))
        .await
        .expect("start");
    if smart {
        wait_for("a connection per member", Duration::from_secs(30), || {
            client
                .cluster_client()
                .is_some_and(|c| c.connections().list.len() == 3)
        })
        .await;
    }
    client
}

async fn wait_for(what: &str, deadline: Duration, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + deadline;
    while !cond() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4())
}

async fn every_method(smart: bool) {
    let client = client(smart).await;
    let map = client
        .get_map::<String, String>(&unique("map-api"))
        .await
        .expect("get_map");

    assert_eq!(map.put("a", "1").await.expect("put"), None);
    assert_eq!(map.put("a", "2").await.expect("put again").as_deref(), Some("1"));
    assert_eq!(map.get("a").await.expect("get").as_deref(), Some("2"));
    assert_eq!(map.get("missing").await.expect("get missing"), None);
    map.set("b", "x").await.expect("set");
    assert!(map.contains_key("b").await.expect("contains"));
    assert!(!map.contains_key("nope").await.expect("contains missing"));
    assert!(map.contains_value("x").await.expect("contains value"));
    assert_eq!(map.size().await.expect("size"), 2);
    assert!(!map.is_empty().await.expect("is_empty"));

    assert_eq!(
        map.put_if_absent("b", "y").await.expect("pia").as_deref(),
        Some("x")
    );
    assert_eq!(map.put_if_absent("c", "z").await.expect("pia new"), None);
    assert_eq!(
        map.replace("c", "zz").await.expect("replace").as_deref(),
        Some("z")
    );
    assert_eq!(map.replace("nope", "v").await.expect("replace missing"), None);
    assert!(!map.contains_key("nope").await.expect("replace inserted nothing"));
    assert!(map.replace_if_same("c", "zz", "zzz").await.expect("ris"));
    assert!(!map.replace_if_same("c", "zz", "q").await.expect("ris stale"));

    assert_eq!(map.remove("c").await.expect("remove").as_deref(), Some("zzz"));
    assert_eq!(map.remove("c").await.expect("remove again"), None);
    map.delete("b").await.expect("delete");
    assert!(!map.contains_key("b").await.expect("deleted"));
    assert!(!map.remove_if_same("a", "1").await.expect("ris wrong"));
    assert!(map.remove_if_same("a", "2").await.expect("ris right"));
    assert!(map.is_empty().await.expect("empty"));

    // put_all / get_all across many partitions (one request per partition).
    let entries: BTreeMap<String, String> = (0..300).map(|i| (format!("k{i}"), format!("v{i}"))).collect();
    map.put_all(&entries).await.expect("put_all");
    assert_eq!(map.size().await.expect("size"), 300);
    let mut wanted: Vec<String> = (0..300).step_by(3).map(|i| format!("k{i}")).collect();
    wanted.push("absent".into());
    let got: BTreeMap<String, String> = map.get_all(&wanted).await.expect("get_all").into_iter().collect();
    assert_eq!(got.len(), 100);
    for (k, v) in &got {
        assert_eq!(entries.get(k), Some(v));
    }
    let mut keys = map.key_set().await.expect("key_set");
    keys.sort();
    assert_eq!(keys, entries.keys().cloned().collect::<Vec<_>>());
    assert_eq!(map.values().await.expect("values").len(), 300);
    assert_eq!(map.entries().await.expect("entries").len(), 300);
    map.put_all([("pa", "1"), ("pb", "2")])
        .await
        .expect("put_all of &str pairs");
    let got = map.get_all(["pa", "pb", "pc"]).await.expect("get_all of &str");
    assert_eq!(got.len(), 2);
    map.clear().await.expect("clear");
    assert_eq!(map.size().await.expect("size after clear"), 0);

    // TTL variants: the entry disappears after its ttl.
    map.put_with_ttl("t1", "v", Duration::from_secs(1))
        .await
        .expect("put ttl");
    map.set_with_ttl("t2", "v", Duration::from_secs(1))
        .await
        .expect("set ttl");
    assert_eq!(
        map.put_if_absent_with_ttl("t3", "v", Duration::from_secs(1))
            .await
            .expect("pia ttl"),
        None
    );
    map.set("t4", "v").await.expect("set");
    assert!(map.set_ttl("t4", Duration::from_secs(1)).await.expect("set_ttl"));
    assert!(
        !map.set_ttl("never-there", Duration::from_secs(1))
            .await
            .expect("set_ttl missing")
    );
    map.set("forever", "v").await.expect("set forever");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut left = 0;
        for k in ["t1", "t2", "t3", "t4"] {
            if map.contains_key(k).await.expect("contains") {
                left += 1;
            }
        }
        if left == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{left} entries with a 1 s ttl still there after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(map.contains_key("forever").await.expect("no ttl"));

    // Other value types through their own proxies.
    let ints = client.get_map::<i64, f64>(&unique("ints")).await.expect("ints");
    ints.put(7, 2.5).await.expect("put i64");
    assert_eq!(ints.get(7).await.expect("get i64"), Some(2.5));
    let misc = client
        .get_map::<Uuid, JsonValue>(&unique("json"))
        .await
        .expect("json map");
    let id = Uuid::new_v4();
    misc.set(id, JsonValue(r#"{"a":1}"#.into())).await.expect("json");
    assert_eq!(
        misc.get(id).await.expect("get json"),
        Some(JsonValue(r#"{"a":1}"#.into()))
    );
    let bytes = client
        .get_map::<bool, Vec<u8>>(&unique("bytes"))
        .await
        .expect("bytes");
    bytes.set(true, &b"\x00\x01"[..]).await.expect("bytes");
    assert_eq!(bytes.get(true).await.expect("get bytes"), Some(vec![0, 1]));

    // A value of another type than V is a serialization error, not a panic.
    let as_int = client
        .get_map::<String, i32>(map.name())
        .await
        .expect("same map, other V");
    map.set("typed", "text").await.expect("set");
    let e = as_int.get("typed").await.expect_err("wrong type");
    assert!(matches!(e, hazelcast::HazelcastError::Value(_)), "{e:?}");

    map.destroy().await.expect("destroy");
    client.shutdown().await;
    let e = map.get("a").await.expect_err("after shutdown");
    assert!(e.is_client_not_active(), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_map_method_smart() {
    every_method(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_map_method_unisocket() {
    every_method(false).await;
}

async fn next_event(events: &mut EntryEventStream<String, i32>) -> EntryEvent<String, i32> {
    tokio::time::timeout(Duration::from_secs(20), events.recv())
        .await
        .expect("an event within 20 s")
        .expect("stream open")
        .expect("decodable event")
}

async fn listeners(smart: bool) {
    let client = client(smart).await;
    let map = client
        .get_map::<String, i32>(&unique("listen"))
        .await
        .expect("map");
    let mut events = map.entry_events().await.expect("listener");
    let n = 60;
    for i in 0..n {
        map.put(format!("k{i}"), i).await.expect("add");
        map.put(format!("k{i}"), i + 1000).await.expect("update");
        map.remove(format!("k{i}")).await.expect("remove");
    }
    // Every change exactly once: collect 3n events, then make sure no more arrive after a
    // marker change that comes last.
    let mut seen: HashMap<(String, EntryEventType), u32> = HashMap::new();
    for _ in 0..3 * n {
        let e = next_event(&mut events).await;
        let key = e.key.clone().expect("key");
        match e.event_type {
            EntryEventType::Added => assert_eq!(e.value, key[1..].parse().ok()),
            EntryEventType::Updated => {
                let i: i32 = key[1..].parse().expect("index");
                assert_eq!((e.old_value, e.value), (Some(i), Some(i + 1000)));
            }
            EntryEventType::Removed => {
                let i: i32 = key[1..].parse().expect("index");
                assert_eq!(e.old_value, Some(i + 1000));
            }
            other => panic!("unexpected {other:?}"),
        }
        *seen.entry((key, e.event_type)).or_default() += 1;
    }
    map.put("marker", -1).await.expect("marker");
    let marker = next_event(&mut events).await;
    assert_eq!(
        marker.key.as_deref(),
        Some("marker"),
        "an extra (duplicate) event arrived: {marker:?}"
    );
    assert_eq!(seen.len(), 3 * n as usize);
    assert!(seen.values().all(|&c| c == 1));
    assert_eq!(events.dropped(), 0);

    // Closing deregisters: changes after it produce nothing on a second listener's stream
    // except its own events.
    events.close().await;
    let mut only_adds = map
        .entry_events_with(
            hazelcast::EntryListenerOptions::default()
                .event_types(&[EntryEventType::Added])
                .include_value(false),
        )
        .await
        .expect("filtered listener");
    map.put("marker", 1).await.expect("update (filtered out)");
    map.put("new", 1).await.expect("add");
    let e = next_event(&mut only_adds).await;
    assert_eq!(
        (e.event_type, e.key.as_deref(), e.value),
        (EntryEventType::Added, Some("new"), None)
    );

    // Shutdown ends the stream.
    client.shutdown().await;
    let end = tokio::time::timeout(Duration::from_secs(10), only_adds.recv())
        .await
        .expect("stream ends after shutdown");
    assert!(end.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entry_listener_smart_each_change_once() {
    listeners(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entry_listener_unisocket() {
    listeners(false).await;
}

async fn concurrent(smart: bool) {
    let client = client(smart).await;
    let map = client
        .get_map::<String, i64>(&unique("concurrent"))
        .await
        .expect("map");
    let tasks: Vec<_> = (0..32)
        .map(|t| {
            let map = map.clone();
            tokio::spawn(async move {
                for i in 0..200i64 {
                    let key = format!("t{t}-{i}");
                    map.set(&key, i * t).await.expect("set");
                    assert_eq!(map.get(&key).await.expect("get"), Some(i * t));
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    assert_eq!(map.size().await.expect("size"), 32 * 200);
    let keys: Vec<String> = (0..32)
        .flat_map(|t| (0..200).map(move |i| format!("t{t}-{i}")))
        .collect();
    let all: HashMap<String, i64> = map.get_all(&keys).await.expect("get_all").into_iter().collect();
    assert_eq!(all.len(), 32 * 200);
    for t in 0..32i64 {
        for i in 0..200i64 {
            assert_eq!(all[&format!("t{t}-{i}")], i * t);
        }
    }
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_tasks_smart() {
    concurrent(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_tasks_unisocket() {
    concurrent(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_members_and_shutdown() {
    let cluster = cluster().await;
    let client = client(true).await;
    assert!(client.client_name().starts_with("hz.client_"));
    assert!(client.uuid().is_some());
    assert!(client.is_running());
    let members = client.members();
    assert_eq!(members.len(), 3);
    let mut addrs: Vec<String> = members.iter().map(|m| m.client_address().to_string()).collect();
    addrs.sort();
    let mut want: Vec<String> = cluster.addresses().iter().map(ToString::to_string).collect();
    want.sort();
    assert_eq!(addrs, want);

    // Calls in flight when shutdown starts complete or fail; none hangs.
    let map = client
        .get_map::<String, String>(&unique("shutdown"))
        .await
        .expect("map");
    let mut events = client.events();
    let calls: Vec<_> = (0..200)
        .map(|i| {
            let map = map.clone();
            tokio::spawn(async move { map.set(format!("k{i}"), "v").await })
        })
        .collect();
    client.shutdown().await;
    for c in calls {
        let r = tokio::time::timeout(Duration::from_secs(10), c)
            .await
            .expect("every call ends after shutdown")
            .expect("task");
        if let Err(e) = r {
            assert!(e.is_client_not_active(), "{e:?}");
        }
    }
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !got.iter().any(|e| matches!(e, ClientEvent::Shutdown)) {
        let left = deadline.saturating_duration_since(Instant::now());
        let e = tokio::time::timeout(left, events.recv())
            .await
            .expect("Shutdown event within 10 s")
            .expect("event");
        got.push(e);
    }
    assert!(
        got.iter().any(|e| matches!(e, ClientEvent::ShuttingDown)),
        "{got:?}"
    );
    assert!(!client.is_running());
    client.shutdown().await; // idempotent
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn membership_events_and_named_client() {
    // A cluster of its own: a member joins and leaves.
    let cluster = tokio::task::spawn_blocking(|| ClusterConfig::new().members(1).start())
        .await
        .expect("join")
        .expect("cluster");
    let cfg = ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(cluster.addresses().iter().map(ToString::to_string))
        .client_name("named-client")
        .labels(["label-1"])
        .build()
        .expect("config");
    let client = HazelcastClient::start(cfg).await.expect("start");
    assert_eq!(client.client_name(), "named-client");
    let mut events = client.events();
    let cluster = std::sync::Arc::new(cluster);
    let c2 = cluster.clone();
    let index = tokio::task::spawn_blocking(move || c2.add_member())
        .await
        .expect("join")
        .expect("member added");
    let added = loop {
        match tokio::time::timeout(Duration::from_secs(60), events.recv()).await {
            Ok(Ok(ClientEvent::MemberAdded(m))) => break m,
            Ok(Ok(_)) => continue,
            other => panic!("no MemberAdded: {other:?}"),
        }
    };
    assert_eq!(
        added.client_address().to_string(),
        cluster.address(index).to_string()
    );
    wait_for("2 members", Duration::from_secs(30), || {
        client.members().len() == 2
    })
    .await;
    let c2 = cluster.clone();
    tokio::task::spawn_blocking(move || c2.kill(index))
        .await
        .expect("join")
        .expect("kill");
    let removed = loop {
        match tokio::time::timeout(Duration::from_secs(90), events.recv()).await {
            Ok(Ok(ClientEvent::MemberRemoved(m))) => break m,
            Ok(Ok(_)) => continue,
            other => panic!("no MemberRemoved: {other:?}"),
        }
    };
    assert_eq!(removed.uuid, added.uuid);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_start_is_offline_until_connected() {
    let cluster = cluster().await;
    let mut cfg = config(cluster, true);
    cfg.async_start = true;
    let client = HazelcastClient::start(cfg).await.expect("returns at once");
    let mut events = client.events();
    // Before the connection: offline (this may already be connected on a fast machine, so only
    // check the error kind when it fails).
    if let Err(e) = client.get_map::<String, String>("async-start").await {
        assert!(e.is_client_offline(), "{e:?}");
    }
    tokio::time::timeout(Duration::from_secs(30), client.wait_until_connected())
        .await
        .expect("connects within 30 s")
        .expect("connected");
    let map = client
        .get_map::<String, String>(&unique("async-start"))
        .await
        .expect("map");
    map.set("k", "v").await.expect("set");
    assert!(client.uuid().is_some());
    client.shutdown().await;
    // Exactly one Connected event.
    let mut connected = 0;
    while let Ok(e) = events.try_recv() {
        if matches!(e, ClientEvent::Connected) {
            connected += 1;
        }
    }
    assert!(connected <= 1, "{connected} Connected events");

    // An async start that cannot connect shuts the client down and says why.
    let cfg = ClientConfig::builder()
        .cluster_members(["127.0.0.1:1"])
        .async_start(true)
        .cluster_connect_timeout(Some(Duration::from_millis(200)))
        .retry_initial_backoff(Duration::from_millis(50))
        .build()
        .expect("config");
    let client = HazelcastClient::start(cfg).await.expect("returns at once");
    let e = tokio::time::timeout(Duration::from_secs(30), client.wait_until_connected())
        .await
        .expect("gives up")
        .expect_err("unreachable");
    assert!(
        matches!(
            e,
            hazelcast::HazelcastError::Invocation(hazelcast::InvocationError::ClusterUnreachable { .. })
        ),
        "{e:?}"
    );
    let e = client
        .get_map::<String, String>("x")
        .await
        .expect_err("not active");
    assert!(e.is_client_not_active(), "{e:?}");
}
