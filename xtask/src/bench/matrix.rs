//! The matrix of `cargo xtask bench`: drivers, workloads, scenarios, and the options that
//! select them.

pub(super) const DRIVERS: [&str; 5] = ["rust", "wire", "java", "python", "go"];
pub(super) const WORKLOADS: [&str; 2] = ["get", "set"];
/// Every workload `--workloads` accepts.
pub(super) const ALL_WORKLOADS: [&str; 7] = [
    "get",
    "set",
    "mix",
    "compact-get",
    "compact-set",
    "queue",
    "topic",
];
/// The workloads of the user-type and data-structure cells, which only the Rust and Java
/// drivers run.
pub(super) const STRUCTURE_WORKLOADS: [&str; 4] = ["compact-get", "compact-set", "queue", "topic"];
/// Drivers of the user-type and data-structure cells.
pub(super) const STRUCTURE_DRIVERS: [&str; 3] = ["rust", "baseline", "java"];
/// Every driver a results table may show: [`DRIVERS`] and the `--baseline` build.
pub(super) const REPORT_DRIVERS: [&str; 6] = ["rust", "baseline", "wire", "java", "python", "go"];
pub(super) const CONCURRENCY: [u32; 2] = [1, 64];
/// Open-loop rate of the 1-member open-loop scenario (ops/s), one every driver sustains.
pub(super) const OPEN_LOOP_RATE: f64 = 5_000.0;

/// One measured configuration.
#[derive(Clone, Copy)]
pub(super) struct Scenario {
    pub(super) workload: &'static str,
    /// Calls in flight (closed loop), or their cap (open loop).
    pub(super) concurrency: u32,
    /// Open-loop rate in ops/s; 0 for closed loop.
    pub(super) rate: f64,
}

impl Scenario {
    /// The workload column of the results: the workload, and the rate in open loop.
    pub(super) fn label(&self) -> String {
        if self.rate > 0.0 {
            format!("{} at {:.0} ops/s (open loop)", self.workload, self.rate)
        } else {
            self.workload.to_owned()
        }
    }
}

/// The matrix: get and set at concurrency 1 and 64 on every topology; on 1 member also the
/// mix (40 % get, 40 % set, 20 % remove) at 64, an open-loop get (latency at a fixed load,
/// from each operation's intended start, so a stall is not hidden by the loop waiting), get
/// and set of a Compact record at 1 and 64, and queue offer/poll and topic publish at 64.
pub(super) fn scenarios(members: usize) -> Vec<Scenario> {
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
        for workload in ["compact-get", "compact-set"] {
            for concurrency in CONCURRENCY {
                v.push(Scenario {
                    workload,
                    concurrency,
                    rate: 0.0,
                });
            }
        }
        for workload in ["queue", "topic"] {
            v.push(Scenario {
                workload,
                concurrency: 64,
                rate: 0.0,
            });
        }
    }
    v
}

/// The scenarios of `members` that `--workloads` selects.
pub(super) fn selected(o: &Opts, members: usize) -> Vec<Scenario> {
    scenarios(members)
        .into_iter()
        .filter(|sc| o.workloads.iter().any(|w| w == sc.workload))
        .collect()
}

/// Whether `driver` runs `sc` (the wire-limit driver runs closed-loop map workloads only; the
/// structure cells have Rust and Java drivers only).
pub(super) fn runs(driver: &str, sc: &Scenario) -> bool {
    if STRUCTURE_WORKLOADS.contains(&sc.workload) {
        return STRUCTURE_DRIVERS.contains(&driver);
    }
    !(driver == "wire" && sc.rate > 0.0)
}

pub(super) struct Opts {
    pub(super) quick: bool,
    pub(super) rounds: usize,
    pub(super) warmup: f64,
    pub(super) duration: f64,
    pub(super) drivers: Vec<String>,
    pub(super) topologies: Vec<usize>,
    /// `--baseline REV`: also run the Rust load generator built at this git revision.
    pub(super) baseline: Option<String>,
    /// The workloads to run (`--workloads`; all by default).
    pub(super) workloads: Vec<String>,
    pub(super) version: Option<String>,
    pub(super) keys: usize,
    /// The options as given, for the report's "re-run it" line.
    pub(super) given: String,
    /// The page's name under `docs/` (`--out`): `benchmarks` for the whole matrix, and by
    /// default `benchmarks-partial` for a filtered run, so a partial run never replaces the
    /// page of a full one. The charts go to `docs/<out>/`.
    pub(super) out: String,
}

