//! `cargo xtask bench [--quick] [--rounds N] [--warmup S] [--duration S] [--drivers a,b] [--version V]`
//!
//! Builds the Rust drivers, installs the peers (Java: `javac` against the member jar; Python:
//! `hazelcast-python-client` in a venv under `target/bench/`; Go: `hazelcast-go-client` built
//! with the module proxy into `target/bench/`), then for a 1-member and a 3-member cluster
//! (benchmark JVM flags; members pinned to core 0 and clients to the other cores when there are
//! at least 2) runs every available driver with the same parameters — workloads get and set,
//! concurrency 1 and 64 — round after round with the driver order shuffled, and writes
//! `docs/benchmarks.md` (medians, ratios against the Rust client, target checks) with SVG charts
//! in `docs/benchmarks/`. Raw results: `target/bench/results.jsonl`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use hazelcast_benches::report::Report;
use hazelcast_testkit::{Cluster, ClusterConfig};

const DRIVERS: [&str; 5] = ["rust", "wire", "java", "python", "go"];
const WORKLOADS: [&str; 2] = ["get", "set"];
const CONCURRENCY: [u32; 2] = [1, 64];
/// Open-loop rate of the 1-member open-loop scenario (ops/s), one every driver sustains.
const OPEN_LOOP_RATE: f64 = 5_000.0;

/// One measured configuration.
#[derive(Clone, Copy)]
struct Scenario {
    workload: &'static str,
    /// Calls in flight (closed loop), or their cap (open loop).
    concurrency: u32,
    /// Open-loop rate in ops/s; 0 for closed loop.
    rate: f64,
}

impl Scenario {
    /// The workload column of the results: the workload, and the rate in open loop.
    fn label(&self) -> String {
        if self.rate > 0.0 {
            format!("{} at {:.0} ops/s (open loop)", self.workload, self.rate)
        } else {
            self.workload.to_owned()
        }
    }
}

/// The matrix: get and set at concurrency 1 and 64 on every topology; on 1 member also the
/// mix (40 % get, 40 % set, 20 % remove) at 64 and an open-loop get (latency at a fixed load,
/// from each operation's intended start, so a stall is not hidden by the loop waiting).
fn scenarios(members: usize) -> Vec<Scenario> {
    let mut v: Vec<Scenario> = WORKLOADS
        .iter()
        .flat_map(|&workload| {
            CONCURRENCY.iter().map(move |&concurrency| Scenario {
                workload,
                concurrency,
                rate: 0.0,
            })
        })
        .collect();
    if members == 1 {
        v.push(Scenario {
            workload: "mix",
            concurrency: 64,
            rate: 0.0,
        });
        v.push(Scenario {
            workload: "get",
            concurrency: 64,
            rate: OPEN_LOOP_RATE,
        });
    }
    v
}
const JAVA_NOTE: &str = "* The Java client runs with `-Djava.util.concurrent.ForkJoinPool.common.parallelism=2`: with one or two CPUs the JDK's and Hazelcast's default async executors start a thread per task (the common pool's parallelism is below 2), which costs that client about 130 µs of CPU per call and caps it near 8 k ops/s. Machines the Java client is deployed on have more cores, so this is its representative setting, not a handicap.";

/// Where the profile behind the missed CPU targets lives.
const PROFILE_NOTE: &str = "* Where the Rust client's CPU per operation goes, and how much of it is the kernel's floor that no client on this host avoids: [profiling.md](profiling.md) (a `perf` profile of the Rust and wire-limit drivers, with the commands to re-take it).";

const PYTHON_CLIENT: &str = "hazelcast-python-client==5.7.0";
const GO_CLIENT: &str = "github.com/hazelcast/hazelcast-go-client v1.5.0";

