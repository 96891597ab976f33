//! Keys, values and the operation mix.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::cli::{Options, Workload};

/// One operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `Map.Get`.
    Get,
    /// `Map.Put`.
    Put,
    /// `Map.Set`.
    Set,
    /// `Map.Remove`.
    Remove,
}

/// The keys `k-0` … `k-<n-1>`.
pub fn keys(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("k-{i}")).collect()
}

/// The value: a string of `size` ASCII bytes (type −11 strings are identical in every client).
pub fn value(size: usize) -> String {
    "x".repeat(size)
}

/// Chooses keys and operations.
#[derive(Debug, Clone)]
pub struct Chooser {
    rng: SmallRng,
    keys: usize,
    workload: Workload,
}

impl Chooser {
    /// A chooser for stream `stream` of a run (each worker its own, seeded from the run's seed).
    pub fn new(o: &Options, stream: u64) -> Chooser {
        Chooser {
            rng: SmallRng::seed_from_u64(o.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ stream),
            keys: o.keys,
            workload: o.workload,
        }
    }

    /// The next key index and operation.
    pub fn pick(&mut self) -> (usize, Op) {
        let key = self.rng.random_range(0..self.keys);
        let op = match self.workload {
            Workload::Get => Op::Get,
            Workload::Put => Op::Put,
            Workload::Set => Op::Set,
            Workload::Mix => match self.rng.random_range(0..10u8) {
                0..4 => Op::Get,
                4..8 => Op::Set,
                _ => Op::Remove,
            },
        };
        (key, op)
    }
}
