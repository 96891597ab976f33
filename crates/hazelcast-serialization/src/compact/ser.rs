//! A serde `Serializer` that writes a Rust struct as a Compact record with its planned schema.
//!
//! Fixed-size fields go to their place in the fixed-size section whatever the order serde writes
//! them in; variable-size fields are written in the order serde writes them (the struct's
//! declaration order), which the offset table records.

use serde::Serialize;
use serde::ser::{Impossible, SerializeSeq, SerializeStruct, SerializeTuple, Serializer};

use crate::compact::capture::RawCapture;
use crate::compact::encoder::{ArrayState, Encoder, RecordState};
use crate::compact::plan::{PlannedSchema, TypePlan};
use crate::error::{SerializationError, Unsupported};
use crate::kind::{FieldKind, Storage};
use crate::marker;
use crate::schema::FieldDescriptor;

type Result<T> = std::result::Result<T, SerializationError>;

/// Writes the top-level struct: its schema id, then the record.
pub(crate) struct RootSer<'a> {
    pub(crate) enc: &'a mut Encoder,
    pub(crate) plan: &'a TypePlan,
}

impl RootSer<'_> {
    fn not_a_struct(&self) -> SerializationError {
        SerializationError::Unsupported {
            path: self.plan.root().schema.type_name().to_owned(),
            what: Unsupported::NotAStruct,
        }
    }
}

impl<'a> Serializer for RootSer<'a> {
    type Ok = ();
    type Error = SerializationError;
    type SerializeSeq = Impossible<(), SerializationError>;
    type SerializeTuple = Impossible<(), SerializationError>;
    type SerializeStruct = RecordSer<'a>;
    impossible_compounds!();

    reject! { not_a_struct;
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32);
        serialize_i64(i64); serialize_u8(u8); serialize_u16(u16); serialize_u32(u32);
        serialize_u64(u64); serialize_f32(f32); serialize_f64(f64); serialize_char(char);
        serialize_str(&str); serialize_bytes(&[u8]); serialize_none(); serialize_unit();
        serialize_unit_struct(&'static str); serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn serialize_some<T: ?Sized + Serialize>(self, _v: &T) -> Result<()> {
        Err(self.not_a_struct())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, name: &'static str, v: &T) -> Result<()> {
        if marker::marker_kind(name).is_some() {
            return Err(self.not_a_struct());
        }
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _n: &'static str,
        _i: u32,
        _v: &'static str,
        _value: &T,
    ) -> Result<()> {
        Err(self.not_a_struct())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(self.not_a_struct())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(self.not_a_struct())
    }
    fn serialize_tuple_struct(self, _n: &'static str, _l: usize) -> Result<Self::SerializeTupleStruct> {
        Err(self.not_a_struct())
    }
    fn serialize_tuple_variant(
        self,
        _n: &'static str,
        _i: u32,
        _v: &'static str,
        _l: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(self.not_a_struct())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(self.not_a_struct())
    }
    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<RecordSer<'a>> {
        let ps = self.plan.root();
        if ps.serde_name != name {
            return Err(SerializationError::Unsupported {
                path: name.to_owned(),
                what: Unsupported::ConflictingShapes,
            });
        }
        self.enc.put_i64(ps.schema.id());
        Ok(RecordSer::begin(self.enc, self.plan, ps))
    }
    fn serialize_struct_variant(
        self,
        _n: &'static str,
        _i: u32,
        _v: &'static str,
        _l: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(self.not_a_struct())
    }
    fn is_human_readable(&self) -> bool {
        false
    }
}

/// A record being written.
pub(crate) struct RecordSer<'a> {
    enc: &'a mut Encoder,
    plan: &'a TypePlan,
    ps: &'a PlannedSchema,
    st: RecordState,
    written: usize,
}

impl<'a> RecordSer<'a> {
    fn begin(enc: &'a mut Encoder, plan: &'a TypePlan, ps: &'a PlannedSchema) -> Self {
        let st = enc.begin_record(&ps.schema);
        RecordSer {
            enc,
            plan,
            ps,
            st,
            written: 0,
        }
    }
}

impl SerializeStruct for RecordSer<'_> {
    type Ok = ();
    type Error = SerializationError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<()> {
        let schema = &self.ps.schema;
        let index =
            self.ps
                .field_index(self.written, key)
                .ok_or_else(|| SerializationError::FieldNotInSchema {
                    type_name: schema.type_name().to_owned(),
                    field: key.to_owned(),
                })?;
        self.written += 1;
        let fd = &schema.fields()[index];
        value.serialize(ValueSer {
            enc: &mut *self.enc,
            plan: self.plan,
            kind: fd.kind(),
            target: Target::Field {
                st: &mut self.st,
                fd,
                index,
            },
            type_name: schema.type_name(),
            field: key,
        })
    }

    fn skip_field(&mut self, _key: &'static str) -> Result<()> {
        self.written += 1;
        Ok(())
    }

    fn end(self) -> Result<()> {
        if let Some(fd) = self.enc.unwritten(&self.st, &self.ps.schema) {
            return Err(SerializationError::FieldNotWritten {
                type_name: self.ps.schema.type_name().to_owned(),
                field: fd.name().to_owned(),
            });
        }
        self.enc.end_record(self.st)
    }
}

