//! [`Topic`]: a distributed publish/subscribe topic.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use hazelcast_codec::messages::topic::{
    TopicAddMessageListenerRequest, TopicAddMessageListenerResponse, TopicAddMessageListenerTopicEvent,
    TopicPublishAllRequest, TopicPublishRequest, TopicRemoveMessageListenerRequest,
};
use hazelcast_codec::messages::{Request, check_type};
use hazelcast_codec::types::ListRef;
use hazelcast_codec::{ClientMessage, CodecError, Uuid};
use hazelcast_serialization::{FromData, ToData};

use crate::error::HazelcastError;
use crate::map::SerializeAs;
use crate::proxy::listener::{ListenerCodec, RawEvents, register};
use crate::proxy::{ProxyCore, Route};

/// The service name of topics.
pub(crate) const TOPIC_SERVICE: &str = "hz:impl:topicService";

/// Default capacity of a message stream's queue.
const DEFAULT_MESSAGE_CAPACITY: usize = 4096;

/// A distributed publish/subscribe topic of messages `T`, from
/// [`HazelcastClient::get_topic`](crate::HazelcastClient::get_topic).
///
/// A message published to the topic goes to every listener registered on it at that time, on
/// every client and member; it is not stored (a listener registered later does not see it).
/// Publishing goes to the member that owns the partition of the topic's name; that member
/// delivers the message to the listeners. Messages from one publisher arrive in the order it
/// published them (unless the members' topic configuration enables multi-threading). Cheap to
/// clone.
///
/// ```no_run
/// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
/// let news = client.get_topic::<String>("news").await?;
/// let mut messages = news.messages().await?;
/// news.publish("hello").await?;
/// if let Some(message) = messages.recv().await {
///     let message = message?;
///     println!("{} from member {}", message.message, message.member);
/// }
/// # Ok(()) }
/// ```
pub struct Topic<T> {
    core: ProxyCore,
    _items: PhantomData<fn() -> T>,
}

impl<T> Clone for Topic<T> {
    fn clone(&self) -> Self {
        Topic {
            core: self.core.clone(),
            _items: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Topic<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Topic")
            .field("name", &self.core.name())
            .finish_non_exhaustive()
    }
}

impl<T> Topic<T>
where
    T: ToData + FromData + Send + 'static,
{
    pub(crate) fn new(core: ProxyCore) -> Self {
        Topic {
            core,
            _items: PhantomData,
        }
    }

    /// The topic's name.
    pub fn name(&self) -> &str {
        self.core.name()
    }

    /// Publishes `message` to every listener of the topic. Returns once the member owning the
    /// topic accepted it (delivery to the listeners happens after that).
    pub async fn publish(&self, message: impl SerializeAs<T>) -> Result<(), HazelcastError> {
        let message = self.core.data(&message).await?;
        let answer = self
            .core
            .invoke(
                &TopicPublishRequest {
                    name: self.name(),
                    message: &message,
                },
                Route::Name,
            )
            .await?;
        check_type(&answer, TopicPublishRequest::MESSAGE_TYPE + 1)?;
        Ok(())
    }

    /// Publishes every message of `messages`, in order, in one request.
    pub async fn publish_all<'i>(
        &self,
        messages: impl IntoIterator<Item = &'i T>,
    ) -> Result<(), HazelcastError>
    where
        T: 'i,
    {
        let list = self.core.all_data(messages).await?;
        let answer = self
            .core
            .invoke(
                &TopicPublishAllRequest {
                    name: self.name(),
                    messages: ListRef(&list),
                },
                Route::Name,
            )
            .await?;
        check_type(&answer, TopicPublishAllRequest::MESSAGE_TYPE + 1)?;
        Ok(())
    }

    /// The messages published from now on, as a [`Stream`](futures_core::Stream). Returns once
    /// every member accepted the listener; dropping the stream deregisters it.
    pub async fn messages(&self) -> Result<MessageStream<T>, HazelcastError> {
        self.messages_with_capacity(DEFAULT_MESSAGE_CAPACITY).await
    }

