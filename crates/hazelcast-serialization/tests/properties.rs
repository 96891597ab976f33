//! Property tests: generated records and values round-trip, struct and generic writers agree,
//! and hostile bytes (random, truncated, corrupted) are errors, never panics.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic on purpose too

use std::collections::BTreeMap;

use hazelcast_codec::Data;
use hazelcast_serialization::{
    Date, Decimal, FieldValue, GenericRecord, IdentifiedDataSerializable, ObjectDataInput, ObjectDataOutput,
    SerializationError, SerializationService, Time, Timestamp, TimestampWithTimezone,
};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

fn finite_f32() -> impl Strategy<Value = f32> {
    -1.0e30f32..1.0e30f32
}

fn finite_f64() -> impl Strategy<Value = f64> {
    -1.0e300f64..1.0e300f64
}

fn date() -> impl Strategy<Value = Date> {
    (-999_999_999i32..=999_999_999, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

fn time() -> impl Strategy<Value = Time> {
    (0u8..24, 0u8..60, 0u8..60, 0u32..1_000_000_000).prop_map(|(h, m, s, n)| Time::new(h, m, s, n).unwrap())
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (date(), time()).prop_map(|(d, t)| Timestamp::new(d, t))
}

fn timestamp_tz() -> impl Strategy<Value = TimestampWithTimezone> {
    (timestamp(), -64_800i32..=64_800).prop_map(|(t, o)| TimestampWithTimezone::new(t, o).unwrap())
}

fn decimal() -> impl Strategy<Value = Decimal> {
    (any::<i128>(), any::<i32>()).prop_map(|(u, s)| Decimal::new(u, s))
}

fn opt<S: Strategy>(s: S) -> impl Strategy<Value = Option<S::Value>> {
    proptest::option::of(s)
}

fn vec<S: Strategy>(s: S) -> impl Strategy<Value = Vec<S::Value>> {
    proptest::collection::vec(s, 0..6)
}

/// Values of every kind except the nested-record kinds.
fn leaf_value() -> impl Strategy<Value = FieldValue> {
    use FieldValue as V;
    prop_oneof![
        any::<bool>().prop_map(V::Boolean),
        any::<i8>().prop_map(V::Int8),
        any::<i16>().prop_map(V::Int16),
        any::<i32>().prop_map(V::Int32),
        any::<i64>().prop_map(V::Int64),
        finite_f32().prop_map(V::Float32),
        finite_f64().prop_map(V::Float64),
        opt(".{0,12}").prop_map(V::String),
        opt(decimal()).prop_map(V::Decimal),
        opt(time()).prop_map(V::Time),
        opt(date()).prop_map(V::Date),
        opt(timestamp()).prop_map(V::Timestamp),
        opt(timestamp_tz()).prop_map(V::TimestampWithTimezone),
        opt(any::<bool>()).prop_map(V::NullableBoolean),
        opt(any::<i8>()).prop_map(V::NullableInt8),
        opt(any::<i16>()).prop_map(V::NullableInt16),
        opt(any::<i32>()).prop_map(V::NullableInt32),
        opt(any::<i64>()).prop_map(V::NullableInt64),
        opt(finite_f32()).prop_map(V::NullableFloat32),
        opt(finite_f64()).prop_map(V::NullableFloat64),
        opt(vec(any::<bool>())).prop_map(V::ArrayOfBoolean),
        opt(vec(any::<i8>())).prop_map(V::ArrayOfInt8),
        opt(vec(any::<i16>())).prop_map(V::ArrayOfInt16),
        opt(vec(any::<i32>())).prop_map(V::ArrayOfInt32),
        opt(vec(any::<i64>())).prop_map(V::ArrayOfInt64),
        opt(vec(finite_f32())).prop_map(V::ArrayOfFloat32),
        opt(vec(finite_f64())).prop_map(V::ArrayOfFloat64),
        opt(vec(opt(".{0,8}"))).prop_map(V::ArrayOfString),
        opt(vec(opt(decimal()))).prop_map(V::ArrayOfDecimal),
        opt(vec(opt(time()))).prop_map(V::ArrayOfTime),
        opt(vec(opt(date()))).prop_map(V::ArrayOfDate),
        opt(vec(opt(timestamp()))).prop_map(V::ArrayOfTimestamp),
        opt(vec(opt(timestamp_tz()))).prop_map(V::ArrayOfTimestampWithTimezone),
        opt(vec(opt(any::<bool>()))).prop_map(V::ArrayOfNullableBoolean),
        opt(vec(opt(any::<i8>()))).prop_map(V::ArrayOfNullableInt8),
        opt(vec(opt(any::<i16>()))).prop_map(V::ArrayOfNullableInt16),
        opt(vec(opt(any::<i32>()))).prop_map(V::ArrayOfNullableInt32),
        opt(vec(opt(any::<i64>()))).prop_map(V::ArrayOfNullableInt64),
        opt(vec(opt(finite_f32()))).prop_map(V::ArrayOfNullableFloat32),
        opt(vec(opt(finite_f64()))).prop_map(V::ArrayOfNullableFloat64),
    ]
}

fn build(type_name: &str, fields: BTreeMap<String, FieldValue>) -> GenericRecord {
    fields
        .into_iter()
        .fold(GenericRecord::builder(type_name), |b, (n, v)| b.field(n, v))
        .build()
        .unwrap()
}

fn leaf_record() -> impl Strategy<Value = GenericRecord> {
    proptest::collection::btree_map("[a-zA-Z_é]{1,6}", leaf_value(), 0..10)
        .prop_map(|f| build("prop.Leaf", f))
}

/// Records with leaf fields and nested records (one or two levels).
fn record() -> impl Strategy<Value = GenericRecord> {
    let nested = prop_oneof![
        opt(leaf_record()).prop_map(FieldValue::Compact),
        (leaf_record(), proptest::collection::vec(any::<bool>(), 0..4)).prop_map(|(r, present)| {
            // Items of one array share one schema: copies of one record, or nulls.
            FieldValue::ArrayOfCompact(Some(present.into_iter().map(|p| p.then(|| r.clone())).collect()))
        }),
        leaf_value(),
    ];
    proptest::collection::btree_map("[a-z]{1,6}", nested, 0..12).prop_map(|f| build("prop.Record", f))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "prop.Sorted")]
struct Sorted {
    a_flag: bool,
    b_bytes: Vec<u8>,
    c_date: Option<Date>,
    d_decimal: Decimal,
    e_int: i32,
    f_ints: Vec<Option<i64>>,
    g_long: Option<i64>,
    h_name: String,
    i_names: Vec<String>,
    j_nested: Option<SortedInner>,
    k_short: i16,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "prop.SortedInner")]
