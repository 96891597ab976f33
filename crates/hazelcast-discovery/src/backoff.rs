//! [`Backoff`]: the one exponential backoff of the client, used for connect rounds, invocation
//! retries and cloud discovery requests.

use std::time::Duration;

use rand::Rng;

/// Exponential backoff with optional jitter: the pause before round `n` (counted from 0) is
/// `initial × multiplier^n`, at most `max`, spread by up to `± jitter` of itself.
///
/// The default is the official clients' connection retry (`WaitStrategy`): 1 s, × 1.05 per
/// round, at most 30 s, no jitter.
///
/// ```
/// use std::time::Duration;
/// use hazelcast_discovery::Backoff;
///
/// let b = Backoff::new(Duration::from_millis(100), Duration::from_millis(250), 2.0);
/// let pauses: Vec<u128> = (0..4).map(|n| b.delay(n).as_millis()).collect();
/// assert_eq!(pauses, [100, 200, 250, 250]);
/// ```
///
/// No value panics: a pause too large for a `Duration` (or a non-finite one) is `max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// First pause. Default 1 s.
    pub initial: Duration,
    /// Largest pause. Default 30 s.
    pub max: Duration,
    /// Growth factor per round (values below 1 count as 1). Default 1.05.
    pub multiplier: f64,
    /// Random spread of each pause, 0..=1 (0.2 = ±20 %). Default 0.
    pub jitter: f64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(30),
            multiplier: 1.05,
            jitter: 0.0,
        }
    }
}

impl Backoff {
    /// A backoff without jitter.
    pub const fn new(initial: Duration, max: Duration, multiplier: f64) -> Self {
        Backoff {
            initial,
            max,
            multiplier,
            jitter: 0.0,
        }
    }

    /// The same backoff with `jitter` (clamped to 0..=1).
    pub fn with_jitter(mut self, jitter: f64) -> Self {
        self.jitter = if jitter.is_nan() {
            0.0
        } else {
            jitter.clamp(0.0, 1.0)
        };
        self
    }

    /// The pause before round `round` without jitter: `initial × multiplier^round`, at most `max`.
    pub fn delay(&self, round: u32) -> Duration {
        let growth = self
            .multiplier
            .max(1.0)
            .powi(i32::try_from(round).unwrap_or(i32::MAX));
        self.secs(self.initial.as_secs_f64() * growth)
    }

    /// The pause before round `round` with the jitter applied (drawn from the thread's random
    /// generator); never above `max`.
    pub fn jittered(&self, round: u32) -> Duration {
        let base = self.delay(round);
        if self.jitter <= 0.0 {
            return base;
        }
        let u: f64 = rand::rng().random_range(-1.0..=1.0);
        let spread = base.as_secs_f64() * self.jitter.min(1.0) * u;
        self.secs((base.as_secs_f64() + spread).max(0.0))
    }

    /// `s` seconds, at most `max` (also for values no `Duration` holds).
    fn secs(&self, s: f64) -> Duration {
        Duration::try_from_secs_f64(s).map_or(self.max, |d| d.min(self.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_sequence_grows_by_the_multiplier() {
        let b = Backoff::default();
        let d: Vec<_> = (0..3).map(|n| b.delay(n).as_millis()).collect();
        assert_eq!(d, vec![1000, 1050, 1102]);
    }

    #[test]
    fn capped_at_max() {
        let b = Backoff::new(Duration::from_millis(10), Duration::from_millis(15), 2.0);
        let d: Vec<_> = (0..4).map(|n| b.delay(n).as_millis()).collect();
        assert_eq!(d, vec![10, 15, 15, 15]);
    }

    #[test]
    fn jitter_stays_in_range() {
        let b = Backoff::new(Duration::from_millis(100), Duration::from_millis(200), 1.0).with_jitter(0.5);
        let all: Vec<u128> = (0..200).map(|_| b.jittered(0).as_millis()).collect();
        assert!(all.iter().all(|d| (50..=150).contains(d)), "{all:?}");
        assert!(all.iter().any(|&d| d != 100), "jitter spreads the pauses");
    }

    #[test]
    fn huge_values_do_not_panic() {
        let b = Backoff {
            initial: Duration::MAX,
            max: Duration::MAX,
            multiplier: 1e300,
            jitter: 1.0,
        };
        for n in [0, 1, 5, u32::MAX] {
            assert_eq!(b.delay(n), Duration::MAX);
            let _ = b.jittered(n);
        }
        let nan = Backoff::new(Duration::from_secs(1), Duration::from_secs(3), f64::NAN);
        assert_eq!(nan.delay(10), Duration::from_secs(1));
    }
}
