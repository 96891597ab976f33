//! The samples of the Java probe, as generic records and as structs.

use hazelcast_serialization::{
    Date, Decimal, FieldValue, GenericRecord, Time, Timestamp, TimestampWithTimezone,
};
use serde::{Deserialize, Serialize};

pub(crate) fn ldt(hour: u8) -> Timestamp {
    Timestamp::new(
        Date::new(2024, 2, 29).unwrap(),
        Time::new(hour, 30, 0, 123_000_000).unwrap(),
    )
}

pub(crate) fn inner(label: &str) -> GenericRecord {
    GenericRecord::builder("test.Inner")
        .field("label", label)
        .field("weight", 1.5f64)
        .build()
        .unwrap()
}

pub(crate) fn offsets(a: String, b: &str, c: Option<&str>) -> GenericRecord {
    GenericRecord::builder("test.Offsets")
        .field("a", a)
        .field("b", b)
        .field("c", c.map(str::to_owned))
        .build()
        .unwrap()
}

/// The Rust generic records of the Java samples, by name.
pub(crate) fn rust_samples() -> Vec<(&'static str, GenericRecord)> {
    let mut fixed = GenericRecord::builder("test.Fixed");
    for i in 0..10 {
        fixed = fixed.field(format!("b{i}"), i % 3 == 0);
    }
    let fixed = fixed
        .field("i8", -8i8)
        .field("i16", -1600i16)
        .field("i32", 32_000_000i32)
        .field("i64", -64_000_000_000i64)
        .field("f32", 3.25f32)
        .field("f64", -6.5e100f64)
        .build()
        .unwrap();
    use FieldValue as V;
    let all = GenericRecord::builder("test.All")
        .field("boolean", true)
        .field("int8", -8i8)
        .field("int16", -1600i16)
        .field("int32", 32_000_000i32)
        .field("int64", -64_000_000_000i64)
        .field("float32", 3.25f32)
        .field("float64", -6.5e100f64)
        .field("string", "héllo ✓")
        .field(
            "decimal",
            "-12345678901234567890.0042".parse::<Decimal>().unwrap(),
        )
        .field("time", Time::new(23, 59, 58, 999_999_999).unwrap())
        .field("date", Date::new(-44, 3, 15).unwrap())
        .field("timestamp", ldt(1))
        .field("timestampTz", TimestampWithTimezone::new(ldt(2), -18000).unwrap())
        .field("compact", inner("in"))
        .field("nullString", V::String(None))
        .field("nullDecimal", V::Decimal(None))
        .field("nullTime", V::Time(None))
        .field("nullDate", V::Date(None))
        .field("nullTimestamp", V::Timestamp(None))
        .field("nullTimestampTz", V::TimestampWithTimezone(None))
        .field("nullCompact", V::Compact(None))
        .field("nullableBoolean", Some(false))
        .field("nullableInt8", None::<i8>)
        .field("nullableInt16", Some(7i16))
        .field("nullableInt32", None::<i32>)
        .field("nullableInt64", Some(-1i64))
        .field("nullableFloat32", None::<f32>)
        .field("nullableFloat64", Some(2.0f64))
        .field(
            "booleans",
            vec![true, false, true, true, false, false, true, false, true],
        )
        .field("int8s", vec![0i8, 1, -1])
        .field("int16s", vec![1i16, -2])
        .field("int32s", vec![1i32, 2, 3])
        .field("int64s", vec![i64::MIN, i64::MAX])
        .field("float32s", vec![0.5f32])
        .field("float64s", Vec::<f64>::new())
        .field("strings", vec![Some("a".to_owned()), Some(String::new()), None])
        .field(
            "decimals",
            vec![Some(Decimal::new(1, 0)), Some(Decimal::new(-5, 3)), None],
        )
        .field("times", vec![Time::new(0, 0, 0, 0).unwrap()])
        .field("dates", vec![Some(Date::new(2000, 1, 1).unwrap()), None])
        .field("timestamps", vec![ldt(3)])
        .field(
            "timestampTzs",
            vec![TimestampWithTimezone::new(ldt(4), 3600).unwrap()],
        )
        .field("compacts", vec![Some(inner("x")), None, Some(inner("y"))])
        .field("nullableBooleans", vec![Some(true), None, Some(false)])
        .field("nullableInt8s", vec![Some(1i8), None])
        .field("nullableInt16s", vec![None::<i16>])
        .field("nullableInt32s", vec![None, Some(4i32)])
        .field("nullableInt64s", vec![Some(5i64)])
        .field("nullableFloat32s", vec![Some(1.5f32), None])
        .field("nullableFloat64s", vec![Some(1.0f64), None])
        .field("nullArray", V::ArrayOfInt32(None))
        .field("nullCompacts", V::ArrayOfCompact(None))
        .build()
        .unwrap();
    let nested = GenericRecord::builder("test.Outer")
        .field("name", "outer")
        .field("inner", inner("a"))
        .field("inners", vec![Some(inner("b")), None])
        .field(
            "deep",
            GenericRecord::builder("test.Deep")
                .field("inner", inner("c"))
                .field("level", 2i32)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let array = |items: Vec<Option<String>>| {
        GenericRecord::builder("test.OffsetArray")
            .field("items", items)
            .build()
            .unwrap()
    };
    vec![
        ("fixed", fixed),
        ("all", all),
        ("nested", nested),
        ("offsets-short", offsets("x".repeat(300), &"y".repeat(10), None)),
        ("offsets-int", offsets("z".repeat(70_000), "w", Some("vvv"))),
        (
            "offsets-array-short",
            array(vec![Some("p".repeat(200)), None, Some("q".repeat(100))]),
        ),
        (
            "offsets-array-int",
            array(vec![Some("r".repeat(70_000)), Some("s".into())]),
        ),
        ("empty", GenericRecord::builder("test.Empty").build().unwrap()),
        (
            "unicode",
            GenericRecord::builder("test.Unicode")
                .field("\u{FF21}", 1i32)
                .field("\u{1D4B3}", 2i32)
                .field("é", 3i32)
                .field("a", 4i32)
                .field("été", "summer")
                .build()
                .unwrap(),
        ),
        (
            "person-v1",
            GenericRecord::builder("test.Person")
                .field("name", "Bob")
                .field("age", 7i32)
                .build()
                .unwrap(),
        ),
        (
            "person-v2",
            GenericRecord::builder("test.Person")
                .field("name", "Ada")
                .field("age", 36i32)
                .field("email", "ada@example.com")
                .build()
                .unwrap(),
        ),
    ]
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Fixed")]
pub(crate) struct Fixed {
    pub(crate) b0: bool,
    pub(crate) b1: bool,
    pub(crate) b2: bool,
    pub(crate) b3: bool,
    pub(crate) b4: bool,
    pub(crate) b5: bool,
    pub(crate) b6: bool,
    pub(crate) b7: bool,
    pub(crate) b8: bool,
    pub(crate) b9: bool,
    pub(crate) i8: i8,
    pub(crate) i16: i16,
    pub(crate) i32: i32,
    pub(crate) i64: i64,
    pub(crate) f32: f32,
    pub(crate) f64: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Inner")]
pub(crate) struct Inner {
    pub(crate) label: String,
    pub(crate) weight: f64,
}

pub(crate) fn inner_struct(label: &str) -> Inner {
    Inner {
        label: label.into(),
        weight: 1.5,
    }
}

/// The "all" sample as a struct, fields in the order Java's builder sets them (not name order).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.All", rename_all = "camelCase")]
pub(crate) struct All {
    pub(crate) boolean: bool,
    pub(crate) int8: i8,
    pub(crate) int16: i16,
    pub(crate) int32: i32,
    pub(crate) int64: i64,
    pub(crate) float32: f32,
    pub(crate) float64: f64,
    pub(crate) string: String,
    pub(crate) decimal: Decimal,
    pub(crate) time: Time,
    pub(crate) date: Date,
    pub(crate) timestamp: Timestamp,
    pub(crate) timestamp_tz: TimestampWithTimezone,
    pub(crate) compact: Inner,
    pub(crate) null_string: Option<String>,
    pub(crate) null_decimal: Option<Decimal>,
    pub(crate) null_time: Option<Time>,
    pub(crate) null_date: Option<Date>,
    pub(crate) null_timestamp: Option<Timestamp>,
    pub(crate) null_timestamp_tz: Option<TimestampWithTimezone>,
    pub(crate) null_compact: Option<Inner>,
    pub(crate) nullable_boolean: Option<bool>,
    pub(crate) nullable_int8: Option<i8>,
    pub(crate) nullable_int16: Option<i16>,
    pub(crate) nullable_int32: Option<i32>,
    pub(crate) nullable_int64: Option<i64>,
    pub(crate) nullable_float32: Option<f32>,
    pub(crate) nullable_float64: Option<f64>,
    pub(crate) booleans: Vec<bool>,
    pub(crate) int8s: Vec<i8>,
    pub(crate) int16s: Vec<i16>,
    pub(crate) int32s: Vec<i32>,
    pub(crate) int64s: Vec<i64>,
    pub(crate) float32s: Vec<f32>,
    pub(crate) float64s: Vec<f64>,
    pub(crate) strings: Vec<Option<String>>,
    pub(crate) decimals: Vec<Option<Decimal>>,
    pub(crate) times: Vec<Time>,
    pub(crate) dates: Vec<Option<Date>>,
    pub(crate) timestamps: Vec<Timestamp>,
    pub(crate) timestamp_tzs: Vec<TimestampWithTimezone>,
    pub(crate) compacts: Vec<Option<Inner>>,
    pub(crate) nullable_booleans: Vec<Option<bool>>,
    pub(crate) nullable_int8s: Vec<Option<i8>>,
    pub(crate) nullable_int16s: Vec<Option<i16>>,
    pub(crate) nullable_int32s: Vec<Option<i32>>,
    pub(crate) nullable_int64s: Vec<Option<i64>>,
    pub(crate) nullable_float32s: Vec<Option<f32>>,
    pub(crate) nullable_float64s: Vec<Option<f64>>,
    pub(crate) null_array: Option<Vec<i32>>,
    pub(crate) null_compacts: Option<Vec<Option<Inner>>>,
}

pub(crate) fn all_struct() -> All {
    All {
        boolean: true,
        int8: -8,
        int16: -1600,
        int32: 32_000_000,
        int64: -64_000_000_000,
        float32: 3.25,
        float64: -6.5e100,
        string: "héllo ✓".into(),
        decimal: "-12345678901234567890.0042".parse().unwrap(),
        time: Time::new(23, 59, 58, 999_999_999).unwrap(),
        date: Date::new(-44, 3, 15).unwrap(),
        timestamp: ldt(1),
        timestamp_tz: TimestampWithTimezone::new(ldt(2), -18000).unwrap(),
        compact: inner_struct("in"),
        null_string: None,
        null_decimal: None,
        null_time: None,
        null_date: None,
        null_timestamp: None,
        null_timestamp_tz: None,
        null_compact: None,
        nullable_boolean: Some(false),
        nullable_int8: None,
        nullable_int16: Some(7),
        nullable_int32: None,
        nullable_int64: Some(-1),
        nullable_float32: None,
        nullable_float64: Some(2.0),
        booleans: vec![true, false, true, true, false, false, true, false, true],
        int8s: vec![0, 1, -1],
        int16s: vec![1, -2],
        int32s: vec![1, 2, 3],
        int64s: vec![i64::MIN, i64::MAX],
        float32s: vec![0.5],
        float64s: vec![],
        strings: vec![Some("a".into()), Some(String::new()), None],
        decimals: vec![Some(Decimal::new(1, 0)), Some(Decimal::new(-5, 3)), None],
        times: vec![Time::new(0, 0, 0, 0).unwrap()],
        dates: vec![Some(Date::new(2000, 1, 1).unwrap()), None],
        timestamps: vec![ldt(3)],
        timestamp_tzs: vec![TimestampWithTimezone::new(ldt(4), 3600).unwrap()],
        compacts: vec![Some(inner_struct("x")), None, Some(inner_struct("y"))],
        nullable_booleans: vec![Some(true), None, Some(false)],
        nullable_int8s: vec![Some(1), None],
        nullable_int16s: vec![None],
        nullable_int32s: vec![None, Some(4)],
        nullable_int64s: vec![Some(5)],
        nullable_float32s: vec![Some(1.5), None],
        nullable_float64s: vec![Some(1.0), None],
        null_array: None,
        null_compacts: None,
    }
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Deep")]
pub(crate) struct Deep {
    pub(crate) inner: Inner,
    pub(crate) level: i32,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Outer")]
pub(crate) struct Outer {
    pub(crate) name: String,
    pub(crate) inner: Inner,
    pub(crate) inners: Vec<Option<Inner>>,
    pub(crate) deep: Deep,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Offsets")]
pub(crate) struct Offsets {
    pub(crate) c: Option<String>,
    pub(crate) b: String,
    pub(crate) a: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Unicode")]
pub(crate) struct Unicode {
    #[serde(rename = "été")]
    pub(crate) ete: String,
    #[serde(rename = "\u{FF21}")]
    pub(crate) fullwidth: i32,
    #[serde(rename = "\u{1D4B3}")]
    pub(crate) script: i32,
    #[serde(rename = "é")]
    pub(crate) e: i32,
    pub(crate) a: i32,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Person")]
pub(crate) struct PersonV1 {
    pub(crate) name: String,
    pub(crate) age: i32,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Evolving")]
pub(crate) struct EvolvingV1 {
    pub(crate) name: String,
    pub(crate) age: i32,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Empty")]
pub(crate) struct Empty {}
