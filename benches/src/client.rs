//! The Rust client side of the load generator: connecting and one map operation.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use hazelcast_codec::messages::map::{
    MapGetRequest, MapGetResponse, MapPutRequest, MapPutResponse, MapRemoveRequest, MapRemoveResponse,
    MapSetRequest, MapSetResponse,
};
use hazelcast_codec::{Deserialize, Serialize};
use hazelcast_invocation::{ClusterClient, InvocationConfig, StaticSeeds, Target};
use hazelcast_transport::Endpoint;

use crate::cli::Options;
use crate::workload::Op;

/// What the load generator calls.
pub const API: &str = "ClusterClient::invoke + codec requests";

/// Parses `host:port`.
pub fn endpoint(addr: &str) -> Result<Endpoint, String> {
    let (host, port) = addr
        .rsplit_once(':')
        .ok_or_else(|| format!("member address without a port: {addr:?}"))?;
    let port = port.parse().map_err(|_| format!("bad port in {addr:?}"))?;
    Ok(Endpoint::new(host, port))
}

/// Connects a smart client to the members of `o` and waits until the partition table is known.
pub async fn connect(o: &Options) -> Result<ClusterClient, String> {
    let seeds = o
        .members
        .iter()
        .map(|m| endpoint(m))
        .collect::<Result<Vec<_>, _>>()?;
    let mut cfg = InvocationConfig::default();
    cfg.cluster_name = o.cluster_name.clone();
    cfg.invocation_timeout = Duration::from_secs(30);
    cfg.cluster_connect_timeout = Some(Duration::from_secs(30));
    let client = ClusterClient::connect(cfg, Arc::new(StaticSeeds(seeds)))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    // A fresh cluster assigns partitions on the first partition-bound call.
    let probe = "probe".to_data();
    let pid = client.partition_id(&probe);
    let req = MapGetRequest {
        thread_id: 1,
        name: &o.map,
        key: &probe,
    };
    client
        .invoke(&req, Target::Partition(pid))
        .await
        .map_err(|e| format!("probe: {e}"))?;
    for _ in 0..200 {
        if client.snapshot().partitions.owners.iter().all(Option::is_some)
            && !client.snapshot().partitions.owners.is_empty()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Ok(client)
}

/// Deserializes a returned value as a user would; false when it is not a string.
fn take_value(value: Option<hazelcast_codec::Data>) -> bool {
    value
        .map(|d| String::from_data(&d))
        .transpose()
        .map(black_box)
        .is_ok()
}

/// One map operation on `key` as a user would write it: serialize the key (and value), route to
/// the key's partition, decode the answer and deserialize the returned value.
pub async fn run_op(client: &ClusterClient, map: &str, key: &str, value: &str, op: Op) -> bool {
    let key = key.to_data();
    let target = Target::Partition(client.partition_id(&key));
    match op {
        Op::Get => {
            let req = MapGetRequest {
                thread_id: 1,
                name: map,
                key: &key,
            };
            match client.invoke(&req, target).await {
                Ok(answer) => MapGetResponse::decode(&answer).is_ok_and(|r| take_value(r.response)),
                Err(_) => false,
            }
        }
        Op::Set => {
            let value = value.to_data();
            let req = MapSetRequest {
                thread_id: 1,
                ttl: -1,
                name: map,
                key: &key,
                value: &value,
            };
            match client.invoke(&req, target).await {
                Ok(answer) => MapSetResponse::decode(&answer).is_ok(),
                Err(_) => false,
            }
        }
        Op::Put => {
            let value = value.to_data();
            let req = MapPutRequest {
                thread_id: 1,
                ttl: -1,
                name: map,
                key: &key,
                value: &value,
            };
            match client.invoke(&req, target).await {
                Ok(answer) => MapPutResponse::decode(&answer).is_ok_and(|r| take_value(r.response)),
                Err(_) => false,
            }
        }
        Op::Remove => {
            let req = MapRemoveRequest {
                thread_id: 1,
                name: map,
                key: &key,
            };
            match client.invoke(&req, target).await {
                Ok(answer) => MapRemoveResponse::decode(&answer).is_ok_and(|r| take_value(r.response)),
                Err(_) => false,
            }
        }
    }
}
