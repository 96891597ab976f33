//! `cargo xtask soak --minutes N [--members 3] [--concurrency 16] [--restart-every SECS]
//! [--keys K] [--max-slope KB_PER_MIN]`: steady mixed load with periodic member restarts.
//!
//! Starts a local cluster (backup count 1), connects one smart client through the facade
//! (`fail_on_indeterminate_operation_state` on, so an acknowledged write is one the primary
//! answered *and* its backup acknowledged), and runs `C` tasks of 40 % `get` / 40 % `set` /
//! 20 % `remove` on a fixed key space with 100-byte values. Every `--restart-every` seconds one
//! member is killed and restarted (round robin, `Cluster::restart`). Every 10 s a row: elapsed
//! time, ops/s, errors by kind, RSS, alive tokio tasks, connections, pending calls.
//!
//! Each key belongs to one task (key `i` to task `i % C`), so its operations are sequential and
//! its last acknowledged state is known: after an acknowledged `set` its value, after an
//! acknowledged `remove` nothing; a failed mutation makes the key uncertain until its next
//! acknowledged one. At the end every certain key is read back: a difference is a lost
//! acknowledged write. The command fails when one is found, or when RSS grows over the second
//! half of the run faster than `--max-slope` KB/min (least-squares slope, default 200).
//! Summary and samples go to `target/soak/soak-<unix time>.json`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hazelcast::{ClientConfig, HazelcastClient, HazelcastError, InvocationError, Map};
use hazelcast_testkit::{Cluster, ClusterConfig};
use serde_json::json;

const USAGE: &str = "usage: cargo xtask soak --minutes N [--members 3] [--concurrency 16] \
                     [--restart-every SECS] [--keys K] [--max-slope KB_PER_MIN]";
const ROW_EVERY: Duration = Duration::from_secs(10);
const VALUE_LEN: usize = 100;

struct Options {
    minutes: f64,
    members: usize,
    concurrency: usize,
    restart_every: u64,
    keys: usize,
    max_slope: f64,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        minutes: 0.0,
        members: 3,
        concurrency: 16,
        restart_every: 60,
        keys: 10_000,
        max_slope: 200.0,
    };
    let mut minutes = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = it
            .next()
            .cloned()
            .ok_or_else(|| format!("{a} needs a value\n{USAGE}"))?;
        let bad = || format!("invalid value {v:?} for {a}\n{USAGE}");
        match a.as_str() {
            "--minutes" => minutes = Some(v.parse::<f64>().ok().filter(|m| *m > 0.0).ok_or_else(bad)?),
            "--members" => o.members = v.parse().ok().filter(|n| (1..=9).contains(n)).ok_or_else(bad)?,
            "--concurrency" => o.concurrency = v.parse().ok().filter(|n| *n > 0).ok_or_else(bad)?,
            "--restart-every" => o.restart_every = v.parse().ok().filter(|n| *n > 0).ok_or_else(bad)?,
            "--keys" => o.keys = v.parse().ok().filter(|n| *n > 0).ok_or_else(bad)?,
            "--max-slope" => o.max_slope = v.parse().ok().filter(|n: &f64| *n > 0.0).ok_or_else(bad)?,
            _ => return Err(format!("unknown option {a:?}\n{USAGE}")),
        }
    }
    o.minutes = minutes.ok_or_else(|| format!("--minutes is required\n{USAGE}"))?;
    Ok(o)
}

