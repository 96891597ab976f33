//! Byte-exact cross-checks against the official Java serialization (the member jar the test kit
//! fetches, through `it.hz.SerializationProbe`; no cluster): Java's bytes for each sample equal
//! this crate's bytes for the same record, this crate reads Java's records into structs and
//! generic records, and Java reads and checks every field of the records this crate writes.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic on purpose too

use std::collections::HashMap;
use std::sync::OnceLock;

use hazelcast_serialization::{
    Date, Decimal, FieldValue, GenericRecord, IdentifiedDataSerializable, Json, ObjectDataInput,
    ObjectDataOutput, ObjectValue, SerializationError, SerializationService, Time, Timestamp,
    TimestampWithTimezone,
};
use hazelcast_testkit::JavaSerializationProbe;
use serde::{Deserialize, Serialize};

fn probe() -> &'static JavaSerializationProbe {
    static PROBE: OnceLock<JavaSerializationProbe> = OnceLock::new();
    PROBE.get_or_init(|| JavaSerializationProbe::new().expect("the Java serialization probe"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// Java's samples: name → (schema id, Data bytes).
fn java_samples() -> &'static HashMap<String, (i64, Vec<u8>)> {
    static SAMPLES: OnceLock<HashMap<String, (i64, Vec<u8>)>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let out = probe().write_samples().unwrap();
        out.lines()
            .map(|l| {
                let mut parts = l.split(' ');
                let name = parts.next().unwrap().to_owned();
                let id: i64 = parts.next().unwrap().parse().unwrap();
                (name, (id, unhex(parts.next().unwrap())))
            })
            .collect()
    })
}

fn java_data(name: &str) -> hazelcast_codec::Data {
    let bytes = &java_samples()
        .get(name)
        .unwrap_or_else(|| panic!("no Java sample {name}"))
        .1;
    hazelcast_codec::Data::from_bytes(bytes.clone().into()).unwrap()
}

fn ldt(hour: u8) -> Timestamp {
    Timestamp::new(
        Date::new(2024, 2, 29).unwrap(),
        Time::new(hour, 30, 0, 123_000_000).unwrap(),
    )
}

fn inner(label: &str) -> GenericRecord {
    GenericRecord::builder("test.Inner")
        .field("label", label)
        .field("weight", 1.5f64)
        .build()
        .unwrap()
}

fn offsets(a: String, b: &str, c: Option<&str>) -> GenericRecord {
    GenericRecord::builder("test.Offsets")
        .field("a", a)
        .field("b", b)
        .field("c", c.map(str::to_owned))
        .build()
        .unwrap()
}

