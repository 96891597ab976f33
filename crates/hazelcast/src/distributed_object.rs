//! The cluster's distributed objects: listing them, destroying one by name and service, and the
//! stream of their creations and destructions.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::client::{
    ClientAddDistributedObjectListenerDistributedObjectEvent, ClientAddDistributedObjectListenerRequest,
    ClientAddDistributedObjectListenerResponse, ClientGetDistributedObjectsRequest,
    ClientGetDistributedObjectsResponse, ClientRemoveDistributedObjectListenerRequest,
};
use hazelcast_codec::{ClientMessage, CodecError, Uuid};
use hazelcast_invocation::Target;

use crate::client::HazelcastClient;
use crate::error::HazelcastError;
use crate::proxy::listener::{ListenerCodec, RawEvents, register};
use crate::queue::DEFAULT_EVENT_CAPACITY;

/// A distributed object of the cluster: its name and the service it belongs to
/// (`hz:impl:mapService`, `hz:impl:queueService`, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub struct DistributedObjectInfo {
    /// The service name, e.g. `hz:impl:mapService`.
    pub service_name: String,
    /// The object's name.
    pub name: String,
}

/// What happened to a distributed object.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DistributedObjectEventType {
    /// The object was created (its proxy, on the members).
    Created,
    /// The object was destroyed.
    Destroyed,
    /// A type this client does not know, as the member named it.
    Other(String),
}

impl DistributedObjectEventType {
    fn parse(name: &str) -> Self {
        match name {
            "CREATED" => DistributedObjectEventType::Created,
            "DESTROYED" => DistributedObjectEventType::Destroyed,
            other => DistributedObjectEventType::Other(other.to_owned()),
        }
    }
}

/// A distributed object was created or destroyed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DistributedObjectEvent {
    /// Created or destroyed.
    pub event_type: DistributedObjectEventType,
    /// The object.
    pub object: DistributedObjectInfo,
    /// The client or member that created or destroyed it.
    pub source: Uuid,
}

impl HazelcastClient {
    /// Every distributed object of the cluster (`Client.GetDistributedObjects`, answered by any
    /// member), whoever created it.
    ///
    /// ```no_run
    /// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
    /// for object in client.distributed_objects().await? {
    ///     println!("{} ({})", object.name, object.service_name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn distributed_objects(&self) -> Result<Vec<DistributedObjectInfo>, HazelcastError> {
        let cc = self.cluster()?;
        let answer = cc
            .invoke(&ClientGetDistributedObjectsRequest {}, Target::Any)
            .await
            .map_err(|e| self.call_error(e))?;
        let objects = ClientGetDistributedObjectsResponse::decode(&answer)?.response.0;
        Ok(objects
            .into_iter()
            .map(|o| DistributedObjectInfo {
                service_name: o.service_name,
                name: o.name,
            })
            .collect())
    }

    /// Destroys the distributed object `name` of `service_name` on the cluster (its data is
    /// lost), as the structure's own `destroy` does. Destroying an object that does not exist
    /// succeeds.
    pub async fn destroy_object(&self, name: &str, service_name: &str) -> Result<(), HazelcastError> {
        self.destroy_proxy(name, service_name).await
    }

    /// Creations and destructions of distributed objects from now on, by any client or member
    /// (`Client.AddDistributedObjectListener`). Every member reports every object, so the
    /// listener is registered on one member (`local_only` false), and on another when the
    /// client loses its connection to that one (events in between are missed). Dropping the
    /// stream deregisters the listener; it ends when the client shuts down.
    ///
    /// ```no_run
    /// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
    /// use hazelcast::DistributedObjectEventType;
    /// let mut events = client.distributed_object_events().await?;
    /// while let Some(event) = events.recv().await {
    ///     if event.event_type == DistributedObjectEventType::Destroyed {
    ///         println!("{} is gone", event.object.name);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn distributed_object_events(&self) -> Result<DistributedObjectEventStream, HazelcastError> {
        let raw = register(self, ObjectEvents, DEFAULT_EVENT_CAPACITY).await?;
        Ok(DistributedObjectEventStream { raw })
    }
}

/// The distributed-object listener.
struct ObjectEvents;

impl ListenerCodec for ObjectEvents {
    type Event = DistributedObjectEvent;

    fn describe(&self) -> String {
        "distributed objects".to_owned()
    }

    fn on_one_member(&self) -> bool {
        true
    }

    fn encode_add(&self, _local_only: bool) -> ClientMessage {
        ClientAddDistributedObjectListenerRequest { local_only: false }.encode(-1)
    }

    fn decode_add_response(&self, msg: &ClientMessage) -> Result<Uuid, CodecError> {
        Ok(ClientAddDistributedObjectListenerResponse::decode(msg)?.response)
    }

    fn encode_remove(&self, registration_id: Uuid) -> ClientMessage {
        ClientRemoveDistributedObjectListenerRequest { registration_id }.encode(-1)
    }

    fn decode_event(&self, msg: &ClientMessage) -> Result<Self::Event, CodecError> {
        let e = ClientAddDistributedObjectListenerDistributedObjectEvent::decode(msg)?;
        Ok(DistributedObjectEvent {
            event_type: DistributedObjectEventType::parse(&e.event_type),
            object: DistributedObjectInfo {
                service_name: e.service_name,
                name: e.name,
            },
            source: e.source,
        })
    }
}

/// Creations and destructions of distributed objects, a [`Stream`](futures_core::Stream) of
/// [`DistributedObjectEvent`]s from
/// [`HazelcastClient::distributed_object_events`]. Ends when the client shuts down; dropping it
/// deregisters the listener (in the background), [`close`](DistributedObjectEventStream::close)
/// does it and waits.
pub struct DistributedObjectEventStream {
    raw: RawEvents<DistributedObjectEvent>,
}

impl fmt::Debug for DistributedObjectEventStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DistributedObjectEventStream")
            .field("dropped", &self.raw.dropped())
            .finish_non_exhaustive()
    }
}

impl DistributedObjectEventStream {
    /// The next event; `None` once closed or the client shut down.
    pub async fn recv(&mut self) -> Option<DistributedObjectEvent> {
        self.raw.recv().await
    }

    /// Events dropped because the stream's queue was full.
    pub fn dropped(&self) -> u64 {
        self.raw.dropped()
    }

    /// Deregisters the listener and ends the stream.
    pub async fn close(self) {
        self.raw.close().await;
    }
}

impl futures_core::Stream for DistributedObjectEventStream {
    type Item = DistributedObjectEvent;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().raw.poll_recv(cx)
    }
}
