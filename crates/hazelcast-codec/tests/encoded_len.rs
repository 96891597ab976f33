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
