//! The error type of serialization and deserialization.

use std::fmt;

use crate::kind::FieldKind;
use crate::schema::SchemaError;

/// A value could not be serialized or deserialized.
///
/// Errors name types, fields and kinds, never the values of fields (which may be secrets).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SerializationError {
    /// The data was written by another serializer than the one asked to read it.
    #[error("the data holds type id {actual}, expected {expected}")]
    UnexpectedTypeId {
        /// The type id the reader handles.
        expected: i32,
        /// The type id in the data.
        actual: i32,
    },
    /// The bytes do not follow the format (truncated, offsets out of range, negative lengths…).
    #[error("malformed data: {reason}")]
    Malformed {
        /// What is wrong.
        reason: &'static str,
    },
    /// A string is not valid UTF-8.
    #[error("a string in the data is not valid UTF-8")]
    InvalidUtf8,
    /// A record uses a schema this client does not know; fetch it from the cluster, add it to
    /// the [`SchemaRegistry`](crate::SchemaRegistry) and read again.
    #[error("unknown Compact schema {schema_id}")]
    UnknownSchema {
        /// The schema id.
        schema_id: i64,
    },
    /// A record holds another type than the one being read.
    #[error("expected a Compact record of type `{expected}`, found `{actual}`")]
    TypeNameMismatch {
        /// The type name the reader expects.
        expected: String,
        /// The type name of the record's schema.
        actual: String,
    },
    /// A field holds another kind than the reader (or writer) expects.
    #[error("field `{field}` of `{type_name}`: expected {expected}, the schema has {actual}")]
    KindMismatch {
        /// The record's type name.
        type_name: String,
        /// The field.
        field: String,
        /// The kind the Rust type reads or writes.
        expected: FieldKind,
        /// The kind in the schema.
        actual: FieldKind,
    },
    /// A field the reading type requires (no `Option`, no serde default) is not in the record.
    #[error("field `{field}` of `{type_name}` is missing from the record")]
    MissingField {
        /// The type name (the Rust type name when the record's is not known yet).
        type_name: String,
        /// The field.
        field: &'static str,
    },
    /// A null where the Rust type cannot hold one (use an `Option`).
    #[error(
        "field `{field}` of `{type_name}` is null (or holds a null item) but is read into a non-optional type"
    )]
    UnexpectedNull {
        /// The record's type name.
        type_name: String,
        /// The field.
        field: String,
    },
    /// A value written to a field whose kind cannot hold it (for example a `None` for `INT32`).
    #[error("field `{field}` of `{type_name}` cannot be written as {kind}")]
    CannotWrite {
        /// The record's type name.
        type_name: String,
        /// The field.
        field: String,
        /// The field's kind.
        kind: FieldKind,
    },
    /// The serialized value names a field its schema does not have.
    #[error("field `{field}` is not in the schema of `{type_name}`")]
    FieldNotInSchema {
        /// The record's type name.
        type_name: String,
        /// The field.
        field: String,
    },
    /// A field of the schema was not written (a non-nullable field skipped by
    /// `skip_serializing_if`, for example).
    #[error("field `{field}` of `{type_name}` was not written")]
    FieldNotWritten {
        /// The record's type name.
        type_name: String,
        /// The field.
        field: String,
    },
    /// A Rust type that has no Compact counterpart.
    #[error("`{path}`: {what} cannot be serialized as Compact")]
    Unsupported {
        /// Where in the type (`Type.field`).
        path: String,
        /// What is not supported.
        what: Unsupported,
    },
    /// Items of an array of Compact records have different schemas.
    #[error("field `{field}`: the items of an array of Compact records must share one schema")]
    MixedArray {
        /// The field.
        field: String,
    },
    /// A value out of the range its type allows (a month 13, a time zone offset above 18 hours…).
    #[error("invalid {what}")]
    InvalidValue {
        /// What kind of value.
        what: &'static str,
    },
    /// Records nest deeper than [`MAX_DEPTH`](crate::MAX_DEPTH).
    #[error("records nest deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// A schema could not be built or registered.
    #[error("schema error")]
    Schema(#[from] SchemaError),
    /// `serde_json` failed to write or read a [`Json`](crate::Json) value. Only the category and
    /// the position are kept: `serde_json`'s messages can quote the value.
    #[error("JSON value: {category:?} error at line {line}, column {column}")]
    Json {
        /// What kind of failure.
        category: JsonErrorCategory,
        /// The line of the text (1-based; 0 when writing).
        line: usize,
        /// The column of the text (1-based; 0 when writing).
        column: usize,
    },
    /// No factory is registered for an IdentifiedDataSerializable factory id.
    #[error("no DataSerializable factory for factory id {factory_id}")]
    UnknownFactory {
        /// The factory id.
        factory_id: i32,
    },
    /// The factory does not create the class id.
    #[error("the factory {factory_id} does not create class id {class_id}")]
    UnknownClassId {
        /// The factory id.
        factory_id: i32,
        /// The class id.
        class_id: i32,
    },
    /// An object inside IdentifiedDataSerializable data has a type id this crate does not read.
    #[error("objects of type id {type_id} are not supported inside IdentifiedDataSerializable data")]
    UnsupportedTypeId {
        /// The type id.
        type_id: i32,
    },
    /// The data is a DataSerializable identified by a Java class name, not by ids.
    #[error("the data is a DataSerializable identified by class name, not IdentifiedDataSerializable")]
    NotIdentified,
    /// The object read has another Rust type than the one asked for.
    #[error("the object for factory {factory_id}, class {class_id} is not of the requested Rust type")]
    WrongRustType {
        /// The factory id.
        factory_id: i32,
        /// The class id.
        class_id: i32,
    },
    /// The record yields a field twice to the Rust type (a field and its serde alias both
    /// present).
    #[error("field `{field}` appears twice")]
    DuplicateField {
        /// The field.
        field: &'static str,
    },
    /// A built-in value could not be read (see the codec's error).
    #[error("built-in value")]
    Codec(#[from] hazelcast_codec::CodecError),
    /// A value type or deserializer reported an error of its own (serde's `custom`).
    #[error("{message}")]
    Custom {
        /// The message.
        message: String,
    },
    /// The Rust type rejected the value read (serde's `invalid_type`, `invalid_value`,
    /// `invalid_length`, `unknown_variant`); the value itself is not shown.
    #[error("the value read does not fit the Rust type (expected {expected})")]
    Rejected {
        /// What the Rust type expected.
        expected: String,
    },
}

/// The category of a JSON failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonErrorCategory {
    /// The text is not valid JSON.
    Syntax,
    /// Valid JSON that does not fit the Rust type (or a value that has no JSON form).
    Data,
    /// The text ends early.
    Eof,
    /// An I/O failure (not expected for in-memory text).
    Io,
}

