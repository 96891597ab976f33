//! Compact records across clients: the official Java client (from the member jar, the test kit's
//! `JavaClientProbe`) reads through a real cluster what this client wrote, as `GenericRecord`s
//! compared field by field (names, kinds, values, schema ids), and writes `GenericRecord`s this
//! client reads into serde structs; evolution both ways; and records written after a whole-cluster
//! restart are readable by a fresh Java client.
//!
//! The expected records are the samples of `crates/hazelcast-testkit/java/it/hz/SerializationProbe.java`;
//! the structs below are the same records as serde types.

#![allow(clippy::unwrap_used)] // sample values are built in helpers outside #[test] fns

use std::sync::Arc;
use std::time::{Duration, Instant};

use hazelcast::serialization::{
    Compact, Date, Decimal, GenericRecord, SerializationError, Time, Timestamp, TimestampWithTimezone,
};
use hazelcast::{ClientConfig, ClientEvent, HazelcastClient, HazelcastError, Uuid};
use hazelcast_testkit::{Cluster, ClusterConfig, JavaClientProbe, SharedCluster};
use serde::{Deserialize, Serialize};

static CLUSTER: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(2));

/// How long one Java client run may take (JVM start, connect, the commands).
const JAVA_TIMEOUT: Duration = Duration::from_secs(180);