struct Opts {
    quick: bool,
    rounds: usize,
    warmup: f64,
    duration: f64,
    drivers: Vec<String>,
    topologies: Vec<usize>,
    version: Option<String>,
    keys: usize,
    /// The options as given, for the report's "re-run it" line.
    given: String,
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let quick = args.iter().any(|a| a == "--quick");
    let mut o = Opts {
        quick,
        rounds: if quick { 2 } else { 3 },
        warmup: if quick { 2.0 } else { 10.0 },
        duration: if quick { 3.0 } else { 20.0 },
        drivers: DRIVERS.iter().map(|s| (*s).to_owned()).collect(),
        topologies: vec![1, 3],
        version: None,
        keys: 10_000,
        given: args.iter().map(|a| format!(" {a}")).collect(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |f: &str| it.next().cloned().ok_or_else(|| format!("{f} needs a value"));
        let num = |f: &str, v: String| v.parse::<f64>().map_err(|_| format!("{f}: not a number: {v:?}"));
        match a.as_str() {
            "--quick" => {}
            "--rounds" => o.rounds = num(a, value(a)?)?.max(1.0) as usize,
            "--warmup" => o.warmup = num(a, value(a)?)?,
            "--duration" => o.duration = num(a, value(a)?)?,
            "--drivers" => o.drivers = value(a)?.split(',').map(str::to_owned).collect(),
            "--members" => {
                o.topologies = value(a)?
                    .split(',')
                    .map(|n| n.parse().map_err(|_| format!("--members: {n:?}")))
                    .collect::<Result<_, _>>()?
            }
            "--version" => o.version = Some(value(a)?),
            other => {
                return Err(format!(
                    "unknown option {other:?}\nusage: cargo xtask bench [--quick] \
                [--rounds N] [--warmup S] [--duration S] [--drivers rust,wire,java,python,go] \
                [--members 1,3] [--version V]"
                ));
            }
        }
    }
    Ok(o)
}

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

/// How to start one driver: program and leading arguments (the common options follow).
#[derive(Clone)]
struct DriverCmd {
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

fn prepare_java(jar: &Path, out: &Path) -> Result<DriverCmd, String> {
    let classes = out.join("java");
    std::fs::create_dir_all(&classes).map_err(|e| e.to_string())?;
    let javac = std::env::var_os("JAVA_HOME")
        .map(|h| PathBuf::from(h).join("bin/javac"))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| "javac".into());
    sh(
        Command::new(&javac)
            .arg("-nowarn")
            .arg("-cp")
            .arg(jar)
            .arg("-d")
            .arg(&classes)
            .arg(root().join("benches/peers/java/Bench.java")),
        "javac",
    )?;
    let java = std::env::var_os("JAVA_HOME")
        .map(|h| PathBuf::from(h).join("bin/java"))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| "java".into());
    let mut args: Vec<String> = Vec::new();
    if pinning() {
        args.push(format!("-XX:ActiveProcessorCount={}", client_cpus().1));
    }
    args.extend(
        [
            // With fewer than 3 CPUs the common fork-join pool has a parallelism below 2, and then
            // the JDK's and Hazelcast's default async executors start a new thread per task: the
            // client's internal future chains would pay a thread start per call (≈ 130 µs of CPU).
            // Any machine a Java client is deployed on has more cores, so give it the pool.
            "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
            "-Xms512m",
            "-Xmx512m",
            "-Djava.net.preferIPv4Stack=true",
            "-cp",
        ]
        .iter()
        .map(|s| (*s).to_owned()),
    );
    args.push(format!("{}:{}", jar.display(), classes.display()));
    args.push("Bench".into());
    Ok(DriverCmd {
        program: java,
        args,
        env: vec![],
    })
}

fn prepare_python(out: &Path) -> Result<DriverCmd, String> {
    let venv = out.join("venv");
    let py = venv.join("bin/python");
    let ok = py.is_file()
        && Command::new(&py)
            .args([
                "-c",
                "import hazelcast,sys; sys.exit(0 if hazelcast.__version__=='5.7.0' else 1)",
            ])
            .status()
            .is_ok_and(|s| s.success());
    if !ok {
        sh(
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
            "python3 -m venv",
        )?;
        sh(
            Command::new(venv.join("bin/pip")).args(["install", "-q", PYTHON_CLIENT]),
            "pip install",
        )?;
    }
    Ok(DriverCmd {
        program: py,
        args: vec![root().join("benches/peers/python/bench.py").display().to_string()],
        env: vec![],
    })
}

