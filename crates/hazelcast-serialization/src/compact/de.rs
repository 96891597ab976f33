//! A serde `Deserializer` over a Compact record, driven by the writer's schema.
//!
//! A struct asks for its fields by name; the fields the record does not have are not offered, so
//! serde fills them from `Option` (`None`) or `#[serde(default)]`, or reports them missing; the
//! fields the struct does not know are never read. A field is read as the official clients read
//! it: the kind must match, except that a fixed-size kind and its nullable kind (and the arrays
//! of both) read each other, failing on a null.

use serde::de::value::{BorrowedStrDeserializer, StrDeserializer};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::MAX_DEPTH;
use crate::compact::plan::TypeNames;
use crate::compact::record::{Budget, Items, Record, Slot};
use crate::compact::trace::BytesDe;
use crate::error::{SerializationError, Unsupported};
use crate::io::Input;
use crate::kind::FieldKind;
use crate::marker;
use crate::registry::SchemaRegistry;

type Result<T> = std::result::Result<T, SerializationError>;

/// What reading needs besides the bytes.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'s> {
    pub(crate) registry: &'s SchemaRegistry,
    pub(crate) names: &'s TypeNames,
    pub(crate) budget: &'s Budget,
}

/// A whole record.
pub(crate) struct RecordDe<'a, 's> {
    pub(crate) rec: Record<'a>,
    pub(crate) ctx: Ctx<'s>,
    pub(crate) depth: usize,
}

impl RecordDe<'_, '_> {
    fn named(&self, e: SerializationError) -> SerializationError {
        match e {
            SerializationError::MissingField { type_name, field } if type_name.is_empty() => {
                SerializationError::MissingField {
                    type_name: self.rec.schema.type_name().to_owned(),
                    field,
                }
            }
            other => other,
        }
    }

    fn not_a_struct(&self) -> SerializationError {
        SerializationError::Unsupported {
            path: self.rec.schema.type_name().to_owned(),
            what: Unsupported::NotAStruct,
        }
    }
}

