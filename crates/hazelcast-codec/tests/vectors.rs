//! Byte-exact vectors of the Open Binary Client Protocol (frame layout, `Data` of the built-in
//! types, partition hashing, as the official clients produce them): encoders must produce
//! exactly these bytes and decoders must read them back.

mod common;

use bytes::{Bytes, BytesMut};
use common::{frame, frame_list, frame_shape, hex};
use hazelcast_codec::Address;
use hazelcast_codec::custom::{EndpointQualifier, MemberInfo, MemberVersion, protocol_type};
use hazelcast_codec::frame::flags;
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::client::{
    ClientAddClusterViewListenerMembersViewEvent, ClientAddClusterViewListenerPartitionsViewEvent,
    ClientAuthenticationRequest, ClientCreateProxyRequest, ClientCreateProxyResponse, ClientPingRequest,
    ROUTING_MODE_SMART,
};
use hazelcast_codec::messages::map::{MapPutRequest, MapPutResponse};
use hazelcast_codec::partition::{MURMUR_SEED, hash_to_index, murmur3_x86_32, partition_id};
use hazelcast_codec::types::{EntryList, FixedSize, ListRef, PartitionOwners, VarList};
use hazelcast_codec::{
    ClientMessage, Data, Deserialize, MessageDecoder, MessageWriter, PROTOCOL_PREAMBLE, Serialize, Uuid,
};

const CLIENT_UUID: &str = "12345678-9abc-def0-1122-334455667788";

fn client_uuid() -> Uuid {
    Uuid::parse_str(CLIENT_UUID).expect("valid uuid")
}

fn concat(frames: &[Vec<u8>]) -> Vec<u8> {
    frames.concat()
}

#[test]
fn preamble_is_cp2() {
    assert_eq!(PROTOCOL_PREAMBLE, &[0x43, 0x50, 0x32]);
}

#[test]
fn authentication_request_2_8_layout() {
    let labels: Vec<String> = Vec::new();
    let req = ClientAuthenticationRequest {
        uuid: Some(client_uuid()),
        serialization_version: 1,
        routing_mode: ROUTING_MODE_SMART,
        cp_direct_to_leader_routing: false,
        cluster_name: "dev",
        username: None,
        password: None,
        client_type: "RST",
        client_hazelcast_version: "5.5.0",
        client_name: "rust-client",
        labels: ListRef(&labels),
    };
    let mut msg = req.encode(-1);
    msg.set_correlation_id(1);

    // The digest's 2.0 table, with routingMode 1 and cpDirectToLeaderRouting false appended to frame 1.
    let expected = concat(&[
        frame(
            0xC000,
            &hex("00010000 0100000000000000 ffffffff 00 f0debc9a78563412 8877665544332211 01 01 00"),
        ),
        frame(0x0000, b"dev"),
        frame(0x0400, &[]),
        frame(0x0400, &[]),
        frame(0x0000, b"RST"),
        frame(0x0000, b"5.5.0"),
        frame(0x0000, b"rust-client"),
        frame(0x1000, &[]),
        frame(0x2800, &[]),
    ]);
    assert_eq!(expected.len(), 112);
    assert_eq!(&msg.as_bytes()[..], &expected[..]);
    assert_eq!(
        frame_shape(&msg),
        vec![
            (42, 0xC000),
            (9, 0),
            (6, 0x0400),
            (6, 0x0400),
            (9, 0),
            (11, 0),
            (17, 0),
            (6, 0x1000),
            (6, 0x2800)
        ]
    );

    // The member side reads the same values back.
    let p = ClientAuthenticationRequest::decode_request(&msg).expect("decodes");
    assert_eq!(p.uuid, Some(client_uuid()));
    assert_eq!(
        (
            p.serialization_version,
            p.routing_mode,
            p.cp_direct_to_leader_routing
        ),
        (1, Some(1), Some(false))
    );
    assert_eq!(
        (p.cluster_name.as_str(), p.username, p.password),
        ("dev", None, None)
    );
    assert_eq!(
        (
            p.client_type.as_str(),
            p.client_hazelcast_version.as_str(),
            p.client_name.as_str()
        ),
        ("RST", "5.5.0", "rust-client")
    );
    assert!(p.labels.0.is_empty());
}

