//! [`List`]: a distributed list.

use std::fmt;
use std::marker::PhantomData;

use hazelcast_codec::messages::list::{
    ListAddAllRequest, ListAddAllResponse, ListAddAllWithIndexRequest, ListAddAllWithIndexResponse,
    ListAddListenerItemEvent, ListAddListenerRequest, ListAddListenerResponse, ListAddRequest,
    ListAddResponse, ListAddWithIndexRequest, ListClearRequest, ListCompareAndRemoveAllRequest,
    ListCompareAndRemoveAllResponse, ListCompareAndRetainAllRequest, ListCompareAndRetainAllResponse,
    ListContainsAllRequest, ListContainsAllResponse, ListContainsRequest, ListContainsResponse,
    ListGetAllRequest, ListGetAllResponse, ListGetRequest, ListGetResponse, ListIndexOfRequest,
    ListIndexOfResponse, ListIsEmptyRequest, ListIsEmptyResponse, ListLastIndexOfRequest,
    ListLastIndexOfResponse, ListRemoveListenerRequest, ListRemoveRequest, ListRemoveResponse,
    ListRemoveWithIndexRequest, ListRemoveWithIndexResponse, ListSetRequest, ListSetResponse,
    ListSizeRequest, ListSizeResponse, ListSubRequest, ListSubResponse,
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

/// The service name of lists.
pub(crate) const LIST_SERVICE: &str = "hz:impl:listService";

/// A distributed list of items `T`, from
/// [`HazelcastClient::get_list`](crate::HazelcastClient::get_list).
///
/// The whole list lives in one partition (that of its name); every operation goes to the member
/// that owns it. Items keep their order and may repeat. Positions are 0-based; a position
/// outside the list is an error from the member (Java's `IndexOutOfBoundsException`). Cheap to
/// clone.
///
/// ```no_run
/// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
/// let steps = client.get_list::<String>("steps").await?;
/// steps.add("fetch").await?;
/// steps.add("build").await?;
/// steps.add_at(1, "verify").await?;
/// assert_eq!(steps.items().await?, ["fetch", "verify", "build"]);
/// assert_eq!(steps.get(2).await?.as_deref(), Some("build"));
/// # Ok(()) }
/// ```
pub struct List<T> {
    core: ProxyCore,
    _items: PhantomData<fn() -> T>,
}

impl<T> Clone for List<T> {
    fn clone(&self) -> Self {
        List {
            core: self.core.clone(),
            _items: PhantomData,
        }
    }
}

impl<T> fmt::Debug for List<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("List")
            .field("name", &self.core.name())
            .finish_non_exhaustive()
    }
}

