//! `Ringbuffer` against real members: sequences, capacity, reads of one and of many items,
//! waiting reads, overwriting when full, the `Fail` policy with a time-to-live, reads from
//! before the head, filters, and the arguments refused before sending.

use std::time::Duration;

use hazelcast::serialization::{
    Identified, IdentifiedDataSerializable, ObjectDataInput, ObjectDataOutput, SerializationError,
};
use hazelcast::{
    ClientConfig, HazelcastClient, HazelcastError, InvocationError, OverflowPolicy, RINGBUFFER_MAX_BATCH,
    RingbufferError, Uuid,
};
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster};

static CLUSTER: SharedCluster = SharedCluster::new(|| {
    ClusterConfig::new()
        .members(2)
        .extra_xml("<ringbuffer name=\"small-*\"><capacity>3</capacity></ringbuffer>")
        .extra_xml(
            "<ringbuffer name=\"ttl-*\"><capacity>3</capacity>\
             <time-to-live-seconds>600</time-to-live-seconds></ringbuffer>",
        )
});

async fn client() -> HazelcastClient {
    tokio::task::spawn_blocking(|| CLUSTER.get().map(|_| ()))
        .await
        .expect("join")
        .expect("a 2-member cluster starts");
    let cluster: &Cluster = CLUSTER.get().expect("cluster");
    let config = ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(cluster.addresses().iter().map(ToString::to_string))
        .invocation_timeout(Duration::from_secs(30))
        .build()
        .expect("valid config");
    HazelcastClient::start(config).await.expect("start")
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4())
}

