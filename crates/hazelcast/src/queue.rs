//! [`Queue`]: a distributed blocking queue.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use hazelcast_codec::messages::queue::{
    QueueAddAllRequest, QueueAddAllResponse, QueueAddListenerItemEvent, QueueAddListenerRequest,
    QueueAddListenerResponse, QueueClearRequest, QueueContainsAllRequest, QueueContainsAllResponse,
    QueueContainsRequest, QueueContainsResponse, QueueDrainToMaxSizeRequest, QueueDrainToMaxSizeResponse,
    QueueIsEmptyRequest, QueueIsEmptyResponse, QueueIteratorRequest, QueueIteratorResponse,
    QueueOfferRequest, QueueOfferResponse, QueuePeekRequest, QueuePeekResponse, QueuePollRequest,
    QueuePollResponse, QueuePutRequest, QueueRemainingCapacityRequest, QueueRemainingCapacityResponse,
    QueueRemoveListenerRequest, QueueRemoveRequest, QueueRemoveResponse, QueueSizeRequest, QueueSizeResponse,
};
use hazelcast_codec::messages::{Request, check_type};
use hazelcast_codec::types::ListRef;
use hazelcast_codec::{ClientMessage, CodecError, Data, Uuid};
use hazelcast_serialization::{FromData, ToData};

use crate::error::HazelcastError;
use crate::map::SerializeAs;
use crate::proxy::listener::{ListenerCodec, RawEvents, register};
use crate::proxy::owned::run_owned;
use crate::proxy::{ProxyCore, Route, count, is_null};

/// The service name of queues.
pub(crate) const QUEUE_SERVICE: &str = "hz:impl:queueService";

/// Default capacity of an item-event stream's queue.
pub(crate) const DEFAULT_EVENT_CAPACITY: usize = 4096;

/// The longest wait one `Queue.Poll` request asks the member for; [`Queue::take`] polls again
/// while it waits longer (each request stays within the invocation timeout).
const MAX_POLL_WAIT: Duration = Duration::from_secs(30);

