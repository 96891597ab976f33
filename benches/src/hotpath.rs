//! Heap allocations per `Map.Get` on the invocation hot path, and in the codec alone.
//!
//! The caller's binary must install [`crate::alloc::CountingAlloc`] as its global allocator;
//! counts are process-wide, so they include the transport's reader and writer tasks.

use std::hint::black_box;

use bytes::BytesMut;
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::map::{MapGetRequest, MapGetResponse, MapSetRequest};
use hazelcast_codec::{Deserialize, MessageDecoder, Serialize};
use hazelcast_invocation::{ClusterClient, Target};
use serde::Serialize as SerdeSerialize;

use crate::alloc;

/// Allocations per operation (averages over `calls` operations, after a warm-up).
#[derive(Debug, Clone, Default, SerdeSerialize)]
pub struct HotPath {
    /// Operations counted.
    pub calls: u64,
    /// Codec: `MapGetRequest::encode` + `set_correlation_id` (key already serialized): a
    /// buffer of the message's own, patchable in place.
    pub codec_encode_request: f64,
    /// Codec: `MapGetRequest::encode_final` (header known; what `ClusterClient::invoke` does):
    /// carved from a shared per-thread chunk.
    pub codec_encode_request_final: f64,
    /// Codec: cutting a `Map.Get` answer out of a read buffer and decoding it (value as `Data`).
    pub codec_decode_response: f64,
    /// Serializing a string key to `Data`.
    pub serialize_key: f64,
    /// Deserializing the returned 100-byte string value (the returned value itself).
    pub deserialize_value: f64,
    /// `ClusterClient::invoke(MapGetRequest)` round trip against the member, key serialized
    /// before, answer not decoded: encode + routing + pending call + transport + answer.
    pub invoke_round_trip: f64,
    /// Bytes requested per `invoke_round_trip`.
    pub invoke_round_trip_bytes: f64,
    /// The whole user-level get: serialize key, invoke, decode, deserialize the value.
    pub full_get: f64,
}

fn per(c: alloc::Counts, n: u64) -> f64 {
    c.allocations as f64 / n as f64
}

/// Measures with `calls` operations on map `map` of a connected client.
pub async fn measure(client: &ClusterClient, map: &str, calls: u64) -> Result<HotPath, String> {
    let key_s = "k-hot".to_owned();
    let key = key_s.to_data();
    let value = "x".repeat(100).to_data();
    let pid = client.partition_id(&key);
    let target = Target::Partition(pid);
    client
        .invoke(
            &MapSetRequest {
                thread_id: 1,
                ttl: -1,
                name: map,
                key: &key,
                value: &value,
            },
            target,
        )
        .await
        .map_err(|e| format!("set: {e}"))?;
    let get = MapGetRequest {
        thread_id: 1,
        name: map,
        key: &key,
    };
    let mut r = HotPath {
        calls,
        ..HotPath::default()
    };

    // Codec alone.
    let (_, c) = alloc::count(|| {
        for i in 0..calls {
            let mut m = get.encode(black_box(pid));
            m.set_correlation_id(i as i64);
            black_box(m);
        }
    });
    r.codec_encode_request = per(c, calls);
    let (_, c) = alloc::count(|| {
        for i in 0..calls {
            black_box(get.encode_final(black_box(pid), i as i64, 0));
        }
    });
    r.codec_encode_request_final = per(c, calls);
    let answer = MapGetResponse::new(Some(value.clone())).encode(7);
    let mut stream = BytesMut::with_capacity(answer.len() * calls as usize);
    for _ in 0..calls {
        stream.extend_from_slice(answer.as_bytes());
    }
    let mut decoder = MessageDecoder::default();
    let mut values = Vec::with_capacity(calls as usize);
    let (_, c) = alloc::count(|| {
        while let Ok(Some(m)) = decoder.decode(&mut stream) {
            if let Ok(resp) = MapGetResponse::decode(&m) {
                values.push(resp.response);
            }
        }
    });
    r.codec_decode_response = per(c, calls);
    let (_, c) = alloc::count(|| {
        for _ in 0..calls {
            black_box(black_box(&key_s).to_data());
        }
    });
    r.serialize_key = per(c, calls);
    let (_, c) = alloc::count(|| {
        for v in values.iter().flatten() {
            black_box(String::from_data(v).ok());
        }
    });
    r.deserialize_value = per(c, values.len().max(1) as u64);
    drop(values);

    // Through the invocation service, against the member. Warm up first (pools, maps, buffers).
    for _ in 0..calls.min(2000) {
        client
            .invoke(&get, target)
            .await
            .map_err(|e| format!("get: {e}"))?;
    }
    let before = alloc::snapshot();
    for _ in 0..calls {
        let a = client
            .invoke(&get, target)
            .await
            .map_err(|e| format!("get: {e}"))?;
        black_box(a);
    }
    let c = alloc::snapshot() - before;
    r.invoke_round_trip = per(c, calls);
    r.invoke_round_trip_bytes = c.bytes as f64 / calls as f64;

    let before = alloc::snapshot();
    for _ in 0..calls {
        let k = black_box(&key_s).to_data();
        let pid = client.partition_id(&k);
        let a = client
            .invoke(
                &MapGetRequest {
                    thread_id: 1,
                    name: map,
                    key: &k,
                },
                Target::Partition(pid),
            )
            .await
            .map_err(|e| format!("get: {e}"))?;
        let v = MapGetResponse::decode(&a)
            .map_err(|e| e.to_string())?
            .response
            .map(|d| String::from_data(&d))
            .transpose()
            .map_err(|e| e.to_string())?;
        black_box(v);
    }
    r.full_get = per(alloc::snapshot() - before, calls);
    Ok(r)
}