struct SortedInner {
    x: f64,
    y: Option<String>,
}

fn sorted() -> impl Strategy<Value = Sorted> {
    (
        any::<bool>(),
        vec(any::<u8>()),
        opt(date()),
        decimal(),
        any::<i32>(),
        vec(opt(any::<i64>())),
        opt(any::<i64>()),
        ".{0,20}",
        vec(".{0,5}"),
        opt((finite_f64(), opt(".{0,5}")).prop_map(|(x, y)| SortedInner { x, y })),
        any::<i16>(),
    )
        .prop_map(|(a, b, c, d, e, f, g, h, i, j, k)| Sorted {
            a_flag: a,
            b_bytes: b,
            c_date: c,
            d_decimal: d,
            e_int: e,
            f_ints: f,
            g_long: g,
            h_name: h,
            i_names: i,
            j_nested: j,
            k_short: k,
        })
}

fn sorted_as_record(s: &Sorted) -> GenericRecord {
    let nested = s.j_nested.as_ref().map(|n| {
        GenericRecord::builder("prop.SortedInner")
            .field("x", n.x)
            .field("y", FieldValue::String(n.y.clone()))
            .build()
            .unwrap()
    });
    GenericRecord::builder("prop.Sorted")
        .field("a_flag", s.a_flag)
        .field("b_bytes", s.b_bytes.iter().map(|b| *b as i8).collect::<Vec<i8>>())
        .field("c_date", FieldValue::Date(s.c_date))
        .field("d_decimal", s.d_decimal.clone())
        .field("e_int", s.e_int)
        .field("f_ints", s.f_ints.clone())
        .field("g_long", s.g_long)
        .field("h_name", s.h_name.clone())
        .field("i_names", s.i_names.clone())
        .field("j_nested", FieldValue::Compact(nested))
        .field("k_short", s.k_short)
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn generic_records_round_trip(rec in record()) {
        let service = SerializationService::new();
        let data = service.generic_record_to_data(&rec).unwrap();
        prop_assert_eq!(service.generic_record_from_data(&data).unwrap(), rec);
    }

    #[test]
    fn structs_round_trip_and_match_the_generic_writer(s in sorted()) {
        let service = SerializationService::new();
        let data = service.compact_to_data(&s).unwrap();
        prop_assert_eq!(service.compact_from_data::<Sorted>(&data).unwrap(), s.clone());
        // Fields declared in name order: the same bytes as the generic record.
        let generic = service.generic_record_to_data(&sorted_as_record(&s)).unwrap();
        prop_assert_eq!(data, generic);
    }

    #[test]
    fn decimals_and_times_round_trip_as_text(d in decimal(), t in timestamp_tz()) {
        prop_assert_eq!(d.to_string().parse::<Decimal>().unwrap(), d.clone());
        prop_assert_eq!(t.to_string().parse::<TimestampWithTimezone>().unwrap(), t);
        prop_assert_eq!(Decimal::new(d.unscaled_i128().unwrap(), d.scale()), d);
    }

    #[test]
    fn random_payloads_are_errors_not_panics(payload in proptest::collection::vec(any::<u8>(), 0..256), seed in record()) {
        let service = SerializationService::new();
        let valid = service.generic_record_to_data(&seed).unwrap();
        // A known schema id followed by random bytes, and entirely random bytes.
        let mut with_known_id = valid.payload()[..8].to_vec();
        with_known_id.extend_from_slice(&payload);
        for p in [with_known_id, payload.clone()] {
            let data = Data::build(-55, p.len(), |b| b.extend_from_slice(&p));
            let _ = service.generic_record_from_data(&data);
            let _ = service.compact_from_data::<Sorted>(&data);
            let _ = service.compact_from_data::<serde_json::Value>(&data);
        }
        let ids = Data::build(-2, payload.len(), |b| b.extend_from_slice(&payload));
        let _ = service.ids_from_data(&ids);
    }

    #[test]
    fn corrupted_and_truncated_records_are_errors_not_panics(
        seed in record(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let service = SerializationService::new();
        let valid = service.generic_record_to_data(&seed).unwrap();
        let mut bytes = valid.payload().to_vec();
        let truncated = bytes[..cut.index(bytes.len() + 1)].to_vec();
        // Keep the schema id so that the corruption reaches the record.
        if bytes.len() > 8 {
            for (at, v) in &flips {
                let i = 8 + at.index(bytes.len() - 8);
                bytes[i] ^= v;
            }
        }
        for p in [bytes, truncated] {
            let data = Data::build(-55, p.len(), |b| b.extend_from_slice(&p));
            let _ = service.generic_record_from_data(&data);
            let _ = service.compact_from_data::<serde_json::Value>(&data);
        }
    }
}

#[derive(Debug, Default)]
struct Greedy;

impl IdentifiedDataSerializable for Greedy {
    fn factory_id(&self) -> i32 {
        1
    }
    fn class_id(&self) -> i32 {
        1
    }
    fn write_data(&self, _out: &mut ObjectDataOutput) -> Result<(), SerializationError> {
        Ok(())
    }
    fn read_data(&mut self, input: &mut ObjectDataInput<'_>) -> Result<(), SerializationError> {
        input.read_i64_array()?;
        input.read_string_array()?;
        while input.remaining() > 0 {
            input.read_object()?;
        }
        Ok(())
    }
}

#[test]
fn lengths_beyond_the_input_are_rejected_before_allocating() {
    let service = SerializationService::builder()
        .data_serializable_factory(1, |_| -> Option<Box<dyn IdentifiedDataSerializable>> {
            Some(Box::new(Greedy))
        })
        .build();
    // An IDS whose long array claims 2^31-1 items in 4 bytes.
    let payload = [1u8, 0, 0, 0, 1, 0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff];
    let data = Data::build(-2, payload.len(), |b| b.extend_from_slice(&payload));
    assert!(matches!(
        service.ids_from_data(&data),
        Err(SerializationError::Malformed { .. })
    ));
    // Nested objects that never end.
    let mut deep = Vec::new();
    for _ in 0..200 {
        deep.extend_from_slice(&[
            1, 0, 0, 0, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ]);
        deep.extend_from_slice(&(-2i32).to_be_bytes());
    }
    let data = Data::build(-2, deep.len(), |b| b.extend_from_slice(&deep));
    assert!(matches!(
        service.ids_from_data(&data),
        Err(SerializationError::TooDeep { .. })
    ));
}

#[test]
fn records_nested_beyond_the_limit_are_rejected() {
    // A schema whose one field is a nested record of the same schema, nested 100 times.
    let mut rec = GenericRecord::builder("deep")
        .field("next", FieldValue::Compact(None))
        .build()
        .unwrap();
    for _ in 0..100 {
        rec = GenericRecord::builder("deep").field("next", rec).build().unwrap();
    }
    let service = SerializationService::new();
    let data = service.generic_record_to_data(&rec).unwrap();
    assert!(matches!(
        service.generic_record_from_data(&data),
        Err(SerializationError::TooDeep { limit: 64 })
    ));
    #[derive(Debug, Deserialize)]
    #[serde(rename = "deep")]
    #[allow(dead_code)]
    struct Deep {
        next: Option<Box<Deep>>,
    }
    assert!(matches!(
        service.compact_from_data::<Deep>(&data),
        Err(SerializationError::TooDeep { limit: 64 })
    ));
}

/// An offset table entry for a section of `data_len` bytes, as the writers choose its width.
fn offset_entry(data_len: usize, offset: usize) -> Vec<u8> {
    if data_len < 255 {
        vec![offset as u8]
    } else if data_len < 65535 {
        (offset as u16).to_be_bytes().to_vec()
    } else {
        (offset as i32).to_be_bytes().to_vec()
    }
}

/// A record whose only field is an array of records of its own schema, `levels` deep, where the
/// `n` items of each level all point at the same nested record.
fn shared_items(service: &SerializationService, levels: usize, n: i32) -> Data {
    let empty = GenericRecord::builder("bomb")
        .field("items", FieldValue::ArrayOfCompact(None))
        .build()
        .unwrap();
    let id = service.generic_record_to_data(&empty).unwrap().payload()[..8].to_vec();
    let mut level = [id.clone(), vec![0, 0, 0, 0, 0xff]].concat();
    for _ in 0..levels {
        let mut array = Vec::new();
        array.extend_from_slice(&(level.len() as i32).to_be_bytes());
        array.extend_from_slice(&n.to_be_bytes());
        array.extend_from_slice(&level);
        for _ in 0..n {
            array.extend(offset_entry(level.len(), 0));
        }
        let mut body = (array.len() as i32).to_be_bytes().to_vec();
        body.extend_from_slice(&array);
        body.extend(offset_entry(array.len(), 0));
        level = [id.clone(), body].concat();
    }
    Data::build(-55, level.len(), |b| b.extend_from_slice(&level))
}

#[test]
fn items_sharing_one_nested_record_cannot_multiply_the_work() {
    let service = SerializationService::new();
    // Small: well-formed, and read as 3 × 3 records.
    let small = service
        .generic_record_from_data(&shared_items(&service, 2, 3))
        .unwrap();
    let Some(FieldValue::ArrayOfCompact(Some(items))) = small.get("items") else {
        panic!("{small:?}");
    };
    assert_eq!(items.len(), 3);
    assert!(matches!(
        items[2].as_ref().and_then(|r| r.get("items")),
        Some(FieldValue::ArrayOfCompact(Some(inner))) if inner.len() == 3
    ));
    // 6 levels of 100 would be 10^12 records from a few kilobytes.
    let bomb = shared_items(&service, 6, 100);
    assert!(bomb.len() < 4096, "{}", bomb.len());
    let budget = "more values than the data can hold";
    assert!(matches!(
        service.generic_record_from_data(&bomb),
        Err(SerializationError::Malformed { reason }) if reason == budget
    ));
    assert!(matches!(
        service.compact_from_data::<serde_json::Value>(&bomb),
        Err(SerializationError::Malformed { reason }) if reason == budget
    ));
}
