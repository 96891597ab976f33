//! `ObjectDataOutput`: the big-endian writer IdentifiedDataSerializable objects write their
//! fields with (Java's `ObjectDataOutput`).

use hazelcast_codec::Data;
use hazelcast_codec::serialization::type_id;

use crate::error::SerializationError;
use crate::ids::{DATA_SERIALIZABLE_TYPE_ID, IdentifiedDataSerializable, ObjectValue, write_ids};

/// Writes fields as Java's `ObjectDataOutput` does: big-endian numbers, strings and arrays
/// prefixed with their `i32` length (`-1` for null; string lengths count UTF-8 bytes).
#[derive(Debug, Default)]
pub struct ObjectDataOutput {
    buf: Vec<u8>,
}

fn len(n: usize) -> Result<i32, SerializationError> {
    i32::try_from(n).map_err(|_| SerializationError::InvalidValue {
        what: "length (above 2 GiB)",
    })
}

macro_rules! numbers {
    ($($(#[$doc:meta])* $method:ident($t:ty);)*) => {$(
        $(#[$doc])*
        pub fn $method(&mut self, v: $t) {
            self.buf.extend_from_slice(&v.to_be_bytes());
        }
    )*};
}

macro_rules! arrays {
    ($($(#[$doc:meta])* $method:ident($t:ty);)*) => {$(
        $(#[$doc])*
        pub fn $method(&mut self, v: Option<&[$t]>) -> Result<(), SerializationError> {
            match v {
                None => self.write_i32(-1),
                Some(items) => {
                    self.write_i32(len(items.len())?);
                    for x in items {
                        self.buf.extend_from_slice(&x.to_be_bytes());
                    }
                }
            }
            Ok(())
        }
    )*};
}

impl ObjectDataOutput {
    /// An empty output.
    pub fn new() -> Self {
        Self::default()
    }

    /// The bytes written.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// A `boolean`: one byte, 1 or 0.
    pub fn write_bool(&mut self, v: bool) {
        self.buf.push(u8::from(v));
    }

    /// A `byte` given as unsigned.
    pub fn write_u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    numbers! {
        /// A `byte`.
        write_i8(i8);
        /// A `short`.
        write_i16(i16);
        /// A `char` (one UTF-16 code unit).
        write_char(u16);
        /// An `int`.
        write_i32(i32);
        /// A `long`.
        write_i64(i64);
        /// A `float`.
        write_f32(f32);
        /// A `double`.
        write_f64(f64);
    }

    /// A string (`writeString`): UTF-8 length and bytes, `-1` for null.
    pub fn write_string(&mut self, v: Option<&str>) -> Result<(), SerializationError> {
        match v {
            None => self.write_i32(-1),
            Some(s) => {
                self.write_i32(len(s.len())?);
                self.buf.extend_from_slice(s.as_bytes());
            }
        }
        Ok(())
    }

    /// A `byte[]`.
    pub fn write_byte_array(&mut self, v: Option<&[u8]>) -> Result<(), SerializationError> {
        match v {
            None => self.write_i32(-1),
            Some(b) => {
                self.write_i32(len(b.len())?);
                self.buf.extend_from_slice(b);
            }
        }
        Ok(())
    }

    /// A `boolean[]` (one byte per item).
    pub fn write_bool_array(&mut self, v: Option<&[bool]>) -> Result<(), SerializationError> {
        match v {
            None => self.write_i32(-1),
            Some(items) => {
                self.write_i32(len(items.len())?);
                self.buf.extend(items.iter().map(|b| u8::from(*b)));
            }
        }
        Ok(())
    }

    arrays! {
        /// A `short[]`.
        write_i16_array(i16);
        /// An `int[]`.
        write_i32_array(i32);
        /// A `long[]`.
        write_i64_array(i64);
        /// A `float[]`.
        write_f32_array(f32);
        /// A `double[]`.
        write_f64_array(f64);
    }

    /// A `String[]` (items may be null).
    pub fn write_string_array(&mut self, v: Option<&[Option<String>]>) -> Result<(), SerializationError> {
        match v {
            None => self.write_i32(-1),
            Some(items) => {
                self.write_i32(len(items.len())?);
                for s in items {
                    self.write_string(s.as_deref())?;
                }
            }
        }
        Ok(())
    }

    /// A nested object (`writeObject`): its type id, then its serializer's bytes.
    pub fn write_object(&mut self, v: &ObjectValue) -> Result<(), SerializationError> {
        use ObjectValue as O;
        match v {
            O::Null => self.write_i32(type_id::NULL),
            O::Bool(b) => {
                self.write_i32(type_id::BOOLEAN);
                self.write_bool(*b);
            }
            O::Byte(b) => {
                self.write_i32(type_id::BYTE);
                self.write_i8(*b);
            }
            O::Char(c) => {
                self.write_i32(type_id::CHAR);
                self.write_char(*c);
            }
            O::Short(x) => {
                self.write_i32(type_id::SHORT);
                self.write_i16(*x);
            }
            O::Int(x) => {
                self.write_i32(type_id::INTEGER);
                self.write_i32(*x);
            }
            O::Long(x) => {
                self.write_i32(type_id::LONG);
                self.write_i64(*x);
            }
            O::Float(x) => {
                self.write_i32(type_id::FLOAT);
                self.write_f32(*x);
            }
            O::Double(x) => {
                self.write_i32(type_id::DOUBLE);
                self.write_f64(*x);
            }
            O::String(s) => {
                self.write_i32(type_id::STRING);
                self.write_string(Some(s))?;
            }
            O::ByteArray(b) => {
                self.write_i32(type_id::BYTE_ARRAY);
                self.write_byte_array(Some(b))?;
            }
            O::Json(s) => {
                self.write_i32(type_id::JSON);
                self.write_string(Some(s))?;
            }
            O::Ids(object) => self.write_ids_object(object.as_ref())?,
        }
        Ok(())
    }

    /// A nested IdentifiedDataSerializable (`writeObject` of one).
    pub fn write_ids_object(&mut self, v: &dyn IdentifiedDataSerializable) -> Result<(), SerializationError> {
        self.write_i32(DATA_SERIALIZABLE_TYPE_ID);
        write_ids(self, v)
    }

    /// A nested object already serialized (`writeObject` of any value, such as a Compact
    /// record): its type id and payload.
    pub fn write_object_data(&mut self, data: &Data) -> Result<(), SerializationError> {
        if data.len() < hazelcast_codec::serialization::DATA_HEADER_SIZE {
            return Err(SerializationError::malformed("shorter than the 8-byte header"));
        }
        self.write_i32(data.type_id());
        self.buf.extend_from_slice(data.payload());
        Ok(())
    }
}
