//! Strategies and helpers shared by the codec's integration tests.
//!
//! Every test binary includes this module but uses only part of it.
#![allow(dead_code)]

use bytes::Bytes;
use hazelcast_codec::custom::{
    DistributedObjectInfo, EndpointQualifier, ErrorHolder, MemberInfo, MemberVersion, StackTraceElement,
    Version,
};
use hazelcast_codec::frame::{FRAME_HEADER_SIZE, flags};
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::client::{
    ClientAddClusterViewListenerClusterVersionEvent, ClientAddClusterViewListenerMemberGroupsViewEvent,
    ClientAddClusterViewListenerMembersViewEvent, ClientAddClusterViewListenerPartitionsViewEvent,
    ClientAuthenticationRequest, ClientAuthenticationResponse, ClientCreateProxyRequest,
    ClientGetDistributedObjectsResponse, ClientLocalBackupListenerBackupEvent, ClientPingRequest,
};
use hazelcast_codec::messages::map::{
    MapAddEntryListenerEntryEvent, MapGetAllResponse, MapPutAllRequest, MapPutRequest, MapPutResponse,
    MapSizeResponse,
};
use hazelcast_codec::types::{
    ByteArray, Decode, Encode, EntryList, EntryListRef, FixedList, ListRef, PartitionOwners, UuidGroups,
    VarList,
};
use hazelcast_codec::{Address, ClientMessage, Data, DecoderLimits, MessageWriter, Serialize, Uuid};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::Index;

pub(crate) mod sample;

// ---- hex helpers ----

/// Decodes a hex string, ignoring spaces.
pub(crate) fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(s.len().is_multiple_of(2), "odd hex length: {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// One frame on the wire: `i32 LE length`, `u16 LE flags`, content.
pub(crate) fn frame(flags: u16, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(FRAME_HEADER_SIZE + content.len());
    out.extend_from_slice(&((FRAME_HEADER_SIZE + content.len()) as i32).to_le_bytes());
    out.extend_from_slice(&flags.to_le_bytes());
    out.extend_from_slice(content);
    out
}

/// `(length, flags, content)` of every frame of a message.
pub(crate) fn frame_list(msg: &ClientMessage) -> Vec<(usize, u16, Vec<u8>)> {
    msg.frames()
        .map(|f| (FRAME_HEADER_SIZE + f.content.len(), f.flags, f.content.to_vec()))
        .collect()
}

/// `(length, flags)` of every frame of a message.
pub(crate) fn frame_shape(msg: &ClientMessage) -> Vec<(usize, u16)> {
    frame_list(msg).into_iter().map(|(l, f, _)| (l, f)).collect()
}

/// Checks the invariants every encoded message must satisfy: its bytes form a valid message, and
/// `IS_FINAL` is set on exactly the last frame.
pub(crate) fn assert_well_formed(msg: &ClientMessage) {
    let reparsed = ClientMessage::from_bytes(msg.as_bytes().clone()).expect("valid message bytes");
    assert_eq!(&reparsed, msg);
    let frames = frame_shape(msg);
    let total: usize = frames.iter().map(|(l, _)| l).sum();
    assert_eq!(total, msg.len());
    for (i, (_, f)) in frames.iter().enumerate() {
        let last = i + 1 == frames.len();
        assert_eq!(
            f & flags::IS_FINAL != 0,
            last,
            "IS_FINAL on frame {i} of {}",
            frames.len()
        );
    }
}

/// Encodes a value into its own frames between an initial frame and a sentinel frame, decodes it
/// back and checks that decoding consumed exactly the value's frames.
pub(crate) fn roundtrip<T: Encode + Decode>(value: &T) -> T {
    let mut w = MessageWriter::request(0x00ff_ff00, -1, 64);
    value.encode(&mut w);
    w.frame(0, b"sentinel");
    let msg = w.finish();
    assert_well_formed(&msg);
    let mut r = msg.reader();
    r.next_frame().expect("initial frame");
    let out = T::decode(&mut r).expect("decode");
    let sentinel = r.next_frame().expect("sentinel frame");
    assert_eq!(
        &sentinel.content[..],
        b"sentinel",
        "decoder consumed the wrong number of frames"
    );
    assert!(!r.has_next());
    out
}

// ---- value strategies ----

pub(crate) fn uuid() -> impl Strategy<Value = Uuid> {
    prop_oneof![
        1 => Just(Uuid::nil()),
        1 => Just(Uuid::max()),
        8 => any::<u128>().prop_map(Uuid::from_u128),
    ]
}

pub(crate) fn opt_uuid() -> impl Strategy<Value = Option<Uuid>> {
    option::of(uuid())
}

/// Short strings of any printable Unicode, plus some ASCII-only ones.
pub(crate) fn string() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z0-9:.-]{0,12}", "\\PC{0,12}"]
}

