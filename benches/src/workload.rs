//! Keys, values and the operation mix.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

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
    /// `Queue.Offer`.
    Offer,
    /// `Queue.Poll` with a timeout.
    Poll,
    /// `Topic.Publish`.
    Publish,
}

/// The keys `k-0` … `k-<n-1>`.
pub fn keys(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("k-{i}")).collect()
}

/// The value: a string of `size` ASCII bytes (type −11 strings are identical in every client).
pub fn value(size: usize) -> String {
    "x".repeat(size)
}

/// The Compact type name of [`Record`], the same in every driver.
pub const RECORD_TYPE: &str = "hazelcast.bench.Record";

/// The value of the Compact workloads: a record of 10 fields of 6 kinds (3 strings, `INT64` ×
/// 2, `INT32` × 2, `FLOAT64`, `FLOAT32`, `BOOLEAN`), written as a Compact record of type
/// [`RECORD_TYPE`]. The Java peer writes the same fields and kinds with a `CompactSerializer`,
/// so both produce the same schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "hazelcast.bench.Record")]
pub struct Record {
    /// `INT64`.
    pub id: i64,
    /// `STRING`.
    pub name: String,
    /// `STRING`.
    pub email: String,
    /// `INT32`.
    pub age: i32,
    /// `FLOAT64`.
    pub score: f64,
    /// `BOOLEAN`.
    pub active: bool,
    /// `INT64`.
    pub balance: i64,
    /// `STRING`.
    pub city: String,
    /// `INT32`.
    pub zip: i32,
    /// `FLOAT32`.
    pub rating: f32,
}

/// The record stored under key number `i` (the Java peer builds the same one).
pub fn record(i: usize) -> Record {
    let n = i64::try_from(i).unwrap_or(i64::MAX);
    Record {
        id: n,
        name: format!("name-{i}"),
        email: format!("user-{i}@example.com"),
        age: i32::try_from(i % 100).unwrap_or(0),
        score: i as f64 * 0.5,
        active: i.is_multiple_of(2),
        balance: n * 100,
        city: "Lyon".to_owned(),
        zip: 69_000 + i32::try_from(i % 1000).unwrap_or(0),
        rating: (i % 5) as f32,
    }
}

/// Chooses keys and operations.
#[derive(Debug, Clone)]
pub struct Chooser {
    rng: SmallRng,
    keys: usize,
    workload: Workload,
    stream: u64,
}

impl Chooser {
    /// A chooser for stream `stream` of a run (each worker its own, seeded from the run's seed).
    /// In the queue workload, even streams offer and odd streams poll.
    pub fn new(o: &Options, stream: u64) -> Chooser {
        Chooser {
            rng: SmallRng::seed_from_u64(o.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ stream),
            keys: o.keys,
            workload: o.workload,
            stream,
        }
    }

    /// The next key index and operation.
    pub fn pick(&mut self) -> (usize, Op) {
        let key = self.rng.random_range(0..self.keys);
        let op = match self.workload {
            Workload::Get | Workload::CompactGet => Op::Get,
            Workload::Put => Op::Put,
            Workload::Set | Workload::CompactSet => Op::Set,
            Workload::Mix => match self.rng.random_range(0..10u8) {
                0..4 => Op::Get,
                4..8 => Op::Set,
                _ => Op::Remove,
            },
            Workload::Queue if self.stream.is_multiple_of(2) => Op::Offer,
            Workload::Queue => Op::Poll,
            Workload::Topic => Op::Publish,
        };
        (key, op)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_workers_alternate_between_offer_and_poll() {
        let o = Options {
            workload: Workload::Queue,
            ..Options::default()
        };
        let ops: Vec<Op> = (0..4).map(|w| Chooser::new(&o, w).pick().1).collect();
        assert_eq!(ops, [Op::Offer, Op::Poll, Op::Offer, Op::Poll]);
    }

    #[test]
    fn the_record_has_ten_fields() {
        let v = serde_json::to_value(record(7)).expect("serializes");
        assert_eq!(v.as_object().map(serde_json::Map::len), Some(10));
        assert_eq!(v["email"], "user-7@example.com");
    }
}