    /// As [`messages`](Topic::messages), with room for `capacity` undelivered messages (at
    /// least 1) between the connection and the stream; when it is full, further messages are
    /// dropped and counted ([`MessageStream::dropped`]).
    pub async fn messages_with_capacity(&self, capacity: usize) -> Result<MessageStream<T>, HazelcastError> {
        let codec = TopicMessages {
            name: self.name().to_owned(),
        };
        let raw = register(self.core.client(), codec, capacity).await?;
        Ok(MessageStream {
            core: self.core.clone(),
            raw,
            _items: PhantomData,
        })
    }

    /// Destroys the topic on the cluster (its listeners stop receiving messages).
    pub async fn destroy(&self) -> Result<(), HazelcastError> {
        self.core.destroy().await
    }
}

/// One message received from a topic.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TopicMessage<T> {
    /// The message.
    pub message: T,
    /// When the member published it, in milliseconds since the Unix epoch (the member's clock).
    pub publish_time_millis: i64,
    /// The member that published it to the listeners (find it among
    /// [`HazelcastClient::members`](crate::HazelcastClient::members)).
    pub member: Uuid,
}

impl<T> TopicMessage<T> {
    /// The publish time as a [`SystemTime`]; `None` if the member sent a time before the Unix
    /// epoch.
    pub fn publish_time(&self) -> Option<SystemTime> {
        let millis = u64::try_from(self.publish_time_millis).ok()?;
        SystemTime::UNIX_EPOCH.checked_add(Duration::from_millis(millis))
    }
}

struct TopicMessages {
    name: String,
}

impl ListenerCodec for TopicMessages {
    type Event = TopicAddMessageListenerTopicEvent;

    fn describe(&self) -> String {
        format!("topic {:?}", self.name)
    }

    fn encode_add(&self, local_only: bool) -> ClientMessage {
        TopicAddMessageListenerRequest {
            local_only,
            name: &self.name,
        }
        .encode(-1)
    }

    fn decode_add_response(&self, msg: &ClientMessage) -> Result<Uuid, CodecError> {
        Ok(TopicAddMessageListenerResponse::decode(msg)?.response)
    }

    fn encode_remove(&self, registration_id: Uuid) -> ClientMessage {
        TopicRemoveMessageListenerRequest {
            registration_id,
            name: &self.name,
        }
        .encode(-1)
    }

    fn decode_event(&self, msg: &ClientMessage) -> Result<Self::Event, CodecError> {
        TopicAddMessageListenerTopicEvent::decode(msg)
    }
}

/// The messages of a topic listener: a [`Stream`](futures_core::Stream) of
/// `Result<TopicMessage<T>, HazelcastError>`; [`recv`](MessageStream::recv) also fetches unknown
/// Compact schemas. Ends when the client shuts down; dropping it deregisters the listener.
pub struct MessageStream<T> {
    core: ProxyCore,
    raw: RawEvents<TopicAddMessageListenerTopicEvent>,
    _items: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for MessageStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageStream")
            .field("topic", &self.core.name())
            .field("dropped", &self.raw.dropped())
            .finish_non_exhaustive()
    }
}

impl<T: FromData> MessageStream<T> {
    /// The next message; `None` once closed or the client shut down.
    pub async fn recv(&mut self) -> Option<Result<TopicMessage<T>, HazelcastError>> {
        let e = self.raw.recv().await?;
        let message = self.core.value::<T>(&e.item).await;
        Some(message.map(|message| TopicMessage {
            message,
            publish_time_millis: e.publish_time,
            member: e.uuid,
        }))
    }

    /// Messages dropped because the stream's queue was full.
    pub fn dropped(&self) -> u64 {
        self.raw.dropped()
    }

    /// Deregisters the listener from every member and ends the stream.
    pub async fn close(self) {
        self.raw.close().await;
    }
}

/// As a `Stream`, messages are read with the schemas the client knows.
impl<T: FromData> futures_core::Stream for MessageStream<T> {
    type Item = Result<TopicMessage<T>, HazelcastError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let service = this.core.client().serialization().clone();
        this.raw.poll_recv(cx).map(|o| {
            o.map(|e| {
                let message = T::from_data(&e.item, &service).map_err(HazelcastError::from)?;
                Ok(TopicMessage {
                    message,
                    publish_time_millis: e.publish_time,
                    member: e.uuid,
                })
            })
        })
    }
}
