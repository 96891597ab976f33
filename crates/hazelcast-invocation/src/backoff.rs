//! The connect-retry wait strategy (Java `WaitStrategy`, identical in the official clients): the
//! client's [`Backoff`], bounded by the cluster connect budget.

use std::time::{Duration, Instant};

use hazelcast_discovery::Backoff;

/// The state of one connect procedure.
#[derive(Debug, Clone)]
pub(crate) struct WaitStrategy {
    cfg: Backoff,
    /// `None` = no budget (try forever).
    budget: Option<Duration>,
    begin: Instant,
    attempt: u32,
}

impl WaitStrategy {
    pub(crate) fn new(cfg: Backoff, budget: Option<Duration>) -> Self {
        WaitStrategy {
            cfg,
            budget,
            begin: Instant::now(),
            attempt: 0,
        }
    }

    /// Rounds taken so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempt
    }

    /// The pause before the next round, or `None` when the budget is spent. Advances the state.
    pub(crate) fn next_delay(&mut self) -> Option<Duration> {
        let round = self.attempt;
        self.attempt = self.attempt.saturating_add(1);
        let passed = self.begin.elapsed();
        let mut delay = self.cfg.jittered(round);
        if let Some(budget) = self.budget {
            if passed >= budget {
                return None;
            }
            delay = delay.min(budget.saturating_sub(passed));
        }
        Some(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_follow_the_backoff() {
        let mut w = WaitStrategy::new(Backoff::default(), None);
        let d: Vec<_> = (0..3)
            .filter_map(|_| w.next_delay())
            .map(|d| d.as_millis())
            .collect();
        assert_eq!(d, vec![1000, 1050, 1102]);
        assert_eq!(w.attempts(), 3);
    }

    #[test]
    fn huge_pauses_do_not_panic() {
        let cfg = Backoff {
            initial: Duration::MAX,
            max: Duration::MAX,
            multiplier: 1e300,
            jitter: 1.0,
        };
        let mut w = WaitStrategy::new(cfg, Some(Duration::MAX));
        for _ in 0..5 {
            assert!(w.next_delay().is_some());
        }
    }

    #[test]
    fn budget_ends_the_procedure_and_is_never_overslept() {
        let cfg = Backoff {
            initial: Duration::from_secs(10),
            ..Backoff::default()
        };
        let mut w = WaitStrategy::new(cfg, Some(Duration::from_millis(50)));
        let first = w.next_delay().unwrap();
        assert!(first <= Duration::from_millis(50));
        w.begin -= Duration::from_millis(60);
        assert_eq!(w.next_delay(), None);
    }
}
