//! The Compact field kinds with the ids of the official `FieldKind` enum.

use std::fmt;

/// The kind of one Compact field, with the id the official clients and members use
/// (`com.hazelcast.nio.serialization.FieldKind`).
///
/// The kinds that Compact does not support (`CHAR`, `ARRAY_OF_CHAR`, `PORTABLE`,
/// `ARRAY_OF_PORTABLE`) are not represented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FieldKind {
    /// `boolean`, stored as one bit of the fixed-size section.
    Boolean,
    /// Array of `boolean`, eight to a byte.
    ArrayOfBoolean,
    /// 8-bit signed integer.
    Int8,
    /// Array of 8-bit signed integers.
    ArrayOfInt8,
    /// 16-bit signed integer.
    Int16,
    /// Array of 16-bit signed integers.
    ArrayOfInt16,
    /// 32-bit signed integer.
    Int32,
    /// Array of 32-bit signed integers.
    ArrayOfInt32,
    /// 64-bit signed integer.
    Int64,
    /// Array of 64-bit signed integers.
    ArrayOfInt64,
    /// 32-bit IEEE 754 float.
    Float32,
    /// Array of 32-bit floats.
    ArrayOfFloat32,
    /// 64-bit IEEE 754 float.
    Float64,
    /// Array of 64-bit floats.
    ArrayOfFloat64,
    /// UTF-8 string (nullable).
    String,
    /// Array of strings (array and items nullable).
    ArrayOfString,
    /// Arbitrary-precision decimal (`BigDecimal`): unscaled value and scale.
    Decimal,
    /// Array of decimals.
    ArrayOfDecimal,
    /// Time of day (`LocalTime`).
    Time,
    /// Array of times.
    ArrayOfTime,
    /// Date (`LocalDate`).
    Date,
    /// Array of dates.
    ArrayOfDate,
    /// Date and time without a zone (`LocalDateTime`).
    Timestamp,
    /// Array of timestamps.
    ArrayOfTimestamp,
    /// Date and time with a UTC offset (`OffsetDateTime`).
    TimestampWithTimezone,
    /// Array of timestamps with a UTC offset.
    ArrayOfTimestampWithTimezone,
    /// A nested Compact record.
    Compact,
    /// Array of nested Compact records of one schema.
    ArrayOfCompact,
    /// Nullable `boolean`.
    NullableBoolean,
    /// Array of nullable `boolean`s.
    ArrayOfNullableBoolean,
    /// Nullable 8-bit integer.
    NullableInt8,
    /// Array of nullable 8-bit integers.
    ArrayOfNullableInt8,
    /// Nullable 16-bit integer.
    NullableInt16,
    /// Array of nullable 16-bit integers.
    ArrayOfNullableInt16,
    /// Nullable 32-bit integer.
    NullableInt32,
    /// Array of nullable 32-bit integers.
    ArrayOfNullableInt32,
    /// Nullable 64-bit integer.
    NullableInt64,
    /// Array of nullable 64-bit integers.
    ArrayOfNullableInt64,
    /// Nullable 32-bit float.
    NullableFloat32,
    /// Array of nullable 32-bit floats.
    ArrayOfNullableFloat32,
    /// Nullable 64-bit float.
    NullableFloat64,
    /// Array of nullable 64-bit floats.
    ArrayOfNullableFloat64,
}

/// Where a field of a kind lives in a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Storage {
    /// One bit of the fixed-size section.
    Bit,
    /// This many bytes of the fixed-size section.
    Fixed(usize),
    /// The variable-size section, reached through the offset table.
    Variable,
}

use FieldKind as K;

