//! The two tasks of an open connection: the reader (socket → decoder → handler) and the writer
//! (bounded queue → batches → one vectored write each).

use std::collections::VecDeque;
use std::io::IoSlice;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::{Buf, Bytes, BytesMut};
use hazelcast_codec::{ClientMessage, Decoded, MessageDecoder};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use super::State;
use crate::error::CloseReason;

/// Owned by the reader task: when the task ends (normally, by panic in the handler, or because
/// the runtime drops it) the connection is marked closed and `on_close` is called, once.
pub(super) struct CloseGuard(pub(super) Arc<State>);

impl Drop for CloseGuard {
    fn drop(&mut self) {
        let state = &self.0;
        state.close_with(CloseReason::TasksStopped);
        if let Some(reason) = state.reason.get() {
            tracing::debug!(id = state.id, remote = %state.remote, %reason, "connection closed");
            if !std::thread::panicking() {
                state.handler.on_close(reason);
            }
        }
        state.done.send_replace(true);
    }
}

const READ_CHUNK: usize = 64 * 1024;
/// After a write failed, how long the reader may keep reading to find out why (a TLS alert, an
/// EOF) before the write error becomes the close reason. Normally the socket is already dead and
/// the reader finishes at once.
const WRITE_FAILURE_GRACE: std::time::Duration = std::time::Duration::from_secs(1);
const MIN_READ_SPACE: usize = 8 * 1024;

