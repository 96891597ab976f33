//! Version tolerance, as the Open Binary Client Protocol requires: messages from newer members (longer initial
//! frames, extra trailing frames, unknown nested fields in custom types, unknown event types) and
//! from older members (fields added later missing) decode correctly.

mod common;

use bytes::Bytes;
use common::*;
use hazelcast_codec::Address;
use hazelcast_codec::custom::{DistributedObjectInfo, EndpointQualifier, MemberInfo, MemberVersion};
use hazelcast_codec::frame::flags;
use hazelcast_codec::messages::client::{
    AUTH_STATUS_AUTHENTICATED, ClientAddClusterViewListenerEvent,
    ClientAddClusterViewListenerMembersViewEvent, ClientAuthenticationResponse,
    ClientGetDistributedObjectsResponse,
};
use hazelcast_codec::messages::map::{MapDeleteResponse, MapPutResponse, MapSizeResponse};
use hazelcast_codec::types::{ByteArray, Encode, EntryList, FixedList, FixedSize, PartitionOwners, VarList};
use hazelcast_codec::{ClientMessage, CodecError, MessageWriter, Uuid};
use proptest::prelude::*;

fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn member(n: u128, address_map: Option<EntryList<EndpointQualifier, Address>>) -> MemberInfo {
    MemberInfo::new(
        uuid(n),
        n.is_multiple_of(2),
        Address::new(format!("10.0.0.{n}"), 5700 + n as u16),
        EntryList(vec![("zone".into(), format!("z{n}"))]),
        MemberVersion::new(5, 5, n as u8),
        address_map,
    )
}

fn client_endpoint(n: u128) -> EntryList<EndpointQualifier, Address> {
    EntryList(vec![(
        EndpointQualifier::new(1, None),
        Address::new("public", 6000 + n as u16),
    )])
}

/// Writes the 2.0 fixed part of an `ClientAuthenticationResponse` (54 bytes of content).
fn auth_fixed_2_0(w: &mut MessageWriter) {
    AUTH_STATUS_AUTHENTICATED.put(w);
    Some(uuid(7)).put(w);
    1u8.put(w);
    271i32.put(w);
    uuid(9).put(w);
    false.put(w);
}

fn full_auth_response() -> ClientAuthenticationResponse {
    ClientAuthenticationResponse::new(
        AUTH_STATUS_AUTHENTICATED,
        Some(uuid(7)),
        1,
        271,
        uuid(9),
        false,
        Some(3),
        Some(4),
        Some(Address::new("10.0.0.1", 5701)),
        "5.6.0".into(),
        Some(None),
        Some(Some(ByteArray(Bytes::from_static(b"token")))),
        Some(VarList(vec![member(1, Some(client_endpoint(1)))])),
        Some(PartitionOwners(vec![(uuid(7), vec![0, 1, 2])])),
        Some(EntryList(vec![("k".into(), "v".into())])),
    )
}

#[test]
fn newer_member_authentication_response() {
    let expected = full_auth_response();
    // Everything 2.8 has, plus 5 bytes of fixed parameters and a String frame from a later version.
    let mut w = MessageWriter::response(ClientAuthenticationResponse::MESSAGE_TYPE, 12, 0);
    auth_fixed_2_0(&mut w);
    3i32.put(&mut w);
    4i32.put(&mut w);
    w.put_fixed(&[1, 2, 3, 4, 5]);
    expected.address.encode(&mut w);
    expected.server_hazelcast_version.encode(&mut w);
    None::<FixedList<i32>>.encode(&mut w);
    Some(ByteArray(Bytes::from_static(b"token"))).encode(&mut w);
    expected.member_infos.as_ref().expect("set").encode(&mut w);
    expected.partitions.as_ref().expect("set").encode(&mut w);
    expected.key_value_pairs.as_ref().expect("set").encode(&mut w);
    "a field from the future".encode(&mut w);
    let msg = w.finish();
    assert_eq!(msg.frames().next().expect("initial").content.len(), 62 + 5);

    let decoded = ClientAuthenticationResponse::decode(&msg).expect("a newer member's answer decodes");
    assert_eq!(decoded, expected);
}

