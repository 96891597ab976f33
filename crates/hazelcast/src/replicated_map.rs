//! [`ReplicatedMap`]: a map whose every entry is held by every member.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use hazelcast_codec::messages::replicated_map::{
    ReplicatedMapAddEntryListenerEntryEvent, ReplicatedMapAddEntryListenerRequest,
    ReplicatedMapAddEntryListenerResponse, ReplicatedMapAddEntryListenerToKeyEntryEvent,
    ReplicatedMapAddEntryListenerToKeyRequest, ReplicatedMapAddEntryListenerToKeyResponse,
    ReplicatedMapClearRequest, ReplicatedMapContainsKeyRequest, ReplicatedMapContainsKeyResponse,
    ReplicatedMapContainsValueRequest, ReplicatedMapContainsValueResponse, ReplicatedMapEntrySetRequest,
    ReplicatedMapEntrySetResponse, ReplicatedMapGetRequest, ReplicatedMapGetResponse,
    ReplicatedMapIsEmptyRequest, ReplicatedMapIsEmptyResponse, ReplicatedMapKeySetRequest,
    ReplicatedMapKeySetResponse, ReplicatedMapPutAllRequest, ReplicatedMapPutRequest,
    ReplicatedMapPutResponse, ReplicatedMapRemoveEntryListenerRequest, ReplicatedMapRemoveRequest,
    ReplicatedMapRemoveResponse, ReplicatedMapSizeRequest, ReplicatedMapSizeResponse,
    ReplicatedMapValuesRequest, ReplicatedMapValuesResponse,
};
use hazelcast_codec::messages::{Request, check_type};
use hazelcast_codec::types::EntryListRef;
use hazelcast_codec::{ClientMessage, CodecError, Data, Uuid};
use hazelcast_serialization::{FromData, ToData};

use crate::error::HazelcastError;
use crate::map::{EntryEventStream, RawEntry, SerializeAs};
use crate::proxy::listener::{ListenerCodec, register};
use crate::proxy::{ProxyCore, Route, count};
use crate::queue::DEFAULT_EVENT_CAPACITY;

/// The service name of replicated maps.
pub(crate) const REPLICATED_MAP_SERVICE: &str = "hz:impl:replicatedMapService";

/// A distributed map from keys `K` to values `V` that every member holds in full, from
/// [`HazelcastClient::get_replicated_map`](crate::HazelcastClient::get_replicated_map).
///
/// Writes go to the member that owns the key's partition, which replicates them to every other
/// member asynchronously: a value put through one member becomes readable through every member
/// shortly after (replicated maps are eventually consistent, unlike [`Map`](crate::Map)).
/// Operations on one key go to the owner of the key's partition; whole-map reads (sizes,
/// snapshots, [`contains_value`](ReplicatedMap::contains_value)) go to the owner of one
/// partition this proxy picked at random when it was made, as the official Java client does (so
/// different proxies spread these reads over the members); [`put_all`](ReplicatedMap::put_all)
/// and [`clear`](ReplicatedMap::clear) go to any member. Cheap to clone.
///
/// ```no_run
/// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
/// let rates = client.get_replicated_map::<String, f64>("exchange-rates").await?;
/// rates.put("EUR/USD", 1.08).await?;
/// if let Some(rate) = rates.get("EUR/USD").await? {
///     println!("EUR/USD = {rate}");
/// }
/// # Ok(()) }
/// ```
pub struct ReplicatedMap<K, V> {
    core: ProxyCore,
    /// Picks the partition of whole-map reads: `target % partition count`.
    target: u32,
    _types: PhantomData<fn() -> (K, V)>,
}

impl<K, V> Clone for ReplicatedMap<K, V> {
    fn clone(&self) -> Self {
        ReplicatedMap {
            core: self.core.clone(),
            target: self.target,
            _types: PhantomData,
        }
    }
}

impl<K, V> fmt::Debug for ReplicatedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplicatedMap")
            .field("name", &self.core.name())
            .finish_non_exhaustive()
    }
}

/// A TTL in milliseconds for `ReplicatedMap.Put` (0: the entry never expires).
fn ttl_millis(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX)
}

