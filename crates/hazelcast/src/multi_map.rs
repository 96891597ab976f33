//! [`MultiMap`]: a distributed map from a key to a collection of values.

use std::fmt;
use std::marker::PhantomData;

use hazelcast_codec::messages::multi_map::{
    MultiMapClearRequest, MultiMapContainsEntryRequest, MultiMapContainsEntryResponse,
    MultiMapContainsKeyRequest, MultiMapContainsKeyResponse, MultiMapContainsValueRequest,
    MultiMapContainsValueResponse, MultiMapDeleteRequest, MultiMapEntrySetRequest, MultiMapEntrySetResponse,
    MultiMapGetRequest, MultiMapGetResponse, MultiMapKeySetRequest, MultiMapKeySetResponse,
    MultiMapPutRequest, MultiMapPutResponse, MultiMapRemoveEntryRequest, MultiMapRemoveEntryResponse,
    MultiMapRemoveRequest, MultiMapRemoveResponse, MultiMapSizeRequest, MultiMapSizeResponse,
    MultiMapValueCountRequest, MultiMapValueCountResponse, MultiMapValuesRequest, MultiMapValuesResponse,
};
use hazelcast_codec::messages::{Request, check_type};
use hazelcast_codec::{ClientMessage, Data};
use hazelcast_serialization::{FromData, ToData};

use crate::error::HazelcastError;
use crate::map::{SerializeAs, THREAD_ID};
use crate::proxy::{ProxyCore, Route, count};

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
}