impl<'de> Deserializer<'de> for RecordDe<'de, '_> {
    type Error = SerializationError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        self.deserialize_map(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        v.visit_map(AllFields {
            rec: &self.rec,
            next: 0,
            ctx: self.ctx,
            depth: self.depth,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value> {
        let expected = self.ctx.names.resolve(name);
        if self.rec.schema.type_name() != expected {
            return Err(SerializationError::TypeNameMismatch {
                expected: expected.to_owned(),
                actual: self.rec.schema.type_name().to_owned(),
            });
        }
        let result = v.visit_map(StructFields {
            rec: &self.rec,
            fields,
            next: 0,
            current: 0,
            ctx: self.ctx,
            depth: self.depth,
        });
        result.map_err(|e| self.named(e))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, v: V) -> Result<V::Value> {
        if marker::marker_kind(name).is_some() {
            return Err(self.not_a_struct());
        }
        v.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        v.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        false
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct seq tuple tuple_struct enum identifier
    }
}

/// The fields a struct asks for that the record has.
struct StructFields<'r, 'a, 's> {
    rec: &'r Record<'a>,
    fields: &'static [&'static str],
    next: usize,
    current: usize,
    ctx: Ctx<'s>,
    depth: usize,
}

impl<'de> MapAccess<'de> for StructFields<'_, 'de, '_> {
    type Error = SerializationError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        while let Some(&name) = self.fields.get(self.next) {
            self.next += 1;
            if let Some(i) = self.rec.schema.field_index(name) {
                self.current = i;
                return seed.deserialize(BorrowedStrDeserializer::new(name)).map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value> {
        self.ctx.budget.charge()?;
        let schema = &self.rec.schema;
        let fd = &schema.fields()[self.current];
        seed.deserialize(ValueDe {
            kind: fd.kind(),
            slot: self.rec.slot(fd)?,
            type_name: schema.type_name(),
            field: fd.name(),
            ctx: self.ctx,
            depth: self.depth,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.fields.len() - self.next)
    }
}

/// Every field of the record (for maps and self-describing reads).
struct AllFields<'r, 'a, 's> {
    rec: &'r Record<'a>,
    next: usize,
    ctx: Ctx<'s>,
    depth: usize,
}

impl<'de> MapAccess<'de> for AllFields<'_, 'de, '_> {
    type Error = SerializationError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        match self.rec.schema.fields().get(self.next) {
            Some(fd) => seed.deserialize(StrDeserializer::new(fd.name())).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value> {
        let schema = &self.rec.schema;
        let fd = schema
            .fields()
            .get(self.next)
            .ok_or(SerializationError::malformed("value without a key"))?;
        self.next += 1;
        self.ctx.budget.charge()?;
        seed.deserialize(ValueDe {
            kind: fd.kind(),
            slot: self.rec.slot(fd)?,
            type_name: schema.type_name(),
            field: fd.name(),
            ctx: self.ctx,
            depth: self.depth,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.rec.schema.fields().len() - self.next)
    }
}

/// One value (a field, or an item of an array field) of a known kind.
struct ValueDe<'a, 'r> {
    kind: FieldKind,
    slot: Slot<'a>,
    type_name: &'r str,
    field: &'r str,
    ctx: Ctx<'r>,
    depth: usize,
}

impl<'a> ValueDe<'a, '_> {
    fn mismatch(&self, expected: FieldKind) -> SerializationError {
        SerializationError::KindMismatch {
            type_name: self.type_name.to_owned(),
            field: self.field.to_owned(),
            expected,
            actual: self.kind,
        }
    }

    fn null(&self) -> SerializationError {
        SerializationError::UnexpectedNull {
            type_name: self.type_name.to_owned(),
            field: self.field.to_owned(),
        }
    }

    fn unsupported(&self, what: Unsupported) -> SerializationError {
        SerializationError::Unsupported {
            path: format!("{}.{}", self.type_name, self.field),
            what,
        }
    }

    /// The bytes of a variable-size value of exactly `kind`.
    fn var(&self, kind: FieldKind) -> Result<&'a [u8]> {
        if self.kind != kind {
            return Err(self.mismatch(kind));
        }
        match self.slot {
            Slot::Var(Some(b)) => Ok(b),
            Slot::Var(None) => Err(self.null()),
            _ => Err(SerializationError::malformed("inconsistent schema layout")),
        }
    }

    /// The bytes of a fixed-size value the Rust type reads as `rust`.
    fn fixed<const N: usize>(&self, rust: FieldKind) -> Result<[u8; N]> {
        if !rust.reads(self.kind) {
            return Err(self.mismatch(rust));
        }
        let bytes = match self.slot {
            Slot::Fixed(b) | Slot::Var(Some(b)) => b,
            Slot::Var(None) => return Err(self.null()),
            Slot::Bit(_) => return Err(SerializationError::malformed("inconsistent schema layout")),
        };
        bytes
            .get(..N)
            .and_then(|b| b.try_into().ok())
            .ok_or(SerializationError::malformed(
                "a value runs past the end of its data",
            ))
    }

    fn boolean(&self) -> Result<bool> {
        if !FieldKind::Boolean.reads(self.kind) {
            return Err(self.mismatch(FieldKind::Boolean));
        }
        match self.slot {
            Slot::Bit(b) => Ok(b),
            Slot::Var(Some(b)) => Ok(b.first().is_some_and(|b| *b != 0)),
            Slot::Var(None) => Err(self.null()),
            Slot::Fixed(_) => Err(SerializationError::malformed("inconsistent schema layout")),
        }
    }

    fn string(&self) -> Result<&'a str> {
        Input::new(self.var(FieldKind::String)?)
            .string()?
            .ok_or_else(|| self.null())
    }

    fn items(&self) -> Result<(FieldKind, Items<'a>)> {
        let Some(item) = self.kind.item_kind() else {
            return Err(SerializationError::KindMismatch {
                type_name: self.type_name.to_owned(),
                field: self.field.to_owned(),
                expected: self.kind.array_of().unwrap_or(FieldKind::ArrayOfCompact),
                actual: self.kind,
            });
        };
        Ok((item, Items::parse(item, self.var(self.kind)?)?))
    }

    fn record(&self) -> Result<RecordDe<'a, '_>> {
        let bytes = self.var(FieldKind::Compact)?;
        if self.depth >= MAX_DEPTH {
            return Err(SerializationError::TooDeep { limit: MAX_DEPTH });
        }
        Ok(RecordDe {
            rec: Record::nested(self.ctx.registry, bytes)?,
            ctx: self.ctx,
            depth: self.depth + 1,
        })
    }
}

macro_rules! fixed_method {
    ($($method:ident => $kind:ident, $t:ty, $visit:ident;)*) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
            v.$visit(<$t>::from_be_bytes(self.fixed(FieldKind::$kind)?))
        }
    )*};
}

macro_rules! unsupported_method {
    ($what:ident: $($method:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, _v: V) -> Result<V::Value> {
            Err(self.unsupported(Unsupported::$what))
        }
    )*};
}

impl<'de> Deserializer<'de> for ValueDe<'de, '_> {
    type Error = SerializationError;

    fixed_method! {
        deserialize_i8 => Int8, i8, visit_i8;
        deserialize_u8 => Int8, u8, visit_u8;
        deserialize_i16 => Int16, i16, visit_i16;
        deserialize_i32 => Int32, i32, visit_i32;
        deserialize_i64 => Int64, i64, visit_i64;
        deserialize_f32 => Float32, f32, visit_f32;
        deserialize_f64 => Float64, f64, visit_f64;
    }

