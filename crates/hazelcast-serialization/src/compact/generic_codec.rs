//! Writing and reading [`GenericRecord`]s.

use crate::MAX_DEPTH;
use crate::compact::encoder::{ArrayState, Encoder, RecordState};
use crate::compact::record::{Budget, Items, Record, Slot};
use crate::decimal::Decimal;
use crate::error::SerializationError;
use crate::generic::{FieldValue, GenericRecord};
use crate::io::Input;
use crate::kind::FieldKind;
use crate::registry::SchemaRegistry;
use crate::schema::FieldDescriptor;
use crate::temporal::{Date, Time, Timestamp, TimestampWithTimezone};

type Result<T> = std::result::Result<T, SerializationError>;

/// Writes `[schema id][record]`, registering the schemas of the record and of its nested
/// records.
pub(crate) fn write_record(enc: &mut Encoder, registry: &SchemaRegistry, rec: &GenericRecord) -> Result<()> {
    let schema = rec.schema();
    registry.register(schema.clone())?;
    enc.put_i64(schema.id());
    let mut st = enc.begin_record(schema);
    for (i, (fd, value)) in schema.fields().iter().zip(rec.values()).enumerate() {
        write_field(enc, registry, &mut st, i, fd, value)?;
    }
    enc.end_record(st)
}

fn fixed_array<T, const N: usize>(
    enc: &mut Encoder,
    items: &[T],
    bytes: impl Fn(&T) -> [u8; N],
) -> Result<()> {
    let mut arr = enc.begin_fixed_array(false);
    enc.buf.reserve(items.len() * N);
    for item in items {
        enc.push_fixed(&mut arr, &bytes(item));
    }
    enc.end_array(arr)
}

fn var_array<T>(
    enc: &mut Encoder,
    field: &str,
    items: &[Option<T>],
    schema_of: impl Fn(&T) -> Option<i64>,
    mut write: impl FnMut(&mut Encoder, &T) -> Result<()>,
) -> Result<()> {
    let mut arr: ArrayState = enc.begin_var_array();
    for item in items {
        match item {
            None => enc.push_null(&mut arr),
            Some(v) => {
                if !enc.push_var(&mut arr, schema_of(v))? {
                    return Err(SerializationError::MixedArray {
                        field: field.to_owned(),
                    });
                }
                write(enc, v)?;
            }
        }
    }
    enc.end_array(arr)
}

/// The value types that write their own Compact bytes.
trait PutValue {
    fn put_value(&self, enc: &mut Encoder);
}

macro_rules! put_value {
    ($($t:ty),*) => {$(
        impl PutValue for $t {
            fn put_value(&self, enc: &mut Encoder) {
                self.put(&mut enc.buf);
            }
        }
    )*};
}
put_value!(Decimal, Time, Date, Timestamp, TimestampWithTimezone);

fn put(enc: &mut Encoder, v: &impl PutValue) -> Result<()> {
    v.put_value(enc);
    Ok(())
}

fn raw(enc: &mut Encoder, bytes: &[u8]) -> Result<()> {
    enc.put(bytes);
    Ok(())
}

fn no_schema<T>(_: &T) -> Option<i64> {
    None
}