/// The Rust generic records of the Java samples, by name.
fn rust_samples() -> Vec<(&'static str, GenericRecord)> {
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
struct Fixed {
    b0: bool,
    b1: bool,
    b2: bool,
    b3: bool,
    b4: bool,
    b5: bool,
    b6: bool,
    b7: bool,
    b8: bool,
    b9: bool,
    i8: i8,
    i16: i16,
    i32: i32,
    i64: i64,
    f32: f32,
    f64: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Inner")]
struct Inner {
    label: String,
    weight: f64,
}

fn inner_struct(label: &str) -> Inner {
    Inner {
        label: label.into(),
        weight: 1.5,
    }
}

/// The "all" sample as a struct, fields in the order Java's builder sets them (not name order).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.All", rename_all = "camelCase")]
struct All {
    boolean: bool,
    int8: i8,
    int16: i16,
    int32: i32,
    int64: i64,
    float32: f32,
    float64: f64,
    string: String,
    decimal: Decimal,
    time: Time,
    date: Date,
    timestamp: Timestamp,
    timestamp_tz: TimestampWithTimezone,
    compact: Inner,
    null_string: Option<String>,
    null_decimal: Option<Decimal>,
    null_time: Option<Time>,
    null_date: Option<Date>,
    null_timestamp: Option<Timestamp>,
    null_timestamp_tz: Option<TimestampWithTimezone>,
    null_compact: Option<Inner>,
    nullable_boolean: Option<bool>,
    nullable_int8: Option<i8>,
    nullable_int16: Option<i16>,
    nullable_int32: Option<i32>,
    nullable_int64: Option<i64>,
    nullable_float32: Option<f32>,
    nullable_float64: Option<f64>,
    booleans: Vec<bool>,
    int8s: Vec<i8>,
    int16s: Vec<i16>,
    int32s: Vec<i32>,
    int64s: Vec<i64>,
    float32s: Vec<f32>,
    float64s: Vec<f64>,
    strings: Vec<Option<String>>,
    decimals: Vec<Option<Decimal>>,
    times: Vec<Time>,
    dates: Vec<Option<Date>>,
    timestamps: Vec<Timestamp>,
    timestamp_tzs: Vec<TimestampWithTimezone>,
    compacts: Vec<Option<Inner>>,
    nullable_booleans: Vec<Option<bool>>,
    nullable_int8s: Vec<Option<i8>>,
    nullable_int16s: Vec<Option<i16>>,
    nullable_int32s: Vec<Option<i32>>,
    nullable_int64s: Vec<Option<i64>>,
    nullable_float32s: Vec<Option<f32>>,
    nullable_float64s: Vec<Option<f64>>,
    null_array: Option<Vec<i32>>,
    null_compacts: Option<Vec<Option<Inner>>>,
}

fn all_struct() -> All {
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
struct Deep {
    inner: Inner,
    level: i32,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Outer")]
struct Outer {
    name: String,
    inner: Inner,
    inners: Vec<Option<Inner>>,
    deep: Deep,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Offsets")]
struct Offsets {
    c: Option<String>,
    b: String,
    a: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Unicode")]
struct Unicode {
    #[serde(rename = "été")]
    ete: String,
    #[serde(rename = "\u{FF21}")]
    fullwidth: i32,
    #[serde(rename = "\u{1D4B3}")]
    script: i32,
    #[serde(rename = "é")]
    e: i32,
    a: i32,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Person")]
struct PersonV1 {
    name: String,
    age: i32,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Evolving")]
struct EvolvingV1 {
    name: String,
    age: i32,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Empty")]
struct Empty {}

/// A service that knows the schemas of every sample (as a client that wrote them, or fetched
/// them from the cluster).
fn service() -> SerializationService {
    let service = SerializationService::builder()
        .data_serializable_factory(
            IDS_FACTORY,
            |class_id| -> Option<Box<dyn IdentifiedDataSerializable>> {
                match class_id {
                    7 => Some(Box::<Sample>::default()),
                    8 => Some(Box::<Leaf>::default()),
                    _ => None,
                }
            },
        )
        .build();
    for (_, record) in rust_samples() {
        service.generic_record_to_data(&record).unwrap();
    }
    service
}

#[test]
fn java_writes_the_bytes_this_crate_writes() {
    let service = service();
    for (name, record) in rust_samples() {
        let (java_id, java_bytes) = java_samples()
            .get(name)
            .unwrap_or_else(|| panic!("no Java sample {name}"));
        let ours = service.generic_record_to_data(&record).unwrap();
        assert_eq!(record.schema().id(), *java_id, "schema id of {name}");
        assert_eq!(
            hex(ours.as_bytes()),
            hex(java_bytes),
            "bytes of {name} (ours first, Java second)"
        );
        assert_eq!(
            &java_bytes[8..16],
            &java_id.to_be_bytes(),
            "{name}: the schema id follows the header"
        );
    }
    // Records written from structs whose fields are in name order are the same bytes too.
    let fixed = java_data("fixed");
    let back: Fixed = service.compact_from_data(&fixed).unwrap();
    assert_eq!(service.compact_to_data(&back).unwrap(), fixed);
}

#[test]
fn java_records_read_as_generic_records() {
    let service = service();
    for (name, record) in rust_samples() {
        let read = service.generic_record_from_data(&java_data(name)).unwrap();
        assert_eq!(read, record, "{name}");
    }
}

#[test]
fn java_records_read_into_structs() {
    let service = service();
    assert_eq!(
        service.compact_from_data::<All>(&java_data("all")).unwrap(),
        all_struct()
    );
    let fixed: Fixed = service.compact_from_data(&java_data("fixed")).unwrap();
    assert_eq!(
        (fixed.b0, fixed.b1, fixed.b3, fixed.b9, fixed.i64, fixed.f64),
        (true, false, true, true, -64_000_000_000, -6.5e100)
    );
    let outer: Outer = service.compact_from_data(&java_data("nested")).unwrap();
    assert_eq!(
        outer,
        Outer {
            name: "outer".into(),
            inner: inner_struct("a"),
            inners: vec![Some(inner_struct("b")), None],
            deep: Deep {
                inner: inner_struct("c"),
                level: 2
            },
        }
    );
    let big: Offsets = service.compact_from_data(&java_data("offsets-int")).unwrap();
    assert_eq!(
        (big.a.len(), big.b.as_str(), big.c.as_deref()),
        (70_000, "w", Some("vvv"))
    );
    let unicode: Unicode = service.compact_from_data(&java_data("unicode")).unwrap();
    assert_eq!(
        unicode,
        Unicode {
            ete: "summer".into(),
            fullwidth: 1,
            script: 2,
            e: 3,
            a: 4
        }
    );
    let _: Empty = service.compact_from_data(&java_data("empty")).unwrap();
}

#[test]
fn evolution_across_clients() {
    let service = service();
    // Java wrote more fields than the Rust struct declares.
    assert_eq!(
        service
            .compact_from_data::<PersonV1>(&java_data("person-v2"))
            .unwrap(),
        PersonV1 {
            name: "Ada".into(),
            age: 36
        }
    );
    let evolving = java_data("evolving-v2");
    // The schema of Java's class: fetched from the cluster in real use.
    let schema = hazelcast_serialization::Schema::new(
        "test.Evolving",
        [
            ("name", hazelcast_serialization::FieldKind::String),
            ("age", hazelcast_serialization::FieldKind::Int32),
            ("email", hazelcast_serialization::FieldKind::String),
        ],
    )
    .unwrap();
    service
        .schemas()
        .insert_from_cluster(schema.id(), schema)
        .unwrap();
    assert_eq!(
        service.compact_from_data::<EvolvingV1>(&evolving).unwrap(),
        EvolvingV1 {
            name: "Eve".into(),
            age: 30
        }
    );
    // And the other way round: Java reads the Rust record with fewer fields (checked in
    // `java_reads_and_checks_what_this_crate_writes`, sample `evolving-v1`).
}

const IDS_FACTORY: i32 = 66;

#[derive(Debug, Default, PartialEq)]
struct Leaf {
    value: i32,
}

impl IdentifiedDataSerializable for Leaf {
    fn factory_id(&self) -> i32 {
        IDS_FACTORY
    }
    fn class_id(&self) -> i32 {
        8
    }
    fn write_data(&self, out: &mut ObjectDataOutput) -> Result<(), SerializationError> {
        out.write_i32(self.value);
        Ok(())
    }
    fn read_data(&mut self, input: &mut ObjectDataInput<'_>) -> Result<(), SerializationError> {
        self.value = input.read_i32()?;
        Ok(())
    }
}

/// The Java probe's `Sample`, field for field.
#[derive(Debug, Default, PartialEq)]
struct Sample {
    i: i32,
    l: i64,
    s: Option<String>,
    nul: Option<String>,
    b: bool,
    bytes: Option<Vec<u8>>,
    d: f64,
    ints: Option<Vec<i32>>,
    o1: i32,
    o2: String,
    leaf: i32,
    sh: i16,
    c: u16,
    f: f32,
    strs: Option<Vec<Option<String>>>,
}

fn ids_sample() -> Sample {
    Sample {
        i: 42,
        l: -7,
        s: Some("ids ✓".into()),
        nul: None,
        b: true,
        bytes: Some(vec![1, 2, 3]),
        d: 0.25,
        ints: Some(vec![1, -1]),
        o1: 5,
        o2: "obj".into(),
        leaf: 9,
        sh: -3,
        c: 0xe9,
        f: 1.5,
        strs: Some(vec![Some("a".into()), None]),
    }
}

impl IdentifiedDataSerializable for Sample {
    fn factory_id(&self) -> i32 {
        IDS_FACTORY
    }
    fn class_id(&self) -> i32 {
        7
    }
    fn write_data(&self, out: &mut ObjectDataOutput) -> Result<(), SerializationError> {
        out.write_i32(self.i);
        out.write_i64(self.l);
        out.write_string(self.s.as_deref())?;
        out.write_string(self.nul.as_deref())?;
        out.write_bool(self.b);
        out.write_byte_array(self.bytes.as_deref())?;
        out.write_f64(self.d);
        out.write_i32_array(self.ints.as_deref())?;
        out.write_object(&ObjectValue::Int(self.o1))?;
        out.write_object(&ObjectValue::String(self.o2.clone()))?;
        out.write_object(&ObjectValue::Null)?;
        out.write_ids_object(&Leaf { value: self.leaf })?;
        out.write_i16(self.sh);
        out.write_char(self.c);
        out.write_f32(self.f);
        out.write_string_array(self.strs.as_deref())
    }
    fn read_data(&mut self, input: &mut ObjectDataInput<'_>) -> Result<(), SerializationError> {
        self.i = input.read_i32()?;
        self.l = input.read_i64()?;
        self.s = input.read_string()?;
        self.nul = input.read_string()?;
        self.b = input.read_bool()?;
        self.bytes = input.read_byte_array()?;
        self.d = input.read_f64()?;
        self.ints = input.read_i32_array()?;
        let ObjectValue::Int(o1) = input.read_object()? else {
            return Err(SerializationError::InvalidValue { what: "o1" });
        };
        let ObjectValue::String(o2) = input.read_object()? else {
            return Err(SerializationError::InvalidValue { what: "o2" });
        };
        let ObjectValue::Null = input.read_object()? else {
            return Err(SerializationError::InvalidValue { what: "o3" });
        };
        let ObjectValue::Ids(leaf) = input.read_object()? else {
            return Err(SerializationError::InvalidValue { what: "leaf" });
        };
        let leaf: Box<dyn std::any::Any> = leaf;
        let leaf = leaf
            .downcast::<Leaf>()
            .map_err(|_| SerializationError::InvalidValue { what: "leaf" })?;
        (self.o1, self.o2, self.leaf) = (o1, o2, leaf.value);
        self.sh = input.read_i16()?;
        self.c = input.read_char()?;
        self.f = input.read_f32()?;
        self.strs = input.read_string_array()?;
        Ok(())
    }
}

#[test]
fn identified_data_serializable_and_json_match_java() {
    let service = service();
    let java_ids = java_data("ids");
    let ours = service.ids_to_data(&ids_sample()).unwrap();
    assert_eq!(hex(ours.as_bytes()), hex(java_ids.as_bytes()));
    assert_eq!(
        service.ids_from_data_as::<Sample>(&java_ids).unwrap(),
        ids_sample()
    );
    let json = Json(serde_json::json!({"a": [1, 2], "b": "x"}))
        .to_data()
        .unwrap();
    assert_eq!(hex(json.as_bytes()), hex(java_data("json").as_bytes()));
    assert_eq!(
        Json::<serde_json::Value>::from_data(&java_data("json"))
            .unwrap()
            .0["b"],
        "x"
    );
}

#[test]
fn java_reads_and_checks_what_this_crate_writes() {
    let service = service();
    let mut lines = Vec::new();
    let mut expected_ok = Vec::new();
    for (name, record) in rust_samples() {
        lines.push(format!(
            "{name} {}",
            hex(service.generic_record_to_data(&record).unwrap().as_bytes())
        ));
        expected_ok.push(name);
    }
    // Records written from structs whose variable-size fields are not in name order.
    let structs = [
        ("all", service.compact_to_data(&all_struct()).unwrap()),
        (
            "nested",
            service
                .compact_to_data(&Outer {
                    name: "outer".into(),
                    inner: inner_struct("a"),
                    inners: vec![Some(inner_struct("b")), None],
                    deep: Deep {
                        inner: inner_struct("c"),
                        level: 2,
                    },
                })
                .unwrap(),
        ),
        (
            "offsets-int",
            service
                .compact_to_data(&Offsets {
                    c: Some("vvv".into()),
                    b: "w".into(),
                    a: "z".repeat(70_000),
                })
                .unwrap(),
        ),
        (
            "unicode",
            service
                .compact_to_data(&Unicode {
                    ete: "summer".into(),
                    fullwidth: 1,
                    script: 2,
                    e: 3,
                    a: 4,
                })
                .unwrap(),
        ),
        (
            "evolving-v1",
            service
                .compact_to_data(&EvolvingV1 {
                    name: "Eve".into(),
                    age: 30,
                })
                .unwrap(),
        ),
        ("ids", service.ids_to_data(&ids_sample()).unwrap()),
        (
            "json",
            Json(serde_json::json!({"a": [1, 2], "b": "x"}))
                .to_data()
                .unwrap(),
        ),
    ];
    for (name, data) in &structs {
        lines.push(format!("{name} {}", hex(data.as_bytes())));
        expected_ok.push(name);
    }
    // The schemas, as the cluster would have them from this client.
    let schemas = service.schemas().all();
    let mut input: Vec<String> = schemas
        .iter()
        .map(|s| {
            let fields: Vec<String> = s
                .wire_fields()
                .map(|(n, k)| format!("{}:{k}", hex(n.as_bytes())))
                .collect();
            format!("schema {} {}", hex(s.type_name().as_bytes()), fields.join(" "))
        })
        .collect();
    input.extend(lines);
    let out = probe().read(&(input.join("\n") + "\n")).unwrap();
    let mut ok = Vec::new();
    let mut schema_ids = Vec::new();
    for line in out.lines() {
        if let Some(rest) = line.strip_prefix("SCHEMA ") {
            let (_, id) = rest.split_once(' ').unwrap();
            schema_ids.push(id.parse::<i64>().unwrap());
        } else if let Some(name) = line.strip_prefix("OK ") {
            ok.push(name.to_owned());
        } else {
            panic!("Java: {line}");
        }
    }
    let ours: Vec<i64> = schemas.iter().map(|s| s.id()).collect();
    assert_eq!(schema_ids, ours, "Java computes the same schema ids");
    assert_eq!(ok, expected_ok);
}
