//! `cargo xtask bench [--quick] [--rounds N] [--warmup S] [--duration S] [--drivers a,b]
//! [--members 1,3] [--workloads a,b] [--baseline REV] [--version V]`
//!
//! Builds the Rust drivers, installs the peers (Java: `javac` against the member jar; Python:
//! `hazelcast-python-client` in a venv under `target/bench/`; Go: `hazelcast-go-client` built
//! with the module proxy into `target/bench/`), then for a 1-member and a 3-member cluster
//! (benchmark JVM flags; members pinned to core 0 and clients to the other cores when there are
//! at least 2) runs every available driver with the same parameters — workloads get and set,
//! concurrency 1 and 64; on 1 member also the mix, an open-loop get, and the cells of the user
//! types and data structures (a Compact-record map, a queue, a topic; Rust and Java only) —
//! round after round with the driver order shuffled, and writes
//! `docs/benchmarks.md` (medians, ratios against the Rust client, target checks) with SVG charts
//! in `docs/benchmarks/`. Raw results: `target/bench/results.jsonl`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use hazelcast_benches::report::Report;
use hazelcast_benches::workload::RECORD_TYPE;
use hazelcast_testkit::{Cluster, ClusterConfig};

mod baseline;
mod charts;
mod matrix;
mod peers;
mod render;

use charts::*;
use matrix::*;
use peers::*;
use render::*;

const JAVA_NOTE: &str = "* The Java client runs with `-Djava.util.concurrent.ForkJoinPool.common.parallelism=2`: with one or two CPUs the JDK's and Hazelcast's default async executors start a thread per task (the common pool's parallelism is below 2), which costs that client about 130 µs of CPU per call and caps it near 8 k ops/s. Machines the Java client is deployed on have more cores, so this is its representative setting, not a handicap.";

/// Where the profile behind the missed CPU targets lives.
const PROFILE_NOTE: &str = "* Where the Rust client's CPU per operation goes, and how much of it is the kernel's floor that no client on this host avoids: [profiling.md](profiling.md) (a `perf` profile of the Rust and wire-limit drivers, with the commands to re-take it).";

const PYTHON_CLIENT: &str = "hazelcast-python-client==5.7.0";
const GO_CLIENT: &str = "github.com/hazelcast/hazelcast-go-client v1.5.0";

/// Entry point of `cargo xtask bench`.
pub(crate) fn main(args: &[String]) -> ExitCode {
    match parse(args).and_then(|o| run(&o)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    p.canonicalize().unwrap_or(p)
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set, else `target/` of the workspace.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        Some(d) => root().join(d),
        None => root().join("target"),
    }
}

fn step(s: &str) {
    println!("\n▶ {s}");
}

/// Runs a command to completion, returning its combined output on failure.
fn sh(cmd: &mut Command, what: &str) -> Result<String, String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        let tail: Vec<&str> = text.lines().rev().take(8).collect();
        Err(format!(
            "{what} failed ({}): {}",
            out.status,
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        ))
    }
}

fn first_line(cmd: &mut Command) -> String {
    cmd.stdin(Stdio::null())
        .output()
        .ok()
        .map(|o| {
            let s = if o.stdout.is_empty() { o.stderr } else { o.stdout };
            String::from_utf8_lossy(&s)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_owned()
        })
        .unwrap_or_else(|| "unavailable".into())
}

fn start_cluster(o: &Opts, members: usize) -> Result<Cluster, String> {
    let mut cfg = ClusterConfig::new()
        .members(members)
        .backup_count(1)
        // Benchmark flags: full JIT (override the test kit's C1-only
        // default), a fixed 1 GiB heap, pre-touched.
        .jvm_arg("-XX:TieredStopAtLevel=4")
        .jvm_arg("-Xms1g")
        .jvm_arg("-Xmx1g")
        .jvm_arg("-XX:+AlwaysPreTouch");
    if pinning() {
        cfg = cfg.jvm_arg("-XX:ActiveProcessorCount=1");
    }
    if let Some(v) = &o.version {
        cfg = cfg.version(v.clone());
    }
    let cluster = cfg
        .start()
        .map_err(|e| format!("starting {members} member(s): {e}"))?;
    if pinning() {
        for i in 0..cluster.len() {
            if let Some(pid) = cluster.pid(i) {
                sh(
                    Command::new("taskset").args(["-a", "-p", "-c", "0", &pid.to_string()]),
                    "taskset",
                )?;
            }
        }
    }
    Ok(cluster)
}

struct Run<'a> {
    cluster: &'a Cluster,
    o: &'a Opts,
    log: std::fs::File,
}