fn ldt(hour: u8) -> Timestamp {
    Timestamp::new(
        Date::new(2024, 2, 29).unwrap(),
        Time::new(hour, 30, 0, 123_000_000).unwrap(),
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Inner")]
struct Inner {
    label: String,
    weight: f64,
}

fn inner(label: &str) -> Inner {
    Inner {
        label: label.into(),
        weight: 1.5,
    }
}

/// Every field kind, with and without nulls: the probe's `all` sample, fields declared in the
/// order Java's builder sets them (not name order).
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

fn all() -> All {
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
        compact: inner("in"),
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
        compacts: vec![Some(inner("x")), None, Some(inner("y"))],
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

/// Nested records and an array of nested records: the probe's `nested` sample.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Outer")]
struct Outer {
    name: String,
    inner: Inner,
    inners: Vec<Option<Inner>>,
    deep: Deep,
}

fn outer() -> Outer {
    Outer {
        name: "outer".into(),
        inner: inner("a"),
        inners: vec![Some(inner("b")), None],
        deep: Deep {
            inner: inner("c"),
            level: 2,
        },
    }
}

/// Ten booleans (two bytes of bits) and every fixed-size kind: the probe's `fixed` sample.
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

fn fixed() -> Fixed {
    Fixed {
        b0: true,
        b1: false,
        b2: false,
        b3: true,
        b4: false,
        b5: false,
        b6: true,
        b7: false,
        b8: false,
        b9: true,
        i8: -8,
        i16: -1600,
        i32: 32_000_000,
        i64: -64_000_000_000,
        f32: 3.25,
        f64: -6.5e100,
    }
}

fn config(cluster: &Cluster) -> ClientConfig {
    ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(cluster.addresses().iter().map(ToString::to_string))
        .invocation_timeout(Duration::from_secs(30))
        .build()
        .expect("valid config")
}

async fn start(cluster: &Cluster) -> HazelcastClient {
    HazelcastClient::start(config(cluster))
        .await
        .expect("client starts")
}

async fn shared() -> &'static Cluster {
    tokio::task::spawn_blocking(|| CLUSTER.get())
        .await
        .expect("join")
        .expect("cluster starts")
}

fn map_name(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4())
}

/// Runs `commands` in a fresh official Java client connected to `cluster`; one answer each.
async fn java(cluster: Arc<Cluster>, commands: Vec<String>) -> Vec<String> {
    tokio::task::spawn_blocking(move || {
        let probe = JavaClientProbe::new().expect("the Java client probe compiles");
        probe
            .run(&cluster, &commands, JAVA_TIMEOUT)
            .expect("the Java client runs")
    })
    .await
    .expect("join")
}

/// [`java`] on the shared cluster.
async fn java_shared(commands: Vec<String>) -> Vec<String> {
    tokio::task::spawn_blocking(move || {
        let cluster = CLUSTER.get().expect("cluster");
        let probe = JavaClientProbe::new().expect("the Java client probe compiles");
        probe
            .run(cluster, &commands, JAVA_TIMEOUT)
            .expect("the Java client runs")
    })
    .await
    .expect("join")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_java_client_reads_every_kind_this_client_wrote() {
    let cluster = shared().await;
    let client = start(cluster).await;
    let name = map_name("rust-to-java");
    client
        .get_map::<String, Compact<All>>(&name)
        .await
        .expect("map")
        .set("all", Compact(all()))
        .await
        .expect("set all");
    client
        .get_map::<String, Compact<Outer>>(&name)
        .await
        .expect("map")
        .set("nested", Compact(outer()))
        .await
        .expect("set nested");
    client
        .get_map::<String, Compact<Fixed>>(&name)
        .await
        .expect("map")
        .set("fixed", Compact(fixed()))
        .await
        .expect("set fixed");
    client.shutdown().await;

    let answers = java_shared(vec![
        format!("check {name} all all"),
        format!("check {name} nested nested"),
        format!("check {name} fixed fixed"),
        format!("fields {name} nested"),
    ])
    .await;
    // `check` compares names, kinds, values and the schema id of every field, nested records
    // and array items included, and names the first field that differs.
    assert_eq!(answers[0], "OK", "test.All read by the Java client");
    assert_eq!(answers[1], "OK", "test.Outer read by the Java client");
    assert_eq!(answers[2], "OK", "test.Fixed read by the Java client");
    assert_eq!(
        answers[3],
        "FIELDS test.Outer deep:COMPACT inner:COMPACT inners:ARRAY_OF_COMPACT name:STRING"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn this_client_reads_generic_records_the_java_client_wrote() {
    let cluster = shared().await;
    let name = map_name("java-to-rust");
    let answers = java_shared(vec![
        format!("put {name} all all"),
        format!("put {name} nested nested"),
        format!("put {name} fixed fixed"),
    ])
    .await;
    assert_eq!(answers, ["OK", "OK", "OK"]);

    // A client that never saw these types fetches their schemas from the cluster.
    let client = start(cluster).await;
    let Compact(a) = client
        .get_map::<String, Compact<All>>(&name)
        .await
        .expect("map")
        .get("all")
        .await
        .expect("get all")
        .expect("present");
    assert_eq!(a, all());
    let Compact(o) = client
        .get_map::<String, Compact<Outer>>(&name)
        .await
        .expect("map")
        .get("nested")
        .await
        .expect("get nested")
        .expect("present");
    assert_eq!(o, outer());
    let Compact(f) = client
        .get_map::<String, Compact<Fixed>>(&name)
        .await
        .expect("map")
        .get("fixed")
        .await
        .expect("get fixed")
        .expect("present");
    assert_eq!(f, fixed());
    // test.All, test.Inner, test.Outer, test.Deep, test.Fixed.
    assert_eq!(client.serialization().schemas().len(), 5);

    // The same records as generic records: the struct written by this client and the Java
    // record are the same record.
    let generic = client
        .get_map::<String, GenericRecord>(&name)
        .await
        .expect("map")
        .get("all")
        .await
        .expect("get")
        .expect("present");
    let service = client.serialization();
    assert_eq!(
        generic,
        service
            .generic_record_from_data(&service.compact_to_data(&all()).expect("encode"))
            .expect("decode")
    );
    client.shutdown().await;
}

/// `test.Person` as the probe's `person-v1` sample has it (no email).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Person")]
struct PersonV1 {
    name: String,
    age: i32,
}

/// `test.Person` with the email of `person-v2`, optional.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Person")]
struct PersonOptionalEmail {
    name: String,
    age: i32,
    email: Option<String>,
}

/// `test.Person` that cannot do without an email.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Person")]
struct PersonRequiredEmail {
    name: String,
    age: i32,
    email: String,
}

/// `test.Evolving` without the email the Java class has.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Evolving")]
struct EvolvingV1 {
    name: String,
    age: i32,
}

/// `test.Evolving` with a field the Java class does not have.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Evolving")]
struct EvolvingV3 {
    name: String,
    age: i32,
    email: String,
    phone: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_evolve_across_clients_both_ways() {
    let cluster = shared().await;
    let name = map_name("evolution");
    let client = start(cluster).await;
    // Rust → Java: a record lacking a field the Java class reads (its serializer checks
    // `getFieldKind("email")`), and one with a field the Java class does not have.
    client
        .get_map::<String, Compact<EvolvingV1>>(&name)
        .await
        .expect("map")
        .set(
            "rs-v1",
            Compact(EvolvingV1 {
                name: "Eve".into(),
                age: 30,
            }),
        )
        .await
        .expect("set");
    client
        .get_map::<String, Compact<EvolvingV3>>(&name)
        .await
        .expect("map")
        .set(
            "rs-v3",
            Compact(EvolvingV3 {
                name: "Max".into(),
                age: 41,
                email: "max@example.com".into(),
                phone: "+33 1 23".into(),
            }),
        )
        .await
        .expect("set");
    client
        .get_map::<String, Compact<PersonV1>>(&name)
        .await
        .expect("map")
        .set(
            "rs-person",
            Compact(PersonV1 {
                name: "Bob".into(),
                age: 7,
            }),
        )
        .await
        .expect("set");

    let answers = java_shared(vec![
        format!("evolving {name} rs-v1"),
        format!("evolving {name} rs-v3"),
        format!("kind {name} rs-person email"),
        format!("string {name} rs-person email"),
        format!("check {name} rs-person person-v1"),
        // Java → Rust: records with a field the Rust structs lack, and without one.
        format!("put {name} java-v2 person-v2"),
        format!("put {name} java-v1 person-v1"),
        format!("put-evolving {name} java-evolving Ann 52 ann@example.com"),
    ])
    .await;
    assert_eq!(
        answers[0], "EVOLVING Eve|30|unknown",
        "missing field seen as NOT_AVAILABLE"
    );
    assert_eq!(
        answers[1], "EVOLVING Max|41|max@example.com",
        "extra field ignored"
    );
    assert_eq!(answers[2], "KIND NOT_AVAILABLE");
    // Reading a field the record lacks without checking its kind is an error in the Java client.
    assert!(
        answers[3].starts_with("ERROR com.hazelcast.nio.serialization.HazelcastSerializationException")
            && answers[3].contains("email"),
        "{}",
        answers[3]
    );
    assert_eq!(answers[4], "OK", "same record as Java's person-v1");
    assert_eq!(&answers[5..], ["OK", "OK", "OK"]);

    let v1 = client
        .get_map::<String, Compact<PersonV1>>(&name)
        .await
        .expect("map");
    assert_eq!(
        v1.get("java-v2").await.expect("get").map(|c| c.0),
        Some(PersonV1 {
            name: "Ada".into(),
            age: 36
        }),
        "extra field ignored"
    );
    let optional = client
        .get_map::<String, Compact<PersonOptionalEmail>>(&name)
        .await
        .expect("map");
    assert_eq!(
        optional.get("java-v2").await.expect("get").map(|c| c.0),
        Some(PersonOptionalEmail {
            name: "Ada".into(),
            age: 36,
            email: Some("ada@example.com".into())
        })
    );
    assert_eq!(
        optional.get("java-v1").await.expect("get").map(|c| c.0),
        Some(PersonOptionalEmail {
            name: "Bob".into(),
            age: 7,
            email: None
        }),
        "a missing field reads as None into an Option"
    );
    let required = client
        .get_map::<String, Compact<PersonRequiredEmail>>(&name)
        .await
        .expect("map");
    let e = required
        .get("java-v1")
        .await
        .expect_err("a missing required field");
    match &e {
        HazelcastError::Value(v) => match v.as_ref() {
            SerializationError::MissingField { type_name, field } => {
                assert_eq!((type_name.as_str(), *field), ("test.Person", "email"));
            }
            other => panic!("a missing required field: {other:?}"),
        },
        other => panic!("a missing required field: {other:?}"),
    }
    let evolving = client
        .get_map::<String, Compact<EvolvingV1>>(&name)
        .await
        .expect("map");
    assert_eq!(
        evolving.get("java-evolving").await.expect("get").map(|c| c.0),
        Some(EvolvingV1 {
            name: "Ann".into(),
            age: 52
        })
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_java_client_reads_records_written_after_a_whole_cluster_restart() {
    let cluster = Arc::new(
        tokio::task::spawn_blocking(|| ClusterConfig::new().members(1).start())
            .await
            .expect("join")
            .expect("cluster starts"),
    );
    let writer = start(&cluster).await;
    let name = map_name("restart");
    let records = writer
        .get_map::<String, Compact<Outer>>(&name)
        .await
        .expect("map");
    records
        .set("before", Compact(outer()))
        .await
        .expect("set before the restart");

    let mut events = writer.events();
    let restarting = cluster.clone();
    tokio::task::spawn_blocking(move || restarting.restart(0))
        .await
        .expect("join")
        .expect("restart");
    // Generous: the reconnection backs off, and the machine may be busy with other members.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, events.recv()).await {
            Ok(Ok(ClientEvent::ClusterChanged)) => break,
            Ok(Ok(_)) | Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {}
            other => panic!("no ClusterChanged within 120 s: {other:?}"),
        }
    }
    // The restarted member lost the records and the schemas; the writer's registry still knows
    // the schemas and must send them again before the Java client can read a new record.
    let deadline = Instant::now() + Duration::from_secs(30);
    while let Err(e) = records.set("after", Compact(outer())).await {
        assert!(
            Instant::now() < deadline && e.is_retryable(),
            "set after the restart: {e:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let answers = java(
        cluster.clone(),
        vec![
            format!("check {name} after nested"),
            format!("fields {name} after"),
        ],
    )
    .await;
    assert_eq!(
        answers[0], "OK",
        "the Java client reads the record written after the restart"
    );
    assert_eq!(
        answers[1],
        "FIELDS test.Outer deep:COMPACT inner:COMPACT inners:ARRAY_OF_COMPACT name:STRING"
    );
    writer.shutdown().await;
}

/// The Java class `it.hz.Order` of the probe (reflective serializer: type name = class name).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "it.hz.Order")]
struct Order {
    id: i64,
    customer: String,
    total: f64,
    note: Option<String>,
    quantities: Vec<i32>,
}

/// `it.hz.Order` without the total.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "it.hz.Order")]
struct OrderWithoutTotal {
    id: i64,
    customer: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_struct_and_a_java_class_share_records_by_type_name() {
    let cluster = shared().await;
    let name = map_name("orders");
    let client = start(cluster).await;
    let orders = client
        .get_map::<String, Compact<Order>>(&name)
        .await
        .expect("map");
    orders
        .set(
            "rs",
            Compact(Order {
                id: 1,
                customer: "ada".into(),
                total: 12.25,
                note: Some("gift".into()),
                quantities: vec![3, 4, 5],
            }),
        )
        .await
        .expect("set");
    client
        .get_map::<String, Compact<OrderWithoutTotal>>(&name)
        .await
        .expect("map")
        .set(
            "rs-short",
            Compact(OrderWithoutTotal {
                id: 2,
                customer: "bob".into(),
            }),
        )
        .await
        .expect("set");
    let answers = java_shared(vec![
        format!("order {name} rs"),
        format!("order {name} rs-short"),
        format!("put-order {name} java 3 cy"),
    ])
    .await;
    assert_eq!(answers[0], "ORDER 1|ada|12.25|gift|[3, 4, 5]");
    // The reflective serializer leaves the fields the record lacks as the constructor set them.
    assert_eq!(answers[1], "ORDER 2|bob|-1.0|null|null");
    assert_eq!(answers[2], "OK");
    let Compact(order) = orders.get("java").await.expect("get").expect("present");
    assert_eq!(
        order,
        Order {
            id: 3,
            customer: "cy".into(),
            total: 9.5,
            note: None,
            quantities: vec![1, 2],
        }
    );
    client.shutdown().await;
}
