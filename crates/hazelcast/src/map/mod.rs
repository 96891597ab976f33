//! [`Map<K, V>`]: the typed proxy of a distributed map, and its entry listeners
//! ([`EntryEventStream`]).

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::map::{
    MapClearRequest, MapContainsKeyRequest, MapContainsKeyResponse, MapContainsValueRequest,
    MapContainsValueResponse, MapDeleteRequest, MapEntrySetRequest, MapEntrySetResponse, MapGetAllRequest,
    MapGetAllResponse, MapGetRequest, MapGetResponse, MapIsEmptyRequest, MapIsEmptyResponse,
    MapKeySetRequest, MapKeySetResponse, MapPutAllRequest, MapPutIfAbsentRequest, MapPutIfAbsentResponse,
    MapPutRequest, MapPutResponse, MapRemoveIfSameRequest, MapRemoveIfSameResponse, MapRemoveRequest,
    MapRemoveResponse, MapReplaceIfSameRequest, MapReplaceIfSameResponse, MapReplaceRequest,
    MapReplaceResponse, MapSetRequest, MapSetTtlRequest, MapSetTtlResponse, MapSizeRequest, MapSizeResponse,
    MapValuesRequest, MapValuesResponse,
};
use hazelcast_codec::types::{EntryListRef, ListRef};
use hazelcast_codec::{ClientMessage, Data};
use hazelcast_serialization::{FromData, ToData};

use crate::proxy::listener::register;

use crate::error::HazelcastError;
use crate::proxy::{ProxyCore, Route};

mod events;

use events::MapEntries;
pub(crate) use events::RawEntry;
pub use events::{EntryEvent, EntryEventStream, EntryEventType, EntryListenerOptions};

/// The thread id this client sends with map calls. Hazelcast uses it as the owner of entry
/// locks; this client takes no map entry locks, so every map call of every client instance uses
/// the same fixed value.
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

/// A distributed map with keys `K` and values `V`, from
/// [`HazelcastClient::get_map`](crate::HazelcastClient::get_map).
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
        let codec = MapEntries {
            name: self.core.name().to_owned(),
            include_value: options.include_value,
            flags: options.event_flags,
        };
        let raw = register(self.core.client(), codec, options.capacity).await?;
        Ok(EntryEventStream::new(self.core.client().clone(), raw))
    }
}
