//! # hazelcast-serialization
//!
//! User types for Hazelcast 5.x, in the formats the official clients write: no sockets, no
//! runtime, on top of the codec's [`Data`](hazelcast_codec::Data).
//!
//! * **Compact** (type id −55), the format Hazelcast recommends for user types: a serde struct is
//!   written as a Compact record under a type name, with a schema whose id is the Rabin
//!   fingerprint the official clients compute ([`SerializationService::compact_to_data`],
//!   [`SerializationService::compact_from_data`], [`Compact`]). Any record can be read and
//!   written without a struct as a [`GenericRecord`].
//! * **JSON** (type id −130): [`Json<T>`] stores any serde type as a `HazelcastJsonValue`.
//! * **IdentifiedDataSerializable** (type id −2): the [`IdentifiedDataSerializable`] trait, with
//!   [`ObjectDataOutput`] / [`ObjectDataInput`] and factories registered on the service.
//! * [`SchemaRegistry`]: the schemas the client knows and which of them the cluster has; the
//!   client drives the schema messages of the protocol with it.
//!
//! ## Compact from serde
//!
//! ```
//! use hazelcast_serialization::{Date, Decimal, SerializationService};
//!
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! #[serde(rename = "com.example.Order")]
//! struct Order {
//!     id: i64,
//!     #[serde(rename = "customerName")]
//!     customer: String,
//!     total: Decimal,
//!     placed: Date,
//!     lines: Vec<Line>,
//!     note: Option<String>,
//! }
//!
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! #[serde(rename = "com.example.Line")]
//! struct Line {
//!     sku: String,
//!     quantity: i32,
//! }
//!
//! let service = SerializationService::new();
//! let order = Order {
//!     id: 1,
//!     customer: "Ada".into(),
//!     total: "12.50".parse().unwrap(),
//!     placed: Date::new(2024, 2, 29).unwrap(),
//!     lines: vec![Line { sku: "tea".into(), quantity: 2 }],
//!     note: None,
//! };
//! let data = service.compact_to_data(&order).unwrap();
//! assert_eq!(service.compact_from_data::<Order>(&data).unwrap(), order);
//! let schema = service.schema_of::<Order>().unwrap();
//! assert_eq!(schema.type_name(), "com.example.Order");
//! ```
//!
//! **Type names.** A struct's Compact type name is its serde name: the struct's name, or its
//! `#[serde(rename = "…")]` (typically the Java class name, or the type name the Java, Python or
//! other clients register). [`SerializationServiceBuilder::compact_type_name`] maps a serde name
//! to another type name. Nested structs follow the same rule.
//!
//! **Field names** are the serde field names (`#[serde(rename)]` and `rename_all` honoured).
//!
//! **Kinds.** `bool` → `BOOLEAN`, `i8`/`u8` → `INT8`, `i16` → `INT16`, `i32` → `INT32`, `i64` →
//! `INT64`, `f32` → `FLOAT32`, `f64` → `FLOAT64`, `String`/`&str` → `STRING`, [`Decimal`] →
//! `DECIMAL`, [`Time`] → `TIME`, [`Date`] → `DATE`, [`Timestamp`] → `TIMESTAMP`,
//! [`TimestampWithTimezone`] → `TIMESTAMP_WITH_TIMEZONE`, a nested struct → `COMPACT`, a
//! unit-only enum → `STRING` (the variant name, as Java writes enums), `Vec<T>` / `[T; N]` /
//! `serde_bytes` → `ARRAY_OF_…`, `Option<T>` → the nullable kind (`NULLABLE_INT32`, …; kinds
//! that are variable-size are nullable already), `Vec<Option<T>>` → `ARRAY_OF_NULLABLE_…`.
//! Unsigned integers wider than 8 bits, `char`, `i128`, maps, tuples structs, enums with data,
//! `Option<Option<T>>`, nested arrays and `#[serde(flatten)]` have no Compact form and are
//! rejected with [`SerializationError::Unsupported`].
//!
//! **Schemas come from `Deserialize`.** A `None` does not tell serde's `Serialize` which kind it
//! would have had, so the schema of a type is found once by running its `Deserialize` against a
//! recording deserializer that gives sample values (`1`, `""`, empty sequences, the first enum
//! variant); writing a type therefore needs `Serialize + DeserializeOwned + 'static`. A type whose
//! `Deserialize` rejects those samples cannot be traced.
//!
//! **Evolution.** Reading follows the official clients: fields the record has and the struct
//! does not are ignored; a field the struct has and the record does not is `None` for an
//! `Option`, the default with `#[serde(default)]`, else [`SerializationError::MissingField`]; a
//! kind the Rust type cannot read is [`SerializationError::KindMismatch`], naming the field and
//! both kinds. `INT32` and `NULLABLE_INT32` read each other (a null into `i32` is
//! [`SerializationError::UnexpectedNull`]), and likewise for the other fixed-size kinds and their
//! arrays.
//!
//! **Write order.** Fixed-size fields have fixed places; variable-size fields are written in the
//! order serde writes them (declaration order), as the Java client's reflective serializer
//! writes a class's fields in declaration order; [`GenericRecord`]s write them in schema order,
//! as the Java client writes a `GenericRecord`. Two clients produce identical bytes for a record
//! (which matters for map keys) when they write its variable-size fields in the same order.
//!
//! ## Hostile bytes
//!
//! Every read is bounds-checked; a length or count read from the data is checked against the
//! bytes left before anything is allocated for it; nesting is limited to [`MAX_DEPTH`] records.
//! Decoding never panics (see the fuzz target `serialization` in `fuzz/`).

mod compact;
mod convert;
mod decimal;
mod error;
mod fingerprint;
mod generic;
mod ids;
mod io;
mod json;
mod kind;
mod marker;
mod registry;
mod schema;
mod service;
mod temporal;

pub use compact::COMPACT_TYPE_ID;
pub use convert::{Compact, FromData, Identified, ToData};
pub use decimal::{Decimal, MAX_UNSCALED_BYTES};
pub use error::{JsonErrorCategory, SerializationError, Unsupported};
pub use generic::{FieldValue, GenericRecord, GenericRecordBuilder};
pub use ids::{
    DATA_SERIALIZABLE_TYPE_ID, DataSerializableFactory, IdentifiedDataSerializable, ObjectDataInput,
    ObjectDataOutput, ObjectValue,
};
pub use json::Json;
pub use kind::FieldKind;
pub use registry::SchemaRegistry;
pub use schema::{FieldDescriptor, Schema, SchemaError};
pub use service::{SerializationService, SerializationServiceBuilder};
pub use temporal::{Date, MAX_OFFSET_SECONDS, MAX_YEAR, Time, Timestamp, TimestampWithTimezone};

/// The deepest nesting of Compact records (or nested IdentifiedDataSerializable objects) that
/// is read; deeper data is rejected with [`SerializationError::TooDeep`].
pub const MAX_DEPTH: usize = 64;
