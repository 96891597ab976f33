//! [`ReliableTopic`]: a publish/subscribe topic stored in a ringbuffer, whose listeners read
//! the messages by sequence (so they can start in the past, notice what they missed, and
//! survive the loss of a member).

mod message;
mod stream;

use std::fmt;
use std::marker::PhantomData;
use std::time::{Duration, SystemTime};

use hazelcast_codec::{Address, Data};
use hazelcast_serialization::{FromData, ToData};
use thiserror::Error;

use crate::error::HazelcastError;
use crate::map::SerializeAs;
use crate::proxy::ProxyCore;
use crate::ringbuffer::{OverflowPolicy, RINGBUFFER_MAX_BATCH, Ringbuffer, RingbufferError};

pub use stream::{ListenOptions, MessageLoss, ReliableMessageStream, ReliableTopicEvent, StartFrom};

/// The service name of reliable topics.
pub(crate) const RELIABLE_TOPIC_SERVICE: &str = "hz:impl:reliableTopicService";

/// The prefix of the name of the ringbuffer that holds a reliable topic's messages
/// (`RingbufferService.TOPIC_RB_PREFIX`): the topic `news` lives in the ringbuffer `_hz_rb_news`.
pub const RELIABLE_TOPIC_RINGBUFFER_PREFIX: &str = "_hz_rb_";

/// The first pause of [`TopicOverloadPolicy::Block`] (Java's `INITIAL_BACKOFF_MS`).
const BLOCK_INITIAL_PAUSE: Duration = Duration::from_millis(100);
/// The longest pause of [`TopicOverloadPolicy::Block`] (Java's `MAX_BACKOFF`).
const BLOCK_MAX_PAUSE: Duration = Duration::from_millis(2000);

/// What a publish does when the topic's ringbuffer is full. The ringbuffer is only ever full
/// when the members configure a time-to-live for it (`<ringbuffer name="_hz_rb_…">` with
/// `time-to-live-seconds`): every slot then holds a message younger than that. Without a
/// time-to-live, every policy overwrites the oldest message (Java's `TopicOverloadPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TopicOverloadPolicy {
    /// Overwrite the oldest message, even if it is younger than the time-to-live (listeners
    /// that have not read it lose it).
    DiscardOldest,
    /// Drop the new messages; the publish returns as if it succeeded. (A `publish_all` of more
    /// messages than the capacity is always dropped.)
    DiscardNewest,
    /// Wait until there is room: try again after 100 ms, doubling the pause up to 2 s, for as
    /// long as it takes (as the Java client does). Dropping the publish future stops it. A
    /// `publish_all` of more messages than the ringbuffer's capacity could never fit: it is
    /// refused with [`RingbufferError::BatchTooLarge`] (the Java client would wait forever).
    #[default]
    Block,
    /// Fail the publish with [`ReliableTopicError::Overloaded`].
    Error,
}

/// The per-topic settings of a [`ReliableTopic`] (Java's `ClientReliableTopicConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReliableTopicOptions {
    /// Messages a listener reads in one request, at most (1 to 1000, and at most the
    /// ringbuffer's capacity; default 10).
    pub read_batch_size: usize,
    /// What a publish does when the ringbuffer is full (default [`TopicOverloadPolicy::Block`]).
    pub overload_policy: TopicOverloadPolicy,
}

impl Default for ReliableTopicOptions {
    fn default() -> Self {
        ReliableTopicOptions {
            read_batch_size: 10,
            overload_policy: TopicOverloadPolicy::Block,
        }
    }
}

impl ReliableTopicOptions {
    /// The read batch size.
    pub fn read_batch_size(mut self, n: usize) -> Self {
        self.read_batch_size = n;
        self
    }

    /// The overload policy.
    pub fn overload_policy(mut self, policy: TopicOverloadPolicy) -> Self {
        self.overload_policy = policy;
        self
    }
}

/// A reliable topic call that failed on the client's side.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ReliableTopicError {
    /// The ringbuffer was full and the overload policy is [`TopicOverloadPolicy::Error`]
    /// (Java's `TopicOverloadException`); nothing was published.
    #[error("reliable topic {topic:?} is overloaded: its ringbuffer is full")]
    Overloaded {
        /// The topic.
        topic: String,
    },
    /// A listener that is not loss-tolerant missed messages (it read too slowly, or they
    /// expired or were lost with their member); its stream ends with this error.
    #[error("reliable topic {topic:?}: the listener lost messages ({loss})")]
    MessagesLost {
        /// The topic.
        topic: String,
        /// What was lost.
        loss: MessageLoss,
    },
    /// [`ReliableTopicOptions::read_batch_size`] is 0 or above 1000.
    #[error("read batch size {0} is not between 1 and 1000")]
    InvalidReadBatchSize(usize),
}