fn server_error(e: &HazelcastError) -> Option<&str> {
    match e {
        HazelcastError::Invocation(InvocationError::Server(s)) => Some(&s.class_name),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation() {
    let client = client().await;
    let rb = client
        .get_ringbuffer::<String>(&unique("ops"))
        .await
        .expect("ringbuffer");
    assert_eq!(
        rb.capacity().await.expect("capacity"),
        10_000,
        "the default capacity"
    );
    assert_eq!(rb.size().await.expect("size"), 0);
    assert_eq!(rb.tail_sequence().await.expect("tail"), -1);
    assert_eq!(rb.head_sequence().await.expect("head"), 0);
    assert_eq!(rb.remaining_capacity().await.expect("remaining"), 10_000);

    assert_eq!(
        rb.add("a", OverflowPolicy::Overwrite).await.expect("add"),
        Some(0)
    );
    let more = ["b".to_owned(), "c".to_owned(), "d".to_owned()];
    assert_eq!(
        rb.add_all(&more, OverflowPolicy::Overwrite)
            .await
            .expect("add_all"),
        Some(3)
    );
    assert_eq!(rb.size().await.expect("size"), 4);
    assert_eq!(rb.tail_sequence().await.expect("tail"), 3);
    assert_eq!(rb.head_sequence().await.expect("head"), 0);

    assert_eq!(rb.read_one(0).await.expect("read_one"), "a");
    assert_eq!(rb.read_one(2).await.expect("read_one"), "c");
    assert_eq!(rb.read_one(0).await.expect("reading does not remove"), "a");

    let batch = rb.read_many(1, 0, 10).await.expect("read_many");
    assert_eq!(batch.items, ["b", "c", "d"]);
    assert_eq!(batch.sequences, [1, 2, 3]);
    assert_eq!(batch.read_count, 3);
    assert_eq!(batch.next_sequence, 4);

    let batch = rb.read_many(0, 1, 2).await.expect("read_many");
    assert_eq!(batch.items, ["a", "b"]);
    assert_eq!(batch.next_sequence, 2);
    rb.destroy().await.expect("destroy");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_ring_overwrites_its_oldest_items() {
    let client = client().await;
    let rb = client
        .get_ringbuffer::<i64>(&unique("small"))
        .await
        .expect("ringbuffer");
    assert_eq!(
        rb.capacity().await.expect("capacity"),
        3,
        "the configured capacity"
    );
    for i in 0..5 {
        assert_eq!(
            rb.add(i * 10, OverflowPolicy::Overwrite).await.expect("add"),
            Some(i)
        );
    }
    assert_eq!(rb.size().await.expect("size"), 3);
    assert_eq!(rb.head_sequence().await.expect("head"), 2);
    assert_eq!(rb.tail_sequence().await.expect("tail"), 4);
    // Without a time-to-live, `Fail` overwrites as well: the ring is never full.
    assert_eq!(rb.remaining_capacity().await.expect("remaining"), 3);
    assert_eq!(rb.add(50, OverflowPolicy::Fail).await.expect("add"), Some(5));

    let batch = rb.read_many(3, 3, 3).await.expect("read_many");
    assert_eq!(batch.items, [30, 40, 50]);
    let stale = rb.read_one(0).await.expect_err("item 0 was overwritten");
    assert_eq!(
        server_error(&stale),
        Some("com.hazelcast.ringbuffer.StaleSequenceException"),
        "{stale}"
    );
    let too_many = rb.read_many(3, 1, 4).await.expect_err("more than the capacity");
    assert!(
        matches!(
            too_many,
            HazelcastError::Ringbuffer(RingbufferError::MaxAboveCapacity { max: 4, capacity: 3 })
        ),
        "{too_many:?}"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_time_to_live_the_fail_policy_refuses_adds_to_a_full_ring() {
    let client = client().await;
    let rb = client
        .get_ringbuffer::<String>(&unique("ttl"))
        .await
        .expect("ringbuffer");
    let three = ["x".to_owned(), "y".to_owned(), "z".to_owned()];
    assert_eq!(
        rb.add_all(&three, OverflowPolicy::Fail).await.expect("add_all"),
        Some(2)
    );
    assert_eq!(rb.remaining_capacity().await.expect("remaining"), 0);
    assert_eq!(rb.add("refused", OverflowPolicy::Fail).await.expect("add"), None);
    let one = ["refused too".to_owned()];
    assert_eq!(
        rb.add_all(&one, OverflowPolicy::Fail).await.expect("add_all"),
        None
    );
    assert_eq!(rb.tail_sequence().await.expect("tail"), 2, "nothing was added");
    assert_eq!(
        rb.add("forced", OverflowPolicy::Overwrite).await.expect("add"),
        Some(3)
    );
    assert_eq!(rb.read_one(3).await.expect("read_one"), "forced");
    assert_eq!(rb.head_sequence().await.expect("head"), 1);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_past_the_tail_wait_for_items_from_another_client() {
    let (reader, writer) = (client().await, client().await);
    let name = unique("wait");
    let rb = reader.get_ringbuffer::<String>(&name).await.expect("ringbuffer");
    let out = writer.get_ringbuffer::<String>(&name).await.expect("ringbuffer");

    let one = {
        let rb = rb.clone();
        tokio::spawn(async move { rb.read_one(0).await })
    };
    let many = {
        let rb = rb.clone();
        tokio::spawn(async move { rb.read_many(0, 2, 10).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!one.is_finished(), "read_one returned before an item was added");
    assert!(!many.is_finished(), "read_many returned before an item was added");

    out.add("first", OverflowPolicy::Overwrite).await.expect("add");
    let got = tokio::time::timeout(Duration::from_secs(10), one)
        .await
        .expect("read_one ends")
        .expect("join")
        .expect("read_one");
    assert_eq!(got, "first");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !many.is_finished(),
        "read_many returned with fewer than min_count items"
    );

    out.add("second", OverflowPolicy::Overwrite).await.expect("add");
    let batch = tokio::time::timeout(Duration::from_secs(10), many)
        .await
        .expect("read_many ends")
        .expect("join")
        .expect("read_many");
    assert_eq!(batch.items, ["first", "second"]);
    assert_eq!(batch.next_sequence, 2);
    reader.shutdown().await;
    writer.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arguments_out_of_bounds_are_refused_before_sending() {
    let client = client().await;
    let rb = client
        .get_ringbuffer::<i64>(&unique("args"))
        .await
        .expect("ringbuffer");
    let refused = |r: Result<_, HazelcastError>| match r {
        Err(HazelcastError::Ringbuffer(e)) => e,
        other => panic!("expected a RingbufferError, got {other:?}"),
    };
    assert_eq!(
        refused(rb.read_one(-1).await.map(|_| ())),
        RingbufferError::NegativeSequence(-1)
    );
    assert_eq!(
        refused(rb.read_many(-2, 0, 1).await.map(|_| ())),
        RingbufferError::NegativeSequence(-2)
    );
    assert_eq!(
        refused(rb.read_many(0, 5, 4).await.map(|_| ())),
        RingbufferError::MinAboveMax { min: 5, max: 4 }
    );
    assert_eq!(
        refused(rb.read_many(0, 0, RINGBUFFER_MAX_BATCH + 1).await.map(|_| ())),
        RingbufferError::BatchTooLarge {
            len: RINGBUFFER_MAX_BATCH + 1,
            max: RINGBUFFER_MAX_BATCH
        }
    );
    let none: [i64; 0] = [];
    assert_eq!(
        refused(rb.add_all(&none, OverflowPolicy::Overwrite).await.map(|_| ())),
        RingbufferError::EmptyBatch
    );
    let too_many: Vec<i64> = (0..=RINGBUFFER_MAX_BATCH as i64).collect();
    assert_eq!(
        refused(rb.add_all(&too_many, OverflowPolicy::Overwrite).await.map(|_| ())),
        RingbufferError::BatchTooLarge {
            len: RINGBUFFER_MAX_BATCH + 1,
            max: RINGBUFFER_MAX_BATCH
        }
    );
    assert_eq!(rb.tail_sequence().await.expect("tail"), -1, "nothing was added");
    // A full batch is accepted.
    let full: Vec<i64> = (0..RINGBUFFER_MAX_BATCH as i64).collect();
    let last = rb
        .add_all(&full, OverflowPolicy::Overwrite)
        .await
        .expect("add_all");
    assert_eq!(last, Some(RINGBUFFER_MAX_BATCH as i64 - 1));
    let batch = rb.read_many(0, 0, RINGBUFFER_MAX_BATCH).await.expect("read_many");
    assert_eq!(batch.items, full);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_many_from_before_the_head_starts_at_the_head() {
    let client = client().await;
    let rb = client
        .get_ringbuffer::<i64>(&unique("small"))
        .await
        .expect("ringbuffer");
    let items: Vec<i64> = (0..5).collect();
    rb.add_all(&items, OverflowPolicy::Overwrite)
        .await
        .expect("add_all");
    assert_eq!(rb.head_sequence().await.expect("head"), 2);
    // The member moves the start up to the head: the first sequence read tells what was missed.
    let batch = rb.read_many(0, 1, 3).await.expect("read_many");
    assert_eq!(batch.items, [2, 3, 4]);
    assert_eq!(batch.sequences, [2, 3, 4]);
    assert_eq!(batch.next_sequence, 5);
    assert_eq!(batch.next_sequence - batch.read_count as i64, 2);
    client.shutdown().await;
}

/// A filter object of a factory the members do not know.
#[derive(Debug, Default)]
struct UnknownFilter;

impl IdentifiedDataSerializable for UnknownFilter {
    fn factory_id(&self) -> i32 {
        4242
    }
    fn class_id(&self) -> i32 {
        1
    }
    fn write_data(&self, _out: &mut ObjectDataOutput) -> Result<(), SerializationError> {
        Ok(())
    }
    fn read_data(&mut self, _input: &mut ObjectDataInput<'_>) -> Result<(), SerializationError> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filter_is_sent_to_the_member_with_the_read() {
    let client = client().await;
    let rb = client
        .get_ringbuffer::<String>(&unique("filter"))
        .await
        .expect("ringbuffer");
    rb.add("a", OverflowPolicy::Overwrite).await.expect("add");
    assert_eq!(rb.read_many(0, 1, 1).await.expect("unfiltered").items, ["a"]);
    // The member has to deserialize the filter to run it: one it has no class for fails the
    // read, which shows the filter travelled with the request.
    let e = rb
        .read_many_filtered(0, 1, 1, &Identified(UnknownFilter))
        .await
        .expect_err("the member cannot read the filter");
    assert!(server_error(&e).is_some(), "{e:?}");
    assert!(
        format!("{e}").contains("4242"),
        "the member names the factory: {e}"
    );
    client.shutdown().await;
}
