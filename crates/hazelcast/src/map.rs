//! [`Map<K, V>`]: the typed proxy of a distributed map, and its entry listeners
//! ([`EntryEventStream`]).

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::map::{
    MapAddEntryListenerEntryEvent, MapAddEntryListenerRequest, MapAddEntryListenerResponse, MapClearRequest,
    MapContainsKeyRequest, MapContainsKeyResponse, MapContainsValueRequest, MapContainsValueResponse,
    MapDeleteRequest, MapEntrySetRequest, MapEntrySetResponse, MapGetAllRequest, MapGetAllResponse,
    MapGetRequest, MapGetResponse, MapIsEmptyRequest, MapIsEmptyResponse, MapKeySetRequest,
    MapKeySetResponse, MapPutAllRequest, MapPutIfAbsentRequest, MapPutIfAbsentResponse, MapPutRequest,
    MapPutResponse, MapRemoveEntryListenerRequest, MapRemoveIfSameRequest, MapRemoveIfSameResponse,
    MapRemoveRequest, MapRemoveResponse, MapReplaceIfSameRequest, MapReplaceIfSameResponse,
    MapReplaceRequest, MapReplaceResponse, MapSetRequest, MapSetTtlRequest, MapSetTtlResponse,
    MapSizeRequest, MapSizeResponse, MapValuesRequest, MapValuesResponse, entry_event_type,
};
use hazelcast_codec::types::{EntryListRef, ListRef};
use hazelcast_codec::{ClientMessage, CodecError, Data, Uuid};
use hazelcast_invocation::{ClusterClient, ListenerId, ListenerRegistration};
use hazelcast_serialization::{FromData, SerializationService, ToData};

use crate::proxy::listener::Closeable;
use tokio::sync::mpsc;

use crate::client::HazelcastClient;
use crate::error::HazelcastError;
use crate::proxy::{ProxyCore, Route, is_null};

/// The thread id this client sends with map calls. Hazelcast uses it as the owner of entry
/// locks; this client takes no locks, so every call of every client instance uses the same
/// fixed value.
pub const THREAD_ID: i64 = 1;

/// A value accepted where a `T` is expected: `T` itself, `&T`, and the borrowed forms of the
/// owned types (`&str` / `str` for `String`, `&[u8]` for `Vec<u8>`). This is what lets
/// `Map<String, String>` take `map.put("key", "value")`.
pub trait SerializeAs<T: ?Sized>: ToData {}

impl<T: ToData> SerializeAs<T> for T {}
impl<T: ToData> SerializeAs<T> for &T {}
impl SerializeAs<String> for &str {}
impl SerializeAs<String> for &&str {}
impl SerializeAs<Vec<u8>> for &[u8] {}

fn ttl_millis(ttl: Duration) -> i64 {
    if ttl.is_zero() {
        return 0;
    }
    // A non-zero ttl below 1 ms must not become 0, which means "forever".
    i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1)
}

/// A distributed map with keys `K` and values `V`, from [`HazelcastClient::get_map`].
///
/// Cheap to clone. Key-based calls go to the partition owner of the key (smart routing) or
/// through the single connection (unisocket) with the key's partition id; `put_all` and `get_all`
/// send one request per partition, concurrently.
///
/// Methods take keys and values as anything that serializes as `K`/`V`
/// ([`SerializeAs`]): `map.put("k", "v")` on a `Map<String, String>`, `map.put(&k, &v)` with
/// owned values.
///
/// ```no_run
/// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
/// use std::time::Duration;
/// let map = client.get_map::<String, String>("capitals").await?;
/// map.put("France", "Paris").await?;
/// map.set_with_ttl("Atlantis", "Poseidonia", Duration::from_secs(60)).await?;
/// assert_eq!(map.get("France").await?.as_deref(), Some("Paris"));
/// assert!(map.contains_key("Atlantis").await?);
/// # Ok(()) }
/// ```
pub struct Map<K, V> {
    core: ProxyCore,
    _types: PhantomData<fn() -> (K, V)>,
}

