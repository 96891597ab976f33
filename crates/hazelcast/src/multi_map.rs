//! [`MultiMap`]: a distributed map from a key to a collection of values.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use hazelcast_codec::messages::multi_map::{
    MultiMapAddEntryListenerEntryEvent, MultiMapAddEntryListenerRequest, MultiMapAddEntryListenerResponse,
    MultiMapAddEntryListenerToKeyEntryEvent, MultiMapAddEntryListenerToKeyRequest,
    MultiMapAddEntryListenerToKeyResponse, MultiMapClearRequest, MultiMapContainsEntryRequest,
    MultiMapContainsEntryResponse, MultiMapContainsKeyRequest, MultiMapContainsKeyResponse,
    MultiMapContainsValueRequest, MultiMapContainsValueResponse, MultiMapDeleteRequest,
    MultiMapEntrySetRequest, MultiMapEntrySetResponse, MultiMapGetRequest, MultiMapGetResponse,
    MultiMapKeySetRequest, MultiMapKeySetResponse, MultiMapPutRequest, MultiMapPutResponse,
    MultiMapRemoveEntryListenerRequest, MultiMapRemoveEntryRequest, MultiMapRemoveEntryResponse,
    MultiMapRemoveRequest, MultiMapRemoveResponse, MultiMapSizeRequest, MultiMapSizeResponse,
    MultiMapValueCountRequest, MultiMapValueCountResponse, MultiMapValuesRequest, MultiMapValuesResponse,
};
use hazelcast_codec::messages::{Request, check_type};
use hazelcast_codec::{ClientMessage, CodecError, Data, Uuid};
use hazelcast_serialization::{FromData, SerializationService, ToData};

use crate::error::HazelcastError;
use crate::map::{EntryEvent, EntryEventType, SerializeAs, THREAD_ID};
use crate::proxy::listener::{ListenerCodec, RawEvents, register};
use crate::proxy::{ProxyCore, Route, count, is_null};
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
/// collection type says. Calls carry
/// the thread id [`THREAD_ID`], as map calls do. Cheap to clone.
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
    core: ProxyCore,
    _types: PhantomData<fn() -> (K, V)>,
}

impl<K, V> Clone for MultiMap<K, V> {
    fn clone(&self) -> Self {
        MultiMap {
            core: self.core.clone(),
            _types: PhantomData,
        }
    }
}

impl<K, V> fmt::Debug for MultiMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MultiMap")
            .field("name", &self.core.name())
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
            _types: PhantomData,
        }
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
                    thread_id: THREAD_ID,
                    name: self.name(),
                    key: &key,
                    value: &value,
                },
            )
            .await?;
        Ok(MultiMapPutResponse::decode(&answer)?.response)
    }

    /// The values of `key` (empty when it has none).
    pub async fn get(&self, key: impl SerializeAs<K>) -> Result<Vec<V>, HazelcastError> {
        let key = self.core.data(&key).await?;
        let answer = self
            .on_key(
                &key,
                &MultiMapGetRequest {
                    thread_id: THREAD_ID,
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
                    thread_id: THREAD_ID,
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
                    thread_id: THREAD_ID,
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
                    thread_id: THREAD_ID,
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
                    thread_id: THREAD_ID,
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
                    thread_id: THREAD_ID,
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
                    thread_id: THREAD_ID,
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

    /// Entry events of the whole multi-map from now on: [`Added`](EntryEventType::Added) for
    /// each value put, [`Removed`](EntryEventType::Removed) for each value removed (with its
    /// key), [`ClearAll`](EntryEventType::ClearAll) for a [`clear`](MultiMap::clear). With
    /// `include_value`, events carry the value (a removal's as its `old_value`). Dropping the
    /// stream deregisters the listener.
    pub async fn entry_events(
        &self,
        include_value: bool,
    ) -> Result<MultiMapEventStream<K, V>, HazelcastError> {
        self.listen(None, include_value).await
    }

    /// Entry events of one key from now on (see [`entry_events`](MultiMap::entry_events)).
    pub async fn key_entry_events(
        &self,
        key: impl SerializeAs<K>,
        include_value: bool,
    ) -> Result<MultiMapEventStream<K, V>, HazelcastError> {
        let key = self.core.data(&key).await?;
        self.listen(Some(key), include_value).await
    }

    async fn listen(
        &self,
        key: Option<Data>,
        include_value: bool,
    ) -> Result<MultiMapEventStream<K, V>, HazelcastError> {
        let codec = MultiMapEntries {
            name: self.name().to_owned(),
            key,
            include_value,
        };
        let raw = register(self.core.client(), codec, DEFAULT_EVENT_CAPACITY).await?;
        Ok(MultiMapEventStream {
            core: self.core.clone(),
            raw,
            _types: PhantomData,
        })
    }
}

/// A multi-map entry event as it came (both listener kinds send the same fields).
struct RawEntryEvent {
    event_type: i32,
    uuid: Uuid,
    affected: i32,
    key: Option<Data>,
    value: Option<Data>,
    old_value: Option<Data>,
    merging_value: Option<Data>,
}

/// A listener on a whole multi-map, or on one key of it.
struct MultiMapEntries {
    name: String,
    key: Option<Data>,
    include_value: bool,
}

impl ListenerCodec for MultiMapEntries {
    type Event = RawEntryEvent;

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
            Some(_) => {
                let e = MultiMapAddEntryListenerToKeyEntryEvent::decode(msg)?;
                RawEntryEvent {
                    event_type: e.event_type,
                    uuid: e.uuid,
                    affected: e.number_of_affected_entries,
                    key: e.key,
                    value: e.value,
                    old_value: e.old_value,
                    merging_value: e.merging_value,
                }
            }
            None => {
                let e = MultiMapAddEntryListenerEntryEvent::decode(msg)?;
                RawEntryEvent {
                    event_type: e.event_type,
                    uuid: e.uuid,
                    affected: e.number_of_affected_entries,
                    key: e.key,
                    value: e.value,
                    old_value: e.old_value,
                    merging_value: e.merging_value,
                }
            }
        })
    }
}

