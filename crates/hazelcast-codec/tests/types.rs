//! Round trips of every parameter type (fixed-size, single-frame, lists, maps, nullable values and
//! custom types), and the errors their decoders report for malformed frames.

mod common;

use std::fmt::Debug;

use bytes::Bytes;
use common::*;
use hazelcast_codec::Address;
use hazelcast_codec::custom::{
    DistributedObjectInfo, EndpointQualifier, ErrorHolder, MemberInfo, MemberVersion, StackTraceElement,
    Version,
};
use hazelcast_codec::frame::flags;
use hazelcast_codec::message::REQUEST_HEADER_SIZE;
use hazelcast_codec::types::{
    ByteArray, Decode, Encode, EntryList, EntryListRef, FixedList, FixedSize, ListRef, PartitionOwners,
    UuidGroups, VarList, WireName,
};
use hazelcast_codec::{ClientMessage, CodecError, Data, MessageWriter, Uuid};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

/// Puts `v` into a request's initial frame after the header and reads it back with every reader.
fn fixed_roundtrip<T: FixedSize + Debug>(v: &T, same: impl Fn(&T, &T) -> bool) {
    let mut w = MessageWriter::request(0x0001_0000, 5, 64);
    v.put(&mut w);
    let msg = w.finish();
    assert_well_formed(&msg);
    let initial = msg.reader().next_frame().expect("initial frame");
    let c = &initial.content[..];
    assert_eq!(
        c.len(),
        REQUEST_HEADER_SIZE + T::SIZE,
        "{} is {} bytes",
        T::WIRE_NAME,
        T::SIZE
    );

    let read = T::read_at(c, REQUEST_HEADER_SIZE, "value").expect("read_at");
    assert!(same(&read, v), "read_at gave {read:?} for {v:?}");
    let later = T::read_later(c, REQUEST_HEADER_SIZE).expect("read_later finds the value");
    assert!(same(&later, v));
    assert!(same(&T::get(&c[REQUEST_HEADER_SIZE..]), v));

    // One byte short: a later field is absent, a required one is an error.
    let short = &c[..c.len() - 1];
    assert!(T::read_later(short, REQUEST_HEADER_SIZE).is_none());
    assert_eq!(
        T::read_at(short, REQUEST_HEADER_SIZE, "value").map(|_| ()),
        Err(CodecError::FrameContentTooShort {
            what: "value",
            needed: REQUEST_HEADER_SIZE + T::SIZE,
            available: c.len() - 1,
        })
    );

    // The same value inside a custom type's fixed frame (content offset 0).
    let mut w = MessageWriter::request(0x0001_0000, 5, 64);
    w.begin_fixed_frame();
    v.put(&mut w);
    v.put(&mut w);
    let msg = w.finish();
    let fixed = msg.frames().nth(1).expect("fixed frame").content;
    assert_eq!(fixed.len(), 2 * T::SIZE);
    assert!(same(
        &T::read_at(&fixed, T::SIZE, "second").expect("second value"),
        v
    ));
}

fn eq<T: PartialEq>(a: &T, b: &T) -> bool {
    a == b
}

#[test]
fn fixed_sizes_and_wire_names() {
    assert_eq!((i8::SIZE, i8::WIRE_NAME), (1, "byte"));
    assert_eq!((u8::SIZE, u8::WIRE_NAME), (1, "byte"));
    assert_eq!((bool::SIZE, bool::WIRE_NAME), (1, "boolean"));
    assert_eq!((i32::SIZE, i32::WIRE_NAME), (4, "int"));
    assert_eq!((i64::SIZE, i64::WIRE_NAME), (8, "long"));
    assert_eq!((f32::SIZE, f32::WIRE_NAME), (4, "float"));
    assert_eq!((Uuid::SIZE, Uuid::WIRE_NAME), (17, "UUID"));
    assert_eq!((<Option<Uuid>>::SIZE, <Option<Uuid>>::WIRE_NAME), (17, "UUID"));
}

#[test]
fn boolean_decodes_only_one_as_true() {
    assert!(bool::get(&[1]));
    assert!(!bool::get(&[0]));
    assert!(!bool::get(&[2]), "Java and Python decoders test == 1");
}

