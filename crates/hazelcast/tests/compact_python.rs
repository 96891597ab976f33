//! Compact records across clients with the official Python client (`hazelcast-python-client`,
//! installed by the test kit into `target/hz/py/`): Python reads a record this client wrote, with a
//! `CompactSerializer` registered for its type name, and writes one this client reads into the same
//! struct. The Python client reads and writes every field kind; its `datetime` types hold
//! microseconds (nanoseconds below are cut off) and years 1 to 9999, so the values stay inside that.

#![allow(clippy::unwrap_used)] // sample values are built in helpers outside #[test] fns

use std::time::Duration;

use hazelcast::serialization::{Compact, Date, Decimal, Time, Timestamp, TimestampWithTimezone};
use hazelcast::{ClientConfig, HazelcastClient, Uuid};
use hazelcast_testkit::{ClusterConfig, PYTHON_CLIENT_VERSION, ensure_python_client};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.PyInner")]
struct PyInner {
    label: String,
    weight: f64,
}

/// One field of each kind the script reads and writes (the same names and kinds as `FIELDS` in
/// the script).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Py")]
struct Py {
    flag: bool,
    tiny: i8,
    small: i16,
    int: i32,
    long: i64,
    real32: f32,
    real64: f64,
    text: String,
    money: Decimal,
    at_time: Time,
    on_date: Date,
    stamp: Timestamp,
    stamp_tz: TimestampWithTimezone,
    inner: PyInner,
    maybe_int: Option<i32>,
    missing_int: Option<i32>,
    maybe_text: Option<String>,
    flags: Vec<bool>,
    ints: Vec<i32>,
    texts: Vec<Option<String>>,
    decimals: Vec<Option<Decimal>>,
    dates: Vec<Option<Date>>,
    nullable_longs: Vec<Option<i64>>,
    inners: Vec<Option<PyInner>>,
}

const SCRIPT: &str = r#"
import datetime, decimal, json, sys
import hazelcast
from hazelcast.serialization.api import CompactSerializer

FIELDS = [
    ("flag", "boolean"), ("tiny", "int8"), ("small", "int16"), ("int", "int32"), ("long", "int64"),
    ("real32", "float32"), ("real64", "float64"), ("text", "string"), ("money", "decimal"),
    ("at_time", "time"), ("on_date", "date"), ("stamp", "timestamp"),
    ("stamp_tz", "timestamp_with_timezone"), ("inner", "compact"),
    ("maybe_int", "nullable_int32"), ("missing_int", "nullable_int32"), ("maybe_text", "string"),
    ("flags", "array_of_boolean"), ("ints", "array_of_int32"), ("texts", "array_of_string"),
    ("decimals", "array_of_decimal"), ("dates", "array_of_date"),
    ("nullable_longs", "array_of_nullable_int64"), ("inners", "array_of_compact"),
]

class Record:
    def __init__(self, **fields):
        self.__dict__.update(fields)

class Py(Record):
    pass

class PyInner(Record):
    pass

class PySerializer(CompactSerializer):
    def read(self, reader):
        record = Py(**{name: getattr(reader, "read_" + kind)(name) for name, kind in FIELDS})
        kinds = {name: reader.get_field_kind(name).name for name, _ in FIELDS}
        kinds["absent"] = reader.get_field_kind("absent").name
        record.__dict__["kinds"] = kinds
        return record
    def write(self, writer, obj):
        for name, kind in FIELDS:
            getattr(writer, "write_" + kind)(name, getattr(obj, name))
    def get_class(self):
        return Py
    def get_type_name(self):
        return "test.Py"

class PyInnerSerializer(CompactSerializer):
    def read(self, reader):
        return PyInner(label=reader.read_string("label"), weight=reader.read_float64("weight"))
    def write(self, writer, obj):
        writer.write_string("label", obj.label)
        writer.write_float64("weight", obj.weight)
    def get_class(self):
        return PyInner
    def get_type_name(self):
        return "test.PyInner"

def plain(v):
    if isinstance(v, Record):
        return {k: plain(x) for k, x in v.__dict__.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, (datetime.date, datetime.time)):
        return v.isoformat()
    return v

