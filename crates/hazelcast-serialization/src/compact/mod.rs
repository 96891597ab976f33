//! The Compact format: records of a schema, written and read from serde types or as
//! [`GenericRecord`](crate::GenericRecord)s.

/// Methods that fail with one error expression.
macro_rules! reject {
    ($err:ident; $($method:ident($($t:ty),*);)*) => {$(
        fn $method(self, $(_: $t),*) -> Result<Self::Ok> {
            Err(self.$err())
        }
    )*};
}

/// The compound serializers that only fail.
macro_rules! impossible_compounds {
    () => {
        type SerializeTupleStruct = Impossible<(), SerializationError>;
        type SerializeTupleVariant = Impossible<(), SerializationError>;
        type SerializeMap = Impossible<(), SerializationError>;
        type SerializeStructVariant = Impossible<(), SerializationError>;
    };
}

pub(crate) mod capture;
pub(crate) mod de;
pub(crate) mod encoder;
pub(crate) mod generic_codec;
pub(crate) mod plan;
pub(crate) mod record;
pub(crate) mod ser;
pub(crate) mod trace;

use hazelcast_codec::Data;

use crate::error::SerializationError;

/// The `Data` type id of Compact records (`TYPE_COMPACT`).
pub const COMPACT_TYPE_ID: i32 = -55;

/// The payload of a Compact `Data`: `[schema id][record]`.
pub(crate) fn payload(data: &Data) -> Result<&[u8], SerializationError> {
    if data.len() < hazelcast_codec::serialization::DATA_HEADER_SIZE {
        return Err(SerializationError::malformed("shorter than the 8-byte header"));
    }
    if data.type_id() != COMPACT_TYPE_ID {
        return Err(SerializationError::UnexpectedTypeId {
            expected: COMPACT_TYPE_ID,
            actual: data.type_id(),
        });
    }
    Ok(data.payload())
}