/// Every kind with its id, in id order.
const ALL: [(FieldKind, i32); 42] = [
    (K::Boolean, 1),
    (K::ArrayOfBoolean, 2),
    (K::Int8, 3),
    (K::ArrayOfInt8, 4),
    (K::Int16, 7),
    (K::ArrayOfInt16, 8),
    (K::Int32, 9),
    (K::ArrayOfInt32, 10),
    (K::Int64, 11),
    (K::ArrayOfInt64, 12),
    (K::Float32, 13),
    (K::ArrayOfFloat32, 14),
    (K::Float64, 15),
    (K::ArrayOfFloat64, 16),
    (K::String, 17),
    (K::ArrayOfString, 18),
    (K::Decimal, 19),
    (K::ArrayOfDecimal, 20),
    (K::Time, 21),
    (K::ArrayOfTime, 22),
    (K::Date, 23),
    (K::ArrayOfDate, 24),
    (K::Timestamp, 25),
    (K::ArrayOfTimestamp, 26),
    (K::TimestampWithTimezone, 27),
    (K::ArrayOfTimestampWithTimezone, 28),
    (K::Compact, 29),
    (K::ArrayOfCompact, 30),
    (K::NullableBoolean, 33),
    (K::ArrayOfNullableBoolean, 34),
    (K::NullableInt8, 35),
    (K::ArrayOfNullableInt8, 36),
    (K::NullableInt16, 37),
    (K::ArrayOfNullableInt16, 38),
    (K::NullableInt32, 39),
    (K::ArrayOfNullableInt32, 40),
    (K::NullableInt64, 41),
    (K::ArrayOfNullableInt64, 42),
    (K::NullableFloat32, 43),
    (K::ArrayOfNullableFloat32, 44),
    (K::NullableFloat64, 45),
    (K::ArrayOfNullableFloat64, 46),
];

/// Single kinds and the array kind of each.
const ARRAYS: [(FieldKind, FieldKind); 21] = [
    (K::Boolean, K::ArrayOfBoolean),
    (K::Int8, K::ArrayOfInt8),
    (K::Int16, K::ArrayOfInt16),
    (K::Int32, K::ArrayOfInt32),
    (K::Int64, K::ArrayOfInt64),
    (K::Float32, K::ArrayOfFloat32),
    (K::Float64, K::ArrayOfFloat64),
    (K::String, K::ArrayOfString),
    (K::Decimal, K::ArrayOfDecimal),
    (K::Time, K::ArrayOfTime),
    (K::Date, K::ArrayOfDate),
    (K::Timestamp, K::ArrayOfTimestamp),
    (K::TimestampWithTimezone, K::ArrayOfTimestampWithTimezone),
    (K::Compact, K::ArrayOfCompact),
    (K::NullableBoolean, K::ArrayOfNullableBoolean),
    (K::NullableInt8, K::ArrayOfNullableInt8),
    (K::NullableInt16, K::ArrayOfNullableInt16),
    (K::NullableInt32, K::ArrayOfNullableInt32),
    (K::NullableInt64, K::ArrayOfNullableInt64),
    (K::NullableFloat32, K::ArrayOfNullableFloat32),
    (K::NullableFloat64, K::ArrayOfNullableFloat64),
];

/// Fixed-size kinds and their nullable counterparts.
const NULLABLES: [(FieldKind, FieldKind); 7] = [
    (K::Boolean, K::NullableBoolean),
    (K::Int8, K::NullableInt8),
    (K::Int16, K::NullableInt16),
    (K::Int32, K::NullableInt32),
    (K::Int64, K::NullableInt64),
    (K::Float32, K::NullableFloat32),
    (K::Float64, K::NullableFloat64),
];

impl FieldKind {
    /// Every supported kind, in id order.
    pub fn all() -> impl Iterator<Item = FieldKind> {
        ALL.iter().map(|(k, _)| *k)
    }

    /// The official id (`FieldKind.getId()`).
    pub fn id(self) -> i32 {
        ALL.iter().find(|(k, _)| *k == self).map_or(0, |(_, id)| *id)
    }

