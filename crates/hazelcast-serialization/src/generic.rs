//! `GenericRecord`: a Compact record without a Rust struct, for tools and for records whose
//! shape is known only at run time (the official clients' `GenericRecord`).

use std::sync::Arc;

use crate::decimal::Decimal;
use crate::error::SerializationError;
use crate::kind::FieldKind;
use crate::schema::{Schema, java_cmp};
use crate::temporal::{Date, Time, Timestamp, TimestampWithTimezone};

macro_rules! field_values {
    ($($(#[$doc:meta])* $variant:ident($t:ty),)*) => {
        /// The value of one field of a [`GenericRecord`], one variant per [`FieldKind`]. `None`
        /// is null; the fixed-size kinds (`Int32`, …) cannot be null, their `Nullable*`
        /// counterparts can.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum FieldValue {
            $($(#[$doc])* $variant($t),)*
        }

        impl FieldValue {
            /// The field kind of this value.
            pub fn kind(&self) -> FieldKind {
                match self {
                    $(FieldValue::$variant(_) => FieldKind::$variant,)*
                }
            }
        }
    };
}

field_values! {
    /// `BOOLEAN`.
    Boolean(bool),
    /// `INT8`.
    Int8(i8),
    /// `INT16`.
    Int16(i16),
    /// `INT32`.
    Int32(i32),
    /// `INT64`.
    Int64(i64),
    /// `FLOAT32`.
    Float32(f32),
    /// `FLOAT64`.
    Float64(f64),
    /// `STRING`.
    String(Option<String>),
    /// `DECIMAL`.
    Decimal(Option<Decimal>),
    /// `TIME`.
    Time(Option<Time>),
    /// `DATE`.
    Date(Option<Date>),
    /// `TIMESTAMP`.
    Timestamp(Option<Timestamp>),
    /// `TIMESTAMP_WITH_TIMEZONE`.
    TimestampWithTimezone(Option<TimestampWithTimezone>),
    /// `COMPACT`: a nested record.
    Compact(Option<GenericRecord>),
    /// `NULLABLE_BOOLEAN`.
    NullableBoolean(Option<bool>),
    /// `NULLABLE_INT8`.
    NullableInt8(Option<i8>),
    /// `NULLABLE_INT16`.
    NullableInt16(Option<i16>),
    /// `NULLABLE_INT32`.
    NullableInt32(Option<i32>),
    /// `NULLABLE_INT64`.
    NullableInt64(Option<i64>),
    /// `NULLABLE_FLOAT32`.
    NullableFloat32(Option<f32>),
    /// `NULLABLE_FLOAT64`.
    NullableFloat64(Option<f64>),
    /// `ARRAY_OF_BOOLEAN`.
    ArrayOfBoolean(Option<Vec<bool>>),
    /// `ARRAY_OF_INT8`.
    ArrayOfInt8(Option<Vec<i8>>),
    /// `ARRAY_OF_INT16`.
    ArrayOfInt16(Option<Vec<i16>>),
    /// `ARRAY_OF_INT32`.
    ArrayOfInt32(Option<Vec<i32>>),
    /// `ARRAY_OF_INT64`.
    ArrayOfInt64(Option<Vec<i64>>),
    /// `ARRAY_OF_FLOAT32`.
    ArrayOfFloat32(Option<Vec<f32>>),
    /// `ARRAY_OF_FLOAT64`.
    ArrayOfFloat64(Option<Vec<f64>>),
    /// `ARRAY_OF_STRING`.
    ArrayOfString(Option<Vec<Option<String>>>),
    /// `ARRAY_OF_DECIMAL`.
    ArrayOfDecimal(Option<Vec<Option<Decimal>>>),
    /// `ARRAY_OF_TIME`.
    ArrayOfTime(Option<Vec<Option<Time>>>),
    /// `ARRAY_OF_DATE`.
    ArrayOfDate(Option<Vec<Option<Date>>>),
    /// `ARRAY_OF_TIMESTAMP`.
    ArrayOfTimestamp(Option<Vec<Option<Timestamp>>>),
    /// `ARRAY_OF_TIMESTAMP_WITH_TIMEZONE`.
    ArrayOfTimestampWithTimezone(Option<Vec<Option<TimestampWithTimezone>>>),
    /// `ARRAY_OF_COMPACT`: nested records, all of one schema.
    ArrayOfCompact(Option<Vec<Option<GenericRecord>>>),
    /// `ARRAY_OF_NULLABLE_BOOLEAN`.
    ArrayOfNullableBoolean(Option<Vec<Option<bool>>>),
    /// `ARRAY_OF_NULLABLE_INT8`.
    ArrayOfNullableInt8(Option<Vec<Option<i8>>>),
    /// `ARRAY_OF_NULLABLE_INT16`.
    ArrayOfNullableInt16(Option<Vec<Option<i16>>>),
    /// `ARRAY_OF_NULLABLE_INT32`.
    ArrayOfNullableInt32(Option<Vec<Option<i32>>>),
    /// `ARRAY_OF_NULLABLE_INT64`.
    ArrayOfNullableInt64(Option<Vec<Option<i64>>>),
    /// `ARRAY_OF_NULLABLE_FLOAT32`.
    ArrayOfNullableFloat32(Option<Vec<Option<f32>>>),
    /// `ARRAY_OF_NULLABLE_FLOAT64`.
    ArrayOfNullableFloat64(Option<Vec<Option<f64>>>),
}

/// `From` conversions for the natural Rust types of each kind: `i32` → `Int32`,
/// `Option<i32>` → `NullableInt32`, `Vec<i32>` → `ArrayOfInt32`, `Vec<Option<i32>>` →
/// `ArrayOfNullableInt32`; strings, decimals, dates and times and records become their
/// (non-null) kind, and an `Option` of them a nullable value of the same kind.
macro_rules! from_values {
    ($($t:ty => $single:ident, $nullable:ident, $array:ident, $array_nullable:ident;)*) => {$(
        impl From<$t> for FieldValue {
            fn from(v: $t) -> Self {
                FieldValue::$single(v)
            }
        }
        impl From<Option<$t>> for FieldValue {
            fn from(v: Option<$t>) -> Self {
                FieldValue::$nullable(v)
            }
        }
        impl From<Vec<$t>> for FieldValue {
            fn from(v: Vec<$t>) -> Self {
                FieldValue::$array(Some(v))
            }
        }
        impl From<Vec<Option<$t>>> for FieldValue {
            fn from(v: Vec<Option<$t>>) -> Self {
                FieldValue::$array_nullable(Some(v))
            }
        }
    )*};
}

from_values! {
    bool => Boolean, NullableBoolean, ArrayOfBoolean, ArrayOfNullableBoolean;
    i8 => Int8, NullableInt8, ArrayOfInt8, ArrayOfNullableInt8;
    i16 => Int16, NullableInt16, ArrayOfInt16, ArrayOfNullableInt16;
    i32 => Int32, NullableInt32, ArrayOfInt32, ArrayOfNullableInt32;
    i64 => Int64, NullableInt64, ArrayOfInt64, ArrayOfNullableInt64;
    f32 => Float32, NullableFloat32, ArrayOfFloat32, ArrayOfNullableFloat32;
    f64 => Float64, NullableFloat64, ArrayOfFloat64, ArrayOfNullableFloat64;
}

macro_rules! from_nullable_values {
    ($($t:ty => $single:ident, $array:ident;)*) => {$(
        impl From<$t> for FieldValue {
            fn from(v: $t) -> Self {
                FieldValue::$single(Some(v))
            }
        }
        impl From<Option<$t>> for FieldValue {
            fn from(v: Option<$t>) -> Self {
                FieldValue::$single(v)
            }
        }
        impl From<Vec<Option<$t>>> for FieldValue {
            fn from(v: Vec<Option<$t>>) -> Self {
                FieldValue::$array(Some(v))
            }
        }
        impl From<Vec<$t>> for FieldValue {
            fn from(v: Vec<$t>) -> Self {
                FieldValue::$array(Some(v.into_iter().map(Some).collect()))
            }
        }
    )*};
}

from_nullable_values! {
    String => String, ArrayOfString;
    Decimal => Decimal, ArrayOfDecimal;
    Time => Time, ArrayOfTime;
    Date => Date, ArrayOfDate;
    Timestamp => Timestamp, ArrayOfTimestamp;
    TimestampWithTimezone => TimestampWithTimezone, ArrayOfTimestampWithTimezone;
    GenericRecord => Compact, ArrayOfCompact;
}

impl From<&str> for FieldValue {
    fn from(v: &str) -> Self {
        FieldValue::String(Some(v.to_owned()))
    }
}

/// A Compact record as data: a schema (type name, field names and kinds) and a value per field.
///
/// Fields are kept in schema order (sorted by name, as the official clients sort them) and
/// written in that order, as the Java client writes a `GenericRecord`.
///
/// ```
/// use hazelcast_serialization::{FieldValue, GenericRecord};
///
/// let address = GenericRecord::builder("Address").field("city", "Lyon").build().unwrap();
/// let person = GenericRecord::builder("Person")
///     .field("name", "Ada")
///     .field("age", 36i32)
///     .field("nickname", FieldValue::String(None))
///     .field("address", address)
///     .build()
///     .unwrap();
/// assert_eq!(person.get("age"), Some(&FieldValue::Int32(36)));
/// assert_eq!(person.fields().map(|(n, _)| n).collect::<Vec<_>>(), ["address", "age", "name", "nickname"]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GenericRecord {
    schema: Arc<Schema>,
    values: Vec<FieldValue>,
}

impl GenericRecord {
    /// A builder for a record of this type name.
    pub fn builder(type_name: impl Into<String>) -> GenericRecordBuilder {
        GenericRecordBuilder {
            type_name: type_name.into(),
            fields: Vec::new(),
        }
    }

    /// A record from a schema and its values in schema order (as read from data).
    pub(crate) fn from_parts(schema: Arc<Schema>, values: Vec<FieldValue>) -> Self {
        GenericRecord { schema, values }
    }

    /// The record's schema.
    pub fn schema(&self) -> &Arc<Schema> {
        &self.schema
    }

    /// The type name.
    pub fn type_name(&self) -> &str {
        self.schema.type_name()
    }

    /// The value of a field.
    pub fn get(&self, name: &str) -> Option<&FieldValue> {
        self.schema.field_index(name).and_then(|i| self.values.get(i))
    }

    /// The fields in schema order: name and value.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &FieldValue)> {
        self.schema.fields().iter().map(|f| f.name()).zip(&self.values)
    }

    /// The values in schema order.
    pub(crate) fn values(&self) -> &[FieldValue] {
        &self.values
    }
}

/// Builds a [`GenericRecord`] field by field.
#[derive(Debug, Clone)]
pub struct GenericRecordBuilder {
    type_name: String,
    fields: Vec<(String, FieldValue)>,
}

impl GenericRecordBuilder {
    /// Adds a field (see the `From` conversions of [`FieldValue`]).
    pub fn field(mut self, name: impl Into<String>, value: impl Into<FieldValue>) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }

    /// The record; fails on two fields with one name, or an array of records of different
    /// schemas.
    pub fn build(mut self) -> Result<GenericRecord, SerializationError> {
        let schema = Schema::new(
            self.type_name,
            self.fields.iter().map(|(n, v)| (n.clone(), v.kind())),
        )?;
        for (name, value) in &self.fields {
            if let FieldValue::ArrayOfCompact(Some(items)) = value {
                let mut ids = items.iter().flatten().map(|r| r.schema.id());
                if let Some(first) = ids.next()
                    && ids.any(|id| id != first)
                {
                    return Err(SerializationError::MixedArray { field: name.clone() });
                }
            }
        }
        self.fields.sort_by(|a, b| java_cmp(&a.0, &b.0));
        Ok(GenericRecord {
            schema: Arc::new(schema),
            values: self.fields.into_iter().map(|(_, v)| v).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_sorts_like_the_schema_and_rejects_mixed_arrays() {
        let r = GenericRecord::builder("t")
            .field("b", 1i64)
            .field("a", Some(2i32))
            .field("c", vec![true, false])
            .build()
            .unwrap();
        assert_eq!(r.get("a"), Some(&FieldValue::NullableInt32(Some(2))));
        assert_eq!(r.get("c").map(FieldValue::kind), Some(FieldKind::ArrayOfBoolean));
        assert_eq!(r.get("z"), None);
        let kinds: Vec<_> = r.schema().fields().iter().map(|f| f.kind()).collect();
        assert_eq!(
            kinds,
            [
                FieldKind::NullableInt32,
                FieldKind::Int64,
                FieldKind::ArrayOfBoolean
            ]
        );
        let x = GenericRecord::builder("x").field("v", 1i32).build().unwrap();
        let y = GenericRecord::builder("y").field("v", 1i32).build().unwrap();
        let err = GenericRecord::builder("t")
            .field("items", vec![x.clone(), y])
            .build()
            .unwrap_err();
        assert!(matches!(err, SerializationError::MixedArray { .. }));
        assert!(
            GenericRecord::builder("t")
                .field("items", vec![x.clone(), x])
                .build()
                .is_ok()
        );
        assert!(
            GenericRecord::builder("t")
                .field("a", 1i32)
                .field("a", 2i32)
                .build()
                .is_err()
        );
    }
}
