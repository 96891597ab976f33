//! Copying the Compact bytes of a value type ([`Decimal`](crate::Decimal), the date and time
//! types) from the marker newtype it serializes as.

use serde::Serialize;
use serde::ser::{self, Impossible, Serializer};

use crate::compact::encoder::Encoder;
use crate::error::SerializationError;

type Result<T> = std::result::Result<T, SerializationError>;

/// Copies the Compact bytes of a value type (the inside of a marker newtype).
pub(crate) struct RawCapture<'b> {
    pub(crate) enc: &'b mut Encoder,
}

impl RawCapture<'_> {
    fn reject(&self) -> SerializationError {
        <SerializationError as ser::Error>::custom("a value type wrote something other than its bytes")
    }
}

impl Serializer for RawCapture<'_> {
    type Ok = ();
    type Error = SerializationError;
    type SerializeSeq = Impossible<(), SerializationError>;
    type SerializeTuple = Impossible<(), SerializationError>;
    type SerializeStruct = Impossible<(), SerializationError>;
    impossible_compounds!();

    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        self.enc.put(v);
        Ok(())
    }

    reject! { reject;
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32);
        serialize_i64(i64); serialize_u8(u8); serialize_u16(u16); serialize_u32(u32);
        serialize_u64(u64); serialize_f32(f32); serialize_f64(f64); serialize_char(char);
        serialize_str(&str); serialize_none(); serialize_unit();
        serialize_unit_struct(&'static str); serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn serialize_some<T: ?Sized + Serialize>(self, _v: &T) -> Result<()> {
        Err(self.reject())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _n: &'static str, _v: &T) -> Result<()> {
        Err(self.reject())
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _n: &'static str,
        _i: u32,
        _v: &'static str,
        _value: &T,
    ) -> Result<()> {
        Err(self.reject())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(self.reject())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(self.reject())
    }
    fn serialize_tuple_struct(self, _n: &'static str, _l: usize) -> Result<Self::SerializeTupleStruct> {
        Err(self.reject())
    }
    fn serialize_tuple_variant(
        self,
        _n: &'static str,
        _i: u32,
        _v: &'static str,
        _l: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(self.reject())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(self.reject())
    }
    fn serialize_struct(self, _n: &'static str, _l: usize) -> Result<Self::SerializeStruct> {
        Err(self.reject())
    }
    fn serialize_struct_variant(
        self,
        _n: &'static str,
        _i: u32,
        _v: &'static str,
        _l: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(self.reject())
    }
    fn is_human_readable(&self) -> bool {
        false
    }
}