proptest! {
    #[test]
    fn fixed_i8(v in any::<i8>()) { fixed_roundtrip(&v, eq) }

    #[test]
    fn fixed_u8(v in any::<u8>()) { fixed_roundtrip(&v, eq) }

    #[test]
    fn fixed_bool(v in any::<bool>()) { fixed_roundtrip(&v, eq) }

    #[test]
    fn fixed_i32(v in any::<i32>()) { fixed_roundtrip(&v, eq) }

    #[test]
    fn fixed_i64(v in any::<i64>()) { fixed_roundtrip(&v, eq) }

    #[test]
    fn fixed_f32_bitwise(bits in any::<u32>()) {
        fixed_roundtrip(&f32::from_bits(bits), |a, b| a.to_bits() == b.to_bits())
    }

    #[test]
    fn fixed_uuid(v in uuid()) { fixed_roundtrip(&v, eq) }

    #[test]
    fn fixed_nullable_uuid(v in opt_uuid()) { fixed_roundtrip(&v, eq) }

    #[test]
    fn string_frame(v in "\\PC{0,40}") {
        prop_assert_eq!(roundtrip(&v), v.clone());
        // A String frame is the raw UTF-8 bytes, without any length prefix.
        let mut w = MessageWriter::request(0, -1, 16);
        v.as_str().encode(&mut w);
        let msg = w.finish();
        prop_assert_eq!(&msg.frames().nth(1).expect("string frame").content[..], v.as_bytes());
    }

    #[test]
    fn byte_array_frame(v in vec(any::<u8>(), 0..64)) {
        let b = ByteArray(Bytes::from(v));
        prop_assert_eq!(roundtrip(&b), b);
    }

    #[test]
    fn data_frame(d in data()) {
        prop_assert_eq!(roundtrip(&d), d);
    }

    #[test]
    fn nullable_values(s in opt_string(), d in opt_data(), b in option::of(byte_array()),
                       a in option::of(address()), l in option::of(vec(string(), 0..3))) {
        prop_assert_eq!(roundtrip(&s), s.clone());
        prop_assert_eq!(roundtrip(&d), d.clone());
        prop_assert_eq!(roundtrip(&b), b.clone());
        prop_assert_eq!(roundtrip(&a), a.clone());
        let l = l.map(VarList);
        prop_assert_eq!(roundtrip(&l), l.clone());
    }

    #[test]
    fn fixed_lists(ints in vec(any::<i32>(), 0..20), longs in vec(any::<i64>(), 0..20),
                   uuids in vec(uuid(), 0..10)) {
        let (ints, longs, uuids) = (FixedList(ints), FixedList(longs), FixedList(uuids));
        prop_assert_eq!(roundtrip(&ints), ints.clone());
        prop_assert_eq!(roundtrip(&longs), longs.clone());
        prop_assert_eq!(roundtrip(&uuids), uuids.clone());

        // One packed frame each: n × element size.
        let mut w = MessageWriter::request(0, -1, 16);
        ints.encode(&mut w);
        longs.0.as_slice().encode(&mut w);
        uuids.0.as_slice().encode(&mut w);
        let lens: Vec<usize> = w.finish().frames().skip(1).map(|f| f.content.len()).collect();
        prop_assert_eq!(lens, vec![4 * ints.0.len(), 8 * longs.0.len(), 17 * uuids.0.len()]);

        // Borrowed slices decode into the owned list.
        prop_assert_eq!(roundtrip_as::<_, FixedList<i64>>(longs.0.as_slice()), longs);
    }

    #[test]
    fn var_lists(strings in vec(string(), 0..6), datas in data_list()) {
        let s = VarList(strings);
        let d = VarList(datas);
        prop_assert_eq!(roundtrip(&s), s.clone());
        prop_assert_eq!(roundtrip(&d), d.clone());
        prop_assert_eq!(roundtrip_as::<_, VarList<String>>(&ListRef(&s.0)), s.clone());
        prop_assert_eq!(roundtrip_as::<_, VarList<Data>>(&ListRef(&d.0)), d.clone());

        // BEGIN, one frame per element, END.
        let mut w = MessageWriter::request(0, -1, 16);
        s.encode(&mut w);
        let shape: Vec<u16> = w.finish().frames().skip(1).map(|f| f.flags & !flags::IS_FINAL).collect();
        let mut expected = vec![flags::BEGIN_DATA_STRUCTURE];
        expected.extend(std::iter::repeat_n(0, s.0.len()));
        expected.push(flags::END_DATA_STRUCTURE);
        prop_assert_eq!(shape, expected);
    }

    #[test]
    fn entry_lists(entries in data_entries(), strings in string_map(), amap in address_map()) {
        let e = EntryList(entries);
        prop_assert_eq!(roundtrip(&e), e.clone());
        prop_assert_eq!(roundtrip_as::<_, EntryList<Data, Data>>(&EntryListRef(&e.0)), e.clone());
        prop_assert_eq!(roundtrip(&strings), strings.clone());
        prop_assert_eq!(roundtrip(&amap), amap.clone());

        // BEGIN, key, value, key, value…, END.
        let mut w = MessageWriter::request(0, -1, 16);
        e.encode(&mut w);
        prop_assert_eq!(w.finish().frames().count(), 1 + 2 + 2 * e.0.len());
    }

    #[test]
    fn partition_owners_layout(p in partition_owners()) {
        prop_assert_eq!(roundtrip(&p), p.clone());
        // BEGIN, one List_Integer per entry, END, then the keys in one List_UUID frame.
        let mut w = MessageWriter::request(0, -1, 16);
        p.encode(&mut w);
        let frames: Vec<_> = w.finish().frames().skip(1).collect();
        prop_assert_eq!(frames.len(), p.0.len() + 3);
        prop_assert!(frames[0].is_begin());
        prop_assert!(frames[p.0.len() + 1].is_end());
        prop_assert_eq!(frames[p.0.len() + 2].content.len(), 17 * p.0.len());
        for (i, (_, parts)) in p.0.iter().enumerate() {
            prop_assert_eq!(frames[i + 1].content.len(), 4 * parts.len());
        }
    }

    #[test]
    fn uuid_groups_layout(g in uuid_groups()) {
        prop_assert_eq!(roundtrip(&g), g.clone());
        let mut w = MessageWriter::request(0, -1, 16);
        g.encode(&mut w);
        prop_assert_eq!(w.finish().frames().count(), 1 + 2 + g.0.len());
    }

    #[test]
    fn custom_address(v in address()) { prop_assert_eq!(roundtrip(&v), v) }

    #[test]
    fn custom_member_version(v in member_version()) { prop_assert_eq!(roundtrip(&v), v) }

    #[test]
    fn custom_version(v in version()) { prop_assert_eq!(roundtrip(&v), v) }

    #[test]
    fn custom_endpoint_qualifier(v in endpoint_qualifier()) { prop_assert_eq!(roundtrip(&v), v) }

    #[test]
    fn custom_member_info_with_address_map(v in member_info_with(address_map().prop_map(Some))) {
        prop_assert!(v.address_map.is_some());
        prop_assert_eq!(roundtrip(&v), v);
    }

    #[test]
    fn custom_member_info_without_address_map(v in member_info_with(Just(None))) {
        let back = roundtrip(&v);
        prop_assert_eq!(back.address_map.as_ref(), None);
        prop_assert_eq!(back, v);
    }

    #[test]
    fn custom_distributed_object_info(v in distributed_object_info()) { prop_assert_eq!(roundtrip(&v), v) }

    #[test]
    fn custom_stack_trace_element(v in stack_trace_element()) { prop_assert_eq!(roundtrip(&v), v) }

    #[test]
    fn custom_error_holder(v in error_holder()) { prop_assert_eq!(roundtrip(&v), v) }

    #[test]
    fn custom_lists(m in member_infos(), o in vec(distributed_object_info(), 0..4),
                    e in vec(error_holder(), 0..3)) {
        prop_assert_eq!(roundtrip(&m), m.clone());
        let o = VarList(o);
        prop_assert_eq!(roundtrip(&o), o.clone());
        let e = VarList(e);
        prop_assert_eq!(roundtrip(&e), e.clone());
    }
}