fn write_field(
    enc: &mut Encoder,
    registry: &SchemaRegistry,
    st: &mut RecordState,
    index: usize,
    fd: &FieldDescriptor,
    value: &FieldValue,
) -> Result<()> {
    use FieldValue as V;
    let name = fd.name();
    macro_rules! fixed {
        ($v:expr) => {{
            enc.write_fixed(st, index, fd, &$v.to_be_bytes());
            Ok(())
        }};
    }
    macro_rules! var {
        ($opt:expr, |$e:ident, $x:ident| $body:expr) => {
            match $opt {
                None => Ok(()),
                Some($x) => {
                    enc.begin_var(st, fd)?;
                    let $e = &mut *enc;
                    $body
                }
            }
        };
    }
    match value {
        V::Boolean(b) => {
            enc.write_bit(st, index, fd, *b);
            Ok(())
        }
        V::Int8(v) => fixed!(v),
        V::Int16(v) => fixed!(v),
        V::Int32(v) => fixed!(v),
        V::Int64(v) => fixed!(v),
        V::Float32(v) => fixed!(v),
        V::Float64(v) => fixed!(v),
        V::String(v) => var!(v, |e, s| e.put_str(s)),
        V::Decimal(v) => var!(v, |e, d| put(e, d)),
        V::Time(v) => var!(v, |e, t| put(e, t)),
        V::Date(v) => var!(v, |e, d| put(e, d)),
        V::Timestamp(v) => var!(v, |e, t| put(e, t)),
        V::TimestampWithTimezone(v) => var!(v, |e, t| put(e, t)),
        V::Compact(v) => var!(v, |e, r| write_record(e, registry, r)),
        V::NullableBoolean(v) => var!(v, |e, b| raw(e, &[u8::from(*b)])),
        V::NullableInt8(v) => var!(v, |e, x| raw(e, &x.to_be_bytes())),
        V::NullableInt16(v) => var!(v, |e, x| raw(e, &x.to_be_bytes())),
        V::NullableInt32(v) => var!(v, |e, x| raw(e, &x.to_be_bytes())),
        V::NullableInt64(v) => var!(v, |e, x| raw(e, &x.to_be_bytes())),
        V::NullableFloat32(v) => var!(v, |e, x| raw(e, &x.to_be_bytes())),
        V::NullableFloat64(v) => var!(v, |e, x| raw(e, &x.to_be_bytes())),
        V::ArrayOfBoolean(v) => var!(v, |e, items| {
            let mut arr = e.begin_fixed_array(true);
            for b in items {
                e.push_bit(&mut arr, *b);
            }
            e.end_array(arr)
        }),
        V::ArrayOfInt8(v) => var!(v, |e, items| fixed_array(e, items, |x| x.to_be_bytes())),
        V::ArrayOfInt16(v) => var!(v, |e, items| fixed_array(e, items, |x| x.to_be_bytes())),
        V::ArrayOfInt32(v) => var!(v, |e, items| fixed_array(e, items, |x| x.to_be_bytes())),
        V::ArrayOfInt64(v) => var!(v, |e, items| fixed_array(e, items, |x| x.to_be_bytes())),
        V::ArrayOfFloat32(v) => var!(v, |e, items| fixed_array(e, items, |x| x.to_be_bytes())),
        V::ArrayOfFloat64(v) => var!(v, |e, items| fixed_array(e, items, |x| x.to_be_bytes())),
        V::ArrayOfString(v) => var!(v, |e, items| var_array(e, name, items, no_schema, |e, s| e
            .put_str(s))),
        V::ArrayOfDecimal(v) => var!(v, |e, items| var_array(e, name, items, no_schema, put)),
        V::ArrayOfTime(v) => var!(v, |e, items| var_array(e, name, items, no_schema, put)),
        V::ArrayOfDate(v) => var!(v, |e, items| var_array(e, name, items, no_schema, put)),
        V::ArrayOfTimestamp(v) => {
            var!(v, |e, items| var_array(e, name, items, no_schema, put))
        }
        V::ArrayOfTimestampWithTimezone(v) => {
            var!(v, |e, items| var_array(e, name, items, no_schema, put))
        }
        V::ArrayOfCompact(v) => var!(v, |e, items| var_array(
            e,
            name,
            items,
            |r: &GenericRecord| Some(r.schema().id()),
            |e, r| write_record(e, registry, r)
        )),
        V::ArrayOfNullableBoolean(v) => {
            var!(v, |e, items| var_array(e, name, items, no_schema, |e, b| raw(
                e,
                &[u8::from(*b)]
            )))
        }
        V::ArrayOfNullableInt8(v) => nullable_items(enc, st, fd, v.as_deref(), name),
        V::ArrayOfNullableInt16(v) => nullable_items(enc, st, fd, v.as_deref(), name),
        V::ArrayOfNullableInt32(v) => nullable_items(enc, st, fd, v.as_deref(), name),
        V::ArrayOfNullableInt64(v) => nullable_items(enc, st, fd, v.as_deref(), name),
        V::ArrayOfNullableFloat32(v) => nullable_items(enc, st, fd, v.as_deref(), name),
        V::ArrayOfNullableFloat64(v) => nullable_items(enc, st, fd, v.as_deref(), name),
    }
}

/// Numbers that write themselves big-endian.
trait BeBytes {
    fn put_be(&self, enc: &mut Encoder);
}

macro_rules! be_bytes {
    ($($t:ty),*) => {$(
        impl BeBytes for $t {
            fn put_be(&self, enc: &mut Encoder) {
                enc.put(&self.to_be_bytes());
            }
        }
    )*};
}
be_bytes!(i8, i16, i32, i64, f32, f64);

fn nullable_items<T: BeBytes>(
    enc: &mut Encoder,
    st: &RecordState,
    fd: &FieldDescriptor,
    items: Option<&[Option<T>]>,
    name: &str,
) -> Result<()> {
    let Some(items) = items else {
        return Ok(());
    };
    enc.begin_var(st, fd)?;
    var_array(enc, name, items, no_schema, |e, x| {
        x.put_be(e);
        Ok(())
    })
}

