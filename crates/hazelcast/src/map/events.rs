//! A map's entry listener: its options, events and event stream.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::map::{
    MapAddEntryListenerEntryEvent, MapAddEntryListenerRequest, MapAddEntryListenerResponse,
    MapRemoveEntryListenerRequest, entry_event_type,
};
use hazelcast_codec::{ClientMessage, CodecError, Data, Uuid};
use hazelcast_serialization::{FromData, SerializationService};

use crate::client::HazelcastClient;
use crate::error::HazelcastError;
use crate::proxy::is_null;
use crate::proxy::listener::{ListenerCodec, RawEvents};

/// Options of an entry listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EntryListenerOptions {
    /// Events carry the value and old value (default `true`); without, only keys.
    pub include_value: bool,
    /// The event types wanted, an OR of [`EntryEventType::flag`]s. Default: added, removed,
    /// updated, evicted, expired, evict-all, clear-all, merged and loaded.
    pub event_flags: i32,
    /// Events buffered between the connection and the stream before new ones are dropped
    /// (default 4096).
    pub capacity: usize,
}

impl Default for EntryListenerOptions {
    fn default() -> Self {
        use entry_event_type::*;
        EntryListenerOptions {
            include_value: true,
            event_flags: ADDED
                | REMOVED
                | UPDATED
                | EVICTED
                | EXPIRED
                | EVICT_ALL
                | CLEAR_ALL
                | MERGED
                | LOADED,
            capacity: 4096,
        }
    }
}

impl EntryListenerOptions {
    /// Whether events carry values.
    pub fn include_value(mut self, include: bool) -> Self {
        self.include_value = include;
        self
    }

    /// Only these event types.
    pub fn event_types(mut self, types: &[EntryEventType]) -> Self {
        self.event_flags = types.iter().fold(0, |acc, t| acc | t.flag());
        self
    }

    /// The queue capacity.
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }
}

/// The kind of an entry event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EntryEventType {
    /// An entry was added.
    Added,
    /// An entry was removed.
    Removed,
    /// An entry's value changed.
    Updated,
    /// An entry was evicted.
    Evicted,
    /// An entry expired.
    Expired,
    /// Every entry was evicted (`evict_all`); no key.
    EvictAll,
    /// The map was cleared; no key.
    ClearAll,
    /// An entry was merged after a split-brain.
    Merged,
    /// A near-cache invalidation.
    Invalidation,
    /// An entry was loaded by a map loader.
    Loaded,
    /// A type this client does not know.
    Other(i32),
}

impl EntryEventType {
    /// The protocol value (also the listener flag bit).
    pub fn flag(self) -> i32 {
        use entry_event_type::*;
        match self {
            EntryEventType::Added => ADDED,
            EntryEventType::Removed => REMOVED,
            EntryEventType::Updated => UPDATED,
            EntryEventType::Evicted => EVICTED,
            EntryEventType::Expired => EXPIRED,
            EntryEventType::EvictAll => EVICT_ALL,
            EntryEventType::ClearAll => CLEAR_ALL,
            EntryEventType::Merged => MERGED,
            EntryEventType::Invalidation => INVALIDATION,
            EntryEventType::Loaded => LOADED,
            EntryEventType::Other(v) => v,
        }
    }

    /// The type of a protocol value.
    pub fn from_flag(v: i32) -> Self {
        use entry_event_type::*;
        match v {
            ADDED => EntryEventType::Added,
            REMOVED => EntryEventType::Removed,
            UPDATED => EntryEventType::Updated,
            EVICTED => EntryEventType::Evicted,
            EXPIRED => EntryEventType::Expired,
            EVICT_ALL => EntryEventType::EvictAll,
            CLEAR_ALL => EntryEventType::ClearAll,
            MERGED => EntryEventType::Merged,
            INVALIDATION => EntryEventType::Invalidation,
            LOADED => EntryEventType::Loaded,
            other => EntryEventType::Other(other),
        }
    }
}

/// One entry event, decoded.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EntryEvent<K, V> {
    /// What happened.
    pub event_type: EntryEventType,
    /// The key (`None` for map-wide events such as `ClearAll`).
    pub key: Option<K>,
    /// The new value (`None` without `include_value`, or for removals).
    pub value: Option<V>,
    /// The previous value (updates and removals, with `include_value`).
    pub old_value: Option<V>,
    /// The merging value (`Merged`).
    pub merging_value: Option<V>,
    /// The member that sent the event.
    pub member: Uuid,
    /// Entries affected (map-wide events).
    pub number_of_affected_entries: i32,
}

/// An entry event as it came, whatever listener of which structure sent it (the map's, the
/// replicated map's and the multi-map's entry events carry the same fields).
#[derive(Debug)]
pub(crate) struct RawEntry {
    pub(crate) event_type: i32,
    pub(crate) uuid: Uuid,
    pub(crate) number_of_affected_entries: i32,
    pub(crate) key: Option<Data>,
    pub(crate) value: Option<Data>,
    pub(crate) old_value: Option<Data>,
    pub(crate) merging_value: Option<Data>,
}

impl From<MapAddEntryListenerEntryEvent> for RawEntry {
    fn from(e: MapAddEntryListenerEntryEvent) -> Self {
        RawEntry {
            event_type: e.event_type,
            uuid: e.uuid,
            number_of_affected_entries: e.number_of_affected_entries,
            key: e.key,
            value: e.value,
            old_value: e.old_value,
            merging_value: e.merging_value,
        }
    }
}

