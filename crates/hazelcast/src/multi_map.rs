//! [`MultiMap`]: a distributed map from a key to a collection of values.

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

use hazelcast_codec::messages::multi_map::{
    MultiMapAddEntryListenerEntryEvent, MultiMapAddEntryListenerRequest, MultiMapAddEntryListenerResponse,
    MultiMapAddEntryListenerToKeyEntryEvent, MultiMapAddEntryListenerToKeyRequest,
    MultiMapAddEntryListenerToKeyResponse, MultiMapClearRequest, MultiMapContainsEntryRequest,
    MultiMapContainsEntryResponse, MultiMapContainsKeyRequest, MultiMapContainsKeyResponse,
    MultiMapContainsValueRequest, MultiMapContainsValueResponse, MultiMapDeleteRequest,
    MultiMapEntrySetRequest, MultiMapEntrySetResponse, MultiMapGetRequest, MultiMapGetResponse,
    MultiMapKeySetRequest, MultiMapKeySetResponse, MultiMapPutAllRequest, MultiMapPutRequest,
    MultiMapPutResponse, MultiMapRemoveEntryListenerRequest, MultiMapRemoveEntryRequest,
    MultiMapRemoveEntryResponse, MultiMapRemoveRequest, MultiMapRemoveResponse, MultiMapSizeRequest,
    MultiMapSizeResponse, MultiMapValueCountRequest, MultiMapValueCountResponse, MultiMapValuesRequest,
    MultiMapValuesResponse,
};
use hazelcast_codec::messages::{Request, check_type};
use hazelcast_codec::types::{EntryListRef, VarList};
use hazelcast_codec::{ClientMessage, CodecError, Data, Uuid};
use hazelcast_serialization::{FromData, ToData};

use crate::error::HazelcastError;
use crate::map::{EntryEventStream, RawEntry, SerializeAs};
use crate::multi_map_lock::new_owner_id;
use crate::proxy::listener::{ListenerCodec, register};
use crate::proxy::{ProxyCore, Route, count};
use crate::queue::DEFAULT_EVENT_CAPACITY;

/// The service name of multi-maps.
pub(crate) const MULTI_MAP_SERVICE: &str = "hz:impl:multiMapService";

/// A distributed multi-map from keys `K` to collections of values `V`, from
/// [`HazelcastClient::get_multi_map`](crate::HazelcastClient::get_multi_map).
///
/// Operations on one key go to the member that owns the key's partition; whole-map operations
/// (sizes, snapshots, [`contains_value`](MultiMap::contains_value), [`clear`](MultiMap::clear))
/// go to any member. A key's values form a set (the default: a value is held once per key) or
/// a list (duplicates kept, in insertion order), as the member's `MultiMapConfig` value
/// collection type says.
///
/// **Owners.** A key can be locked ([`lock`](MultiMap::lock), [`try_lock`](MultiMap::try_lock));
/// the Java client's lock is owned by a thread, and here the owner is the handle: every
/// `get_multi_map` call (and [`new_owner`](MultiMap::new_owner)) returns a handle with an owner
/// identity of its own, sent as the thread id of each of its calls, and its clones are the same
/// owner. A key locked by one owner can be changed only by that owner; the others' writes of the
/// key wait until it is unlocked. Cheap to clone.
///
/// ```no_run
/// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
/// let tags = client.get_multi_map::<String, String>("tags").await?;
/// tags.put("post-1", "rust").await?;
/// tags.put("post-1", "async").await?;
/// assert_eq!(tags.value_count("post-1").await?, 2);
/// for tag in tags.get("post-1").await? {
///     println!("{tag}");
/// }
/// # Ok(()) }
/// ```
pub struct MultiMap<K, V> {
    pub(crate) core: ProxyCore,
    /// The owner identity: the thread id of every call (see the type's docs).
    pub(crate) owner: i64,
    _types: PhantomData<fn() -> (K, V)>,
}

impl<K, V> Clone for MultiMap<K, V> {
    fn clone(&self) -> Self {
        MultiMap {
            core: self.core.clone(),
            owner: self.owner,
            _types: PhantomData,
        }
    }
}

impl<K, V> fmt::Debug for MultiMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MultiMap")
            .field("name", &self.core.name())
            .field("owner", &self.owner)
            .finish_non_exhaustive()
    }
}

