//! The load generator: runs a workload against a running cluster through the Rust client and
//! prints one JSON line (see `hazelcast_benches::cli` for the options).
//!
//! * Closed loop (`--rate 0`): `--concurrency` tasks, each issuing its next operation when the
//!   previous one completes; latency is the operation's own duration.
//! * Open loop (`--rate R`): a ticker thread releases operation `i` at `start + i / R`; at most
//!   `--concurrency` are in flight, later ones wait, and latency runs from the intended send time
//!   (no coordinated omission).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use hazelcast_benches::cli::Options;
use hazelcast_benches::client::{BenchClient, api, connect, prefill_one, run_op};
use hazelcast_benches::report::{self, DONE, Edges, MEASURE, Report, Window};
use hazelcast_benches::sys;
use hazelcast_benches::workload::{self, Chooser};
use hdrhistogram::Histogram;

struct Shared {
    client: BenchClient,
    o: Options,
    keys: Vec<String>,
    value: String,
    window: Window,
}

/// What one worker measured inside the window.
#[derive(Default)]
struct Tally {
    ops: u64,
    errors: u64,
}

fn main() {
    let o = Options::from_env();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(o.threads)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runtime: {e}");
            std::process::exit(1);
        }
    };
    match rt.block_on(run(o)) {
        Ok(Some(r)) => println!("{}", r.to_json()),
        Ok(None) => {}
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::exit(1);
        }
    }
}

async fn run(o: Options) -> Result<Option<Report>, String> {
    let client = connect(&o).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let idle_rss = sys::current_rss_kb();
    let shared = Arc::new(Shared {
        keys: workload::keys(o.keys),
        value: workload::value(o.value_size),
        client,
        o,
        window: Window::default(),
    });
    if shared.o.prefill {
        prefill(&shared).await?;
        if shared.o.prefill_only {
            eprintln!("prefilled {} keys of map {:?}", shared.keys.len(), shared.o.map);
            shared.client.client.shutdown().await;
            return Ok(None);
        }
    }
    let mut report = Report::new("rust", api(shared.o.workload), &shared.o);
    report.idle_rss_kb = idle_rss;

    let progress = {
        let s = shared.clone();
        std::thread::spawn(move || report::progress_loop(&s.window, s.o.progress, "rust"))
    };
    let hist = Arc::new(Mutex::new(report::histogram()));
    let (tally, edges, received) = if shared.o.rate > 0.0 {
        open_loop(&shared, &hist).await
    } else {
        closed_loop(&shared, &hist).await
    };
    report.received = received;
    let _ = progress.join();
    report::finish(&mut report, edges.0, edges.1, tally.ops, tally.errors);
    report.set_latencies(&hist.lock().unwrap_or_else(PoisonError::into_inner));
    shared.client.client.shutdown().await;
    Ok(Some(report))
}

async fn prefill(s: &Arc<Shared>) -> Result<(), String> {
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let (s, next) = (s.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut failed = 0u64;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                let Some(key) = s.keys.get(i) else { break };
                if !prefill_one(&s.client, i, key, &s.value).await {
                    failed += 1;
                }
            }
            failed
        }));
    }
    let mut failed = 0;
    for t in tasks {
        failed += t.await.map_err(|e| e.to_string())?;
    }
    if failed > 0 {
        return Err(format!("prefill: {failed} sets failed"));
    }
    Ok(())
}

/// Warm-up, then the measured window; returns its edges and the topic messages received in it.
async fn windows(s: &Shared) -> (Edges, Edges, u64) {
    tokio::time::sleep(s.o.warmup).await;
    let from = Edges::now();
    let received = s.client.received.load(Ordering::Relaxed);
    s.window.set(MEASURE);
    tokio::time::sleep(s.o.duration).await;
    s.window.set(DONE);
    let to = Edges::now();
    let received = s.client.received.load(Ordering::Relaxed) - received;
    (from, to, received)
}

/// Latencies a closed-loop worker collects before adding them to the shared histogram.
const FLUSH_EVERY: usize = 256;

