//! `Encode::encoded_len` is exact for every variable-size type, so messages are built in buffers
//! of exactly their size.

mod common;

use common::*;
use hazelcast_codec::MessageWriter;
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::map::{MapGetRequest, MapPutAllRequest, MapPutRequest};
use hazelcast_codec::types::{Encode, EntryListRef};
use proptest::prelude::*;

/// Bytes `value.encode` appends, measured on a real writer.
fn written<T: Encode + ?Sized>(value: &T) -> usize {
    let mut w = MessageWriter::request(0, -1, 0);
    let before = w.len();
    value.encode(&mut w);
    w.len() - before
}

fn check<T: Encode + ?Sized>(value: &T) {
    assert_eq!(value.encoded_len(), written(value));
}

proptest! {
    #[test]
    fn exact_for_every_type(
        s in string(),
        os in opt_string(),
        d in data(),
        od in opt_data(),
        b in byte_array(),
        ints in int_list(),
        dl in data_list(),
        de in data_entries(),
        m in member_info(),
        ms in member_infos(),
        e in error_holder(),
        p in partition_owners(),
        g in uuid_groups(),
        q in endpoint_qualifier(),
        o in distributed_object_info(),
    ) {
        check(s.as_str());
        check(&os);
        check(&d);
        check(&od);
        check(&b);
        check(&ints);
        check(&hazelcast_codec::types::ListRef(&dl));
        check(&EntryListRef(&de));
        check(&m);
        check(&ms);
        check(&e);
        check(&p);
        check(&g);
        check(&q);
        check(&o);
    }

    #[test]
    fn requests_are_encoded_into_a_buffer_of_their_exact_size(key in data(), value in data(), de in data_entries()) {
        let put = MapPutRequest { thread_id: 1, ttl: -1, name: "m", key: &key, value: &value };
        let get = MapGetRequest { thread_id: 1, name: "m", key: &key };
        let put_all = MapPutAllRequest { trigger_map_loader: true, name: "m", entries: EntryListRef(&de) };
        for msg in [put.encode(1), get.encode(1), put_all.encode(1)] {
            // Frozen from a buffer of exactly its length: converting back is free and the
            // capacity equals the length.
            let bytes = msg.into_bytes();
            let len = bytes.len();
            let back = bytes.try_into_mut().expect("unique");
            prop_assert_eq!(back.capacity(), len);
        }
    }
}

proptest! {
    /// `encode_final` (cut from a shared per-thread chunk, header set on the writer) produces the
    /// very bytes of `encode` + the setters, and a message is not disturbed by the messages
    /// encoded after it into the same chunk — whatever their sizes, below and above the 1 KiB
    /// limit of carved buffers.
    #[test]
    fn final_encoding_equals_encode_and_patch(
        keys in proptest::collection::vec(data(), 1..40),
        value in data(),
        id in any::<i64>(),
        flags in any::<u16>(),
    ) {
        let mut kept = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            let put = MapPutRequest { thread_id: 1, ttl: -1, name: "m", key, value: &value };
            let mut expected = put.encode(i as i32);
            expected.set_correlation_id(id ^ i as i64);
            expected.add_initial_flags(flags);
            let got = put.encode_final(i as i32, id ^ i as i64, flags);
            prop_assert_eq!(got.as_bytes(), expected.as_bytes());
            kept.push((got, expected));
        }
        for (got, expected) in &kept {
            prop_assert_eq!(got.as_bytes(), expected.as_bytes());
        }
    }
}

/// A thousand small messages encoded on one thread share a few chunks: dropping them all
/// leaves every byte of the one message kept intact.
#[test]
fn a_kept_message_survives_its_chunk_neighbours() {
    let key = hazelcast_codec::Serialize::to_data("kept");
    let get = MapGetRequest {
        thread_id: 1,
        name: "m",
        key: &key,
    };
    let kept = get.encode_final(7, 42, 0);
    let copy = kept.as_bytes().to_vec();
    for i in 0..1000 {
        let other = hazelcast_codec::Serialize::to_data(&format!("other-{i}"));
        drop(
            MapGetRequest {
                thread_id: 2,
                name: "n",
                key: &other,
            }
            .encode_final(i, i as i64, 0),
        );
    }
    assert_eq!(kept.as_bytes().as_ref(), copy.as_slice());
    assert_eq!(kept.correlation_id(), 42);
    assert_eq!(kept.partition_id(), 7);
}