pub(crate) fn main(args: &[String]) -> ExitCode {
    match parse(args).and_then(|o| run(&o)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What the owner task knows about one key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Known {
    /// Never written (or removed, acknowledged): reads back as absent.
    Absent,
    /// Last acknowledged `set`.
    Value(String),
    /// A mutation failed: either outcome is possible until the next acknowledged one.
    Uncertain,
}

#[derive(Default)]
struct Counters {
    ops: AtomicU64,
    errors: Mutex<BTreeMap<String, u64>>,
    /// The slowest failed call (ms), to check that none outlived the invocation timeout much.
    slowest_error_ms: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A short name for the kind of an error, e.g. `Timeout`, `TargetDisconnected`, `Server(…)`.
fn kind(e: &HazelcastError) -> String {
    match e {
        HazelcastError::Invocation(InvocationError::Server(s)) => format!("Server({:?})", s.code),
        HazelcastError::Invocation(InvocationError::Timeout { last, .. }) => match last.as_deref() {
            Some(l) => format!("Timeout/{}", variant(&format!("{l:?}"))),
            None => "Timeout".into(),
        },
        HazelcastError::Invocation(i) => variant(&format!("{i:?}")),
        other => variant(&format!("{other:?}")),
    }
}

fn variant(debug: &str) -> String {
    debug
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
        .unwrap_or("?")
        .to_owned()
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn value_of(task: usize, seq: u64) -> String {
    let mut v = format!("t{task}-s{seq}-");
    while v.len() < VALUE_LEN {
        v.push('x');
    }
    v
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// Least-squares slope of `y` over `x`.
fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    if points.len() < 2 {
        return 0.0;
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if sxx == 0.0 { 0.0 } else { sxy / sxx }
}

fn run(o: &Options) -> Result<(), String> {
    println!(
        "▶ soak: {} min, {} member(s), {} task(s), {} keys, restart every {} s",
        o.minutes, o.members, o.concurrency, o.keys, o.restart_every
    );
    let cluster = ClusterConfig::new()
        .members(o.members)
        .backup_count(1)
        .start()
        .map_err(|e| format!("could not start the cluster: {e}"))?;
    println!(
        "✔ cluster {} up in {:.1} s",
        cluster.cluster_name(),
        cluster.startup_time().as_secs_f64()
    );
    let cluster = Arc::new(cluster);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    let result = runtime.block_on(soak(o, Arc::clone(&cluster)));
    drop(runtime);
    drop(cluster);
    result
}

struct Sample {
    elapsed_s: f64,
    ops_per_s: f64,
    errors: BTreeMap<String, u64>,
    rss_kb: u64,
    tasks: usize,
    connections: usize,
    pending: usize,
}

async fn soak(o: &Options, cluster: Arc<Cluster>) -> Result<(), String> {
    let config = ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(cluster.addresses().iter().map(ToString::to_string))
        .invocation_timeout(Duration::from_secs(30))
        .fail_on_indeterminate_operation_state(true)
        .retry_initial_backoff(Duration::from_millis(200))
        .retry_max_backoff(Duration::from_secs(2))
        .build()
        .map_err(|e| format!("config: {e}"))?;
    let invocation_timeout = config.invocation_timeout;
    let client = HazelcastClient::start(config)
        .await
        .map_err(|e| format!("start: {e}"))?;
    let map: Map<String, String> = client
        .get_map("soak")
        .await
        .map_err(|e| format!("get_map: {e}"))?;
    map.clear().await.map_err(|e| format!("clear: {e}"))?;

    let counters = Arc::new(Counters::default());
    let stop = Arc::new(AtomicBool::new(false));
    let duration = Duration::from_secs_f64(o.minutes * 60.0);
    let start = Instant::now();

    let mut workers = Vec::new();
    for task in 0..o.concurrency {
        let keys: Vec<usize> = (task..o.keys).step_by(o.concurrency).collect();
        workers.push(tokio::spawn(worker(
            task,
            keys,
            map.clone(),
            Arc::clone(&counters),
            Arc::clone(&stop),
        )));
    }

    // Restarts, round robin, off the runtime (the test kit blocks).
    let restarter = {
        let cluster = Arc::clone(&cluster);
        let stop = Arc::clone(&stop);
        let every = Duration::from_secs(o.restart_every);
        tokio::spawn(async move {
            let mut log = Vec::new();
            let mut next = 0usize;
            let mut due = Instant::now() + every;
            loop {
                while Instant::now() < due {
                    if stop.load(Ordering::Relaxed) {
                        return log;
                    }
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                due += every;
                let i = next % cluster.len();
                next += 1;
                let c = Arc::clone(&cluster);
                let t = Instant::now();
                let at = start.elapsed().as_secs_f64();
                let r = tokio::task::spawn_blocking(move || c.restart(i)).await;
                let took = t.elapsed().as_secs_f64();
                let outcome = match r {
                    Ok(Ok(())) => "ok".to_owned(),
                    Ok(Err(e)) => format!("failed: {e}"),
                    Err(e) => format!("panicked: {e}"),
                };
                println!("  ↻ t={at:.0}s restarted member {i} in {took:.1} s: {outcome}");
                log.push(json!({"at_s": at, "member": i, "took_s": took, "outcome": outcome}));
            }
        })
    };

    let handle = tokio::runtime::Handle::current();
    let mut samples: Vec<Sample> = Vec::new();
    let mut last_ops = 0u64;
    let mut last_t = Instant::now();
    println!(
        "{:>7} {:>9} {:>9} {:>6} {:>5} {:>7}  errors since last row",
        "elapsed", "ops/s", "RSS KB", "tasks", "conns", "pending"
    );
    while start.elapsed() < duration {
        let left = duration.saturating_sub(start.elapsed());
        tokio::time::sleep(ROW_EVERY.min(left)).await;
        let ops = counters.ops.load(Ordering::Relaxed);
        let now = Instant::now();
        let dt = now.duration_since(last_t).as_secs_f64().max(1e-3);
        let errors = std::mem::take(&mut *lock(&counters.errors));
        let (connections, pending) = client
            .cluster_client()
            .map_or((0, 0), |cc| (cc.connections().list.len(), cc.pending_calls()));
        let s = Sample {
            elapsed_s: start.elapsed().as_secs_f64(),
            ops_per_s: (ops - last_ops) as f64 / dt,
            errors,
            rss_kb: rss_kb(),
            tasks: handle.metrics().num_alive_tasks(),
            connections,
            pending,
        };
        println!(
            "{:>6.0}s {:>9.0} {:>9} {:>6} {:>5} {:>7}  {}",
            s.elapsed_s,
            s.ops_per_s,
            s.rss_kb,
            s.tasks,
            s.connections,
            s.pending,
            if s.errors.is_empty() {
                "-".to_owned()
            } else {
                format!("{:?}", s.errors)
            }
        );
        samples.push(s);
        last_ops = ops;
        last_t = now;
    }
    stop.store(true, Ordering::Relaxed);
    // Waits for a restart in progress, so the read-back sees the whole cluster.
    let restarts = restarter.await.unwrap_or_default();
    let mut known = Vec::new();
    for w in workers {
        known.extend(w.await.map_err(|e| format!("worker: {e}"))?);
    }
    let load_time = start.elapsed().as_secs_f64();

    // Let the cluster settle (a restart may have just happened), then read back every certain key.
    let cc = client.cluster_client().ok_or("the client is not connected")?;
    let settle = Instant::now() + Duration::from_secs(120);
    while cc.connections().list.len() < cluster.len() && Instant::now() < settle {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut checked = 0u64;
    let mut uncertain = 0u64;
    let mut lost = Vec::new();
    let mut read_errors = 0u64;
    for (key, k) in &known {
        let want = match k {
            Known::Uncertain => {
                uncertain += 1;
                continue;
            }
            Known::Absent => None,
            Known::Value(v) => Some(v.clone()),
        };
        checked += 1;
        let mut got = map.get(key.clone()).await;
        for _ in 0..3 {
            if got.is_ok() {
                break;
            }
            got = map.get(key.clone()).await;
        }
        match got {
            Ok(v) if v == want => {}
            Ok(v) => lost.push(json!({"key": key, "expected": want, "read": v})),
            Err(e) => {
                read_errors += 1;
                eprintln!("read-back of {key} failed: {e}");
            }
        }
    }
    client.shutdown().await;

    let total_ops = counters.ops.load(Ordering::Relaxed);
    let mut errors_total: BTreeMap<String, u64> = BTreeMap::new();
    for s in &samples {
        for (k, n) in &s.errors {
            *errors_total.entry(k.clone()).or_default() += n;
        }
    }
    let error_count: u64 = errors_total.values().sum();
    let rss: Vec<u64> = samples.iter().map(|s| s.rss_kb).collect();
    let rss_first = rss.first().copied().unwrap_or(0);
    let rss_last = rss.last().copied().unwrap_or(0);
    let rss_max = rss.iter().copied().max().unwrap_or(0);
    let half = samples.len() / 2;
    let second_half: Vec<(f64, f64)> = samples[half..]
        .iter()
        .map(|s| (s.elapsed_s / 60.0, s.rss_kb as f64))
        .collect();
    let slope_kb_min = slope(&second_half);
    let tasks_max = samples.iter().map(|s| s.tasks).max().unwrap_or(0);
    let tasks_last = samples.last().map_or(0, |s| s.tasks);
    let slowest_error_ms = counters.slowest_error_ms.load(Ordering::Relaxed);

    println!("\n── summary ──");
    println!(
        "ops: {total_ops} in {load_time:.0} s ({:.0}/s), errors: {error_count} {errors_total:?}",
        total_ops as f64 / load_time
    );
    println!(
        "restarts: {}; slowest failed call: {slowest_error_ms} ms (invocation timeout {} ms)",
        restarts.len(),
        invocation_timeout.as_millis()
    );
    println!(
        "read-back: {checked} keys checked, {uncertain} uncertain (a failed mutation), lost acknowledged writes: {}, read errors: {read_errors}",
        lost.len()
    );
    println!(
        "RSS KB: first {rss_first}, last {rss_last}, max {rss_max}; slope over the second half: {slope_kb_min:.1} KB/min (limit {})",
        o.max_slope
    );
    println!("tokio tasks: max {tasks_max}, last {tasks_last}");

    let verdict_ok = lost.is_empty() && read_errors == 0 && slope_kb_min <= o.max_slope;
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let dir = root().join("target/soak");
    let report = json!({
        "options": {
            "minutes": o.minutes, "members": o.members, "concurrency": o.concurrency,
            "restart_every_s": o.restart_every, "keys": o.keys, "max_slope_kb_per_min": o.max_slope,
            "value_bytes": VALUE_LEN, "mix": "40% get / 40% set / 20% remove",
        },
        "total_ops": total_ops,
        "load_seconds": load_time,
        "errors": error_count,
        "errors_by_kind": errors_total,
        "slowest_failed_call_ms": slowest_error_ms,
        "invocation_timeout_ms": invocation_timeout.as_millis() as u64,
        "restarts": restarts,
        "read_back": {"checked": checked, "uncertain": uncertain, "lost": lost, "read_errors": read_errors},
        "rss_kb": {"first": rss_first, "last": rss_last, "max": rss_max,
                   "second_half_slope_kb_per_min": slope_kb_min},
        "tokio_tasks": {"max": tasks_max, "last": tasks_last},
        "samples": samples.iter().map(|s| json!({
            "elapsed_s": s.elapsed_s, "ops_per_s": s.ops_per_s, "errors": s.errors,
            "rss_kb": s.rss_kb, "tasks": s.tasks, "connections": s.connections, "pending": s.pending,
        })).collect::<Vec<_>>(),
        "ok": verdict_ok,
    });
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!("soak-{stamp}.json"));
    let text = serde_json::to_string_pretty(&report).map_err(|e| format!("json: {e}"))?;
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("report: {}", path.display());

    if !lost.is_empty() {
        return Err(format!("{} acknowledged write(s) lost: {:?}", lost.len(), lost));
    }
    if read_errors > 0 {
        return Err(format!("{read_errors} key(s) could not be read back"));
    }
    if slope_kb_min > o.max_slope {
        return Err(format!(
            "RSS grows by {slope_kb_min:.1} KB/min over the second half (limit {})",
            o.max_slope
        ));
    }
    println!("✔ soak passed");
    Ok(())
}

/// One load task: its own keys, sequential operations; returns what it knows about each key.
async fn worker(
    task: usize,
    keys: Vec<usize>,
    map: Map<String, String>,
    counters: Arc<Counters>,
    stop: Arc<AtomicBool>,
) -> Vec<(String, Known)> {
    let names: Vec<String> = keys.iter().map(|k| format!("key-{k}")).collect();
    let mut known = vec![Known::Absent; names.len()];
    // xorshift64, seeded per task.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ ((task as u64 + 1) << 17);
    let mut seq = 0u64;
    while !stop.load(Ordering::Relaxed) && !names.is_empty() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let i = (x >> 8) as usize % names.len();
        let op = x % 10;
        let key = &names[i];
        let t = Instant::now();
        let outcome = if op < 4 {
            map.get(key.as_str()).await.map(|_| ())
        } else if op < 8 {
            seq += 1;
            let v = value_of(task, seq);
            let r = map.set(key.as_str(), v.as_str()).await;
            known[i] = if r.is_ok() {
                Known::Value(v)
            } else {
                Known::Uncertain
            };
            r
        } else {
            let r = map.remove(key.as_str()).await.map(|_| ());
            known[i] = if r.is_ok() {
                Known::Absent
            } else {
                Known::Uncertain
            };
            r
        };
        counters.ops.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = outcome {
            counters
                .slowest_error_ms
                .fetch_max(t.elapsed().as_millis() as u64, Ordering::Relaxed);
            *lock(&counters.errors).entry(kind(&e)).or_default() += 1;
        }
    }
    names.into_iter().zip(known).collect()
}