impl<K, V> ReplicatedMap<K, V>
where
    K: ToData + FromData + Send + 'static,
    V: ToData + FromData + Send + 'static,
{
    pub(crate) fn new(core: ProxyCore) -> Self {
        ReplicatedMap {
            core,
            target: rand::random(),
            _types: PhantomData,
        }
    }

    /// The replicated map's name.
    pub fn name(&self) -> &str {
        self.core.name()
    }

    async fn on_key<R: Request>(&self, key: &Data, request: &R) -> Result<ClientMessage, HazelcastError> {
        self.core.invoke(request, Route::Key(key)).await
    }

    /// Whole-map reads: the partition this proxy picked, under the current partition count.
    async fn on_target<R: Request>(&self, request: &R) -> Result<ClientMessage, HazelcastError> {
        let cc = self.core.cluster()?;
        let partitions = u32::try_from(cc.partition_count()).unwrap_or(0);
        let route = match partitions {
            0 => Route::Any,
            n => Route::Partition(i32::try_from(self.target % n).unwrap_or(0)),
        };
        self.core.invoke(request, route).await
    }

    /// Puts an entry that never expires; returns the previous value.
    pub async fn put(
        &self,
        key: impl SerializeAs<K>,
        value: impl SerializeAs<V>,
    ) -> Result<Option<V>, HazelcastError> {
        self.put_with_ttl(key, value, Duration::ZERO).await
    }

    /// Puts an entry that expires `ttl` after this put (`Duration::ZERO`: never); returns the
    /// previous value.
    pub async fn put_with_ttl(
        &self,
        key: impl SerializeAs<K>,
        value: impl SerializeAs<V>,
        ttl: Duration,
    ) -> Result<Option<V>, HazelcastError> {
        let key = self.core.data(&key).await?;
        let value = self.core.data(&value).await?;
        let answer = self
            .on_key(
                &key,
                &ReplicatedMapPutRequest {
                    ttl: ttl_millis(ttl),
                    name: self.name(),
                    key: &key,
                    value: &value,
                },
            )
            .await?;
        self.core
            .opt(ReplicatedMapPutResponse::decode(&answer)?.response)
            .await
    }

    /// The value of `key`, if any.
    pub async fn get(&self, key: impl SerializeAs<K>) -> Result<Option<V>, HazelcastError> {
        let key = self.core.data(&key).await?;
        let answer = self
            .on_key(
                &key,
                &ReplicatedMapGetRequest {
                    name: self.name(),
                    key: &key,
                },
            )
            .await?;
        self.core
            .opt(ReplicatedMapGetResponse::decode(&answer)?.response)
            .await
    }

    /// Removes `key`; returns the value it had.
    pub async fn remove(&self, key: impl SerializeAs<K>) -> Result<Option<V>, HazelcastError> {
        let key = self.core.data(&key).await?;
        let answer = self
            .on_key(
                &key,
                &ReplicatedMapRemoveRequest {
                    name: self.name(),
                    key: &key,
                },
            )
            .await?;
        self.core
            .opt(ReplicatedMapRemoveResponse::decode(&answer)?.response)
            .await
    }

    /// Whether `key` has a value.
    pub async fn contains_key(&self, key: impl SerializeAs<K>) -> Result<bool, HazelcastError> {
        let key = self.core.data(&key).await?;
        let answer = self
            .on_key(
                &key,
                &ReplicatedMapContainsKeyRequest {
                    name: self.name(),
                    key: &key,
                },
            )
            .await?;
        Ok(ReplicatedMapContainsKeyResponse::decode(&answer)?.response)
    }

    /// Whether any key has `value`.
    pub async fn contains_value(&self, value: impl SerializeAs<V>) -> Result<bool, HazelcastError> {
        let value = self.core.data(&value).await?;
        let answer = self
            .on_target(&ReplicatedMapContainsValueRequest {
                name: self.name(),
                value: &value,
            })
            .await?;
        Ok(ReplicatedMapContainsValueResponse::decode(&answer)?.response)
    }

    /// The number of entries (as the member that answers holds them).
    pub async fn size(&self) -> Result<usize, HazelcastError> {
        let answer = self
            .on_target(&ReplicatedMapSizeRequest { name: self.name() })
            .await?;
        Ok(count(ReplicatedMapSizeResponse::decode(&answer)?.response))
    }

    /// Whether the map has no entries.
    pub async fn is_empty(&self) -> Result<bool, HazelcastError> {
        let answer = self
            .on_target(&ReplicatedMapIsEmptyRequest { name: self.name() })
            .await?;
        Ok(ReplicatedMapIsEmptyResponse::decode(&answer)?.response)
    }

    /// Puts every entry of `entries` (one `ReplicatedMap.PutAll`; the member puts each entry on
    /// its partition's owner).
    pub async fn put_all<I, KA, VA>(&self, entries: I) -> Result<(), HazelcastError>
    where
        I: IntoIterator<Item = (KA, VA)>,
        KA: SerializeAs<K>,
        VA: SerializeAs<V>,
    {
        let mut list = Vec::new();
        for (k, v) in entries {
            list.push((self.core.data(&k).await?, self.core.data(&v).await?));
        }
        let answer = self
            .core
            .invoke(
                &ReplicatedMapPutAllRequest {
                    name: self.name(),
                    entries: EntryListRef(&list),
                },
                Route::Any,
            )
            .await?;
        check_type(&answer, ReplicatedMapPutAllRequest::MESSAGE_TYPE + 1)?;
        Ok(())
    }

    /// Removes every entry, on every member.
    pub async fn clear(&self) -> Result<(), HazelcastError> {
        let answer = self
            .core
            .invoke(&ReplicatedMapClearRequest { name: self.name() }, Route::Any)
            .await?;
        check_type(&answer, ReplicatedMapClearRequest::MESSAGE_TYPE + 1)?;
        Ok(())
    }

    /// Every key (a snapshot in one answer).
    pub async fn key_set(&self) -> Result<Vec<K>, HazelcastError> {
        let answer = self
            .on_target(&ReplicatedMapKeySetRequest { name: self.name() })
            .await?;
        let keys = ReplicatedMapKeySetResponse::decode(&answer)?.response.0;
        self.core.values(&keys).await
    }

    /// Every value (a snapshot in one answer).
    pub async fn values(&self) -> Result<Vec<V>, HazelcastError> {
        let answer = self
            .on_target(&ReplicatedMapValuesRequest { name: self.name() })
            .await?;
        let values = ReplicatedMapValuesResponse::decode(&answer)?.response.0;
        self.core.values(&values).await
    }

    /// Every entry (a snapshot in one answer).
    pub async fn entries(&self) -> Result<Vec<(K, V)>, HazelcastError> {
        let answer = self
            .on_target(&ReplicatedMapEntrySetRequest { name: self.name() })
            .await?;
        let entries = ReplicatedMapEntrySetResponse::decode(&answer)?.response.0;
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in &entries {
            out.push((self.core.value(k).await?, self.core.value(v).await?));
        }
        Ok(out)
    }

    /// Destroys the replicated map on the cluster (its entries are lost).
    pub async fn destroy(&self) -> Result<(), HazelcastError> {
        self.core.destroy().await
    }

    /// Entry events of the whole map from now on, with values: [`Added`](crate::EntryEventType::Added),
    /// [`Updated`](crate::EntryEventType::Updated), [`Removed`](crate::EntryEventType::Removed),
    /// [`Evicted`](crate::EntryEventType::Evicted) (an entry whose TTL ran out) and
    /// [`ClearAll`](crate::EntryEventType::ClearAll) (a [`clear`](ReplicatedMap::clear); no
    /// key). Dropping the stream deregisters the listener.
    pub async fn entry_events(&self) -> Result<EntryEventStream<K, V>, HazelcastError> {
        self.listen(None).await
    }

    /// Entry events of one key from now on (see [`entry_events`](ReplicatedMap::entry_events)),
    /// and the [`ClearAll`](crate::EntryEventType::ClearAll) of a [`clear`](ReplicatedMap::clear).
    pub async fn key_entry_events(
        &self,
        key: impl SerializeAs<K>,
    ) -> Result<EntryEventStream<K, V>, HazelcastError> {
        let key = self.core.data(&key).await?;
        self.listen(Some(key)).await
    }

    async fn listen(&self, key: Option<Data>) -> Result<EntryEventStream<K, V>, HazelcastError> {
        let codec = ReplicatedMapEntries {
            name: self.name().to_owned(),
            key,
        };
        let raw = register(self.core.client(), codec, DEFAULT_EVENT_CAPACITY).await?;
        Ok(EntryEventStream::new(self.core.client().clone(), raw))
    }
}