/// A distributed queue of items `T`, from
/// [`HazelcastClient::get_queue`](crate::HazelcastClient::get_queue).
///
/// Every operation goes to the member that owns the queue's partition (the partition of its
/// name). Cheap to clone.
///
/// Taking operations ([`poll`](Queue::poll), [`poll_timeout`](Queue::poll_timeout),
/// [`take`](Queue::take)) are **cancel-safe**: they run as a task of the client, and an item the
/// member handed out after the caller dropped the future is offered back to the queue (at its
/// tail), so no item is lost.
///
/// ```no_run
/// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
/// let jobs = client.get_queue::<String>("jobs").await?;
/// jobs.offer("resize image 7").await?;
/// if let Some(job) = jobs.poll().await? {
///     println!("working on {job}");
/// }
/// # Ok(()) }
/// ```
pub struct Queue<T> {
    core: ProxyCore,
    _items: PhantomData<fn() -> T>,
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Self {
        Queue {
            core: self.core.clone(),
            _items: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("name", &self.core.name())
            .finish_non_exhaustive()
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl<T> Queue<T>
where
    T: ToData + FromData + Send + 'static,
{
    pub(crate) fn new(core: ProxyCore) -> Self {
        Queue {
            core,
            _items: PhantomData,
        }
    }

    /// The queue's name.
    pub fn name(&self) -> &str {
        self.core.name()
    }

    async fn call<R: Request>(&self, request: &R) -> Result<ClientMessage, HazelcastError> {
        self.core.invoke(request, Route::Name).await
    }

    /// Adds `item` if the queue has room (a bounded queue may be full); returns whether it did.
    pub async fn offer(&self, item: impl SerializeAs<T>) -> Result<bool, HazelcastError> {
        self.offer_timeout(item, Duration::ZERO).await
    }

    /// Adds `item`, waiting up to `timeout` for room; returns whether it did.
    pub async fn offer_timeout(
        &self,
        item: impl SerializeAs<T>,
        timeout: Duration,
    ) -> Result<bool, HazelcastError> {
        let value = self.core.data(&item).await?;
        let answer = self
            .call(&QueueOfferRequest {
                timeout_millis: millis(timeout),
                name: self.name(),
                value: &value,
            })
            .await?;
        Ok(QueueOfferResponse::decode(&answer)?.response)
    }

    /// Adds `item`, waiting for room as long as the invocation timeout allows.
    pub async fn put(&self, item: impl SerializeAs<T>) -> Result<(), HazelcastError> {
        let value = self.core.data(&item).await?;
        let answer = self
            .call(&QueuePutRequest {
                name: self.name(),
                value: &value,
            })
            .await?;
        check_type(&answer, QueuePutRequest::MESSAGE_TYPE + 1)?;
        Ok(())
    }

    /// Removes and returns the head of the queue, or `None` when it is empty.
    pub async fn poll(&self) -> Result<Option<T>, HazelcastError> {
        self.owned_poll(Duration::ZERO).await
    }

    /// Removes and returns the head of the queue, waiting up to `timeout` for an item.
    pub async fn poll_timeout(&self, timeout: Duration) -> Result<Option<T>, HazelcastError> {
        let mut left = timeout;
        loop {
            let wait = left.min(MAX_POLL_WAIT);
            if let Some(item) = self.owned_poll(wait).await? {
                return Ok(Some(item));
            }
            left = left.saturating_sub(wait);
            if left.is_zero() {
                return Ok(None);
            }
        }
    }

    /// Removes and returns the head of the queue, waiting for an item as long as it takes.
    pub async fn take(&self) -> Result<T, HazelcastError> {
        loop {
            if let Some(item) = self.owned_poll(MAX_POLL_WAIT).await? {
                return Ok(item);
            }
        }
    }

    /// One `Queue.Poll` run as a task of the client, so that an item taken after the caller
    /// went away is offered back instead of lost.
    async fn owned_poll(&self, wait: Duration) -> Result<Option<T>, HazelcastError> {
        let cc = self.core.cluster()?;
        let (core, left) = (self.core.clone(), self.core.clone());
        let taken = run_owned(
            &cc,
            async move {
                let request = QueuePollRequest {
                    timeout_millis: millis(wait),
                    name: core.name(),
                };
                let answer = core.invoke(&request, Route::Name).await?;
                match QueuePollResponse::decode(&answer)?
                    .response
                    .filter(|d| !is_null(d))
                {
                    // Read in the task too: a caller gone while schemas are fetched loses nothing.
                    Some(data) => {
                        let item = core.value::<T>(&data).await;
                        Ok(Some((data, item)))
                    }
                    None => Ok(None),
                }
            },
            |taken| async move {
                if let Some((data, _)) = taken {
                    give_back(&left, &data).await;
                }
            },
        )
        .await?;
        taken.map(|(_, item)| item).transpose()
    }

    /// The head of the queue without removing it.
    pub async fn peek(&self) -> Result<Option<T>, HazelcastError> {
        let answer = self.call(&QueuePeekRequest { name: self.name() }).await?;
        self.core.opt(QueuePeekResponse::decode(&answer)?.response).await
    }

    /// The number of items.
    pub async fn size(&self) -> Result<usize, HazelcastError> {
        let answer = self.call(&QueueSizeRequest { name: self.name() }).await?;
        Ok(count(QueueSizeResponse::decode(&answer)?.response))
    }

    /// Whether the queue is empty.
    pub async fn is_empty(&self) -> Result<bool, HazelcastError> {
        let answer = self.call(&QueueIsEmptyRequest { name: self.name() }).await?;
        Ok(QueueIsEmptyResponse::decode(&answer)?.response)
    }

    /// How many more items a bounded queue takes (`i32::MAX` for an unbounded one).
    pub async fn remaining_capacity(&self) -> Result<usize, HazelcastError> {
        let answer = self
            .call(&QueueRemainingCapacityRequest { name: self.name() })
            .await?;
        Ok(count(QueueRemainingCapacityResponse::decode(&answer)?.response))
    }

    /// Whether the queue holds `item`.
    pub async fn contains(&self, item: impl SerializeAs<T>) -> Result<bool, HazelcastError> {
        let value = self.core.data(&item).await?;
        let answer = self
            .call(&QueueContainsRequest {
                name: self.name(),
                value: &value,
            })
            .await?;
        Ok(QueueContainsResponse::decode(&answer)?.response)
    }

    /// Whether the queue holds every item of `items`.
    pub async fn contains_all<'i>(
        &self,
        items: impl IntoIterator<Item = &'i T>,
    ) -> Result<bool, HazelcastError>
    where
        T: 'i,
    {
        let list = self.core.all_data(items).await?;
        let answer = self
            .call(&QueueContainsAllRequest {
                name: self.name(),
                data_list: ListRef(&list),
            })
            .await?;
        Ok(QueueContainsAllResponse::decode(&answer)?.response)
    }

    /// Removes one occurrence of `item`; returns whether there was one.
    pub async fn remove(&self, item: impl SerializeAs<T>) -> Result<bool, HazelcastError> {
        let value = self.core.data(&item).await?;
        let answer = self
            .call(&QueueRemoveRequest {
                name: self.name(),
                value: &value,
            })
            .await?;
        Ok(QueueRemoveResponse::decode(&answer)?.response)
    }

    /// Adds every item of `items` (all or none fit a bounded queue); returns whether the queue
    /// changed.
    pub async fn add_all<'i>(&self, items: impl IntoIterator<Item = &'i T>) -> Result<bool, HazelcastError>
    where
        T: 'i,
    {
        let list = self.core.all_data(items).await?;
        let answer = self
            .call(&QueueAddAllRequest {
                name: self.name(),
                data_list: ListRef(&list),
            })
            .await?;
        Ok(QueueAddAllResponse::decode(&answer)?.response)
    }

    /// Removes up to `max` items from the head and returns them, in order.
    pub async fn drain(&self, max: usize) -> Result<Vec<T>, HazelcastError> {
        let answer = self
            .call(&QueueDrainToMaxSizeRequest {
                max_size: i32::try_from(max).unwrap_or(i32::MAX),
                name: self.name(),
            })
            .await?;
        let items = QueueDrainToMaxSizeResponse::decode(&answer)?.response.0;
        self.core.values(&items).await
    }

    /// Every item, head first, without removing them (a snapshot in one answer).
    pub async fn items(&self) -> Result<Vec<T>, HazelcastError> {
        let answer = self.call(&QueueIteratorRequest { name: self.name() }).await?;
        let items = QueueIteratorResponse::decode(&answer)?.response.0;
        self.core.values(&items).await
    }

    /// Removes every item.
    pub async fn clear(&self) -> Result<(), HazelcastError> {
        let answer = self.call(&QueueClearRequest { name: self.name() }).await?;
        check_type(&answer, QueueClearRequest::MESSAGE_TYPE + 1)?;
        Ok(())
    }

    /// Destroys the queue on the cluster (its items are lost).
    pub async fn destroy(&self) -> Result<(), HazelcastError> {
        self.core.destroy().await
    }

    /// Item events (added, removed) from now on, with the items (`include_value`), as a
    /// [`Stream`](futures_core::Stream). Dropping the stream deregisters the listener.
    pub async fn item_events(&self, include_value: bool) -> Result<ItemEventStream<T>, HazelcastError> {
        let codec = QueueItems {
            name: self.name().to_owned(),
            include_value,
        };
        let raw = register(self.core.client(), codec, DEFAULT_EVENT_CAPACITY).await?;
        Ok(ItemEventStream::new(self.core.clone(), raw))
    }
}

/// Offers back an item taken for a caller that went away.
async fn give_back(core: &ProxyCore, data: &Data) {
    let request = QueueOfferRequest {
        timeout_millis: 0,
        name: core.name(),
        value: data,
    };
    match core.invoke(&request, Route::Name).await {
        Ok(answer) if QueueOfferResponse::decode(&answer).is_ok_and(|r| r.response) => {
            tracing::debug!(
                queue = core.name(),
                "an item taken for a cancelled call was offered back"
            );
        }
        other => tracing::error!(
            queue = core.name(),
            outcome = ?other.map(|_| "queue full"),
            "an item taken for a cancelled call could not be offered back"
        ),
    }
}

/// Whether an item was added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ItemEventType {
    /// An item was added (`ItemEventType.ADDED`, 1).
    Added,
    /// An item was removed (`ItemEventType.REMOVED`, 2).
    Removed,
    /// A type this client does not know.
    Other(i32),
}

