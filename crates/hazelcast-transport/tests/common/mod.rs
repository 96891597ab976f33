//! Shared helpers of the transport tests: a recording [`MessageHandler`] and authentication.

#![allow(dead_code, unreachable_pub)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hazelcast_codec::messages::client::ClientAuthenticationResponse;
use hazelcast_codec::{ClientMessage, OversizedMessage};
use hazelcast_transport::{CloseReason, Connection, MessageHandler};
use tokio::sync::{Notify, mpsc};

/// Generous deadline for answers from real members.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// Forwards messages to a channel and records skipped messages and close reasons.
pub struct Recorder {
    tx: mpsc::UnboundedSender<ClientMessage>,
    closes: Mutex<Vec<CloseReason>>,
    close_count: AtomicUsize,
    closed: Notify,
    oversized: Mutex<Vec<OversizedMessage>>,
}

impl Recorder {
    pub fn new() -> (Arc<Recorder>, mpsc::UnboundedReceiver<ClientMessage>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (
            Arc::new(Recorder {
                tx,
                closes: Mutex::new(Vec::new()),
                close_count: AtomicUsize::new(0),
                closed: Notify::new(),
                oversized: Mutex::new(Vec::new()),
            }),
            rx,
        )
    }

    /// How often `on_close` was called.
    pub fn close_count(&self) -> usize {
        self.close_count.load(Ordering::SeqCst)
    }

    /// The reasons `on_close` received.
    pub fn closes(&self) -> Vec<CloseReason> {
        self.closes.lock().unwrap().clone()
    }

    /// The messages `on_oversized` received.
    pub fn oversized(&self) -> Vec<OversizedMessage> {
        self.oversized.lock().unwrap().clone()
    }

    /// Waits (with a deadline) until `on_oversized` received `correlation_id`; fails at once if
    /// the connection closes first.
    pub async fn wait_oversized(&self, correlation_id: i64) -> OversizedMessage {
        tokio::time::timeout(ANSWER_TIMEOUT, async {
            loop {
                let notified = self.closed.notified();
                let found = self
                    .oversized
                    .lock()
                    .unwrap()
                    .iter()
                    .find(|o| o.correlation_id == correlation_id)
                    .copied();
                if let Some(o) = found {
                    return o;
                }
                if let Some(r) = self.closes.lock().unwrap().first() {
                    panic!("the connection closed ({r}) before the oversized answer was reported");
                }
                notified.await;
            }
        })
        .await
        .expect("on_oversized within the deadline")
    }

    /// Waits (with a deadline) until `on_close` was called.
    pub async fn wait_closed(&self, timeout: Duration) -> CloseReason {
        tokio::time::timeout(timeout, async {
            loop {
                let notified = self.closed.notified();
                if let Some(r) = self.closes.lock().unwrap().first().cloned() {
                    return r;
                }
                notified.await;
            }
        })
        .await
        .expect("on_close within the deadline")
    }
}

impl MessageHandler for Recorder {
    fn on_message(&self, msg: ClientMessage) {
        let _ = self.tx.send(msg);
    }

    fn on_oversized(&self, message: OversizedMessage) {
        self.oversized.lock().unwrap().push(message);
        // Wakes `wait_oversized` (which waits on the same `Notify` as `wait_closed`).
        self.closed.notify_waiters();
    }

    fn on_close(&self, reason: &CloseReason) {
        self.closes.lock().unwrap().push(reason.clone());
        self.close_count.fetch_add(1, Ordering::SeqCst);
        self.closed.notify_waiters();
    }
}

/// A `Client.Authentication` request without credentials, correlation id `correlation_id`.
pub fn auth_request(cluster_name: &str, correlation_id: i64) -> ClientMessage {
    let mut msg = hazelcast_testkit::raw::authentication_request(cluster_name, "hazelcast-rs-transport-test");
    msg.set_correlation_id(correlation_id);
    msg
}

/// Receives messages until the (non-event) answer to `correlation_id` arrives.
pub async fn recv_answer(
    rx: &mut mpsc::UnboundedReceiver<ClientMessage>,
    correlation_id: i64,
) -> ClientMessage {
    tokio::time::timeout(ANSWER_TIMEOUT, async {
        loop {
            let msg = rx
                .recv()
                .await
                .expect("connection open while waiting for an answer");
            if msg.correlation_id() == correlation_id && !msg.is_event() {
                return msg;
            }
        }
    })
    .await
    .expect("answer within the deadline")
}

/// Authenticates over `conn` and returns the decoded answer.
pub async fn authenticate(
    conn: &Connection,
    rx: &mut mpsc::UnboundedReceiver<ClientMessage>,
    cluster_name: &str,
) -> ClientAuthenticationResponse {
    conn.send(auth_request(cluster_name, 1))
        .await
        .expect("queue the authentication");
    let answer = recv_answer(rx, 1).await;
    assert!(
        !answer.is_error(),
        "authentication answered with an error: {answer:?}"
    );
    ClientAuthenticationResponse::decode(&answer).expect("decodable authentication answer")
}
