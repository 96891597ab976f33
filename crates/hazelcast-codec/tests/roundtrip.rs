//! Round trips of every message codec: requests through `Request::encode` and
//! `Request::decode_request`, responses and events through `new` → `encode` → `decode` (with later
//! fields both present and absent), error responses and error codes.

mod common;

use common::*;
use hazelcast_codec::custom::ErrorHolder;
use hazelcast_codec::frame::flags;
use hazelcast_codec::messages::client::*;
use hazelcast_codec::messages::map::*;
use hazelcast_codec::messages::{PartitionRule, Request};
use hazelcast_codec::types::{EntryList, EntryListRef, ListRef, VarList};
use hazelcast_codec::{ClientMessage, CodecError, ErrorCode, ErrorResponse};
use proptest::collection::vec;
use proptest::prelude::*;

/// Encodes a request, checks its header and framing, and returns what the member side decodes.
fn encode_request<R: Request>(req: &R, partition_id: i32, corr: i64) -> R::Decoded {
    let mut msg = req.encode(partition_id);
    assert_eq!(msg.correlation_id(), 0, "encode leaves the correlation id 0");
    msg.set_correlation_id(corr);
    assert_eq!(msg.message_type(), R::MESSAGE_TYPE, "{}", R::NAME);
    assert_eq!(R::MESSAGE_TYPE & 0xff, 0, "request kind is 0");
    assert_eq!(msg.partition_id(), partition_id);
    assert_eq!(msg.correlation_id(), corr);
    assert!(!msg.is_event() && !msg.is_error() && msg.fragment_id().is_none());
    assert_eq!(
        msg.initial_flags() & flags::UNFRAGMENTED_MESSAGE,
        flags::UNFRAGMENTED_MESSAGE
    );
    assert_well_formed(&msg);
    R::decode_request(&msg).expect("decode_request")
}

/// The checks shared by every response and event round trip.
fn check_reply_header(msg: &ClientMessage, message_type: i32, corr: i64, event: bool) {
    assert_eq!(msg.message_type(), message_type);
    assert_eq!(msg.correlation_id(), corr);
    assert_eq!(msg.is_event(), event);
    assert!(!msg.is_error());
    if event {
        assert!(message_type & 0xff >= 2, "event kind is 2 + n");
        assert_eq!(msg.partition_id(), -1);
    } else {
        assert_eq!(message_type & 0xff, 1, "response kind is 1");
        assert_eq!(msg.backup_acks(), 0);
    }
    assert_well_formed(msg);
}

/// `new(...)` → `encode(corr)` → `decode` gives the same value.
macro_rules! reply_roundtrip {
    ($ty:ty, $value:expr, $corr:expr, event = $event:expr) => {{
        let value: $ty = $value;
        let msg = value.encode($corr);
        check_reply_header(&msg, <$ty>::MESSAGE_TYPE, $corr, $event);
        let reparsed = ClientMessage::from_bytes(msg.as_bytes().clone()).expect("valid bytes");
        prop_assert_eq!(<$ty>::decode(&reparsed).expect("decode"), value);
        // Another message type is rejected.
        let other = MapPutResponse::new(None).encode($corr);
        if <$ty>::MESSAGE_TYPE != MapPutResponse::MESSAGE_TYPE {
            let rejected = matches!(
                <$ty>::decode(&other),
                Err(CodecError::UnexpectedMessageType { .. })
            );
            prop_assert!(rejected, "{} decoded a Map.Put response", stringify!($ty));
        }
    }};
}

fn pid() -> impl Strategy<Value = i32> {
    prop_oneof![Just(-1), 0..271i32, any::<i32>()]
}

// ---- Client requests ----