#[test]
fn ping_request() {
    let mut msg = ClientPingRequest {}.encode(-1);
    msg.set_correlation_id(2);
    assert_eq!(
        &msg.as_bytes()[..],
        &frame(0xE000, &hex("000b0000 0200000000000000 ffffffff"))[..]
    );
    assert_eq!(msg.len(), 22);
}

#[test]
fn map_put_request() {
    let key = "key-1".to_data();
    let value = 42i32.to_data();
    let pid = partition_id(&key, 271);
    assert_eq!(pid, 94);
    let req = MapPutRequest {
        thread_id: 1,
        ttl: -1,
        name: "my-map",
        key: &key,
        value: &value,
    };
    let mut msg = req.encode(pid);
    msg.set_correlation_id(3);
    let expected = concat(&[
        frame(
            0xC000,
            &hex("00010100 0300000000000000 5e000000 0100000000000000 ffffffffffffffff"),
        ),
        frame(0x0000, &hex("6d792d6d6170")),
        frame(0x0000, &hex("00000000 fffffff5 00000005 6b65792d31")),
        frame(0x2000, &hex("00000000 fffffff9 0000002a")),
    ]);
    assert_eq!(&msg.as_bytes()[..], &expected[..]);
    assert_eq!(
        frame_shape(&msg),
        vec![(38, 0xC000), (12, 0), (23, 0), (18, 0x2000)]
    );
}

#[test]
fn map_put_reply_without_old_value() {
    let wire = concat(&[
        frame(0xC000, &hex("01010100 0300000000000000 00")),
        frame(0x2400, &[]),
    ]);
    assert_eq!(wire.len(), 19 + 6);

    // As it arrives on the socket.
    let mut buf = BytesMut::from(&wire[..]);
    let msg = MessageDecoder::default()
        .decode(&mut buf)
        .expect("no error")
        .expect("a whole message");
    assert!(buf.is_empty());
    assert_eq!(msg.message_type(), 0x010101);
    assert_eq!(msg.correlation_id(), 3);
    assert_eq!(msg.backup_acks(), 0);
    assert!(!msg.is_event() && !msg.is_error());
    assert_eq!(MapPutResponse::decode(&msg).expect("decodes").response, None);

    // And the encoder writes the same bytes.
    assert_eq!(&MapPutResponse::new(None).encode(3).as_bytes()[..], &wire[..]);
}

#[test]
fn create_proxy_request_and_reply() {
    let mut msg = ClientCreateProxyRequest {
        name: "my-map",
        service_name: "hz:impl:mapService",
    }
    .encode(-1);
    msg.set_correlation_id(5);
    let expected = concat(&[
        frame(0xC000, &hex("00040000 0500000000000000 ffffffff")),
        frame(0x0000, b"my-map"),
        frame(0x2000, b"hz:impl:mapService"),
    ]);
    assert_eq!(&msg.as_bytes()[..], &expected[..]);
    assert_eq!(frame_shape(&msg), vec![(22, 0xC000), (12, 0), (24, 0x2000)]);

    let reply = frame(0xE000, &hex("01040000 0500000000000000 00"));
    assert_eq!(reply.len(), 19);
    assert_eq!(
        &ClientCreateProxyResponse::new().encode(5).as_bytes()[..],
        &reply[..]
    );
    let decoded = ClientMessage::from_bytes(Bytes::from(reply)).expect("valid");
    assert_eq!(
        ClientCreateProxyResponse::decode(&decoded).expect("decodes"),
        ClientCreateProxyResponse::new()
    );
}

/// Encodes fixed-size values into a fixed frame and returns that frame's content.
fn fixed_bytes(put: impl FnOnce(&mut MessageWriter)) -> Vec<u8> {
    let mut w = MessageWriter::request(0, -1, 64);
    w.begin_fixed_frame();
    put(&mut w);
    let msg = w.finish();
    msg.frames().nth(1).expect("fixed frame").content.to_vec()
}