/// Where a value goes: a field of a record or the next item of an array.
enum Target<'b> {
    Field {
        st: &'b mut RecordState,
        fd: &'b FieldDescriptor,
        index: usize,
    },
    Item {
        arr: &'b mut ArrayState,
    },
}

/// Writes one value of a known kind.
struct ValueSer<'b> {
    enc: &'b mut Encoder,
    plan: &'b TypePlan,
    kind: FieldKind,
    target: Target<'b>,
    type_name: &'b str,
    field: &'b str,
}

impl<'b> ValueSer<'b> {
    fn mismatch(&self, expected: FieldKind) -> SerializationError {
        SerializationError::KindMismatch {
            type_name: self.type_name.to_owned(),
            field: self.field.to_owned(),
            expected,
            actual: self.kind,
        }
    }

    fn cannot(&self) -> SerializationError {
        SerializationError::CannotWrite {
            type_name: self.type_name.to_owned(),
            field: self.field.to_owned(),
            kind: self.kind,
        }
    }

    fn unsupported(&self, what: Unsupported) -> SerializationError {
        SerializationError::Unsupported {
            path: format!("{}.{}", self.type_name, self.field),
            what,
        }
    }

    fn unsigned(&self) -> SerializationError {
        self.unsupported(Unsupported::Unsigned)
    }
    fn int128(&self) -> SerializationError {
        self.unsupported(Unsupported::Int128)
    }
    fn unit(&self) -> SerializationError {
        self.unsupported(Unsupported::Unit)
    }

    /// Points the target at the current position for a variable-size value.
    fn begin_var(&mut self, compact_schema: Option<i64>) -> Result<()> {
        match &mut self.target {
            Target::Field { st, fd, .. } => self.enc.begin_var(st, fd),
            Target::Item { arr } => {
                if self.enc.push_var(arr, compact_schema)? {
                    Ok(())
                } else {
                    Err(SerializationError::MixedArray {
                        field: self.field.to_owned(),
                    })
                }
            }
        }
    }

    fn var(mut self, write: impl FnOnce(&mut Encoder) -> Result<()>) -> Result<()> {
        self.begin_var(None)?;
        write(self.enc)
    }

    /// A fixed-size value whose Rust type reads and writes `rust` (or its nullable kind).
    fn primitive(self, rust: FieldKind, bytes: &[u8]) -> Result<()> {
        if self.kind == rust {
            match self.target {
                Target::Field { st, fd, index } => self.enc.write_fixed(st, index, fd, bytes),
                Target::Item { arr } => self.enc.push_fixed(arr, bytes),
            }
            Ok(())
        } else if self.kind == rust.nullable() {
            self.var(|enc| {
                enc.put(bytes);
                Ok(())
            })
        } else {
            Err(self.mismatch(rust))
        }
    }

    fn null(self) -> Result<()> {
        if self.kind.storage() != Storage::Variable {
            return Err(self.cannot());
        }
        if let Target::Item { arr } = self.target {
            self.enc.push_null(arr);
        }
        Ok(())
    }

    fn array(mut self, len: Option<usize>) -> Result<ArraySer<'b>> {
        let Some(item) = self.kind.item_kind() else {
            return Err(self.cannot());
        };
        self.begin_var(None)?;
        let arr = match item.storage() {
            Storage::Bit => self.enc.begin_fixed_array(true),
            Storage::Fixed(size) => {
                let arr = self.enc.begin_fixed_array(false);
                self.enc.buf.reserve(len.unwrap_or(0) * size);
                arr
            }
            Storage::Variable => self.enc.begin_var_array(),
        };
        Ok(ArraySer {
            enc: self.enc,
            plan: self.plan,
            item,
            arr,
            type_name: self.type_name,
            field: self.field,
        })
    }
}

impl<'b> Serializer for ValueSer<'b> {
    type Ok = ();
    type Error = SerializationError;
    type SerializeSeq = ArraySer<'b>;
    type SerializeTuple = ArraySer<'b>;
    type SerializeStruct = RecordSer<'b>;
    impossible_compounds!();