    /// The kind with an official id, if Compact supports it.
    pub fn from_id(id: i32) -> Option<FieldKind> {
        ALL.iter().find(|(_, i)| *i == id).map(|(k, _)| *k)
    }

    /// The official name (`INT32`, `ARRAY_OF_NULLABLE_FLOAT64`, …).
    pub fn name(self) -> &'static str {
        match self {
            K::Boolean => "BOOLEAN",
            K::ArrayOfBoolean => "ARRAY_OF_BOOLEAN",
            K::Int8 => "INT8",
            K::ArrayOfInt8 => "ARRAY_OF_INT8",
            K::Int16 => "INT16",
            K::ArrayOfInt16 => "ARRAY_OF_INT16",
            K::Int32 => "INT32",
            K::ArrayOfInt32 => "ARRAY_OF_INT32",
            K::Int64 => "INT64",
            K::ArrayOfInt64 => "ARRAY_OF_INT64",
            K::Float32 => "FLOAT32",
            K::ArrayOfFloat32 => "ARRAY_OF_FLOAT32",
            K::Float64 => "FLOAT64",
            K::ArrayOfFloat64 => "ARRAY_OF_FLOAT64",
            K::String => "STRING",
            K::ArrayOfString => "ARRAY_OF_STRING",
            K::Decimal => "DECIMAL",
            K::ArrayOfDecimal => "ARRAY_OF_DECIMAL",
            K::Time => "TIME",
            K::ArrayOfTime => "ARRAY_OF_TIME",
            K::Date => "DATE",
            K::ArrayOfDate => "ARRAY_OF_DATE",
            K::Timestamp => "TIMESTAMP",
            K::ArrayOfTimestamp => "ARRAY_OF_TIMESTAMP",
            K::TimestampWithTimezone => "TIMESTAMP_WITH_TIMEZONE",
            K::ArrayOfTimestampWithTimezone => "ARRAY_OF_TIMESTAMP_WITH_TIMEZONE",
            K::Compact => "COMPACT",
            K::ArrayOfCompact => "ARRAY_OF_COMPACT",
            K::NullableBoolean => "NULLABLE_BOOLEAN",
            K::ArrayOfNullableBoolean => "ARRAY_OF_NULLABLE_BOOLEAN",
            K::NullableInt8 => "NULLABLE_INT8",
            K::ArrayOfNullableInt8 => "ARRAY_OF_NULLABLE_INT8",
            K::NullableInt16 => "NULLABLE_INT16",
            K::ArrayOfNullableInt16 => "ARRAY_OF_NULLABLE_INT16",
            K::NullableInt32 => "NULLABLE_INT32",
            K::ArrayOfNullableInt32 => "ARRAY_OF_NULLABLE_INT32",
            K::NullableInt64 => "NULLABLE_INT64",
            K::ArrayOfNullableInt64 => "ARRAY_OF_NULLABLE_INT64",
            K::NullableFloat32 => "NULLABLE_FLOAT32",
            K::ArrayOfNullableFloat32 => "ARRAY_OF_NULLABLE_FLOAT32",
            K::NullableFloat64 => "NULLABLE_FLOAT64",
            K::ArrayOfNullableFloat64 => "ARRAY_OF_NULLABLE_FLOAT64",
        }
    }

    /// Where a field of this kind is stored.
    pub(crate) fn storage(self) -> Storage {
        match self {
            K::Boolean => Storage::Bit,
            K::Int8 => Storage::Fixed(1),
            K::Int16 => Storage::Fixed(2),
            K::Int32 | K::Float32 => Storage::Fixed(4),
            K::Int64 | K::Float64 => Storage::Fixed(8),
            _ => Storage::Variable,
        }
    }

    /// The array kind whose items are of this kind (`INT32` → `ARRAY_OF_INT32`); `None` for
    /// array kinds (Compact has no arrays of arrays).
    pub fn array_of(self) -> Option<FieldKind> {
        ARRAYS.iter().find(|(s, _)| *s == self).map(|(_, a)| *a)
    }

    /// The kind of the items of an array kind (`ARRAY_OF_INT32` → `INT32`).
    pub fn item_kind(self) -> Option<FieldKind> {
        ARRAYS.iter().find(|(_, a)| *a == self).map(|(s, _)| *s)
    }

    /// True for the `ARRAY_OF_*` kinds.
    pub fn is_array(self) -> bool {
        self.item_kind().is_some()
    }

    /// The nullable counterpart of a fixed-size kind (`INT32` → `NULLABLE_INT32`); every other
    /// kind is nullable already and is returned unchanged.
    pub fn nullable(self) -> FieldKind {
        NULLABLES
            .iter()
            .find(|(f, _)| *f == self)
            .map_or(self, |(_, n)| *n)
    }

    /// The fixed-size counterpart of a `NULLABLE_*` kind; other kinds unchanged.
    pub fn non_nullable(self) -> FieldKind {
        NULLABLES
            .iter()
            .find(|(_, n)| *n == self)
            .map_or(self, |(f, _)| *f)
    }

    /// True when a reader of `self` also accepts a field of `written` (the official clients read
    /// `INT32` from `NULLABLE_INT32` and the other way round, failing on a null value; the same
    /// for the arrays of both).
    pub(crate) fn reads(self, written: FieldKind) -> bool {
        if self == written {
            return true;
        }
        match (self.item_kind(), written.item_kind()) {
            (Some(a), Some(b)) => a.non_nullable() == b.non_nullable() && a.non_nullable() != a.nullable(),
            (None, None) => {
                self.non_nullable() == written.non_nullable() && self.non_nullable() != self.nullable()
            }
            _ => false,
        }
    }
}