impl<K: FromData, V: FromData> EntryEvent<K, V> {
    /// Decodes with the schemas the client knows.
    fn decode(e: RawEntry, service: &SerializationService) -> Result<Self, HazelcastError> {
        fn read<T: FromData>(
            d: Option<Data>,
            service: &SerializationService,
        ) -> Result<Option<T>, HazelcastError> {
            match d {
                Some(d) if !is_null(&d) => T::from_data(&d, service).map(Some).map_err(HazelcastError::from),
                _ => Ok(None),
            }
        }
        Ok(EntryEvent {
            event_type: EntryEventType::from_flag(e.event_type),
            key: read(e.key, service)?,
            value: read(e.value, service)?,
            old_value: read(e.old_value, service)?,
            merging_value: read(e.merging_value, service)?,
            member: e.uuid,
            number_of_affected_entries: e.number_of_affected_entries,
        })
    }

    /// Decodes, fetching the Compact schemas the client does not know from the cluster.
    async fn decode_fetching(e: RawEntry, client: &HazelcastClient) -> Result<Self, HazelcastError> {
        async fn read<T: FromData>(
            client: &HazelcastClient,
            d: Option<Data>,
        ) -> Result<Option<T>, HazelcastError> {
            match d {
                Some(d) if !is_null(&d) => Ok(Some(client.read_data(&d).await?)),
                _ => Ok(None),
            }
        }
        Ok(EntryEvent {
            event_type: EntryEventType::from_flag(e.event_type),
            key: read(client, e.key).await?,
            value: read(client, e.value).await?,
            old_value: read(client, e.old_value).await?,
            merging_value: read(client, e.merging_value).await?,
            member: e.uuid,
            number_of_affected_entries: e.number_of_affected_entries,
        })
    }
}

/// The map entry listener's requests and events.
pub(super) struct MapEntries {
    pub(super) name: String,
    pub(super) include_value: bool,
    pub(super) flags: i32,
}

impl ListenerCodec for MapEntries {
    type Event = RawEntry;

    fn describe(&self) -> String {
        format!("map {:?}", self.name)
    }

    fn encode_add(&self, local_only: bool) -> ClientMessage {
        MapAddEntryListenerRequest {
            include_value: self.include_value,
            listener_flags: self.flags,
            local_only,
            name: &self.name,
        }
        .encode(-1)
    }

    fn decode_add_response(&self, msg: &ClientMessage) -> Result<Uuid, CodecError> {
        Ok(MapAddEntryListenerResponse::decode(msg)?.response)
    }

    fn encode_remove(&self, registration_id: Uuid) -> ClientMessage {
        MapRemoveEntryListenerRequest {
            registration_id,
            name: &self.name,
        }
        .encode(-1)
    }

    fn decode_event(&self, msg: &ClientMessage) -> Result<Self::Event, CodecError> {
        MapAddEntryListenerEntryEvent::decode(msg).map(RawEntry::from)
    }
}

/// The events of an entry listener (of a [`Map`](crate::Map), a
/// [`ReplicatedMap`](crate::ReplicatedMap) or a [`MultiMap`](crate::MultiMap)), a
/// [`Stream`](futures_core::Stream) of
/// `Result<EntryEvent<K, V>, HazelcastError>` (an error when a key or value does not
/// deserialize as `K`/`V`). Ends when the client shuts down. Dropping it deregisters the
/// listener (in the background); [`close`](EntryEventStream::close) does it and waits.
pub struct EntryEventStream<K, V> {
    client: HazelcastClient,
    raw: RawEvents<RawEntry>,
    _types: PhantomData<fn() -> (K, V)>,
}

impl<K, V> fmt::Debug for EntryEventStream<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntryEventStream")
            .field("dropped", &self.dropped())
            .finish_non_exhaustive()
    }
}

impl<K, V> EntryEventStream<K, V> {
    pub(crate) fn new(client: HazelcastClient, raw: RawEvents<RawEntry>) -> Self {
        EntryEventStream {
            client,
            raw,
            _types: PhantomData,
        }
    }
}

impl<K: FromData, V: FromData> EntryEventStream<K, V> {
    /// The next event; `None` once the listener is closed or the client shut down. Keys and
    /// values of Compact types the client has not seen yet are read after fetching their
    /// schemas from the cluster.
    pub async fn recv(&mut self) -> Option<Result<EntryEvent<K, V>, HazelcastError>> {
        let raw = self.raw.recv().await?;
        Some(EntryEvent::decode_fetching(raw, &self.client).await)
    }

    /// Deregisters the listener from every member and ends the stream.
    pub async fn close(self) {
        self.raw.close().await;
    }
}

impl<K, V> EntryEventStream<K, V> {
    /// Events dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.raw.dropped()
    }
}

/// As a `Stream`, keys and values are read with the schemas the client knows (a Compact type
/// it has not seen gives an error; [`recv`](EntryEventStream::recv) fetches its schema).
impl<K: FromData, V: FromData> futures_core::Stream for EntryEventStream<K, V> {
    type Item = Result<EntryEvent<K, V>, HazelcastError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let service = this.client.serialization().clone();
        this.raw
            .poll_recv(cx)
            .map(|o| o.map(|e| EntryEvent::decode(e, &service)))
    }
}