/// Like [`roundtrip`], for a borrowed encoder whose decoded form is another type.
fn roundtrip_as<E: Encode + ?Sized, D: Decode>(value: &E) -> D {
    let mut w = MessageWriter::request(0, -1, 64);
    value.encode(&mut w);
    let msg = w.finish();
    assert_well_formed(&msg);
    let mut r = msg.reader();
    r.next_frame().expect("initial frame");
    let out = D::decode(&mut r).expect("decode");
    assert!(!r.has_next(), "frames left after decoding");
    out
}

#[test]
fn custom_type_frame_layouts() {
    // Address: BEGIN, [port], host, END.
    let mut w = MessageWriter::request(0, -1, 16);
    Address::new("127.0.0.1", 5701).encode(&mut w);
    assert_eq!(
        frame_shape(&w.finish())[1..],
        [(6, 0x1000), (10, 0), (6 + 9, 0), (6, 0x2800)]
    );
    // DistributedObjectInfo has no fixed frame, serviceName first.
    let mut w = MessageWriter::request(0, -1, 16);
    DistributedObjectInfo::new("hz:impl:mapService".into(), "m".into()).encode(&mut w);
    let msg = w.finish();
    let frames = frame_list(&msg);
    assert_eq!(frames.len(), 5);
    assert_eq!(frames[1].1, 0x1000);
    assert_eq!(frames[2].2, b"hz:impl:mapService");
    assert_eq!(frames[3].2, b"m");
    // MemberVersion: 3 bytes, Version: 2 bytes.
    let mut w = MessageWriter::request(0, -1, 16);
    MemberVersion::new(5, 4, 1).encode(&mut w);
    Version::new(5, 5).encode(&mut w);
    let msg = w.finish();
    let frames = frame_list(&msg);
    assert_eq!(frames[2].2, vec![5, 4, 1]);
    assert_eq!(frames[5].2, vec![5, 5]);
    // ErrorHolder and StackTraceElement: fixed int first, nullable strings as NULL frames.
    let mut w = MessageWriter::request(0, -1, 16);
    ErrorHolder::new(
        61,
        "java.lang.UnsupportedOperationException".into(),
        None,
        VarList(vec![StackTraceElement::new(7, "C".into(), "m".into(), None)]),
    )
    .encode(&mut w);
    let shape = frame_shape(&w.finish());
    assert_eq!(
        shape[1..],
        [
            (6, 0x1000),
            (10, 0),
            (6 + 39, 0),
            (6, 0x0400),
            (6, 0x1000),
            (6, 0x1000),
            (10, 0),
            (7, 0),
            (7, 0),
            (6, 0x0400),
            (6, 0x0800),
            (6, 0x0800),
            (6, 0x2800)
        ]
    );
}