    unsupported_method!(Unsigned: deserialize_u16, deserialize_u32, deserialize_u64);
    unsupported_method!(Int128: deserialize_i128, deserialize_u128);
    unsupported_method!(Char: deserialize_char);
    unsupported_method!(Unit: deserialize_unit);

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        v.visit_bool(self.boolean()?)
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        v.visit_borrowed_str(self.string()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        self.deserialize_str(v)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        self.deserialize_str(v)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        let mut input = Input::new(self.var(FieldKind::ArrayOfInt8)?);
        let n = input.len(1)?.ok_or_else(|| self.null())?;
        v.visit_borrowed_bytes(input.bytes(n)?)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        self.deserialize_bytes(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        match self.slot {
            Slot::Var(None) => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _n: &'static str, _v: V) -> Result<V::Value> {
        Err(self.unsupported(Unsupported::Unit))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, v: V) -> Result<V::Value> {
        match marker::marker_kind(name) {
            Some(kind) => {
                let bytes = self.var(kind)?;
                let len = marker::validated_len(kind, bytes)?;
                v.visit_newtype_struct(BytesDe(&bytes[..len]))
            }
            None => v.visit_newtype_struct(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        let (item, items) = self.items()?;
        v.visit_seq(ItemsDe {
            items,
            next: 0,
            item,
            array: self.kind,
            type_name: self.type_name,
            field: self.field,
            ctx: self.ctx,
            depth: self.depth,
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _n: &'static str,
        _l: usize,
        _v: V,
    ) -> Result<V::Value> {
        Err(self.unsupported(Unsupported::TupleStruct))
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        if self.kind != FieldKind::Compact {
            return Err(self.unsupported(Unsupported::Map));
        }
        self.record()?.deserialize_map(v)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value> {
        self.record()?.deserialize_struct(name, fields, v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value> {
        v.visit_enum(BorrowedStrDeserializer::<SerializationError>::new(self.string()?))
    }

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        if let Slot::Var(None) = self.slot {
            return v.visit_none();
        }
        match self.kind.non_nullable() {
            FieldKind::Boolean => self.deserialize_bool(v),
            FieldKind::Int8 => self.deserialize_i8(v),
            FieldKind::Int16 => self.deserialize_i16(v),
            FieldKind::Int32 => self.deserialize_i32(v),
            FieldKind::Int64 => self.deserialize_i64(v),
            FieldKind::Float32 => self.deserialize_f32(v),
            FieldKind::Float64 => self.deserialize_f64(v),
            FieldKind::String => self.deserialize_str(v),
            FieldKind::Compact => self.deserialize_map(v),
            FieldKind::Decimal => {
                v.visit_string(crate::Decimal::read(&mut Input::new(self.var(self.kind)?))?.to_string())
            }
            FieldKind::Date => {
                v.visit_string(crate::Date::read(&mut Input::new(self.var(self.kind)?))?.to_string())
            }
            FieldKind::Time => {
                v.visit_string(crate::Time::read(&mut Input::new(self.var(self.kind)?))?.to_string())
            }
            FieldKind::Timestamp => {
                v.visit_string(crate::Timestamp::read(&mut Input::new(self.var(self.kind)?))?.to_string())
            }
            FieldKind::TimestampWithTimezone => v.visit_string(
                crate::TimestampWithTimezone::read(&mut Input::new(self.var(self.kind)?))?.to_string(),
            ),
            _ => self.deserialize_seq(v),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        v.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        false
    }
}

/// The items of an array field.
struct ItemsDe<'a, 'r> {
    items: Items<'a>,
    next: usize,
    item: FieldKind,
    array: FieldKind,
    type_name: &'r str,
    field: &'r str,
    ctx: Ctx<'r>,
    depth: usize,
}

impl<'de> SeqAccess<'de> for ItemsDe<'de, '_> {
    type Error = SerializationError;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>> {
        if self.next >= self.items.count() {
            return Ok(None);
        }
        self.ctx.budget.charge()?;
        let slot = self.items.get(self.next)?;
        self.next += 1;
        let value = seed.deserialize(ValueDe {
            kind: self.item,
            slot,
            type_name: self.type_name,
            field: self.field,
            ctx: self.ctx,
            depth: self.depth,
        });
        value.map(Some).map_err(|e| match e {
            // Name the array kinds, not the item kinds.
            SerializationError::KindMismatch {
                type_name,
                field,
                expected,
                actual,
            } if actual == self.item => SerializationError::KindMismatch {
                type_name,
                field,
                expected: expected.array_of().unwrap_or(expected),
                actual: self.array,
            },
            other => other,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.count() - self.next)
    }
}
