//! Compact from serde: round trips, the kinds each Rust type maps to, generic records, recursion,
//! aliases and the typed errors of unsupported types.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic on purpose too

use hazelcast_serialization::{
    Date, Decimal, FieldKind, FieldValue, GenericRecord, SerializationError, SerializationService, Time,
    Timestamp, TimestampWithTimezone, Unsupported,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Color {
    Red,
    Green,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Inner")]
struct Inner {
    label: String,
    weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Everything")]
struct Everything {
    flag: bool,
    tiny: i8,
    byte: u8,
    short: i16,
    int: i32,
    long: i64,
    float: f32,
    double: f64,
    text: String,
    decimal: Decimal,
    time: Time,
    date: Date,
    timestamp: Timestamp,
    timestamp_tz: TimestampWithTimezone,
    inner: Inner,
    color: Color,
    flags: Vec<bool>,
    bytes: Vec<u8>,
    shorts: Vec<i16>,
    ints: [i32; 3],
    longs: Vec<i64>,
    floats: Vec<f32>,
    doubles: Vec<f64>,
    texts: Vec<String>,
    decimals: Vec<Decimal>,
    times: Vec<Time>,
    dates: Vec<Date>,
    timestamps: Vec<Timestamp>,
    timestamps_tz: Vec<TimestampWithTimezone>,
    inners: Vec<Inner>,
    maybe_flag: Option<bool>,
    maybe_tiny: Option<i8>,
    maybe_short: Option<i16>,
    maybe_int: Option<i32>,
    maybe_long: Option<i64>,
    maybe_float: Option<f32>,
    maybe_double: Option<f64>,
    maybe_text: Option<String>,
    maybe_inner: Option<Inner>,
    maybe_ints: Option<Vec<i32>>,
    sparse_flags: Vec<Option<bool>>,
    sparse_ints: Vec<Option<i32>>,
    sparse_texts: Vec<Option<String>>,
    sparse_inners: Vec<Option<Inner>>,
    sparse_doubles: Option<Vec<Option<f64>>>,
}

fn ts(h: u8) -> Timestamp {
    Timestamp::new(
        Date::new(2024, 2, 29).unwrap(),
        Time::new(h, 30, 0, 123_000_000).unwrap(),
    )
}

fn inner(label: &str) -> Inner {
    Inner {
        label: label.into(),
        weight: 1.5,
    }
}

fn everything() -> Everything {
    Everything {
        flag: true,
        tiny: -8,
        byte: 200,
        short: -1600,
        int: 32_000_000,
        long: -64_000_000_000,
        float: 3.25,
        double: -6.5e100,
        text: "héllo ✓".into(),
        decimal: "-12345678901234567890.0042".parse().unwrap(),
        time: Time::new(23, 59, 58, 999_999_999).unwrap(),
        date: Date::new(-44, 3, 15).unwrap(),
        timestamp: ts(1),
        timestamp_tz: TimestampWithTimezone::new(ts(2), -5 * 3600).unwrap(),
        inner: inner("in"),
        color: Color::Green,
        flags: vec![true, false, true, true, false, false, true, false, true],
        bytes: vec![0, 1, 255],
        shorts: vec![1, -2],
        ints: [1, 2, 3],
        longs: vec![i64::MIN, i64::MAX],
        floats: vec![0.5],
        doubles: vec![],
        texts: vec!["a".into(), String::new()],
        decimals: vec![Decimal::new(1, 0), Decimal::new(-5, 3)],
        times: vec![Time::new(0, 0, 0, 0).unwrap()],
        dates: vec![Date::new(2000, 1, 1).unwrap()],
        timestamps: vec![ts(3)],
        timestamps_tz: vec![TimestampWithTimezone::new(ts(4), 3600).unwrap()],
        inners: vec![inner("x"), inner("y")],
        maybe_flag: Some(false),
        maybe_tiny: None,
        maybe_short: Some(7),
        maybe_int: None,
        maybe_long: Some(-1),
        maybe_float: None,
        maybe_double: Some(2.0),
        maybe_text: None,
        maybe_inner: Some(inner("maybe")),
        maybe_ints: None,
        sparse_flags: vec![Some(true), None, Some(false)],
        sparse_ints: vec![None, Some(4)],
        sparse_texts: vec![Some("s".into()), None],
        sparse_inners: vec![None, Some(inner("z"))],
        sparse_doubles: Some(vec![Some(1.0), None]),
    }
}

#[test]
fn every_kind_round_trips() {
    let service = SerializationService::new();
    let value = everything();
    let data = service.compact_to_data(&value).unwrap();
    assert_eq!(data.type_id(), -55);
    let back: Everything = service.compact_from_data(&data).unwrap();
    assert_eq!(back, value);
}

#[test]
fn rust_types_map_to_the_documented_kinds() {
    let service = SerializationService::new();
    let schema = service.schema_of::<Everything>().unwrap();
    assert_eq!(schema.type_name(), "test.Everything");
    let kind = |name: &str| schema.field(name).unwrap().kind();
    use FieldKind as K;
    for (field, expected) in [
        ("flag", K::Boolean),
        ("tiny", K::Int8),
        ("byte", K::Int8),
        ("short", K::Int16),
        ("int", K::Int32),
        ("long", K::Int64),
        ("float", K::Float32),
        ("double", K::Float64),
        ("text", K::String),
        ("decimal", K::Decimal),
        ("time", K::Time),
        ("date", K::Date),
        ("timestamp", K::Timestamp),
        ("timestamp_tz", K::TimestampWithTimezone),
        ("inner", K::Compact),
        ("color", K::String),
        ("flags", K::ArrayOfBoolean),
        ("bytes", K::ArrayOfInt8),
        ("shorts", K::ArrayOfInt16),
        ("ints", K::ArrayOfInt32),
        ("longs", K::ArrayOfInt64),
        ("floats", K::ArrayOfFloat32),
        ("doubles", K::ArrayOfFloat64),
        ("texts", K::ArrayOfString),
        ("decimals", K::ArrayOfDecimal),
        ("times", K::ArrayOfTime),
        ("dates", K::ArrayOfDate),
        ("timestamps", K::ArrayOfTimestamp),
        ("timestamps_tz", K::ArrayOfTimestampWithTimezone),
        ("inners", K::ArrayOfCompact),
        ("maybe_flag", K::NullableBoolean),
        ("maybe_tiny", K::NullableInt8),
        ("maybe_short", K::NullableInt16),
        ("maybe_int", K::NullableInt32),
        ("maybe_long", K::NullableInt64),
        ("maybe_float", K::NullableFloat32),
        ("maybe_double", K::NullableFloat64),
        ("maybe_text", K::String),
        ("maybe_inner", K::Compact),
        ("maybe_ints", K::ArrayOfInt32),
        ("sparse_flags", K::ArrayOfNullableBoolean),
        ("sparse_ints", K::ArrayOfNullableInt32),
        ("sparse_texts", K::ArrayOfString),
        ("sparse_inners", K::ArrayOfCompact),
        ("sparse_doubles", K::ArrayOfNullableFloat64),
    ] {
        assert_eq!(kind(field), expected, "{field}");
    }
    assert_eq!(schema.fields().len(), 45);
}

#[test]
fn a_struct_reads_as_a_generic_record_with_the_same_values() {
    let service = SerializationService::new();
    let value = everything();
    let data = service.compact_to_data(&value).unwrap();
    let record = service.generic_record_from_data(&data).unwrap();
    assert_eq!(record.type_name(), "test.Everything");
    assert_eq!(record.get("byte"), Some(&FieldValue::Int8(-56)));
    assert_eq!(record.get("maybe_int"), Some(&FieldValue::NullableInt32(None)));
    assert_eq!(
        record.get("color"),
        Some(&FieldValue::String(Some("Green".into())))
    );
    assert_eq!(
        record.get("sparse_ints"),
        Some(&FieldValue::ArrayOfNullableInt32(Some(vec![None, Some(4)])))
    );
    match record.get("inners") {
        Some(FieldValue::ArrayOfCompact(Some(items))) => {
            assert_eq!(items.len(), 2);
            let first = items[0].as_ref().unwrap();
            assert_eq!(first.type_name(), "test.Inner");
            assert_eq!(first.get("label"), Some(&FieldValue::String(Some("x".into()))));
        }
        other => panic!("{other:?}"),
    }
    // Written back as a generic record, it reads into the struct again.
    let again = service.generic_record_to_data(&record).unwrap();
    assert_eq!(service.compact_from_data::<Everything>(&again).unwrap(), value);
    assert_eq!(service.generic_record_from_data(&again).unwrap(), record);
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Alphabetical")]
struct Alphabetical {
    age: i32,
    city: Option<String>,
    name: String,
    tags: Vec<String>,
}

#[test]
fn a_struct_in_name_order_writes_the_bytes_of_the_generic_record() {
    let service = SerializationService::new();
    let value = Alphabetical {
        age: 36,
        city: None,
        name: "Ada".into(),
        tags: vec!["x".into()],
    };
    let from_struct = service.compact_to_data(&value).unwrap();
    let record = GenericRecord::builder("test.Alphabetical")
        .field("name", "Ada")
        .field("tags", vec!["x".to_owned()])
        .field("age", 36i32)
        .field("city", FieldValue::String(None))
        .build()
        .unwrap();
    let from_record = service.generic_record_to_data(&record).unwrap();
    assert_eq!(from_struct, from_record);
    assert_eq!(
        service.schema_of::<Alphabetical>().unwrap().id(),
        record.schema().id()
    );
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Node")]
struct Node {
    value: i32,
    next: Option<Box<Node>>,
    children: Vec<Node>,
}

#[test]
fn recursive_types_have_one_schema() {
    let service = SerializationService::new();
    let schema = service.schema_of::<Node>().unwrap();
    assert_eq!(schema.field("next").unwrap().kind(), FieldKind::Compact);
    assert_eq!(
        schema.field("children").unwrap().kind(),
        FieldKind::ArrayOfCompact
    );
    let tree = Node {
        value: 1,
        next: Some(Box::new(Node {
            value: 2,
            next: None,
            children: vec![],
        })),
        children: vec![Node {
            value: 3,
            next: None,
            children: vec![],
        }],
    };
    let data = service.compact_to_data(&tree).unwrap();
    assert_eq!(service.compact_from_data::<Node>(&data).unwrap(), tree);
    assert_eq!(service.schemas().len(), 1);
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Aliased", rename_all = "camelCase")]
struct Aliased {
    #[serde(alias = "aFullName", alias = "zName")]
    full_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    nick: Option<String>,
}

#[test]
fn renames_aliases_and_skipped_options() {
    let service = SerializationService::new();
    let schema = service.schema_of::<Aliased>().unwrap();
    let names: Vec<_> = schema.fields().iter().map(|f| f.name()).collect();
    assert_eq!(names, ["fullName", "nick"]);
    let value = Aliased {
        full_name: "Ada".into(),
        nick: None,
    };
    let data = service.compact_to_data(&value).unwrap();
    assert_eq!(service.compact_from_data::<Aliased>(&data).unwrap(), value);
    // A record that names the field by its alias reads too.
    let by_alias = GenericRecord::builder("test.Aliased")
        .field("zName", "Bob")
        .build()
        .unwrap();
    let data = service.generic_record_to_data(&by_alias).unwrap();
    assert_eq!(
        service.compact_from_data::<Aliased>(&data).unwrap().full_name,
        "Bob"
    );
}

#[derive(Debug, Serialize, Deserialize)]
struct WithUnsigned {
    id: u32,
}

#[derive(Debug, Serialize, Deserialize)]
struct WithMap {
    entries: std::collections::HashMap<String, i32>,
}

#[test]
fn types_without_a_compact_form_are_typed_errors() {
    let service = SerializationService::new();
    match service.compact_to_data(&WithUnsigned { id: 1 }) {
        Err(SerializationError::Unsupported { path, what }) => {
            assert_eq!(path, "WithUnsigned.id");
            assert_eq!(what, Unsupported::Unsigned);
        }
        other => panic!("{other:?}"),
    }
    match service.compact_to_data(&WithMap {
        entries: Default::default(),
    }) {
        Err(SerializationError::Unsupported { what, .. }) => assert_eq!(what, Unsupported::Map),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        service.schema_of::<i32>(),
        Err(SerializationError::Unsupported {
            what: Unsupported::NotAStruct,
            ..
        })
    ));
}

#[test]
fn an_unknown_schema_is_reported_and_read_once_added() {
    let writer = SerializationService::new();
    let data = writer.compact_to_data(&everything()).unwrap();
    let reader = SerializationService::new();
    let mut fetched = 0;
    let value = loop {
        match reader.compact_from_data::<Everything>(&data) {
            Ok(v) => break v,
            Err(e) => {
                let id = e.unknown_schema_id().expect("only unknown schemas fail");
                let schema = writer.schemas().get(id).unwrap();
                reader
                    .schemas()
                    .insert_from_cluster(id, (*schema).clone())
                    .unwrap();
                fetched += 1;
            }
        }
    };
    assert_eq!(value, everything());
    assert_eq!(fetched, 2, "the outer and the nested schema");
    assert!(!reader.schemas().has_unreplicated());
}

#[test]
fn any_record_reads_as_self_describing_serde_values() {
    let service = SerializationService::new();
    let data = service.compact_to_data(&everything()).unwrap();
    let json: serde_json::Value = service.compact_from_data(&data).unwrap();
    assert_eq!(json["text"], "héllo ✓");
    assert_eq!(json["inner"]["label"], "in");
    assert_eq!(json["maybe_int"], serde_json::Value::Null);
    assert_eq!(json["date"], "-0044-03-15");
    assert_eq!(json["decimal"], "-12345678901234567890.0042");
    assert_eq!(json["sparse_ints"], serde_json::json!([null, 4]));
}

#[test]
fn value_types_are_strings_in_json() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct V {
        d: Decimal,
        t: TimestampWithTimezone,
    }
    let v = V {
        d: "1.50".parse().unwrap(),
        t: "2024-02-29T13:45:30.25+05:30".parse().unwrap(),
    };
    let text = serde_json::to_string(&v).unwrap();
    assert_eq!(text, r#"{"d":"1.50","t":"2024-02-29T13:45:30.25+05:30"}"#);
    assert_eq!(serde_json::from_str::<V>(&text).unwrap(), v);
}

#[test]
fn the_schemas_a_record_needs() {
    let service = SerializationService::new();
    let data = service.compact_to_data(&everything()).unwrap();
    let needed: Vec<_> = service
        .schemas_in(&data)
        .unwrap()
        .iter()
        .map(|s| s.type_name().to_owned())
        .collect();
    assert_eq!(needed, ["test.Everything", "test.Inner"]);
    let registry = service.schemas();
    assert!(needed.len() == registry.unreplicated().len());
    for s in service.schemas_in(&data).unwrap() {
        assert!(!registry.is_replicated(s.id()));
        registry.mark_replicated(s.id());
        assert!(registry.is_replicated(s.id()));
    }
    assert!(!registry.has_unreplicated());
    // A reader that lacks them learns which one is missing first.
    let other = SerializationService::new();
    assert!(matches!(
        other.schemas_in(&data),
        Err(SerializationError::UnknownSchema { schema_id }) if schema_id == service.schema_of::<Everything>().unwrap().id()
    ));
}