    fn serialize_bool(mut self, v: bool) -> Result<()> {
        match self.kind {
            FieldKind::Boolean => {
                match self.target {
                    Target::Field { st, fd, index } => self.enc.write_bit(st, index, fd, v),
                    Target::Item { arr } => self.enc.push_bit(arr, v),
                }
                Ok(())
            }
            FieldKind::NullableBoolean => {
                self.begin_var(None)?;
                self.enc.put(&[u8::from(v)]);
                Ok(())
            }
            _ => Err(self.mismatch(FieldKind::Boolean)),
        }
    }
    fn serialize_i8(self, v: i8) -> Result<()> {
        self.primitive(FieldKind::Int8, &v.to_be_bytes())
    }
    fn serialize_u8(self, v: u8) -> Result<()> {
        self.primitive(FieldKind::Int8, &[v])
    }
    fn serialize_i16(self, v: i16) -> Result<()> {
        self.primitive(FieldKind::Int16, &v.to_be_bytes())
    }
    fn serialize_i32(self, v: i32) -> Result<()> {
        self.primitive(FieldKind::Int32, &v.to_be_bytes())
    }
    fn serialize_i64(self, v: i64) -> Result<()> {
        self.primitive(FieldKind::Int64, &v.to_be_bytes())
    }
    fn serialize_f32(self, v: f32) -> Result<()> {
        self.primitive(FieldKind::Float32, &v.to_be_bytes())
    }
    fn serialize_f64(self, v: f64) -> Result<()> {
        self.primitive(FieldKind::Float64, &v.to_be_bytes())
    }

    reject! { unsigned; serialize_u16(u16); serialize_u32(u32); serialize_u64(u64); }
    reject! { int128; serialize_i128(i128); serialize_u128(u128); }
    reject! { unit; serialize_unit(); serialize_unit_struct(&'static str); }

    fn serialize_char(self, _v: char) -> Result<()> {
        Err(self.unsupported(Unsupported::Char))
    }

    fn serialize_str(self, v: &str) -> Result<()> {
        if self.kind != FieldKind::String {
            return Err(self.mismatch(FieldKind::String));
        }
        self.var(|enc| enc.put_str(v))
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        if self.kind != FieldKind::ArrayOfInt8 {
            return Err(self.mismatch(FieldKind::ArrayOfInt8));
        }
        self.var(|enc| {
            enc.put_i32(
                i32::try_from(v.len())
                    .map_err(|_| SerializationError::InvalidValue { what: "array length" })?,
            );
            enc.put(v);
            Ok(())
        })
    }

    fn serialize_none(self) -> Result<()> {
        self.null()
    }

    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Result<()> {
        v.serialize(self)
    }

    fn serialize_unit_variant(self, _n: &'static str, _i: u32, variant: &'static str) -> Result<()> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, name: &'static str, v: &T) -> Result<()> {
        match marker::marker_kind(name) {
            Some(kind) if kind == self.kind => self.var(|enc| v.serialize(RawCapture { enc })),
            Some(kind) => Err(self.mismatch(kind)),
            None => v.serialize(self),
        }
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _n: &'static str,
        _i: u32,
        _v: &'static str,
        _value: &T,
    ) -> Result<()> {
        Err(self.unsupported(Unsupported::EnumWithData))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<ArraySer<'b>> {
        self.array(len)
    }

    fn serialize_tuple(self, len: usize) -> Result<ArraySer<'b>> {
        self.array(Some(len))
    }

    fn serialize_tuple_struct(self, _n: &'static str, _l: usize) -> Result<Self::SerializeTupleStruct> {
        Err(self.unsupported(Unsupported::TupleStruct))
    }

    fn serialize_tuple_variant(
        self,
        _n: &'static str,
        _i: u32,
        _v: &'static str,
        _l: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(self.unsupported(Unsupported::EnumWithData))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(self.unsupported(Unsupported::Map))
    }

    fn serialize_struct(mut self, name: &'static str, _len: usize) -> Result<RecordSer<'b>> {
        if self.kind != FieldKind::Compact {
            return Err(self.mismatch(FieldKind::Compact));
        }
        let plan = self.plan;
        let ps = plan
            .by_serde_name(name)
            .ok_or_else(|| SerializationError::Unsupported {
                path: name.to_owned(),
                what: Unsupported::ConflictingShapes,
            })?;
        self.begin_var(Some(ps.schema.id()))?;
        self.enc.put_i64(ps.schema.id());
        Ok(RecordSer::begin(self.enc, plan, ps))
    }

    fn serialize_struct_variant(
        self,
        _n: &'static str,
        _i: u32,
        _v: &'static str,
        _l: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(self.unsupported(Unsupported::EnumWithData))
    }

    fn is_human_readable(&self) -> bool {
        false
    }
}

/// An array being written.
pub(crate) struct ArraySer<'b> {
    enc: &'b mut Encoder,
    plan: &'b TypePlan,
    item: FieldKind,
    arr: ArrayState,
    type_name: &'b str,
    field: &'b str,
}

impl SerializeSeq for ArraySer<'_> {
    type Ok = ();
    type Error = SerializationError;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        value.serialize(ValueSer {
            enc: &mut *self.enc,
            plan: self.plan,
            kind: self.item,
            target: Target::Item { arr: &mut self.arr },
            type_name: self.type_name,
            field: self.field,
        })
    }

    fn end(self) -> Result<()> {
        self.enc.end_array(self.arr)
    }
}

impl SerializeTuple for ArraySer<'_> {
    type Ok = ();
    type Error = SerializationError;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<()> {
        SerializeSeq::end(self)
    }
}
