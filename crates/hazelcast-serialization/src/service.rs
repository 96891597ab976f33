//! `SerializationService`: writes and reads user types, holding what that needs (the schema
//! registry, Compact type names, the schemas of Rust types, IdentifiedDataSerializable
//! factories). It has no runtime and does no I/O.

use std::any::TypeId;
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use hazelcast_codec::Data;
use serde::Serialize;
use serde::de::{Deserialize, DeserializeOwned};

use crate::compact::de::{Ctx, RecordDe};
use crate::compact::encoder::Encoder;
use crate::compact::plan::{TypeNames, TypePlan};
use crate::compact::record::{self, Budget, Record};
use crate::compact::ser::RootSer;
use crate::compact::{COMPACT_TYPE_ID, generic_codec, payload, trace};
use crate::error::SerializationError;
use crate::generic::GenericRecord;
use crate::ids::{
    self, DATA_SERIALIZABLE_TYPE_ID, DataSerializableFactory, Factories, IdentifiedDataSerializable,
    ObjectDataInput, ObjectDataOutput,
};
use crate::registry::SchemaRegistry;
use crate::schema::Schema;

/// Writes and reads Compact records, generic records and IdentifiedDataSerializable objects.
///
/// Cheap to share (`Arc`); every method takes `&self` and may be called from many threads.
///
/// ```
/// use hazelcast_serialization::SerializationService;
///
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// #[serde(rename = "com.example.Person")] // the Compact type name the other clients use
/// struct Person {
///     name: String,
///     age: i32,
///     email: Option<String>,
/// }
///
/// let service = SerializationService::new();
/// let ada = Person { name: "Ada".into(), age: 36, email: None };
/// let data = service.compact_to_data(&ada).unwrap();
/// assert_eq!(data.type_id(), -55);
/// // The schema is registered, not yet known to be on the cluster.
/// assert_eq!(service.schemas().unreplicated().len(), 1);
/// let back: Person = service.compact_from_data(&data).unwrap();
/// assert_eq!(back, ada);
/// ```
#[derive(Debug)]
pub struct SerializationService {
    registry: Arc<SchemaRegistry>,
    names: TypeNames,
    factories: Factories,
    plans: RwLock<HashMap<TypeId, Arc<TypePlan>>>,
}

impl Default for SerializationService {
    fn default() -> Self {
        SerializationService::builder().build()
    }
}

/// Configures a [`SerializationService`].
#[derive(Debug, Default)]
pub struct SerializationServiceBuilder {
    registry: Option<Arc<SchemaRegistry>>,
    names: TypeNames,
    factories: Factories,
}

impl SerializationServiceBuilder {
    /// Uses this schema registry (for example one shared with the client's schema handling).
    pub fn schema_registry(mut self, registry: Arc<SchemaRegistry>) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Writes and reads the Rust struct whose serde name is `serde_name` (its name, or its
    /// `#[serde(rename)]`) under the Compact type name `type_name`, for structs whose serde name
    /// cannot be the type name the other clients use.
    pub fn compact_type_name(mut self, serde_name: impl Into<String>, type_name: impl Into<String>) -> Self {
        self.names.set(serde_name.into(), type_name.into());
        self
    }

    /// Registers the factory that creates the IdentifiedDataSerializable objects of
    /// `factory_id`.
    pub fn data_serializable_factory(
        mut self,
        factory_id: i32,
        factory: impl DataSerializableFactory + 'static,
    ) -> Self {
        self.factories.insert(factory_id, Arc::new(factory));
        self
    }

    /// The service.
    pub fn build(self) -> SerializationService {
        SerializationService {
            registry: self.registry.unwrap_or_default(),
            names: self.names,
            factories: self.factories,
            plans: RwLock::new(HashMap::new()),
        }
    }
}

thread_local! {
    /// The buffer records are encoded into before they are copied into their `Data`: one per
    /// thread, reused, so that encoding allocates nothing of its own once warm.
    static ENCODER: Cell<Encoder> = Cell::new(Encoder::default());
}

/// Runs `f` with this thread's encoder, taken out of the thread-local while in use (a nested
/// call, from a `Serialize` implementation that serializes something else itself, gets an empty
/// one).
fn with_encoder<R>(f: impl FnOnce(&mut Encoder) -> R) -> R {
    let mut enc = ENCODER.try_with(Cell::take).unwrap_or_default();
    enc.clear();
    let r = f(&mut enc);
    if enc.buf.capacity() <= 1 << 20 {
        let _ = ENCODER.try_with(|c| c.set(enc));
    }
    r
}

impl SerializationService {
    /// A service with an empty schema registry, no type-name overrides and no factories.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder.
    pub fn builder() -> SerializationServiceBuilder {
        SerializationServiceBuilder::default()
    }

    /// The schema registry (see [`SchemaRegistry`] for how the client uses it).
    pub fn schemas(&self) -> &Arc<SchemaRegistry> {
        &self.registry
    }