/// Reads a record whose schema id was already read.
pub(crate) fn read_record(rec: &Record<'_>, cx: &Cx<'_>, depth: usize) -> Result<GenericRecord> {
    let schema = rec.schema.clone();
    let mut values = Vec::with_capacity(schema.fields().len());
    for fd in schema.fields() {
        cx.budget.charge()?;
        values.push(read_field(fd.kind(), rec.slot(fd)?, cx, depth)?);
    }
    Ok(GenericRecord::from_parts(schema, values))
}

/// What reading a generic record needs besides the bytes.
pub(crate) struct Cx<'s> {
    pub(crate) registry: &'s SchemaRegistry,
    pub(crate) budget: &'s Budget,
}

fn nested(bytes: &[u8], cx: &Cx<'_>, depth: usize) -> Result<GenericRecord> {
    if depth >= MAX_DEPTH {
        return Err(SerializationError::TooDeep { limit: MAX_DEPTH });
    }
    read_record(&Record::nested(cx.registry, bytes)?, cx, depth + 1)
}

fn fixed<const N: usize>(slot: Slot<'_>) -> Result<[u8; N]> {
    let bytes = match slot {
        Slot::Fixed(b) | Slot::Var(Some(b)) => b,
        _ => return Err(SerializationError::malformed("inconsistent schema layout")),
    };
    bytes
        .get(..N)
        .and_then(|b| b.try_into().ok())
        .ok_or(SerializationError::malformed(
            "a value runs past the end of its data",
        ))
}

fn var(slot: Slot<'_>) -> Result<Option<&[u8]>> {
    match slot {
        Slot::Var(v) => Ok(v),
        _ => Err(SerializationError::malformed("inconsistent schema layout")),
    }
}

fn bit(slot: Slot<'_>) -> Result<bool> {
    match slot {
        Slot::Bit(b) => Ok(b),
        Slot::Var(Some(b)) => Ok(b.first().is_some_and(|b| *b != 0)),
        _ => Err(SerializationError::malformed("inconsistent schema layout")),
    }
}