impl Run<'_> {
    fn common_args(&self, workload: &str, concurrency: u32, rate: f64, map: &str) -> Vec<String> {
        let members: Vec<String> = self.cluster.addresses().iter().map(ToString::to_string).collect();
        vec![
            "--members".into(),
            members.join(","),
            "--cluster-name".into(),
            self.cluster.cluster_name().to_owned(),
            "--workload".into(),
            workload.into(),
            "--concurrency".into(),
            concurrency.to_string(),
            "--rate".into(),
            rate.to_string(),
            "--keys".into(),
            self.o.keys.to_string(),
            "--value-size".into(),
            "100".into(),
            "--warmup".into(),
            self.o.warmup.to_string(),
            "--duration".into(),
            self.o.duration.to_string(),
            "--map".into(),
            map.into(),
            "--progress".into(),
            "0".into(),
        ]
    }

    fn driver(&mut self, d: &DriverCmd, extra: &[String]) -> Result<Report, String> {
        let mut cmd = if pinning() {
            let mut c = Command::new("taskset");
            c.args(["-c", &client_cpus().0]).arg(&d.program);
            c
        } else {
            Command::new(&d.program)
        };
        cmd.args(&d.args)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &d.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().map_err(|e| format!("{}: {e}", d.program.display()))?;
        let limit = Duration::from_secs_f64(self.o.warmup + self.o.duration + 90.0);
        let started = Instant::now();
        loop {
            if child.try_wait().map_err(|e| e.to_string())?.is_some() {
                break;
            }
            if started.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timed out after {limit:?}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        use std::io::Write;
        let _ = writeln!(
            self.log,
            "$ {} {}\n{stderr}{stdout}",
            d.program.display(),
            extra.join(" ")
        );
        let line = stdout.lines().rev().find(|l| l.trim_start().starts_with('{'));
        match line {
            Some(l) => serde_json::from_str(l).map_err(|e| format!("bad JSON ({e}): {l}")),
            None => Err(format!(
                "no result ({}): {}",
                out.status,
                stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | ")
            )),
        }
    }
}

/// One measured cell.
#[derive(Clone)]
struct Cell {
    members: usize,
    workload: String,
    concurrency: u32,
    driver: String,
    report: Report,
}

