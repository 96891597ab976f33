//! Finding the Compact schema of a Rust type from its serde `Deserialize` implementation.
//!
//! serde's `Serialize` does not say which kind a `None` would have had, so the schema is taken
//! from the type instead: its `Deserialize` implementation is run against a deserializer that
//! records which method each field asks for (`deserialize_i32` → `INT32`, `deserialize_option` →
//! the nullable kind, `deserialize_seq` → the array kind, `deserialize_struct` → `COMPACT` and the
//! nested struct's own schema) and hands it a sample value. Two situations need another pass:
//! a struct that contains itself (through `Option` or `Vec`: the next pass gives `None` or an
//! empty sequence at that place), and serde aliases (listed among the field names; the next pass
//! leaves the alias out).

use std::collections::HashSet;

use serde::Deserialize;
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::compact::plan::{PlannedSchema, TypeNames, TypePlan};
use crate::error::{SerializationError, Unsupported};
use crate::kind::FieldKind;
use crate::marker;
use crate::schema::Schema;
use std::sync::Arc;

type Result<T> = std::result::Result<T, SerializationError>;

/// Passes before giving up (each pass resolves one recursion or one alias).
const MAX_PASSES: usize = 64;

/// What earlier passes learned.
#[derive(Default)]
struct Memo {
    /// Paths where a struct refers to itself: give `None` / an empty sequence there.
    recursive: HashSet<String>,
    /// (struct, name) pairs not to yield (serde aliases).
    skip: HashSet<(&'static str, &'static str)>,
    /// (struct, name) pairs to yield before the other names (primary names listed after an
    /// alias).
    first: HashSet<(&'static str, &'static str)>,
}

struct Traced {
    serde_name: &'static str,
    fields: Vec<(&'static str, FieldKind)>,
}

struct State<'m> {
    memo: &'m mut Memo,
    structs: Vec<Traced>,
    stack: Vec<&'static str>,
    path: Vec<&'static str>,
    root: Option<&'static str>,
    retry: bool,
}

impl State<'_> {
    fn path_key(&self) -> String {
        self.path.join(".")
    }

    fn unsupported(&self, what: Unsupported) -> SerializationError {
        let mut path = self.stack.last().copied().unwrap_or("").to_owned();
        if let Some(field) = self.path.last() {
            path.push('.');
            path.push_str(field);
        }
        SerializationError::Unsupported { path, what }
    }

    fn again(&mut self) -> SerializationError {
        self.retry = true;
        SerializationError::Custom {
            message: "schema tracing restarts".to_owned(),
        }
    }

    fn trace_struct<'de, V: Visitor<'de>>(
        &mut self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        if self.stack.contains(&name) {
            let key = self.path_key();
            if !self.memo.recursive.insert(key) {
                return Err(self.unsupported(Unsupported::InfiniteRecursion));
            }
            return Err(self.again());
        }
        let mut keys: Vec<&'static str> = fields
            .iter()
            .copied()
            .filter(|f| !self.memo.skip.contains(&(name, *f)))
            .collect();
        keys.sort_by_key(|f| !self.memo.first.contains(&(name, *f)));
        self.stack.push(name);
        let mut access = StructTrace {
            st: self,
            keys,
            next: 0,
            last: "",
            out: Vec::new(),
        };
        let result = visitor.visit_map(&mut access);
        let (last, out) = (access.last, access.out);
        self.stack.pop();
        match result {
            Ok(v) => {
                self.record(name, out)?;
                Ok(v)
            }
            Err(SerializationError::DuplicateField { field }) if !self.retry => {
                if last == field {
                    self.memo.first.insert((name, field));
                } else {
                    self.memo.skip.insert((name, last));
                }
                Err(self.again())
            }
            Err(e) => Err(e),
        }
    }

    fn record(&mut self, serde_name: &'static str, fields: Vec<(&'static str, FieldKind)>) -> Result<()> {
        match self.structs.iter().find(|t| t.serde_name == serde_name) {
            Some(t) if t.fields == fields => Ok(()),
            Some(_) => Err(SerializationError::Unsupported {
                path: serde_name.to_owned(),
                what: Unsupported::ConflictingShapes,
            }),
            None => {
                self.structs.push(Traced { serde_name, fields });
                Ok(())
            }
        }
    }
}