#[test]
fn protocol_uuid_encoding() {
    let u = client_uuid();
    let expected = hex("00 f0debc9a78563412 8877665544332211");
    assert_eq!(fixed_bytes(|w| u.put(w)), expected);
    assert_eq!(fixed_bytes(|w| Some(u).put(w)), expected);
    assert_eq!(<Option<Uuid>>::get(&expected), Some(u));
    assert_eq!(Uuid::get(&expected), u);

    // Null: the null byte 1 followed by 16 zero bytes.
    let mut null = vec![1u8];
    null.extend_from_slice(&[0; 16]);
    assert_eq!(fixed_bytes(|w| None::<Uuid>.put(w)), null);
    assert_eq!(<Option<Uuid>>::get(&null), None);
    assert_eq!(Uuid::get(&null), Uuid::nil());
}

#[test]
fn fixed_size_scalars_are_little_endian() {
    assert_eq!(fixed_bytes(|w| 0x0102_0304i32.put(w)), hex("04030201"));
    assert_eq!(fixed_bytes(|w| (-1i64).put(w)), hex("ffffffffffffffff"));
    assert_eq!(fixed_bytes(|w| 1.5f32.put(w)), 1.5f32.to_le_bytes().to_vec());
    assert_eq!(fixed_bytes(|w| true.put(w)), vec![1]);
    assert_eq!(fixed_bytes(|w| false.put(w)), vec![0]);
    assert_eq!(fixed_bytes(|w| (-2i8).put(w)), vec![0xfe]);
    assert_eq!(fixed_bytes(|w| 0xabu8.put(w)), vec![0xab]);
}

fn data_hex(d: &Data) -> Vec<u8> {
    d.as_bytes().to_vec()
}

#[test]
fn data_serialization_vectors() {
    let int = 56789i32.to_data();
    assert_eq!(data_hex(&int), hex("00000000 fffffff9 0000ddd5"));
    assert_eq!(i32::from_data(&int), Ok(56789));

    let long = (-50992225i64).to_data();
    assert_eq!(data_hex(&long), hex("00000000 fffffff8 fffffffffcf5eb9f"));
    assert_eq!(i64::from_data(&long), Ok(-50992225));

    let b = true.to_data();
    assert_eq!(data_hex(&b), hex("00000000 fffffffc 01"));
    assert_eq!(bool::from_data(&b), Ok(true));

    let byte = 113i8.to_data();
    assert_eq!(data_hex(&byte), hex("00000000 fffffffd 71"));
    assert_eq!(i8::from_data(&byte), Ok(113));

    let u = Uuid::parse_str("ffffffff-fcf5-eb9f-0000-00000000ddd5").expect("uuid");
    let ud = u.to_data();
    assert_eq!(
        data_hex(&ud),
        hex("00000000 ffffffeb fffffffffcf5eb9f 000000000000ddd5")
    );
    assert_eq!(Uuid::from_data(&ud), Ok(u));

    let bytes: Vec<u8> = vec![112, 4, 255, 4, 112, 221, 43];
    let bd = bytes.to_data();
    assert_eq!(data_hex(&bd), hex("00000000 fffffff4 00000007 7004ff0470dd2b"));
    assert_eq!(Vec::<u8>::from_data(&bd), Ok(bytes));

    let s = "key-1".to_data();
    assert_eq!(data_hex(&s), hex("00000000 fffffff5 00000005 6b65792d31"));
    assert_eq!(String::from_data(&s), Ok("key-1".to_string()));
    assert_eq!(s.type_id(), -11);
    assert_eq!(s.payload(), &hex("00000005 6b65792d31")[..]);
}