async fn closed_loop(s: &Arc<Shared>, hist: &Arc<Mutex<Histogram<u64>>>) -> (Tally, (Edges, Edges), u64) {
    let mut workers = Vec::new();
    for w in 0..s.o.concurrency {
        let (s, hist) = (s.clone(), hist.clone());
        workers.push(tokio::spawn(async move {
            // Latencies go to the one shared histogram in batches: 64 histograms of their own
            // (≈ 300 KB each) would cost the driver more cache misses than the client it
            // measures.
            let mut batch: Vec<u64> = Vec::with_capacity(FLUSH_EVERY);
            let flush = |batch: &mut Vec<u64>| {
                let mut h = hist.lock().unwrap_or_else(PoisonError::into_inner);
                for v in batch.drain(..) {
                    let _ = h.record(v);
                }
            };
            let mut t = Tally::default();
            let mut chooser = Chooser::new(&s.o, w as u64);
            while !s.window.done() {
                let (k, op) = chooser.pick();
                let started = Instant::now();
                let ok = run_op(&s.client, &s.keys[k], &s.value, op).await;
                let took = started.elapsed();
                s.window.completed.fetch_add(1, Ordering::Relaxed);
                if !ok {
                    s.window.failed.fetch_add(1, Ordering::Relaxed);
                }
                if s.window.measuring() {
                    batch.push(took.as_nanos() as u64);
                    if batch.len() == FLUSH_EVERY {
                        flush(&mut batch);
                    }
                    t.ops += 1;
                    t.errors += u64::from(!ok);
                }
            }
            flush(&mut batch);
            t
        }));
    }
    let (from, to, received) = windows(s).await;
    let mut total = Tally::default();
    for w in workers {
        if let Ok(t) = w.await {
            total.ops += t.ops;
            total.errors += t.errors;
        }
    }
    (total, (from, to), received)
}

async fn open_loop(s: &Arc<Shared>, hist: &Arc<Mutex<Histogram<u64>>>) -> (Tally, (Edges, Edges), u64) {
    let permits = Arc::new(tokio::sync::Semaphore::new(s.o.concurrency));
    let tally = Arc::new((AtomicU64::new(0), AtomicU64::new(0)));
    let handle = tokio::runtime::Handle::current();
    let ticker = {
        let (s, hist, tally, permits) = (s.clone(), hist.clone(), tally.clone(), permits.clone());
        std::thread::spawn(move || {
            let period = Duration::from_secs_f64(1.0 / s.o.rate);
            let start = Instant::now();
            let mut chooser = Chooser::new(&s.o, 0);
            let mut i: u32 = 0;
            while !s.window.done() {
                let intended = start + period * i;
                let now = Instant::now();
                if intended > now {
                    std::thread::sleep(intended - now);
                    continue;
                }
                i += 1;
                let (k, op) = chooser.pick();
                let (s, hist, tally, permits) = (s.clone(), hist.clone(), tally.clone(), permits.clone());
                handle.spawn(async move {
                    let Ok(_permit) = permits.acquire().await else {
                        return;
                    };
                    let ok = run_op(&s.client, &s.keys[k], &s.value, op).await;
                    let took = intended.elapsed();
                    s.window.completed.fetch_add(1, Ordering::Relaxed);
                    if !ok {
                        s.window.failed.fetch_add(1, Ordering::Relaxed);
                    }
                    if s.window.measuring() {
                        let _ = hist
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .record(took.as_nanos() as u64);
                        tally.0.fetch_add(1, Ordering::Relaxed);
                        tally.1.fetch_add(u64::from(!ok), Ordering::Relaxed);
                    }
                });
            }
        })
    };
    let (from, to, received) = windows(s).await;
    let _ = tokio::task::spawn_blocking(move || ticker.join()).await;
    // Let the operations in flight finish (they are outside the window now).
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        permits.acquire_many(u32::try_from(s.o.concurrency).unwrap_or(u32::MAX)),
    )
    .await;
    let t = Tally {
        ops: tally.0.load(Ordering::Relaxed),
        errors: tally.1.load(Ordering::Relaxed),
    };
    (t, (from, to), received)
}
