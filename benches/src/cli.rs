//! The command line shared by every driver (Rust, wire limit, and the Java, Python and Go peers).
//!
//! ```text
//! --members 127.0.0.1:5701,127.0.0.1:5702   member addresses (default 127.0.0.1:5701)
//! --cluster-name dev                        cluster name
//! --workload get|put|set|mix                mix = 40 % get, 40 % set, 20 % remove
//!            compact-get|compact-set          get / set of a 10-field Compact record value
//!            queue                            half the workers offer, half poll (1 s timeout)
//!            topic                            every worker publishes; one listener on the
//!                                             same client counts what it receives
//! --concurrency 64                          operations in flight (closed loop), or the most in
//!                                           flight (open loop)
//! --rate 0                                  0: closed loop; R > 0: open loop at R ops/s,
//!                                           latency from each operation's intended send time
//! --keys 10000 --value-size 100             key space (keys "k-<i>"), value = string of N bytes
//! --warmup 5 --duration 10                  seconds; only the measured window is reported
//! --map bench                               map name (the queue's or topic's for those)
//! --seed 42                                 random key choice
//! --progress 1                              seconds between progress lines on stderr (0: none)
//! --prefill                                 set every key before the warm-up
//! --threads 1                               runtime worker threads (Rust drivers)
//! ```

use std::time::Duration;

/// The workload: which operation each request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// `Map.Get` of a random key.
    Get,
    /// `Map.Put` (returns the old value).
    Put,
    /// `Map.Set` (no old value travels back).
    Set,
    /// 40 % get, 40 % set, 20 % remove.
    Mix,
    /// `Map.Get` of a random key whose value is a 10-field Compact record.
    CompactGet,
    /// `Map.Set` of a 10-field Compact record.
    CompactSet,
    /// Queue offer (even workers) and poll with a 1 s timeout (odd workers).
    Queue,
    /// Topic publish from every worker; one listener on the same client counts the messages.
    Topic,
}

impl Workload {
    /// The name on the command line and in the report.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Get => "get",
            Workload::Put => "put",
            Workload::Set => "set",
            Workload::Mix => "mix",
            Workload::CompactGet => "compact-get",
            Workload::CompactSet => "compact-set",
            Workload::Queue => "queue",
            Workload::Topic => "topic",
        }
    }

    /// Every workload, in the order of the usage text.
    pub const ALL: [Workload; 8] = [
        Workload::Get,
        Workload::Put,
        Workload::Set,
        Workload::Mix,
        Workload::CompactGet,
        Workload::CompactSet,
        Workload::Queue,
        Workload::Topic,
    ];

    /// The workload named `name` on the command line.
    pub fn from_name(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }

    /// True for the workloads on a map of Compact records.
    pub fn is_compact(self) -> bool {
        matches!(self, Workload::CompactGet | Workload::CompactSet)
    }
}

/// Options of one run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Member addresses, `host:port`.
    pub members: Vec<String>,
    /// Cluster name.
    pub cluster_name: String,
    /// The workload.
    pub workload: Workload,
    /// Operations in flight.
    pub concurrency: usize,
    /// Open-loop rate in operations per second; 0 for closed loop.
    pub rate: f64,
    /// Number of distinct keys.
    pub keys: usize,
    /// Value size in bytes.
    pub value_size: usize,
    /// Warm-up, not measured.
    pub warmup: Duration,
    /// Measured window.
    pub duration: Duration,
    /// Map name.
    pub map: String,
    /// Random seed.
    pub seed: u64,
    /// Progress interval (zero: none).
    pub progress: Duration,
    /// Set every key before the warm-up.
    pub prefill: bool,
    /// Only prefill, then exit (no measurement).
    pub prefill_only: bool,
    /// Runtime worker threads.
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            members: vec!["127.0.0.1:5701".into()],
            cluster_name: "dev".into(),
            workload: Workload::Get,
            concurrency: 1,
            rate: 0.0,
            keys: 10_000,
            value_size: 100,
            warmup: Duration::from_secs(5),
            duration: Duration::from_secs(10),
            map: "bench".into(),
            seed: 42,
            progress: Duration::from_secs(1),
            prefill: false,
            prefill_only: false,
            threads: 1,
        }
    }
}