    fn plan<T: DeserializeOwned + 'static>(&self) -> Result<Arc<TypePlan>, SerializationError> {
        let id = TypeId::of::<T>();
        if let Some(p) = self.plans.read().unwrap_or_else(PoisonError::into_inner).get(&id) {
            return Ok(p.clone());
        }
        // Traced outside the lock: tracing runs the type's own `Deserialize`.
        let plan = Arc::new(trace::plan_for::<T>(&self.names)?);
        let mut plans = self.plans.write().unwrap_or_else(PoisonError::into_inner);
        Ok(plans.entry(id).or_insert(plan).clone())
    }

    /// The Compact schema of a Rust type (traced once from its `Deserialize`, then cached).
    pub fn schema_of<T: DeserializeOwned + 'static>(&self) -> Result<Arc<Schema>, SerializationError> {
        Ok(self.plan::<T>()?.root().schema.clone())
    }

    /// Writes a serde struct as a Compact record (type id −55) and registers its schemas.
    ///
    /// The type needs `Deserialize` too: its schema comes from it (see the crate docs).
    pub fn compact_to_data<T>(&self, value: &T) -> Result<Data, SerializationError>
    where
        T: Serialize + DeserializeOwned + 'static,
    {
        let plan = self.plan::<T>()?;
        plan.register(&self.registry)?;
        with_encoder(|enc| {
            value.serialize(RootSer { enc, plan: &plan })?;
            Ok(Data::build(COMPACT_TYPE_ID, enc.buf.len(), |b| {
                b.extend_from_slice(&enc.buf)
            }))
        })
    }

    /// Reads a Compact record into a serde struct. Strings and byte arrays may borrow from the
    /// data.
    pub fn compact_from_data<'a, T: Deserialize<'a>>(&self, data: &'a Data) -> Result<T, SerializationError> {
        let payload = payload(data)?;
        let budget = Budget::for_input(payload.len());
        let rec = Record::nested(&self.registry, payload)?;
        T::deserialize(RecordDe {
            rec,
            ctx: Ctx {
                registry: &self.registry,
                names: &self.names,
                budget: &budget,
            },
            depth: 0,
        })
    }

    /// The schemas a Compact `Data` uses (its own, then those of its nested records, each once):
    /// what the cluster must have before the data is sent.
    pub fn schemas_in(&self, data: &Data) -> Result<Vec<Arc<Schema>>, SerializationError> {
        let payload = payload(data)?;
        let budget = Budget::for_input(payload.len());
        let mut out = Vec::new();
        record::collect_schemas(&self.registry, payload, &budget, 0, &mut out)?;
        Ok(out)
    }

    /// Writes a generic record as a Compact record and registers its schemas.
    pub fn generic_record_to_data(&self, record: &GenericRecord) -> Result<Data, SerializationError> {
        with_encoder(|enc| {
            generic_codec::write_record(enc, &self.registry, record)?;
            Ok(Data::build(COMPACT_TYPE_ID, enc.buf.len(), |b| {
                b.extend_from_slice(&enc.buf)
            }))
        })
    }

    /// Reads any Compact record as a generic record.
    pub fn generic_record_from_data(&self, data: &Data) -> Result<GenericRecord, SerializationError> {
        let payload = payload(data)?;
        let budget = Budget::for_input(payload.len());
        let rec = Record::nested(&self.registry, payload)?;
        let cx = generic_codec::Cx {
            registry: &self.registry,
            budget: &budget,
        };
        generic_codec::read_record(&rec, &cx, 0)
    }

    /// Writes an IdentifiedDataSerializable object (type id −2).
    pub fn ids_to_data(&self, value: &dyn IdentifiedDataSerializable) -> Result<Data, SerializationError> {
        let mut out = ObjectDataOutput::new();
        ids::write_ids(&mut out, value)?;
        let bytes = out.as_bytes();
        Ok(Data::build(DATA_SERIALIZABLE_TYPE_ID, bytes.len(), |b| {
            b.extend_from_slice(bytes)
        }))
    }

    /// Reads an IdentifiedDataSerializable object with the factory registered for its factory id.
    pub fn ids_from_data(
        &self,
        data: &Data,
    ) -> Result<Box<dyn IdentifiedDataSerializable>, SerializationError> {
        if data.len() < hazelcast_codec::serialization::DATA_HEADER_SIZE {
            return Err(SerializationError::malformed("shorter than the 8-byte header"));
        }
        if data.type_id() != DATA_SERIALIZABLE_TYPE_ID {
            return Err(SerializationError::UnexpectedTypeId {
                expected: DATA_SERIALIZABLE_TYPE_ID,
                actual: data.type_id(),
            });
        }
        ids::read_ids(&mut ObjectDataInput::new(data.payload(), &self.factories, 0))
    }

    /// Reads an IdentifiedDataSerializable object and checks that it is a `T`.
    pub fn ids_from_data_as<T: IdentifiedDataSerializable>(
        &self,
        data: &Data,
    ) -> Result<T, SerializationError> {
        ids::downcast(self.ids_from_data(data)?)
    }
}