members, cluster_name, map_name = sys.argv[1].split(","), sys.argv[2], sys.argv[3]
client = hazelcast.HazelcastClient(
    cluster_members=members,
    cluster_name=cluster_name,
    cluster_connect_timeout=60,
    compact_serializers=[PySerializer(), PyInnerSerializer()],
)
try:
    m = client.get_map(map_name).blocking()
    seen = plain(m.get("rs"))
    tz = datetime.timezone(datetime.timedelta(hours=-3, minutes=-30))
    m.put("py", Py(
        flag=False, tiny=-128, small=32767, int=-2147483648, long=9007199254740993,
        real32=-0.25, real64=1e-300, text="python ✓", money=decimal.Decimal("-0.000123"),
        at_time=datetime.time(0, 0, 59, 999999), on_date=datetime.date(1, 1, 1),
        stamp=datetime.datetime(9999, 12, 31, 23, 59, 59, 1),
        stamp_tz=datetime.datetime(1970, 1, 1, 0, 0, 0, 0, tz),
        inner=PyInner(label="py-inner", weight=-2.5), maybe_int=None, missing_int=17,
        maybe_text="present", flags=[], ints=[7, -7], texts=[None, "x"],
        decimals=[decimal.Decimal("1E+3"), None], dates=[None], nullable_longs=[None, -1, None],
        inners=[None, PyInner(label="py-item", weight=0.0)],
    ))
    print(json.dumps(seen))
finally:
    client.shutdown()
"#;

fn inner(label: &str, weight: f64) -> PyInner {
    PyInner {
        label: label.into(),
        weight,
    }
}

fn written_by_rust() -> Py {
    let stamp = Timestamp::new(
        Date::new(2024, 2, 29).unwrap(),
        Time::new(13, 45, 30, 123_456_000).unwrap(),
    );
    Py {
        flag: true,
        tiny: -8,
        small: -1600,
        int: 32_000_000,
        long: -64_000_000_000,
        real32: 3.25,
        real64: -6.5e100,
        text: "héllo ✓".into(),
        money: "12345.678".parse().unwrap(),
        at_time: Time::new(23, 59, 58, 999_999_000).unwrap(),
        on_date: Date::new(1999, 12, 31).unwrap(),
        stamp,
        stamp_tz: TimestampWithTimezone::new(stamp, 7200).unwrap(),
        inner: inner("in", 1.5),
        maybe_int: Some(5),
        missing_int: None,
        maybe_text: None,
        flags: vec![true, false, true, true, false, false, true, false, true],
        ints: vec![1, 2, 3],
        texts: vec![Some("a".into()), None, Some(String::new())],
        decimals: vec![Some(Decimal::new(-5, 3)), None],
        dates: vec![Some(Date::new(2000, 1, 1).unwrap()), None],
        nullable_longs: vec![Some(i64::MIN), None],
        inners: vec![Some(inner("x", 0.5)), None],
    }
}