/// A distributed publish/subscribe topic of messages `T` kept in a ringbuffer, from
/// [`HazelcastClient::get_reliable_topic`](crate::HazelcastClient::get_reliable_topic).
///
/// Unlike a [`Topic`](crate::Topic), a published message is stored (in the ringbuffer
/// `_hz_rb_<name>`, with its backups) and every listener reads it from there by sequence, in
/// batches: a listener can start at the oldest message still stored, at the next one to be
/// published or at a given sequence; a slow listener does not lose messages until they are
/// overwritten, and then it is told how many; a listener keeps reading from a backup when the
/// member holding the ringbuffer leaves. The messages are Java's `ReliableTopicMessage`s, so the
/// official clients and members read what this client publishes and the other way round.
/// Capacity, time-to-live and backups come from the members' ringbuffer configuration for
/// `_hz_rb_<name>`. Cheap to clone.
///
/// ```no_run
/// use futures_util::StreamExt;
/// use hazelcast::{ListenOptions, ReliableTopicEvent, StartFrom};
/// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
/// let orders = client.get_reliable_topic::<String>("orders").await?;
/// let mut stream = orders
///     .messages_with(ListenOptions::default().start(StartFrom::Oldest).loss_tolerant(true))
///     .await?;
/// orders.publish("order 17").await?;
/// while let Some(event) = stream.next().await {
///     match event? {
///         ReliableTopicEvent::Message(m) => println!("#{}: {}", m.sequence, m.message),
///         ReliableTopicEvent::Lost(loss) => println!("missed {loss}"),
///         _ => {}
///     }
/// }
/// # Ok(()) }
/// ```
pub struct ReliableTopic<T> {
    core: ProxyCore,
    ringbuffer: Ringbuffer<Data>,
    options: ReliableTopicOptions,
    _items: PhantomData<fn() -> T>,
}

impl<T> Clone for ReliableTopic<T> {
    fn clone(&self) -> Self {
        ReliableTopic {
            core: self.core.clone(),
            ringbuffer: self.ringbuffer.clone(),
            options: self.options,
            _items: PhantomData,
        }
    }
}

impl<T> fmt::Debug for ReliableTopic<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReliableTopic")
            .field("name", &self.core.name())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// One message read from a reliable topic.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReliableMessage<T> {
    /// The message.
    pub message: T,
    /// When it was published, in milliseconds since the Unix epoch, by the publisher's clock
    /// (a client's, for messages clients publish).
    pub publish_time_millis: i64,
    /// The member that published it; `None` when a client did (clients do not send their
    /// address).
    pub publisher: Option<Address>,
    /// Its sequence in the ringbuffer (a listener started at `sequence + 1` continues after it).
    pub sequence: i64,
}

