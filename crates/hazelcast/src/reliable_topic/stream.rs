//! The listener of a [`ReliableTopic`]: a task of the client's that reads the ringbuffer in
//! batches from a sequence and hands the messages to a [`ReliableMessageStream`] (Java's
//! `MessageRunner`).

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use hazelcast_codec::Data;
use hazelcast_invocation::InvocationError;
use hazelcast_serialization::{FromData, ToData};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{ReliableMessage, ReliableTopic, ReliableTopicError, message};
use crate::error::HazelcastError;
use crate::ringbuffer::{ReadBatch, RingbufferError};

/// The first pause after a failed read that may succeed later (no connection, a timeout…).
const RETRY_INITIAL_PAUSE: Duration = Duration::from_millis(100);
/// The longest pause between such reads.
const RETRY_MAX_PAUSE: Duration = Duration::from_secs(1);
/// The class of the member's answer to a read beyond the tail (the ringbuffer was lost).
const ILLEGAL_ARGUMENT: &str = "java.lang.IllegalArgumentException";

/// Where a listener starts reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum StartFrom {
    /// The next message to be published (after the newest stored one), as the official
    /// clients' plain message listeners start.
    #[default]
    Newest,
    /// The oldest message still stored (the ringbuffer's head).
    Oldest,
    /// This sequence, e.g. one past the last message a previous listener processed
    /// (Java's `ReliableMessageListener.retrieveInitialSequence`).
    Sequence(i64),
}

/// How a listener reads a [`ReliableTopic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ListenOptions {
    /// Where it starts (default [`StartFrom::Newest`]).
    pub start: StartFrom,
    /// What happens when it missed messages: `false` (the default, as in the official
    /// clients) ends the stream with [`ReliableTopicError::MessagesLost`]; `true` reports a
    /// [`ReliableTopicEvent::Lost`] and goes on from the oldest message still stored (Java's
    /// `ReliableMessageListener.isLossTolerant`).
    pub loss_tolerant: bool,
}

impl ListenOptions {
    /// Where to start.
    pub fn start(mut self, start: StartFrom) -> Self {
        self.start = start;
        self
    }

    /// Whether a loss of messages is reported and skipped (`true`) or ends the stream.
    pub fn loss_tolerant(mut self, tolerant: bool) -> Self {
        self.loss_tolerant = tolerant;
        self
    }
}

/// Messages a listener missed: it wanted `expected`, and the oldest message the ringbuffer
/// still held was `resumed_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct MessageLoss {
    /// The sequence the listener was going to read.
    pub expected: i64,
    /// The sequence it read instead.
    pub resumed_at: i64,
}

impl MessageLoss {
    /// How many messages were skipped; `None` when the listener's sequence was beyond the
    /// ringbuffer's tail (the ringbuffer was lost or recreated, or the listener was started at
    /// a sequence that was never published), so the count is unknown.
    pub fn count(&self) -> Option<u64> {
        u64::try_from(self.resumed_at - self.expected).ok()
    }
}

impl fmt::Display for MessageLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.count() {
            Some(n) => write!(
                f,
                "{n} messages, sequences {} to {}",
                self.expected,
                self.resumed_at - 1
            ),
            None => write!(
                f,
                "sequence {} is beyond the ringbuffer, which continues at {}",
                self.expected, self.resumed_at
            ),
        }
    }
}

/// What a [`ReliableMessageStream`] yields.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ReliableTopicEvent<T> {
    /// The next message.
    Message(ReliableMessage<T>),
    /// Messages were missed (only for [loss-tolerant](ListenOptions::loss_tolerant)
    /// listeners); the stream goes on after it.
    Lost(MessageLoss),
}

type Item<T> = Result<ReliableTopicEvent<T>, HazelcastError>;

/// The messages of a reliable topic listener: a [`Stream`](futures_core::Stream) of
/// `Result<ReliableTopicEvent<T>, HazelcastError>`. An `Err` that is not the end of the stream
/// is a message that could not be read (e.g. of another type than `T`); the stream ends after
/// [`ReliableTopicError::MessagesLost`] (unless loss-tolerant) or an error that retrying will not
/// cure, and when the client shuts down. Dropping it stops its reading task.
pub struct ReliableMessageStream<T> {
    topic: String,
    rx: mpsc::Receiver<Item<T>>,
    task: JoinHandle<Option<()>>,
}

impl<T> fmt::Debug for ReliableMessageStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReliableMessageStream")
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

impl<T> ReliableMessageStream<T> {
    /// The next event; `None` once the stream ended.
    pub async fn recv(&mut self) -> Option<Item<T>> {
        self.rx.recv().await
    }
}

impl<T> Drop for ReliableMessageStream<T> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl<T> futures_core::Stream for ReliableMessageStream<T> {
    type Item = Item<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().rx.poll_recv(cx)
    }
}