#[test]
fn older_member_authentication_response() {
    // A 2.0–2.6 member: 54 bytes of fixed content, then only the address and the version.
    let mut w = MessageWriter::response(ClientAuthenticationResponse::MESSAGE_TYPE, 12, 0);
    auth_fixed_2_0(&mut w);
    Some(Address::new("10.0.0.1", 5701)).encode(&mut w);
    "4.2.8".encode(&mut w);
    let msg = w.finish();
    assert_eq!(msg.frames().next().expect("initial").content.len(), 54);

    let r = ClientAuthenticationResponse::decode(&msg).expect("an older member's answer decodes");
    assert_eq!(r.status, AUTH_STATUS_AUTHENTICATED);
    assert_eq!(r.member_uuid, Some(uuid(7)));
    assert_eq!((r.serialization_version, r.partition_count), (1, 271));
    assert_eq!(r.cluster_id, uuid(9));
    assert!(!r.failover_supported);
    assert_eq!(r.address, Some(Address::new("10.0.0.1", 5701)));
    assert_eq!(r.server_hazelcast_version, "4.2.8");
    assert_eq!(r.member_list_version, None);
    assert_eq!(r.partition_list_version, None);
    assert_eq!(r.tpc_ports, None);
    assert_eq!(r.tpc_token, None);
    assert_eq!(r.member_infos, None);
    assert_eq!(r.partitions, None);
    assert_eq!(r.key_value_pairs, None);
}

#[test]
fn protocol_2_7_member_authentication_response() {
    // 2.7: the 2.7 fields, but no keyValuePairs (2.8).
    let full = full_auth_response();
    let mut w = MessageWriter::response(ClientAuthenticationResponse::MESSAGE_TYPE, 12, 0);
    auth_fixed_2_0(&mut w);
    3i32.put(&mut w);
    4i32.put(&mut w);
    full.address.encode(&mut w);
    full.server_hazelcast_version.encode(&mut w);
    None::<FixedList<i32>>.encode(&mut w);
    Some(ByteArray(Bytes::from_static(b"token"))).encode(&mut w);
    full.member_infos.as_ref().expect("set").encode(&mut w);
    full.partitions.as_ref().expect("set").encode(&mut w);
    let r = ClientAuthenticationResponse::decode(&w.finish()).expect("decodes");
    assert_eq!(r.member_list_version, Some(3));
    assert_eq!(r.partition_list_version, Some(4));
    assert_eq!(r.tpc_ports, Some(None));
    assert_eq!(r.member_infos, full.member_infos);
    assert_eq!(r.partitions, full.partitions);
    assert_eq!(r.key_value_pairs, None);
}

#[test]
fn failed_authentication_response() {
    // Status 1, null member uuid (null byte 1), null address (NULL frame).
    let mut w = MessageWriter::response(ClientAuthenticationResponse::MESSAGE_TYPE, 12, 0);
    1u8.put(&mut w);
    None::<Uuid>.put(&mut w);
    1u8.put(&mut w);
    271i32.put(&mut w);
    uuid(9).put(&mut w);
    false.put(&mut w);
    (-1i32).put(&mut w);
    (-1i32).put(&mut w);
    w.null();
    "5.5.0".encode(&mut w);
    let r = ClientAuthenticationResponse::decode(&w.finish()).expect("decodes");
    assert_eq!(r.status, 1);
    assert_eq!(r.member_uuid, None);
    assert_eq!(r.address, None);
    assert_eq!(r.member_list_version, Some(-1));
    assert_eq!(r.member_infos, None);
}

/// Writes a MemberInfo frame by frame: BEGIN, fixed, address, attributes, version, [address map],
/// `extra` (frames a newer member appended), END.
fn write_member(w: &mut MessageWriter, m: &MemberInfo, extra: impl FnOnce(&mut MessageWriter)) {
    w.begin();
    w.begin_fixed_frame();
    m.uuid.put(w);
    m.lite_member.put(w);
    m.address.encode(w);
    m.attributes.encode(w);
    m.version.encode(w);
    if let Some(map) = &m.address_map {
        map.encode(w);
    }
    extra(w);
    w.end();
}