impl From<serde_json::Error> for SerializationError {
    fn from(e: serde_json::Error) -> Self {
        use serde_json::error::Category;
        SerializationError::Json {
            category: match e.classify() {
                Category::Syntax => JsonErrorCategory::Syntax,
                Category::Data => JsonErrorCategory::Data,
                Category::Eof => JsonErrorCategory::Eof,
                Category::Io => JsonErrorCategory::Io,
            },
            line: e.line(),
            column: e.column(),
        }
    }
}

/// A Rust type (or serde construct) that Compact cannot represent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unsupported {
    /// An unsigned integer wider than 8 bits (Compact integers are signed).
    Unsigned,
    /// A 128-bit integer.
    Int128,
    /// A `char` (Compact has no char kind).
    Char,
    /// A map.
    Map,
    /// A unit, unit struct or tuple struct.
    Unit,
    /// A tuple struct.
    TupleStruct,
    /// An array of arrays (Compact arrays hold single values).
    NestedArray,
    /// An `Option<Option<_>>`.
    NestedOption,
    /// An enum variant with data (only unit variants are written, as strings).
    EnumWithData,
    /// A type that deserializes with `deserialize_any` (untagged enums, `flatten`…).
    SelfDescribing,
    /// The top-level value is not a struct.
    NotAStruct,
    /// Two different Rust structs with one type name in one value.
    ConflictingShapes,
    /// The type refers to itself without an `Option` or `Vec` to stop the recursion.
    InfiniteRecursion,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unsupported::Unsigned => "an unsigned integer wider than 8 bits",
            Unsupported::Int128 => "a 128-bit integer",
            Unsupported::Char => "a char",
            Unsupported::Map => "a map",
            Unsupported::Unit => "a unit value",
            Unsupported::TupleStruct => "a tuple struct",
            Unsupported::NestedArray => "an array of arrays",
            Unsupported::NestedOption => "an Option of an Option",
            Unsupported::EnumWithData => "an enum variant with data",
            Unsupported::SelfDescribing => "a self-describing type (untagged enum, flatten, any)",
            Unsupported::NotAStruct => "a value that is not a struct",
            Unsupported::ConflictingShapes => "two different structs under one type name",
            Unsupported::InfiniteRecursion => "a type that contains itself without Option or Vec",
        })
    }
}

impl SerializationError {
    /// The schema to fetch from the cluster when this is [`UnknownSchema`](Self::UnknownSchema).
    pub fn unknown_schema_id(&self) -> Option<i64> {
        match self {
            SerializationError::UnknownSchema { schema_id } => Some(*schema_id),
            _ => None,
        }
    }

    pub(crate) fn malformed(reason: &'static str) -> Self {
        SerializationError::Malformed { reason }
    }
}

impl serde::ser::Error for SerializationError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        SerializationError::Custom {
            message: msg.to_string(),
        }
    }
}

impl serde::de::Error for SerializationError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        SerializationError::Custom {
            message: msg.to_string(),
        }
    }

    fn invalid_type(_unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> Self {
        SerializationError::Rejected {
            expected: exp.to_string(),
        }
    }

    fn invalid_value(_unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> Self {
        SerializationError::Rejected {
            expected: exp.to_string(),
        }
    }

    fn invalid_length(len: usize, exp: &dyn serde::de::Expected) -> Self {
        let _ = len;
        SerializationError::Rejected {
            expected: exp.to_string(),
        }
    }

    fn unknown_variant(_variant: &str, expected: &'static [&'static str]) -> Self {
        SerializationError::Rejected {
            expected: format!("one of {expected:?}"),
        }
    }

    fn duplicate_field(field: &'static str) -> Self {
        SerializationError::DuplicateField { field }
    }

    fn missing_field(field: &'static str) -> Self {
        SerializationError::MissingField {
            type_name: String::new(),
            field,
        }
    }
}