/// The schemas of `T` and of the structs nested in it.
pub(crate) fn plan_for<'de, T: Deserialize<'de>>(names: &TypeNames) -> Result<TypePlan> {
    let mut memo = Memo::default();
    for _ in 0..MAX_PASSES {
        let mut st = State {
            memo: &mut memo,
            structs: Vec::new(),
            stack: Vec::new(),
            path: Vec::new(),
            root: None,
            retry: false,
        };
        let result = T::deserialize(RootTracer { st: &mut st });
        match result {
            Ok(_) => return build(st.root, st.structs, names),
            Err(_) if st.retry => continue,
            Err(e) => return Err(e),
        }
    }
    Err(SerializationError::Unsupported {
        path: std::any::type_name::<T>().to_owned(),
        what: Unsupported::InfiniteRecursion,
    })
}

fn build(root: Option<&'static str>, mut structs: Vec<Traced>, names: &TypeNames) -> Result<TypePlan> {
    let Some(root_at) = root.and_then(|r| structs.iter().position(|t| t.serde_name == r)) else {
        return Err(SerializationError::Unsupported {
            path: String::new(),
            what: Unsupported::NotAStruct,
        });
    };
    let root = structs.remove(root_at);
    structs.insert(0, root);
    let mut schemas = Vec::with_capacity(structs.len());
    for t in structs {
        let schema = Schema::new(names.resolve(t.serde_name), t.fields.iter().copied())?;
        let write_order = t
            .fields
            .iter()
            .filter_map(|(name, _)| schema.field_index(name))
            .collect();
        schemas.push(PlannedSchema {
            serde_name: t.serde_name,
            schema: Arc::new(schema),
            write_order,
        });
    }
    Ok(TypePlan::new(schemas))
}

struct RootTracer<'t, 'm> {
    st: &'t mut State<'m>,
}

impl<'de> Deserializer<'de> for RootTracer<'_, '_> {
    type Error = SerializationError;

