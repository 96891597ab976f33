//! `Data`: the serialized form of keys and values (the format of the official clients' `SerializationService`), and the
//! serializers of the built-in types with the official type ids.
//!
//! A `Data` blob is `i32 BE partition hash`, `i32 BE type id`, then the payload written
//! big-endian. Other Hazelcast clients read what these serializers write and the other way round.

use bytes::{BufMut, Bytes, BytesMut};
use uuid::Uuid;

use crate::error::CodecError;
use crate::partition::murmur3_x86_32;

/// Size of the `Data` header (partition hash and type id).
pub const DATA_HEADER_SIZE: usize = 8;

/// Official serializer type ids.
pub mod type_id {
    /// null
    pub const NULL: i32 = 0;
    /// byte
    pub const BYTE: i32 = -3;
    /// boolean
    pub const BOOLEAN: i32 = -4;
    /// char
    pub const CHAR: i32 = -5;
    /// short
    pub const SHORT: i32 = -6;
    /// int
    pub const INTEGER: i32 = -7;
    /// long
    pub const LONG: i32 = -8;
    /// float
    pub const FLOAT: i32 = -9;
    /// double
    pub const DOUBLE: i32 = -10;
    /// String
    pub const STRING: i32 = -11;
    /// byte[]
    pub const BYTE_ARRAY: i32 = -12;
    /// UUID
    pub const UUID: i32 = -21;
    /// HazelcastJsonValue
    pub const JSON: i32 = -130;
}

/// A serialized value: the exact bytes other Hazelcast clients and members exchange.
///
/// Cloning is cheap (a reference count).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Data {
    bytes: Bytes,
}

impl std::fmt::Debug for Data {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The payload is user data: show its type and size only.
        f.debug_struct("Data")
            .field("type_id", &self.type_id())
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl Data {
    /// Wraps serialized bytes, checking that they hold at least the 8-byte header.
    pub fn from_bytes(bytes: Bytes) -> Result<Self, CodecError> {
        if bytes.len() < DATA_HEADER_SIZE {
            return Err(CodecError::InvalidData {
                reason: "shorter than the 8-byte header",
            });
        }
        Ok(Data { bytes })
    }

    /// Wraps bytes received in a `Data` frame without checking them; accessors tolerate short blobs.
    pub(crate) fn from_bytes_unchecked(bytes: Bytes) -> Self {
        Data { bytes }
    }

    /// The serialized bytes, header included.
    pub fn as_bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// Consumes the value, returning the serialized bytes.
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }

