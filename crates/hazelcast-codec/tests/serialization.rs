//! `Data` and the built-in serializers: round trips of every serializer, the type ids and payload
//! layouts, and the errors for blobs of another type or malformed blobs.

use bytes::Bytes;
use hazelcast_codec::serialization::{DATA_HEADER_SIZE, null_data, type_id};
use hazelcast_codec::{CodecError, Data, Deserialize, JsonValue, Serialize, Uuid};
use proptest::prelude::*;

/// Serializes, checks the header, deserializes.
fn roundtrip<T: Serialize + Deserialize>(v: &T, id: i32) -> T {
    let d = v.to_data();
    assert_eq!(d.type_id(), id);
    assert_eq!(&d.as_bytes()[..4], &[0, 0, 0, 0], "partition hash field is 0");
    assert_eq!(&d.as_bytes()[4..8], &id.to_be_bytes());
    assert_eq!(d.len(), DATA_HEADER_SIZE + d.payload().len());
    // The bytes survive a trip through `Data::from_bytes`.
    let again = Data::from_bytes(d.as_bytes().clone()).expect("8+ bytes");
    assert_eq!(again, d);
    T::from_data(&again).expect("from_data")
}

fn payload(d: &Data) -> Vec<u8> {
    d.payload().to_vec()
}

/// One serialized sample of every built-in type, with its type id.
fn samples() -> Vec<(Data, i32)> {
    vec![
        (1i8.to_data(), type_id::BYTE),
        (true.to_data(), type_id::BOOLEAN),
        (1i16.to_data(), type_id::SHORT),
        (1i32.to_data(), type_id::INTEGER),
        (1i64.to_data(), type_id::LONG),
        (1f32.to_data(), type_id::FLOAT),
        (1f64.to_data(), type_id::DOUBLE),
        ("s".to_data(), type_id::STRING),
        (vec![1u8].to_data(), type_id::BYTE_ARRAY),
        (Uuid::nil().to_data(), type_id::UUID),
        (JsonValue("{}".into()).to_data(), type_id::JSON),
    ]
}

/// `from_data` for the deserializer of type id `id`, with the error mapped to `()` on success.
fn from_data_as(id: i32, d: &Data) -> Result<(), CodecError> {
    match id {
        type_id::BYTE => i8::from_data(d).map(drop),
        type_id::BOOLEAN => bool::from_data(d).map(drop),
        type_id::SHORT => i16::from_data(d).map(drop),
        type_id::INTEGER => i32::from_data(d).map(drop),
        type_id::LONG => i64::from_data(d).map(drop),
        type_id::FLOAT => f32::from_data(d).map(drop),
        type_id::DOUBLE => f64::from_data(d).map(drop),
        type_id::STRING => String::from_data(d).map(drop),
        type_id::BYTE_ARRAY => Vec::<u8>::from_data(d).map(drop),
        type_id::UUID => Uuid::from_data(d).map(drop),
        type_id::JSON => JsonValue::from_data(d).map(drop),
        other => panic!("no deserializer for {other}"),
    }
}

#[test]
fn wrong_type_is_unexpected_type_id() {
    let samples = samples();
    for (data, actual) in &samples {
        for (_, expected) in &samples {
            let r = from_data_as(*expected, data);
            if expected == actual {
                assert_eq!(r, Ok(()), "type {actual} reads as itself");
            } else {
                assert_eq!(
                    r,
                    Err(CodecError::UnexpectedTypeId {
                        expected: *expected,
                        actual: *actual
                    }),
                    "type {actual} read as {expected}"
                );
            }
        }
    }
}

#[test]
fn official_type_ids() {
    let ids = [
        type_id::NULL,
        type_id::BYTE,
        type_id::BOOLEAN,
        type_id::CHAR,
        type_id::SHORT,
        type_id::INTEGER,
        type_id::LONG,
        type_id::FLOAT,
        type_id::DOUBLE,
        type_id::STRING,
        type_id::BYTE_ARRAY,
        type_id::UUID,
        type_id::JSON,
    ];
    assert_eq!(ids, [0, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -21, -130]);
}

#[test]
fn malformed_blobs() {
    assert_eq!(
        Data::from_bytes(Bytes::from_static(&[0, 0, 0, 0, 0xff, 0xff, 0xff])),
        Err(CodecError::InvalidData {
            reason: "shorter than the 8-byte header"
        })
    );
    // An int blob without its payload.
    let short =
        Data::from_bytes(Bytes::from_static(&[0, 0, 0, 0, 0xff, 0xff, 0xff, 0xf9, 0, 1])).expect("8+");
    assert!(matches!(
        i32::from_data(&short),
        Err(CodecError::InvalidData { .. })
    ));
    // A String whose length prefix points beyond the payload, or is -1 (null).
    let beyond = Data::build(type_id::STRING, 6, |b| {
        b.extend_from_slice(&[0, 0, 0, 9, b'a', b'b'])
    });
    assert!(matches!(
        String::from_data(&beyond),
        Err(CodecError::InvalidData { .. })
    ));
    let null = Data::build(type_id::STRING, 4, |b| {
        b.extend_from_slice(&[0xff, 0xff, 0xff, 0xff])
    });
    assert!(matches!(
        String::from_data(&null),
        Err(CodecError::InvalidData { .. })
    ));
    let null_bytes = Data::build(type_id::BYTE_ARRAY, 4, |b| {
        b.extend_from_slice(&[0xff, 0xff, 0xff, 0xff])
    });
    assert!(matches!(
        Vec::<u8>::from_data(&null_bytes),
        Err(CodecError::InvalidData { .. })
    ));
    // Invalid UTF-8.
    let bad = Data::build(type_id::STRING, 5, |b| b.extend_from_slice(&[0, 0, 0, 1, 0xff]));
    assert_eq!(
        String::from_data(&bad),
        Err(CodecError::InvalidUtf8 { what: "String value" })
    );
    // The null Data.
    let n = null_data();
    assert_eq!(n.as_bytes().as_ref(), &[0u8; 8]);
    assert_eq!(n.type_id(), type_id::NULL);
    assert!(n.payload().is_empty());
}

