//! [`Ringbuffer`]: a distributed bounded ring of items addressed by sequence.

use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, OnceLock};

use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::ringbuffer::{
    RingbufferAddAllRequest, RingbufferAddAllResponse, RingbufferAddRequest, RingbufferAddResponse,
    RingbufferCapacityRequest, RingbufferCapacityResponse, RingbufferHeadSequenceRequest,
    RingbufferHeadSequenceResponse, RingbufferReadManyRequest, RingbufferReadManyResponse,
    RingbufferReadOneRequest, RingbufferReadOneResponse, RingbufferRemainingCapacityRequest,
    RingbufferRemainingCapacityResponse, RingbufferSizeRequest, RingbufferSizeResponse,
    RingbufferTailSequenceRequest, RingbufferTailSequenceResponse,
};
use hazelcast_codec::types::ListRef;
use hazelcast_codec::{ClientMessage, CodecError, Data};
use hazelcast_serialization::{FromData, ToData};
use thiserror::Error;

use crate::error::HazelcastError;
use crate::map::SerializeAs;
use crate::proxy::{ProxyCore, Route, is_null};

/// The service name of ringbuffers.
pub(crate) const RINGBUFFER_SERVICE: &str = "hz:impl:ringbufferService";

/// The most items one [`Ringbuffer::add_all`] writes and one [`Ringbuffer::read_many`] reads
/// (the members' limit, `Ringbuffer.MAX_BATCH_SIZE` in the Java API).
pub const RINGBUFFER_MAX_BATCH: usize = 1000;

/// What an add does when the ringbuffer has no room: a ringbuffer with a time-to-live keeps
/// each item at least that long, so it is full when every slot holds an item younger than that.
/// Without a time-to-live it is never full (the oldest item is always overwritten).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OverflowPolicy {
    /// Overwrite the oldest item, even if it is younger than the time-to-live
    /// (`OverflowPolicy.OVERWRITE`, 0).
    Overwrite,
    /// Add nothing; the add reports that it failed (`OverflowPolicy.FAIL`, 1).
    Fail,
}

impl OverflowPolicy {
    fn id(self) -> i32 {
        match self {
            OverflowPolicy::Overwrite => 0,
            OverflowPolicy::Fail => 1,
        }
    }
}

/// A call refused before it is sent, as the official clients refuse it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RingbufferError {
    /// A sequence below 0 was given.
    #[error("sequence {0} is negative")]
    NegativeSequence(i64),
    /// [`Ringbuffer::add_all`] was given no item.
    #[error("add_all needs at least one item")]
    EmptyBatch,
    /// More items than [`RINGBUFFER_MAX_BATCH`] in one batch.
    #[error("a batch of {len} items is more than the limit of {max}")]
    BatchTooLarge {
        /// The items or count asked for.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// [`Ringbuffer::read_many`] was given a `min_count` above its `max_count`.
    #[error("min_count {min} is above max_count {max}")]
    MinAboveMax {
        /// The `min_count` given.
        min: usize,
        /// The `max_count` given.
        max: usize,
    },
    /// [`Ringbuffer::read_many`] was given a `max_count` above the ringbuffer's capacity.
    #[error("max_count {max} is above the capacity {capacity}")]
    MaxAboveCapacity {
        /// The `max_count` given.
        max: usize,
        /// The ringbuffer's capacity.
        capacity: u64,
    },
}

/// A distributed ringbuffer of items `T`, from
/// [`HazelcastClient::get_ringbuffer`](crate::HazelcastClient::get_ringbuffer).
///
/// Items are added at the tail and get consecutive sequences; reading does not remove them, so
/// any number of readers can read the same items from the sequence of their choice. When the
/// ring is full, the oldest item (at the head) makes room for the new one (see
/// [`OverflowPolicy`]). Capacity (10 000 by default) and time-to-live come from the members'
/// ringbuffer configuration. Every operation goes to the member that owns the partition of the
/// ringbuffer's name. Cheap to clone.
///
/// ```no_run
/// use hazelcast::OverflowPolicy;
/// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
/// let events = client.get_ringbuffer::<String>("events").await?;
/// let first = events.add("started", OverflowPolicy::Overwrite).await?;
/// events.add("stopped", OverflowPolicy::Overwrite).await?;
/// if let Some(seq) = first {
///     let batch = events.read_many(seq, 1, 10).await?;
///     assert_eq!(batch.items, ["started", "stopped"]);
/// }
/// # Ok(()) }
/// ```
pub struct Ringbuffer<T> {
    core: ProxyCore,
    /// The capacity, once asked (it does not change while the ringbuffer exists).
    capacity: Arc<OnceLock<u64>>,
    _items: PhantomData<fn() -> T>,
}