fn written_by_python() -> Py {
    Py {
        flag: false,
        tiny: -128,
        small: 32767,
        int: i32::MIN,
        long: 9_007_199_254_740_993,
        real32: -0.25,
        real64: 1e-300,
        text: "python ✓".into(),
        money: Decimal::new(-123, 6),
        at_time: Time::new(0, 0, 59, 999_999_000).unwrap(),
        on_date: Date::new(1, 1, 1).unwrap(),
        stamp: Timestamp::new(
            Date::new(9999, 12, 31).unwrap(),
            Time::new(23, 59, 59, 1_000).unwrap(),
        ),
        stamp_tz: TimestampWithTimezone::new(
            Timestamp::new(Date::new(1970, 1, 1).unwrap(), Time::new(0, 0, 0, 0).unwrap()),
            -12_600,
        )
        .unwrap(),
        inner: inner("py-inner", -2.5),
        maybe_int: None,
        missing_int: Some(17),
        maybe_text: Some("present".into()),
        flags: vec![],
        ints: vec![7, -7],
        texts: vec![None, Some("x".into())],
        decimals: vec![Some(Decimal::new(1, -3)), None],
        dates: vec![None],
        nullable_longs: vec![None, Some(-1), None],
        inners: vec![None, Some(inner("py-item", 0.0))],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_client_reads_and_writes_compact_records() {
    let python = tokio::task::spawn_blocking(|| ensure_python_client(PYTHON_CLIENT_VERSION))
        .await
        .expect("join")
        .unwrap_or_else(|e| panic!("the official Python client: {e}"));
    let cluster = tokio::task::spawn_blocking(|| ClusterConfig::new().members(1).start())
        .await
        .expect("join")
        .expect("cluster");
    let members: Vec<String> = cluster.addresses().iter().map(ToString::to_string).collect();
    let config = ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(members.clone())
        .build()
        .expect("config");
    let client = HazelcastClient::start(config).await.expect("start");
    let name = format!("py-compact-{}", Uuid::new_v4());
    let map = client.get_map::<String, Compact<Py>>(&name).await.expect("map");
    map.set("rs", Compact(written_by_rust())).await.expect("set");

    let script = tempfile::NamedTempFile::with_suffix(".py").expect("temp file");
    std::fs::write(script.path(), SCRIPT).expect("write script");
    let path = script.path().to_owned();
    let (members_arg, cluster_name, map_name) =
        (members.join(","), cluster.cluster_name().to_owned(), name.clone());
    let out = tokio::time::timeout(
        Duration::from_secs(180),
        tokio::task::spawn_blocking(move || {
            python
                .command()
                .arg(&path)
                .args([members_arg.as_str(), cluster_name.as_str(), map_name.as_str()])
                .output()
        }),
    )
    .await
    .expect("the Python client finishes within 180 s")
    .expect("join")
    .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout.lines().last().expect("a JSON line");
    let seen: serde_json::Value = serde_json::from_str(line).expect("JSON from the script");
    let kinds = json!({
        "flag": "BOOLEAN", "tiny": "INT8", "small": "INT16", "int": "INT32", "long": "INT64",
        "real32": "FLOAT32", "real64": "FLOAT64", "text": "STRING", "money": "DECIMAL",
        "at_time": "TIME", "on_date": "DATE", "stamp": "TIMESTAMP",
        "stamp_tz": "TIMESTAMP_WITH_TIMEZONE", "inner": "COMPACT",
        "maybe_int": "NULLABLE_INT32", "missing_int": "NULLABLE_INT32", "maybe_text": "STRING",
        "flags": "ARRAY_OF_BOOLEAN", "ints": "ARRAY_OF_INT32", "texts": "ARRAY_OF_STRING",
        "decimals": "ARRAY_OF_DECIMAL", "dates": "ARRAY_OF_DATE",
        "nullable_longs": "ARRAY_OF_NULLABLE_INT64", "inners": "ARRAY_OF_COMPACT",
        "absent": "NOT_AVAILABLE",
    });
    let expected = json!({
        "flag": true, "tiny": -8, "small": -1600, "int": 32_000_000, "long": -64_000_000_000i64,
        "real32": 3.25, "real64": -6.5e100, "text": "héllo ✓", "money": "12345.678",
        "at_time": "23:59:58.999999", "on_date": "1999-12-31",
        "stamp": "2024-02-29T13:45:30.123456", "stamp_tz": "2024-02-29T13:45:30.123456+02:00",
        "inner": {"label": "in", "weight": 1.5},
        "maybe_int": 5, "missing_int": null, "maybe_text": null,
        "flags": [true, false, true, true, false, false, true, false, true],
        "ints": [1, 2, 3], "texts": ["a", null, ""], "decimals": ["-0.005", null],
        "dates": ["2000-01-01", null], "nullable_longs": [i64::MIN, null],
        "inners": [{"label": "x", "weight": 0.5}, null],
        "kinds": kinds,
    });
    let (seen, expected) = (
        seen.as_object().expect("an object"),
        expected.as_object().expect("an object"),
    );
    for (field, value) in expected {
        assert_eq!(
            seen.get(field),
            Some(value),
            "field {field} as the Python client read it"
        );
    }
    assert_eq!(seen.len(), expected.len(), "fields: {:?}", seen.keys());

    let Compact(back) = map.get("py").await.expect("get").expect("present");
    assert_eq!(back, written_by_python());
    client.shutdown().await;
}
