//! IdentifiedDataSerializable: objects that write and read their own fields, identified by a
//! factory id and a class id, as Java's `DataSerializableSerializer` writes them (type id `-2`):
//! a header byte with the identified flag (`1`), `i32 factory id`, `i32 class id`, then the
//! fields, big-endian. Predicates, aggregators, projections and entry processors on the member
//! side are IdentifiedDataSerializable.

mod input;
mod output;

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

pub use input::ObjectDataInput;
pub use output::ObjectDataOutput;

use crate::error::SerializationError;

/// The `Data` type id of DataSerializable objects.
pub const DATA_SERIALIZABLE_TYPE_ID: i32 = -2;

/// The header flag of IdentifiedDataSerializable.
pub(crate) const IDENTIFIED_FLAG: u8 = 1;

/// An object that writes and reads its own fields and is identified by a factory id and a class
/// id (Java's `IdentifiedDataSerializable`). The member (or another client) needs a factory for
/// the same ids that creates the matching class.
///
/// ```
/// use hazelcast_serialization::{IdentifiedDataSerializable, ObjectDataInput, ObjectDataOutput, SerializationError};
///
/// #[derive(Debug, Default, PartialEq)]
/// struct Point { x: i32, y: i32 }
///
/// impl IdentifiedDataSerializable for Point {
///     fn factory_id(&self) -> i32 { 1000 }
///     fn class_id(&self) -> i32 { 1 }
///     fn write_data(&self, out: &mut ObjectDataOutput) -> Result<(), SerializationError> {
///         out.write_i32(self.x);
///         out.write_i32(self.y);
///         Ok(())
///     }
///     fn read_data(&mut self, input: &mut ObjectDataInput<'_>) -> Result<(), SerializationError> {
///         self.x = input.read_i32()?;
///         self.y = input.read_i32()?;
///         Ok(())
///     }
/// }
/// ```
pub trait IdentifiedDataSerializable: Any + Send + Sync + fmt::Debug {
    /// The factory id.
    fn factory_id(&self) -> i32;
    /// The class id within the factory.
    fn class_id(&self) -> i32;
    /// Writes the fields.
    fn write_data(&self, out: &mut ObjectDataOutput) -> Result<(), SerializationError>;
    /// Reads the fields into an object the factory created.
    fn read_data(&mut self, input: &mut ObjectDataInput<'_>) -> Result<(), SerializationError>;
}

/// Creates empty objects by class id, to read them into (Java's `DataSerializableFactory`).
pub trait DataSerializableFactory: Send + Sync {
    /// A new object for this class id, or `None` when the factory does not know it.
    fn create(&self, class_id: i32) -> Option<Box<dyn IdentifiedDataSerializable>>;
}

impl<F> DataSerializableFactory for F
where
    F: Fn(i32) -> Option<Box<dyn IdentifiedDataSerializable>> + Send + Sync,
{
    fn create(&self, class_id: i32) -> Option<Box<dyn IdentifiedDataSerializable>> {
        self(class_id)
    }
}

/// The factories by factory id.
#[derive(Clone, Default)]
pub(crate) struct Factories {
    map: HashMap<i32, Arc<dyn DataSerializableFactory>>,
}

impl fmt::Debug for Factories {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.map.keys()).finish()
    }
}

impl Factories {
    pub(crate) fn insert(&mut self, factory_id: i32, factory: Arc<dyn DataSerializableFactory>) {
        self.map.insert(factory_id, factory);
    }

    pub(crate) fn create(
        &self,
        factory_id: i32,
        class_id: i32,
    ) -> Result<Box<dyn IdentifiedDataSerializable>, SerializationError> {
        let factory = self
            .map
            .get(&factory_id)
            .ok_or(SerializationError::UnknownFactory { factory_id })?;
        factory
            .create(class_id)
            .ok_or(SerializationError::UnknownClassId { factory_id, class_id })
    }
}

/// Writes the header and the fields (the payload after the `Data` header, and the form of a
/// nested object after its type id).
pub(crate) fn write_ids(
    out: &mut ObjectDataOutput,
    value: &dyn IdentifiedDataSerializable,
) -> Result<(), SerializationError> {
    out.write_u8(IDENTIFIED_FLAG);
    out.write_i32(value.factory_id());
    out.write_i32(value.class_id());
    value.write_data(out)
}

/// Reads the header, creates the object with its factory and reads its fields.
pub(crate) fn read_ids(
    input: &mut ObjectDataInput<'_>,
) -> Result<Box<dyn IdentifiedDataSerializable>, SerializationError> {
    let header = input.read_u8()?;
    if header & IDENTIFIED_FLAG == 0 {
        return Err(SerializationError::NotIdentified);
    }
    let factory_id = input.read_i32()?;
    let class_id = input.read_i32()?;
    let mut object = input.factories().create(factory_id, class_id)?;
    object.read_data(input)?;
    Ok(object)
}

/// Downcasts an object read by its factory to the Rust type asked for.
pub(crate) fn downcast<T: IdentifiedDataSerializable>(
    object: Box<dyn IdentifiedDataSerializable>,
) -> Result<T, SerializationError> {
    let (factory_id, class_id) = (object.factory_id(), object.class_id());
    let any: Box<dyn Any> = object;
    any.downcast::<T>()
        .map(|b| *b)
        .map_err(|_| SerializationError::WrongRustType { factory_id, class_id })
}

/// A value written with `writeObject` inside IdentifiedDataSerializable data: its type id, then
/// its serializer's bytes.
#[derive(Debug)]
#[non_exhaustive]
pub enum ObjectValue {
    /// `null` (type id 0).
    Null,
    /// `Boolean` (-4).
    Bool(bool),
    /// `Byte` (-3).
    Byte(i8),
    /// `Character` (-5), a UTF-16 code unit.
    Char(u16),
    /// `Short` (-6).
    Short(i16),
    /// `Integer` (-7).
    Int(i32),
    /// `Long` (-8).
    Long(i64),
    /// `Float` (-9).
    Float(f32),
    /// `Double` (-10).
    Double(f64),
    /// `String` (-11).
    String(String),
    /// `byte[]` (-12).
    ByteArray(Vec<u8>),
    /// `HazelcastJsonValue` (-130), the JSON text.
    Json(String),
    /// A nested IdentifiedDataSerializable (-2).
    Ids(Box<dyn IdentifiedDataSerializable>),
}