impl<K, V> Clone for Map<K, V> {
    fn clone(&self) -> Self {
        Map {
            core: self.core.clone(),
            _types: PhantomData,
        }
    }
}

impl<K, V> fmt::Debug for Map<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Map")
            .field("name", &self.core.name())
            .finish_non_exhaustive()
    }
}

impl<K, V> Map<K, V>
where
    K: ToData + FromData,
    V: ToData + FromData,
{
    pub(crate) fn new(core: ProxyCore) -> Self {
        Map {
            core,
            _types: PhantomData,
        }
    }

    /// The map's name.
    pub fn name(&self) -> &str {
        self.core.name()
    }

    async fn data<T: ToData + ?Sized>(&self, value: &T) -> Result<Data, HazelcastError> {
        self.core.data(value).await
    }

    async fn value<T: FromData>(&self, data: &Data) -> Result<T, HazelcastError> {
        self.core.value(data).await
    }

    async fn opt<T: FromData>(&self, data: Option<Data>) -> Result<Option<T>, HazelcastError> {
        self.core.opt(data).await
    }

    async fn on_key<R: Request>(&self, key: &Data, request: &R) -> Result<ClientMessage, HazelcastError> {
        self.core.invoke(request, Route::Key(key)).await
    }

    async fn on_any<R: Request>(&self, request: &R) -> Result<ClientMessage, HazelcastError> {
        self.core.invoke(request, Route::Any).await
    }

    /// Puts an entry; returns the previous value.
    pub async fn put(
        &self,
        key: impl SerializeAs<K>,
        value: impl SerializeAs<V>,
    ) -> Result<Option<V>, HazelcastError> {
        self.put_ttl_raw(self.data(&key).await?, self.data(&value).await?, -1)
            .await
    }

    /// Puts an entry that expires after `ttl` (`Duration::ZERO`: never, whatever the map's
    /// default); returns the previous value.
    pub async fn put_with_ttl(
        &self,
        key: impl SerializeAs<K>,
        value: impl SerializeAs<V>,
        ttl: Duration,
    ) -> Result<Option<V>, HazelcastError> {
        self.put_ttl_raw(self.data(&key).await?, self.data(&value).await?, ttl_millis(ttl))
            .await
    }

    async fn put_ttl_raw(&self, key: Data, value: Data, ttl: i64) -> Result<Option<V>, HazelcastError> {
        let req = MapPutRequest {
            thread_id: THREAD_ID,
            ttl,
            name: self.core.name(),
            key: &key,
            value: &value,
        };
        let answer = self.on_key(&key, &req).await?;
        self.opt(MapPutResponse::decode(&answer)?.response).await
    }

    /// Puts an entry without returning the previous value (cheaper than [`put`](Map::put)).
    pub async fn set(
        &self,
        key: impl SerializeAs<K>,
        value: impl SerializeAs<V>,
    ) -> Result<(), HazelcastError> {
        self.set_ttl_raw(self.data(&key).await?, self.data(&value).await?, -1)
            .await
    }

    /// Sets an entry that expires after `ttl` (`Duration::ZERO`: never).
    pub async fn set_with_ttl(
        &self,
        key: impl SerializeAs<K>,
        value: impl SerializeAs<V>,
        ttl: Duration,
    ) -> Result<(), HazelcastError> {
        self.set_ttl_raw(self.data(&key).await?, self.data(&value).await?, ttl_millis(ttl))
            .await
    }

    async fn set_ttl_raw(&self, key: Data, value: Data, ttl: i64) -> Result<(), HazelcastError> {
        let req = MapSetRequest {
            thread_id: THREAD_ID,
            ttl,
            name: self.core.name(),
            key: &key,
            value: &value,
        };
        let answer = self.on_key(&key, &req).await?;
        hazelcast_codec::messages::check_type(&answer, MapSetRequest::MESSAGE_TYPE + 1)?;
        Ok(())
    }

    /// The value of `key`.
    pub async fn get(&self, key: impl SerializeAs<K>) -> Result<Option<V>, HazelcastError> {
        let key = self.data(&key).await?;
        let req = MapGetRequest {
            thread_id: THREAD_ID,
            name: self.core.name(),
            key: &key,
        };
        let answer = self.on_key(&key, &req).await?;
        self.opt(MapGetResponse::decode(&answer)?.response).await
    }

    /// Removes `key`; returns its value.
    pub async fn remove(&self, key: impl SerializeAs<K>) -> Result<Option<V>, HazelcastError> {
        let key = self.data(&key).await?;
        let req = MapRemoveRequest {
            thread_id: THREAD_ID,
            name: self.core.name(),
            key: &key,
        };
        let answer = self.on_key(&key, &req).await?;
        self.opt(MapRemoveResponse::decode(&answer)?.response).await
    }

    /// Removes `key` if it maps to `value`; returns whether it did.
    pub async fn remove_if_same(
        &self,
        key: impl SerializeAs<K>,
        value: impl SerializeAs<V>,
    ) -> Result<bool, HazelcastError> {
        let (key, value) = (self.data(&key).await?, self.data(&value).await?);
        let req = MapRemoveIfSameRequest {
            thread_id: THREAD_ID,
            name: self.core.name(),
            key: &key,
            value: &value,
        };
        let answer = self.on_key(&key, &req).await?;
        Ok(MapRemoveIfSameResponse::decode(&answer)?.response)
    }

    /// Removes `key` without returning its value (cheaper than [`remove`](Map::remove)).
    pub async fn delete(&self, key: impl SerializeAs<K>) -> Result<(), HazelcastError> {
        let key = self.data(&key).await?;
        let req = MapDeleteRequest {
            thread_id: THREAD_ID,
            name: self.core.name(),
            key: &key,
        };
        let answer = self.on_key(&key, &req).await?;
        hazelcast_codec::messages::check_type(&answer, MapDeleteRequest::MESSAGE_TYPE + 1)?;
        Ok(())
    }

    /// Whether the map holds `key`.
    pub async fn contains_key(&self, key: impl SerializeAs<K>) -> Result<bool, HazelcastError> {
        let key = self.data(&key).await?;
        let req = MapContainsKeyRequest {
            thread_id: THREAD_ID,
            name: self.core.name(),
            key: &key,
        };
        let answer = self.on_key(&key, &req).await?;
        Ok(MapContainsKeyResponse::decode(&answer)?.response)
    }

    /// Whether any key maps to `value` (scans the whole map on every member).
    pub async fn contains_value(&self, value: impl SerializeAs<V>) -> Result<bool, HazelcastError> {
        let value = self.data(&value).await?;
        let answer = self
            .on_any(&MapContainsValueRequest {
                name: self.core.name(),
                value: &value,
            })
            .await?;
        Ok(MapContainsValueResponse::decode(&answer)?.response)
    }

    /// Puts the entry unless `key` is present; returns the existing value (`None` when it
    /// inserted).
    pub async fn put_if_absent(
        &self,
        key: impl SerializeAs<K>,
        value: impl SerializeAs<V>,
    ) -> Result<Option<V>, HazelcastError> {
        self.put_if_absent_raw(self.data(&key).await?, self.data(&value).await?, -1)
            .await
    }

    /// [`put_if_absent`](Map::put_if_absent) with a time to live (`Duration::ZERO`: never).
    pub async fn put_if_absent_with_ttl(
        &self,
        key: impl SerializeAs<K>,
        value: impl SerializeAs<V>,
        ttl: Duration,
    ) -> Result<Option<V>, HazelcastError> {
        self.put_if_absent_raw(self.data(&key).await?, self.data(&value).await?, ttl_millis(ttl))
            .await
    }

    async fn put_if_absent_raw(&self, key: Data, value: Data, ttl: i64) -> Result<Option<V>, HazelcastError> {
        let req = MapPutIfAbsentRequest {
            thread_id: THREAD_ID,
            ttl,
            name: self.core.name(),
            key: &key,
            value: &value,
        };
        let answer = self.on_key(&key, &req).await?;
        self.opt(MapPutIfAbsentResponse::decode(&answer)?.response).await
    }

    /// Replaces the value of `key` if present; returns the previous value (`None`: nothing
    /// replaced).
    pub async fn replace(
        &self,
        key: impl SerializeAs<K>,
        value: impl SerializeAs<V>,
    ) -> Result<Option<V>, HazelcastError> {
        let (key, value) = (self.data(&key).await?, self.data(&value).await?);
        let req = MapReplaceRequest {
            thread_id: THREAD_ID,
            name: self.core.name(),
            key: &key,
            value: &value,
        };
        let answer = self.on_key(&key, &req).await?;
        self.opt(MapReplaceResponse::decode(&answer)?.response).await
    }

    /// Replaces the value of `key` with `new` if it is `old`; returns whether it did.
    pub async fn replace_if_same(
        &self,
        key: impl SerializeAs<K>,
        old: impl SerializeAs<V>,
        new: impl SerializeAs<V>,
    ) -> Result<bool, HazelcastError> {
        let (key, old, new) = (
            self.data(&key).await?,
            self.data(&old).await?,
            self.data(&new).await?,
        );
        let req = MapReplaceIfSameRequest {
            thread_id: THREAD_ID,
            name: self.core.name(),
            key: &key,
            test_value: &old,
            value: &new,
        };
        let answer = self.on_key(&key, &req).await?;
        Ok(MapReplaceIfSameResponse::decode(&answer)?.response)
    }

    /// Changes the time to live of an existing entry (`Duration::ZERO`: never expires); returns
    /// whether the entry exists.
    pub async fn set_ttl(&self, key: impl SerializeAs<K>, ttl: Duration) -> Result<bool, HazelcastError> {
        let key = self.data(&key).await?;
        let req = MapSetTtlRequest {
            ttl: ttl_millis(ttl),
            name: self.core.name(),
            key: &key,
        };
        let answer = self.on_key(&key, &req).await?;
        Ok(MapSetTtlResponse::decode(&answer)?.response)
    }

    /// The number of entries.
    pub async fn size(&self) -> Result<usize, HazelcastError> {
        let answer = self.on_any(&MapSizeRequest { name: self.name() }).await?;
        Ok(usize::try_from(MapSizeResponse::decode(&answer)?.response).unwrap_or(0))
    }

    /// Whether the map is empty.
    pub async fn is_empty(&self) -> Result<bool, HazelcastError> {
        let answer = self.on_any(&MapIsEmptyRequest { name: self.name() }).await?;
        Ok(MapIsEmptyResponse::decode(&answer)?.response)
    }

    /// Removes every entry.
    pub async fn clear(&self) -> Result<(), HazelcastError> {
        let answer = self.on_any(&MapClearRequest { name: self.name() }).await?;
        hazelcast_codec::messages::check_type(&answer, MapClearRequest::MESSAGE_TYPE + 1)?;
        Ok(())
    }

    /// Every key (a snapshot; the whole key set travels in one answer).
    pub async fn key_set(&self) -> Result<Vec<K>, HazelcastError> {
        let answer = self.on_any(&MapKeySetRequest { name: self.name() }).await?;
        let keys = MapKeySetResponse::decode(&answer)?.response.0;
        let mut out = Vec::with_capacity(keys.len());
        for k in &keys {
            out.push(self.value(k).await?);
        }
        Ok(out)
    }

    /// Every value.
    pub async fn values(&self) -> Result<Vec<V>, HazelcastError> {
        let answer = self.on_any(&MapValuesRequest { name: self.name() }).await?;
        let values = MapValuesResponse::decode(&answer)?.response.0;
        let mut out = Vec::with_capacity(values.len());
        for v in &values {
            out.push(self.value(v).await?);
        }
        Ok(out)
    }

    /// Every entry.
    pub async fn entries(&self) -> Result<Vec<(K, V)>, HazelcastError> {
        let answer = self.on_any(&MapEntrySetRequest { name: self.name() }).await?;
        let entries = MapEntrySetResponse::decode(&answer)?.response.0;
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in &entries {
            out.push((self.value(k).await?, self.value(v).await?));
        }
        Ok(out)
    }

    /// Puts every entry: grouped by partition, one `Map.PutAll` per partition, all sent
    /// concurrently. Not atomic: on an error some partitions may have been written.
    pub async fn put_all<I, KA, VA>(&self, entries: I) -> Result<(), HazelcastError>
    where
        I: IntoIterator<Item = (KA, VA)>,
        KA: SerializeAs<K>,
        VA: SerializeAs<V>,
    {
        let cc = self.core.cluster()?;
        let mut by_partition: HashMap<i32, Vec<(Data, Data)>> = HashMap::new();
        for (k, v) in entries {
            let key = self.data(&k).await?;
            let pid = self.core.client().partition_of(&cc, &key)?;
            by_partition
                .entry(pid)
                .or_default()
                .push((key, self.data(&v).await?));
        }
        let calls = by_partition.iter().map(|(&pid, list)| async move {
            let req = MapPutAllRequest {
                trigger_map_loader: true,
                name: self.core.name(),
                entries: EntryListRef(list),
            };
            let answer = self.core.invoke(&req, Route::Partition(pid)).await?;
            hazelcast_codec::messages::check_type(&answer, MapPutAllRequest::MESSAGE_TYPE + 1)?;
            Ok::<(), HazelcastError>(())
        });
        futures_util::future::try_join_all(calls).await?;
        Ok(())
    }

    /// The entries of the given keys that exist: grouped by partition, one `Map.GetAll` per
    /// partition, all sent concurrently. The order of the result is unspecified.
    pub async fn get_all<I, KA>(&self, keys: I) -> Result<Vec<(K, V)>, HazelcastError>
    where
        I: IntoIterator<Item = KA>,
        KA: SerializeAs<K>,
    {
        let cc = self.core.cluster()?;
        let mut by_partition: HashMap<i32, Vec<Data>> = HashMap::new();
        for k in keys {
            let key = self.data(&k).await?;
            let pid = self.core.client().partition_of(&cc, &key)?;
            by_partition.entry(pid).or_default().push(key);
        }
        let calls = by_partition.iter().map(|(&pid, list)| async move {
            let req = MapGetAllRequest {
                name: self.core.name(),
                keys: ListRef(list),
            };
            let answer = self.core.invoke(&req, Route::Partition(pid)).await?;
            Ok::<_, HazelcastError>(MapGetAllResponse::decode(&answer)?.response.0)
        });
        let mut out = Vec::new();
        for part in futures_util::future::try_join_all(calls).await? {
            for (k, v) in part {
                out.push((self.value(&k).await?, self.value(&v).await?));
            }
        }
        Ok(out)
    }

    /// Destroys the map on the cluster (every entry is lost; other proxies of the same name see
    /// an empty map, which is created again on first use).
    pub async fn destroy(&self) -> Result<(), HazelcastError> {
        self.core.destroy().await
    }

    /// Entry events of the whole map with the default options (values included, every event
    /// type): see [`entry_events_with`](Map::entry_events_with).
    pub async fn entry_events(&self) -> Result<EntryEventStream<K, V>, HazelcastError> {
        self.entry_events_with(EntryListenerOptions::default()).await
    }

    /// Registers an entry listener and returns its events as a [`Stream`](futures_core::Stream).
    ///
    /// In smart mode the listener is registered on every member connection with
    /// `local_only = true` (each member reports the entries it owns, so every change arrives
    /// exactly once), in unisocket mode once with `local_only = false`. The registration
    /// returns after every current member accepted it; events of changes made after that are
    /// delivered.
    ///
    /// Events go through a bounded queue of `options.capacity` events between the connection's
    /// reader and the stream: the reader never waits for a slow consumer (that would stall
    /// every call on the connection). When the queue is full, events are dropped and counted
    /// ([`EntryEventStream::dropped`]). Dropping the stream (or
    /// [`close`](EntryEventStream::close)) deregisters the listener.
    ///
    /// ```no_run
    /// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
    /// use hazelcast::{EntryEventType, EntryListenerOptions};
    /// let map = client.get_map::<String, i32>("orders").await?;
    /// let mut events = map.entry_events_with(EntryListenerOptions::default()).await?;
    /// map.put("o-1", 10).await?;
    /// while let Some(event) = events.recv().await {
    ///     let event = event?;
    ///     if event.event_type == EntryEventType::Added {
    ///         println!("added {:?} = {:?}", event.key, event.value);
    ///         break;
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn entry_events_with(
        &self,
        options: EntryListenerOptions,
    ) -> Result<EntryEventStream<K, V>, HazelcastError> {
        let cc = self.core.cluster()?;
        let (tx, rx) = mpsc::channel(options.capacity.max(1));
        let dropped = Arc::new(AtomicU64::new(0));
        let registration = Arc::new(EntryListenerRegistration {
            name: self.core.name().to_owned(),
            include_value: options.include_value,
            flags: options.event_flags,
            tx: Mutex::new(Some(tx)),
            dropped: dropped.clone(),
        });
        let closeable: Arc<dyn crate::proxy::listener::Closeable> = registration.clone();
        self.core.client().track_listener(Arc::downgrade(&closeable));
        let id = cc.add_listener(registration.clone()).await?;
        Ok(EntryEventStream {
            client: self.core.client().clone(),
            rx,
            dropped,
            registration: Some((cc, id, registration)),
            _types: PhantomData,
        })
    }
}

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

