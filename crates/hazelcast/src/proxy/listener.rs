//! Listener registrations shared by every proxy: a [`ListenerCodec`] says how to add and remove
//! one listener and how to decode its events; [`register`] registers it with the invocation
//! layer (on every member in smart mode, `local_only`) and returns its [`RawEvents`], which the
//! proxies wrap in their typed streams.
//!
//! Events go through a bounded queue between the connection's reader and the stream: the reader
//! never waits for a slow consumer (that would stall every call on the connection). When the
//! queue is full, events are dropped and counted. Dropping the stream deregisters the listener
//! (in a task of the client's); `close` does it and waits; a client shutdown ends every stream.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use hazelcast_codec::{ClientMessage, CodecError, Uuid};
use hazelcast_invocation::{ClusterClient, ListenerId, ListenerRegistration};
use tokio::sync::mpsc;

use crate::client::HazelcastClient;
use crate::error::HazelcastError;

/// How one kind of listener is added, removed and decoded.
pub(crate) trait ListenerCodec: Send + Sync + 'static {
    /// The decoded event.
    type Event: Send + 'static;
    /// What the listener is on, for log lines (`queue "jobs"`).
    fn describe(&self) -> String;
    /// The registration request; `local_only` is true in smart mode.
    fn encode_add(&self, local_only: bool) -> ClientMessage;
    /// The member's registration id from the registration answer.
    fn decode_add_response(&self, msg: &ClientMessage) -> Result<Uuid, CodecError>;
    /// The deregistration request.
    fn encode_remove(&self, registration_id: Uuid) -> ClientMessage;
    /// One event.
    fn decode_event(&self, msg: &ClientMessage) -> Result<Self::Event, CodecError>;
    /// Whether every member reports the events of the whole cluster, so that one registration
    /// on one member is enough (see `ListenerRegistration::on_one_member`).
    fn on_one_member(&self) -> bool {
        false
    }
}

/// Something the client closes when it shuts down.
pub(crate) trait Closeable: Send + Sync {
    /// Ends the stream.
    fn close(&self);
}

struct Registration<C: ListenerCodec> {
    codec: C,
    tx: Mutex<Option<mpsc::Sender<C::Event>>>,
    dropped: Arc<AtomicU64>,
}

impl<C: ListenerCodec> Closeable for Registration<C> {
    fn close(&self) {
        self.tx.lock().unwrap_or_else(PoisonError::into_inner).take();
    }
}

impl<C: ListenerCodec> ListenerRegistration for Registration<C> {
    fn encode_add(&self, local_only: bool) -> ClientMessage {
        self.codec.encode_add(local_only)
    }

    fn decode_add_response(&self, msg: &ClientMessage) -> Result<Uuid, CodecError> {
        self.codec.decode_add_response(msg)
    }

    fn encode_remove(&self, server_registration_id: Uuid) -> ClientMessage {
        self.codec.encode_remove(server_registration_id)
    }

    fn on_one_member(&self) -> bool {
        self.codec.on_one_member()
    }

    fn on_event(&self, event: ClientMessage) {
        let decoded = match self.codec.decode_event(&event) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(listener = %self.codec.describe(), error = %e, "undecodable event");
                return;
            }
        };
        let guard = self.tx.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(tx) = guard.as_ref()
            && let Err(mpsc::error::TrySendError::Full(_)) = tx.try_send(decoded)
        {
            let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_power_of_two() {
                tracing::warn!(listener = %self.codec.describe(), dropped = n, "listener queue full: events dropped");
            }
        }
    }
}

/// The undecoded events of one registered listener.
pub(crate) struct RawEvents<E> {
    rx: mpsc::Receiver<E>,
    dropped: Arc<AtomicU64>,
    registration: Option<(ClusterClient, ListenerId, Arc<dyn Closeable>)>,
}

impl<E> fmt::Debug for RawEvents<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawEvents")
            .field("dropped", &self.dropped())
            .finish_non_exhaustive()
    }
}

impl<E> RawEvents<E> {
    /// The next event; `None` once closed.
    pub(crate) async fn recv(&mut self) -> Option<E> {
        self.rx.recv().await
    }

    /// Polls for the next event.
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<E>> {
        self.rx.poll_recv(cx)
    }

    /// Events dropped because the queue was full.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Deregisters the listener from every member and ends the stream.
    pub(crate) async fn close(mut self) {
        if let Some((cc, id, reg)) = self.registration.take() {
            reg.close();
            cc.remove_listener(id).await;
        }
    }
}

impl<E> Drop for RawEvents<E> {
    fn drop(&mut self) {
        if let Some((cc, id, reg)) = self.registration.take() {
            reg.close();
            // A task of the client's: it ends with the client at the latest.
            let owner = cc.clone();
            owner.spawn(async move {
                cc.remove_listener(id).await;
            });
        }
    }
}

/// Registers a listener; its events queue up to `capacity` (at least 1) between the reader and
/// the stream. Returns once every current member accepted it.
pub(crate) async fn register<C: ListenerCodec>(
    client: &HazelcastClient,
    codec: C,
    capacity: usize,
) -> Result<RawEvents<C::Event>, HazelcastError> {
    let cc = client.cluster()?;
    let (tx, rx) = mpsc::channel(capacity.max(1));
    let dropped = Arc::new(AtomicU64::new(0));
    let registration = Arc::new(Registration {
        codec,
        tx: Mutex::new(Some(tx)),
        dropped: dropped.clone(),
    });
    let closeable: Arc<dyn Closeable> = registration.clone();
    client.track_listener(Arc::downgrade(&closeable));
    let id = cc.add_listener(registration).await?;
    Ok(RawEvents {
        rx,
        dropped,
        registration: Some((cc, id, closeable)),
    })
}
