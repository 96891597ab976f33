//! [`Set`]: a distributed set.

use std::fmt;
use std::marker::PhantomData;

use hazelcast_codec::messages::set::{
    SetAddAllRequest, SetAddAllResponse, SetAddListenerItemEvent, SetAddListenerRequest,
    SetAddListenerResponse, SetAddRequest, SetAddResponse, SetClearRequest, SetCompareAndRemoveAllRequest,
    SetCompareAndRemoveAllResponse, SetCompareAndRetainAllRequest, SetCompareAndRetainAllResponse,
    SetContainsAllRequest, SetContainsAllResponse, SetContainsRequest, SetContainsResponse, SetGetAllRequest,
    SetGetAllResponse, SetIsEmptyRequest, SetIsEmptyResponse, SetRemoveListenerRequest, SetRemoveRequest,
    SetRemoveResponse, SetSizeRequest, SetSizeResponse,
};
use hazelcast_codec::messages::{Request, check_type};
use hazelcast_codec::types::ListRef;
use hazelcast_codec::{ClientMessage, CodecError, Uuid};
use hazelcast_serialization::{FromData, ToData};

use crate::error::HazelcastError;
use crate::map::SerializeAs;
use crate::proxy::listener::{ListenerCodec, register};
use crate::proxy::{ProxyCore, Route, count};
use crate::queue::{DEFAULT_EVENT_CAPACITY, ItemEventStream};

/// The service name of sets.
pub(crate) const SET_SERVICE: &str = "hz:impl:setService";

/// A distributed set of items `T`, from
/// [`HazelcastClient::get_set`](crate::HazelcastClient::get_set).
///
/// The whole set lives in one partition (that of its name); every operation goes to the member
/// that owns it. Items are distinct by their serialized form (two values that serialize to the
/// same bytes are the same item), in no particular order. Cheap to clone.
///
/// ```no_run
/// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
/// let seen = client.get_set::<String>("seen-ids").await?;
/// assert!(seen.add("a1").await?);
/// assert!(!seen.add("a1").await?); // already there
/// assert!(seen.contains("a1").await?);
/// # Ok(()) }
/// ```
pub struct Set<T> {
    core: ProxyCore,
    _items: PhantomData<fn() -> T>,
}

impl<T> Clone for Set<T> {
    fn clone(&self) -> Self {
        Set {
            core: self.core.clone(),
            _items: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Set<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Set")
            .field("name", &self.core.name())
            .finish_non_exhaustive()
    }
}

impl<T> Set<T>
where
    T: ToData + FromData + Send + 'static,
{
    pub(crate) fn new(core: ProxyCore) -> Self {
        Set {
            core,
            _items: PhantomData,
        }
    }

    /// The set's name.
    pub fn name(&self) -> &str {
        self.core.name()
    }

    async fn call<R: Request>(&self, request: &R) -> Result<ClientMessage, HazelcastError> {
        self.core.invoke(request, Route::Name).await
    }

    /// Adds `item`; returns whether it was not there yet.
    pub async fn add(&self, item: impl SerializeAs<T>) -> Result<bool, HazelcastError> {
        let value = self.core.data(&item).await?;
        let answer = self
            .call(&SetAddRequest {
                name: self.name(),
                value: &value,
            })
            .await?;
        Ok(SetAddResponse::decode(&answer)?.response)
    }

    /// Adds every item of `items`; returns whether the set changed.
    pub async fn add_all<'i>(&self, items: impl IntoIterator<Item = &'i T>) -> Result<bool, HazelcastError>
    where
        T: 'i,
    {
        let list = self.core.all_data(items).await?;
        let answer = self
            .call(&SetAddAllRequest {
                name: self.name(),
                value_list: ListRef(&list),
            })
            .await?;
        Ok(SetAddAllResponse::decode(&answer)?.response)
    }

    /// Removes `item`; returns whether it was there.
    pub async fn remove(&self, item: impl SerializeAs<T>) -> Result<bool, HazelcastError> {
        let value = self.core.data(&item).await?;
        let answer = self
            .call(&SetRemoveRequest {
                name: self.name(),
                value: &value,
            })
            .await?;
        Ok(SetRemoveResponse::decode(&answer)?.response)
    }