/// Reads each item of an array into a `Vec`, allocating no more up front than a bounded amount.
fn items<T>(
    item: FieldKind,
    bytes: &[u8],
    budget: &Budget,
    mut read: impl FnMut(Slot<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let items = Items::parse(item, bytes)?;
    let mut out = Vec::with_capacity(items.count().min(4096));
    for i in 0..items.count() {
        budget.charge()?;
        out.push(read(items.get(i)?)?);
    }
    Ok(out)
}

fn read_field(kind: FieldKind, slot: Slot<'_>, cx: &Cx<'_>, depth: usize) -> Result<FieldValue> {
    use FieldKind as K;
    use FieldValue as V;
    macro_rules! nullable {
        ($variant:ident, $t:ty) => {
            V::$variant(
                var(slot)?
                    .map(|b| fixed(Slot::Fixed(b)).map(<$t>::from_be_bytes))
                    .transpose()?,
            )
        };
    }
    macro_rules! value {
        ($variant:ident, |$b:ident| $read:expr) => {
            V::$variant(var(slot)?.map(|$b| $read).transpose()?)
        };
    }
    macro_rules! array {
        ($variant:ident, $item:ident, |$s:ident| $read:expr) => {
            V::$variant(
                var(slot)?
                    .map(|b| items(K::$item, b, cx.budget, |$s| $read))
                    .transpose()?,
            )
        };
    }
    macro_rules! opt_items {
        ($variant:ident, $item:ident, |$b:ident| $read:expr) => {
            array!($variant, $item, |s| var(s)?.map(|$b| $read).transpose())
        };
    }
    let string = |b: &[u8]| -> Result<String> {
        Input::new(b)
            .string()?
            .map(str::to_owned)
            .ok_or(SerializationError::malformed(
                "null string behind a non-null offset",
            ))
    };
    Ok(match kind {
        K::Boolean => V::Boolean(bit(slot)?),
        K::Int8 => V::Int8(i8::from_be_bytes(fixed(slot)?)),
        K::Int16 => V::Int16(i16::from_be_bytes(fixed(slot)?)),
        K::Int32 => V::Int32(i32::from_be_bytes(fixed(slot)?)),
        K::Int64 => V::Int64(i64::from_be_bytes(fixed(slot)?)),
        K::Float32 => V::Float32(f32::from_be_bytes(fixed(slot)?)),
        K::Float64 => V::Float64(f64::from_be_bytes(fixed(slot)?)),
        K::String => value!(String, |b| string(b)),
        K::Decimal => value!(Decimal, |b| Decimal::read(&mut Input::new(b))),
        K::Time => value!(Time, |b| Time::read(&mut Input::new(b))),
        K::Date => value!(Date, |b| Date::read(&mut Input::new(b))),
        K::Timestamp => value!(Timestamp, |b| Timestamp::read(&mut Input::new(b))),
        K::TimestampWithTimezone => value!(TimestampWithTimezone, |b| TimestampWithTimezone::read(
            &mut Input::new(b)
        )),
        K::Compact => value!(Compact, |b| nested(b, cx, depth)),
        K::NullableBoolean => V::NullableBoolean(var(slot)?.map(|b| b.first().is_some_and(|b| *b != 0))),
        K::NullableInt8 => nullable!(NullableInt8, i8),
        K::NullableInt16 => nullable!(NullableInt16, i16),
        K::NullableInt32 => nullable!(NullableInt32, i32),
        K::NullableInt64 => nullable!(NullableInt64, i64),
        K::NullableFloat32 => nullable!(NullableFloat32, f32),
        K::NullableFloat64 => nullable!(NullableFloat64, f64),
        K::ArrayOfBoolean => array!(ArrayOfBoolean, Boolean, |s| bit(s)),
        K::ArrayOfInt8 => array!(ArrayOfInt8, Int8, |s| fixed(s).map(i8::from_be_bytes)),
        K::ArrayOfInt16 => array!(ArrayOfInt16, Int16, |s| fixed(s).map(i16::from_be_bytes)),
        K::ArrayOfInt32 => array!(ArrayOfInt32, Int32, |s| fixed(s).map(i32::from_be_bytes)),
        K::ArrayOfInt64 => array!(ArrayOfInt64, Int64, |s| fixed(s).map(i64::from_be_bytes)),
        K::ArrayOfFloat32 => array!(ArrayOfFloat32, Float32, |s| fixed(s).map(f32::from_be_bytes)),
        K::ArrayOfFloat64 => array!(ArrayOfFloat64, Float64, |s| fixed(s).map(f64::from_be_bytes)),
        K::ArrayOfString => opt_items!(ArrayOfString, String, |b| string(b)),
        K::ArrayOfDecimal => opt_items!(ArrayOfDecimal, Decimal, |b| Decimal::read(&mut Input::new(b))),
        K::ArrayOfTime => opt_items!(ArrayOfTime, Time, |b| Time::read(&mut Input::new(b))),
        K::ArrayOfDate => opt_items!(ArrayOfDate, Date, |b| Date::read(&mut Input::new(b))),
        K::ArrayOfTimestamp => opt_items!(ArrayOfTimestamp, Timestamp, |b| Timestamp::read(&mut Input::new(
            b
        ))),
        K::ArrayOfTimestampWithTimezone => {
            opt_items!(ArrayOfTimestampWithTimezone, TimestampWithTimezone, |b| {
                TimestampWithTimezone::read(&mut Input::new(b))
            })
        }
        K::ArrayOfCompact => opt_items!(ArrayOfCompact, Compact, |b| nested(b, cx, depth)),
        K::ArrayOfNullableBoolean => {
            array!(ArrayOfNullableBoolean, NullableBoolean, |s| Ok(
                var(s)?.map(|b| b.first().is_some_and(|b| *b != 0))
            ))
        }
        K::ArrayOfNullableInt8 => opt_items!(ArrayOfNullableInt8, NullableInt8, |b| fixed(Slot::Fixed(b))
            .map(i8::from_be_bytes)),
        K::ArrayOfNullableInt16 => {
            opt_items!(ArrayOfNullableInt16, NullableInt16, |b| fixed(Slot::Fixed(b))
                .map(i16::from_be_bytes))
        }
        K::ArrayOfNullableInt32 => {
            opt_items!(ArrayOfNullableInt32, NullableInt32, |b| fixed(Slot::Fixed(b))
                .map(i32::from_be_bytes))
        }
        K::ArrayOfNullableInt64 => {
            opt_items!(ArrayOfNullableInt64, NullableInt64, |b| fixed(Slot::Fixed(b))
                .map(i64::from_be_bytes))
        }
        K::ArrayOfNullableFloat32 => {
            opt_items!(ArrayOfNullableFloat32, NullableFloat32, |b| fixed(Slot::Fixed(b))
                .map(f32::from_be_bytes))
        }
        K::ArrayOfNullableFloat64 => {
            opt_items!(ArrayOfNullableFloat64, NullableFloat64, |b| fixed(Slot::Fixed(b))
                .map(f64::from_be_bytes))
        }
    })
}
