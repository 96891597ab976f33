//! The Rust client side of the load generator: connecting and one operation, through the
//! facade (`HazelcastClient`, `Map<String, String>`, `Map<String, Compact<Record>>`,
//! `Queue<String>`, `Topic<String>`): the path users take.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hazelcast::serialization::Compact;
use hazelcast::{HazelcastClient, Map, Queue, Topic};
use hazelcast_transport::Address;

use crate::cli::{Options, Workload};
use crate::workload::{Op, Record, record};

/// How long a queue consumer's poll waits for an item.
pub const POLL_TIMEOUT: Duration = Duration::from_secs(1);

/// What the load generator calls for `workload`.
pub fn api(workload: Workload) -> &'static str {
    match workload {
        Workload::Get | Workload::Put | Workload::Set | Workload::Mix => {
            "Map<String, String>::get/set/put/remove (the facade)"
        }
        Workload::CompactGet | Workload::CompactSet => {
            "Map<String, Compact<Record>>::get/set, a 10-field serde struct (the facade)"
        }
        Workload::Queue => "Queue<String>::offer / poll_timeout(1 s) (the facade)",
        Workload::Topic => "Topic<String>::publish, one MessageStream on the same client (the facade)",
    }
}

/// Parses `host:port`.
pub fn endpoint(addr: &str) -> Result<Address, String> {
    let (host, port) = addr
        .rsplit_once(':')
        .ok_or_else(|| format!("member address without a port: {addr:?}"))?;
    let port = port.parse().map_err(|_| format!("bad port in {addr:?}"))?;
    Ok(Address::new(host, port))
}

/// A connected client and the structure the workload uses.
pub struct BenchClient {
    /// The client.
    pub client: HazelcastClient,
    /// The map of the string workloads (also the partition-table probe).
    pub map: Map<String, String>,
    /// The map of the Compact workloads.
    pub records: Option<Map<String, Compact<Record>>>,
    /// The record the `compact-set` workload writes.
    pub record: Compact<Record>,
    /// The queue of the queue workload.
    pub queue: Option<Queue<String>>,
    /// The topic of the topic workload.
    pub topic: Option<Topic<String>>,
    /// Messages the topic listener received so far (topic workload).
    pub received: Arc<AtomicU64>,
}

/// Connects a smart client to the members of `o` and waits until the partition table is known;
/// for the topic workload, registers the listener that counts messages.
pub async fn connect(o: &Options) -> Result<BenchClient, String> {
    for m in &o.members {
        endpoint(m)?;
    }
    let client = HazelcastClient::builder()
        .cluster_name(o.cluster_name.clone())
        .cluster_members(o.members.iter().cloned())
        .invocation_timeout(Duration::from_secs(30))
        .cluster_connect_timeout(Some(Duration::from_secs(30)))
        .start()
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let map = client
        .get_map::<String, String>(&o.map)
        .await
        .map_err(|e| format!("map: {e}"))?;
    // A fresh cluster assigns partitions on the first partition-bound call.
    map.get("probe").await.map_err(|e| format!("probe: {e}"))?;
    for _ in 0..200 {
        let ready = client.cluster_client().is_some_and(|c| {
            let s = c.snapshot();
            !s.partitions.owners.is_empty() && s.partitions.owners.iter().all(Option::is_some)
        });
        if ready {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let records = if o.workload.is_compact() {
        Some(
            client
                .get_map::<String, Compact<Record>>(&o.map)
                .await
                .map_err(|e| format!("map: {e}"))?,
        )
    } else {
        None
    };
    let queue = if o.workload == Workload::Queue {
        Some(
            client
                .get_queue(&o.map)
                .await
                .map_err(|e| format!("queue: {e}"))?,
        )
    } else {
        None
    };
    let received = Arc::new(AtomicU64::new(0));
    let topic = if o.workload == Workload::Topic {
        let topic: Topic<String> = client
            .get_topic(&o.map)
            .await
            .map_err(|e| format!("topic: {e}"))?;
        let mut messages = topic
            .messages()
            .await
            .map_err(|e| format!("topic listener: {e}"))?;
        let count = received.clone();
        tokio::spawn(async move {
            while let Some(m) = messages.recv().await {
                if m.is_ok() {
                    count.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        Some(topic)
    } else {
        None
    };
    Ok(BenchClient {
        client,
        map,
        records,
        record: Compact(record(0)),
        queue,
        topic,
        received,
    })
}

/// One operation as a user writes it: the facade serializes the key (and value), routes to the
/// partition, decodes the answer and deserializes the returned value. A queue poll that times
/// out counts as a completed call.
pub async fn run_op(c: &BenchClient, key: &str, value: &str, op: Op) -> bool {
    match (op, &c.records) {
        (Op::Get, Some(records)) => records.get(key).await.map(black_box).is_ok(),
        (Op::Set, Some(records)) => records.set(key, &c.record).await.is_ok(),
        (Op::Get, None) => c.map.get(key).await.map(black_box).is_ok(),
        (Op::Set, None) => c.map.set(key, value).await.is_ok(),
        (Op::Put, _) => c.map.put(key, value).await.map(black_box).is_ok(),
        (Op::Remove, _) => c.map.remove(key).await.map(black_box).is_ok(),
        (Op::Offer, _) => match &c.queue {
            Some(q) => q.offer(value).await.is_ok_and(|accepted| accepted),
            None => false,
        },
        (Op::Poll, _) => match &c.queue {
            Some(q) => q.poll_timeout(POLL_TIMEOUT).await.map(black_box).is_ok(),
            None => false,
        },
        (Op::Publish, _) => match &c.topic {
            Some(t) => t.publish(value).await.is_ok(),
            None => false,
        },
    }
}

/// Writes the prefill value of key number `i`: the string value, or `record(i)` in the Compact
/// workloads.
pub async fn prefill_one(c: &BenchClient, i: usize, key: &str, value: &str) -> bool {
    match &c.records {
        Some(records) => records.set(key, Compact(record(i))).await.is_ok(),
        None => c.map.set(key, value).await.is_ok(),
    }
}
