//! Codec micro-benchmarks: `Map.Put` / `Map.Get` request encoding, response decoding from a byte
//! stream, cluster-view events (a `MembersView` of 3 members, a `PartitionsView` of 271
//! partitions), partition hashing and the partition-owner lookup of the invocation layer.

use std::hint::black_box;

use bytes::BytesMut;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hazelcast_codec::Address;
use hazelcast_codec::custom::{MemberInfo, MemberVersion};
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::client::{
    ClientAddClusterViewListenerEvent, ClientAddClusterViewListenerMembersViewEvent,
    ClientAddClusterViewListenerPartitionsViewEvent,
};
use hazelcast_codec::messages::map::{MapGetRequest, MapGetResponse, MapPutRequest, MapPutResponse};
use hazelcast_codec::types::{EntryList, PartitionOwners, VarList};
use hazelcast_codec::{ClientMessage, MessageDecoder, Serialize, Uuid, partition};
use hazelcast_invocation::PartitionTable;

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

fn member_uuid(i: u128) -> Uuid {
    Uuid::from_u128(0x1000_0000_0000_4000_8000_0000_0000_0000 + i)
}

/// The 271 partitions dealt round-robin to 3 members, as the cluster-view listener sends them.
fn owners_271() -> Vec<(Uuid, Vec<i32>)> {
    (0..3u128)
        .map(|m| (member_uuid(m), (0..271).filter(|p| *p % 3 == m as i32).collect()))
        .collect()
}

fn cluster_view(c: &mut Criterion) {
    let members: Vec<MemberInfo> = (0..3u16)
        .map(|i| {
            MemberInfo::new(
                member_uuid(u128::from(i)),
                false,
                Address::new("127.0.0.1", 5701 + i),
                EntryList(Vec::new()),
                MemberVersion::new(5, 7, 0),
                None,
            )
        })
        .collect();
    let members_msg = ClientAddClusterViewListenerMembersViewEvent::new(3, VarList(members)).encode(1);
    let partitions_msg =
        ClientAddClusterViewListenerPartitionsViewEvent::new(4, PartitionOwners(owners_271())).encode(1);
    let mut g = c.benchmark_group("cluster_view");
    g.throughput(Throughput::Elements(1));
    let decode = |msg: &ClientMessage| ClientAddClusterViewListenerEvent::decode(black_box(msg));
    g.bench_function("decode_members_view_3_members", |b| {
        b.iter(|| decode(&members_msg))
    });
    g.bench_function("decode_partitions_view_271", |b| {
        b.iter(|| decode(&partitions_msg))
    });
    g.finish();
}

fn hashing(c: &mut Criterion) {
    let key = "key-12345".to_data();
    c.bench_function("partition_id_of_string_key", |b| {
        b.iter(|| partition::partition_id(black_box(&key), 271))
    });
    let mut table = PartitionTable::default();
    let mut owners = vec![None; 271];
    for (uuid, parts) in owners_271() {
        for p in parts {
            owners[p as usize] = Some(uuid);
        }
    }
    table.owners = owners;
    c.bench_function("partition_owner_lookup", |b| {
        b.iter(|| table.owner(black_box(133)))
    });
    c.bench_function("serialize_key_hash_and_owner", |b| {
        b.iter(|| {
            let key = black_box("k-4711").to_data();
            table.owner(partition::partition_id(&key, 271))
        })
    });
}

mod harness {
    #![allow(missing_docs)]
    use super::*;
    criterion_group!(benches, map_put, map_get, cluster_view, hashing);
}
criterion_main!(harness::benches);