pub(super) async fn read_loop<R: AsyncRead + Unpin>(
    guard: CloseGuard,
    mut reader: R,
    mut decoder: MessageDecoder,
) {
    let state = &guard.0;
    let mut shutdown = state.shutdown.subscribe();
    // The futures that outlive one read are created once and polled again in every round:
    // creating and dropping a waiter per read costs more than the read's own bookkeeping.
    let shutdown = shutdown.wait_for(|s| *s);
    tokio::pin!(shutdown);
    let write_failed = state.write_failed.notified();
    tokio::pin!(write_failed);
    let mut buf = BytesMut::with_capacity(READ_CHUNK);
    let mut grace: Option<tokio::time::Instant> = None;
    loop {
        if buf.capacity() - buf.len() < MIN_READ_SPACE {
            buf.reserve(READ_CHUNK);
        }
        let grace_over = async {
            match grace {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let read = tokio::select! {
            biased;
            _ = &mut shutdown => return,
            _ = &mut write_failed, if grace.is_none() => {
                grace = Some(tokio::time::Instant::now() + WRITE_FAILURE_GRACE);
                continue;
            }
            _ = grace_over => {
                let reason = state.write_error.get().cloned().unwrap_or(CloseReason::TasksStopped);
                state.close_with(reason);
                return;
            }
            read = reader.read_buf(&mut buf) => read,
        };
        match read {
            Ok(0) => {
                state.close_with(CloseReason::Eof);
                return;
            }
            Ok(n) => {
                state.last_read_nanos.store(state.since_base(), Ordering::Relaxed);
                state.counters.bytes_read.fetch_add(n as u64, Ordering::Relaxed);
            }
            Err(e) => {
                state.close_with(state.io_reason(&e));
                return;
            }
        }
        loop {
            match decoder.decode_or_skip(&mut buf) {
                Ok(Some(Decoded::Message(msg))) => {
                    if state.reason.get().is_some() {
                        return;
                    }
                    state.counters.messages_read.fetch_add(1, Ordering::Relaxed);
                    let delivered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        state.handler.on_message(msg);
                    }));
                    if delivered.is_err() {
                        tracing::error!(id = state.id, "MessageHandler::on_message panicked; closing");
                        state.close_with(CloseReason::HandlerPanicked);
                        return;
                    }
                }
                Ok(Some(Decoded::Oversized(message))) => {
                    if state.reason.get().is_some() {
                        return;
                    }
                    tracing::warn!(
                        id = state.id,
                        remote = %state.remote,
                        correlation_id = message.correlation_id,
                        message_type = message.message_type,
                        size = message.size,
                        limit = message.limit,
                        "message above the size limit skipped"
                    );
                    state.counters.messages_skipped.fetch_add(1, Ordering::Relaxed);
                    let delivered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        state.handler.on_oversized(message);
                    }));
                    if delivered.is_err() {
                        tracing::error!(id = state.id, "MessageHandler::on_oversized panicked; closing");
                        state.close_with(CloseReason::HandlerPanicked);
                        return;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(id = state.id, remote = %state.remote, error = %e, "protocol error; closing");
                    state.close_with(CloseReason::Protocol(e));
                    return;
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct BatchLimits {
    pub(super) messages: usize,
    pub(super) bytes: usize,
    pub(super) coalesce: bool,
}

impl BatchLimits {
    /// Whether a batch of `count` messages and `bytes` bytes takes no more.
    fn reached(self, count: usize, bytes: usize) -> bool {
        count >= self.messages || bytes >= self.bytes
    }
}

pub(super) async fn write_loop<W: AsyncWrite + Unpin>(
    state: Arc<State>,
    mut writer: W,
    mut rx: mpsc::Receiver<ClientMessage>,
    limits: BatchLimits,
) {
    let mut shutdown = state.shutdown.subscribe();
    // Created once and polled again in every round (see `read_loop`).
    let shutdown = shutdown.wait_for(|s| *s);
    tokio::pin!(shutdown);
    let mut batch = Batch::default();
    // Messages taken off the queue in bulk (one permit release per take, not per message) that
    // the current batch had no room for; they lead the next batch.
    let mut staged: Vec<ClientMessage> = Vec::new();
    state
        .last_write_nanos
        .store(state.since_base(), Ordering::Relaxed);
    loop {
        if staged.is_empty() {
            let taken = tokio::select! {
                biased;
                _ = &mut shutdown => break,
                n = rx.recv_many(&mut staged, limits.messages) => n,
            };
            if taken == 0 {
                // Every handle was dropped.
                state.close_with(CloseReason::Dropped);
                break;
            }
        }
        batch.fill(&mut staged, limits);
        if limits.coalesce && !batch.full(limits) {
            // Let the tasks woken with us queue their messages first (see `write_coalescing`).
            tokio::task::yield_now().await;
            take_queued(&mut rx, &mut staged, limits.messages - batch.count).await;
            batch.fill(&mut staged, limits);
        }
        let count = batch.count as u64;
        let bytes = batch.remaining as u64;
        let write = async {
            writer.write_all_buf(&mut batch).await?;
            writer.flush().await
        };
        let result = tokio::select! {
            biased;
            _ = &mut shutdown => break,
            result = write => result,
        };
        if let Err(e) = result {
            // Let the reader find out first whether the peer said why (see WRITE_FAILURE_GRACE).
            let _ = state.write_error.set(state.io_reason(&e));
            state.write_failed.notify_one();
            break;
        }
        batch.clear();
        let c = &state.counters;
        c.messages_written.fetch_add(count, Ordering::Relaxed);
        c.batches_written.fetch_add(1, Ordering::Relaxed);
        c.bytes_written.fetch_add(bytes, Ordering::Relaxed);
        c.max_batch_messages.fetch_max(count, Ordering::Relaxed);
        state
            .last_write_nanos
            .store(state.since_base(), Ordering::Relaxed);
    }
    // Queued messages are dropped with `rx`; the write half is dropped (for TCP: FIN once the
    // read half is gone too).
    drop(rx);
}

/// Appends up to `limit` messages the queue holds now to `staged`, without waiting.
async fn take_queued(rx: &mut mpsc::Receiver<ClientMessage>, staged: &mut Vec<ClientMessage>, limit: usize) {
    if limit == 0 {
        return;
    }
    // `Pending` means the queue is empty (the waker it registers only makes a later `recv_many`
    // find a message sooner); `Ready(0)` that it is closed, which the next `recv_many` reports.
    std::future::poll_fn(|cx| {
        let _ = rx.poll_recv_many(cx, staged, limit);
        std::task::Poll::Ready(())
    })
    .await;
}

/// The messages of one write, as a `Buf` over their `Bytes` so that `write_all_buf` issues
/// vectored writes (`writev`) without copying them.
#[derive(Default)]
struct Batch {
    parts: VecDeque<Bytes>,
    remaining: usize,
    count: usize,
}

impl Batch {
    fn full(&self, limits: BatchLimits) -> bool {
        limits.reached(self.count, self.remaining)
    }

    /// Moves staged messages, oldest first, into the batch up to its limits.
    fn fill(&mut self, staged: &mut Vec<ClientMessage>, limits: BatchLimits) {
        let (mut count, mut bytes, mut fits) = (self.count, self.remaining, 0);
        for msg in staged.iter() {
            if limits.reached(count, bytes) {
                break;
            }
            count += 1;
            bytes += msg.len();
            fits += 1;
        }
        for msg in staged.drain(..fits) {
            self.push(msg.into_bytes());
        }
    }

    fn push(&mut self, bytes: Bytes) {
        self.remaining += bytes.len();
        self.count += 1;
        if !bytes.is_empty() {
            self.parts.push_back(bytes);
        }
    }

    fn clear(&mut self) {
        self.parts.clear();
        self.remaining = 0;
        self.count = 0;
    }
}

impl Buf for Batch {
    fn remaining(&self) -> usize {
        self.remaining
    }

    fn chunk(&self) -> &[u8] {
        self.parts.front().map_or(&[], |b| b.as_ref())
    }

    fn chunks_vectored<'a>(&'a self, dst: &mut [IoSlice<'a>]) -> usize {
        let mut n = 0;
        for (slot, part) in dst.iter_mut().zip(self.parts.iter()) {
            *slot = IoSlice::new(part);
            n += 1;
        }
        n
    }

    fn advance(&mut self, mut cnt: usize) {
        assert!(cnt <= self.remaining, "advance past the end of the batch");
        self.remaining -= cnt;
        while cnt > 0 {
            let Some(front) = self.parts.front_mut() else {
                break;
            };
            if cnt < front.len() {
                front.advance(cnt);
                break;
            }
            cnt -= front.len();
            self.parts.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_advances_across_parts() {
        let mut b = Batch::default();
        b.push(Bytes::from_static(b"abc"));
        b.push(Bytes::from_static(b""));
        b.push(Bytes::from_static(b"defg"));
        assert_eq!(b.remaining(), 7);
        assert_eq!(b.count, 3);
        let mut slices = [IoSlice::new(&[]); 4];
        assert_eq!(b.chunks_vectored(&mut slices), 2);
        b.advance(4);
        assert_eq!(b.chunk(), b"efg");
        assert_eq!(b.remaining(), 3);
        b.advance(3);
        assert_eq!(b.remaining(), 0);
        assert!(b.chunk().is_empty());
    }
}
