//! `ToData` / `FromData`: one interface over every way a key or value becomes `Data`, for the
//! client's typed proxies: the built-in types of the codec, [`Compact<T>`], [`Json<T>`],
//! [`GenericRecord`] and [`Identified<T>`].

use hazelcast_codec::{Data, JsonValue, Uuid};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::SerializationError;
use crate::generic::GenericRecord;
use crate::ids::IdentifiedDataSerializable;
use crate::json::Json;
use crate::service::SerializationService;

/// A value that can be written as `Data`.
pub trait ToData {
    /// Serializes the value (registering any Compact schema it uses with the service).
    fn to_data(&self, service: &SerializationService) -> Result<Data, SerializationError>;
}

/// A value that can be read from `Data`.
pub trait FromData: Sized {
    /// Deserializes the value.
    fn from_data(data: &Data, service: &SerializationService) -> Result<Self, SerializationError>;
}

/// A serde struct stored as a Compact record (see
/// [`SerializationService::compact_to_data`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Compact<T>(pub T);

/// An [`IdentifiedDataSerializable`] object as a key or value (reading it needs the factory of
/// its factory id on the service).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Identified<T>(pub T);

impl<T: Serialize + DeserializeOwned + 'static> ToData for Compact<T> {
    fn to_data(&self, service: &SerializationService) -> Result<Data, SerializationError> {
        service.compact_to_data(&self.0)
    }
}

impl<T: DeserializeOwned> FromData for Compact<T> {
    fn from_data(data: &Data, service: &SerializationService) -> Result<Self, SerializationError> {
        service.compact_from_data(data).map(Compact)
    }
}

impl<T: Serialize> ToData for Json<T> {
    fn to_data(&self, _service: &SerializationService) -> Result<Data, SerializationError> {
        Json::to_data(self)
    }
}

impl<T: DeserializeOwned> FromData for Json<T> {
    fn from_data(data: &Data, _service: &SerializationService) -> Result<Self, SerializationError> {
        Json::from_data(data)
    }
}

impl ToData for GenericRecord {
    fn to_data(&self, service: &SerializationService) -> Result<Data, SerializationError> {
        service.generic_record_to_data(self)
    }
}

impl FromData for GenericRecord {
    fn from_data(data: &Data, service: &SerializationService) -> Result<Self, SerializationError> {
        service.generic_record_from_data(data)
    }
}

impl<T: IdentifiedDataSerializable> ToData for Identified<T> {
    fn to_data(&self, service: &SerializationService) -> Result<Data, SerializationError> {
        service.ids_to_data(&self.0)
    }
}

impl<T: IdentifiedDataSerializable> FromData for Identified<T> {
    fn from_data(data: &Data, service: &SerializationService) -> Result<Self, SerializationError> {
        service.ids_from_data_as(data).map(Identified)
    }
}

macro_rules! builtin {
    ($($t:ty),*) => {$(
        impl ToData for $t {
            fn to_data(&self, _service: &SerializationService) -> Result<Data, SerializationError> {
                Ok(hazelcast_codec::Serialize::to_data(self))
            }
        }
        impl FromData for $t {
            fn from_data(data: &Data, _service: &SerializationService) -> Result<Self, SerializationError> {
                Ok(<$t as hazelcast_codec::Deserialize>::from_data(data)?)
            }
        }
    )*};
}
builtin!(
    bool,
    i8,
    i16,
    i32,
    i64,
    f32,
    f64,
    String,
    Vec<u8>,
    Uuid,
    JsonValue,
    Data
);

impl ToData for str {
    fn to_data(&self, _service: &SerializationService) -> Result<Data, SerializationError> {
        Ok(hazelcast_codec::Serialize::to_data(self))
    }
}

impl ToData for [u8] {
    fn to_data(&self, _service: &SerializationService) -> Result<Data, SerializationError> {
        Ok(hazelcast_codec::Serialize::to_data(self))
    }
}

impl<T: ToData + ?Sized> ToData for &T {
    fn to_data(&self, service: &SerializationService) -> Result<Data, SerializationError> {
        (**self).to_data(service)
    }
}

impl SerializationService {
    /// Serializes any [`ToData`] value.
    pub fn to_data<V: ToData + ?Sized>(&self, value: &V) -> Result<Data, SerializationError> {
        value.to_data(self)
    }

    /// Deserializes any [`FromData`] value.
    pub fn from_data<V: FromData>(&self, data: &Data) -> Result<V, SerializationError> {
        V::from_data(data, self)
    }
}