#[test]
fn wire_names() {
    assert_eq!(String::wire_name(), "String");
    assert_eq!(<&str>::wire_name(), "String");
    assert_eq!(Data::wire_name(), "Data");
    assert_eq!(ByteArray::wire_name(), "byteArray");
    assert_eq!(<Option<String>>::wire_name(), "String");
    assert_eq!(<FixedList<i32>>::wire_name(), "List_Integer");
    assert_eq!(<FixedList<i64>>::wire_name(), "List_Long");
    assert_eq!(<FixedList<Uuid>>::wire_name(), "List_UUID");
    assert_eq!(<[Uuid]>::wire_name(), "List_UUID");
    assert_eq!(<VarList<String>>::wire_name(), "List_String");
    assert_eq!(<VarList<MemberInfo>>::wire_name(), "List_MemberInfo");
    assert_eq!(<ListRef<'_, Data>>::wire_name(), "List_Data");
    assert_eq!(<EntryList<Data, Data>>::wire_name(), "EntryList_Data_Data");
    assert_eq!(<EntryListRef<'_, Data, Data>>::wire_name(), "EntryList_Data_Data");
    assert_eq!(
        <EntryList<String, String>>::wire_name(),
        "EntryList_String_String"
    );
    assert_eq!(
        <EntryList<EndpointQualifier, Address>>::wire_name(),
        "EntryList_EndpointQualifier_Address"
    );
    assert_eq!(PartitionOwners::wire_name(), "EntryList_UUID_List_Integer");
    assert_eq!(UuidGroups::wire_name(), "List_List_UUID");
    assert_eq!(
        <VarList<StackTraceElement>>::wire_name(),
        "List_StackTraceElement"
    );
}

// ---- malformed input ----

/// A message whose frames after the initial one are `frames`.
fn message_of(frames: &[(u16, &[u8])]) -> ClientMessage {
    let mut bytes = frame(0xC000, &[0; 16]);
    for (i, (f, c)) in frames.iter().enumerate() {
        let last = if i + 1 == frames.len() { flags::IS_FINAL } else { 0 };
        bytes.extend(frame(f | last, c));
    }
    ClientMessage::from_bytes(Bytes::from(bytes)).expect("valid framing")
}

fn decode_after_initial<T: Decode>(msg: &ClientMessage) -> Result<T, CodecError> {
    let mut r = msg.reader();
    r.next_frame()?;
    T::decode(&mut r)
}

#[test]
fn malformed_values_are_errors() {
    let utf8 = message_of(&[(0, &[0xff, 0xfe])]);
    assert_eq!(
        decode_after_initial::<String>(&utf8),
        Err(CodecError::InvalidUtf8 { what: "String" })
    );

    let null = message_of(&[(flags::IS_NULL, &[])]);
    assert_eq!(
        decode_after_initial::<String>(&null),
        Err(CodecError::UnexpectedNull { what: "String" })
    );
    assert_eq!(
        decode_after_initial::<Data>(&null),
        Err(CodecError::UnexpectedNull { what: "Data" })
    );
    assert_eq!(decode_after_initial::<Option<Data>>(&null), Ok(None));

    let ragged = message_of(&[(0, &[1, 2, 3, 4, 5])]);
    assert_eq!(
        decode_after_initial::<FixedList<i32>>(&ragged),
        Err(CodecError::RaggedList {
            length: 5,
            element_size: 4
        })
    );

    let no_begin = message_of(&[(0, b"x"), (flags::END_DATA_STRUCTURE, &[])]);
    assert!(matches!(
        decode_after_initial::<VarList<String>>(&no_begin),
        Err(CodecError::UnexpectedFrame {
            expected: "BEGIN",
            ..
        })
    ));
    assert!(matches!(
        decode_after_initial::<Address>(&no_begin),
        Err(CodecError::UnexpectedFrame {
            expected: "BEGIN",
            ..
        })
    ));

    // A list whose END never comes.
    let unterminated = message_of(&[(flags::BEGIN_DATA_STRUCTURE, &[]), (0, b"a")]);
    assert!(matches!(
        decode_after_initial::<VarList<String>>(&unterminated),
        Err(CodecError::UnexpectedEnd { .. })
    ));

    // An Address whose fixed frame is too short for its port.
    let short_port = message_of(&[
        (flags::BEGIN_DATA_STRUCTURE, &[]),
        (0, &[1, 2]),
        (0, b"h"),
        (flags::END_DATA_STRUCTURE, &[]),
    ]);
    assert!(matches!(
        decode_after_initial::<Address>(&short_port),
        Err(CodecError::FrameContentTooShort {
            needed: 4,
            available: 2,
            ..
        })
    ));

    // Two partition owners' lists but only one UUID.
    let mismatched = message_of(&[
        (flags::BEGIN_DATA_STRUCTURE, &[]),
        (0, &[1, 0, 0, 0]),
        (0, &[2, 0, 0, 0]),
        (flags::END_DATA_STRUCTURE, &[]),
        (0, &[0; 17]),
    ]);
    assert_eq!(
        decode_after_initial::<PartitionOwners>(&mismatched),
        Err(CodecError::MismatchedLengths {
            what: "EntryList_UUID_List_Integer",
            keys: 1,
            values: 2
        })
    );

    // Nothing left at all.
    let empty = ClientMessage::from_bytes(Bytes::from(frame(0xE000, &[0; 16]))).expect("valid");
    assert!(matches!(
        decode_after_initial::<String>(&empty),
        Err(CodecError::UnexpectedEnd { .. })
    ));
    assert!(matches!(
        decode_after_initial::<MemberInfo>(&empty),
        Err(CodecError::UnexpectedEnd { .. })
    ));
}

#[test]
fn member_info_address_selection() {
    let plain = Address::new("10.0.0.1", 5701);
    let member = Address::new("member", 5702);
    let client = Address::new("client", 5703);
    let public = Address::new("public", 5704);
    let mk = |map: Option<Vec<(EndpointQualifier, Address)>>| {
        MemberInfo::new(
            Uuid::nil(),
            false,
            plain.clone(),
            EntryList(vec![]),
            MemberVersion::new(5, 5, 0),
            map.map(EntryList),
        )
    };
    let q = |kind, id: Option<&str>| EndpointQualifier::new(kind, id.map(str::to_string));
    use hazelcast_codec::custom::protocol_type::{CLIENT, MEMBER};

    assert_eq!(mk(None).client_address(), &plain);
    assert_eq!(mk(Some(vec![])).client_address(), &plain);
    assert_eq!(
        mk(Some(vec![(q(MEMBER, None), member.clone())])).client_address(),
        &member
    );
    let full = mk(Some(vec![
        (q(MEMBER, None), member.clone()),
        (q(CLIENT, Some("public")), public.clone()),
        (q(CLIENT, None), client.clone()),
    ]));
    assert_eq!(full.client_address(), &client);
    assert_eq!(full.endpoint(CLIENT, Some("public")), Some(&public));
    assert_eq!(full.endpoint(CLIENT, Some("other")), None);
    assert_eq!(Address::new("::1", 1).to_string(), "[::1]:1");
    assert_eq!(plain.to_string(), "10.0.0.1:5701");
}
