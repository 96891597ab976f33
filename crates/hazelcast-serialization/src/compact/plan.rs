//! What writing a Rust type as Compact needs, computed once per type: the schema of the type and
//! of every struct nested in it, and the order in which serde writes their fields.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::SerializationError;
use crate::registry::SchemaRegistry;
use crate::schema::Schema;

/// The Compact type names of Rust structs: the serde name of the struct (its name, or its
/// `#[serde(rename = "…")]`) unless an override maps it to another.
#[derive(Debug, Clone, Default)]
pub(crate) struct TypeNames {
    overrides: HashMap<String, String>,
}

impl TypeNames {
    pub(crate) fn set(&mut self, serde_name: String, type_name: String) {
        self.overrides.insert(serde_name, type_name);
    }

    /// The Compact type name of a serde struct name.
    pub(crate) fn resolve<'a>(&'a self, serde_name: &'a str) -> &'a str {
        self.overrides.get(serde_name).map_or(serde_name, String::as_str)
    }
}

/// One struct's schema and the position in the schema of each field serde writes, in the order
/// serde writes them.
#[derive(Debug)]
pub(crate) struct PlannedSchema {
    pub(crate) serde_name: &'static str,
    pub(crate) schema: Arc<Schema>,
    pub(crate) write_order: Vec<usize>,
}

impl PlannedSchema {
    /// The index in the schema of the field `key`, written as the `n`-th field (usually the
    /// `n`-th of `write_order`, so the lookup is one comparison).
    pub(crate) fn field_index(&self, n: usize, key: &str) -> Option<usize> {
        if let Some(&i) = self.write_order.get(n)
            && self.schema.fields()[i].name() == key
        {
            return Some(i);
        }
        self.schema.field_index(key)
    }
}

/// The schemas of one Rust type: the root first, then each nested struct once.
#[derive(Debug)]
pub(crate) struct TypePlan {
    pub(crate) schemas: Vec<PlannedSchema>,
    registered: AtomicBool,
}

impl TypePlan {
    pub(crate) fn new(schemas: Vec<PlannedSchema>) -> Self {
        TypePlan {
            schemas,
            registered: AtomicBool::new(false),
        }
    }

    /// The root struct.
    pub(crate) fn root(&self) -> &PlannedSchema {
        &self.schemas[0]
    }

    /// The struct with this serde name.
    pub(crate) fn by_serde_name(&self, name: &str) -> Option<&PlannedSchema> {
        self.schemas.iter().find(|p| p.serde_name == name)
    }

    /// Registers every schema of the type (once per plan: the registry never forgets one).
    pub(crate) fn register(&self, registry: &SchemaRegistry) -> Result<(), SerializationError> {
        if self.registered.load(Ordering::Acquire) {
            return Ok(());
        }
        for p in &self.schemas {
            registry.register(p.schema.clone())?;
        }
        self.registered.store(true, Ordering::Release);
        Ok(())
    }
}