impl Opts {
    /// What a filtered run leaves out, one entry per filter (empty for the whole matrix).
    pub(super) fn partial_selection(&self) -> Vec<String> {
        [
            (
                self.topologies != [1, 3],
                format!("members {:?}", self.topologies),
            ),
            (
                self.drivers.len() != DRIVERS.len(),
                format!("drivers {}", self.drivers.join(", ")),
            ),
            (
                self.workloads.len() != ALL_WORKLOADS.len(),
                format!("workloads {}", self.workloads.join(", ")),
            ),
        ]
        .into_iter()
        .filter_map(|(filtered, what)| filtered.then_some(what))
        .collect()
    }
}

pub(super) fn parse(args: &[String]) -> Result<Opts, String> {
    let quick = args.iter().any(|a| a == "--quick");
    let mut o = Opts {
        quick,
        rounds: if quick { 2 } else { 3 },
        warmup: if quick { 2.0 } else { 10.0 },
        duration: if quick { 3.0 } else { 20.0 },
        drivers: DRIVERS.iter().map(|s| (*s).to_owned()).collect(),
        topologies: vec![1, 3],
        workloads: ALL_WORKLOADS.iter().map(|s| (*s).to_owned()).collect(),
        baseline: None,
        version: None,
        keys: 10_000,
        given: args.iter().map(|a| format!(" {a}")).collect(),
        out: String::new(),
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
            "--workloads" => {
                o.workloads = value(a)?.split(',').map(str::to_owned).collect();
                if let Some(w) = o.workloads.iter().find(|w| !ALL_WORKLOADS.contains(&w.as_str())) {
                    return Err(format!(
                        "--workloads: unknown workload {w:?} ({})",
                        ALL_WORKLOADS.join(", ")
                    ));
                }
            }
            "--version" => o.version = Some(value(a)?),
            "--baseline" => o.baseline = Some(value(a)?),
            "--out" => {
                let out = value(a)?;
                if out.is_empty()
                    || !out
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    return Err(format!(
                        "--out: {out:?} is not a page name (letters, digits, - and _)"
                    ));
                }
                o.out = out;
            }
            other => {
                return Err(format!(
                    "unknown option {other:?}\nusage: cargo xtask bench [--quick] \
                [--rounds N] [--warmup S] [--duration S] [--drivers rust,wire,java,python,go] \
                [--members 1,3] [--workloads {}] [--baseline REV] [--version V] [--out NAME]",
                    ALL_WORKLOADS.join(",")
                ));
            }
        }
    }
    if o.out.is_empty() {
        o.out = if o.partial_selection().is_empty() {
            "benchmarks".to_owned()
        } else {
            "benchmarks-partial".to_owned()
        };
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(args: &str) -> Result<Opts, String> {
        let args: Vec<String> = args.split_whitespace().map(str::to_owned).collect();
        parse(&args)
    }

    #[test]
    fn a_partial_run_does_not_replace_the_full_page() {
        assert_eq!(opts("--quick").expect("valid").out, "benchmarks");
        assert_eq!(
            opts("--workloads queue").expect("valid").out,
            "benchmarks-partial"
        );
        assert_eq!(opts("--members 1").expect("valid").out, "benchmarks-partial");
        assert_eq!(opts("--members 1 --out mine").expect("valid").out, "mine");
        assert!(opts("--out ../x").is_err());
    }

    #[test]
    fn workloads_select_the_cells() {
        let o = opts("--workloads queue,compact-get").expect("valid");
        let cells: Vec<(&str, u32)> = selected(&o, 1)
            .iter()
            .map(|sc| (sc.workload, sc.concurrency))
            .collect();
        assert_eq!(cells, [("compact-get", 1), ("compact-get", 64), ("queue", 64)]);
        // The structure cells are 1-member cells.
        assert!(selected(&o, 3).is_empty());
        assert!(opts("--workloads scan").is_err());
    }

    #[test]
    fn only_rust_baseline_and_java_run_the_structure_cells() {
        let o = opts("--baseline HEAD~1").expect("valid");
        assert_eq!(o.baseline.as_deref(), Some("HEAD~1"));
        let topic = selected(&o, 1)
            .into_iter()
            .find(|sc| sc.workload == "topic")
            .expect("a topic cell");
        let drivers: Vec<&str> = REPORT_DRIVERS.into_iter().filter(|d| runs(d, &topic)).collect();
        assert_eq!(drivers, ["rust", "baseline", "java"]);
        let open_loop = selected(&o, 1)
            .into_iter()
            .find(|sc| sc.rate > 0.0)
            .expect("the open-loop cell");
        assert!(!runs("wire", &open_loop) && runs("python", &open_loop));
    }
}
