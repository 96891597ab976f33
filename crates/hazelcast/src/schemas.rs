//! Keys and values to `Data` and back for the typed proxies, with the cluster's side of Compact
//! schemas, as the official clients do it:
//!
//! * **Writing.** Serializing a Compact record registers its schemas in the client's
//!   [`SchemaRegistry`]; before the call that carries the record is sent, every schema the
//!   cluster does not have yet goes out with `Client.SendSchema`, so no other client can read
//!   the record before its schema is on the cluster. One task sends at a time and the others
//!   find the work done (concurrent first writes of a new type send its schema once).
//! * **Reading.** A record whose schema the client does not know is read again after
//!   `Client.FetchSchema`; concurrent readers of the same unknown schema share one fetch.
//! * **A new cluster** (a whole-cluster restart, or a replacement) has lost the schemas: on
//!   `ClusterChanged` every known schema is sent again with `Client.SendAllSchemas`, and until
//!   that succeeded they count as not replicated, so a write sends them itself.

use std::sync::Arc;

use hazelcast_codec::Data;
use hazelcast_codec::custom::{FieldDescriptor as WireField, Schema as WireSchema};
use hazelcast_codec::messages::client::{
    ClientFetchSchemaRequest, ClientFetchSchemaResponse, ClientSendAllSchemasRequest,
    ClientSendSchemaRequest, ClientSendSchemaResponse,
};
use hazelcast_codec::types::{ListRef, VarList};
use hazelcast_invocation::{ClusterClient, Target};
use hazelcast_serialization::{
    FromData, Schema, SchemaRegistry, SerializationError, SerializationService, ToData,
};

use crate::error::HazelcastError;

/// How many unknown schemas one read fetches at most (a record nests records of other types,
/// each may need its own fetch).
const MAX_FETCHES_PER_READ: usize = 16;

/// The client's serialization service and its schema traffic with the cluster.
#[derive(Debug)]
pub(crate) struct Schemas {
    service: Arc<SerializationService>,
    /// Held while schemas are sent or fetched: concurrent writers of a new type, or readers of
    /// an unknown one, wait for the first and then find its work done.
    exchange: tokio::sync::Mutex<()>,
    /// Schemas sent with `Client.SendSchema`.
    sent: std::sync::atomic::AtomicU64,
}

impl Schemas {
    pub(crate) fn new(service: Arc<SerializationService>) -> Self {
        Schemas {
            service,
            exchange: tokio::sync::Mutex::new(()),
            sent: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// The serialization service.
    pub(crate) fn service(&self) -> &Arc<SerializationService> {
        &self.service
    }

    /// Schemas sent one by one (`Client.SendSchema`) so far.
    pub(crate) fn sent(&self) -> u64 {
        self.sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn registry(&self) -> &SchemaRegistry {
        self.service.schemas()
    }

    /// Serializes `value`; the schemas it needs are on the cluster when this returns.
    /// `cluster` is asked for the connected client only when a schema must be sent (not on
    /// the hot path).
    pub(crate) async fn write_data<T: ToData + ?Sized>(
        &self,
        cluster: impl FnOnce() -> Result<ClusterClient, HazelcastError>,
        value: &T,
    ) -> Result<Data, HazelcastError> {
        let data = value.to_data(&self.service)?;
        if self.registry().has_unreplicated() {
            self.replicate(&cluster()?).await?;
        }
        Ok(data)
    }

    /// Sends every schema the cluster does not have yet, one task at a time.
    async fn replicate(&self, cc: &ClusterClient) -> Result<(), HazelcastError> {
        let _exchange = self.exchange.lock().await;
        for schema in self.registry().unreplicated() {
            let wire = to_wire(&schema);
            let answer = cc
                .invoke(&ClientSendSchemaRequest { schema: &wire }, Target::Any)
                .await?;
            let replicated = ClientSendSchemaResponse::decode(&answer)?;
            tracing::debug!(
                schema_id = schema.id(),
                type_name = schema.type_name(),
                members = replicated.replicated_members.0.len(),
                "schema sent to the cluster"
            );
            self.registry().mark_replicated(schema.id());
            self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    }

    /// Deserializes `data`, fetching the schemas the client does not know from the cluster.
    /// `cluster` is asked for the connected client only when a schema must be fetched.
    pub(crate) async fn read_data<T: FromData>(
        &self,
        cluster: impl Fn() -> Result<ClusterClient, HazelcastError>,
        data: &Data,
    ) -> Result<T, HazelcastError> {
        for _ in 0..MAX_FETCHES_PER_READ {
            match T::from_data(data, &self.service) {
                Err(e) if e.unknown_schema_id().is_some() => {
                    let id = e.unknown_schema_id().unwrap_or_default();
                    self.fetch(&cluster()?, id).await?;
                }
                other => return other.map_err(HazelcastError::from),
            }
        }
        T::from_data(data, &self.service).map_err(HazelcastError::from)
    }

    /// Fetches one schema (once for all concurrent readers that need it).
    async fn fetch(&self, cc: &ClusterClient, schema_id: i64) -> Result<(), HazelcastError> {
        let _exchange = self.exchange.lock().await;
        if self.registry().contains(schema_id) {
            return Ok(());
        }
        let answer = cc
            .invoke(&ClientFetchSchemaRequest { schema_id }, Target::Any)
            .await?;
        let Some(wire) = ClientFetchSchemaResponse::decode(&answer)?.schema else {
            return Err(SerializationError::UnknownSchema { schema_id }.into());
        };
        let fields = wire
            .fields
            .0
            .into_iter()
            .map(|f| (f.field_name, f.kind))
            .collect();
        let schema = Schema::from_wire(wire.type_name, fields)
            .map_err(|e| HazelcastError::from(SerializationError::from(e)))?;
        self.registry()
            .insert_from_cluster(schema_id, schema)
            .map_err(|e| HazelcastError::from(SerializationError::from(e)))?;
        tracing::debug!(schema_id, "schema fetched from the cluster");
        Ok(())
    }

    /// After a switch to a new cluster: every known schema is sent again (and counts as not
    /// replicated until that succeeded, so that a write sends what it needs itself).
    pub(crate) async fn resend_all(&self, cc: &ClusterClient) {
        let _exchange = self.exchange.lock().await;
        let all = self.registry().all();
        if all.is_empty() {
            return;
        }
        self.registry().mark_all_unreplicated();
        let wire: Vec<WireSchema> = all.iter().map(|s| to_wire(s)).collect();
        match cc
            .invoke(
                &ClientSendAllSchemasRequest {
                    schemas: ListRef(&wire),
                },
                Target::Any,
            )
            .await
        {
            Ok(_) => {
                for s in &all {
                    self.registry().mark_replicated(s.id());
                }
                tracing::info!(schemas = all.len(), "schemas sent again to the new cluster");
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not send the schemas to the new cluster; writes will send them")
            }
        }
    }
}

fn to_wire(schema: &Schema) -> WireSchema {
    WireSchema::new(
        schema.type_name().to_owned(),
        VarList(
            schema
                .wire_fields()
                .map(|(name, kind)| WireField::new(kind, name.to_owned()))
                .collect(),
        ),
    )
}