    /// Serialized length, header included.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// True when the blob is empty (treated as null by the official clients).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The serializer type id (0 when the blob is shorter than its header).
    pub fn type_id(&self) -> i32 {
        self.bytes
            .get(4..8)
            .map_or(type_id::NULL, |b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// The payload after the 8-byte header.
    pub fn payload(&self) -> &[u8] {
        self.bytes.get(DATA_HEADER_SIZE..).unwrap_or_default()
    }

    /// The partition hash: the header's value when non-zero, else MurmurHash3 of the payload.
    pub fn partition_hash(&self) -> i32 {
        let header = self
            .bytes
            .get(..4)
            .map_or(0, |b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        if header != 0 {
            header
        } else {
            murmur3_x86_32(self.payload(), crate::partition::MURMUR_SEED)
        }
    }

    /// Builds a blob from a type id and a payload writer (`payload_len`: the exact payload size).
    ///
    /// Blobs up to 1 KiB are cut from the per-thread chunks that requests are encoded in (see
    /// [`MessageWriter::request_shared`](crate::MessageWriter::request_shared)): serializing a
    /// key allocates nothing of its own, and a blob kept for long keeps its 16 KiB chunk alive.
    pub fn build(type_id: i32, payload_len: usize, write: impl FnOnce(&mut BytesMut)) -> Data {
        let mut b = crate::message::carve(DATA_HEADER_SIZE + payload_len);
        b.put_i32(0);
        b.put_i32(type_id);
        write(&mut b);
        Data { bytes: b.freeze() }
    }

    fn expect_type(&self, expected: i32) -> Result<&[u8], CodecError> {
        if self.bytes.len() < DATA_HEADER_SIZE {
            return Err(CodecError::InvalidData {
                reason: "shorter than the 8-byte header",
            });
        }
        let actual = self.type_id();
        if actual != expected {
            return Err(CodecError::UnexpectedTypeId { expected, actual });
        }
        Ok(self.payload())
    }
}

/// A value that serializes to [`Data`] with an official type id.
pub trait Serialize {
    /// Serializes the value.
    fn to_data(&self) -> Data;
}

/// A value that deserializes from [`Data`].
pub trait Deserialize: Sized {
    /// Deserializes the value, failing when the blob holds another type or is malformed.
    fn from_data(data: &Data) -> Result<Self, CodecError>;
}

fn fixed<const N: usize>(p: &[u8]) -> Result<[u8; N], CodecError> {
    p.get(..N)
        .and_then(|s| s.try_into().ok())
        .ok_or(CodecError::InvalidData {
            reason: "payload shorter than its type",
        })
}

macro_rules! be_number {
    ($t:ty, $id:expr) => {
        impl Serialize for $t {
            fn to_data(&self) -> Data {
                Data::build($id, std::mem::size_of::<$t>(), |b| {
                    b.extend_from_slice(&self.to_be_bytes())
                })
            }
        }
        impl Deserialize for $t {
            fn from_data(data: &Data) -> Result<Self, CodecError> {
                Ok(<$t>::from_be_bytes(fixed(data.expect_type($id)?)?))
            }
        }
    };
}
be_number!(i8, type_id::BYTE);
be_number!(i16, type_id::SHORT);
be_number!(i32, type_id::INTEGER);
be_number!(i64, type_id::LONG);
be_number!(f32, type_id::FLOAT);
be_number!(f64, type_id::DOUBLE);

impl Serialize for bool {
    fn to_data(&self) -> Data {
        Data::build(type_id::BOOLEAN, 1, |b| b.put_u8(u8::from(*self)))
    }
}
impl Deserialize for bool {
    fn from_data(data: &Data) -> Result<Self, CodecError> {
        Ok(fixed::<1>(data.expect_type(type_id::BOOLEAN)?)?[0] != 0)
    }
}

fn write_len_prefixed(b: &mut BytesMut, bytes: &[u8]) {
    b.put_i32(bytes.len() as i32);
    b.extend_from_slice(bytes);
}

fn read_len_prefixed(p: &[u8]) -> Result<&[u8], CodecError> {
    let len = i32::from_be_bytes(fixed(p)?);
    if len < 0 {
        return Err(CodecError::InvalidData {
            reason: "null length inside a non-null value",
        });
    }
    p.get(4..4 + len as usize).ok_or(CodecError::InvalidData {
        reason: "length prefix beyond the payload",
    })
}

impl Serialize for str {
    fn to_data(&self) -> Data {
        Data::build(type_id::STRING, 4 + self.len(), |b| {
            write_len_prefixed(b, self.as_bytes())
        })
    }
}
impl Serialize for String {
    fn to_data(&self) -> Data {
        self.as_str().to_data()
    }
}
impl Deserialize for String {
    fn from_data(data: &Data) -> Result<Self, CodecError> {
        let bytes = read_len_prefixed(data.expect_type(type_id::STRING)?)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| CodecError::InvalidUtf8 { what: "String value" })
    }
}

impl Serialize for [u8] {
    fn to_data(&self) -> Data {
        Data::build(type_id::BYTE_ARRAY, 4 + self.len(), |b| {
            write_len_prefixed(b, self)
        })
    }
}
impl Serialize for Vec<u8> {
    fn to_data(&self) -> Data {
        self.as_slice().to_data()
    }
}
impl Deserialize for Vec<u8> {
    fn from_data(data: &Data) -> Result<Self, CodecError> {
        Ok(read_len_prefixed(data.expect_type(type_id::BYTE_ARRAY)?)?.to_vec())
    }
}

impl Serialize for Uuid {
    fn to_data(&self) -> Data {
        let (msb, lsb) = self.as_u64_pair();
        Data::build(type_id::UUID, 16, |b| {
            b.put_u64(msb);
            b.put_u64(lsb);
        })
    }
}
impl Deserialize for Uuid {
    fn from_data(data: &Data) -> Result<Self, CodecError> {
        let p: [u8; 16] = fixed(data.expect_type(type_id::UUID)?)?;
        let (m, l) = p.split_at(8);
        Ok(Uuid::from_u64_pair(
            u64::from_be_bytes(m.try_into().unwrap_or_default()),
            u64::from_be_bytes(l.try_into().unwrap_or_default()),
        ))
    }
}

/// A JSON document stored as a `HazelcastJsonValue` (type id −130): the text is kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JsonValue(pub String);

impl Serialize for JsonValue {
    fn to_data(&self) -> Data {
        Data::build(type_id::JSON, 4 + self.0.len(), |b| {
            write_len_prefixed(b, self.0.as_bytes())
        })
    }
}
impl Deserialize for JsonValue {
    fn from_data(data: &Data) -> Result<Self, CodecError> {
        let bytes = read_len_prefixed(data.expect_type(type_id::JSON)?)?;
        String::from_utf8(bytes.to_vec())
            .map(JsonValue)
            .map_err(|_| CodecError::InvalidUtf8 { what: "JSON value" })
    }
}

impl<T: Serialize + ?Sized> Serialize for &T {
    fn to_data(&self) -> Data {
        (**self).to_data()
    }
}

/// The serialized form of null (type id 0, empty payload). Nullable protocol parameters send a
/// NULL frame instead; this exists for nested values.
pub fn null_data() -> Data {
    Data::build(type_id::NULL, 0, |_| {})
}

impl Serialize for Data {
    fn to_data(&self) -> Data {
        self.clone()
    }
}
impl Deserialize for Data {
    fn from_data(data: &Data) -> Result<Self, CodecError> {
        Ok(data.clone())
    }
}