#[test]
fn murmur_vectors_over_raw_bytes() {
    let cases: [(&[u8], i32, i32); 5] = [
        (b"key-1", 1228513025, 107),
        (b"key-2", 1503416236, 105),
        (b"", -1585187909, 238),
        (b"a", -1686100800, 46),
        (b"abcd", -973615161, 236),
    ];
    for (input, hash, pid) in cases {
        let h = murmur3_x86_32(input, MURMUR_SEED);
        assert_eq!(h, hash, "murmur of {:?}", String::from_utf8_lossy(input));
        assert_eq!(
            hash_to_index(h, 271),
            pid,
            "partition of {:?}",
            String::from_utf8_lossy(input)
        );
    }
    assert_eq!(MURMUR_SEED, 0x0100_0193);
}

#[test]
fn murmur_vectors_over_data() {
    let cases: [(Data, i32, i32); 5] = [
        ("key-1".to_data(), 2132451398, 94),
        ("hello".to_data(), 1985248981, 270),
        (42i32.to_data(), 2076340387, 175),
        (42i64.to_data(), 1624962215, 145),
        (1.5f64.to_data(), -867000382, 109),
    ];
    for (data, hash, pid) in cases {
        assert_eq!(data.partition_hash(), hash, "{data:?}");
        assert_eq!(partition_id(&data, 271), pid, "{data:?}");
    }
}

#[test]
fn partition_hash_from_header_when_non_zero() {
    // A partitioning strategy put the hash 0x00000007 in the header: it wins over murmur.
    let d = Data::from_bytes(Bytes::from(hex("00000007 fffffff9 0000002a"))).expect("valid");
    assert_eq!(d.partition_hash(), 7);
    assert_eq!(partition_id(&d, 271), 7);
    let negative = Data::from_bytes(Bytes::from(hex("fffffff0 fffffff9 0000002a"))).expect("valid");
    assert_eq!(negative.partition_hash(), -16);
    assert_eq!(partition_id(&negative, 271), 16);
}

#[test]
fn hash_to_index_edge_cases() {
    assert_eq!(hash_to_index(i32::MIN, 271), 0);
    assert_eq!(hash_to_index(i32::MAX, 271), i32::MAX % 271);
    assert_eq!(hash_to_index(-1, 271), 1);
    assert_eq!(hash_to_index(-271, 271), 0);
    assert_eq!(hash_to_index(-272, 271), 1);
    assert_eq!(hash_to_index(0, 271), 0);
}

fn sample_member(address_map: Option<EntryList<EndpointQualifier, Address>>) -> MemberInfo {
    MemberInfo::new(
        client_uuid(),
        false,
        Address::new("10.0.0.1", 5701),
        EntryList(vec![("k".into(), "v".into())]),
        MemberVersion::new(5, 5, 0),
        address_map,
    )
}

#[test]
fn members_view_event_2_0_shape() {
    let event = ClientAddClusterViewListenerMembersViewEvent::new(7, VarList(vec![sample_member(None)]));
    let msg = event.encode(11);
    let frames = frame_list(&msg);
    let shape: Vec<(usize, u16)> = frames.iter().map(|(l, f, _)| (*l, *f)).collect();
    assert_eq!(
        shape,
        vec![
            (26, 0xC200), // initial frame: type, correlation id, partition -1, version
            (6, 0x1000),  // list BEGIN
            (6, 0x1000),  // MemberInfo BEGIN
            (24, 0),      // uuid + liteMember
            (6, 0x1000),  // Address BEGIN
            (10, 0),      // port
            (6 + 8, 0),   // host "10.0.0.1"
            (6, 0x0800),  // Address END
            (6, 0x1000),  // attributes BEGIN
            (7, 0),       // "k"
            (7, 0),       // "v"
            (6, 0x0800),  // attributes END
            (6, 0x1000),  // MemberVersion BEGIN
            (9, 0),       // major, minor, patch
            (6, 0x0800),  // MemberVersion END
            (6, 0x0800),  // MemberInfo END
            (6, 0x2800),  // list END + IS_FINAL
        ]
    );
    assert_eq!(frames[0].2, hex("02030000 0b00000000000000 ffffffff 07000000"));
    assert_eq!(frames[3].2, hex("00 f0debc9a78563412 8877665544332211 00"));
    assert_eq!(frames[5].2, 5701i32.to_le_bytes().to_vec());
    assert_eq!(frames[13].2, vec![5, 5, 0]);
    assert!(msg.is_event());
    assert_eq!(
        ClientAddClusterViewListenerMembersViewEvent::decode(&msg).expect("decodes"),
        event
    );
}