#[test]
fn member_info_from_a_2_0_member_has_no_address_map() {
    let m = member(1, None);
    let mut w = MessageWriter::event(ClientAddClusterViewListenerMembersViewEvent::MESSAGE_TYPE, 1, -1);
    5i32.put(&mut w);
    w.begin();
    write_member(&mut w, &m, |_| {});
    write_member(&mut w, &member(2, None), |_| {});
    w.end();
    let msg = w.finish();
    let event = ClientAddClusterViewListenerMembersViewEvent::decode(&msg).expect("decodes");
    assert_eq!(event.version, 5);
    assert_eq!(event.member_infos.0.len(), 2);
    assert_eq!(event.member_infos.0[0], m);
    assert_eq!(event.member_infos.0[0].address_map, None);
    assert_eq!(event.member_infos.0[0].client_address(), &m.address);
}

#[test]
fn unknown_nested_fields_in_a_member_info_are_skipped() {
    let first = member(1, Some(client_endpoint(1)));
    let second = member(2, Some(client_endpoint(2)));
    let third = member(3, None);
    let mut w = MessageWriter::event(ClientAddClusterViewListenerMembersViewEvent::MESSAGE_TYPE, 1, -1);
    8i32.put(&mut w);
    w.begin();
    write_member(&mut w, &first, |w| {
        // A future custom-type field with its own nested structure and a NULL frame…
        w.begin();
        w.frame(0, b"nested");
        w.begin();
        w.null();
        w.end();
        w.end();
        // …and a plain future field.
        w.frame(0, b"plain");
    });
    write_member(&mut w, &second, |w| w.frame(0, &[1, 2, 3]));
    write_member(&mut w, &third, |_| {});
    w.end();
    let msg = w.finish();
    assert_well_formed(&msg);

    let event = ClientAddClusterViewListenerMembersViewEvent::decode(&msg)
        .expect("unknown fields are fast-forwarded");
    assert_eq!(event.member_infos.0, vec![first, second, third]);
}

#[test]
fn unknown_trailing_fields_of_other_custom_types_are_skipped() {
    let mut w = MessageWriter::response(ClientGetDistributedObjectsResponse::MESSAGE_TYPE, 1, 0);
    w.begin();
    // DistributedObjectInfo with an extra String and an extra custom type.
    w.begin();
    "hz:impl:mapService".encode(&mut w);
    "m".encode(&mut w);
    "extra".encode(&mut w);
    Address::new("x", 1).encode(&mut w);
    w.end();
    DistributedObjectInfo::new("hz:impl:queueService".into(), "q".into()).encode(&mut w);
    w.end();
    // And a trailing frame after the response's last parameter.
    w.frame(0, b"future");
    let r = ClientGetDistributedObjectsResponse::decode(&w.finish()).expect("decodes");
    assert_eq!(
        r.response.0,
        vec![
            DistributedObjectInfo::new("hz:impl:mapService".into(), "m".into()),
            DistributedObjectInfo::new("hz:impl:queueService".into(), "q".into()),
        ]
    );
}

#[test]
fn map_delete_response_from_an_older_member() {
    // Before 2.7 the response was header-only: 13 bytes of content.
    let msg = MessageWriter::response(MapDeleteResponse::MESSAGE_TYPE, 4, 0).finish();
    assert_eq!(frame_shape(&msg), vec![(19, 0xE000)]);
    assert_eq!(MapDeleteResponse::decode(&msg).expect("decodes").response, None);

    let mut w = MessageWriter::response(MapDeleteResponse::MESSAGE_TYPE, 4, 0);
    true.put(&mut w);
    assert_eq!(
        MapDeleteResponse::decode(&w.finish()).expect("decodes").response,
        Some(true)
    );

    // A newer member with more fixed bytes and frames still gives the boolean.
    let mut w = MessageWriter::response(MapDeleteResponse::MESSAGE_TYPE, 4, 0);
    false.put(&mut w);
    w.put_fixed(&[9, 9, 9]);
    w.frame(0, b"future");
    assert_eq!(
        MapDeleteResponse::decode(&w.finish()).expect("decodes").response,
        Some(false)
    );
}