proptest! {
    #[test]
    fn req_authentication(uuid in opt_uuid(), ser in any::<u8>(), routing in any::<u8>(), cp in any::<bool>(),
                          cluster in string(), user in opt_string(), pass in opt_string(), ctype in string(),
                          cver in string(), cname in string(), labels in vec(string(), 0..4),
                          p in pid(), corr in any::<i64>()) {
        let req = AuthenticationRequest {
            uuid, serialization_version: ser, routing_mode: routing, cp_direct_to_leader_routing: cp,
            cluster_name: &cluster, username: user.as_deref(), password: pass.as_deref(), client_type: &ctype,
            client_hazelcast_version: &cver, client_name: &cname, labels: ListRef(&labels),
        };
        prop_assert_eq!(AuthenticationRequest::MESSAGE_TYPE, 0x000100);
        let d = encode_request(&req, p, corr);
        prop_assert_eq!(d, (uuid, ser, routing, cp, cluster, user, pass, ctype, cver, cname, VarList(labels)));
    }

    #[test]
    fn req_header_only(p in pid(), corr in any::<i64>()) {
        prop_assert_eq!(encode_request(&AddClusterViewListenerRequest {}, p, corr), ());
        prop_assert_eq!(encode_request(&PingRequest {}, p, corr), ());
        prop_assert_eq!(encode_request(&LocalBackupListenerRequest {}, p, corr), ());
        prop_assert_eq!(encode_request(&GetDistributedObjectsRequest {}, p, corr), ());
        prop_assert_eq!(AddClusterViewListenerRequest::MESSAGE_TYPE, 0x000300);
        prop_assert_eq!(PingRequest::MESSAGE_TYPE, 0x000B00);
        prop_assert_eq!(LocalBackupListenerRequest::MESSAGE_TYPE, 0x000F00);
        prop_assert_eq!(GetDistributedObjectsRequest::MESSAGE_TYPE, 0x000800);
        // 22 bytes: a lone initial frame with the 16-byte header.
        prop_assert_eq!(PingRequest {}.encode(p).len(), 22);
    }

    #[test]
    fn req_create_and_destroy_proxy(name in string(), service in string(), p in pid(), corr in any::<i64>()) {
        let d = encode_request(&CreateProxyRequest { name: &name, service_name: &service }, p, corr);
        prop_assert_eq!(d, (name.clone(), service.clone()));
        let d = encode_request(&DestroyProxyRequest { name: &name, service_name: &service }, p, corr);
        prop_assert_eq!(d, (name, service));
        prop_assert_eq!(CreateProxyRequest::MESSAGE_TYPE, 0x000400);
        prop_assert_eq!(DestroyProxyRequest::MESSAGE_TYPE, 0x000500);
    }
}

// ---- Map requests ----

