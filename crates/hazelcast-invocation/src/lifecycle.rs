//! The client's lifecycle: one cancellation token and one task tracker own every background task.
//!
//! Every task the client starts goes through [`Lifecycle::spawn`]: it runs until it ends by
//! itself or the token is cancelled, whichever comes first, and the tracker knows it. Shutting
//! down cancels the token (every task stops at its next `.await`), closes the tracker and waits
//! for the tasks. A handle on the runtime the client was started on lets `Drop` start the same
//! shutdown from any thread.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The owner of the client's background tasks.
#[derive(Debug)]
pub(crate) struct Lifecycle {
    /// Set when shutdown begins: every call reads it, and an atomic load is cheaper than the
    /// token's own check (which takes a lock).
    shut_down: AtomicBool,
    token: CancellationToken,
    tracker: TaskTracker,
    runtime: Handle,
}

impl Lifecycle {
    /// A lifecycle on the current runtime.
    ///
    /// # Panics
    /// Outside a tokio runtime (every public entry point that creates one is `async`).
    pub(crate) fn new() -> Self {
        Lifecycle {
            shut_down: AtomicBool::new(false),
            token: CancellationToken::new(),
            tracker: TaskTracker::new(),
            runtime: Handle::current(),
        }
    }

    /// Runs `task` in the background until it ends or the client shuts down. The handle yields
    /// `None` when shutdown stopped the task first.
    pub(crate) fn spawn<F>(&self, task: F) -> JoinHandle<Option<F::Output>>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let token = self.token.clone();
        self.tracker.spawn_on(
            async move { token.run_until_cancelled(task).await },
            &self.runtime,
        )
    }

    /// True once shutdown began.
    pub(crate) fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::Acquire)
    }

    /// Resolves when shutdown begins.
    pub(crate) async fn shut_down(&self) {
        self.token.cancelled().await;
    }

    /// Begins shutdown: cancels every task. Returns false when it had begun already.
    pub(crate) fn cancel(&self) -> bool {
        if self.shut_down.swap(true, Ordering::AcqRel) {
            return false;
        }
        self.token.cancel();
        self.tracker.close();
        true
    }

    /// Waits (at most `limit`) for every task to end. Returns whether they all did.
    pub(crate) async fn wait(&self, limit: Duration) -> bool {
        self.tracker.close();
        tokio::time::timeout(limit, self.tracker.wait()).await.is_ok()
    }

    /// Number of tasks still running.
    pub(crate) fn tasks(&self) -> usize {
        self.tracker.len()
    }
}
