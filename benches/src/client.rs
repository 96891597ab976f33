//! The Rust client side of the load generator: connecting and one map operation, through the
//! facade (`HazelcastClient`, `Map<String, String>`): the path users take.

use std::hint::black_box;
use std::time::Duration;

use hazelcast::{HazelcastClient, Map};
use hazelcast_transport::Address;

use crate::cli::Options;
use crate::workload::Op;

/// What the load generator calls.
pub const API: &str = "Map<String, String>::get/set/put/remove (the facade)";

/// Parses `host:port`.
pub fn endpoint(addr: &str) -> Result<Address, String> {
    let (host, port) = addr
        .rsplit_once(':')
        .ok_or_else(|| format!("member address without a port: {addr:?}"))?;
    let port = port.parse().map_err(|_| format!("bad port in {addr:?}"))?;
    Ok(Address::new(host, port))
}

/// A connected client and the map the workload uses.
pub struct BenchClient {
    /// The client.
    pub client: HazelcastClient,
    /// The workload's map.
    pub map: Map<String, String>,
}

/// Connects a smart client to the members of `o` and waits until the partition table is known.
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
    Ok(BenchClient { client, map })
}

/// One map operation on `key` as a user writes it: the facade serializes the key (and value),
/// routes to the key's partition, decodes the answer and deserializes the returned value.
pub async fn run_op(c: &BenchClient, key: &str, value: &str, op: Op) -> bool {
    match op {
        Op::Get => c.map.get(key).await.map(black_box).is_ok(),
        Op::Set => c.map.set(key, value).await.is_ok(),
        Op::Put => c.map.put(key, value).await.map(black_box).is_ok(),
        Op::Remove => c.map.remove(key).await.map(black_box).is_ok(),
    }
}
