//! Codec micro-benchmarks: `Map.Put` / `Map.Get` request encoding, response decoding from a byte
//! stream, and partition hashing.

use std::hint::black_box;

use bytes::BytesMut;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::map::{MapGetRequest, MapGetResponse, MapPutRequest, MapPutResponse};
use hazelcast_codec::{MessageDecoder, Serialize, partition};

fn map_put(c: &mut Criterion) {
    let key = "key-1".to_data();
    let value = vec![7u8; 100].to_data();
    let mut g = c.benchmark_group("map_put");
    g.throughput(Throughput::Elements(1));
    g.bench_function("encode_request", |b| {
        b.iter(|| {
            let req = MapPutRequest {
                thread_id: 1,
                ttl: -1,
                name: "bench-map",
                key: &key,
                value: &value,
            };
            let mut msg = req.encode(black_box(94));
            msg.set_correlation_id(black_box(42));
            msg
        })
    });
    let old = vec![1u8; 100].to_data();
    let response = MapPutResponse::new(Some(old)).encode(42);
    let wire = response.as_bytes().clone();
    let mut decoder = MessageDecoder::default();
    g.bench_function("decode_response", |b| {
        b.iter(|| {
            let mut buf = BytesMut::from(&wire[..]);
            let msg = decoder
                .decode(&mut buf)
                .ok()
                .flatten()
                .map(|m| MapPutResponse::decode(&m));
            black_box(msg)
        })
    });
    g.finish();
}

fn map_get(c: &mut Criterion) {
    let key = "key-1".to_data();
    let mut g = c.benchmark_group("map_get");
    g.throughput(Throughput::Elements(1));
    g.bench_function("encode_request", |b| {
        b.iter(|| {
            let req = MapGetRequest {
                thread_id: 1,
                name: "bench-map",
                key: &key,
            };
            let mut msg = req.encode(black_box(94));
            msg.set_correlation_id(black_box(42));
            msg
        })
    });
    // 64 pipelined responses in one read buffer, as they arrive under load.
    let value = vec![7u8; 100].to_data();
    let mut stream = BytesMut::new();
    for id in 0..64 {
        stream.extend_from_slice(MapGetResponse::new(Some(value.clone())).encode(id).as_bytes());
    }
    let stream = stream.freeze();
    g.throughput(Throughput::Elements(64));
    g.bench_function("decode_64_pipelined_responses", |b| {
        let mut decoder = MessageDecoder::default();
        b.iter(|| {
            let mut buf = BytesMut::from(&stream[..]);
            let mut n = 0;
            while let Ok(Some(m)) = decoder.decode(&mut buf) {
                if MapGetResponse::decode(&m).is_ok() {
                    n += 1;
                }
            }
            black_box(n)
        })
    });
    g.finish();
}

fn hashing(c: &mut Criterion) {
    let key = "key-12345".to_data();
    c.bench_function("partition_id_of_string_key", |b| {
        b.iter(|| partition::partition_id(black_box(&key), 271))
    });
}

mod harness {
    #![allow(missing_docs)]
    use super::*;
    criterion_group!(benches, map_put, map_get, hashing);
}
criterion_main!(harness::benches);