impl ItemEventType {
    fn from_code(code: i32) -> Self {
        match code {
            1 => ItemEventType::Added,
            2 => ItemEventType::Removed,
            other => ItemEventType::Other(other),
        }
    }
}

/// One item event.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ItemEvent<T> {
    /// Added or removed.
    pub event_type: ItemEventType,
    /// The item (`None` without `include_value`).
    pub item: Option<T>,
    /// The member the event comes from.
    pub member: Uuid,
}

/// Declares the item-listener codec of one collection service (queues, lists and sets register
/// item listeners with the same parameters and send the same event fields; only the messages
/// differ).
macro_rules! item_listener_codec {
    ($codec:ident, $kind:literal, $add:ident, $add_response:ident, $remove:ident, $event:ident) => {
        struct $codec {
            name: String,
            include_value: bool,
        }

        impl ListenerCodec for $codec {
            type Event = $crate::queue::RawItemEvent;

            fn describe(&self) -> String {
                format!(concat!($kind, " {:?}"), self.name)
            }

            fn encode_add(&self, local_only: bool) -> ClientMessage {
                $add {
                    include_value: self.include_value,
                    local_only,
                    name: &self.name,
                }
                .encode(-1)
            }

            fn decode_add_response(&self, msg: &ClientMessage) -> Result<Uuid, CodecError> {
                Ok($add_response::decode(msg)?.response)
            }

            fn encode_remove(&self, registration_id: Uuid) -> ClientMessage {
                $remove {
                    registration_id,
                    name: &self.name,
                }
                .encode(-1)
            }

            fn decode_event(&self, msg: &ClientMessage) -> Result<Self::Event, CodecError> {
                let e = $event::decode(msg)?;
                Ok($crate::queue::RawItemEvent {
                    uuid: e.uuid,
                    event_type: e.event_type,
                    item: e.item,
                })
            }
        }
    };
}
pub(crate) use item_listener_codec;