    fn deserialize_any<V: Visitor<'de>>(self, _v: V) -> Result<V::Value> {
        Err(self.st.unsupported(Unsupported::NotAStruct))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value> {
        self.st.root = Some(name);
        self.st.trace_struct(name, fields, v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, v: V) -> Result<V::Value> {
        if marker::marker_kind(name).is_some() {
            return Err(self.st.unsupported(Unsupported::NotAStruct));
        }
        v.visit_newtype_struct(self)
    }

    fn is_human_readable(&self) -> bool {
        false
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

struct StructTrace<'t, 'm> {
    st: &'t mut State<'m>,
    keys: Vec<&'static str>,
    next: usize,
    last: &'static str,
    out: Vec<(&'static str, FieldKind)>,
}

impl<'de> MapAccess<'de> for StructTrace<'_, '_> {
    type Error = SerializationError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some(&key) = self.keys.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        self.last = key;
        seed.deserialize(BorrowedStrDeserializer::new(key)).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value> {
        self.st.path.push(self.last);
        let mut kind = None;
        let value = seed.deserialize(FieldTracer {
            st: self.st,
            out: &mut kind,
            in_option: false,
        });
        let kind = match (value.is_ok(), kind) {
            (true, None) => Err(self.st.unsupported(Unsupported::Unit)),
            (_, k) => Ok(k),
        };
        self.st.path.pop();
        let value = value?;
        if let Some(k) = kind? {
            self.out.push((self.last, k));
        }
        Ok(value)
    }
}

struct FieldTracer<'t, 'm> {
    st: &'t mut State<'m>,
    out: &'t mut Option<FieldKind>,
    in_option: bool,
}

impl FieldTracer<'_, '_> {
    fn set(&mut self, kind: FieldKind) {
        *self.out = Some(kind);
    }

    fn fail<T>(self, what: Unsupported) -> Result<T> {
        Err(self.st.unsupported(what))
    }

    fn array<'de, V: Visitor<'de>>(mut self, len: Option<usize>, v: V) -> Result<V::Value> {
        self.st.path.push("[]");
        let key = self.st.path_key();
        let result = if self.st.memo.recursive.contains(&key) {
            self.set(FieldKind::ArrayOfCompact);
            v.visit_seq(SeqTrace {
                st: self.st,
                item: &mut None,
                remaining: 0,
            })
        } else {
            let mut item = None;
            let r = v.visit_seq(SeqTrace {
                st: self.st,
                item: &mut item,
                remaining: len.unwrap_or(1),
            });
            match item.map(|k| (k, k.array_of())) {
                Some((_, Some(array))) => self.set(array),
                Some((_, None)) if r.is_ok() => {
                    self.st.path.pop();
                    return self.fail(Unsupported::NestedArray);
                }
                _ => {}
            }
            r
        };
        self.st.path.pop();
        result
    }
}

macro_rules! trace_primitive {
    ($($method:ident => $kind:ident, $visit:ident($sample:expr);)*) => {$(
        fn $method<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value> {
            self.set(FieldKind::$kind);
            v.$visit($sample)
        }
    )*};
}

impl<'de> Deserializer<'de> for FieldTracer<'_, '_> {
    type Error = SerializationError;

    trace_primitive! {
        deserialize_bool => Boolean, visit_bool(false);
        deserialize_i8 => Int8, visit_i8(1);
        deserialize_u8 => Int8, visit_u8(1);
        deserialize_i16 => Int16, visit_i16(1);
        deserialize_i32 => Int32, visit_i32(1);
        deserialize_i64 => Int64, visit_i64(1);
        deserialize_f32 => Float32, visit_f32(1.0);
        deserialize_f64 => Float64, visit_f64(1.0);
        deserialize_str => String, visit_borrowed_str("");
        deserialize_string => String, visit_borrowed_str("");
        deserialize_bytes => ArrayOfInt8, visit_borrowed_bytes(&[]);
        deserialize_byte_buf => ArrayOfInt8, visit_borrowed_bytes(&[]);
    }

    fn deserialize_u16<V: Visitor<'de>>(self, _v: V) -> Result<V::Value> {
        self.fail(Unsupported::Unsigned)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, _v: V) -> Result<V::Value> {
        self.fail(Unsupported::Unsigned)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, _v: V) -> Result<V::Value> {
        self.fail(Unsupported::Unsigned)
    }
    fn deserialize_i128<V: Visitor<'de>>(self, _v: V) -> Result<V::Value> {
        self.fail(Unsupported::Int128)
    }
    fn deserialize_u128<V: Visitor<'de>>(self, _v: V) -> Result<V::Value> {
        self.fail(Unsupported::Int128)
    }
    fn deserialize_char<V: Visitor<'de>>(self, _v: V) -> Result<V::Value> {
        self.fail(Unsupported::Char)
    }
    fn deserialize_any<V: Visitor<'de>>(self, _v: V) -> Result<V::Value> {
        self.fail(Unsupported::SelfDescribing)
    }
    fn deserialize_unit<V: Visitor<'de>>(self, _v: V) -> Result<V::Value> {
        self.fail(Unsupported::Unit)
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(self, _n: &'static str, _v: V) -> Result<V::Value> {
        self.fail(Unsupported::Unit)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _n: &'static str,
        _l: usize,
        _v: V,
    ) -> Result<V::Value> {
        self.fail(Unsupported::TupleStruct)
    }
    fn deserialize_map<V: Visitor<'de>>(self, _v: V) -> Result<V::Value> {
        self.fail(Unsupported::Map)
    }

    fn deserialize_option<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value> {
        if self.in_option {
            return self.fail(Unsupported::NestedOption);
        }
        if self.st.memo.recursive.contains(&self.st.path_key()) {
            self.set(FieldKind::Compact);
            return v.visit_none();
        }
        let mut inner = None;
        let r = v.visit_some(FieldTracer {
            st: self.st,
            out: &mut inner,
            in_option: true,
        });
        if let Some(k) = inner {
            self.set(k.nullable());
        }
        r
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(mut self, name: &'static str, v: V) -> Result<V::Value> {
        match marker::marker_kind(name) {
            Some(kind) => {
                self.set(kind);
                let sample = marker::sample_bytes(kind);
                v.visit_newtype_struct(BytesDe(sample.as_slice()))
            }
            None => v.visit_newtype_struct(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        self.array(None, v)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value> {
        self.array(Some(len), v)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value> {
        self.set(FieldKind::Compact);
        self.st.trace_struct(name, fields, v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        mut self,
        _name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value> {
        self.set(FieldKind::String);
        match variants.first() {
            Some(first) => v.visit_enum(UnitEnum {
                variant: first,
                st: self.st,
            }),
            None => self.fail(Unsupported::EnumWithData),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        v.visit_borrowed_str("")
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        v.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        false
    }
}

struct SeqTrace<'t, 'm> {
    st: &'t mut State<'m>,
    item: &'t mut Option<FieldKind>,
    remaining: usize,
}

impl<'de> SeqAccess<'de> for SeqTrace<'_, '_> {
    type Error = SerializationError;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>> {
        if self.remaining == 0 {
            return Ok(None);
        }
        self.remaining -= 1;
        let mut kind = None;
        let value = seed.deserialize(FieldTracer {
            st: self.st,
            out: &mut kind,
            in_option: false,
        })?;
        if let (Some(prev), Some(k)) = (*self.item, kind)
            && prev != k
        {
            return Err(self.st.unsupported(Unsupported::ConflictingShapes));
        }
        *self.item = kind.or(*self.item);
        Ok(Some(value))
    }
}

/// Chooses the first variant of an enum, which must be a unit variant.
struct UnitEnum<'t, 'm> {
    variant: &'static str,
    st: &'t mut State<'m>,
}

impl<'de, 't, 'm> de::EnumAccess<'de> for UnitEnum<'t, 'm> {
    type Error = SerializationError;
    type Variant = UnitVariant<'t, 'm>;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self::Variant)> {
        let v = seed.deserialize(BorrowedStrDeserializer::<SerializationError>::new(self.variant))?;
        Ok((v, UnitVariant { st: self.st }))
    }
}

struct UnitVariant<'t, 'm> {
    st: &'t mut State<'m>,
}

impl<'de> de::VariantAccess<'de> for UnitVariant<'_, '_> {
    type Error = SerializationError;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }
    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, _seed: S) -> Result<S::Value> {
        Err(self.st.unsupported(Unsupported::EnumWithData))
    }
    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _v: V) -> Result<V::Value> {
        Err(self.st.unsupported(Unsupported::EnumWithData))
    }
    fn struct_variant<V: Visitor<'de>>(self, _f: &'static [&'static str], _v: V) -> Result<V::Value> {
        Err(self.st.unsupported(Unsupported::EnumWithData))
    }
}

/// Hands out bytes to a value type's `Deserialize` (the inside of a marker newtype).
pub(crate) struct BytesDe<'b>(pub(crate) &'b [u8]);

impl<'de> Deserializer<'de> for BytesDe<'_> {
    type Error = SerializationError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value> {
        v.visit_bytes(self.0)
    }

    fn is_human_readable(&self) -> bool {
        false
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}
