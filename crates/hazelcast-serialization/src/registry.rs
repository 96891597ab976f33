//! The schemas a client knows, and which of them the cluster is known to have.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use crate::schema::{Schema, SchemaError};

/// The schemas known to one client, by id, each marked as *replicated* (the cluster is known
/// to have it) or not.
///
/// The registry has no runtime and sends nothing; the client drives the schema messages of the
/// protocol with it:
///
/// * **Before sending a record.** Writing a Compact record registers every schema it uses
///   ([`register`](Self::register)); a new one is not replicated. Before a request that carries
///   user data is sent, the client checks [`has_unreplicated`](Self::has_unreplicated) (one
///   atomic load), sends each of [`unreplicated`](Self::unreplicated) with `Client.SendSchema`
///   and calls [`mark_replicated`](Self::mark_replicated) once the cluster acknowledged it. (For
///   the schemas of one record only:
///   [`SerializationService::schemas_in`](crate::SerializationService::schemas_in) and
///   [`is_replicated`](Self::is_replicated).) The
///   registry does not deduplicate concurrent senders: a client that wants one `SendSchema` per
///   schema when many tasks write a new type at once serializes that step (for example behind an
///   async mutex, re-checking `has_unreplicated` after taking it).
/// * **On read.** Reading a record whose schema is not here fails with
///   [`SerializationError::UnknownSchema`](crate::SerializationError::UnknownSchema); the client
///   fetches it with `Client.FetchSchema`, adds it with
///   [`insert_from_cluster`](Self::insert_from_cluster) (which checks that its content matches
///   the id) and reads again. Sharing one fetch between concurrent readers is the client's part.
/// * **After reconnecting** to a cluster that may have lost the schemas (a restarted cluster),
///   the client sends [`all`](Self::all) with `Client.SendAllSchemas`, or calls
///   [`mark_all_unreplicated`](Self::mark_all_unreplicated) so that they are sent again before
///   the next write.
#[derive(Debug, Default)]
pub struct SchemaRegistry {
    schemas: RwLock<Schemas>,
    /// True while at least one schema is not replicated (a hint read without the lock).
    pending: AtomicBool,
}

/// Schema ids are fingerprints, already uniformly distributed: they hash as themselves.
#[derive(Debug, Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_i64(&mut self, v: i64) {
        self.0 = v as u64;
    }
}

type Schemas = HashMap<i64, Entry, BuildHasherDefault<IdHasher>>;

#[derive(Debug)]
struct Entry {
    schema: Arc<Schema>,
    replicated: bool,
}