fn prepare_go(out: &Path) -> Result<DriverCmd, String> {
    let src = out.join("go-src");
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(&src).map_err(|e| e.to_string())?;
    for f in ["go.mod", "main.go"] {
        std::fs::copy(root().join("benches/peers/go").join(f), src.join(f))
            .map_err(|e| format!("{f}: {e}"))?;
    }
    let bin = out.join("hz-go-bench");
    sh(
        Command::new("go")
            .args(["build", "-o"])
            .arg(&bin)
            .arg(".")
            .current_dir(&src)
            .env("GOFLAGS", "-mod=mod -modcacherw")
            .env("GOMODCACHE", out.join("gomodcache"))
            .env("GOPATH", out.join("gopath")),
        "go build",
    )?;
    let procs = client_cpus().1.to_string();
    Ok(DriverCmd {
        program: bin,
        args: vec![],
        env: vec![("GOMAXPROCS".into(), procs)],
    })
}

fn rust_driver(name: &str) -> DriverCmd {
    DriverCmd {
        program: root().join("target/release").join(name),
        args: vec![],
        env: vec![],
    }
}

fn pinning() -> bool {
    std::thread::available_parallelism().map_or(1, usize::from) >= 2
        && Command::new("taskset").arg("-V").output().is_ok()
}

