//! `ReliableTopic` against real members: publish and receive in order, the start sequences, the
//! overload policies on a full ringbuffer (a time-to-live makes it fill up), loss reported to a
//! listener that fell behind a small ringbuffer, Compact messages and unreadable ones, the end
//! of the stream at shutdown and at its drop, and (on a 3-member cluster of its own) a listener that keeps
//! reading after the member owning the ringbuffer is killed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use hazelcast::serialization::Compact;
use hazelcast::{
    ClientConfig, HazelcastClient, HazelcastError, ListenOptions, MessageLoss, ReliableMessage,
    ReliableMessageStream, ReliableTopicError, ReliableTopicEvent, ReliableTopicOptions, RingbufferError,
    Serialize, StartFrom, TopicOverloadPolicy, Uuid,
};
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster};

static CLUSTER: SharedCluster = SharedCluster::new(|| {
    ClusterConfig::new()
        .members(1)
        // The ringbuffer configuration of the topic `t` is the one named `t` (the members drop
        // the `_hz_rb_` prefix to look it up). A small ring without a time-to-live: it
        // overwrites, listeners can fall behind.
        .extra_xml("<ringbuffer name=\"small-*\"><capacity>5</capacity></ringbuffer>")
        // Full rings: every slot holds a message younger than the time-to-live.
        .extra_xml(
            "<ringbuffer name=\"full-*\"><capacity>3</capacity>\
             <time-to-live-seconds>600</time-to-live-seconds></ringbuffer>",
        )
        .extra_xml(
            "<ringbuffer name=\"block-*\"><capacity>3</capacity>\
             <time-to-live-seconds>2</time-to-live-seconds></ringbuffer>",
        )
});

const WAIT: Duration = Duration::from_secs(30);

fn config(cluster: &Cluster) -> ClientConfig {
    ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(cluster.addresses().iter().map(ToString::to_string))
        .invocation_timeout(Duration::from_secs(30))
        .build()
        .expect("valid config")
}

async fn client() -> HazelcastClient {
    tokio::task::spawn_blocking(|| CLUSTER.get().map(|_| ()))
        .await
        .expect("join")
        .expect("the cluster starts");
    let cluster: &Cluster = CLUSTER.get().expect("cluster");
    HazelcastClient::start(config(cluster)).await.expect("start")
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4())
}

/// The next event, within `WAIT`.
async fn next<T>(stream: &mut ReliableMessageStream<T>) -> Result<ReliableTopicEvent<T>, HazelcastError> {
    tokio::time::timeout(WAIT, stream.next())
        .await
        .expect("an event within the deadline")
        .expect("the stream goes on")
}

