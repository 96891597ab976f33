//! Round trips of what is written by hand around the generated codecs (every generated message
//! has its own round trip in `tests/generated/`): error responses and codes, the dispatch of a
//! listener's events, and `decode_request` on messages of another type.

mod common;

use common::*;
use hazelcast_codec::custom::ErrorHolder;
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::client::*;
use hazelcast_codec::messages::map::*;
use hazelcast_codec::types::VarList;
use hazelcast_codec::{ClientMessage, CodecError, ErrorCode, ErrorResponse};
use proptest::collection::vec;
use proptest::prelude::*;

#[test]
fn decode_request_rejects_other_types() {
    let msg = ClientPingRequest {}.encode(-1);
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

proptest! {
    #[test]
    fn cluster_view_event_dispatch(v in any::<i32>(), m in member_infos(), p in partition_owners(),
                                   g in uuid_groups(), cv in version(), corr in any::<i64>()) {
        let members = ClientAddClusterViewListenerMembersViewEvent::new(v, m);
        prop_assert_eq!(ClientAddClusterViewListenerEvent::decode(&members.encode(corr)).expect("decode"),
                        ClientAddClusterViewListenerEvent::MembersView(members));
        let partitions = ClientAddClusterViewListenerPartitionsViewEvent::new(v, p);
        prop_assert_eq!(ClientAddClusterViewListenerEvent::decode(&partitions.encode(corr)).expect("decode"),
                        ClientAddClusterViewListenerEvent::PartitionsView(partitions));
        let groups = ClientAddClusterViewListenerMemberGroupsViewEvent::new(v, g);
        prop_assert_eq!(ClientAddClusterViewListenerEvent::decode(&groups.encode(corr)).expect("decode"),
                        ClientAddClusterViewListenerEvent::MemberGroupsView(groups));
        let version = ClientAddClusterViewListenerClusterVersionEvent::new(cv);
        prop_assert_eq!(ClientAddClusterViewListenerEvent::decode(&version.encode(corr)).expect("decode"),
                        ClientAddClusterViewListenerEvent::ClusterVersion(version));
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
        ErrorResponse::decode(&ClientPingResponse::new().encode(1)),
        Err(CodecError::UnexpectedMessageType {
            expected: 0,
            actual: 0x000B01
        })
    ));
}