fn secs(v: &str) -> Result<Duration, String> {
    v.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("not a number of seconds: {v:?}"))
}

fn num<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, String> {
    v.parse().map_err(|_| format!("{flag}: not a number: {v:?}"))
}

impl Options {
    /// Parses the arguments (without the program name).
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options::default();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let (flag, inline) = match a.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
                _ => (a.as_str(), None),
            };
            let mut value = || -> Result<String, String> {
                match &inline {
                    Some(v) => Ok(v.clone()),
                    None => it.next().cloned().ok_or_else(|| format!("{flag} needs a value")),
                }
            };
            match flag {
                "--members" => {
                    o.members = value()?
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                }
                "--cluster-name" => o.cluster_name = value()?,
                "--workload" => {
                    let name = value()?;
                    o.workload = Workload::from_name(&name).ok_or_else(|| {
                        format!(
                            "unknown workload {name:?} ({})",
                            Workload::ALL.map(Workload::name).join(", ")
                        )
                    })?;
                }
                "--concurrency" => o.concurrency = num(flag, &value()?)?,
                "--rate" => o.rate = num(flag, &value()?)?,
                "--keys" => o.keys = num(flag, &value()?)?,
                "--value-size" => o.value_size = num(flag, &value()?)?,
                "--warmup" => o.warmup = secs(&value()?)?,
                "--duration" => o.duration = secs(&value()?)?,
                "--map" => o.map = value()?,
                "--seed" => o.seed = num(flag, &value()?)?,
                "--progress" => o.progress = secs(&value()?)?,
                "--threads" => o.threads = num(flag, &value()?)?,
                "--prefill" => o.prefill = true,
                "--prefill-only" => {
                    o.prefill = true;
                    o.prefill_only = true;
                }
                "-h" | "--help" => return Err(USAGE.to_owned()),
                other => return Err(format!("unknown option {other:?}\n{USAGE}")),
            }
        }
        if o.concurrency == 0 || o.keys == 0 || o.members.is_empty() || o.threads == 0 {
            return Err(format!(
                "--concurrency, --keys, --threads and --members must be positive\n{USAGE}"
            ));
        }
        Ok(o)
    }

    /// Parses `std::env::args()`, exiting with the usage on error.
    pub fn from_env() -> Options {
        let args: Vec<String> = std::env::args().skip(1).collect();
        Options::from_args_or_exit(&args)
    }

    /// Parses `args`, exiting with the usage on error.
    pub fn from_args_or_exit(args: &[String]) -> Options {
        match Options::parse(args) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        }
    }

    /// "closed" or "open".
    pub fn mode(&self) -> &'static str {
        if self.rate > 0.0 { "open" } else { "closed" }
    }
}

/// The usage text.
pub const USAGE: &str = "usage: <driver> [--members H:P,…] [--cluster-name N] [--workload get|put|set|mix|compact-get|compact-set|queue|topic] \
[--concurrency C] [--rate R] [--keys N] [--value-size B] [--warmup S] [--duration S] [--map NAME] \
[--seed N] [--progress S] [--prefill] [--prefill-only] [--threads N]";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_flag() {
        let args: Vec<String> = "--members a:1,b:2 --cluster-name c --workload=mix --concurrency 64 \
            --rate 1000 --keys 5 --value-size 10 --warmup 0.5 --duration 2 --map m --seed 7 \
            --progress 0 --prefill --threads 2"
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let o = Options::parse(&args).expect("valid");
        assert_eq!(o.members, vec!["a:1", "b:2"]);
        assert_eq!(o.workload, Workload::Mix);
        assert_eq!(o.concurrency, 64);
        assert_eq!(o.mode(), "open");
        assert_eq!(o.warmup, Duration::from_millis(500));
        assert!(o.prefill && !o.prefill_only);
        assert!(Options::parse(&["--workload".into(), "scan".into()]).is_err());
        for w in Workload::ALL {
            let o = Options::parse(&["--workload".into(), w.name().into()]).expect("known workload");
            assert_eq!(o.workload, w);
        }
    }
}