/// The entry events of a multi-map listener: a [`Stream`](futures_core::Stream) of
/// `Result<EntryEvent<K, V>, HazelcastError>`; [`recv`](MultiMapEventStream::recv) also fetches
/// unknown Compact schemas. Ends when the client shuts down; dropping it deregisters the
/// listener.
pub struct MultiMapEventStream<K, V> {
    core: ProxyCore,
    raw: RawEvents<RawEntryEvent>,
    _types: PhantomData<fn() -> (K, V)>,
}

impl<K, V> fmt::Debug for MultiMapEventStream<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MultiMapEventStream")
            .field("dropped", &self.raw.dropped())
            .finish_non_exhaustive()
    }
}

impl<K: FromData, V: FromData> MultiMapEventStream<K, V> {
    /// The next event; `None` once closed or the client shut down.
    pub async fn recv(&mut self) -> Option<Result<EntryEvent<K, V>, HazelcastError>> {
        let e = self.raw.recv().await?;
        Some(self.fetching(e).await)
    }

    async fn fetching(&self, e: RawEntryEvent) -> Result<EntryEvent<K, V>, HazelcastError> {
        Ok(EntryEvent {
            event_type: EntryEventType::from_flag(e.event_type),
            key: self.core.opt(e.key).await?,
            value: self.core.opt(e.value).await?,
            old_value: self.core.opt(e.old_value).await?,
            merging_value: self.core.opt(e.merging_value).await?,
            member: e.uuid,
            number_of_affected_entries: e.affected,
        })
    }

    /// Events dropped because the stream's queue was full.
    pub fn dropped(&self) -> u64 {
        self.raw.dropped()
    }

    /// Deregisters the listener from every member and ends the stream.
    pub async fn close(self) {
        self.raw.close().await;
    }
}

/// Reads an optional key or value with the schemas the client knows.
fn read<T: FromData>(d: Option<Data>, service: &SerializationService) -> Result<Option<T>, HazelcastError> {
    match d {
        Some(d) if !is_null(&d) => T::from_data(&d, service).map(Some).map_err(HazelcastError::from),
        _ => Ok(None),
    }
}

/// As a `Stream`, keys and values are read with the schemas the client knows.
impl<K: FromData, V: FromData> futures_core::Stream for MultiMapEventStream<K, V> {
    type Item = Result<EntryEvent<K, V>, HazelcastError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let service = this.core.client().serialization().clone();
        this.raw.poll_recv(cx).map(|o| {
            o.map(|e| {
                Ok(EntryEvent {
                    event_type: EntryEventType::from_flag(e.event_type),
                    key: read(e.key, &service)?,
                    value: read(e.value, &service)?,
                    old_value: read(e.old_value, &service)?,
                    merging_value: read(e.merging_value, &service)?,
                    member: e.uuid,
                    number_of_affected_entries: e.affected,
                })
            })
        })
    }
}
