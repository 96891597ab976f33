//! Cross-client checks of the data structures with the official Java client (from the member
//! jar, run by the test kit's `JavaStructureClient`): queue items both ways, topic messages
//! published by Java, a flake id generator and a PN counter shared by both clients.
//!
//! Needs a JDK (like the members); the Java client connects to the test cluster's loopback
//! addresses only.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use hazelcast::{ClientConfig, HazelcastClient, Uuid};
use hazelcast_testkit::{Cluster, ClusterConfig, JavaStructureClient, JavaValue, SharedCluster};

static CLUSTER: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(2).backup_count(1));

/// One Java client for the whole binary (a JVM per test would cost seconds each); tests take
/// turns with it. It exits with the test process (its stdin closes).
static JAVA: OnceLock<Mutex<JavaStructureClient>> = OnceLock::new();

fn cluster() -> &'static Cluster {
    CLUSTER.get().expect("a 2-member cluster starts")
}

async fn client() -> HazelcastClient {
    let cluster = tokio::task::spawn_blocking(cluster).await.expect("join");
    let config = ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(cluster.addresses().iter().map(ToString::to_string))
        .invocation_timeout(Duration::from_secs(30))
        .build()
        .expect("valid config");
    HazelcastClient::start(config).await.expect("start")
}

/// Runs `f` with the shared Java client, on a blocking thread.
async fn java<R: Send + 'static>(f: impl FnOnce(&mut JavaStructureClient) -> R + Send + 'static) -> R {
    tokio::task::spawn_blocking(move || {
        let java = JAVA.get_or_init(|| {
            let cluster = cluster();
            let java = JavaStructureClient::start(cluster.cluster_name(), &cluster.addresses())
                .unwrap_or_else(|e| panic!("the official Java client: {e}"));
            Mutex::new(java)
        });
        let mut java = java.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut java)
    })
    .await
    .expect("join")
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4())
}