impl<K, V> MultiMap<K, V>
where
    K: ToData + FromData + Send + 'static,
    V: ToData + FromData + Send + 'static,
{
    pub(crate) fn new(core: ProxyCore) -> Self {
        MultiMap {
            core,
            owner: new_owner_id(),
            _types: PhantomData,
        }
    }

    /// A handle on the same multi-map with an owner identity of its own (no call to the
    /// cluster): its lock calls exclude this handle's, and the other way round.
    pub fn new_owner(&self) -> Self {
        Self::new(self.core.clone())
    }

    /// The multi-map's name.
    pub fn name(&self) -> &str {
        self.core.name()
    }

    async fn on_key<R: Request>(&self, key: &Data, request: &R) -> Result<ClientMessage, HazelcastError> {
        self.core.invoke(request, Route::Key(key)).await
    }

    async fn on_any<R: Request>(&self, request: &R) -> Result<ClientMessage, HazelcastError> {
        self.core.invoke(request, Route::Any).await
    }

    /// Adds `value` to the values of `key`; returns whether it was added (false when the
    /// values form a set that already holds it).
    pub async fn put(
        &self,
        key: impl SerializeAs<K>,
        value: impl SerializeAs<V>,
    ) -> Result<bool, HazelcastError> {
        let key = self.core.data(&key).await?;
        let value = self.core.data(&value).await?;
        let answer = self
            .on_key(
                &key,
                &MultiMapPutRequest {
                    thread_id: self.owner,
                    name: self.name(),
                    key: &key,
                    value: &value,
                },
            )
            .await?;
        Ok(MultiMapPutResponse::decode(&answer)?.response)
    }

    /// Adds every value of every key, as [`put`](MultiMap::put) of each would: the keys are
    /// grouped by partition, one `MultiMap.PutAll` per partition, all sent concurrently (as the
    /// Java client does; the members must be 4.1 or later). A key given twice gets the values of
    /// both; a key without values is skipped. Not atomic: on an error some partitions may have
    /// been written.
    ///
    /// ```no_run
    /// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
    /// let tags = client.get_multi_map::<String, String>("tags").await?;
    /// tags.put_all([("post-1", vec!["rust", "async"]), ("post-2", vec!["java"])]).await?;
    /// assert_eq!(tags.size().await?, 3);
    /// # Ok(()) }
    /// ```
    pub async fn put_all<I, KA, VS, VA>(&self, entries: I) -> Result<(), HazelcastError>
    where
        I: IntoIterator<Item = (KA, VS)>,
        KA: SerializeAs<K>,
        VS: IntoIterator<Item = VA>,
        VA: SerializeAs<V>,
    {
        let cc = self.core.cluster()?;
        let mut by_partition: HashMap<i32, Vec<(Data, VarList<Data>)>> = HashMap::new();
        for (k, vs) in entries {
            let mut values = Vec::new();
            for v in vs {
                values.push(self.core.data(&v).await?);
            }
            if values.is_empty() {
                continue;
            }
            let key = self.core.data(&k).await?;
            let pid = self.core.client().partition_of(&cc, &key)?;
            by_partition.entry(pid).or_default().push((key, VarList(values)));
        }
        let calls = by_partition.iter().map(|(&pid, list)| async move {
            let request = MultiMapPutAllRequest {
                name: self.name(),
                entries: EntryListRef(list),
            };
            let answer = self.core.invoke(&request, Route::Partition(pid)).await?;
            check_type(&answer, MultiMapPutAllRequest::MESSAGE_TYPE + 1)?;
            Ok::<(), HazelcastError>(())
        });
        futures_util::future::try_join_all(calls).await?;
        Ok(())
    }

    /// The values of `key` (empty when it has none).
    pub async fn get(&self, key: impl SerializeAs<K>) -> Result<Vec<V>, HazelcastError> {
        let key = self.core.data(&key).await?;
        let answer = self
            .on_key(
                &key,
                &MultiMapGetRequest {
                    thread_id: self.owner,
                    name: self.name(),
                    key: &key,
                },
            )
            .await?;
        let values = MultiMapGetResponse::decode(&answer)?.response.0;
        self.core.values(&values).await
    }

    /// Removes `key` with all its values; returns the values it had.
    pub async fn remove(&self, key: impl SerializeAs<K>) -> Result<Vec<V>, HazelcastError> {
        let key = self.core.data(&key).await?;
        let answer = self
            .on_key(
                &key,
                &MultiMapRemoveRequest {
                    thread_id: self.owner,
                    name: self.name(),
                    key: &key,
                },
            )
            .await?;
        let values = MultiMapRemoveResponse::decode(&answer)?.response.0;
        self.core.values(&values).await
    }

    /// Removes one `value` of `key`; returns whether there was one.
    pub async fn remove_entry(
        &self,
        key: impl SerializeAs<K>,
        value: impl SerializeAs<V>,
    ) -> Result<bool, HazelcastError> {
        let key = self.core.data(&key).await?;
        let value = self.core.data(&value).await?;
        let answer = self
            .on_key(
                &key,
                &MultiMapRemoveEntryRequest {
                    thread_id: self.owner,
                    name: self.name(),
                    key: &key,
                    value: &value,
                },
            )
            .await?;
        Ok(MultiMapRemoveEntryResponse::decode(&answer)?.response)
    }

    /// Removes `key` with all its values, without returning them.
    pub async fn delete(&self, key: impl SerializeAs<K>) -> Result<(), HazelcastError> {
        let key = self.core.data(&key).await?;
        let answer = self
            .on_key(
                &key,
                &MultiMapDeleteRequest {
                    thread_id: self.owner,
                    name: self.name(),
                    key: &key,
                },
            )
            .await?;
        check_type(&answer, MultiMapDeleteRequest::MESSAGE_TYPE + 1)?;
        Ok(())
    }

    /// Whether `key` has at least one value.
    pub async fn contains_key(&self, key: impl SerializeAs<K>) -> Result<bool, HazelcastError> {
        let key = self.core.data(&key).await?;
        let answer = self
            .on_key(
                &key,
                &MultiMapContainsKeyRequest {
                    thread_id: self.owner,
                    name: self.name(),
                    key: &key,
                },
            )
            .await?;
        Ok(MultiMapContainsKeyResponse::decode(&answer)?.response)
    }

    /// Whether any key has `value` (asks every partition).
    pub async fn contains_value(&self, value: impl SerializeAs<V>) -> Result<bool, HazelcastError> {
        let value = self.core.data(&value).await?;
        let answer = self
            .on_any(&MultiMapContainsValueRequest {
                name: self.name(),
                value: &value,
            })
            .await?;
        Ok(MultiMapContainsValueResponse::decode(&answer)?.response)
    }

    /// Whether `key` has `value`.
    pub async fn contains_entry(
        &self,
        key: impl SerializeAs<K>,
        value: impl SerializeAs<V>,
    ) -> Result<bool, HazelcastError> {
        let key = self.core.data(&key).await?;
        let value = self.core.data(&value).await?;
        let answer = self
            .on_key(
                &key,
                &MultiMapContainsEntryRequest {
                    thread_id: self.owner,
                    name: self.name(),
                    key: &key,
                    value: &value,
                },
            )
            .await?;
        Ok(MultiMapContainsEntryResponse::decode(&answer)?.response)
    }

    /// The number of values of `key`.
    pub async fn value_count(&self, key: impl SerializeAs<K>) -> Result<usize, HazelcastError> {
        let key = self.core.data(&key).await?;
        let answer = self
            .on_key(
                &key,
                &MultiMapValueCountRequest {
                    thread_id: self.owner,
                    name: self.name(),
                    key: &key,
                },
            )
            .await?;
        Ok(count(MultiMapValueCountResponse::decode(&answer)?.response))
    }

    /// The number of key/value pairs (every value of every key counts).
    pub async fn size(&self) -> Result<usize, HazelcastError> {
        let answer = self.on_any(&MultiMapSizeRequest { name: self.name() }).await?;
        Ok(count(MultiMapSizeResponse::decode(&answer)?.response))
    }

    /// Every key, once each (a snapshot in one answer).
    pub async fn key_set(&self) -> Result<Vec<K>, HazelcastError> {
        let answer = self.on_any(&MultiMapKeySetRequest { name: self.name() }).await?;
        let keys = MultiMapKeySetResponse::decode(&answer)?.response.0;
        self.core.values(&keys).await
    }

    /// Every value of every key (a snapshot in one answer).
    pub async fn values(&self) -> Result<Vec<V>, HazelcastError> {
        let answer = self.on_any(&MultiMapValuesRequest { name: self.name() }).await?;
        let values = MultiMapValuesResponse::decode(&answer)?.response.0;
        self.core.values(&values).await
    }

    /// Every key/value pair, one per value (a snapshot in one answer).
    pub async fn entries(&self) -> Result<Vec<(K, V)>, HazelcastError> {
        let answer = self
            .on_any(&MultiMapEntrySetRequest { name: self.name() })
            .await?;
        let entries = MultiMapEntrySetResponse::decode(&answer)?.response.0;
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in &entries {
            out.push((self.core.value(k).await?, self.core.value(v).await?));
        }
        Ok(out)
    }

    /// Removes every key and value.
    pub async fn clear(&self) -> Result<(), HazelcastError> {
        let answer = self.on_any(&MultiMapClearRequest { name: self.name() }).await?;
        check_type(&answer, MultiMapClearRequest::MESSAGE_TYPE + 1)?;
        Ok(())
    }

    /// Destroys the multi-map on the cluster (its entries are lost).
    pub async fn destroy(&self) -> Result<(), HazelcastError> {
        self.core.destroy().await
    }

    /// Entry events of the whole multi-map from now on: [`Added`](crate::EntryEventType::Added) for
    /// each value put, [`Removed`](crate::EntryEventType::Removed) for each value removed (with its
    /// key), [`ClearAll`](crate::EntryEventType::ClearAll) for a [`clear`](MultiMap::clear). With
    /// `include_value`, events carry the value (a removal's as its `old_value`). Dropping the
    /// stream deregisters the listener.
    pub async fn entry_events(&self, include_value: bool) -> Result<EntryEventStream<K, V>, HazelcastError> {
        self.listen(None, include_value).await
    }

    /// Entry events of one key from now on (see [`entry_events`](MultiMap::entry_events)).
    pub async fn key_entry_events(
        &self,
        key: impl SerializeAs<K>,
        include_value: bool,
    ) -> Result<EntryEventStream<K, V>, HazelcastError> {
        let key = self.core.data(&key).await?;
        self.listen(Some(key), include_value).await
    }

    async fn listen(
        &self,
        key: Option<Data>,
        include_value: bool,
    ) -> Result<EntryEventStream<K, V>, HazelcastError> {
        let codec = MultiMapEntries {
            name: self.name().to_owned(),
            key,
            include_value,
        };
        let raw = register(self.core.client(), codec, DEFAULT_EVENT_CAPACITY).await?;
        Ok(EntryEventStream::new(self.core.client().clone(), raw))
    }
}