impl<K: FromData, V: FromData> EntryEvent<K, V> {
    /// Decodes with the schemas the client knows.
    fn decode(
        e: MapAddEntryListenerEntryEvent,
        service: &SerializationService,
    ) -> Result<Self, HazelcastError> {
        fn read<T: FromData>(
            d: Option<Data>,
            service: &SerializationService,
        ) -> Result<Option<T>, HazelcastError> {
            match d {
                Some(d) if !is_null(&d) => T::from_data(&d, service)
                    .map(Some)
                    .map_err(|e| HazelcastError::Value(Arc::new(e))),
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
    async fn decode_fetching(
        e: MapAddEntryListenerEntryEvent,
        client: &HazelcastClient,
    ) -> Result<Self, HazelcastError> {
        let cc = client.cluster()?;
        async fn read<T: FromData>(
            client: &HazelcastClient,
            cc: &ClusterClient,
            d: Option<Data>,
        ) -> Result<Option<T>, HazelcastError> {
            match d {
                Some(d) if !is_null(&d) => Ok(Some(client.read_data(cc, &d).await?)),
                _ => Ok(None),
            }
        }
        Ok(EntryEvent {
            event_type: EntryEventType::from_flag(e.event_type),
            key: read(client, &cc, e.key).await?,
            value: read(client, &cc, e.value).await?,
            old_value: read(client, &cc, e.old_value).await?,
            merging_value: read(client, &cc, e.merging_value).await?,
            member: e.uuid,
            number_of_affected_entries: e.number_of_affected_entries,
        })
    }
}

/// The registration of a map entry listener in the invocation layer.
pub(crate) struct EntryListenerRegistration {
    name: String,
    include_value: bool,
    flags: i32,
    tx: Mutex<Option<mpsc::Sender<MapAddEntryListenerEntryEvent>>>,
    dropped: Arc<AtomicU64>,
}

impl crate::proxy::listener::Closeable for EntryListenerRegistration {
    /// Ends the stream (client shutdown).
    fn close(&self) {
        self.tx.lock().unwrap_or_else(PoisonError::into_inner).take();
    }
}

impl ListenerRegistration for EntryListenerRegistration {
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

    fn encode_remove(&self, server_registration_id: Uuid) -> ClientMessage {
        MapRemoveEntryListenerRequest {
            registration_id: server_registration_id,
            name: &self.name,
        }
        .encode(-1)
    }

    fn on_event(&self, event: ClientMessage) {
        let decoded = match MapAddEntryListenerEntryEvent::decode(&event) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(map = %self.name, error = %e, "undecodable entry event");
                return;
            }
        };
        let guard = self.tx.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(tx) = guard.as_ref()
            && let Err(mpsc::error::TrySendError::Full(_)) = tx.try_send(decoded)
        {
            let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_power_of_two() {
                tracing::warn!(map = %self.name, dropped = n, "entry listener queue full: events dropped");
            }
        }
    }
}

/// The events of an entry listener, a [`Stream`](futures_core::Stream) of
/// `Result<EntryEvent<K, V>, HazelcastError>` (an error when a key or value does not
/// deserialize as `K`/`V`). Ends when the client shuts down. Dropping it deregisters the
/// listener (in the background); [`close`](EntryEventStream::close) does it and waits.
pub struct EntryEventStream<K, V> {
    client: HazelcastClient,
    rx: mpsc::Receiver<MapAddEntryListenerEntryEvent>,
    dropped: Arc<AtomicU64>,
    registration: Option<(ClusterClient, ListenerId, Arc<EntryListenerRegistration>)>,
    _types: PhantomData<fn() -> (K, V)>,
}

impl<K, V> fmt::Debug for EntryEventStream<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntryEventStream")
            .field("dropped", &self.dropped())
            .finish_non_exhaustive()
    }
}