item_listener_codec!(
    QueueItems,
    "queue",
    QueueAddListenerRequest,
    QueueAddListenerResponse,
    QueueRemoveListenerRequest,
    QueueAddListenerItemEvent
);

/// An item event as it came: queues, lists and sets send the same fields.
pub(crate) struct RawItemEvent {
    /// The member the event comes from.
    pub(crate) uuid: Uuid,
    /// `ItemEventType`'s code.
    pub(crate) event_type: i32,
    /// The item, when the listener asked for it.
    pub(crate) item: Option<Data>,
}

/// The item events of a queue, list or set listener: a [`Stream`](futures_core::Stream) of
/// `Result<ItemEvent<T>, HazelcastError>`; [`recv`](ItemEventStream::recv) also fetches unknown
/// Compact schemas. Ends when the client shuts down; dropping it deregisters the listener.
pub struct ItemEventStream<T> {
    core: ProxyCore,
    raw: RawEvents<RawItemEvent>,
    _items: PhantomData<fn() -> T>,
}

impl<T> ItemEventStream<T> {
    /// The stream of a registered item listener of the object `core` stands for.
    pub(crate) fn new(core: ProxyCore, raw: RawEvents<RawItemEvent>) -> Self {
        ItemEventStream {
            core,
            raw,
            _items: PhantomData,
        }
    }
}

impl<T> fmt::Debug for ItemEventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemEventStream")
            .field("dropped", &self.raw.dropped())
            .finish_non_exhaustive()
    }
}

impl<T: FromData> ItemEventStream<T> {
    /// The next event; `None` once closed or the client shut down.
    pub async fn recv(&mut self) -> Option<Result<ItemEvent<T>, HazelcastError>> {
        let e = self.raw.recv().await?;
        let item = self.core.opt(e.item).await;
        Some(item.map(|item| ItemEvent {
            event_type: ItemEventType::from_code(e.event_type),
            item,
            member: e.uuid,
        }))
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

/// As a `Stream`, items are read with the schemas the client knows.
impl<T: FromData> futures_core::Stream for ItemEventStream<T> {
    type Item = Result<ItemEvent<T>, HazelcastError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let service = this.core.client().serialization().clone();
        this.raw.poll_recv(cx).map(|o| {
            o.map(|e| {
                let item = match e.item {
                    Some(d) if !is_null(&d) => {
                        Some(T::from_data(&d, &service).map_err(HazelcastError::from)?)
                    }
                    _ => None,
                };
                Ok(ItemEvent {
                    event_type: ItemEventType::from_code(e.event_type),
                    item,
                    member: e.uuid,
                })
            })
        })
    }
}