/// A position as the protocol's `int` (one beyond `i32::MAX` is out of bounds for the member
/// too, so it is sent as `i32::MAX`).
fn index(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// A position the member sent, `None` for its "not found" (-1).
fn position(i: i32) -> Option<usize> {
    usize::try_from(i).ok()
}

impl<T> List<T>
where
    T: ToData + FromData + Send + 'static,
{
    pub(crate) fn new(core: ProxyCore) -> Self {
        List {
            core,
            _items: PhantomData,
        }
    }

    /// The list's name.
    pub fn name(&self) -> &str {
        self.core.name()
    }

    async fn call<R: Request>(&self, request: &R) -> Result<ClientMessage, HazelcastError> {
        self.core.invoke(request, Route::Name).await
    }

    /// Appends `item`; returns whether the list changed (false only when a configured maximum
    /// size is reached).
    pub async fn add(&self, item: impl SerializeAs<T>) -> Result<bool, HazelcastError> {
        let value = self.core.data(&item).await?;
        let answer = self
            .call(&ListAddRequest {
                name: self.name(),
                value: &value,
            })
            .await?;
        Ok(ListAddResponse::decode(&answer)?.response)
    }

    /// Inserts `item` at `index` (0 to the size), shifting the items from there on.
    pub async fn add_at(&self, index: usize, item: impl SerializeAs<T>) -> Result<(), HazelcastError> {
        let value = self.core.data(&item).await?;
        let answer = self
            .call(&ListAddWithIndexRequest {
                index: self::index(index),
                name: self.name(),
                value: &value,
            })
            .await?;
        check_type(&answer, ListAddWithIndexRequest::MESSAGE_TYPE + 1)?;
        Ok(())
    }

    /// Appends every item of `items`, in order; returns whether the list changed.
    pub async fn add_all<'i>(&self, items: impl IntoIterator<Item = &'i T>) -> Result<bool, HazelcastError>
    where
        T: 'i,
    {
        let list = self.core.all_data(items).await?;
        let answer = self
            .call(&ListAddAllRequest {
                name: self.name(),
                value_list: ListRef(&list),
            })
            .await?;
        Ok(ListAddAllResponse::decode(&answer)?.response)
    }

    /// Inserts every item of `items`, in order, at `index`; returns whether the list changed.
    pub async fn add_all_at<'i>(
        &self,
        index: usize,
        items: impl IntoIterator<Item = &'i T>,
    ) -> Result<bool, HazelcastError>
    where
        T: 'i,
    {
        let list = self.core.all_data(items).await?;
        let answer = self
            .call(&ListAddAllWithIndexRequest {
                index: self::index(index),
                name: self.name(),
                value_list: ListRef(&list),
            })
            .await?;
        Ok(ListAddAllWithIndexResponse::decode(&answer)?.response)
    }

    /// The item at `index`.
    pub async fn get(&self, index: usize) -> Result<Option<T>, HazelcastError> {
        let answer = self
            .call(&ListGetRequest {
                index: self::index(index),
                name: self.name(),
            })
            .await?;
        self.core.opt(ListGetResponse::decode(&answer)?.response).await
    }

    /// Replaces the item at `index` with `item`; returns the item it replaced.
    pub async fn set(&self, index: usize, item: impl SerializeAs<T>) -> Result<Option<T>, HazelcastError> {
        let value = self.core.data(&item).await?;
        let answer = self
            .call(&ListSetRequest {
                index: self::index(index),
                name: self.name(),
                value: &value,
            })
            .await?;
        self.core.opt(ListSetResponse::decode(&answer)?.response).await
    }

    /// Removes the item at `index`, shifting the items after it; returns it. (The member's
    /// removal event for it carries no item, even to listeners that asked for items: Hazelcast
    /// publishes it before reading the item.)
    pub async fn remove_at(&self, index: usize) -> Result<Option<T>, HazelcastError> {
        let answer = self
            .call(&ListRemoveWithIndexRequest {
                index: self::index(index),
                name: self.name(),
            })
            .await?;
        self.core
            .opt(ListRemoveWithIndexResponse::decode(&answer)?.response)
            .await
    }

    /// Removes the first occurrence of `item`; returns whether there was one.
    pub async fn remove(&self, item: impl SerializeAs<T>) -> Result<bool, HazelcastError> {
        let value = self.core.data(&item).await?;
        let answer = self
            .call(&ListRemoveRequest {
                name: self.name(),
                value: &value,
            })
            .await?;
        Ok(ListRemoveResponse::decode(&answer)?.response)
    }

    /// Removes every occurrence of every item of `items`; returns whether the list changed.
    pub async fn remove_all<'i>(&self, items: impl IntoIterator<Item = &'i T>) -> Result<bool, HazelcastError>
    where
        T: 'i,
    {
        let list = self.core.all_data(items).await?;
        let answer = self
            .call(&ListCompareAndRemoveAllRequest {
                name: self.name(),
                values: ListRef(&list),
            })
            .await?;
        Ok(ListCompareAndRemoveAllResponse::decode(&answer)?.response)
    }

    /// Keeps only the items that are in `items`; returns whether the list changed.
    pub async fn retain_all<'i>(&self, items: impl IntoIterator<Item = &'i T>) -> Result<bool, HazelcastError>
    where
        T: 'i,
    {
        let list = self.core.all_data(items).await?;
        let answer = self
            .call(&ListCompareAndRetainAllRequest {
                name: self.name(),
                values: ListRef(&list),
            })
            .await?;
        Ok(ListCompareAndRetainAllResponse::decode(&answer)?.response)
    }

    /// The position of the first occurrence of `item`, `None` if it is not in the list.
    pub async fn index_of(&self, item: impl SerializeAs<T>) -> Result<Option<usize>, HazelcastError> {
        let value = self.core.data(&item).await?;
        let answer = self
            .call(&ListIndexOfRequest {
                name: self.name(),
                value: &value,
            })
            .await?;
        Ok(position(ListIndexOfResponse::decode(&answer)?.response))
    }

    /// The position of the last occurrence of `item`, `None` if it is not in the list.
    pub async fn last_index_of(&self, item: impl SerializeAs<T>) -> Result<Option<usize>, HazelcastError> {
        let value = self.core.data(&item).await?;
        let answer = self
            .call(&ListLastIndexOfRequest {
                name: self.name(),
                value: &value,
            })
            .await?;
        Ok(position(ListLastIndexOfResponse::decode(&answer)?.response))
    }

    /// The items from position `from` (included) to `to` (excluded), as a snapshot.
    pub async fn sub_list(&self, from: usize, to: usize) -> Result<Vec<T>, HazelcastError> {
        let answer = self
            .call(&ListSubRequest {
                from: index(from),
                to: index(to),
                name: self.name(),
            })
            .await?;
        let items = ListSubResponse::decode(&answer)?.response.0;
        self.core.values(&items).await
    }

    /// Whether the list holds `item`.
    pub async fn contains(&self, item: impl SerializeAs<T>) -> Result<bool, HazelcastError> {
        let value = self.core.data(&item).await?;
        let answer = self
            .call(&ListContainsRequest {
                name: self.name(),
                value: &value,
            })
            .await?;
        Ok(ListContainsResponse::decode(&answer)?.response)
    }

    /// Whether the list holds every item of `items`.
    pub async fn contains_all<'i>(
        &self,
        items: impl IntoIterator<Item = &'i T>,
    ) -> Result<bool, HazelcastError>
    where
        T: 'i,
    {
        let list = self.core.all_data(items).await?;
        let answer = self
            .call(&ListContainsAllRequest {
                name: self.name(),
                values: ListRef(&list),
            })
            .await?;
        Ok(ListContainsAllResponse::decode(&answer)?.response)
    }

    /// The number of items.
    pub async fn size(&self) -> Result<usize, HazelcastError> {
        let answer = self.call(&ListSizeRequest { name: self.name() }).await?;
        Ok(count(ListSizeResponse::decode(&answer)?.response))
    }

    /// Whether the list is empty.
    pub async fn is_empty(&self) -> Result<bool, HazelcastError> {
        let answer = self.call(&ListIsEmptyRequest { name: self.name() }).await?;
        Ok(ListIsEmptyResponse::decode(&answer)?.response)
    }

    /// Every item, in order (a snapshot in one answer).
    pub async fn items(&self) -> Result<Vec<T>, HazelcastError> {
        let answer = self.call(&ListGetAllRequest { name: self.name() }).await?;
        let items = ListGetAllResponse::decode(&answer)?.response.0;
        self.core.values(&items).await
    }

    /// Removes every item.
    pub async fn clear(&self) -> Result<(), HazelcastError> {
        let answer = self.call(&ListClearRequest { name: self.name() }).await?;
        check_type(&answer, ListClearRequest::MESSAGE_TYPE + 1)?;
        Ok(())
    }

    /// Destroys the list on the cluster (its items are lost).
    pub async fn destroy(&self) -> Result<(), HazelcastError> {
        self.core.destroy().await
    }

    /// Item events (added, removed) from now on, with the items (`include_value`; a removal
    /// by position, [`remove_at`](List::remove_at), comes without its item), as a
    /// [`Stream`](futures_core::Stream). Dropping the stream deregisters the listener.
    pub async fn item_events(&self, include_value: bool) -> Result<ItemEventStream<T>, HazelcastError> {
        let codec = ListItems {
            name: self.name().to_owned(),
            include_value,
        };
        let raw = register(self.core.client(), codec, DEFAULT_EVENT_CAPACITY).await?;
        Ok(ItemEventStream::new(self.core.clone(), raw))
    }
}

crate::queue::item_listener_codec!(
    ListItems,
    "list",
    ListAddListenerRequest,
    ListAddListenerResponse,
    ListRemoveListenerRequest,
    ListAddListenerItemEvent
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_map_to_the_protocols_int() {
        assert_eq!(index(0), 0);
        assert_eq!(index(7), 7);
        assert_eq!(index(usize::MAX), i32::MAX);
        assert_eq!(position(-1), None);
        assert_eq!(position(3), Some(3));
    }
}