/// A listener on a whole multi-map, or on one key of it.
struct MultiMapEntries {
    name: String,
    key: Option<Data>,
    include_value: bool,
}

impl ListenerCodec for MultiMapEntries {
    type Event = RawEntry;

    fn describe(&self) -> String {
        format!("multi-map {:?}", self.name)
    }

    fn encode_add(&self, local_only: bool) -> ClientMessage {
        match &self.key {
            Some(key) => MultiMapAddEntryListenerToKeyRequest {
                include_value: self.include_value,
                local_only,
                name: &self.name,
                key,
            }
            .encode(-1),
            None => MultiMapAddEntryListenerRequest {
                include_value: self.include_value,
                local_only,
                name: &self.name,
            }
            .encode(-1),
        }
    }

    fn decode_add_response(&self, msg: &ClientMessage) -> Result<Uuid, CodecError> {
        Ok(match self.key {
            Some(_) => MultiMapAddEntryListenerToKeyResponse::decode(msg)?.response,
            None => MultiMapAddEntryListenerResponse::decode(msg)?.response,
        })
    }

    fn encode_remove(&self, registration_id: Uuid) -> ClientMessage {
        MultiMapRemoveEntryListenerRequest {
            registration_id,
            name: &self.name,
        }
        .encode(-1)
    }

    fn decode_event(&self, msg: &ClientMessage) -> Result<Self::Event, CodecError> {
        Ok(match self.key {
            Some(_) => MultiMapAddEntryListenerToKeyEntryEvent::decode(msg)?.into(),
            None => MultiMapAddEntryListenerEntryEvent::decode(msg)?.into(),
        })
    }
}

impl From<MultiMapAddEntryListenerEntryEvent> for RawEntry {
    fn from(e: MultiMapAddEntryListenerEntryEvent) -> Self {
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

impl From<MultiMapAddEntryListenerToKeyEntryEvent> for RawEntry {
    fn from(e: MultiMapAddEntryListenerToKeyEntryEvent) -> Self {
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