#[test]
fn missing_required_fields_are_errors() {
    // A header-only Map.Size answer lacks its int: not silently 0.
    let msg = MessageWriter::response(MapSizeResponse::MESSAGE_TYPE, 4, 0).finish();
    assert!(matches!(
        MapSizeResponse::decode(&msg),
        Err(CodecError::FrameContentTooShort {
            needed: 17,
            available: 13,
            ..
        })
    ));
    // A Map.Put answer without its (nullable) var frame.
    let msg = MessageWriter::response(MapPutResponse::MESSAGE_TYPE, 4, 0).finish();
    assert!(matches!(
        MapPutResponse::decode(&msg),
        Err(CodecError::UnexpectedEnd { .. })
    ));
    // An Authentication answer cut before its server version.
    let mut w = MessageWriter::response(ClientAuthenticationResponse::MESSAGE_TYPE, 12, 0);
    auth_fixed_2_0(&mut w);
    w.null();
    assert!(matches!(
        ClientAuthenticationResponse::decode(&w.finish()),
        Err(CodecError::UnexpectedEnd { .. })
    ));
}

#[test]
fn unknown_cluster_view_events_are_reported_as_unknown() {
    for message_type in [0x000306, 0x000310, 0x0003FF] {
        let mut w = MessageWriter::event(message_type, 1, -1);
        42i32.put(&mut w);
        w.begin();
        w.frame(0, b"whatever a newer member sends");
        w.end();
        let msg = w.finish();
        assert_eq!(
            ClientAddClusterViewListenerEvent::decode(&msg),
            Ok(ClientAddClusterViewListenerEvent::Unknown(message_type))
        );
    }
    // A header-only unknown event too.
    let msg = MessageWriter::event(0x000399, 1, -1).finish();
    assert_eq!(
        ClientAddClusterViewListenerEvent::decode(&msg),
        Ok(ClientAddClusterViewListenerEvent::Unknown(0x000399))
    );
}

proptest! {
    /// Any response, with any number of extra fixed bytes and any extra trailing frames, decodes to
    /// the same value (as long as all later fields are present, so that the extras come after them).
    #[test]
    fn extra_bytes_and_frames_are_ignored(
        r in authentication_response(),
        extra_fixed in proptest::collection::vec(any::<u8>(), 0..12),
        extra_frames in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..8), 0..4),
    ) {
        let complete = r.key_value_pairs.is_some();
        let msg = r.encode(3);
        // Rebuild: the initial frame with extra bytes, the same frames, then the extra frames.
        let frames: Vec<_> = msg.frames().collect();
        let mut bytes = Vec::new();
        let mut initial = frames[0].content.to_vec();
        if complete {
            initial.extend_from_slice(&extra_fixed);
        }
        let n_extra = if complete { extra_frames.len() } else { 0 };
        let total = frames.len() + n_extra;
        let mut i = 0;
        let mut push = |fl: u16, c: &[u8], bytes: &mut Vec<u8>| {
            i += 1;
            let fl = if i == total { fl | flags::IS_FINAL } else { fl & !flags::IS_FINAL };
            bytes.extend(frame(fl, c));
        };
        push(frames[0].flags, &initial, &mut bytes);
        for f in &frames[1..] {
            push(f.flags, &f.content, &mut bytes);
        }
        for e in extra_frames.iter().take(n_extra) {
            push(0, e, &mut bytes);
        }
        let newer = ClientMessage::from_bytes(Bytes::from(bytes)).expect("valid");
        prop_assert_eq!(ClientAuthenticationResponse::decode(&newer).expect("decodes"), r);
    }
}