fn strings() -> Vec<String> {
    ["first", "", "grüße, 世界 ✓", "with spaces\tand a tab", "last"]
        .map(str::to_owned)
        .to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn java_reads_queue_items_we_offered_in_order() {
    let client = client().await;
    let (text_name, number_name) = (unique("to-java-text"), unique("to-java-numbers"));
    let texts = client.get_queue::<String>(&text_name).await.expect("queue");
    for s in strings() {
        assert!(texts.offer(s.as_str()).await.expect("offer"));
    }
    let longs = [0, 1, -1, i64::MAX, i64::MIN, 1 << 40];
    let numbers = client.get_queue::<i64>(&number_name).await.expect("queue");
    for n in longs {
        assert!(numbers.offer(n).await.expect("offer"));
    }
    let (got_texts, got_numbers) = java(move |java| {
        let t = java.queue_poll(&text_name, 100, Duration::from_millis(200));
        let n = java.queue_poll(&number_name, 100, Duration::from_millis(200));
        (
            t.expect("Java polls the strings"),
            n.expect("Java polls the numbers"),
        )
    })
    .await;
    assert_eq!(
        got_texts,
        strings().into_iter().map(JavaValue::Str).collect::<Vec<_>>()
    );
    assert_eq!(
        got_numbers,
        longs.map(JavaValue::Long).to_vec(),
        "java.lang.Long, in order"
    );
    assert_eq!(texts.size().await.expect("size"), 0, "Java took every item");
    assert_eq!(numbers.size().await.expect("size"), 0, "Java took every item");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn we_read_queue_items_java_offered_in_order() {
    let client = client().await;
    let (text_name, long_name, int_name, double_name) = (
        unique("from-java-text"),
        unique("from-java-long"),
        unique("from-java-int"),
        unique("from-java-double"),
    );
    let longs = [7, -3, i64::MIN, i64::MAX];
    let ints = [42, -1, i32::MIN, i32::MAX];
    let doubles = [3.25, -0.5, 1e300, f64::MIN_POSITIVE];
    let names = (
        text_name.clone(),
        long_name.clone(),
        int_name.clone(),
        double_name.clone(),
    );
    let offered = java(move |java| {
        let (t, l, i, d) = names;
        let texts: Vec<JavaValue> = strings().into_iter().map(JavaValue::Str).collect();
        [
            java.queue_offer(&t, &texts),
            java.queue_offer(&l, &longs.map(JavaValue::Long)),
            java.queue_offer(&i, &ints.map(JavaValue::Int)),
            java.queue_offer(&d, &doubles.map(JavaValue::Double)),
        ]
        .map(|r| r.expect("Java offers"))
    })
    .await;
    assert_eq!(offered, [strings().len(), 4, 4, 4], "Java's offers were accepted");

    let texts = client.get_queue::<String>(&text_name).await.expect("queue");
    let mut got_texts = Vec::new();
    while let Some(s) = texts.poll().await.expect("poll") {
        got_texts.push(s);
    }
    assert_eq!(got_texts, strings());
    let q = client.get_queue::<i64>(&long_name).await.expect("queue");
    assert_eq!(q.drain(100).await.expect("drain"), longs);
    let q = client.get_queue::<i32>(&int_name).await.expect("queue");
    assert_eq!(q.drain(100).await.expect("drain"), ints);
    let q = client.get_queue::<f64>(&double_name).await.expect("queue");
    assert_eq!(q.drain(100).await.expect("drain"), doubles);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_java_publishes_reach_our_listener_in_order_with_time_and_member() {
    let client = client().await;
    let name = unique("java-news");
    let topic = client.get_topic::<String>(&name).await.expect("topic");
    let mut stream = topic.messages().await.expect("listener");
    let sent: Vec<String> = (0..50).map(|i| format!("message {i} ✓")).collect();
    let items: Vec<JavaValue> = sent.iter().cloned().map(JavaValue::Str).collect();
    let topic_name = name.clone();
    let java_seen = java(move |java| java.topic_publish(&topic_name, &items))
        .await
        .expect("Java publishes");
    assert_eq!(
        java_seen.len(),
        sent.len(),
        "Java's own listener got every message"
    );

    let members: Vec<Uuid> = client.members().iter().map(|m| m.uuid).collect();
    for (i, expected) in java_seen.iter().enumerate() {
        let m = tokio::time::timeout(Duration::from_secs(10), stream.recv())
            .await
            .unwrap_or_else(|_| panic!("message {i} within 10 s"))
            .expect("stream open")
            .expect("decodes");
        assert_eq!(m.message, sent[i], "message {i} in publish order");
        assert_eq!(JavaValue::Str(m.message.clone()), expected.value);
        assert_eq!(
            m.publish_time_millis, expected.publish_time_millis,
            "message {i}: the publish time both clients see"
        );
        assert_eq!(
            Some(m.member.to_string()),
            expected.member,
            "message {i}: the publishing member both clients see"
        );
        assert!(members.contains(&m.member), "{} is a member", m.member);
    }
    assert_eq!(stream.dropped(), 0);
    stream.close().await;
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flake_id_generator_shared_with_java_never_repeats_an_id() {
    const EACH: usize = 20_000;
    const TASKS: usize = 8;
    let client = client().await;
    let name = unique("shared-ids");
    // Small batches, so that this side asks the cluster often while Java takes its ids.
    let ours = client
        .get_flake_id_generator(&name)
        .await
        .expect("generator")
        .with_prefetch(10, Duration::ZERO)
        .expect("prefetch");
    let java_name = name.clone();
    let java_ids = tokio::spawn(java(move |java| java.flake_ids(&java_name, EACH, 4)));
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let g = ours.clone();
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::with_capacity(EACH / TASKS);
            for _ in 0..EACH / TASKS {
                ids.push(g.new_id().await.expect("new_id"));
            }
            ids
        }));
    }
    let mut all = HashSet::with_capacity(2 * EACH);
    let mut duplicates = 0usize;
    for task in tasks {
        for id in task.await.expect("task") {
            duplicates += usize::from(!all.insert(id));
        }
    }
    assert_eq!(duplicates, 0, "this client handed out an id twice");
    let java_ids = java_ids.await.expect("join").expect("Java takes ids");
    assert_eq!(java_ids.len(), EACH);
    let mut shared = 0usize;
    for id in java_ids {
        shared += usize::from(!all.insert(id));
    }
    assert_eq!(
        shared, 0,
        "ids handed out both by Java and by this client (or twice by Java)"
    );
    assert_eq!(all.len(), 2 * EACH);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pn_counter_shared_with_java_converges_to_the_sum_of_both() {
    let client = client().await;
    let name = unique("shared-counter");
    let counter = client.get_pn_counter(&name).await.expect("counter");
    // Each client reads its own adds (session guarantees) and any subset of the other's.
    let (mut our_sum, mut java_sum) = (0i64, 0i64);
    for round in 0..10i64 {
        let ours = counter.add_and_get(5 + round).await.expect("add");
        our_sum += 5 + round;
        assert!(
            (our_sum + java_sum..=our_sum).contains(&ours),
            "we read {ours} after adding {our_sum} (Java: {java_sum})"
        );
        let delta = -(round % 3) - 1;
        let java_name = name.clone();
        let theirs = java(move |java| java.pn_add(&java_name, delta))
            .await
            .expect("Java adds");
        java_sum += delta;
        assert!(
            (java_sum..=our_sum + java_sum).contains(&theirs),
            "Java read {theirs} after adding {java_sum} (we: {our_sum})"
        );
    }
    let expected = our_sum + java_sum;
    // The replicas converge in the background: both clients read the total.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ours = counter.get().await.expect("get");
        let java_name = name.clone();
        let theirs = java(move |java| java.pn_get(&java_name))
            .await
            .expect("Java reads");
        if ours == expected && theirs == expected {
            break;
        }
        assert!(
            ours <= expected && theirs <= expected,
            "more than the {expected} added: we read {ours}, Java {theirs}"
        );
        assert!(
            Instant::now() < deadline,
            "no convergence to {expected}: we read {ours}, Java {theirs}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    client.shutdown().await;
}