impl<T> ReliableMessage<T> {
    /// The publish time as a [`SystemTime`]; `None` for a time before the Unix epoch.
    pub fn publish_time(&self) -> Option<SystemTime> {
        let millis = u64::try_from(self.publish_time_millis).ok()?;
        SystemTime::UNIX_EPOCH.checked_add(Duration::from_millis(millis))
    }
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl<T> ReliableTopic<T>
where
    T: ToData + FromData + Send + 'static,
{
    pub(crate) fn new(
        core: ProxyCore,
        ringbuffer: Ringbuffer<Data>,
        options: ReliableTopicOptions,
    ) -> Result<Self, HazelcastError> {
        if !(1..=RINGBUFFER_MAX_BATCH).contains(&options.read_batch_size) {
            return Err(ReliableTopicError::InvalidReadBatchSize(options.read_batch_size).into());
        }
        Ok(ReliableTopic {
            core,
            ringbuffer,
            options,
            _items: PhantomData,
        })
    }

    /// The topic's name.
    pub fn name(&self) -> &str {
        self.core.name()
    }

    /// The settings this proxy publishes and listens with.
    pub fn options(&self) -> ReliableTopicOptions {
        self.options
    }

    /// The ringbuffer that stores the messages (`_hz_rb_<name>`), its items the serialized
    /// `ReliableTopicMessage`s: for its sequences, size and capacity.
    pub fn ringbuffer(&self) -> &Ringbuffer<Data> {
        &self.ringbuffer
    }

    /// Publishes `message`: stores it in the ringbuffer, from where every listener reads it.
    /// When the ringbuffer is full, the [overload policy](TopicOverloadPolicy) decides.
    pub async fn publish(&self, message: impl SerializeAs<T>) -> Result<(), HazelcastError> {
        let payload = self.core.data(&message).await?;
        let item = message::encode(now_millis(), &payload)?;
        self.store(std::slice::from_ref(&item)).await
    }

    /// Publishes every message of `messages` (1 to 1000), in order, in one request; under the
    /// [`Error`](TopicOverloadPolicy::Error) and [`Block`](TopicOverloadPolicy::Block)
    /// policies all of them or none are stored at a time. More than 1000 messages are refused
    /// with [`RingbufferError::BatchTooLarge`], none with [`RingbufferError::EmptyBatch`].
    pub async fn publish_all<'i>(
        &self,
        messages: impl IntoIterator<Item = &'i T>,
    ) -> Result<(), HazelcastError>
    where
        T: 'i,
    {
        let messages: Vec<&T> = messages.into_iter().take(RINGBUFFER_MAX_BATCH + 1).collect();
        if messages.len() > RINGBUFFER_MAX_BATCH {
            return Err(RingbufferError::BatchTooLarge {
                len: messages.len(),
                max: RINGBUFFER_MAX_BATCH,
            }
            .into());
        }
        let time = now_millis();
        let mut items = Vec::with_capacity(messages.len());
        for m in messages {
            items.push(message::encode(time, &self.core.data(m).await?)?);
        }
        self.store(&items).await
    }

    async fn store(&self, items: &[Data]) -> Result<(), HazelcastError> {
        let rb = &self.ringbuffer;
        match self.options.overload_policy {
            TopicOverloadPolicy::DiscardOldest => {
                rb.add_all(items, OverflowPolicy::Overwrite).await?;
            }
            TopicOverloadPolicy::DiscardNewest => {
                rb.add_all(items, OverflowPolicy::Fail).await?;
            }
            TopicOverloadPolicy::Error => {
                if rb.add_all(items, OverflowPolicy::Fail).await?.is_none() {
                    return Err(ReliableTopicError::Overloaded {
                        topic: self.name().to_owned(),
                    }
                    .into());
                }
            }
            TopicOverloadPolicy::Block => {
                // More messages than the ring holds never fit: refuse rather than wait forever.
                let capacity = rb.capacity().await?;
                if items.len() as u64 > capacity {
                    return Err(RingbufferError::BatchTooLarge {
                        len: items.len(),
                        max: usize::try_from(capacity).unwrap_or(usize::MAX),
                    }
                    .into());
                }
                let mut pause = BLOCK_INITIAL_PAUSE;
                while rb.add_all(items, OverflowPolicy::Fail).await?.is_none() {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(BLOCK_MAX_PAUSE);
                }
            }
        }
        Ok(())
    }

    /// The messages published from now on, as a [`Stream`](futures_core::Stream) (a listener
    /// that starts after the newest stored message and is not loss-tolerant; see
    /// [`messages_with`](ReliableTopic::messages_with)).
    pub async fn messages(&self) -> Result<ReliableMessageStream<T>, HazelcastError> {
        self.messages_with(ListenOptions::default()).await
    }

    /// A listener with `options`: where it starts, and what it does when it missed messages.
    /// It reads up to [`read_batch_size`](ReliableTopicOptions::read_batch_size) messages per
    /// request in a task of the client's, which ends when the stream is dropped or the client
    /// shuts down. Returns once the start sequence is known.
    pub async fn messages_with(
        &self,
        options: ListenOptions,
    ) -> Result<ReliableMessageStream<T>, HazelcastError> {
        stream::start(self, options).await
    }

    /// Destroys the topic and its ringbuffer on the cluster (the messages are lost; listeners
    /// end with an error).
    pub async fn destroy(&self) -> Result<(), HazelcastError> {
        self.core.destroy().await?;
        self.ringbuffer.destroy().await
    }
}
