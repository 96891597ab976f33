//! Deadlines that never overflow: a duration too large to add to now means "no deadline".
//!
//! `Instant + Duration` panics on overflow, so a configured `Duration::MAX` (or any very large
//! value) must never reach it. Here "no limit" is `None`, and waiting for `None` waits forever.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

/// `now + after`, or `None` (no deadline) when that is beyond what an `Instant` can hold.
pub(crate) fn after(after: Duration) -> Option<Instant> {
    Instant::now().checked_add(after)
}

/// `from + after`, or `None` when that overflows.
pub(crate) fn from(from: Instant, after: Duration) -> Option<Instant> {
    from.checked_add(after)
}

/// The earlier of two deadlines (`None` is the latest of all).
pub(crate) fn min(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// True when the deadline has passed.
pub(crate) fn passed(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|d| Instant::now() >= d)
}

/// Sleeps until the deadline (forever without one).
pub(crate) async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// Runs `fut` until the deadline: `Err(())` when the deadline came first.
pub(crate) async fn run_until<F: Future>(deadline: Option<Instant>, fut: F) -> Result<F::Output, Elapsed> {
    match deadline {
        Some(d) => tokio::time::timeout_at(d, fut).await.map_err(|_| Elapsed),
        None => Ok(fut.await),
    }
}

/// A deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Elapsed;

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn huge_durations_mean_no_deadline() {
        assert_eq!(after(Duration::MAX), None);
        assert_eq!(after(Duration::from_secs(u64::MAX / 2)), None);
        assert!(after(Duration::from_secs(1)).is_some());
        assert!(!passed(None));
        let soon = after(Duration::from_millis(1));
        assert_eq!(min(soon, None), soon);
        assert_eq!(min(None, soon), soon);
        assert_eq!(run_until(None, async { 7 }).await, Ok(7));
        assert_eq!(
            run_until(after(Duration::ZERO), std::future::pending::<()>()).await,
            Err(Elapsed)
        );
    }
}