/// The client cores as a taskset list, and how many there are (all but core 0).
fn client_cpus() -> (String, usize) {
    let n = std::thread::available_parallelism().map_or(1, usize::from);
    if n <= 2 {
        ("1".into(), 1)
    } else {
        (format!("1-{}", n - 1), n - 1)
    }
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
    let available: Vec<String> = o
        .drivers
        .iter()
        .filter(|d| drivers.get(*d).is_some_and(Result::is_ok))
        .cloned()
        .collect();

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
        // One prefill for every get run (all drivers read the same map).
        let mut args = run.common_args("set", 64, 0.0, "bench-get");
        args.push("--prefill-only".into());
        let rust = rust_driver("loadgen");
        let mut c = Command::new(&rust.program);
        sh(c.args(&args), "prefill")?;
        if members == 1 {
            let addr = cluster.address(0).to_string();
            match sh(
                Command::new(root().join("target/release/alloc_count")).args([
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
            for sc in scenarios(members) {
                let (workload, concurrency, label) = (sc.workload, sc.concurrency, sc.label());
                for d in &order {
                    let Some(Ok(cmd)) = drivers.get(d) else { continue };
                    if d == "wire" && sc.rate > 0.0 {
                        continue; // closed loop only
                    }
                    let map = match workload {
                        "get" => "bench-get".to_owned(),
                        w => format!("bench-{w}-{d}"),
                    };
                    let args = run.common_args(workload, concurrency, sc.rate, &map);
                    match run.driver(cmd, &args) {
                        Ok(r) => {
                            use std::io::Write;
                            let _ = writeln!(results, "{}", r.to_json());
                            println!(
                                "    {members}m {label} C={concurrency:<3} {d:6} {:>9.0} ops/s  p50 {:>8.1} µs  p99 {:>8.1} µs  cpu {:>6.2} µs/op",
                                r.throughput, r.p50_us, r.p99_us, r.cpu_us_per_op
                            );
                            cells.push(Cell {
                                members,
                                workload: label.clone(),
                                concurrency,
                                driver: d.clone(),
                                report: r,
                            });
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
    step("writing docs/benchmarks.md");
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
    std::fs::create_dir_all(docs.join("benchmarks")).map_err(|e| e.to_string())?;
    std::fs::write(docs.join("benchmarks.md"), doc).map_err(|e| e.to_string())?;
    std::fs::write(docs.join("benchmarks/throughput.svg"), throughput_svg(o, &cells))
        .map_err(|e| e.to_string())?;
    std::fs::write(docs.join("benchmarks/latency.svg"), latency_svg(o, &cells)).map_err(|e| e.to_string())?;
    println!(
        "✔ done in {:.0} s: docs/benchmarks.md, docs/benchmarks/*.svg, target/bench/results.jsonl",
        t0.elapsed().as_secs_f64()
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

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Median figures of one (topology, workload, concurrency, driver).
#[derive(Clone, Copy, Default)]
struct Med {
    /// Number of runs.
    n: usize,
    throughput: f64,
    min_tp: f64,
    max_tp: f64,
    p50: f64,
    p90: f64,
    p99: f64,
    p999: f64,
    cpu: f64,
    idle_rss: f64,
    max_rss: f64,
    errors: f64,
}

fn med(cells: &[Cell], members: usize, workload: &str, c: u32, driver: &str) -> Option<Med> {
    let rs: Vec<&Report> = cells
        .iter()
        .filter(|x| {
            x.members == members && x.workload == workload && x.concurrency == c && x.driver == driver
        })
        .map(|x| &x.report)
        .collect();
    if rs.is_empty() {
        return None;
    }
    let m = |f: fn(&Report) -> f64| median(rs.iter().map(|r| f(r)).collect());
    Some(Med {
        n: rs.len(),
        throughput: m(|r| r.throughput),
        min_tp: rs.iter().map(|r| r.throughput).fold(f64::INFINITY, f64::min),
        max_tp: rs.iter().map(|r| r.throughput).fold(0.0, f64::max),
        p50: m(|r| r.p50_us),
        p90: m(|r| r.p90_us),
        p99: m(|r| r.p99_us),
        p999: m(|r| r.p999_us),
        cpu: m(|r| r.cpu_us_per_op),
        idle_rss: m(|r| r.idle_rss_kb as f64),
        max_rss: m(|r| r.max_rss_kb as f64),
        errors: m(|r| r.errors as f64),
    })
}

fn ratio(a: f64, b: f64) -> String {
    if a.is_finite() && b.is_finite() && b > 0.0 {
        format!("{:.2}×", a / b)
    } else {
        "–".into()
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok { "✅ met" } else { "❌ missed" }
}

#[allow(clippy::too_many_arguments)]
fn render(
    o: &Opts,
    env: &Environment,
    cells: &[Cell],
    unavailable: &[(String, String)],
    failures: &[String],
    alloc: Option<&str>,
    took: Duration,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Benchmarks\n");
    let _ = writeln!(
        s,
        "Generated by `cargo xtask bench{}` in {:.0} s — re-run it to reproduce. The Rust client, the \
         official Java, Python and Go clients and a wire-limit driver run the same workloads with the \
         same options against the same cluster, one after the other, round after round in shuffled \
         order. Figures are medians over {} round(s); raw results are in `target/bench/results.jsonl`.\n",
        o.given,
        took.as_secs_f64(),
        o.rounds
    );
    let load1: f64 = env
        .load_at_start
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    if load1 > env.cores as f64 {
        let _ = writeln!(
            s,
            "> **Warning: the host was busy** (1-minute load average {load1:.1} on {} CPUs before the \
             run started): other processes may have competed with the pinned members and clients, so \
             these figures are noisy and only indicative. Re-run on an idle machine.\n",
            env.cores
        );
    }
    let _ = writeln!(s, "## Setup\n");
    let _ = writeln!(s, "| | |\n| --- | --- |");
    let _ = writeln!(
        s,
        "| machine | {} × {} logical CPUs, {} RAM, {} |",
        env.cpu, env.cores, env.memory, env.kernel
    );
    let _ = writeln!(
        s,
        "| load average (`/proc/loadavg`) | before the run: {}; at its end: {} (the run's own members and clients included) |",
        env.load_at_start, env.load
    );
    let _ = writeln!(
        s,
        "| members | Hazelcast {} on {}; `-Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:TieredStopAtLevel=4` (full JIT) after the test kit's defaults (SerialGC){}; backup count 1 |",
        env.hazelcast,
        env.java,
        if pinning() {
            ", `-XX:ActiveProcessorCount=1`, pinned with `taskset -a -p -c 0`"
        } else {
            ", not pinned (fewer than 2 cores)"
        }
    );
    let _ = writeln!(
        s,
        "| clients | {}; Rust {} (tokio, 1 worker thread); Java client of the same jar (`-Xms512m -Xmx512m -Djava.util.concurrent.ForkJoinPool.common.parallelism=2`{}); Python {} with `{PYTHON_CLIENT}` (threads + futures); {} with `{GO_CLIENT}` (`GOMAXPROCS={}`) |",
        if pinning() {
            format!("pinned with `taskset -c {}`", client_cpus().0)
        } else {
            "not pinned".into()
        },
        env.rustc,
        if pinning() {
            format!(", `-XX:ActiveProcessorCount={}`", client_cpus().1)
        } else {
            String::new()
        },
        env.python,
        env.go,
        client_cpus().1
    );
    let _ = writeln!(
        s,
        "| workloads | `get` (map prefilled with {} keys `k-<i>`) and `set`, 100-byte string values, uniformly random keys; closed loop at concurrency 1 and 64; on 1 member also `mix` (40 % get, 40 % set, 20 % remove) at concurrency 64 and `get` in open loop at {:.0} ops/s (at most 64 in flight; latency from each operation's intended start; the wire-limit driver runs closed loop only); warm-up {} s, measured {} s per run |",
        o.keys, OPEN_LOOP_RATE, o.warmup, o.duration
    );
    let _ = writeln!(
        s,
        "| client settings | smart routing; statistics/metrics off; logging at WARN (Java: JUL WARNING); backup acks at each client's default (Rust, Java, Python: on; Go: none); the wire-limit driver sends non-backup-aware requests |"
    );
    let _ = writeln!(
        s,
        "| what each driver calls | rust: `ClusterClient::invoke` with codec requests (key/value serialized and value deserialized per call, as the facade does); wire: pre-encoded requests pipelined on raw sockets, one per member, routed to the partition owner, frame headers parsed only; java: `IMap.getAsync/setAsync` with a semaphore; python: `Map.get/set` futures with a semaphore; go: `Map.Get/Set` from C goroutines |"
    );
    let _ = writeln!(
        s,
        "| percentiles | Rust drivers: HdrHistogram (3 significant digits); peers: every latency kept and sorted (nearest rank) |"
    );
    let _ = writeln!(
        s,
        "| CPU per op | client process user+system CPU over the measured window (`getrusage`; Java `OperatingSystemMXBean.getProcessCpuTime`) ÷ operations |\n"
    );
    for (d, e) in unavailable {
        let _ = writeln!(s, "* **{d}: unavailable** — {e}");
    }
    if !failures.is_empty() {
        let _ = writeln!(s, "\nRuns that failed:\n");
        for f in failures {
            let _ = writeln!(s, "* {f}");
        }
    }
    let _ = writeln!(s, "\n## Results (medians)\n");
    let _ = writeln!(
        s,
        "Ratios are against the Rust client: throughput `driver ÷ rust`, CPU `driver ÷ rust` (so `3.00×` means the driver burns three times the CPU per operation).\n"
    );
    for &members in &o.topologies {
        for sc in scenarios(members) {
            let (label, c) = (sc.label(), sc.concurrency);
            let workload = label.as_str();
            let Some(rust) = med(cells, members, workload, c, "rust") else {
                continue;
            };
            let _ = writeln!(
                s,
                "### {members} member{} · `{workload}` · concurrency {c}\n",
                if members == 1 { "" } else { "s" }
            );
            let _ = writeln!(
                s,
                "| driver | ops/s (min–max) | × rust | p50 µs | p90 µs | p99 µs | p99.9 µs | CPU µs/op | CPU × rust | idle RSS MB | max RSS MB | errors |"
            );
            let _ = writeln!(
                s,
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
            );
            for d in DRIVERS {
                let Some(m) = med(cells, members, workload, c, d) else {
                    continue;
                };
                let _ = writeln!(
                    s,
                    "| {d} ({} runs) | {:.0} ({:.0}–{:.0}) | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} | {} | {:.1} | {:.1} | {:.0} |",
                    m.n,
                    m.throughput,
                    m.min_tp,
                    m.max_tp,
                    ratio(m.throughput, rust.throughput),
                    m.p50,
                    m.p90,
                    m.p99,
                    m.p999,
                    m.cpu,
                    ratio(m.cpu, rust.cpu),
                    m.idle_rss / 1024.0,
                    m.max_rss / 1024.0,
                    m.errors
                );
            }
            let _ = writeln!(s);
        }
    }
    let _ = writeln!(
        s,
        "![throughput](benchmarks/throughput.svg)\n\n![latency](benchmarks/latency.svg)\n"
    );

    let _ = writeln!(s, "## Targets (issue 6)\n");
    let _ = writeln!(
        s,
        "| target | cell | measured | verdict |\n| --- | --- | --- | --- |"
    );
    for &members in &o.topologies {
        for workload in WORKLOADS {
            for c in CONCURRENCY {
                let cell = format!("{members}m {workload} C={c}");
                let Some(rust) = med(cells, members, workload, c, "rust") else {
                    continue;
                };
                if let Some(j) = med(cells, members, workload, c, "java") {
                    let _ = writeln!(
                        s,
                        "| CPU/op ≤ ⅓ of Java's | {cell} | {:.2} vs {:.2} µs ({}) | {} |",
                        rust.cpu,
                        j.cpu,
                        ratio(j.cpu, rust.cpu),
                        verdict(rust.cpu * 3.0 <= j.cpu)
                    );
                }
                if let Some(p) = med(cells, members, workload, c, "python") {
                    let _ = writeln!(
                        s,
                        "| CPU/op ≤ 1/20 of Python's | {cell} | {:.2} vs {:.2} µs ({}) | {} |",
                        rust.cpu,
                        p.cpu,
                        ratio(p.cpu, rust.cpu),
                        verdict(rust.cpu * 20.0 <= p.cpu)
                    );
                }
                if c == 64 {
                    if let Some(j) = med(cells, members, workload, c, "java") {
                        let _ = writeln!(
                            s,
                            "| throughput ≥ 1.2 × Java's | {cell} | {:.0} vs {:.0} ops/s ({}) | {} |",
                            rust.throughput,
                            j.throughput,
                            ratio(rust.throughput, j.throughput),
                            verdict(rust.throughput >= 1.2 * j.throughput)
                        );
                    }
                    if let Some(w) = med(cells, members, workload, c, "wire") {
                        let _ = writeln!(
                            s,
                            "| throughput ≥ 90 % of the wire limit | {cell} | {:.0} vs {:.0} ops/s ({:.0} %) | {} |",
                            rust.throughput,
                            w.throughput,
                            100.0 * rust.throughput / w.throughput,
                            verdict(rust.throughput >= 0.9 * w.throughput)
                        );
                    }
                }
                if c == 1
                    && let Some(w) = med(cells, members, workload, c, "wire")
                {
                    let _ = writeln!(
                        s,
                        "| p50 within 10 % of the wire limit | {cell} | {:.1} vs {:.1} µs ({:+.0} %) | {} |",
                        rust.p50,
                        w.p50,
                        100.0 * (rust.p50 / w.p50 - 1.0),
                        verdict(rust.p50 <= 1.1 * w.p50)
                    );
                }
            }
        }
    }
    let idle: Vec<f64> = cells
        .iter()
        .filter(|c| c.driver == "rust")
        .map(|c| c.report.idle_rss_kb as f64)
        .collect();
    if !idle.is_empty() {
        let m = median(idle) / 1024.0;
        let _ = writeln!(
            s,
            "| idle client RSS < 10 MB | all runs | {m:.1} MB | {} |",
            verdict(m < 10.0)
        );
    }
    if let Some(a) = alloc {
        let v: serde_json::Value = serde_json::from_str(a).unwrap_or_default();
        let f = |k: &str| v.get(k).and_then(serde_json::Value::as_f64).unwrap_or(f64::NAN);
        let beyond = f("full_get") - f("deserialize_value");
        let _ = writeln!(
            s,
            "| 0 allocations per Map.Get beyond the returned value | 1 member | {beyond:.3} (the 16 KiB chunks requests and keys are cut from, amortized) | {} |",
            verdict(beyond < 0.05)
        );
        let _ = writeln!(
            s,
            "\n## Allocations per `Map.Get` (counting allocator, `alloc_count`, {} calls)\n",
            f("calls")
        );
        let _ = writeln!(s, "| part | allocations per call |\n| --- | ---: |");
        for (k, what) in [
            (
                "codec_encode_request",
                "codec: `MapGetRequest::encode` + correlation id (a buffer of its own)",
            ),
            (
                "codec_encode_request_final",
                "codec: `MapGetRequest::encode_final` (header known, cut from a shared chunk; what `invoke` does)",
            ),
            (
                "codec_decode_response",
                "codec: cut the answer from the read buffer + `MapGetResponse::decode`",
            ),
            ("serialize_key", "serialize the `String` key"),
            (
                "deserialize_value",
                "deserialize the returned value (the returned `String`)",
            ),
            (
                "invoke_round_trip",
                "`ClusterClient::invoke` round trip (encode, route, pending call, transport, answer)",
            ),
            ("full_get", "whole get: key, invoke, decode, value"),
        ] {
            let _ = writeln!(s, "| {what} | {:.3} |", f(k));
        }
        let _ = writeln!(
            s,
            "\nBytes requested per invoke round trip: {:.0}.",
            f("invoke_round_trip_bytes")
        );
    }
    let _ = writeln!(s, "\n## Reading these figures\n");
    let _ = writeln!(
        s,
        "* One client core and one member core: at concurrency 64 the member core is usually the bottleneck, so throughput mostly measures the member; CPU per operation is the robust comparison."
    );
    let _ = writeln!(
        s,
        "* The wire-limit driver does no serialization, no routing lookups, no futures and batches its writes per read: it is the members' ceiling on this host, not a client."
    );
    let _ = writeln!(
        s,
        "* With 3 members on one core the members compete with each other (\"smart routing under contention\")."
    );
    let _ = writeln!(
        s,
        "* Where a client reaches the wire limit, the member is its bottleneck and no client can go faster: a throughput ratio against another client is then bounded by the wire limit ÷ that client's throughput, whatever the client does."
    );
    let _ = writeln!(
        s,
        "* At concurrency 1 every operation costs a write, a read and a sleep and wake-up of the client thread in the kernel; the wire-limit driver's CPU per operation is that floor, and it bounds every CPU ratio at concurrency 1 (a client cannot use less than 1/20 of another's CPU when the other needs less than 20 floors)."
    );
    let _ = writeln!(s, "{JAVA_NOTE}");
    let _ = writeln!(s, "{PROFILE_NOTE}");
    if o.quick {
        let _ = writeln!(
            s,
            "* Quick mode: a warm-up of a few seconds. The Java client compiles its hot paths with C2 on the same single client core during the first seconds, so its quick-mode CPU per operation and throughput are far from its steady state: treat the Java ratios of a quick run as upper bounds and use a full run (`cargo xtask bench`) for them."
        );
    }
    s
}

const COLORS: [(&str, &str); 5] = [
    ("rust", "#d9480f"),
    ("wire", "#868e96"),
    ("java", "#1971c2"),
    ("python", "#2f9e44"),
    ("go", "#0c8599"),
];

fn color(d: &str) -> &'static str {
    COLORS.iter().find(|(n, _)| *n == d).map_or("#000", |(_, c)| c)
}

fn throughput_svg(o: &Opts, cells: &[Cell]) -> String {
    let mut rows: Vec<(String, Option<(String, f64)>)> = Vec::new();
    for &m in &o.topologies {
        for w in WORKLOADS {
            for c in CONCURRENCY {
                rows.push((
                    format!("{m} member{} · {w} · C={c}", if m == 1 { "" } else { "s" }),
                    None,
                ));
                for d in DRIVERS {
                    if let Some(x) = med(cells, m, w, c, d) {
                        rows.push((d.to_owned(), Some((d.to_owned(), x.throughput))));
                    }
                }
            }
        }
    }
    let max = rows
        .iter()
        .filter_map(|r| r.1.as_ref().map(|x| x.1))
        .fold(1.0, f64::max);
    let (left, width, row_h) = (190.0, 560.0, 16.0);
    let h = 40.0 + rows.len() as f64 * row_h;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Throughput (ops/s, median) by topology, workload and concurrency</text>\n",
        left + width + 90.0
    );
    let mut y = 36.0;
    for (label, bar) in &rows {
        match bar {
            None => {
                let _ = writeln!(
                    s,
                    "<text x=\"10\" y=\"{:.0}\" font-weight=\"bold\">{label}</text>",
                    y + 12.0
                );
            }
            Some((d, v)) => {
                let w = width * v / max;
                let _ = writeln!(
                    s,
                    "<text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"end\">{d}</text><rect x=\"{left}\" y=\"{:.0}\" width=\"{w:.1}\" height=\"{:.0}\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.0}\">{v:.0}</text>",
                    left - 6.0,
                    y + 11.0,
                    y + 2.0,
                    row_h - 4.0,
                    color(d),
                    left + w + 4.0,
                    y + 11.0
                );
            }
        }
        y += row_h;
    }
    s.push_str("</svg>\n");
    s
}

type LatencyRow = (String, Option<(String, [f64; 4])>);

fn latency_svg(o: &Opts, cells: &[Cell]) -> String {
    // Log-scale latency percentiles, get workload, per topology and concurrency.
    let mut rows: Vec<LatencyRow> = Vec::new();
    for &m in &o.topologies {
        for c in CONCURRENCY {
            rows.push((
                format!("{m} member{} · get · C={c}", if m == 1 { "" } else { "s" }),
                None,
            ));
            for d in DRIVERS {
                if let Some(x) = med(cells, m, "get", c, d) {
                    rows.push((d.to_owned(), Some((d.to_owned(), [x.p50, x.p90, x.p99, x.p999]))));
                }
            }
        }
    }
    let (lo, hi) = (10.0f64, 1_000_000.0f64);
    let (left, width, row_h) = (190.0, 560.0, 18.0);
    let xs = |us: f64| left + width * ((us.clamp(lo, hi)).log10() - lo.log10()) / (hi.log10() - lo.log10());
    let h = 70.0 + rows.len() as f64 * row_h;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Latency percentiles of get (µs, log scale): bar p50–p99, ticks p90 and p99.9</text>\n",
        left + width + 40.0
    );
    for (i, t) in [10.0, 100.0, 1000.0, 10_000.0, 100_000.0, 1_000_000.0]
        .iter()
        .enumerate()
    {
        let x = xs(*t);
        let label = ["10", "100", "1 ms", "10 ms", "100 ms", "1 s"][i];
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" y1=\"34\" x2=\"{x:.1}\" y2=\"{:.0}\" stroke=\"#ddd\"/><text x=\"{x:.1}\" y=\"{:.0}\" text-anchor=\"middle\">{label}</text>",
            h - 24.0,
            h - 10.0
        );
    }
    let mut y = 36.0;
    for (label, bar) in &rows {
        match bar {
            None => {
                let _ = writeln!(
                    s,
                    "<text x=\"10\" y=\"{:.0}\" font-weight=\"bold\">{label}</text>",
                    y + 13.0
                );
            }
            Some((d, p)) => {
                let (x50, x90, x99, x999) = (xs(p[0]), xs(p[1]), xs(p[2]), xs(p[3]));
                let _ = writeln!(
                    s,
                    "<text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"end\">{d}</text><rect x=\"{x50:.1}\" y=\"{:.0}\" width=\"{:.1}\" height=\"10\" fill=\"{}\" opacity=\"0.8\"/>\
                     <line x1=\"{x90:.1}\" y1=\"{:.0}\" x2=\"{x90:.1}\" y2=\"{:.0}\" stroke=\"black\"/><line x1=\"{x999:.1}\" y1=\"{:.0}\" x2=\"{x999:.1}\" y2=\"{:.0}\" stroke=\"black\" stroke-dasharray=\"2,1\"/>\
                     <text x=\"{:.1}\" y=\"{:.0}\">{:.0}</text>",
                    left - 6.0,
                    y + 12.0,
                    y + 3.0,
                    (x99 - x50).max(1.5),
                    color(d),
                    y + 1.0,
                    y + 15.0,
                    y + 1.0,
                    y + 15.0,
                    x999 + 4.0,
                    y + 12.0,
                    p[0]
                );
            }
        }
        y += row_h;
    }
    s.push_str("</svg>\n");
    s
}
