//! The invocation service: one call from its first attempt to its outcome.
//!
//! A call has one deadline (`invocation_timeout`) for finding a connection, sending, and
//! receiving its answer, retries included; [`RetryPolicy`](crate::RetryPolicy) decides which
//! failures are tried again, and every retry waits or at least yields, so a call never spins on
//! a runtime's only thread. Once a response is in but held for backup acknowledgements, the
//! invocation deadline no longer applies: the acknowledgements or `operation_backup_timeout`
//! decide, as in the Java client, so a write the member applied is never reported as timed out.

use std::sync::Arc;

use hazelcast_codec::{ClientMessage, ErrorResponse, frame};
use hazelcast_transport::SendError;
use tokio::time::Instant;
use tracing::Instrument;

use crate::client::{EventHandler, Inner, Target};
use crate::config::{LoadBalancer, ReconnectMode};
use crate::connection::MemberConnection;
use crate::connection::handler::ConnectionHandler;
use crate::deadline;
use crate::error::{Indeterminate, InvocationError, ServerError};
use crate::pending::{AckOutcome, Outcome};
use crate::retry::CallInfo;

/// Awaits `$fut` until `$deadline` (`Option<Instant>`, `None` for no limit): `Err(Elapsed)` when
/// the deadline comes first. A macro rather than a function so that the future is moved once.
macro_rules! within {
    ($deadline:expr, $fut:expr) => {
        match $deadline {
            Some(d) => tokio::time::timeout_at(d, $fut)
                .await
                .map_err(|_| deadline::Elapsed),
            None => Ok($fut.await),
        }
    };
}

/// What an invocation sends.
pub(crate) enum Payload<'a> {
    /// A message encoded once by the caller; each attempt patches its correlation id (in place
    /// on the first attempt; on a copy when an earlier attempt's bytes may still be queued — the
    /// codec decides by the buffer's reference count) and sends a clone.
    Encoded(ClientMessage),
    /// A request encoded by each attempt with its final correlation id and these extra flags.
    Request(&'a (dyn Fn(i64, u16) -> ClientMessage + Sync), u16),
}

impl Payload<'_> {
    fn add_flags(&mut self, extra: u16) {
        match self {
            Payload::Encoded(msg) => msg.add_initial_flags(extra),
            Payload::Request(_, flags) => *flags |= extra,
        }
    }

    /// The message of one attempt.
    fn with_correlation_id(&mut self, id: i64) -> ClientMessage {
        match self {
            Payload::Encoded(msg) => {
                msg.set_correlation_id(id);
                msg.clone()
            }
            Payload::Request(encode, flags) => encode(id, *flags),
        }
    }
}

/// One call: what to send, where, and how.
pub(crate) struct Call<'a> {
    pub(crate) payload: Payload<'a>,
    pub(crate) retryable: bool,
    pub(crate) target: Target,
    /// Registered on the connection the call goes to, for the events of its correlation id;
    /// kept when the call succeeds.
    pub(crate) listener: Option<EventHandler>,
    /// A call of the client's own set-up (not counted as a user call).
    pub(crate) internal: bool,
    /// The call's deadline; `None` for no limit.
    pub(crate) deadline: Option<Instant>,
}

impl<'a> Call<'a> {
    /// A user call, bounded by the invocation timeout.
    pub(crate) fn user(inner: &Inner, payload: Payload<'a>, retryable: bool, target: Target) -> Self {
        Call {
            payload,
            retryable,
            target,
            listener: None,
            internal: false,
            deadline: deadline::after(inner.cfg.invocation_timeout),
        }
    }

    /// Registers `handler` for the events of this call.
    pub(crate) fn with_listener(mut self, handler: EventHandler) -> Self {
        self.listener = Some(handler);
        self
    }
}

/// How one attempt ended, short of failing.
enum Answer<'a> {
    /// The final answer.
    Done(ClientMessage),
    /// A response held for backup acknowledgements.
    Held {
        response: ClientMessage,
        guard: PendingGuard<'a>,
    },
}

/// Removes a call's pending entry (and its event handler, unless kept) when the attempt ends in
/// any way, including the caller dropping the future.
struct PendingGuard<'a> {
    inner: &'a Inner,
    id: i64,
    handler: Option<Arc<ConnectionHandler>>,
}