impl SchemaRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Schemas> {
        self.schemas.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Schemas> {
        self.schemas.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The schema with this id, if known.
    pub fn get(&self, schema_id: i64) -> Option<Arc<Schema>> {
        self.read().get(&schema_id).map(|e| e.schema.clone())
    }

    /// True when the schema with this id is known.
    pub fn contains(&self, schema_id: i64) -> bool {
        self.read().contains_key(&schema_id)
    }

    /// True when the schema with this id is known and the cluster is known to have it.
    pub fn is_replicated(&self, schema_id: i64) -> bool {
        self.read().get(&schema_id).is_some_and(|e| e.replicated)
    }

    /// Adds a schema this client uses to write (not replicated until
    /// [`mark_replicated`](Self::mark_replicated)). A schema already known is kept as it is; a
    /// different schema with the same id is an error.
    pub fn register(&self, schema: Arc<Schema>) -> Result<Arc<Schema>, SchemaError> {
        if let Some(e) = self.read().get(&schema.id()) {
            return Self::same(&e.schema, schema);
        }
        let mut map = self.write();
        if let Some(e) = map.get(&schema.id()) {
            return Self::same(&e.schema, schema);
        }
        map.insert(
            schema.id(),
            Entry {
                schema: schema.clone(),
                replicated: false,
            },
        );
        self.pending.store(true, Ordering::Release);
        Ok(schema)
    }

    fn same(known: &Arc<Schema>, new: Arc<Schema>) -> Result<Arc<Schema>, SchemaError> {
        if **known == *new {
            Ok(known.clone())
        } else {
            Err(SchemaError::IdCollision { schema_id: new.id() })
        }
    }

    /// Adds a schema fetched from the cluster for `schema_id` (replicated by definition),
    /// checking that its content fingerprints to that id.
    pub fn insert_from_cluster(&self, schema_id: i64, schema: Schema) -> Result<Arc<Schema>, SchemaError> {
        if schema.id() != schema_id {
            return Err(SchemaError::IdMismatch {
                expected: schema_id,
                actual: schema.id(),
            });
        }
        let mut map = self.write();
        if let Some(e) = map.get_mut(&schema_id) {
            let known = Self::same(&e.schema, Arc::new(schema))?;
            e.replicated = true;
            return Ok(known);
        }
        let schema = Arc::new(schema);
        map.insert(
            schema_id,
            Entry {
                schema: schema.clone(),
                replicated: true,
            },
        );
        Ok(schema)
    }

    /// True when some schema may not be on the cluster yet (one atomic load; exact after
    /// [`unreplicated`](Self::unreplicated) returned nothing).
    pub fn has_unreplicated(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }

    /// The schemas the cluster is not known to have, to send before a record that may use them.
    pub fn unreplicated(&self) -> Vec<Arc<Schema>> {
        let map = self.read();
        let out: Vec<_> = map
            .values()
            .filter(|e| !e.replicated)
            .map(|e| e.schema.clone())
            .collect();
        if out.is_empty() {
            self.pending.store(false, Ordering::Release);
        }
        out
    }

    /// Records that the cluster acknowledged the schema with this id.
    pub fn mark_replicated(&self, schema_id: i64) {
        let mut map = self.write();
        if let Some(e) = map.get_mut(&schema_id) {
            e.replicated = true;
        }
        if map.values().all(|e| e.replicated) {
            self.pending.store(false, Ordering::Release);
        }
    }

    /// Marks every schema as not replicated (the client connected to a cluster that may have
    /// lost them).
    pub fn mark_all_unreplicated(&self) {
        let mut map = self.write();
        for e in map.values_mut() {
            e.replicated = false;
        }
        if !map.is_empty() {
            self.pending.store(true, Ordering::Release);
        }
    }

    /// Every known schema (for `Client.SendAllSchemas` after a reconnection).
    pub fn all(&self) -> Vec<Arc<Schema>> {
        self.read().values().map(|e| e.schema.clone()).collect()
    }

    /// Number of known schemas.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// True when no schema is known.
    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldKind;

    fn schema(name: &str) -> Schema {
        Schema::new(name, [("a", FieldKind::Int32)]).unwrap()
    }

    #[test]
    fn registered_schemas_are_pending_until_acknowledged() {
        let r = SchemaRegistry::new();
        assert!(!r.has_unreplicated());
        let s = r.register(Arc::new(schema("x"))).unwrap();
        assert!(r.has_unreplicated());
        assert_eq!(r.unreplicated().len(), 1);
        r.mark_replicated(s.id());
        assert!(!r.has_unreplicated());
        assert!(r.unreplicated().is_empty());
        // Registering again keeps it replicated.
        r.register(Arc::new(schema("x"))).unwrap();
        assert!(!r.has_unreplicated());
        r.mark_all_unreplicated();
        assert_eq!(r.unreplicated().len(), 1);
        assert_eq!(r.all().len(), 1);
    }

    #[test]
    fn schemas_from_the_cluster_are_checked_and_replicated() {
        let r = SchemaRegistry::new();
        let s = schema("y");
        let id = s.id();
        assert_eq!(
            r.insert_from_cluster(id ^ 1, s.clone()),
            Err(SchemaError::IdMismatch {
                expected: id ^ 1,
                actual: id
            })
        );
        r.insert_from_cluster(id, s).unwrap();
        assert!(r.contains(id));
        assert!(!r.has_unreplicated());
        assert_eq!(r.get(id).unwrap().type_name(), "y");
    }
}
