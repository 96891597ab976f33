//! `Json<T>`: any serde type stored as a `HazelcastJsonValue` (type id −130), the JSON text as a
//! length-prefixed UTF-8 string. Members can query such values with predicates and SQL.

use hazelcast_codec::Data;
use hazelcast_codec::serialization::type_id;
use serde::{Deserialize, Serialize};

use crate::error::SerializationError;
use crate::io::Input;

/// A value stored as JSON text (`HazelcastJsonValue`).
///
/// ```
/// use hazelcast_serialization::Json;
///
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct Order { id: u64, items: Vec<String> }
///
/// let order = Json(Order { id: 7, items: vec!["tea".into()] });
/// let data = order.to_data().unwrap();
/// assert_eq!(data.type_id(), -130);
/// assert_eq!(Json::<Order>::from_data(&data).unwrap(), order);
///
/// // A failure names its category and position, never the text.
/// let other = Json(serde_json::json!({"id": "seven"})).to_data().unwrap();
/// let err = Json::<Order>::from_data(&other).unwrap_err();
/// assert!(!err.to_string().contains("seven"), "{err}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Json<T>(pub T);

impl<T: Serialize> Json<T> {
    /// Serializes the value to JSON text and wraps it as a `HazelcastJsonValue`.
    pub fn to_data(&self) -> Result<Data, SerializationError> {
        let text = serde_json::to_vec(&self.0).map_err(SerializationError::from)?;
        let len = i32::try_from(text.len()).map_err(|_| SerializationError::InvalidValue {
            what: "JSON length (above 2 GiB)",
        })?;
        Ok(Data::build(type_id::JSON, 4 + text.len(), |b| {
            b.extend_from_slice(&len.to_be_bytes());
            b.extend_from_slice(&text);
        }))
    }
}

impl<'a, T: Deserialize<'a>> Json<T> {
    /// Parses the JSON text of a `HazelcastJsonValue`.
    pub fn from_data(data: &'a Data) -> Result<Self, SerializationError> {
        let text = json_text(data)?;
        serde_json::from_str(text)
            .map(Json)
            .map_err(SerializationError::from)
    }
}

/// The JSON text of a `HazelcastJsonValue`.
pub(crate) fn json_text(data: &Data) -> Result<&str, SerializationError> {
    if data.len() < hazelcast_codec::serialization::DATA_HEADER_SIZE {
        return Err(SerializationError::malformed("shorter than the 8-byte header"));
    }
    if data.type_id() != type_id::JSON {
        return Err(SerializationError::UnexpectedTypeId {
            expected: type_id::JSON,
            actual: data.type_id(),
        });
    }
    Input::new(data.payload())
        .string()?
        .ok_or(SerializationError::malformed("null JSON text"))
}