proptest! {
    #[test]
    fn req_map_put(thread_id in any::<i64>(), ttl in any::<i64>(), name in string(), key in data(), value in data(),
                   p in pid(), corr in any::<i64>()) {
        let req = MapPutRequest { thread_id, ttl, name: &name, key: &key, value: &value };
        prop_assert_eq!(encode_request(&req, p, corr), (thread_id, ttl, name, key, value));
    }

    #[test]
    fn req_map_get_remove_delete_contains_key(thread_id in any::<i64>(), name in string(), key in data(),
                                               p in pid(), corr in any::<i64>()) {
        let expected = (thread_id, name.clone(), key.clone());
        prop_assert_eq!(encode_request(&MapGetRequest { thread_id, name: &name, key: &key }, p, corr), expected.clone());
        prop_assert_eq!(encode_request(&MapRemoveRequest { thread_id, name: &name, key: &key }, p, corr), expected.clone());
        prop_assert_eq!(encode_request(&MapDeleteRequest { thread_id, name: &name, key: &key }, p, corr), expected.clone());
        prop_assert_eq!(encode_request(&MapContainsKeyRequest { thread_id, name: &name, key: &key }, p, corr), expected);
    }

    #[test]
    fn req_map_replace(thread_id in any::<i64>(), name in string(), key in data(), value in data(),
                       p in pid(), corr in any::<i64>()) {
        let req = MapReplaceRequest { thread_id, name: &name, key: &key, value: &value };
        prop_assert_eq!(encode_request(&req, p, corr), (thread_id, name.clone(), key.clone(), value.clone()));
        let req = MapRemoveIfSameRequest { thread_id, name: &name, key: &key, value: &value };
        prop_assert_eq!(encode_request(&req, p, corr), (thread_id, name, key, value));
    }

    #[test]
    fn req_map_replace_if_same(thread_id in any::<i64>(), name in string(), key in data(), test_value in data(),
                               value in data(), p in pid(), corr in any::<i64>()) {
        let req = MapReplaceIfSameRequest { thread_id, name: &name, key: &key, test_value: &test_value, value: &value };
        prop_assert_eq!(encode_request(&req, p, corr), (thread_id, name, key, test_value, value));
    }

    #[test]
    fn req_map_contains_value(name in string(), value in data(), p in pid(), corr in any::<i64>()) {
        let req = MapContainsValueRequest { name: &name, value: &value };
        prop_assert_eq!(encode_request(&req, p, corr), (name, value));
    }

    #[test]
    fn req_map_put_if_absent_and_set(thread_id in any::<i64>(), ttl in any::<i64>(), name in string(),
                                     key in data(), value in data(), p in pid(), corr in any::<i64>()) {
        let expected = (thread_id, ttl, name.clone(), key.clone(), value.clone());
        let req = MapPutIfAbsentRequest { thread_id, ttl, name: &name, key: &key, value: &value };
        prop_assert_eq!(encode_request(&req, p, corr), expected.clone());
        let req = MapSetRequest { thread_id, ttl, name: &name, key: &key, value: &value };
        prop_assert_eq!(encode_request(&req, p, corr), expected);
    }

    #[test]
    fn req_map_add_entry_listeners(include_value in any::<bool>(), listener_flags in any::<i32>(),
                                   local_only in any::<bool>(), name in string(), key in data(),
                                   p in pid(), corr in any::<i64>()) {
        let req = MapAddEntryListenerToKeyRequest { include_value, listener_flags, local_only, name: &name, key: &key };
        prop_assert_eq!(encode_request(&req, p, corr), (include_value, listener_flags, local_only, name.clone(), key));
        let req = MapAddEntryListenerRequest { include_value, listener_flags, local_only, name: &name };
        prop_assert_eq!(encode_request(&req, p, corr), (include_value, listener_flags, local_only, name));
        // includeValue @16, listenerFlags @17, localOnly @21: content 22.
        let msg = MapAddEntryListenerRequest { include_value, listener_flags, local_only, name: "m" }.encode(p);
        prop_assert_eq!(msg.frames().next().expect("initial").content.len(), 22);
    }

    #[test]
    fn req_map_remove_entry_listener(registration_id in uuid(), name in string(), p in pid(), corr in any::<i64>()) {
        let req = MapRemoveEntryListenerRequest { registration_id, name: &name };
        prop_assert_eq!(encode_request(&req, p, corr), (registration_id, name));
    }

    #[test]
    fn req_map_name_only(name in string(), p in pid(), corr in any::<i64>()) {
        let n = (name.clone(),);
        prop_assert_eq!(encode_request(&MapKeySetRequest { name: &name }, p, corr), n.clone());
        prop_assert_eq!(encode_request(&MapValuesRequest { name: &name }, p, corr), n.clone());
        prop_assert_eq!(encode_request(&MapEntrySetRequest { name: &name }, p, corr), n.clone());
        prop_assert_eq!(encode_request(&MapSizeRequest { name: &name }, p, corr), n.clone());
        prop_assert_eq!(encode_request(&MapIsEmptyRequest { name: &name }, p, corr), n.clone());
        prop_assert_eq!(encode_request(&MapClearRequest { name: &name }, p, corr), n);
    }

    #[test]
    fn req_map_get_all(name in string(), keys in data_list(), p in pid(), corr in any::<i64>()) {
        let req = MapGetAllRequest { name: &name, keys: ListRef(&keys) };
        prop_assert_eq!(encode_request(&req, p, corr), (name, VarList(keys)));
    }

    #[test]
    fn req_map_put_all(trigger_map_loader in any::<bool>(), name in string(), entries in data_entries(),
                       p in pid(), corr in any::<i64>()) {
        let req = MapPutAllRequest { trigger_map_loader, name: &name, entries: EntryListRef(&entries) };
        prop_assert_eq!(encode_request(&req, p, corr), (trigger_map_loader, name, EntryList(entries)));
    }

    #[test]
    fn req_map_set_ttl(ttl in any::<i64>(), name in string(), key in data(), p in pid(), corr in any::<i64>()) {
        let req = MapSetTtlRequest { ttl, name: &name, key: &key };
        prop_assert_eq!(encode_request(&req, p, corr), (ttl, name, key));
    }

    #[test]
    fn req_map_max_idle(thread_id in any::<i64>(), ttl in any::<i64>(), max_idle in any::<i64>(), name in string(),
                        key in data(), value in data(), p in pid(), corr in any::<i64>()) {
        let expected = (thread_id, ttl, max_idle, name.clone(), key.clone(), value.clone());
        let req = MapPutWithMaxIdleRequest { thread_id, ttl, max_idle, name: &name, key: &key, value: &value };
        prop_assert_eq!(encode_request(&req, p, corr), expected.clone());
        let req = MapSetWithMaxIdleRequest { thread_id, ttl, max_idle, name: &name, key: &key, value: &value };
        prop_assert_eq!(encode_request(&req, p, corr), expected);
    }
}

