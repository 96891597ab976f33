//! Calls in flight, keyed by correlation id, and their backup-acknowledgement state.
//!
//! Each call is a slot in a sharded map: the reader task of a connection puts the answer in the
//! slot and wakes the caller, whose future polls the slot. Nothing is allocated per call (no
//! channel): the maps keep their capacity and a waker clone is a reference count.
//!
//! An answer counts only when it arrives on the connection its request was sent on: another
//! member cannot complete someone else's call. A response held for backup acknowledgements no
//! longer depends on the primary's connection (the acknowledgements come on the backups'
//! connections): only the acknowledgements or the backup timeout decide, as in the Java client.
//!
//! Only the caller removes its slot (when its attempt ends in any way, see `PendingGuard` in
//! `client.rs`), so an answer, an acknowledgement or a close that arrives later finds no slot
//! and is dropped. A lock is held only for a map operation, never across an `.await`, and the
//! reader tasks of different connections and the callers rarely meet on one shard.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use hazelcast_codec::ClientMessage;
use hazelcast_transport::CloseReason;

const SHARDS: usize = 16;

/// Hashes a correlation id by one multiplication (Fibonacci hashing): the ids are ours, so no
/// peer can choose them to collide, and SipHash would cost more than the rest of the lookup.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_i64(&mut self, id: i64) {
        self.0 = (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type Shard = HashMap<i64, Entry, BuildHasherDefault<IdHasher>>;

/// What the caller of an invocation is told first.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The answer (a response or an error response).
    Response(ClientMessage),
    /// The answer arrived but announces backups whose acknowledgements are still missing; wait
    /// for them with [`PendingCalls::poll_acks`].
    Held { response: ClientMessage },
    /// The connection the request was sent on closed before an answer.
    Closed { reason: CloseReason },
    /// The answer exceeded the size limit and was skipped.
    TooLarge { size: u64, limit: usize },
    /// The call is not registered (any more): the client was shut down and dropped it.
    Gone,
}

/// How waiting for backup acknowledgements ended (apart from the caller's own timeout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AckOutcome {
    /// Every expected acknowledgement arrived.
    AllAcked,
    /// The client shut down (or the call is gone).
    ShutDown,
}

#[derive(Debug)]
enum Slot {
    /// No answer yet.
    Waiting,
    /// The final answer, for the caller to take.
    Answer(Outcome),
    /// A response held for `expected` backup acknowledgements (`response` until the caller
    /// takes it; `acks` once waiting for them has ended otherwise than by counting).
    Held {
        response: Option<ClientMessage>,
        expected: u8,
        acks: Option<AckOutcome>,
    },
}

#[derive(Debug)]
struct Entry {
    connection: u64,
    /// A call of the client's own (connection set-up), not counted as a user call.
    internal: bool,
    acks_received: u8,
    slot: Slot,
    waker: Option<Waker>,
}

impl Entry {
    fn wake(&mut self) {
        if let Some(w) = self.waker.take() {
            w.wake();
        }
    }

    fn register(&mut self, cx: &Context<'_>) {
        match &self.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => self.waker = Some(cx.waker().clone()),
        }
    }

    /// The connection of this call closed: a call still waiting for its answer fails; a held
    /// response is not affected (its acknowledgements come on other connections).
    fn close(&mut self, reason: &CloseReason) {
        if let Slot::Waiting = self.slot {
            self.slot = Slot::Answer(Outcome::Closed {
                reason: reason.clone(),
            });
            self.wake();
        }
    }

    /// The client shut down: every call ends.
    fn shut_down(&mut self, reason: &CloseReason) {
        match &mut self.slot {
            Slot::Waiting => {
                self.slot = Slot::Answer(Outcome::Closed {
                    reason: reason.clone(),
                })
            }
            Slot::Held {
                acks: acks @ None, ..
            } => *acks = Some(AckOutcome::ShutDown),
            _ => return,
        }
        self.wake();
    }
}

/// The calls in flight.
#[derive(Debug)]
pub(crate) struct PendingCalls {
    shards: Vec<Mutex<Shard>>,
}

