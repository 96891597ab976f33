//! `ObjectDataInput`: the bounds-checked big-endian reader IdentifiedDataSerializable objects
//! read their fields with (Java's `ObjectDataInput`).

use hazelcast_codec::serialization::type_id;

use crate::error::SerializationError;
use crate::ids::{DATA_SERIALIZABLE_TYPE_ID, Factories, IdentifiedDataSerializable, ObjectValue, read_ids};
use crate::io::Input;

/// Nested objects deeper than this are rejected.
const MAX_NESTED_OBJECTS: usize = 64;

/// Reads fields as Java's `ObjectDataInput` does. Every read checks the remaining bytes; a length
/// is checked against them before anything is allocated.
#[derive(Debug)]
pub struct ObjectDataInput<'a> {
    input: Input<'a>,
    factories: &'a Factories,
    depth: usize,
}

macro_rules! numbers {
    ($($(#[$doc:meta])* $method:ident => $read:ident($t:ty);)*) => {$(
        $(#[$doc])*
        pub fn $method(&mut self) -> Result<$t, SerializationError> {
            self.input.$read()
        }
    )*};
}

macro_rules! arrays {
    ($($(#[$doc:meta])* $method:ident($t:ty, $size:expr, $read:ident);)*) => {$(
        $(#[$doc])*
        pub fn $method(&mut self) -> Result<Option<Vec<$t>>, SerializationError> {
            let Some(n) = self.input.len($size)? else {
                return Ok(None);
            };
            let mut out = Vec::with_capacity(n);
            for _ in 0..n {
                out.push(self.input.$read()?);
            }
            Ok(Some(out))
        }
    )*};
}

impl<'a> ObjectDataInput<'a> {
    pub(crate) fn new(bytes: &'a [u8], factories: &'a Factories, depth: usize) -> Self {
        ObjectDataInput {
            input: Input::new(bytes),
            factories,
            depth,
        }
    }

    pub(crate) fn factories(&self) -> &'a Factories {
        self.factories
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.input.remaining()
    }

    numbers! {
        /// A `boolean` (any non-zero byte is true).
        read_bool => bool(bool);
        /// A `byte` as unsigned.
        read_u8 => u8(u8);
        /// A `byte`.
        read_i8 => i8(i8);
        /// A `short`.
        read_i16 => i16(i16);
        /// A `char` (one UTF-16 code unit).
        read_char => u16(u16);
        /// An `int`.
        read_i32 => i32(i32);
        /// A `long`.
        read_i64 => i64(i64);
        /// A `float`.
        read_f32 => f32(f32);
        /// A `double`.
        read_f64 => f64(f64);
    }

    /// A string (`readString`), `None` for null.
    pub fn read_string(&mut self) -> Result<Option<String>, SerializationError> {
        Ok(self.input.string()?.map(str::to_owned))
    }

    /// A `byte[]`.
    pub fn read_byte_array(&mut self) -> Result<Option<Vec<u8>>, SerializationError> {
        match self.input.len(1)? {
            None => Ok(None),
            Some(n) => Ok(Some(self.input.bytes(n)?.to_vec())),
        }
    }

    arrays! {
        /// A `boolean[]`.
        read_bool_array(bool, 1, bool);
        /// A `short[]`.
        read_i16_array(i16, 2, i16);
        /// An `int[]`.
        read_i32_array(i32, 4, i32);
        /// A `long[]`.
        read_i64_array(i64, 8, i64);
        /// A `float[]`.
        read_f32_array(f32, 4, f32);
        /// A `double[]`.
        read_f64_array(f64, 8, f64);
    }

    /// A `String[]` (items may be null).
    pub fn read_string_array(&mut self) -> Result<Option<Vec<Option<String>>>, SerializationError> {
        // Every item takes at least its 4-byte length.
        let Some(n) = self.input.len(4)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.read_string()?);
        }
        Ok(Some(out))
    }

    /// A nested object (`readObject`) of the types [`ObjectValue`] lists.
    pub fn read_object(&mut self) -> Result<ObjectValue, SerializationError> {
        use ObjectValue as O;
        let type_id = self.input.i32()?;
        Ok(match type_id {
            type_id::NULL => O::Null,
            type_id::BOOLEAN => O::Bool(self.read_bool()?),
            type_id::BYTE => O::Byte(self.read_i8()?),
            type_id::CHAR => O::Char(self.read_char()?),
            type_id::SHORT => O::Short(self.read_i16()?),
            type_id::INTEGER => O::Int(self.read_i32()?),
            type_id::LONG => O::Long(self.read_i64()?),
            type_id::FLOAT => O::Float(self.read_f32()?),
            type_id::DOUBLE => O::Double(self.read_f64()?),
            type_id::STRING => O::String(
                self.read_string()?
                    .ok_or(SerializationError::malformed("null string object"))?,
            ),
            type_id::BYTE_ARRAY => O::ByteArray(
                self.read_byte_array()?
                    .ok_or(SerializationError::malformed("null byte array object"))?,
            ),
            type_id::JSON => O::Json(
                self.read_string()?
                    .ok_or(SerializationError::malformed("null JSON object"))?,
            ),
            DATA_SERIALIZABLE_TYPE_ID => O::Ids(self.read_nested_ids()?),
            other => return Err(SerializationError::UnsupportedTypeId { type_id: other }),
        })
    }

    fn read_nested_ids(&mut self) -> Result<Box<dyn IdentifiedDataSerializable>, SerializationError> {
        if self.depth >= MAX_NESTED_OBJECTS {
            return Err(SerializationError::TooDeep {
                limit: MAX_NESTED_OBJECTS,
            });
        }
        self.depth += 1;
        let result = read_ids(self);
        self.depth -= 1;
        result
    }
}