pub(crate) fn opt_string() -> impl Strategy<Value = Option<String>> {
    option::of(string())
}

/// `Data` blobs: serialized built-in values and arbitrary blobs with an 8-byte header.
pub(crate) fn data() -> impl Strategy<Value = Data> {
    prop_oneof![
        any::<i32>().prop_map(|v| v.to_data()),
        any::<i64>().prop_map(|v| v.to_data()),
        string().prop_map(|s| s.to_data()),
        vec(any::<u8>(), 8..40).prop_map(|v| Data::from_bytes(Bytes::from(v)).expect("8+ bytes")),
    ]
}

pub(crate) fn opt_data() -> impl Strategy<Value = Option<Data>> {
    option::of(data())
}

pub(crate) fn data_list() -> impl Strategy<Value = Vec<Data>> {
    vec(data(), 0..5)
}

pub(crate) fn data_entries() -> impl Strategy<Value = Vec<(Data, Data)>> {
    vec((data(), data()), 0..5)
}

pub(crate) fn byte_array() -> impl Strategy<Value = ByteArray> {
    vec(any::<u8>(), 0..24).prop_map(|v| ByteArray(Bytes::from(v)))
}

pub(crate) fn address() -> impl Strategy<Value = Address> {
    (1..=u16::MAX, string()).prop_map(|(port, host)| Address::new(host, port))
}

pub(crate) fn member_version() -> impl Strategy<Value = MemberVersion> {
    any::<(u8, u8, u8)>().prop_map(|(a, b, c)| MemberVersion::new(a, b, c))
}

pub(crate) fn version() -> impl Strategy<Value = Version> {
    any::<(u8, u8)>().prop_map(|(a, b)| Version::new(a, b))
}

pub(crate) fn endpoint_qualifier() -> impl Strategy<Value = EndpointQualifier> {
    (any::<i32>(), opt_string()).prop_map(|(kind, id)| EndpointQualifier::new(kind, id))
}

pub(crate) fn string_map() -> impl Strategy<Value = EntryList<String, String>> {
    vec((string(), string()), 0..4).prop_map(EntryList)
}

pub(crate) fn address_map() -> impl Strategy<Value = EntryList<EndpointQualifier, Address>> {
    vec((endpoint_qualifier(), address()), 0..3).prop_map(EntryList)
}

pub(crate) fn member_info_with(
    address_map: impl Strategy<Value = Option<EntryList<EndpointQualifier, Address>>>,
) -> impl Strategy<Value = MemberInfo> {
    (
        uuid(),
        any::<bool>(),
        address(),
        string_map(),
        member_version(),
        address_map,
    )
        .prop_map(|(u, lite, a, attrs, v, am)| MemberInfo::new(u, lite, a, attrs, v, am))
}

pub(crate) fn member_info() -> impl Strategy<Value = MemberInfo> {
    member_info_with(option::of(address_map()))
}

pub(crate) fn member_infos() -> impl Strategy<Value = VarList<MemberInfo>> {
    vec(member_info(), 0..3).prop_map(VarList)
}

pub(crate) fn distributed_object_info() -> impl Strategy<Value = DistributedObjectInfo> {
    (string(), string()).prop_map(|(s, n)| DistributedObjectInfo::new(s, n))
}

pub(crate) fn stack_trace_element() -> impl Strategy<Value = StackTraceElement> {
    (any::<i32>(), string(), string(), opt_string())
        .prop_map(|(l, c, m, f)| StackTraceElement::new(l, c, m, f))
}