    /// Removes every item of `items`; returns whether the set changed.
    pub async fn remove_all<'i>(&self, items: impl IntoIterator<Item = &'i T>) -> Result<bool, HazelcastError>
    where
        T: 'i,
    {
        let list = self.core.all_data(items).await?;
        let answer = self
            .call(&SetCompareAndRemoveAllRequest {
                name: self.name(),
                values: ListRef(&list),
            })
            .await?;
        Ok(SetCompareAndRemoveAllResponse::decode(&answer)?.response)
    }

    /// Keeps only the items that are in `items`; returns whether the set changed.
    pub async fn retain_all<'i>(&self, items: impl IntoIterator<Item = &'i T>) -> Result<bool, HazelcastError>
    where
        T: 'i,
    {
        let list = self.core.all_data(items).await?;
        let answer = self
            .call(&SetCompareAndRetainAllRequest {
                name: self.name(),
                values: ListRef(&list),
            })
            .await?;
        Ok(SetCompareAndRetainAllResponse::decode(&answer)?.response)
    }

    /// Whether the set holds `item`.
    pub async fn contains(&self, item: impl SerializeAs<T>) -> Result<bool, HazelcastError> {
        let value = self.core.data(&item).await?;
        let answer = self
            .call(&SetContainsRequest {
                name: self.name(),
                value: &value,
            })
            .await?;
        Ok(SetContainsResponse::decode(&answer)?.response)
    }

    /// Whether the set holds every item of `items`.
    pub async fn contains_all<'i>(
        &self,
        items: impl IntoIterator<Item = &'i T>,
    ) -> Result<bool, HazelcastError>
    where
        T: 'i,
    {
        let list = self.core.all_data(items).await?;
        let answer = self
            .call(&SetContainsAllRequest {
                name: self.name(),
                items: ListRef(&list),
            })
            .await?;
        Ok(SetContainsAllResponse::decode(&answer)?.response)
    }

    /// The number of items.
    pub async fn size(&self) -> Result<usize, HazelcastError> {
        let answer = self.call(&SetSizeRequest { name: self.name() }).await?;
        Ok(count(SetSizeResponse::decode(&answer)?.response))
    }

    /// Whether the set is empty.
    pub async fn is_empty(&self) -> Result<bool, HazelcastError> {
        let answer = self.call(&SetIsEmptyRequest { name: self.name() }).await?;
        Ok(SetIsEmptyResponse::decode(&answer)?.response)
    }

    /// Every item, in no particular order (a snapshot in one answer).
    pub async fn items(&self) -> Result<Vec<T>, HazelcastError> {
        let answer = self.call(&SetGetAllRequest { name: self.name() }).await?;
        let items = SetGetAllResponse::decode(&answer)?.response.0;
        self.core.values(&items).await
    }

    /// Removes every item.
    pub async fn clear(&self) -> Result<(), HazelcastError> {
        let answer = self.call(&SetClearRequest { name: self.name() }).await?;
        check_type(&answer, SetClearRequest::MESSAGE_TYPE + 1)?;
        Ok(())
    }

    /// Destroys the set on the cluster (its items are lost).
    pub async fn destroy(&self) -> Result<(), HazelcastError> {
        self.core.destroy().await
    }

    /// Item events (added, removed) from now on, with the items (`include_value`), as a
    /// [`Stream`](futures_core::Stream). Dropping the stream deregisters the listener.
    pub async fn item_events(&self, include_value: bool) -> Result<ItemEventStream<T>, HazelcastError> {
        let codec = SetItems {
            name: self.name().to_owned(),
            include_value,
        };
        let raw = register(self.core.client(), codec, DEFAULT_EVENT_CAPACITY).await?;
        Ok(ItemEventStream::new(self.core.clone(), raw))
    }
}

crate::queue::item_listener_codec!(
    SetItems,
    "set",
    SetAddListenerRequest,
    SetAddListenerResponse,
    SetRemoveListenerRequest,
    SetAddListenerItemEvent
);