impl<K: FromData, V: FromData> EntryEventStream<K, V> {
    /// The next event; `None` once the listener is closed or the client shut down. Keys and
    /// values of Compact types the client has not seen yet are read after fetching their
    /// schemas from the cluster.
    pub async fn recv(&mut self) -> Option<Result<EntryEvent<K, V>, HazelcastError>> {
        let raw = self.rx.recv().await?;
        Some(EntryEvent::decode_fetching(raw, &self.client).await)
    }

    /// Deregisters the listener from every member and ends the stream.
    pub async fn close(mut self) {
        if let Some((cc, id, reg)) = self.registration.take() {
            reg.close();
            cc.remove_listener(id).await;
        }
    }
}

impl<K, V> EntryEventStream<K, V> {
    /// Events dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// As a `Stream`, keys and values are read with the schemas the client knows (a Compact type
/// it has not seen gives an error; [`recv`](EntryEventStream::recv) fetches its schema).
impl<K: FromData, V: FromData> futures_core::Stream for EntryEventStream<K, V> {
    type Item = Result<EntryEvent<K, V>, HazelcastError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let service = this.client.serialization().clone();
        this.rx
            .poll_recv(cx)
            .map(|o| o.map(|e| EntryEvent::decode(e, &service)))
    }
}

impl<K, V> Drop for EntryEventStream<K, V> {
    fn drop(&mut self) {
        if let Some((cc, id, reg)) = self.registration.take() {
            reg.close();
            // A task of the client's: it ends with the client at the latest.
            let owner = cc.clone();
            owner.spawn(async move {
                cc.remove_listener(id).await;
            });
        }
    }
}