impl PendingGuard<'_> {
    /// The registration succeeded: its event handler stays.
    fn keep_handler(&mut self) {
        self.handler = None;
    }
}

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        self.inner.pending.remove(self.id);
        if let Some(h) = self.handler.take() {
            h.remove_event_handler(self.id);
        }
    }
}

impl Inner {
    /// Runs a call to its outcome.
    pub(crate) async fn invoke(&self, mut call: Call<'_>) -> Result<ClientMessage, InvocationError> {
        let bound = matches!(call.target, Target::Connection(_));
        if self.cfg.backup_acks_active() && !bound {
            call.payload.add_flags(frame::flags::BACKUP_AWARE);
        }
        let mut info = CallInfo {
            retryable: call.retryable,
            target: call.target,
            redo_operation: self.cfg.redo_operation,
            attempt: 0,
        };
        let mut last: Option<InvocationError> = None;
        loop {
            info.attempt += 1;
            let span = tracing::trace_span!("invocation", target = ?call.target, attempt = info.attempt);
            let attempt = self.attempt(
                &mut call.payload,
                call.target,
                call.listener.as_ref(),
                call.internal,
            );
            // The attempt's future is moved once, straight into the deadline's timer (the hot
            // path: a wrapper per layer costs a copy of the whole future per call), and wrapped
            // in the span only when it records.
            let step = if span.is_disabled() {
                within!(call.deadline, attempt)
            } else {
                within!(call.deadline, attempt.instrument(span))
            };
            let failure = match step {
                Err(deadline::Elapsed) => return Err(self.timed_out(last)),
                Ok(Ok(Answer::Done(answer))) => return Ok(answer),
                Ok(Ok(Answer::Held { response, guard })) => return self.await_acks(response, guard).await,
                Ok(Err(e)) => e,
            };
            if self.lifecycle.is_shut_down() {
                return Err(InvocationError::ClientNotActive);
            }
            if !self.retry.should_retry(&failure, &info) {
                return Err(failure);
            }
            tracing::debug!(attempt = info.attempt, target = ?call.target, error = %failure, "retrying");
            let no_connection = matches!(failure, InvocationError::NoConnection);
            last = Some(failure);
            let pause = self.retry.pause(&info, self.cfg.invocation_retry_pause);
            if no_connection {
                // Wait for a connection to be published (or removed), at most the retry pause.
                let changed = self.conns.changed.notified();
                let cap = deadline::min(deadline::after(self.cfg.invocation_retry_pause), call.deadline);
                if self.conns.current().list.is_empty() {
                    let _ = deadline::run_until(cap, changed).await;
                } else {
                    // A listed connection that is closing: let its reader finish first.
                    tokio::task::yield_now().await;
                }
            } else if pause.is_zero() {
                tokio::task::yield_now().await;
            } else {
                deadline::sleep_until(deadline::min(deadline::after(pause), call.deadline)).await;
            }
            if deadline::passed(call.deadline) {
                return Err(self.timed_out(last));
            }
        }
    }

    fn timed_out(&self, last: Option<InvocationError>) -> InvocationError {
        InvocationError::Timeout {
            after: self.cfg.invocation_timeout,
            last: last.map(Box::new),
        }
    }

    /// Waits for the backup acknowledgements of a held response: all of them → the response;
    /// `operation_backup_timeout` first → the response, or `IndeterminateOperationState` with
    /// `fail_on_indeterminate_operation_state`.
    async fn await_acks(
        &self,
        response: ClientMessage,
        guard: PendingGuard<'_>,
    ) -> Result<ClientMessage, InvocationError> {
        let id = guard.id;
        let timeout = self.cfg.operation_backup_timeout;
        let acks = std::future::poll_fn(|cx| self.pending.poll_acks(id, cx));
        // Read the counts before the guard removes the entry.
        let (expected, received, outcome) = match deadline::run_until(deadline::after(timeout), acks).await {
            Ok(outcome) => (0, 0, Some(outcome)),
            Err(deadline::Elapsed) => {
                let (expected, received) = self.pending.acks(id);
                (expected, received, None)
            }
        };
        drop(guard);
        match outcome {
            Some(AckOutcome::AllAcked) => Ok(response),
            Some(AckOutcome::ShutDown) => Err(InvocationError::ClientNotActive),
            None => {
                tracing::debug!(
                    correlation_id = id,
                    expected,
                    received,
                    ?timeout,
                    "backup acknowledgements missing"
                );
                if self.cfg.fail_on_indeterminate_operation_state {
                    Err(InvocationError::IndeterminateOperationState {
                        reason: Indeterminate::BackupTimeout {
                            after: timeout,
                            expected,
                            received,
                        },
                    })
                } else {
                    Ok(response)
                }
            }
        }
    }