#[test]
fn members_view_event_2_0_1_shape_with_address_map() {
    let address_map = EntryList(vec![(
        EndpointQualifier::new(protocol_type::CLIENT, None),
        Address::new("h", 5702),
    )]);
    let event =
        ClientAddClusterViewListenerMembersViewEvent::new(1, VarList(vec![sample_member(Some(address_map))]));
    let msg = event.encode(11);
    let shape = frame_shape(&msg);
    // Up to and including the MemberVersion END, the 2.0 layout; then the address map.
    assert_eq!(shape.len(), 17 + 10);
    assert_eq!(shape[14], (6, 0x0800), "MemberVersion END");
    assert_eq!(
        &shape[15..],
        &[
            (6, 0x1000), // addressMap BEGIN
            (6, 0x1000), // EndpointQualifier BEGIN
            (10, 0),     // type
            (6, 0x0400), // identifier null
            (6, 0x0800), // EndpointQualifier END
            (6, 0x1000), // Address BEGIN
            (10, 0),     // port
            (7, 0),      // host "h"
            (6, 0x0800), // Address END
            (6, 0x0800), // addressMap END
            (6, 0x0800), // MemberInfo END
            (6, 0x2800), // list END + IS_FINAL
        ][..]
    );
    let decoded = ClientAddClusterViewListenerMembersViewEvent::decode(&msg).expect("decodes");
    assert_eq!(decoded, event);
    assert_eq!(
        decoded.member_infos.0[0].client_address(),
        &Address::new("h", 5702)
    );
}

#[test]
fn partitions_view_event_shape() {
    let event = ClientAddClusterViewListenerPartitionsViewEvent::new(
        3,
        PartitionOwners(vec![(client_uuid(), vec![25])]),
    );
    let msg = event.encode(11);
    let frames = frame_list(&msg);
    assert_eq!(
        frames.iter().map(|(l, f, _)| (*l, *f)).collect::<Vec<_>>(),
        vec![(26, 0xC200), (6, 0x1000), (10, 0), (6, 0x0800), (23, 0x2000)]
    );
    assert_eq!(frames[0].2, hex("03030000 0b00000000000000 ffffffff 03000000"));
    assert_eq!(frames[2].2, hex("19000000"));
    assert_eq!(frames[4].2, hex("00 f0debc9a78563412 8877665544332211"));
    assert_eq!(
        ClientAddClusterViewListenerPartitionsViewEvent::decode(&msg).expect("decodes"),
        event
    );
}

#[test]
fn partitions_view_event_from_member_bytes() {
    // Two members, written by hand as a member would send them.
    let u2 = Uuid::from_u128(0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10);
    let mut uuids = hex("00 f0debc9a78563412 8877665544332211");
    uuids.extend(hex("00 0807060504030201 100f0e0d0c0b0a09"));
    let wire = concat(&[
        frame(0xC200, &hex("03030000 0b00000000000000 ffffffff 09000000")),
        frame(flags::BEGIN_DATA_STRUCTURE, &[]),
        frame(0, &hex("00000000 02000000")),
        frame(0, &hex("01000000")),
        frame(flags::END_DATA_STRUCTURE, &[]),
        frame(flags::IS_FINAL, &uuids),
    ]);
    let msg = ClientMessage::from_bytes(Bytes::from(wire)).expect("valid");
    let event = ClientAddClusterViewListenerPartitionsViewEvent::decode(&msg).expect("decodes");
    assert_eq!(event.version, 9);
    assert_eq!(
        event.partitions,
        PartitionOwners(vec![(client_uuid(), vec![0, 2]), (u2, vec![1])])
    );
}