#[test]
fn data_identity_serializer() {
    let d = 5i32.to_data();
    assert_eq!(d.to_data(), d);
    assert_eq!(Data::from_data(&d), Ok(d.clone()));
    // Through the blanket implementation for references.
    fn serialize<T: Serialize>(v: T) -> Data {
        v.to_data()
    }
    assert_eq!(serialize(&d), d);
    assert_eq!(serialize("key-1"), "key-1".to_data());
    assert_eq!(format!("{d:?}"), "Data { type_id: -7, len: 12 }");
}

proptest! {
    #[test]
    fn byte(v in any::<i8>()) {
        prop_assert_eq!(roundtrip(&v, type_id::BYTE), v);
        prop_assert_eq!(payload(&v.to_data()), vec![v as u8]);
    }

    #[test]
    fn short(v in any::<i16>()) {
        prop_assert_eq!(roundtrip(&v, type_id::SHORT), v);
        prop_assert_eq!(payload(&v.to_data()), v.to_be_bytes().to_vec());
    }

    #[test]
    fn int(v in any::<i32>()) {
        prop_assert_eq!(roundtrip(&v, type_id::INTEGER), v);
        prop_assert_eq!(payload(&v.to_data()), v.to_be_bytes().to_vec());
    }

    #[test]
    fn long(v in any::<i64>()) {
        prop_assert_eq!(roundtrip(&v, type_id::LONG), v);
        prop_assert_eq!(payload(&v.to_data()), v.to_be_bytes().to_vec());
    }

    #[test]
    fn float_bitwise(bits in any::<u32>()) {
        let v = f32::from_bits(bits);
        prop_assert_eq!(roundtrip(&v, type_id::FLOAT).to_bits(), bits);
        prop_assert_eq!(payload(&v.to_data()), bits.to_be_bytes().to_vec());
    }

    #[test]
    fn double_bitwise(bits in any::<u64>()) {
        let v = f64::from_bits(bits);
        prop_assert_eq!(roundtrip(&v, type_id::DOUBLE).to_bits(), bits);
        prop_assert_eq!(payload(&v.to_data()), bits.to_be_bytes().to_vec());
    }

    #[test]
    fn boolean(v in any::<bool>()) {
        prop_assert_eq!(roundtrip(&v, type_id::BOOLEAN), v);
        prop_assert_eq!(payload(&v.to_data()), vec![u8::from(v)]);
    }

    #[test]
    fn string(v in "\\PC{0,40}") {
        prop_assert_eq!(roundtrip(&v, type_id::STRING), v.clone());
        // i32 BE byte length, then UTF-8.
        let d = v.as_str().to_data();
        prop_assert_eq!(&d.payload()[..4], &(v.len() as i32).to_be_bytes()[..]);
        prop_assert_eq!(&d.payload()[4..], v.as_bytes());
    }

    #[test]
    fn byte_array(v in proptest::collection::vec(any::<u8>(), 0..64)) {
        prop_assert_eq!(roundtrip(&v, type_id::BYTE_ARRAY), v.clone());
        prop_assert_eq!(v.as_slice().to_data(), v.to_data());
        prop_assert_eq!(payload(&v.to_data())[4..].to_vec(), v.clone());
    }

    #[test]
    fn uuid(v in any::<u128>()) {
        let u = Uuid::from_u128(v);
        prop_assert_eq!(roundtrip(&u, type_id::UUID), u);
        // msb then lsb, big-endian, no null byte.
        prop_assert_eq!(payload(&u.to_data()), v.to_be_bytes().to_vec());
    }

    #[test]
    fn json(v in "\\PC{0,40}") {
        let j = JsonValue(v.clone());
        prop_assert_eq!(roundtrip(&j, type_id::JSON), j);
        // The same payload as a String.
        prop_assert_eq!(payload(&JsonValue(v.clone()).to_data()), payload(&v.to_data()));
    }

    #[test]
    fn arbitrary_blobs_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
        let b = Bytes::from(bytes.clone());
        match Data::from_bytes(b) {
            Err(e) => prop_assert!(bytes.len() < 8, "{e}"),
            Ok(d) => {
                prop_assert_eq!(d.type_id(), i32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]));
                let _ = d.partition_hash();
                for (_, id) in samples() {
                    let r = from_data_as(id, &d);
                    if d.type_id() != id {
                        prop_assert_eq!(r, Err(CodecError::UnexpectedTypeId { expected: id, actual: d.type_id() }));
                    }
                }
            }
        }
    }
}
