//! The message handler of one connection, called on its reader task: answers complete their
//! call, backup acknowledgements count towards theirs, and events go to the handlers registered
//! **on this connection**.
//!
//! Event handlers belong to the connection they were registered on, as in the Java client: an
//! event is matched by its correlation id among this connection's handlers only, so no member
//! can reach a listener registered on another member's connection, and the handlers go away
//! with the connection.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, Weak};

use hazelcast_codec::messages::client::ClientLocalBackupListenerBackupEvent;
use hazelcast_codec::{ClientMessage, OversizedMessage};
use hazelcast_transport::{CloseReason, MessageHandler};

use crate::client::{EventHandler, Inner};
use crate::sync::lock;

/// Receives one connection's messages.
pub(crate) struct ConnectionHandler {
    inner: Weak<Inner>,
    id: OnceLock<u64>,
    events: Mutex<HashMap<i64, EventHandler>>,
}

impl std::fmt::Debug for ConnectionHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionHandler")
            .field("id", &self.id.get())
            .field("event_handlers", &lock(&self.events).len())
            .finish()
    }
}

impl ConnectionHandler {
    pub(crate) fn new(inner: Weak<Inner>) -> Self {
        ConnectionHandler {
            inner,
            id: OnceLock::new(),
            events: Mutex::new(HashMap::new()),
        }
    }

    /// Records the transport connection's id once it is known.
    pub(crate) fn set_id(&self, id: u64) {
        let _ = self.id.set(id);
    }

    /// Routes the events of `correlation_id` on this connection to `handler`.
    pub(crate) fn add_event_handler(&self, correlation_id: i64, handler: EventHandler) {
        lock(&self.events).insert(correlation_id, handler);
    }

    /// Stops routing the events of `correlation_id`.
    pub(crate) fn remove_event_handler(&self, correlation_id: i64) {
        lock(&self.events).remove(&correlation_id);
    }

    /// Number of event handlers registered on this connection.
    pub(crate) fn event_handlers(&self) -> usize {
        lock(&self.events).len()
    }
}

impl MessageHandler for ConnectionHandler {
    fn on_message(&self, msg: ClientMessage) {
        let (Some(inner), Some(&id)) = (self.inner.upgrade(), self.id.get()) else {
            return;
        };
        if msg.is_event() {
            if msg.is_backup_event() {
                match ClientLocalBackupListenerBackupEvent::decode(&msg) {
                    Ok(ack) => inner.pending.on_backup_ack(ack.source_invocation_correlation_id),
                    Err(e) => tracing::debug!(connection = id, error = %e, "undecodable backup event"),
                }
                return;
            }
            let handler = lock(&self.events).get(&msg.correlation_id()).cloned();
            match handler {
                Some(h) => h(msg),
                None => tracing::debug!(
                    connection = id,
                    correlation_id = msg.correlation_id(),
                    "event for no listener on this connection"
                ),
            }
        } else if !inner.pending.on_response(id, msg) {
            tracing::debug!(connection = id, "answer for no pending call on this connection");
        }
    }

    fn on_oversized(&self, skipped: OversizedMessage) {
        let (Some(inner), Some(&id)) = (self.inner.upgrade(), self.id.get()) else {
            return;
        };
        tracing::warn!(
            connection = id,
            correlation_id = skipped.correlation_id,
            message_type = skipped.message_type,
            size = skipped.size,
            limit = skipped.limit,
            "skipped a message above the maximum message size"
        );
        if !skipped.is_event {
            inner
                .pending
                .on_oversized(id, skipped.correlation_id, skipped.size, skipped.limit);
        }
    }

    fn on_close(&self, reason: &CloseReason) {
        lock(&self.events).clear();
        let (Some(inner), Some(&id)) = (self.inner.upgrade(), self.id.get()) else {
            return;
        };
        inner.on_connection_closed(id, reason);
    }
}