impl Default for PendingCalls {
    fn default() -> Self {
        PendingCalls {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
        }
    }
}

fn locked(shard: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    // A poisoned shard only means a panic elsewhere; the map itself is still consistent.
    shard.lock().unwrap_or_else(PoisonError::into_inner)
}

impl PendingCalls {
    fn shard(&self, id: i64) -> MutexGuard<'_, Shard> {
        locked(&self.shards[(id as usize) % SHARDS])
    }

    /// Registers a call about to be sent on `connection`; `internal` for the client's own calls
    /// (authentication and the registrations of a connection's set-up).
    pub(crate) fn insert(&self, id: i64, connection: u64, internal: bool) {
        self.shard(id).insert(
            id,
            Entry {
                connection,
                internal,
                acks_received: 0,
                slot: Slot::Waiting,
                waker: None,
            },
        );
    }

    /// Forgets a call (completed, timed out or cancelled by its caller).
    pub(crate) fn remove(&self, id: i64) {
        self.shard(id).remove(&id);
    }

    /// Number of user calls in flight (the client's own set-up calls excluded).
    pub(crate) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| locked(s).values().filter(|e| !e.internal).count())
            .sum()
    }

    /// Number of the client's own set-up calls in flight.
    pub(crate) fn internal_len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| locked(s).values().filter(|e| e.internal).count())
            .sum()
    }

    /// Acknowledgements `(expected, received)` of a held call.
    pub(crate) fn acks(&self, id: i64) -> (u8, u8) {
        match self.shard(id).get(&id) {
            Some(Entry {
                slot: Slot::Held { expected, .. },
                acks_received,
                ..
            }) => (*expected, *acks_received),
            _ => (0, 0),
        }
    }

    /// The first outcome of call `id`: ready once its answer arrived or its connection closed.
    /// A final answer ends the call (its slot is removed); a held response leaves the slot for
    /// [`poll_acks`](Self::poll_acks).
    pub(crate) fn poll_answer(&self, id: i64, cx: &Context<'_>) -> Poll<Outcome> {
        let mut shard = self.shard(id);
        let Some(entry) = shard.get_mut(&id) else {
            return Poll::Ready(Outcome::Gone);
        };
        match &mut entry.slot {
            Slot::Answer(_) => {}
            Slot::Held { response, .. } => {
                if let Some(response) = response.take() {
                    return Poll::Ready(Outcome::Held { response });
                }
                entry.register(cx);
                return Poll::Pending;
            }
            Slot::Waiting => {
                entry.register(cx);
                return Poll::Pending;
            }
        }
        match shard.remove(&id) {
            Some(Entry {
                slot: Slot::Answer(outcome),
                ..
            }) => Poll::Ready(outcome),
            _ => Poll::Ready(Outcome::Gone),
        }
    }

    /// How waiting for the backup acknowledgements of call `id` (whose response was held)
    /// ended; removes the slot when ready.
    pub(crate) fn poll_acks(&self, id: i64, cx: &Context<'_>) -> Poll<AckOutcome> {
        let mut shard = self.shard(id);
        let Some(entry) = shard.get_mut(&id) else {
            return Poll::Ready(AckOutcome::ShutDown);
        };
        let ready = match &mut entry.slot {
            Slot::Held { acks: Some(o), .. } => o.clone(),
            Slot::Held { expected, .. } if entry.acks_received >= *expected => AckOutcome::AllAcked,
            Slot::Held { .. } => {
                entry.register(cx);
                return Poll::Pending;
            }
            _ => AckOutcome::ShutDown,
        };
        shard.remove(&id);
        Poll::Ready(ready)
    }

    /// Delivers an answer read on `connection`. Returns false when no call sent on that
    /// connection waits for it (cancelled, timed out, or an answer from another member).
    pub(crate) fn on_response(&self, connection: u64, msg: ClientMessage) -> bool {
        let id = msg.correlation_id();
        let mut shard = self.shard(id);
        let Some(entry) = shard.get_mut(&id) else {
            return false;
        };
        if entry.connection != connection || !matches!(entry.slot, Slot::Waiting) {
            return false; // a second answer for one call
        }
        let expected = msg.backup_acks();
        entry.slot = if expected > entry.acks_received && !msg.is_error() {
            Slot::Held {
                response: Some(msg),
                expected,
                acks: None,
            }
        } else {
            Slot::Answer(Outcome::Response(msg))
        };
        entry.wake();
        true
    }

    /// The answer of call `id`, read on `connection`, was larger than the limit and skipped.
    pub(crate) fn on_oversized(&self, connection: u64, id: i64, size: u64, limit: usize) -> bool {
        let mut shard = self.shard(id);
        let Some(entry) = shard.get_mut(&id) else {
            return false;
        };
        if entry.connection != connection || !matches!(entry.slot, Slot::Waiting) {
            return false;
        }
        entry.slot = Slot::Answer(Outcome::TooLarge { size, limit });
        entry.wake();
        true
    }

    /// Counts a backup acknowledgement for call `id` (which may arrive before its answer).
    pub(crate) fn on_backup_ack(&self, id: i64) {
        let mut shard = self.shard(id);
        let Some(entry) = shard.get_mut(&id) else { return };
        entry.acks_received = entry.acks_received.saturating_add(1);
        if matches!(&entry.slot, Slot::Held { expected, acks: None, .. } if entry.acks_received >= *expected)
        {
            entry.wake();
        }
    }

    /// Fails every call sent on `connection` that still waits for its answer.
    pub(crate) fn on_connection_closed(&self, connection: u64, reason: &CloseReason) {
        for shard in &self.shards {
            for entry in locked(shard).values_mut().filter(|e| e.connection == connection) {
                entry.close(reason);
            }
        }
    }

    /// Ends every call (client shutdown).
    pub(crate) fn close_all(&self, reason: &CloseReason) {
        for shard in &self.shards {
            for entry in locked(shard).values_mut() {
                entry.shut_down(reason);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hazelcast_codec::MessageWriter;
    use std::task::Waker;

    fn response(id: i64, acks: u8) -> ClientMessage {
        MessageWriter::response(0x010101, id, acks).finish()
    }

    fn cx() -> Context<'static> {
        Context::from_waker(Waker::noop())
    }

    fn answer(p: &PendingCalls, id: i64) -> Poll<Outcome> {
        p.poll_answer(id, &cx())
    }

    #[test]
    fn plain_response_completes() {
        let p = PendingCalls::default();
        p.insert(7, 1, false);
        assert!(answer(&p, 7).is_pending());
        assert!(p.on_response(1, response(7, 0)));
        assert!(
            !p.on_response(1, response(7, 0)),
            "a second answer is not delivered"
        );
        assert!(matches!(answer(&p, 7), Poll::Ready(Outcome::Response(m)) if m.correlation_id() == 7));
        assert_eq!(p.len(), 0);
        assert!(
            !p.on_response(1, response(7, 0)),
            "an answer after the end finds no call"
        );
    }

    #[test]
    fn response_is_held_until_all_acks() {
        let p = PendingCalls::default();
        p.insert(9, 1, false);
        p.on_response(1, response(9, 2));
        assert!(matches!(answer(&p, 9), Poll::Ready(Outcome::Held { .. })));
        p.on_backup_ack(9);
        assert!(p.poll_acks(9, &cx()).is_pending(), "one of two acks");
        p.on_backup_ack(9);
        assert_eq!(p.poll_acks(9, &cx()), Poll::Ready(AckOutcome::AllAcked));
        assert_eq!(p.len(), 0);
    }

    #[test]
    fn acks_before_the_response_count() {
        let p = PendingCalls::default();
        p.insert(11, 1, false);
        p.on_backup_ack(11);
        p.on_response(1, response(11, 1));
        assert!(matches!(answer(&p, 11), Poll::Ready(Outcome::Response(_))));
        assert_eq!(p.len(), 0);
    }

    #[test]
    fn connection_close_fails_its_waiting_calls_only() {
        let p = PendingCalls::default();
        p.insert(1, 10, false);
        p.insert(2, 20, false);
        p.insert(3, 10, false);
        p.on_response(10, response(3, 1));
        assert!(matches!(answer(&p, 3), Poll::Ready(Outcome::Held { .. })));
        p.on_connection_closed(10, &CloseReason::Eof);
        assert!(matches!(
            answer(&p, 1),
            Poll::Ready(Outcome::Closed {
                reason: CloseReason::Eof
            })
        ));
        assert!(answer(&p, 2).is_pending(), "other connection untouched");
        assert!(
            p.poll_acks(3, &cx()).is_pending(),
            "a held response waits for its acks or the backup timeout, whatever the primary's connection does"
        );
        p.on_backup_ack(3);
        assert_eq!(p.poll_acks(3, &cx()), Poll::Ready(AckOutcome::AllAcked));
        assert_eq!(p.len(), 1);
    }

    /// Fault 4: every ack arrived (on the backups' connections), then the primary's connection
    /// closed: the write is complete, not indeterminate.
    #[test]
    fn acks_complete_before_the_primary_closes_is_a_success() {
        let p = PendingCalls::default();
        p.insert(4, 10, false);
        p.on_response(10, response(4, 2));
        assert!(matches!(answer(&p, 4), Poll::Ready(Outcome::Held { .. })));
        p.on_backup_ack(4);
        p.on_backup_ack(4);
        p.on_connection_closed(10, &CloseReason::Eof);
        assert_eq!(p.poll_acks(4, &cx()), Poll::Ready(AckOutcome::AllAcked));
    }

    #[test]
    fn an_answer_from_another_connection_is_ignored() {
        let p = PendingCalls::default();
        p.insert(8, 10, false);
        assert!(!p.on_response(20, response(8, 0)), "another member's connection");
        assert!(answer(&p, 8).is_pending());
        assert!(p.on_response(10, response(8, 0)));
        assert!(matches!(answer(&p, 8), Poll::Ready(Outcome::Response(_))));
    }

    #[test]
    fn internal_calls_are_not_user_calls() {
        let p = PendingCalls::default();
        p.insert(1, 10, true);
        p.insert(2, 10, false);
        assert_eq!((p.len(), p.internal_len()), (1, 1));
    }

    #[test]
    fn close_all_fails_waiting_and_held_calls() {
        let p = PendingCalls::default();
        p.insert(1, 10, false);
        p.insert(2, 20, false);
        p.on_response(20, response(2, 1));
        let down = CloseReason::LocalClose;
        p.close_all(&down);
        p.on_backup_ack(2);
        assert!(matches!(answer(&p, 1), Poll::Ready(Outcome::Closed { reason }) if reason == down));
        assert!(matches!(answer(&p, 2), Poll::Ready(Outcome::Held { .. })));
        assert_eq!(p.poll_acks(2, &cx()), Poll::Ready(AckOutcome::ShutDown));
        assert!(
            matches!(answer(&p, 1), Poll::Ready(Outcome::Gone)),
            "the slot was taken"
        );
        assert_eq!(p.len(), 0);
    }

    #[test]
    fn an_answer_wakes_the_waiting_caller() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        struct Count(AtomicUsize);
        impl std::task::Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let p = PendingCalls::default();
        p.insert(5, 1, false);
        assert!(p.poll_answer(5, &Context::from_waker(&waker)).is_pending());
        assert!(p.poll_answer(5, &Context::from_waker(&waker)).is_pending());
        assert_eq!(count.0.load(Ordering::SeqCst), 0);
        p.on_response(1, response(5, 1));
        assert_eq!(count.0.load(Ordering::SeqCst), 1, "woken once by the answer");
        assert!(matches!(
            p.poll_answer(5, &Context::from_waker(&waker)),
            Poll::Ready(Outcome::Held { .. })
        ));
        assert!(p.poll_acks(5, &Context::from_waker(&waker)).is_pending());
        p.on_backup_ack(5);
        assert_eq!(count.0.load(Ordering::SeqCst), 2, "woken by the last ack");
        assert_eq!(
            p.poll_acks(5, &Context::from_waker(&waker)),
            Poll::Ready(AckOutcome::AllAcked)
        );
    }
}