/// Message types, retryable flags and partition rules of every request, as the digest's table 4.1
/// lists them (the YAML cross-check in `definitions.rs` checks the same against the definitions).
#[test]
fn request_constants() {
    fn c<R: Request>() -> (&'static str, i32, bool, PartitionRule) {
        (R::NAME, R::MESSAGE_TYPE, R::RETRYABLE, R::PARTITION)
    }
    use PartitionRule::{Key, None as Any, PerPartition};
    let table = [
        (c::<AuthenticationRequest<'_>>(), 0x000100, true, Any),
        (c::<AddClusterViewListenerRequest>(), 0x000300, false, Any),
        (c::<CreateProxyRequest<'_>>(), 0x000400, false, Any),
        (c::<DestroyProxyRequest<'_>>(), 0x000500, false, Any),
        (c::<GetDistributedObjectsRequest>(), 0x000800, false, Any),
        (c::<PingRequest>(), 0x000B00, true, Any),
        (c::<LocalBackupListenerRequest>(), 0x000F00, false, Any),
        (c::<MapPutRequest<'_>>(), 0x010100, false, Key),
        (c::<MapGetRequest<'_>>(), 0x010200, true, Key),
        (c::<MapRemoveRequest<'_>>(), 0x010300, false, Key),
        (c::<MapReplaceRequest<'_>>(), 0x010400, false, Key),
        (c::<MapReplaceIfSameRequest<'_>>(), 0x010500, false, Key),
        (c::<MapContainsKeyRequest<'_>>(), 0x010600, true, Key),
        (c::<MapContainsValueRequest<'_>>(), 0x010700, true, Any),
        (c::<MapRemoveIfSameRequest<'_>>(), 0x010800, false, Key),
        (c::<MapDeleteRequest<'_>>(), 0x010900, false, Key),
        (c::<MapPutIfAbsentRequest<'_>>(), 0x010E00, false, Key),
        (c::<MapSetRequest<'_>>(), 0x010F00, false, Key),
        (c::<MapAddEntryListenerToKeyRequest<'_>>(), 0x011800, false, Any),
        (c::<MapAddEntryListenerRequest<'_>>(), 0x011900, false, Any),
        (c::<MapRemoveEntryListenerRequest<'_>>(), 0x011A00, true, Any),
        (c::<MapKeySetRequest<'_>>(), 0x012200, true, Any),
        (c::<MapGetAllRequest<'_>>(), 0x012300, false, PerPartition),
        (c::<MapValuesRequest<'_>>(), 0x012400, true, Any),
        (c::<MapEntrySetRequest<'_>>(), 0x012500, true, Any),
        (c::<MapSizeRequest<'_>>(), 0x012A00, true, Any),
        (c::<MapIsEmptyRequest<'_>>(), 0x012B00, true, Any),
        (c::<MapPutAllRequest<'_>>(), 0x012C00, false, PerPartition),
        (c::<MapClearRequest<'_>>(), 0x012D00, false, Any),
        (c::<MapSetTtlRequest<'_>>(), 0x014300, false, Key),
        (c::<MapPutWithMaxIdleRequest<'_>>(), 0x014400, false, Key),
        (c::<MapSetWithMaxIdleRequest<'_>>(), 0x014700, false, Key),
    ];
    for ((name, mt, retryable, rule), emt, eretry, erule) in table {
        assert_eq!((mt, retryable, rule), (emt, eretry, erule), "{name}");
    }
}

#[test]
fn decode_request_rejects_other_types() {
    let msg = PingRequest {}.encode(-1);
    assert_eq!(
        MapSizeRequest::decode_request(&msg).map(|_| ()),
        Err(CodecError::UnexpectedMessageType {
            expected: 0x012A00,
            actual: 0x000B00
        })
    );
    // A request whose initial frame lacks its fixed parameters.
    let short = MapSizeRequest { name: "m" }.encode(-1);
    let bytes = short.as_bytes().clone();
    let mut patched = bytes.to_vec();
    patched[6..10].copy_from_slice(&0x010200i32.to_le_bytes()); // pretend to be Map.Get
    let msg = ClientMessage::from_bytes(patched.into()).expect("valid framing");
    assert!(matches!(
        MapGetRequest::decode_request(&msg),
        Err(CodecError::FrameContentTooShort {
            needed: 24,
            available: 16,
            ..
        })
    ));
}

// ---- Client responses and events ----

proptest! {
    #[test]
    fn resp_authentication(r in authentication_response(), corr in any::<i64>()) {
        reply_roundtrip!(AuthenticationResponse, r, corr, event = false);
    }

    #[test]
    fn resp_authentication_later_fields_absent_or_present(r in authentication_response(), corr in any::<i64>()) {
        let msg = r.encode(corr);
        let initial = msg.frames().next().expect("initial frame").content.len();
        // 54 bytes of fixed content from 2.0 members, 62 with both 2.7 fields.
        let later_ints = usize::from(r.member_list_version.is_some()) + usize::from(r.partition_list_version.is_some());
        prop_assert_eq!(initial, 54 + 4 * later_ints);
        let back = AuthenticationResponse::decode(&msg).expect("decode");
        let present = [
            back.member_list_version.is_some(),
            back.partition_list_version.is_some(),
            back.tpc_ports.is_some(),
            back.tpc_token.is_some(),
            back.member_infos.is_some(),
            back.partitions.is_some(),
            back.key_value_pairs.is_some(),
        ];
        // The fields present are a prefix of the later fields.
        let n = present.iter().take_while(|p| **p).count();
        prop_assert!(present[n..].iter().all(|p| !p));
    }

    #[test]
    fn resp_empty_client(corr in any::<i64>()) {
        reply_roundtrip!(AddClusterViewListenerResponse, AddClusterViewListenerResponse::new(), corr, event = false);
        reply_roundtrip!(PingResponse, PingResponse::new(), corr, event = false);
        reply_roundtrip!(CreateProxyResponse, CreateProxyResponse::new(), corr, event = false);
        reply_roundtrip!(DestroyProxyResponse, DestroyProxyResponse::new(), corr, event = false);
        prop_assert_eq!(PingResponse::new().encode(corr).len(), 19);
    }

    #[test]
    fn resp_local_backup_listener(u in uuid(), corr in any::<i64>()) {
        reply_roundtrip!(LocalBackupListenerResponse, LocalBackupListenerResponse::new(u), corr, event = false);
    }

    #[test]
    fn resp_get_distributed_objects(o in vec(distributed_object_info(), 0..5), corr in any::<i64>()) {
        reply_roundtrip!(GetDistributedObjectsResponse, GetDistributedObjectsResponse::new(VarList(o)), corr,
                         event = false);
    }

    #[test]
    fn event_members_view(v in any::<i32>(), m in member_infos(), corr in any::<i64>()) {
        reply_roundtrip!(MembersViewEvent, MembersViewEvent::new(v, m), corr, event = true);
    }

    #[test]
    fn event_partitions_view(v in any::<i32>(), p in partition_owners(), corr in any::<i64>()) {
        reply_roundtrip!(PartitionsViewEvent, PartitionsViewEvent::new(v, p), corr, event = true);
    }

    #[test]
    fn event_member_groups_view(v in any::<i32>(), g in uuid_groups(), corr in any::<i64>()) {
        reply_roundtrip!(MemberGroupsViewEvent, MemberGroupsViewEvent::new(v, g), corr, event = true);
    }

    #[test]
    fn event_cluster_version(v in version(), corr in any::<i64>()) {
        reply_roundtrip!(ClusterVersionEvent, ClusterVersionEvent::new(v), corr, event = true);
    }

    #[test]
    fn event_backup(id in any::<i64>(), corr in any::<i64>()) {
        reply_roundtrip!(BackupEvent, BackupEvent::new(id), corr, event = true);
    }

    #[test]
    fn cluster_view_event_dispatch(v in any::<i32>(), m in member_infos(), p in partition_owners(),
                                   g in uuid_groups(), cv in version(), corr in any::<i64>()) {
        let members = MembersViewEvent::new(v, m);
        prop_assert_eq!(ClusterViewEvent::decode(&members.encode(corr)).expect("decode"),
                        ClusterViewEvent::MembersView(members));
        let partitions = PartitionsViewEvent::new(v, p);
        prop_assert_eq!(ClusterViewEvent::decode(&partitions.encode(corr)).expect("decode"),
                        ClusterViewEvent::PartitionsView(partitions));
        let groups = MemberGroupsViewEvent::new(v, g);
        prop_assert_eq!(ClusterViewEvent::decode(&groups.encode(corr)).expect("decode"),
                        ClusterViewEvent::MemberGroupsView(groups));
        let version = ClusterVersionEvent::new(cv);
        prop_assert_eq!(ClusterViewEvent::decode(&version.encode(corr)).expect("decode"),
                        ClusterViewEvent::ClusterVersion(version));
    }
}

// ---- Map responses and events ----

proptest! {
    #[test]
    fn resp_map_nullable_data(v in opt_data(), corr in any::<i64>()) {
        reply_roundtrip!(MapPutResponse, MapPutResponse::new(v.clone()), corr, event = false);
        reply_roundtrip!(MapGetResponse, MapGetResponse::new(v.clone()), corr, event = false);
        reply_roundtrip!(MapRemoveResponse, MapRemoveResponse::new(v.clone()), corr, event = false);
        reply_roundtrip!(MapReplaceResponse, MapReplaceResponse::new(v.clone()), corr, event = false);
        reply_roundtrip!(MapPutIfAbsentResponse, MapPutIfAbsentResponse::new(v.clone()), corr, event = false);
        reply_roundtrip!(MapPutWithMaxIdleResponse, MapPutWithMaxIdleResponse::new(v.clone()), corr, event = false);
        reply_roundtrip!(MapSetWithMaxIdleResponse, MapSetWithMaxIdleResponse::new(v), corr, event = false);
    }

    #[test]
    fn resp_map_boolean(b in any::<bool>(), corr in any::<i64>()) {
        reply_roundtrip!(MapReplaceIfSameResponse, MapReplaceIfSameResponse::new(b), corr, event = false);
        reply_roundtrip!(MapContainsKeyResponse, MapContainsKeyResponse::new(b), corr, event = false);
        reply_roundtrip!(MapContainsValueResponse, MapContainsValueResponse::new(b), corr, event = false);
        reply_roundtrip!(MapRemoveIfSameResponse, MapRemoveIfSameResponse::new(b), corr, event = false);
        reply_roundtrip!(MapRemoveEntryListenerResponse, MapRemoveEntryListenerResponse::new(b), corr, event = false);
        reply_roundtrip!(MapIsEmptyResponse, MapIsEmptyResponse::new(b), corr, event = false);
        reply_roundtrip!(MapSetTtlResponse, MapSetTtlResponse::new(b), corr, event = false);
        // The boolean sits at content offset 13: content 14.
        let msg = MapIsEmptyResponse::new(b).encode(corr);
        prop_assert_eq!(&msg.frames().next().expect("initial").content[13..], &[u8::from(b)][..]);
    }

    #[test]
    fn resp_map_delete(b in proptest::option::of(any::<bool>()), corr in any::<i64>()) {
        reply_roundtrip!(MapDeleteResponse, MapDeleteResponse::new(b), corr, event = false);
        let len = MapDeleteResponse::new(b).encode(corr).len();
        prop_assert_eq!(len, if b.is_some() { 20 } else { 19 });
    }

    #[test]
    fn resp_map_empty(corr in any::<i64>()) {
        reply_roundtrip!(MapSetResponse, MapSetResponse::new(), corr, event = false);
        reply_roundtrip!(MapPutAllResponse, MapPutAllResponse::new(), corr, event = false);
        reply_roundtrip!(MapClearResponse, MapClearResponse::new(), corr, event = false);
    }

    #[test]
    fn resp_map_size(n in any::<i32>(), corr in any::<i64>()) {
        reply_roundtrip!(MapSizeResponse, MapSizeResponse::new(n), corr, event = false);
    }

    #[test]
    fn resp_map_registration_ids(u in uuid(), corr in any::<i64>()) {
        reply_roundtrip!(MapAddEntryListenerResponse, MapAddEntryListenerResponse::new(u), corr, event = false);
        reply_roundtrip!(MapAddEntryListenerToKeyResponse, MapAddEntryListenerToKeyResponse::new(u), corr,
                         event = false);
    }

    #[test]
    fn resp_map_collections(keys in data_list(), entries in data_entries(), corr in any::<i64>()) {
        reply_roundtrip!(MapKeySetResponse, MapKeySetResponse::new(VarList(keys.clone())), corr, event = false);
        reply_roundtrip!(MapValuesResponse, MapValuesResponse::new(VarList(keys)), corr, event = false);
        reply_roundtrip!(MapGetAllResponse, MapGetAllResponse::new(EntryList(entries.clone())), corr, event = false);
        reply_roundtrip!(MapEntrySetResponse, MapEntrySetResponse::new(EntryList(entries)), corr, event = false);
    }

    #[test]
    fn event_map_entry(t in any::<i32>(), u in uuid(), n in any::<i32>(), k in opt_data(), v in opt_data(),
                       o in opt_data(), m in opt_data(), corr in any::<i64>()) {
        reply_roundtrip!(MapEntryEvent, MapEntryEvent::new(t, u, n, k.clone(), v.clone(), o.clone(), m.clone()),
                         corr, event = true);
        reply_roundtrip!(MapEntryToKeyEvent, MapEntryToKeyEvent::new(t, u, n, k, v, o, m), corr, event = true);
        // eventType @16, uuid @20, numberOfAffectedEntries @37: content 41.
        let msg = MapEntryEvent::new(t, u, n, None, None, None, None).encode(corr);
        prop_assert_eq!(msg.frames().next().expect("initial").content.len(), 41);
    }
}

// ---- errors ----

proptest! {
    #[test]
    fn error_response(errors in vec(error_holder(), 0..4), corr in any::<i64>()) {
        let wire = error_message(&errors, corr);
        prop_assert!(wire.is_error());
        prop_assert_eq!(wire.message_type(), 0);
        prop_assert_eq!(wire.correlation_id(), corr);
        let decoded = ErrorResponse::decode(&wire).expect("decode");
        prop_assert_eq!(&decoded.errors, &errors);
        // `encode` writes the bytes a member writes.
        prop_assert_eq!(decoded.encode(corr), wire);
        let expected = errors.first().map_or(ErrorCode::Undefined, |e| ErrorCode::from_code(e.error_code));
        prop_assert_eq!(decoded.code(), expected);
    }

    #[test]
    fn error_code_from_any_number(code in any::<i32>()) {
        let e = ErrorCode::from_code(code);
        prop_assert_eq!(e.code(), code);
        prop_assert_eq!(ErrorCode::from_code(e.code()), e);
        if (0..=99).contains(&code) {
            prop_assert_eq!(ErrorCode::ALL[code as usize], e);
        } else {
            prop_assert_eq!(e, ErrorCode::Other(code));
            prop_assert_eq!(e.name(), "UNKNOWN");
        }
    }
}

#[test]
fn error_codes_table() {
    assert_eq!(ErrorCode::ALL.len(), 100);
    let mut names = std::collections::HashSet::new();
    for (i, e) in ErrorCode::ALL.iter().enumerate() {
        assert_eq!(e.code(), i as i32, "{e:?}");
        assert_eq!(ErrorCode::from_code(e.code()), *e);
        assert!(names.insert(e.name()), "duplicate name {}", e.name());
        assert_ne!(e.name(), "UNKNOWN");
        assert_eq!(e.to_string(), format!("{}({i})", e.name()));
    }
    // A few fixed points of the official table.
    assert_eq!(ErrorCode::from_code(3), ErrorCode::Authentication);
    assert_eq!(ErrorCode::from_code(19).name(), "HAZELCAST_INSTANCE_NOT_ACTIVE");
    assert_eq!(ErrorCode::from_code(61).name(), "UNSUPPORTED_OPERATION");
    assert_eq!(ErrorCode::from_code(62).name(), "WRONG_TARGET");
    assert_eq!(ErrorCode::from_code(99).name(), "NO_CLASS_DEF_FOUND_ERROR");
    // Retryable: 8, 33, 39, 46, 47, 53, 62, 82, 90, plus 19.
    let retryable: Vec<i32> = ErrorCode::ALL
        .iter()
        .filter(|e| e.is_retryable())
        .map(|e| e.code())
        .collect();
    assert_eq!(retryable, vec![8, 19, 33, 39, 46, 47, 53, 62, 82, 90]);
    assert!(!ErrorCode::Other(1000).is_retryable());
}

#[test]
fn error_response_fields() {
    let holder = ErrorHolder::new(
        27,
        "java.lang.IllegalStateException".into(),
        Some("boom".into()),
        VarList(vec![]),
    );
    let wire = error_message(std::slice::from_ref(&holder), 42);
    // Initial frame: 13 bytes of content, flags 0xC000.
    let shape = frame_shape(&wire);
    assert_eq!(shape[0], (19, 0xC000));
    assert_eq!(shape[1], (6, 0x1000));
    assert_eq!(*shape.last().expect("frames"), (6, 0x2800));
    let decoded = ErrorResponse::decode(&wire).expect("decode");
    assert_eq!(decoded.code(), ErrorCode::IllegalState);
    assert_eq!(decoded.errors[0].message.as_deref(), Some("boom"));
    assert!(matches!(
        ErrorResponse::decode(&PingResponse::new().encode(1)),
        Err(CodecError::UnexpectedMessageType {
            expected: 0,
            actual: 0x000B01
        })
    ));
}