impl<T> Clone for Ringbuffer<T> {
    fn clone(&self) -> Self {
        Ringbuffer {
            core: self.core.clone(),
            capacity: self.capacity.clone(),
            _items: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Ringbuffer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ringbuffer")
            .field("name", &self.core.name())
            .finish_non_exhaustive()
    }
}

/// The answer to [`Ringbuffer::read_many`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReadBatch<T> {
    /// The items read, oldest first.
    pub items: Vec<T>,
    /// The sequence of each item of `items` (empty if the member did not send them).
    pub sequences: Vec<i64>,
    /// How many items the member read.
    pub read_count: usize,
    /// The sequence to read from next (one past the last item read).
    pub next_sequence: i64,
}

fn as_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl<T> Ringbuffer<T>
where
    T: ToData + FromData + Send + 'static,
{
    pub(crate) fn new(core: ProxyCore) -> Self {
        Ringbuffer {
            core,
            capacity: Arc::default(),
            _items: PhantomData,
        }
    }

    /// The ringbuffer's name.
    pub fn name(&self) -> &str {
        self.core.name()
    }

    async fn call<R: Request>(&self, request: &R) -> Result<ClientMessage, HazelcastError> {
        self.core.invoke(request, Route::Name).await
    }

    /// How many items the ringbuffer holds at most (asked once, then remembered).
    pub async fn capacity(&self) -> Result<u64, HazelcastError> {
        if let Some(&c) = self.capacity.get() {
            return Ok(c);
        }
        let answer = self
            .call(&RingbufferCapacityRequest { name: self.name() })
            .await?;
        let c = as_u64(RingbufferCapacityResponse::decode(&answer)?.response);
        Ok(*self.capacity.get_or_init(|| c))
    }

    /// The number of items it holds (equal to the capacity once the ring went round, unless
    /// items expire by time-to-live).
    pub async fn size(&self) -> Result<u64, HazelcastError> {
        let answer = self.call(&RingbufferSizeRequest { name: self.name() }).await?;
        Ok(as_u64(RingbufferSizeResponse::decode(&answer)?.response))
    }

    /// The sequence of the newest item; -1 before the first add.
    pub async fn tail_sequence(&self) -> Result<i64, HazelcastError> {
        let answer = self
            .call(&RingbufferTailSequenceRequest { name: self.name() })
            .await?;
        Ok(RingbufferTailSequenceResponse::decode(&answer)?.response)
    }

    /// The sequence of the oldest item; one more than the tail when the ringbuffer is empty.
    pub async fn head_sequence(&self) -> Result<i64, HazelcastError> {
        let answer = self
            .call(&RingbufferHeadSequenceRequest { name: self.name() })
            .await?;
        Ok(RingbufferHeadSequenceResponse::decode(&answer)?.response)
    }

    /// How many items can be added before [`OverflowPolicy::Fail`] refuses one: with a
    /// time-to-live, the capacity less the unexpired items; without one, always the capacity.
    pub async fn remaining_capacity(&self) -> Result<u64, HazelcastError> {
        let answer = self
            .call(&RingbufferRemainingCapacityRequest { name: self.name() })
            .await?;
        Ok(as_u64(
            RingbufferRemainingCapacityResponse::decode(&answer)?.response,
        ))
    }

    /// Adds `item` at the tail; returns its sequence, or `None` when the ringbuffer was full
    /// and `policy` is [`OverflowPolicy::Fail`].
    pub async fn add(
        &self,
        item: impl SerializeAs<T>,
        policy: OverflowPolicy,
    ) -> Result<Option<i64>, HazelcastError> {
        let value = self.core.data(&item).await?;
        let answer = self
            .call(&RingbufferAddRequest {
                overflow_policy: policy.id(),
                name: self.name(),
                value: &value,
            })
            .await?;
        let seq = RingbufferAddResponse::decode(&answer)?.response;
        Ok((seq >= 0).then_some(seq))
    }

    /// Adds every item of `items` (1 to [`RINGBUFFER_MAX_BATCH`]) at the tail, in order, in one
    /// request; returns the sequence of the last one, or `None` when the ringbuffer had no room
    /// for all of them and `policy` is [`OverflowPolicy::Fail`] (then none is added). Items
    /// added concurrently by others may land between them.
    pub async fn add_all<'i>(
        &self,
        items: impl IntoIterator<Item = &'i T>,
        policy: OverflowPolicy,
    ) -> Result<Option<i64>, HazelcastError>
    where
        T: 'i,
    {
        let items: Vec<&T> = items.into_iter().take(RINGBUFFER_MAX_BATCH + 1).collect();
        if items.is_empty() {
            return Err(RingbufferError::EmptyBatch.into());
        }
        if items.len() > RINGBUFFER_MAX_BATCH {
            return Err(RingbufferError::BatchTooLarge {
                len: items.len(),
                max: RINGBUFFER_MAX_BATCH,
            }
            .into());
        }
        let list = self.core.all_data(items.iter().copied()).await?;
        let answer = self
            .call(&RingbufferAddAllRequest {
                overflow_policy: policy.id(),
                name: self.name(),
                value_list: ListRef(&list),
            })
            .await?;
        let seq = RingbufferAddAllResponse::decode(&answer)?.response;
        Ok((seq >= 0).then_some(seq))
    }

    /// The item at `sequence`. When `sequence` is one past the tail, waits (as long as the
    /// invocation timeout allows) until an item is added there. A sequence older than the head
    /// (the item was overwritten or expired) fails with the member's `StaleSequenceException`,
    /// one further past the tail with its `IllegalArgumentException`.
    pub async fn read_one(&self, sequence: i64) -> Result<T, HazelcastError> {
        if sequence < 0 {
            return Err(RingbufferError::NegativeSequence(sequence).into());
        }
        let answer = self
            .call(&RingbufferReadOneRequest {
                sequence,
                name: self.name(),
            })
            .await?;
        match RingbufferReadOneResponse::decode(&answer)?.response {
            Some(data) if !is_null(&data) => self.core.value(&data).await,
            _ => Err(CodecError::UnexpectedNull {
                what: "Ringbuffer.ReadOne item",
            }
            .into()),
        }
    }

    /// Reads up to `max_count` items from `start_sequence` on, waiting (as long as the
    /// invocation timeout allows) until at least `min_count` are there. `max_count` may not
    /// exceed the capacity nor [`RINGBUFFER_MAX_BATCH`], `min_count` not `max_count`. The
    /// member moves a start older than the head up to the head (the items in between were
    /// overwritten or expired) and one beyond the tail back to one past the tail: the first
    /// sequence read is `next_sequence - read_count`.
    pub async fn read_many(
        &self,
        start_sequence: i64,
        min_count: usize,
        max_count: usize,
    ) -> Result<ReadBatch<T>, HazelcastError> {
        self.read_many_with(start_sequence, min_count, max_count, None)
            .await
    }

    /// As [`read_many`](Ringbuffer::read_many), returning only the items `filter` accepts. The
    /// filter runs on the member: it is an object of a class on the members' class path that
    /// implements `com.hazelcast.core.IFunction<T, Boolean>`, sent serialized (typically an
    /// [`Identified`](crate::serialization::Identified) object whose factory the members
    /// know). `read_count` counts the items read, accepted or not, and `sequences` gives the
    /// sequence of each accepted item; `min_count` counts accepted items.
    pub async fn read_many_filtered<F: ToData + ?Sized>(
        &self,
        start_sequence: i64,
        min_count: usize,
        max_count: usize,
        filter: &F,
    ) -> Result<ReadBatch<T>, HazelcastError> {
        let filter = self.core.data(filter).await?;
        self.read_many_with(start_sequence, min_count, max_count, Some(&filter))
            .await
    }

    async fn read_many_with(
        &self,
        start_sequence: i64,
        min_count: usize,
        max_count: usize,
        filter: Option<&Data>,
    ) -> Result<ReadBatch<T>, HazelcastError> {
        if start_sequence < 0 {
            return Err(RingbufferError::NegativeSequence(start_sequence).into());
        }
        if min_count > max_count {
            return Err(RingbufferError::MinAboveMax {
                min: min_count,
                max: max_count,
            }
            .into());
        }
        if max_count > RINGBUFFER_MAX_BATCH {
            return Err(RingbufferError::BatchTooLarge {
                len: max_count,
                max: RINGBUFFER_MAX_BATCH,
            }
            .into());
        }
        let capacity = self.capacity().await?;
        if max_count as u64 > capacity {
            return Err(RingbufferError::MaxAboveCapacity {
                max: max_count,
                capacity,
            }
            .into());
        }
        // Both counts are at most RINGBUFFER_MAX_BATCH here, so they fit an i32.
        let answer = self
            .call(&RingbufferReadManyRequest {
                start_sequence,
                min_count: i32::try_from(min_count).unwrap_or(i32::MAX),
                max_count: i32::try_from(max_count).unwrap_or(i32::MAX),
                name: self.name(),
                filter,
            })
            .await?;
        let r = RingbufferReadManyResponse::decode(&answer)?;
        Ok(ReadBatch {
            items: self.core.values(&r.items.0).await?,
            sequences: r.item_seqs.map(|s| s.0).unwrap_or_default(),
            read_count: usize::try_from(r.read_count).unwrap_or(0),
            next_sequence: r.next_seq,
        })
    }

    /// Destroys the ringbuffer on the cluster (its items are lost).
    pub async fn destroy(&self) -> Result<(), HazelcastError> {
        self.core.destroy().await
    }
}