async fn message<T: std::fmt::Debug>(stream: &mut ReliableMessageStream<T>) -> ReliableMessage<T> {
    match next(stream).await {
        Ok(ReliableTopicEvent::Message(m)) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

async fn messages<T: std::fmt::Debug>(stream: &mut ReliableMessageStream<T>, n: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(message(stream).await.message);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_arrive_in_order_with_their_sequence_and_time() {
    let (publisher, listener) = (client().await, client().await);
    let name = unique("order");
    let out = publisher.get_reliable_topic::<i64>(&name).await.expect("topic");
    let topic = listener.get_reliable_topic::<i64>(&name).await.expect("topic");
    let mut stream = topic.messages().await.expect("listen");

    let before = std::time::SystemTime::now() - Duration::from_secs(1);
    for i in 0..20 {
        out.publish(i).await.expect("publish");
    }
    let rest: Vec<i64> = (20..45).collect();
    out.publish_all(&rest).await.expect("publish_all");

    for i in 0..45 {
        let m = message(&mut stream).await;
        assert_eq!(m.message, i);
        assert_eq!(m.sequence, i, "the ringbuffer sequence of message {i}");
        assert_eq!(m.publisher, None, "clients publish without an address");
        let at = m.publish_time().expect("a time after the epoch");
        assert!(at >= before, "published at {at:?}, before the test began");
    }
    // Stored, not just delivered: the ringbuffer holds all of them.
    assert_eq!(topic.ringbuffer().size().await.expect("size"), 45);
    assert_eq!(
        topic.ringbuffer().name(),
        format!("_hz_rb_{name}"),
        "the ringbuffer Java's proxies use"
    );
    publisher.shutdown().await;
    listener.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listeners_start_at_the_oldest_the_newest_or_a_sequence() {
    let client = client().await;
    let topic = client
        .get_reliable_topic::<String>(&unique("start"))
        .await
        .expect("topic");
    let early = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
    topic.publish_all(&early).await.expect("publish_all");

    let mut oldest = topic
        .messages_with(ListenOptions::default().start(StartFrom::Oldest))
        .await
        .expect("listen");
    let mut newest = topic.messages().await.expect("listen");
    let mut from_one = topic
        .messages_with(ListenOptions::default().start(StartFrom::Sequence(1)))
        .await
        .expect("listen");
    topic.publish("d").await.expect("publish");

    assert_eq!(messages(&mut oldest, 4).await, ["a", "b", "c", "d"]);
    assert_eq!(messages(&mut from_one, 3).await, ["b", "c", "d"]);
    let m = message(&mut newest).await;
    assert_eq!((m.message.as_str(), m.sequence), ("d", 3));

    let negative = topic
        .messages_with(ListenOptions::default().start(StartFrom::Sequence(-1)))
        .await
        .expect_err("a negative sequence");
    assert!(matches!(negative, HazelcastError::Ringbuffer(_)), "{negative:?}");
    client.shutdown().await;
}

async fn full_topic(client: &HazelcastClient, policy: TopicOverloadPolicy) -> hazelcast::ReliableTopic<i64> {
    let topic = client
        .get_reliable_topic_with::<i64>(
            &unique("full"),
            ReliableTopicOptions::default().overload_policy(policy),
        )
        .await
        .expect("topic");
    topic.publish_all(&[0, 1, 2]).await.expect("fills the ring");
    assert_eq!(
        topic.ringbuffer().remaining_capacity().await.expect("remaining"),
        0
    );
    topic
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_error_policy_refuses_a_publish_to_a_full_ring() {
    let client = client().await;
    let topic = full_topic(&client, TopicOverloadPolicy::Error).await;
    let e = topic.publish(3).await.expect_err("the ring is full");
    assert!(
        matches!(&e, HazelcastError::ReliableTopic(ReliableTopicError::Overloaded { topic: t }) if t == topic.name()),
        "{e:?}"
    );
    let e = topic.publish_all(&[3, 4]).await.expect_err("the ring is full");
    assert!(
        matches!(
            e,
            HazelcastError::ReliableTopic(ReliableTopicError::Overloaded { .. })
        ),
        "{e:?}"
    );
    assert_eq!(topic.ringbuffer().tail_sequence().await.expect("tail"), 2);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_discard_policies_drop_the_newest_or_the_oldest_message() {
    let client = client().await;
    let newest = full_topic(&client, TopicOverloadPolicy::DiscardNewest).await;
    newest.publish(3).await.expect("accepted and dropped");
    let rb = newest.ringbuffer();
    assert_eq!(rb.tail_sequence().await.expect("tail"), 2, "3 was dropped");
    let mut all = newest
        .messages_with(ListenOptions::default().start(StartFrom::Oldest))
        .await
        .expect("listen");
    assert_eq!(messages(&mut all, 3).await, [0, 1, 2]);

    let oldest = full_topic(&client, TopicOverloadPolicy::DiscardOldest).await;
    oldest.publish(3).await.expect("overwrites 0");
    let rb = oldest.ringbuffer();
    assert_eq!(rb.tail_sequence().await.expect("tail"), 3);
    assert_eq!(rb.head_sequence().await.expect("head"), 1, "0 was overwritten");
    let mut all = oldest
        .messages_with(ListenOptions::default().start(StartFrom::Oldest))
        .await
        .expect("listen");
    assert_eq!(messages(&mut all, 3).await, [1, 2, 3]);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_block_policy_waits_until_the_oldest_message_expires() {
    let client = client().await;
    let topic = client
        .get_reliable_topic_with::<i64>(
            &unique("block"),
            ReliableTopicOptions::default().overload_policy(TopicOverloadPolicy::Block),
        )
        .await
        .expect("topic");
    let e = topic
        .publish_all(&[0, 1, 2, 3])
        .await
        .expect_err("more than the capacity never fits");
    assert!(
        matches!(
            e,
            HazelcastError::Ringbuffer(RingbufferError::BatchTooLarge { len: 4, max: 3 })
        ),
        "{e:?}"
    );
    let filled = Instant::now();
    topic.publish_all(&[0, 1, 2]).await.expect("fills the ring");
    assert_eq!(
        topic.ringbuffer().remaining_capacity().await.expect("remaining"),
        0,
        "the ring is full"
    );
    tokio::time::timeout(WAIT, topic.publish(3))
        .await
        .expect("the publish ends once the time-to-live passed")
        .expect("publish");
    let waited = filled.elapsed();
    assert!(
        waited >= Duration::from_millis(1500),
        "published after {waited:?}, before the 2 s time-to-live of the oldest message"
    );
    let mut stream = topic
        .messages_with(ListenOptions::default().start(StartFrom::Sequence(3)))
        .await
        .expect("listen");
    let m = message(&mut stream).await;
    assert_eq!((m.message, m.sequence), (3, 3));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_behind_the_head_ends_with_the_loss_unless_loss_tolerant() {
    let client = client().await;
    let topic = client
        .get_reliable_topic_with::<i64>(
            &unique("small"),
            ReliableTopicOptions::default().overload_policy(TopicOverloadPolicy::DiscardOldest),
        )
        .await
        .expect("topic");
    let all: Vec<i64> = (0..20).collect();
    topic.publish_all(&all).await.expect("publish_all");
    assert_eq!(topic.ringbuffer().head_sequence().await.expect("head"), 15);

    let mut strict = topic
        .messages_with(ListenOptions::default().start(StartFrom::Sequence(0)))
        .await
        .expect("listen");
    let e = next(&mut strict).await.expect_err("messages 0 to 14 are gone");
    match &e {
        HazelcastError::ReliableTopic(ReliableTopicError::MessagesLost { loss, .. }) => {
            assert_eq!((loss.expected, loss.resumed_at, loss.count()), (0, 15, Some(15)));
        }
        other => panic!("expected MessagesLost, got {other:?}"),
    }
    let end = tokio::time::timeout(WAIT, strict.next()).await.expect("ends");
    assert!(end.is_none(), "the stream ends after the loss: {end:?}");

    let mut tolerant = topic
        .messages_with(
            ListenOptions::default()
                .start(StartFrom::Sequence(0))
                .loss_tolerant(true),
        )
        .await
        .expect("listen");
    match next(&mut tolerant).await {
        Ok(ReliableTopicEvent::Lost(loss)) => assert_eq!(loss.count(), Some(15), "{loss}"),
        other => panic!("expected Lost, got {other:?}"),
    }
    assert_eq!(messages(&mut tolerant, 5).await, [15, 16, 17, 18, 19]);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_listener_is_told_what_it_missed_and_catches_up() {
    let client = client().await;
    let topic = client
        .get_reliable_topic::<i64>(&unique("small"))
        .await
        .expect("topic");
    let mut stream = topic
        .messages_with(ListenOptions::default().loss_tolerant(true))
        .await
        .expect("listen");
    // Nobody reads while 60 messages go through a ring of 5.
    for i in 0..60 {
        topic.publish(i).await.expect("publish");
    }
    let (mut received, mut lost, mut expected) = (Vec::new(), Vec::<MessageLoss>::new(), 0);
    while expected < 60 {
        match next(&mut stream).await.expect("no error") {
            ReliableTopicEvent::Message(m) => {
                assert_eq!(m.sequence, expected, "in order, after any reported loss");
                assert_eq!(m.message, m.sequence);
                received.push(m.message);
                expected = m.sequence + 1;
            }
            ReliableTopicEvent::Lost(loss) => {
                assert_eq!(loss.expected, expected, "the loss starts where reading stopped");
                expected = loss.resumed_at;
                lost.push(loss);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let missed: u64 = lost.iter().map(|l| l.count().expect("a count")).sum();
    assert!(!lost.is_empty(), "a listener 60 behind a ring of 5 lost messages");
    assert_eq!(
        missed + received.len() as u64,
        60,
        "every message either received or reported lost"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_end_when_the_client_shuts_down_and_options_are_checked() {
    let client = client().await;
    let topic = client
        .get_reliable_topic::<String>(&unique("end"))
        .await
        .expect("topic");
    let mut stream = topic.messages().await.expect("listen");
    topic.publish("one").await.expect("publish");
    assert_eq!(message(&mut stream).await.message, "one");
    client.shutdown().await;
    let end = tokio::time::timeout(WAIT, stream.next())
        .await
        .expect("the stream ends at shutdown");
    assert!(end.is_none(), "{end:?}");

    let other = self::client().await;
    for bad in [0, 1001] {
        let e = other
            .get_reliable_topic_with::<String>(
                &unique("bad"),
                ReliableTopicOptions::default().read_batch_size(bad),
            )
            .await
            .expect_err("an invalid batch size");
        assert!(
            matches!(e, HazelcastError::ReliableTopic(ReliableTopicError::InvalidReadBatchSize(n)) if n == bad),
            "{e:?}"
        );
    }
    other.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_keeps_reading_after_the_ringbuffer_owner_is_killed() {
    // A 3-member cluster of its own (ringbuffers keep one backup by default).
    let cluster = tokio::task::spawn_blocking(|| ClusterConfig::new().members(3).start())
        .await
        .expect("join")
        .expect("cluster");
    let cluster = Arc::new(cluster);
    let (publisher, listener) = (
        HazelcastClient::start(config(&cluster)).await.expect("start"),
        HazelcastClient::start(config(&cluster)).await.expect("start"),
    );
    let name = unique("kill");
    let out = publisher.get_reliable_topic::<i64>(&name).await.expect("topic");
    let topic = listener.get_reliable_topic::<i64>(&name).await.expect("topic");
    let mut stream = topic.messages().await.expect("listen");
    for i in 0..20 {
        out.publish(i).await.expect("publish");
    }
    assert_eq!(messages(&mut stream, 20).await, (0..20).collect::<Vec<_>>());

    // The member that owns the partition of the ringbuffer's name.
    let cc = listener.cluster_client().expect("connected");
    let partition = cc.partition_id(&format!("_hz_rb_{name}").to_data());
    // A new cluster assigns its partitions on first use; the table reaches the client after.
    let deadline = Instant::now() + WAIT;
    let owner = loop {
        if let Some(owner) = cc.snapshot().partitions.owner(partition) {
            break owner;
        }
        assert!(
            Instant::now() < deadline,
            "no owner of partition {partition} in the client's table"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let owner = listener
        .members()
        .into_iter()
        .find(|m| m.uuid == owner)
        .expect("the owner is a member");
    let index = (0..cluster.len())
        .find(|&i| cluster.address(i).to_string() == owner.client_address().to_string())
        .expect("the owner is one of the started members");
    let c = cluster.clone();
    let killed = Instant::now();
    tokio::task::spawn_blocking(move || c.kill(index))
        .await
        .expect("join")
        .expect("kill");
    assert!(!cluster.is_running(index), "the owner is gone");
    let deadline = Instant::now() + Duration::from_secs(90);
    while publisher.members().len() != 2 || listener.members().len() != 2 {
        assert!(
            Instant::now() < deadline,
            "the clients did not see the member leave"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    for i in 20..40 {
        out.publish(i).await.expect("publish after the kill");
    }
    // Not loss-tolerant: a lost message would end the stream with an error.
    let mut after = Vec::new();
    for _ in 20..40 {
        let m = tokio::time::timeout(Duration::from_secs(90), stream.next())
            .await
            .expect("a message within 90 s")
            .expect("the stream goes on")
            .expect("no loss, no error");
        match m {
            ReliableTopicEvent::Message(m) => {
                assert_eq!(m.sequence, m.message, "the backup kept the sequences");
                after.push(m.message);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(after, (20..40).collect::<Vec<_>>());
    eprintln!(
        "owner killed; 20 more messages published and received {:?} later",
        killed.elapsed()
    );
    publisher.shutdown().await;
    listener.shutdown().await;
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Order {
    id: i64,
    item: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compact_messages_reach_another_client_and_unreadable_ones_do_not_end_the_stream() {
    let (publisher, listener) = (client().await, client().await);
    let name = unique("compact");
    let out = publisher
        .get_reliable_topic::<Compact<Order>>(&name)
        .await
        .expect("topic");
    let topic = listener
        .get_reliable_topic::<Compact<Order>>(&name)
        .await
        .expect("topic");
    let mut stream = topic.messages().await.expect("listen");
    let order = Order {
        id: 7,
        item: "tea".into(),
    };
    // The listener's client has never seen the schema: it fetches it from the cluster.
    out.publish(Compact(order.clone())).await.expect("publish");
    assert_eq!(message(&mut stream).await.message, Compact(order.clone()));

    // A message of another type, published to the same topic by a proxy of another type.
    let strings = publisher
        .get_reliable_topic::<String>(&name)
        .await
        .expect("topic");
    strings.publish("not an order").await.expect("publish");
    out.publish(Compact(order.clone())).await.expect("publish");
    let e = next(&mut stream).await.expect_err("a string is not an Order");
    assert!(
        matches!(e, HazelcastError::Value(_) | HazelcastError::Serialization(_)),
        "{e:?}"
    );
    let m = message(&mut stream).await;
    assert_eq!((m.message, m.sequence), (Compact(order), 2), "the stream went on");
    publisher.shutdown().await;
    listener.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_stream_stops_its_waiting_read() {
    let client = client().await;
    let cc = client.cluster_client().expect("connected");
    let topic = client
        .get_reliable_topic::<String>(&unique("drop"))
        .await
        .expect("topic");
    let stream = topic.messages().await.expect("listen");
    // Nothing is published: the listener's read waits on the member.
    let deadline = Instant::now() + WAIT;
    while cc.pending_calls() == 0 {
        assert!(Instant::now() < deadline, "the listener never sent its read");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(stream);
    let deadline = Instant::now() + WAIT;
    while cc.pending_calls() != 0 {
        assert!(
            Instant::now() < deadline,
            "the read is still pending after the drop"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    client.shutdown().await;
}
