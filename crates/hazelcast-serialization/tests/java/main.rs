//! Byte-exact cross-checks against the official Java serialization (the member jar the test kit
//! fetches, through `it.hz.SerializationProbe`; no cluster): Java's bytes for each sample equal
//! this crate's bytes for the same record, this crate reads Java's records into structs and
//! generic records, and Java reads and checks every field of the records this crate writes.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic on purpose too

mod ids;
mod samples;

use std::collections::HashMap;
use std::sync::OnceLock;

use hazelcast_serialization::{IdentifiedDataSerializable, Json, SerializationService};
use hazelcast_testkit::JavaSerializationProbe;

use ids::{IDS_FACTORY, Leaf, Sample, ids_sample};
use samples::*;

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
