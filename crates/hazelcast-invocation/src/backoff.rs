//! The connect-retry wait strategy (Java `WaitStrategy`, identical in the official clients):
//! exponential backoff with jitter, bounded by the cluster connect budget.

use std::time::{Duration, Instant};

use rand::Rng;

/// Backoff settings for connection attempts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackoffConfig {
    /// First pause. Default 1 s.
    pub initial: Duration,
    /// Largest pause. Default 30 s.
    pub max: Duration,
    /// Growth factor per round (≥ 1). Default 1.05.
    pub multiplier: f64,
    /// Random spread of each pause, 0..=1 (0.2 = ±20 %). Default 0.
    pub jitter: f64,
}

impl BackoffConfig {
    /// The defaults (the official clients'): 1 s, growing by 1.05 per round up to 30 s, no jitter.
    pub const DEFAULT: BackoffConfig = BackoffConfig {
        initial: Duration::from_secs(1),
        max: Duration::from_secs(30),
        multiplier: 1.05,
        jitter: 0.0,
    };
}

impl Default for BackoffConfig {
    fn default() -> Self {
        BackoffConfig::DEFAULT
    }
}

/// The state of one connect procedure.
#[derive(Debug, Clone)]
pub(crate) struct WaitStrategy {
    cfg: BackoffConfig,
    /// `None` = no budget (try forever).
    budget: Option<Duration>,
    begin: Instant,
    current: Duration,
    attempt: u32,
}

impl WaitStrategy {
    pub(crate) fn new(cfg: BackoffConfig, budget: Option<Duration>) -> Self {
        WaitStrategy {
            cfg,
            budget,
            begin: Instant::now(),
            current: cfg.initial.min(cfg.max),
            attempt: 0,
        }
    }

    /// Rounds taken so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempt
    }

    /// The pause before the next round, or `None` when the budget is spent. Advances the state.
    pub(crate) fn next_delay(&mut self) -> Option<Duration> {
        self.attempt += 1;
        let passed = self.begin.elapsed();
        if let Some(budget) = self.budget
            && passed >= budget
        {
            return None;
        }
        let spread = if self.cfg.jitter > 0.0 {
            let u: f64 = rand::rng().random_range(-1.0..=1.0);
            self.current.as_secs_f64() * self.cfg.jitter * u
        } else {
            0.0
        };
        let mut delay = secs((self.current.as_secs_f64() + spread).max(0.0), self.cfg.max);
        if let Some(budget) = self.budget {
            delay = delay.min(budget.saturating_sub(passed));
        }
        let next = self.current.as_secs_f64() * self.cfg.multiplier.max(1.0);
        self.current = secs(next.min(self.cfg.max.as_secs_f64()), self.cfg.max);
        Some(delay)
    }
}

/// A duration from seconds, or `fallback` for a value no `Duration` holds (a configured pause so
/// large that its float overflows must not panic).
fn secs(s: f64, fallback: Duration) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_sequence_grows_by_the_multiplier() {
        let mut w = WaitStrategy::new(BackoffConfig::default(), None);
        let d: Vec<_> = (0..3)
            .filter_map(|_| w.next_delay())
            .map(|d| d.as_millis())
            .collect();
        assert_eq!(d, vec![1000, 1050, 1102]);
    }

    #[test]
    fn capped_at_max() {
        let cfg = BackoffConfig {
            initial: Duration::from_millis(10),
            max: Duration::from_millis(15),
            multiplier: 2.0,
            jitter: 0.0,
        };
        let mut w = WaitStrategy::new(cfg, None);
        let d: Vec<_> = (0..4)
            .filter_map(|_| w.next_delay())
            .map(|d| d.as_millis())
            .collect();
        assert_eq!(d, vec![10, 15, 15, 15]);
    }

    #[test]
    fn jitter_stays_in_range() {
        let cfg = BackoffConfig {
            initial: Duration::from_millis(100),
            max: Duration::from_millis(100),
            multiplier: 1.0,
            jitter: 0.5,
        };
        let mut w = WaitStrategy::new(cfg, None);
        for _ in 0..200 {
            let d = w.next_delay().unwrap().as_millis();
            assert!((50..=150).contains(&d), "{d}");
        }
    }

    #[test]
    fn huge_pauses_do_not_panic() {
        let cfg = BackoffConfig {
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
        let cfg = BackoffConfig {
            initial: Duration::from_secs(10),
            ..BackoffConfig::default()
        };
        let mut w = WaitStrategy::new(cfg, Some(Duration::from_millis(50)));
        let first = w.next_delay().unwrap();
        assert!(first <= Duration::from_millis(50));
        w.begin -= Duration::from_millis(60);
        assert_eq!(w.next_delay(), None);
    }
}