pub(crate) fn error_holder() -> impl Strategy<Value = ErrorHolder> {
    (
        any::<i32>(),
        string(),
        opt_string(),
        vec(stack_trace_element(), 0..3),
    )
        .prop_map(|(code, class, msg, st)| ErrorHolder::new(code, class, msg, VarList(st)))
}

pub(crate) fn partition_owners() -> impl Strategy<Value = PartitionOwners> {
    vec((uuid(), vec(any::<i32>(), 0..8)), 0..4).prop_map(PartitionOwners)
}

pub(crate) fn uuid_groups() -> impl Strategy<Value = UuidGroups> {
    vec(vec(uuid(), 0..4), 0..4).prop_map(UuidGroups)
}

pub(crate) fn int_list() -> impl Strategy<Value = FixedList<i32>> {
    vec(any::<i32>(), 0..8).prop_map(FixedList)
}

/// An `ClientAuthenticationResponse` whose first `present` later fields (of 7) are set.
pub(crate) fn authentication_response() -> impl Strategy<Value = ClientAuthenticationResponse> {
    (
        (
            any::<u8>(),
            opt_uuid(),
            any::<u8>(),
            any::<i32>(),
            uuid(),
            any::<bool>(),
        ),
        (any::<i32>(), any::<i32>()),
        (option::of(address()), string()),
        (
            option::of(int_list()),
            option::of(byte_array()),
            member_infos(),
            partition_owners(),
            string_map(),
        ),
        0usize..=7,
    )
        .prop_map(|(f, lf, v, lv, present)| {
            let p = |i: usize| i < present;
            ClientAuthenticationResponse::new(
                f.0,
                f.1,
                f.2,
                f.3,
                f.4,
                f.5,
                p(0).then_some(lf.0),
                p(1).then_some(lf.1),
                v.0,
                v.1,
                p(2).then_some(lv.0),
                p(3).then_some(lv.1),
                p(4).then_some(lv.2),
                p(5).then_some(lv.3),
                p(6).then_some(lv.4),
            )
        })
}

/// Encoded messages of many kinds (requests, responses, events, errors), with their sizes ranging
/// from a single frame to dozens of frames.
pub(crate) fn message() -> impl Strategy<Value = ClientMessage> {
    prop_oneof![
        (any::<i64>()).prop_map(|c| with_corr(ClientPingRequest {}.encode(-1), c)),
        (string(), string(), any::<i64>()).prop_map(|(n, s, c)| with_corr(
            ClientCreateProxyRequest {
                name: &n,
                service_name: &s
            }
            .encode(-1),
            c
        )),
        (
            string(),
            data(),
            data(),
            any::<i64>(),
            any::<i64>(),
            0..271i32,
            any::<i64>()
        )
            .prop_map(|(name, key, value, thread_id, ttl, pid, c)| {
                let req = MapPutRequest {
                    thread_id,
                    ttl,
                    name: &name,
                    key: &key,
                    value: &value,
                };
                with_corr(req.encode(pid), c)
            }),
        (string(), data_entries(), any::<bool>(), any::<i64>()).prop_map(|(name, entries, t, c)| {
            let req = MapPutAllRequest {
                trigger_map_loader: t,
                name: &name,
                entries: EntryListRef(&entries),
            };
            with_corr(req.encode(3), c)
        }),
        (
            opt_uuid(),
            string(),
            opt_string(),
            vec(string(), 0..3),
            any::<i64>()
        )
            .prop_map(|(uuid, cluster, user, labels, c)| {
                let req = ClientAuthenticationRequest {
                    uuid,
                    serialization_version: 1,
                    routing_mode: 1,
                    cp_direct_to_leader_routing: false,
                    cluster_name: &cluster,
                    username: user.as_deref(),
                    password: None,
                    client_type: "RST",
                    client_hazelcast_version: "5.5.0",
                    client_name: "rust-client",
                    labels: ListRef(&labels),
                };
                with_corr(req.encode(-1), c)
            }),
        (opt_data(), any::<i64>()).prop_map(|(v, c)| MapPutResponse::new(v).encode(c)),
        (any::<i32>(), any::<i64>()).prop_map(|(v, c)| MapSizeResponse::new(v).encode(c)),
        (data_entries(), any::<i64>()).prop_map(|(e, c)| MapGetAllResponse::new(EntryList(e)).encode(c)),
        (vec(distributed_object_info(), 0..4), any::<i64>())
            .prop_map(|(o, c)| ClientGetDistributedObjectsResponse::new(VarList(o)).encode(c)),
        (authentication_response(), any::<i64>()).prop_map(|(r, c)| r.encode(c)),
        (any::<i32>(), member_infos(), any::<i64>())
            .prop_map(|(v, m, c)| ClientAddClusterViewListenerMembersViewEvent::new(v, m).encode(c)),
        (any::<i32>(), partition_owners(), any::<i64>())
            .prop_map(|(v, p, c)| ClientAddClusterViewListenerPartitionsViewEvent::new(v, p).encode(c)),
        (any::<i32>(), uuid_groups(), any::<i64>())
            .prop_map(|(v, g, c)| ClientAddClusterViewListenerMemberGroupsViewEvent::new(v, g).encode(c)),
        (version(), any::<i64>())
            .prop_map(|(v, c)| ClientAddClusterViewListenerClusterVersionEvent::new(v).encode(c)),
        (any::<i64>(), any::<i64>())
            .prop_map(|(id, c)| ClientLocalBackupListenerBackupEvent::new(id).encode(c)),
        (
            any::<i32>(),
            uuid(),
            any::<i32>(),
            opt_data(),
            opt_data(),
            opt_data(),
            opt_data(),
            any::<i64>()
        )
            .prop_map(
                |(t, u, n, k, v, o, m, c)| MapAddEntryListenerEntryEvent::new(t, u, n, k, v, o, m).encode(c)
            ),
        (vec(error_holder(), 0..3), any::<i64>()).prop_map(|(e, c)| error_message(&e, c)),
    ]
}

