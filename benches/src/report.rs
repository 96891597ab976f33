//! The one-line JSON result every driver prints, and the measurement window that fills it.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::cli::Options;
use crate::sys;

/// The result of one run (the same fields, in the same units, from every driver).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Report {
    /// Driver name: `rust`, `wire`, `java`, `python`, `go`.
    pub driver: String,
    /// What the driver calls (e.g. `ClusterClient::invoke`, `IMap.getAsync`).
    pub api: String,
    /// Workload name.
    pub workload: String,
    /// `closed` or `open`.
    pub mode: String,
    /// Operations in flight (closed) or the most in flight (open).
    pub concurrency: u64,
    /// Target rate (open loop), 0 for closed loop.
    pub rate: f64,
    /// Number of member addresses given.
    pub members: u64,
    /// Value size in bytes.
    pub value_size: u64,
    /// Measured window in seconds.
    pub duration_s: f64,
    /// Operations completed in the measured window.
    pub ops: u64,
    /// Failed operations in the measured window.
    pub errors: u64,
    /// Operations per second.
    pub throughput: f64,
    /// Latency percentiles in microseconds.
    pub p50_us: f64,
    /// 90th percentile (µs).
    pub p90_us: f64,
    /// 99th percentile (µs).
    pub p99_us: f64,
    /// 99.9th percentile (µs).
    pub p999_us: f64,
    /// Largest latency (µs).
    pub max_us: f64,
    /// Client CPU (user + system) over the measured window, seconds.
    pub cpu_s: f64,
    /// Client CPU per operation, microseconds.
    pub cpu_us_per_op: f64,
    /// Resident set size after connecting, before any load (KiB).
    pub idle_rss_kb: u64,
    /// Peak resident set size (KiB).
    pub max_rss_kb: u64,
    /// Topic workload: messages the listener received during the measured window (0 in the
    /// other workloads, and from drivers that do not run it).
    #[serde(default)]
    pub received: u64,
}

impl Report {
    /// A report with the run's parameters filled in.
    pub fn new(driver: &str, api: &str, o: &Options) -> Report {
        Report {
            driver: driver.into(),
            api: api.into(),
            workload: o.workload.name().into(),
            mode: o.mode().into(),
            concurrency: o.concurrency as u64,
            rate: o.rate,
            members: o.members.len() as u64,
            value_size: o.value_size as u64,
            ..Report::default()
        }
    }

    /// Fills the latency fields from a histogram of nanoseconds.
    pub fn set_latencies(&mut self, h: &Histogram<u64>) {
        let us = |ns: u64| ns as f64 / 1e3;
        self.p50_us = us(h.value_at_quantile(0.50));
        self.p90_us = us(h.value_at_quantile(0.90));
        self.p99_us = us(h.value_at_quantile(0.99));
        self.p999_us = us(h.value_at_quantile(0.999));
        self.max_us = us(h.max());
    }

    /// The JSON line.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A latency histogram in nanoseconds, 3 significant digits, auto-resizing.
pub fn histogram() -> Histogram<u64> {
    let mut h = Histogram::new(3).unwrap_or_else(|_| unreachable_histogram());
    h.auto(true);
    h
}

fn unreachable_histogram() -> Histogram<u64> {
    // `Histogram::new(3)` only fails for more than 5 significant digits.
    Histogram::new_with_bounds(1, u64::MAX / 2, 2).unwrap_or_else(|_| std::process::abort())
}

/// Phase of a run.
pub const WARMUP: u8 = 0;
/// Measured window.
pub const MEASURE: u8 = 1;
/// Stopping.
pub const DONE: u8 = 2;

/// Shared run state: the phase, and counters for the progress lines.
#[derive(Debug, Default)]
pub struct Window {
    phase: AtomicU8,
    /// Operations completed (all phases).
    pub completed: AtomicU64,
    /// Operations failed (all phases).
    pub failed: AtomicU64,
}

impl Window {
    /// The current phase.
    pub fn phase(&self) -> u8 {
        self.phase.load(Ordering::Acquire)
    }
    /// True while measuring.
    pub fn measuring(&self) -> bool {
        self.phase() == MEASURE
    }
    /// True once stopping.
    pub fn done(&self) -> bool {
        self.phase() == DONE
    }
    /// Moves to a phase.
    pub fn set(&self, phase: u8) {
        self.phase.store(phase, Ordering::Release);
    }
}

/// CPU, time and RSS at the edges of the measured window.
#[derive(Debug, Clone, Copy)]
pub struct Edges {
    start: Instant,
    cpu: Duration,
}

impl Edges {
    /// Now.
    pub fn now() -> Edges {
        Edges {
            start: Instant::now(),
            cpu: sys::cpu_time(),
        }
    }
}

/// Fills the window-derived fields: duration, throughput, CPU per operation, RSS peak.
pub fn finish(report: &mut Report, from: Edges, to: Edges, ops: u64, errors: u64) {
    let secs = to.start.duration_since(from.start).as_secs_f64();
    let cpu = to.cpu.saturating_sub(from.cpu).as_secs_f64();
    report.duration_s = secs;
    report.ops = ops;
    report.errors = errors;
    report.throughput = if secs > 0.0 { ops as f64 / secs } else { 0.0 };
    report.cpu_s = cpu;
    report.cpu_us_per_op = if ops > 0 { cpu * 1e6 / ops as f64 } else { 0.0 };
    report.max_rss_kb = sys::max_rss_kb();
}

/// Prints a progress line every `every` until the window is done (blocking; run it on a thread).
pub fn progress_loop(window: &Window, every: Duration, label: &str) {
    if every.is_zero() {
        return;
    }
    let start = Instant::now();
    let mut last = 0u64;
    let mut last_t = start;
    while !window.done() {
        std::thread::sleep(every);
        let now = Instant::now();
        let done = window.completed.load(Ordering::Relaxed);
        let rate = (done - last) as f64 / now.duration_since(last_t).as_secs_f64();
        let phase = match window.phase() {
            WARMUP => "warm-up",
            MEASURE => "measure",
            _ => "stop",
        };
        eprintln!(
            "[{label} {:5.1}s {phase}] {rate:9.0} ops/s, {} errors",
            now.duration_since(start).as_secs_f64(),
            window.failed.load(Ordering::Relaxed)
        );
        last = done;
        last_t = now;
    }
}