    /// One attempt: pick a connection, register the call, send, and wait for the answer.
    async fn attempt<'s>(
        &'s self,
        payload: &mut Payload<'_>,
        target: Target,
        listener: Option<&EventHandler>,
        internal: bool,
    ) -> Result<Answer<'s>, InvocationError> {
        if self.lifecycle.is_shut_down() {
            return Err(InvocationError::ClientNotActive);
        }
        let conn = self.pick_connection(target)?;
        let id = self.next_id();
        let msg = payload.with_correlation_id(id);
        let mut guard = PendingGuard {
            inner: self,
            id,
            handler: None,
        };
        if let Some(h) = listener {
            conn.handler.add_event_handler(id, h.clone());
            guard.handler = Some(conn.handler.clone());
        }
        self.pending.insert(id, conn.id(), internal);
        if let Err(e) = conn.connection.try_send(msg) {
            return Err(match e {
                SendError::QueueFull(_) => InvocationError::Overloaded,
                SendError::TooLarge { size, limit, .. } => InvocationError::RequestTooLarge { size, limit },
                // Never reached the socket: safe to retry anywhere.
                _ => InvocationError::NoConnection,
            });
        }
        let outcome = std::future::poll_fn(|cx| self.pending.poll_answer(id, cx)).await;
        let answer = match outcome {
            Outcome::Response(answer) => answer,
            Outcome::Held { response } => return Ok(Answer::Held { response, guard }),
            Outcome::Gone => return Err(InvocationError::ClientNotActive),
            Outcome::TooLarge { size, limit } => {
                return Err(InvocationError::ResponseTooLarge { size, limit });
            }
            Outcome::Closed { reason } => {
                return Err(InvocationError::TargetDisconnected {
                    member: conn.endpoint.clone(),
                    reason,
                });
            }
        };
        if answer.is_error() {
            let decoded = ErrorResponse::decode(&answer)?;
            return Err(InvocationError::Server(ServerError::from_response(&decoded)));
        }
        guard.keep_handler();
        Ok(Answer::Done(answer))
    }

    /// The connection for an attempt: an `Arc` clone, so picking allocates nothing. A closed
    /// connection that is still listed is passed over.
    fn pick_connection(&self, target: Target) -> Result<Arc<MemberConnection>, InvocationError> {
        if let Target::Connection(id) = target {
            return self.conns.find(id).ok_or(InvocationError::NoConnection);
        }
        let conns = self.conns.current();
        if conns.list.is_empty() {
            if self.cfg.reconnect_mode == ReconnectMode::Async && self.view.partition_count() > 0 {
                return Err(InvocationError::ClientOffline);
            }
            return Err(InvocationError::NoConnection);
        }
        if self.cfg.smart_routing {
            let owner = match target {
                Target::Partition(p) => self.view.partitions().owner(p),
                Target::Member(m) => Some(m),
                _ => None,
            };
            if let Some(c) = owner.and_then(|o| conns.by_member(&o))
                && !c.connection.is_closed()
            {
                return Ok(c.clone());
            }
        }
        let n = conns.list.len();
        let start = match self.cfg.load_balancer {
            LoadBalancer::RoundRobin => self.next_round_robin() % n,
            LoadBalancer::Random => rand::random_range(0..n),
        };
        (0..n)
            .map(|i| &conns.list[(start + i) % n])
            .find(|c| !c.connection.is_closed())
            .cloned()
            .ok_or(InvocationError::NoConnection)
    }
}