fn with_corr(mut msg: ClientMessage, corr: i64) -> ClientMessage {
    msg.set_correlation_id(corr);
    msg
}

/// An error response (message type 0) carrying the given exceptions, built frame by frame.
pub(crate) fn error_message(errors: &[ErrorHolder], corr: i64) -> ClientMessage {
    let mut w = MessageWriter::response(0, corr, 0);
    VarList(errors.to_vec()).encode(&mut w);
    w.finish()
}

// ---- byte streams ----

/// Small decoder limits for the stream tests.
pub(crate) const SMALL: DecoderLimits = DecoderLimits {
    max_frame_size: 1024,
    max_message_size: 4096,
    max_pending_fragmented: 4,
    max_fragmented_bytes: 4096,
};

/// Cuts `bytes` at the given points (positions taken modulo the length).
pub(crate) fn chunks(bytes: &[u8], cuts: &[Index]) -> Vec<Vec<u8>> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
    points.push(0);
    points.push(bytes.len());
    points.sort_unstable();
    points.dedup();
    points.windows(2).map(|w| bytes[w[0]..w[1]].to_vec()).collect()
}

/// The wire bytes of `msgs`, one after the other.
pub(crate) fn concat(msgs: &[ClientMessage]) -> Vec<u8> {
    msgs.iter().flat_map(|m| m.as_bytes().iter().copied()).collect()
}

/// A frame header: length (header included) and flags.
pub(crate) fn header(len: i32, fl: u16) -> Vec<u8> {
    let mut h = len.to_le_bytes().to_vec();
    h.extend_from_slice(&fl.to_le_bytes());
    h
}

/// A member's answer with enough frames to be split.
pub(crate) fn big_message(corr: i64) -> ClientMessage {
    let keys: Vec<_> = (0..20)
        .map(|i| hazelcast_codec::Serialize::to_data(&format!("key-{i}")))
        .collect();
    hazelcast_codec::messages::map::MapKeySetResponse::new(VarList(keys)).encode(corr)
}

pub(crate) fn fragment(fl: u16, id: i64, frames: &[(u16, &[u8])]) -> Vec<u8> {
    let mut w = MessageWriter::fragment(fl, id);
    for (f, c) in frames {
        w.frame(*f, c);
    }
    w.finish().into_bytes().to_vec()
}