impl fmt::Display for FieldKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for k in FieldKind::all() {
            assert!(seen.insert(k.id()), "duplicate id {}", k.id());
            assert_eq!(FieldKind::from_id(k.id()), Some(k));
        }
        assert_eq!(seen.len(), 42);
        // CHAR, ARRAY_OF_CHAR, PORTABLE, ARRAY_OF_PORTABLE and NOT_AVAILABLE are not Compact kinds.
        for id in [0, 5, 6, 31, 32, 47, -1] {
            assert_eq!(FieldKind::from_id(id), None);
        }
    }

    #[test]
    fn arrays_and_nullables() {
        assert_eq!(K::Int32.array_of(), Some(K::ArrayOfInt32));
        assert_eq!(K::NullableInt32.array_of(), Some(K::ArrayOfNullableInt32));
        assert_eq!(K::ArrayOfInt32.array_of(), None);
        assert_eq!(K::ArrayOfCompact.item_kind(), Some(K::Compact));
        assert_eq!(K::Int64.nullable(), K::NullableInt64);
        assert_eq!(K::String.nullable(), K::String);
        assert_eq!(K::NullableBoolean.non_nullable(), K::Boolean);
        assert_eq!(K::Int32.storage(), Storage::Fixed(4));
        assert_eq!(K::NullableInt32.storage(), Storage::Variable);
        assert_eq!(K::Boolean.storage(), Storage::Bit);
    }

    #[test]
    fn readers_accept_the_nullable_counterpart_only() {
        assert!(K::Int32.reads(K::NullableInt32));
        assert!(K::NullableInt32.reads(K::Int32));
        assert!(K::ArrayOfInt32.reads(K::ArrayOfNullableInt32));
        assert!(K::ArrayOfNullableBoolean.reads(K::ArrayOfBoolean));
        assert!(!K::Int32.reads(K::Int64));
        assert!(!K::String.reads(K::ArrayOfString));
        assert!(!K::ArrayOfInt32.reads(K::Int32));
        assert!(!K::ArrayOfString.reads(K::ArrayOfDecimal));
        assert!(K::Compact.reads(K::Compact));
    }
}
