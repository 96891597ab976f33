//! Calls in flight, keyed by correlation id, and their backup-acknowledgement state.
//!
//! The map is sharded so that the reader tasks of different connections and the callers rarely
//! meet on one lock; a lock is held only for a map operation, never across an `.await`.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use hazelcast_codec::ClientMessage;
use tokio::sync::oneshot;

const SHARDS: usize = 16;

/// What the caller of an invocation is told first.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The answer (a response or an error response).
    Response(ClientMessage),
    /// The answer arrived but announces backups whose acknowledgements are still missing; the
    /// receiver resolves when they are all in, or with the reason they never will be.
    Held {
        response: ClientMessage,
        acks: oneshot::Receiver<AckOutcome>,
    },
    /// The connection the request was sent on closed before an answer.
    Closed { reason: String },
}

/// How waiting for backup acknowledgements ended (apart from the caller's own timeout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AckOutcome {
    /// Every expected acknowledgement arrived.
    AllAcked,
    /// The connection to the primary closed before they did.
    PrimaryLeft(String),
}

#[derive(Debug)]
struct Entry {
    tx: Option<oneshot::Sender<Outcome>>,
    connection: u64,
    acks_received: u8,
    held: Option<(u8, oneshot::Sender<AckOutcome>)>,
}

/// The calls in flight.
#[derive(Debug)]
pub(crate) struct PendingCalls {
    shards: Vec<Mutex<HashMap<i64, Entry>>>,
}

impl Default for PendingCalls {
    fn default() -> Self {
        PendingCalls {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }
}

impl PendingCalls {
    fn shard(&self, id: i64) -> std::sync::MutexGuard<'_, HashMap<i64, Entry>> {
        // A poisoned shard only means a panic elsewhere; the map itself is still consistent.
        self.shards[(id as usize) % SHARDS]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a call about to be sent on `connection`.
    pub(crate) fn insert(&self, id: i64, connection: u64) -> oneshot::Receiver<Outcome> {
        let (tx, rx) = oneshot::channel();
        self.shard(id).insert(
            id,
            Entry {
                tx: Some(tx),
                connection,
                acks_received: 0,
                held: None,
            },
        );
        rx
    }

    /// Forgets a call (completed, timed out or cancelled by its caller).
    pub(crate) fn remove(&self, id: i64) {
        self.shard(id).remove(&id);
    }

    /// Number of calls in flight.
    pub(crate) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).len())
            .sum()
    }

    /// Delivers an answer. Returns false when no call waits for it (e.g. it was cancelled).
    pub(crate) fn on_response(&self, msg: ClientMessage) -> bool {
        let id = msg.correlation_id();
        let mut shard = self.shard(id);
        let Some(entry) = shard.get_mut(&id) else {
            return false;
        };
        let expected = msg.backup_acks();
        if expected > entry.acks_received && !msg.is_error() {
            let (ack_tx, ack_rx) = oneshot::channel();
            entry.held = Some((expected, ack_tx));
            if let Some(tx) = entry.tx.take() {
                let _ = tx.send(Outcome::Held {
                    response: msg,
                    acks: ack_rx,
                });
            }
            return true;
        }
        if let Some(mut entry) = shard.remove(&id)
            && let Some(tx) = entry.tx.take()
        {
            let _ = tx.send(Outcome::Response(msg));
        }
        true
    }

    /// Counts a backup acknowledgement for call `id` (which may arrive before its answer).
    pub(crate) fn on_backup_ack(&self, id: i64) {
        let mut shard = self.shard(id);
        let Some(entry) = shard.get_mut(&id) else { return };
        entry.acks_received = entry.acks_received.saturating_add(1);
        let done = matches!(&entry.held, Some((expected, _)) if entry.acks_received >= *expected);
        if done && let Some((_, tx)) = shard.remove(&id).and_then(|e| e.held) {
            let _ = tx.send(AckOutcome::AllAcked);
        }
    }

    /// Fails every call sent on `connection`: those still waiting for an answer learn that the
    /// connection closed; those whose answer is held for backups learn that the primary left.
    pub(crate) fn on_connection_closed(&self, connection: u64, reason: &str) {
        for shard in &self.shards {
            let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
            let ids: Vec<i64> = shard
                .iter()
                .filter(|(_, e)| e.connection == connection)
                .map(|(id, _)| *id)
                .collect();
            for id in ids {
                let Some(mut e) = shard.remove(&id) else { continue };
                if let Some(tx) = e.tx.take() {
                    let _ = tx.send(Outcome::Closed {
                        reason: reason.to_owned(),
                    });
                } else if let Some((_, tx)) = e.held.take() {
                    let _ = tx.send(AckOutcome::PrimaryLeft(reason.to_owned()));
                }
            }
        }
    }

    /// Fails every call (client shutdown).
    pub(crate) fn close_all(&self, reason: &str) {
        for shard in &self.shards {
            let drained: Vec<Entry> = shard
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .drain()
                .map(|(_, e)| e)
                .collect();
            for mut e in drained {
                if let Some(tx) = e.tx.take() {
                    let _ = tx.send(Outcome::Closed {
                        reason: reason.to_owned(),
                    });
                } else if let Some((_, tx)) = e.held.take() {
                    let _ = tx.send(AckOutcome::PrimaryLeft(reason.to_owned()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hazelcast_codec::MessageWriter;

    fn response(id: i64, acks: u8) -> ClientMessage {
        MessageWriter::response(0x010101, id, acks).finish()
    }

    #[test]
    fn plain_response_completes() {
        let p = PendingCalls::default();
        let mut rx = p.insert(7, 1);
        assert!(p.on_response(response(7, 0)));
        assert!(matches!(rx.try_recv(), Ok(Outcome::Response(m)) if m.correlation_id() == 7));
        assert_eq!(p.len(), 0);
        assert!(!p.on_response(response(7, 0)), "a second answer finds no call");
    }

    #[test]
    fn response_is_held_until_all_acks() {
        let p = PendingCalls::default();
        let mut rx = p.insert(9, 1);
        p.on_response(response(9, 2));
        let Ok(Outcome::Held { mut acks, .. }) = rx.try_recv() else {
            panic!("held")
        };
        p.on_backup_ack(9);
        assert!(acks.try_recv().is_err(), "one of two acks");
        p.on_backup_ack(9);
        assert_eq!(acks.try_recv(), Ok(AckOutcome::AllAcked));
        assert_eq!(p.len(), 0);
    }

    #[test]
    fn acks_before_the_response_count() {
        let p = PendingCalls::default();
        let mut rx = p.insert(11, 1);
        p.on_backup_ack(11);
        p.on_response(response(11, 1));
        assert!(matches!(rx.try_recv(), Ok(Outcome::Response(_))));
        assert_eq!(p.len(), 0);
    }

    #[test]
    fn connection_close_fails_its_calls_only() {
        let p = PendingCalls::default();
        let mut a = p.insert(1, 10);
        let mut b = p.insert(2, 20);
        let mut c = p.insert(3, 10);
        p.on_response(response(3, 1));
        let Ok(Outcome::Held { mut acks, .. }) = c.try_recv() else {
            panic!("held")
        };
        p.on_connection_closed(10, "eof");
        assert!(matches!(a.try_recv(), Ok(Outcome::Closed { .. })));
        assert!(b.try_recv().is_err(), "other connection untouched");
        assert_eq!(acks.try_recv(), Ok(AckOutcome::PrimaryLeft("eof".into())));
        assert_eq!(p.len(), 1);
    }
}