/// Resolves the start sequence and spawns the reading task.
pub(super) async fn start<T>(
    topic: &ReliableTopic<T>,
    options: ListenOptions,
) -> Result<ReliableMessageStream<T>, HazelcastError>
where
    T: ToData + FromData + Send + 'static,
{
    let rb = &topic.ringbuffer;
    let sequence = match options.start {
        StartFrom::Newest => rb.tail_sequence().await? + 1,
        StartFrom::Oldest => rb.head_sequence().await?,
        StartFrom::Sequence(s) if s < 0 => return Err(RingbufferError::NegativeSequence(s).into()),
        StartFrom::Sequence(s) => s,
    };
    // A batch may not exceed the ringbuffer's capacity.
    let capacity = usize::try_from(rb.capacity().await?).unwrap_or(usize::MAX);
    let batch = topic.options.read_batch_size.min(capacity).max(1);
    let (tx, rx) = mpsc::channel(batch);
    let runner = Runner {
        topic: topic.clone(),
        sequence,
        batch,
        loss_tolerant: options.loss_tolerant,
        tx,
    };
    let task = topic.core.cluster()?.spawn(runner.run());
    Ok(ReliableMessageStream {
        topic: topic.name().to_owned(),
        rx,
        task,
    })
}

struct Runner<T> {
    topic: ReliableTopic<T>,
    /// The next sequence to read.
    sequence: i64,
    batch: usize,
    loss_tolerant: bool,
    tx: mpsc::Sender<Item<T>>,
}

/// What to do after a failed read.
enum Next {
    Retry,
    RetryAfterPause,
    End,
}

impl<T> Runner<T>
where
    T: ToData + FromData + Send + 'static,
{
    async fn run(mut self) {
        let mut pause = RETRY_INITIAL_PAUSE;
        loop {
            let read = self.topic.ringbuffer.read_many(self.sequence, 1, self.batch);
            let result = tokio::select! {
                r = read => r,
                () = self.tx.closed() => return,
            };
            let next = match result {
                Ok(batch) => {
                    pause = RETRY_INITIAL_PAUSE;
                    if self.deliver(batch).await {
                        continue;
                    }
                    Next::End
                }
                Err(e) => self.failed(e).await,
            };
            match next {
                Next::Retry => {}
                Next::RetryAfterPause => {
                    tokio::select! {
                        () = tokio::time::sleep(pause) => {}
                        () = self.tx.closed() => return,
                    }
                    pause = (pause * 2).min(RETRY_MAX_PAUSE);
                }
                Next::End => return,
            }
        }
    }

    /// Hands a batch to the stream; false when the stream is gone or must end.
    async fn deliver(&mut self, batch: ReadBatch<Data>) -> bool {
        // The member moves a read older than its head up to the head (and one beyond the tail
        // back to the tail): the first sequence it read tells whether messages were skipped.
        let read_count = i64::try_from(batch.read_count).unwrap_or(i64::MAX);
        let first = batch.next_sequence.saturating_sub(read_count);
        if first != self.sequence {
            let loss = MessageLoss {
                expected: self.sequence,
                resumed_at: first,
            };
            if !self.lost(loss).await {
                return false;
            }
        }
        for (i, item) in batch.items.iter().enumerate() {
            let sequence = batch
                .sequences
                .get(i)
                .copied()
                .unwrap_or_else(|| first.saturating_add(i64::try_from(i).unwrap_or(i64::MAX)));
            let event = self.read(item, sequence).await;
            if self.tx.send(event).await.is_err() {
                return false;
            }
        }
        self.sequence = batch.next_sequence;
        true
    }

    async fn read(&self, item: &Data, sequence: i64) -> Item<T> {
        let raw = message::decode(item)?;
        let value = self.topic.core.value::<T>(&raw.payload).await?;
        Ok(ReliableTopicEvent::Message(ReliableMessage {
            message: value,
            publish_time_millis: raw.publish_time_millis,
            publisher: raw.publisher,
            sequence,
        }))
    }

    /// Reports a loss; false when the stream ends.
    async fn lost(&mut self, loss: MessageLoss) -> bool {
        if self.loss_tolerant {
            tracing::debug!(topic = %self.topic.name(), %loss, "reliable topic listener lost messages");
            self.sequence = loss.resumed_at;
            return self.tx.send(Ok(ReliableTopicEvent::Lost(loss))).await.is_ok();
        }
        tracing::warn!(topic = %self.topic.name(), %loss, "reliable topic listener lost messages: ending it");
        let error = ReliableTopicError::MessagesLost {
            topic: self.topic.name().to_owned(),
            loss,
        };
        let _ = self.tx.send(Err(error.into())).await;
        false
    }

    async fn failed(&mut self, e: HazelcastError) -> Next {
        if e.is_client_not_active() {
            return Next::End;
        }
        if let HazelcastError::Invocation(InvocationError::Server(s)) = &e
            && s.class_name == ILLEGAL_ARGUMENT
        {
            // Read beyond the tail: the ringbuffer lost its items (Java's
            // `handleIllegalArgumentException`); continue from its head.
            return match self.topic.ringbuffer.head_sequence().await {
                Ok(head) => {
                    let loss = MessageLoss {
                        expected: self.sequence,
                        resumed_at: head,
                    };
                    if self.lost(loss).await {
                        Next::Retry
                    } else {
                        Next::End
                    }
                }
                Err(_) => Next::RetryAfterPause,
            };
        }
        if e.is_timeout() {
            // A waiting read that saw no message within the invocation timeout.
            return Next::Retry;
        }
        if e.is_retryable() {
            tracing::debug!(topic = %self.topic.name(), error = %e, "reliable topic read failed: retrying");
            return Next::RetryAfterPause;
        }
        tracing::warn!(topic = %self.topic.name(), error = %e, "reliable topic listener ends");
        let _ = self.tx.send(Err(e)).await;
        Next::End
    }
}
