//! Evolution and compatibility: records with more or fewer fields than the reading struct,
//! fixed-size kinds read as nullable kinds and the other way round, type names, borrowing.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic on purpose too

use hazelcast_serialization::{FieldKind, SerializationError, SerializationService};
use serde::{Deserialize, Serialize};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Person")]
struct PersonV1 {
    name: String,
    age: i32,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Person")]
struct PersonV2 {
    name: String,
    age: i32,
    email: Option<String>,
    #[serde(default)]
    visits: i64,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Person")]
struct PersonV3 {
    name: String,
    age: i32,
    score: f64,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Person")]
struct PersonWrongKind {
    name: String,
    age: String,
}

#[test]
fn evolution_follows_the_official_clients() {
    let service = SerializationService::new();
    let v2 = PersonV2 {
        name: "Ada".into(),
        age: 36,
        email: Some("ada@example.com".into()),
        visits: 9,
    };
    // Extra fields are ignored.
    let data = service.compact_to_data(&v2).unwrap();
    assert_eq!(
        service.compact_from_data::<PersonV1>(&data).unwrap(),
        PersonV1 {
            name: "Ada".into(),
            age: 36
        }
    );
    // Missing fields: Option → None, serde default → default, otherwise an error.
    let v1 = service
        .compact_to_data(&PersonV1 {
            name: "Bob".into(),
            age: 7,
        })
        .unwrap();
    assert_eq!(
        service.compact_from_data::<PersonV2>(&v1).unwrap(),
        PersonV2 {
            name: "Bob".into(),
            age: 7,
            email: None,
            visits: 0
        }
    );
    match service.compact_from_data::<PersonV3>(&v1) {
        Err(SerializationError::MissingField { type_name, field }) => {
            assert_eq!(type_name, "test.Person");
            assert_eq!(field, "score");
        }
        other => panic!("{other:?}"),
    }
    match service.compact_from_data::<PersonWrongKind>(&v1) {
        Err(SerializationError::KindMismatch {
            type_name,
            field,
            expected,
            actual,
        }) => {
            assert_eq!((type_name.as_str(), field.as_str()), ("test.Person", "age"));
            assert_eq!((expected, actual), (FieldKind::String, FieldKind::Int32));
        }
        other => panic!("{other:?}"),
    }
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Nullables")]
struct Plain {
    count: i32,
    values: Vec<i64>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "test.Nullables")]
struct Optional {
    count: Option<i32>,
    values: Vec<Option<i64>>,
}

#[test]
fn fixed_kinds_and_their_nullable_kinds_read_each_other() {
    let service = SerializationService::new();
    let plain = service
        .compact_to_data(&Plain {
            count: 3,
            values: vec![1, 2],
        })
        .unwrap();
    assert_eq!(
        service.compact_from_data::<Optional>(&plain).unwrap(),
        Optional {
            count: Some(3),
            values: vec![Some(1), Some(2)]
        }
    );
    let full = service
        .compact_to_data(&Optional {
            count: Some(4),
            values: vec![Some(5)],
        })
        .unwrap();
    assert_eq!(
        service.compact_from_data::<Plain>(&full).unwrap(),
        Plain {
            count: 4,
            values: vec![5]
        }
    );
    for nulls in [
        Optional {
            count: None,
            values: vec![],
        },
        Optional {
            count: Some(1),
            values: vec![Some(1), None],
        },
    ] {
        let data = service.compact_to_data(&nulls).unwrap();
        match service.compact_from_data::<Plain>(&data) {
            Err(SerializationError::UnexpectedNull { type_name, field }) => {
                assert_eq!(type_name, "test.Nullables");
                assert!(field == "count" || field == "values", "{field}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn type_names_come_from_serde_or_the_builder() {
    let service = SerializationService::builder()
        .compact_type_name("WithMapless", "com.example.Mapless")
        .build();
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct WithMapless {
        v: i32,
    }
    assert_eq!(
        service.schema_of::<WithMapless>().unwrap().type_name(),
        "com.example.Mapless"
    );
    let data = service.compact_to_data(&WithMapless { v: 1 }).unwrap();
    assert_eq!(
        service.compact_from_data::<WithMapless>(&data).unwrap(),
        WithMapless { v: 1 }
    );
    // Another type name is a typed error, not a silent read.
    let other = service
        .compact_to_data(&PersonV1 {
            name: "x".into(),
            age: 1,
        })
        .unwrap();
    match service.compact_from_data::<WithMapless>(&other) {
        Err(SerializationError::TypeNameMismatch { expected, actual }) => {
            assert_eq!(
                (expected.as_str(), actual.as_str()),
                ("com.example.Mapless", "test.Person")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename = "test.Person")]
struct Borrowed<'a> {
    name: &'a str,
}

#[test]
fn strings_can_borrow_from_the_data() {
    let service = SerializationService::new();
    let data = service
        .compact_to_data(&PersonV1 {
            name: "Ada".into(),
            age: 1,
        })
        .unwrap();
    let b: Borrowed<'_> = service.compact_from_data(&data).unwrap();
    assert_eq!(b.name, "Ada");
}