/// A listener on a whole replicated map, or on one key of it.
struct ReplicatedMapEntries {
    name: String,
    key: Option<Data>,
}

impl ListenerCodec for ReplicatedMapEntries {
    type Event = RawEntry;

    fn describe(&self) -> String {
        format!("replicated map {:?}", self.name)
    }

    fn encode_add(&self, local_only: bool) -> ClientMessage {
        match &self.key {
            Some(key) => ReplicatedMapAddEntryListenerToKeyRequest {
                local_only,
                name: &self.name,
                key,
            }
            .encode(-1),
            None => ReplicatedMapAddEntryListenerRequest {
                local_only,
                name: &self.name,
            }
            .encode(-1),
        }
    }

    fn decode_add_response(&self, msg: &ClientMessage) -> Result<Uuid, CodecError> {
        Ok(match self.key {
            Some(_) => ReplicatedMapAddEntryListenerToKeyResponse::decode(msg)?.response,
            None => ReplicatedMapAddEntryListenerResponse::decode(msg)?.response,
        })
    }

    fn encode_remove(&self, registration_id: Uuid) -> ClientMessage {
        ReplicatedMapRemoveEntryListenerRequest {
            registration_id,
            name: &self.name,
        }
        .encode(-1)
    }

    fn decode_event(&self, msg: &ClientMessage) -> Result<Self::Event, CodecError> {
        Ok(match self.key {
            Some(_) => {
                let e = ReplicatedMapAddEntryListenerToKeyEntryEvent::decode(msg)?;
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
            None => {
                let e = ReplicatedMapAddEntryListenerEntryEvent::decode(msg)?;
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
        })
    }
}