fn shuffled(items: &[String], seed: u64) -> Vec<String> {
    let mut v = items.to_vec();
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for i in (1..v.len()).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        v.swap(i, (s % (i as u64 + 1)) as usize);
    }
    v
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn run(o: &Opts) -> Result<(), String> {
    let t0 = Instant::now();
    // Before anything of ours runs: what else keeps the host busy.
    let load_at_start = loadavg();
    let out = root().join("target/bench");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    // The baseline first: its build leaves its own binaries in `release/`, which the current
    // build then replaces.
    let baseline_driver = o.baseline.as_ref().map(|rev| {
        step(&format!("building the baseline loadgen at {rev} (release)"));
        baseline::build(rev)
    });
    step("building the Rust drivers (release)");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    sh(
        Command::new(cargo)
            .args(["build", "--release", "-q", "-p", "hazelcast-benches", "--bins"])
            .current_dir(root()),
        "cargo build",
    )?;
    let version = o
        .version
        .clone()
        .unwrap_or_else(hazelcast_testkit::default_version);
    let jar = hazelcast_testkit::ensure_member_jar(&version).map_err(|e| format!("member jar: {e}"))?;

    step("installing the peers");
    let mut drivers: BTreeMap<String, Result<DriverCmd, String>> = BTreeMap::new();
    for d in &o.drivers {
        let prepared = match d.as_str() {
            "rust" => Ok(rust_driver("loadgen")),
            "wire" => Ok(rust_driver("wirelimit")),
            "java" => prepare_java(&jar, &out),
            "python" => prepare_python(&out),
            "go" => prepare_go(&out),
            other => Err(format!("unknown driver {other:?}")),
        };
        match &prepared {
            Ok(_) => println!("  {d}: ready"),
            Err(e) => println!("  {d}: unavailable: {e}"),
        }
        drivers.insert(d.clone(), prepared);
    }
    if let Some(prepared) = baseline_driver {
        match &prepared {
            Ok(_) => println!("  baseline: ready"),
            Err(e) => println!("  baseline: unavailable: {e}"),
        }
        drivers.insert("baseline".into(), prepared);
    }
    let mut available: Vec<String> = o
        .drivers
        .iter()
        .filter(|d| drivers.get(*d).is_some_and(Result::is_ok))
        .cloned()
        .collect();
    if drivers.get("baseline").is_some_and(Result::is_ok) {
        available.push("baseline".into());
    }

    let mut cells: Vec<Cell> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    let mut alloc_line = None;
    let mut results = std::fs::File::create(out.join("results.jsonl")).map_err(|e| e.to_string())?;
    for &members in &o.topologies {
        step(&format!("cluster of {members} member(s)"));
        let cluster = start_cluster(o, members)?;
        println!(
            "  {} on {}",
            cluster.cluster_name(),
            cluster
                .addresses()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut run = Run {
            cluster: &cluster,
            o,
            log: std::fs::File::create(out.join(format!("drivers-{members}.log")))
                .map_err(|e| e.to_string())?,
        };
        let scenarios = selected(o, members);
        let wants = |w: &str| scenarios.iter().any(|sc| sc.workload == w);
        // One prefill for every get run (all drivers read the same map), and one for the
        // Compact gets.
        for (workload, map) in [("get", "bench-get"), ("compact-get", "bench-compact-get")] {
            if !wants(workload) {
                continue;
            }
            let mut args = run.common_args(workload, 64, 0.0, map);
            args.push("--prefill-only".into());
            let rust = rust_driver("loadgen");
            let mut c = Command::new(&rust.program);
            sh(c.args(&args), "prefill")?;
        }
        if members == 1 && wants("get") {
            let addr = cluster.address(0).to_string();
            match sh(
                Command::new(target_dir().join("release/alloc_count")).args([
                    "--members",
                    &addr,
                    "--cluster-name",
                    cluster.cluster_name(),
                    "--calls",
                    "20000",
                ]),
                "alloc_count",
            ) {
                Ok(text) => alloc_line = text.lines().rev().find(|l| l.starts_with('{')).map(str::to_owned),
                Err(e) => failures.push(e),
            }
        }
        for round in 0..o.rounds {
            let order = shuffled(&available, (round * 31 + members) as u64);
            println!("  round {}/{}: {}", round + 1, o.rounds, order.join(" → "));
            for sc in &scenarios {
                let (workload, concurrency, label) = (sc.workload, sc.concurrency, sc.label());
                for d in &order {
                    let Some(Ok(cmd)) = drivers.get(d) else { continue };
                    if !runs(d, sc) {
                        continue;
                    }
                    let map = match workload {
                        "get" | "compact-get" => format!("bench-{workload}"),
                        // A fresh queue or topic per run: no items or listeners left over.
                        "queue" | "topic" => format!("bench-{workload}-{d}-{round}"),
                        w => format!("bench-{w}-{d}"),
                    };
                    let args = run.common_args(workload, concurrency, sc.rate, &map);
                    match run.driver(cmd, &args) {
                        Ok(r) => {
                            use std::io::Write;
                            let _ = writeln!(results, "{}", r.to_json());
                            println!(
                                "    {members}m {label} C={concurrency:<3} {d:6} {:>9.0} ops/s  p50 {:>8.1} µs  p99 {:>8.1} µs  cpu {:>6.2} µs/op{}",
                                r.throughput,
                                r.p50_us,
                                r.p99_us,
                                r.cpu_us_per_op,
                                if workload == "topic" {
                                    format!("  received {}", r.received)
                                } else {
                                    String::new()
                                }
                            );
                            cells.push(Cell {
                                members,
                                workload: label.clone(),
                                concurrency,
                                driver: d.clone(),
                                report: r,
                            });
                        }
                        Err(e) if d == "baseline" && baseline::unknown_workload(&e) => {
                            println!(
                                "    {members}m {label} C={concurrency} {d}: skipped (the baseline predates this workload)"
                            );
                        }
                        Err(e) => {
                            println!("    {members}m {label} C={concurrency} {d}: FAILED: {e}");
                            failures.push(format!("{members} member(s), {label}, C={concurrency}, {d}: {e}"));
                        }
                    }
                }
            }
        }
        drop(cluster);
    }
    step(&format!("writing docs/{}.md", o.out));
    let env = Environment::probe(&version, load_at_start);
    let unavailable: Vec<(String, String)> = drivers
        .iter()
        .filter_map(|(d, r)| r.as_ref().err().map(|e| (d.clone(), e.clone())))
        .collect();
    let doc = render(
        o,
        &env,
        &cells,
        &unavailable,
        &failures,
        alloc_line.as_deref(),
        t0.elapsed(),
    );
    let docs = root().join("docs");
    let charts = docs.join(&o.out);
    std::fs::create_dir_all(&charts).map_err(|e| e.to_string())?;
    std::fs::write(docs.join(format!("{}.md", o.out)), doc).map_err(|e| e.to_string())?;
    std::fs::write(charts.join("throughput.svg"), throughput_svg(o, &cells)).map_err(|e| e.to_string())?;
    std::fs::write(charts.join("latency.svg"), latency_svg(o, &cells)).map_err(|e| e.to_string())?;
    println!(
        "✔ done in {:.0} s: docs/{1}.md, docs/{1}/*.svg, target/bench/results.jsonl",
        t0.elapsed().as_secs_f64(),
        o.out
    );
    Ok(())
}

struct Environment {
    cpu: String,
    cores: usize,
    memory: String,
    kernel: String,
    java: String,
    python: String,
    go: String,
    rustc: String,
    hazelcast: String,
    /// `/proc/loadavg` before the run started.
    load_at_start: String,
    /// `/proc/loadavg` when it ended (the run's own members and clients included).
    load: String,
}

impl Environment {
    fn probe(version: &str, load_at_start: String) -> Environment {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let field = |text: &str, name: &str| {
            text.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_else(|| "?".into())
        };
        Environment {
            cpu: field(&cpuinfo, "model name"),
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            memory: field(&meminfo, "MemTotal"),
            kernel: first_line(Command::new("uname").arg("-sr")),
            java: first_line(Command::new("java").arg("-version")),
            python: first_line(Command::new("python3").arg("--version")),
            go: first_line(Command::new("go").arg("version")),
            rustc: first_line(Command::new("rustc").arg("--version")),
            hazelcast: version.to_owned(),
            load_at_start,
            load: loadavg(),
        }
    }
}
