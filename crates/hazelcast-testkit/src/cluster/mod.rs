//! [`Cluster`]: running members, their readiness, and what tests do to them.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use crate::config::{ClusterConfig, DEFAULT_JVM_ARGS};
use crate::error::{IoContext, TestkitError};
use crate::fetch::{self, tail_lines};
use crate::ports::{self, PortLease};
use crate::{spawner, sys};

mod faults;

/// Poll interval of every wait loop.
const POLL: Duration = Duration::from_millis(50);
/// How long [`Cluster::terminate`] waits for a `SIGTERM`ed member before it sends `SIGKILL`.
const TERMINATE_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a pause or resume waits for the kernel to report the new process state.
const SIGNAL_STATE_TIMEOUT: Duration = Duration::from_secs(10);
/// Lines of member log attached to errors.
const LOG_TAIL_LINES: usize = 60;
/// The main class of the member jar.
const MAIN_CLASS: &str = "com.hazelcast.core.server.HazelcastMemberStarter";
/// The `-Dprint.port=` name; the member writes `ports/<name>` once started and joined.
const PRINT_PORT_NAME: &str = "member";
/// Run directories of dead test processes older than this are removed on the next start.
const STALE_RUN_AGE: Duration = Duration::from_secs(3600);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running process of one member.
#[derive(Debug)]
struct Running {
    child: Child,
    pid: u32,
    /// Length of `member.log` when this incarnation started: readiness and member-count checks
    /// only look at what this incarnation wrote.
    log_offset: u64,
}

/// One member slot: fixed port and directory, and the current process if any.
#[derive(Debug)]
struct MemberSlot {
    index: usize,
    addr: SocketAddr,
    dir: PathBuf,
    config_path: PathBuf,
    log_path: PathBuf,
    ports_file: PathBuf,
    process: Mutex<Option<Running>>,
    incarnations: AtomicU64,
    _lease: PortLease,
    /// The client endpoint of a [`ClusterConfig::client_endpoints`] cluster.
    client: Option<ClientEndpoint>,
}

/// A member's separate client endpoint: where it listens for clients and what it advertises.
#[derive(Debug)]
struct ClientEndpoint {
    addr: SocketAddr,
    public: SocketAddr,
    _leases: Vec<PortLease>,
}

impl MemberSlot {
    /// The member's log written since `offset`.
    fn log_since(&self, offset: u64) -> String {
        let mut text = Vec::new();
        if let Ok(mut file) = File::open(&self.log_path)
            && file.seek(SeekFrom::Start(offset)).is_ok()
        {
            let _ = file.read_to_end(&mut text);
        }
        String::from_utf8_lossy(&text).into_owned()
    }

    fn log_tail(&self) -> String {
        tail_lines(&self.log_since(0), LOG_TAIL_LINES)
    }
}

/// The last member count a member logged (`Members {size:N, ver:M} [`), if any.
pub(crate) fn last_member_count(log: &str) -> Option<usize> {
    const MARKER: &str = "Members {size:";
    let at = log.rfind(MARKER)? + MARKER.len();
    let digits: String = log[at..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A cluster of real Hazelcast members running as child processes on 127.0.0.1.
///
/// Members are addressed by their 0-based index (member 0 is started first and is normally the
/// master). Every method takes `&self`, so a `Cluster` can be shared between threads and kept in
/// a `static` (see [`SharedCluster`](crate::SharedCluster)).
///
/// Dropping the cluster kills every member with `SIGKILL`, waits for them, releases the ports and
/// removes the run directory (kept when [`ClusterConfig::keep_logs`] is set, when start-up failed,
/// or when the dropping thread is panicking). Members also receive `SIGKILL` when the test process
/// dies, through `PR_SET_PDEATHSIG`.
#[derive(Debug)]
pub struct Cluster {
    name: String,
    version: String,
    java: PathBuf,
    jar: PathBuf,
    run_dir: PathBuf,
    config: ClusterConfig,
    slots: Mutex<Vec<Arc<MemberSlot>>>,
    startup_time: Duration,
    keep_run_dir: bool,
}

impl Cluster {
    pub(crate) fn start(config: ClusterConfig) -> Result<Cluster, TestkitError> {
        let began = Instant::now();
        if config.members == 0 {
            return Err(TestkitError::InvalidConfig(
                "a cluster needs at least one member".into(),
            ));
        }
        let version = config.version.clone().unwrap_or_else(fetch::default_version);
        fetch::validate_version(&version)?;
        let java = fetch::require_java()?;
        let jar = match &config.jar {
            Some(jar) => jar.clone(),
            None => fetch::ensure_member_jar(&version)?,
        };
        let leases = ports::reserve(config.members)?;

        static SEQ: AtomicU64 = AtomicU64::new(0);
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        let pid = std::process::id();
        let (name, dir_name) = match &config.cluster_name {
            Some(name) => (name.clone(), format!("{}-{pid}-{seq}", sanitize(name))),
            None => {
                let name = format!("tk-{pid}-{seq}-{}", leases[0].port());
                (name.clone(), name)
            }
        };
        let runs = fetch::runs_dir();
        sweep_stale_runs(&runs);
        let run_dir = runs.join(dir_name);
        let _ = fs::remove_dir_all(&run_dir);
        fs::create_dir_all(&run_dir).ctx(|| format!("creating {}", run_dir.display()))?;
        fs::write(run_dir.join("owner.pid"), format!("{pid}\n"))
            .ctx(|| format!("writing {}", run_dir.join("owner.pid").display()))?;

        let mut cluster = Cluster {
            name,
            version,
            java,
            jar,
            run_dir,
            config,
            slots: Mutex::new(Vec::new()),
            startup_time: Duration::ZERO,
            keep_run_dir: true,
        };
        let addrs: Vec<SocketAddr> = leases.iter().map(|l| loopback(l.port())).collect();
        for (index, lease) in leases.into_iter().enumerate() {
            let slot = cluster.make_slot(index, lease, &addrs)?;
            lock(&cluster.slots).push(Arc::new(slot));
        }
        // If anything below fails, dropping `cluster` kills what was started and keeps the logs.
        cluster.start_all()?;
        cluster.startup_time = began.elapsed();
        cluster.keep_run_dir = cluster.config.keep_logs;
        tracing::info!(
            cluster = %cluster.name,
            members = cluster.len(),
            elapsed = ?cluster.startup_time,
            "hazelcast test cluster started"
        );
        Ok(cluster)
    }

    /// Creates the directory and XML config of slot `index`.
    fn make_slot(
        &self,
        index: usize,
        lease: PortLease,
        members: &[SocketAddr],
    ) -> Result<MemberSlot, TestkitError> {
        let dir = self.run_dir.join(format!("m{index}"));
        let ports_dir = dir.join("ports");
        fs::create_dir_all(&ports_dir).ctx(|| format!("creating {}", ports_dir.display()))?;
        let config_path = dir.join("hazelcast.xml");
        let client = if self.config.client_endpoints {
            let leases = ports::reserve(2)?;
            Some(ClientEndpoint {
                addr: loopback(leases[0].port()),
                public: loopback(leases[1].port()),
                _leases: leases,
            })
        } else {
            None
        };
        let xml = match &client {
            Some(c) => self.config.member_xml_with_client_endpoint(
                &self.name,
                lease.port(),
                members,
                c.addr.port(),
                c.public,
            ),
            None => self.config.member_xml(&self.name, lease.port(), members),
        };
        let xml = crate::netns::adapt_member_xml(&self.config, xml, members);
        fs::write(&config_path, xml).ctx(|| format!("writing {}", config_path.display()))?;
        Ok(MemberSlot {
            index,
            addr: loopback(lease.port()),
            log_path: dir.join("member.log"),
            ports_file: ports_dir.join(PRINT_PORT_NAME),
            config_path,
            dir,
            process: Mutex::new(None),
            incarnations: AtomicU64::new(0),
            _lease: lease,
            client,
        })
    }

    /// Member 0 first (it becomes the master), then the rest together, then the member lists.
    fn start_all(&self) -> Result<(), TestkitError> {
        let deadline = Instant::now() + self.config.startup_timeout;
        let slots = lock(&self.slots).clone();
        let Some((first, rest)) = slots.split_first() else {
            return Ok(());
        };
        {
            let mut process = lock(&first.process);
            self.spawn_member(first, &mut process)?;
            self.wait_ready(first, &mut process, deadline)?;
        }
        let mut guards = Vec::with_capacity(rest.len());
        for slot in rest {
            let mut process = lock(&slot.process);
            self.spawn_member(slot, &mut process)?;
            guards.push((slot, process));
        }
        for (slot, process) in &mut guards {
            self.wait_ready(slot, process, deadline)?;
        }
        drop(guards);
        if slots.len() > 1 {
            self.wait_for_size_until(slots.len(), deadline)?;
        }
        Ok(())
    }

    fn slot(&self, index: usize) -> Result<Arc<MemberSlot>, TestkitError> {
        let slots = lock(&self.slots);
        slots.get(index).cloned().ok_or(TestkitError::NoSuchMember {
            index,
            len: slots.len(),
        })
    }

    /// Spawns the member process of `slot` (which must not be running).
    fn spawn_member(&self, slot: &MemberSlot, process: &mut Option<Running>) -> Result<(), TestkitError> {
        match fs::remove_file(&slot.ports_file) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(TestkitError::io(
                    format!("removing {}", slot.ports_file.display()),
                    e,
                ));
            }
        }
        let incarnation = slot.incarnations.fetch_add(1, Ordering::Relaxed) + 1;
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&slot.log_path)
            .ctx(|| format!("opening {}", slot.log_path.display()))?;
        let since_epoch = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        writeln!(
            log,
            "=== hazelcast-testkit: starting member {} (run {incarnation}) on {} at unix time {:.3} ===",
            slot.index,
            slot.addr,
            since_epoch.as_secs_f64()
        )
        .ctx(|| format!("writing {}", slot.log_path.display()))?;
        let log_offset = log
            .metadata()
            .map(|m| m.len())
            .ctx(|| format!("reading {}", slot.log_path.display()))?;
        let stderr = log
            .try_clone()
            .ctx(|| format!("cloning {}", slot.log_path.display()))?;

        let mut command: Command = crate::netns::member_command(&self.config, &self.java);
        command
            .args(DEFAULT_JVM_ARGS)
            .arg(format!(
                "-Dhazelcast.config={}",
                absolute(&slot.config_path).display()
            ))
            .arg(format!("-Dprint.port={PRINT_PORT_NAME}"))
            .args(&self.config.jvm_args)
            .arg("-cp")
            .arg(crate::netns::member_class_path(
                &self.config,
                &absolute(&self.jar),
            ))
            .arg(MAIN_CLASS)
            .current_dir(&slot.dir)
            .env("HZ_PHONE_HOME_ENABLED", "false")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(stderr));
        let child = match spawner::spawn(command)? {
            Ok(child) => child,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(TestkitError::JavaNotFound {
                    program: self.java.clone(),
                });
            }
            Err(e) => return Err(TestkitError::io(format!("spawning member {}", slot.index), e)),
        };
        let pid = child.id();
        tracing::debug!(cluster = %self.name, member = slot.index, pid, addr = %slot.addr, "spawned member");
        *process = Some(Running {
            child,
            pid,
            log_offset,
        });
        Ok(())
    }

    /// Waits until the member wrote its ports file or logged `is STARTED`.
    fn wait_ready(
        &self,
        slot: &MemberSlot,
        process: &mut Option<Running>,
        deadline: Instant,
    ) -> Result<(), TestkitError> {
        let began = Instant::now();
        loop {
            let Some(running) = process.as_mut() else {
                return Err(TestkitError::NotRunning { index: slot.index });
            };
            if let Some(status) = running
                .child
                .try_wait()
                .ctx(|| format!("waiting for member {}", slot.index))?
            {
                *process = None;
                return Err(TestkitError::MemberExited {
                    index: slot.index,
                    status: status.to_string(),
                    log_tail: slot.log_tail(),
                });
            }
            if slot.ports_file.exists() || slot.log_since(running.log_offset).contains(" is STARTED") {
                tracing::debug!(cluster = %self.name, member = slot.index, elapsed = ?began.elapsed(), "member ready");
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(TestkitError::ReadinessTimeout {
                    index: slot.index,
                    waited: began.elapsed(),
                    waiting_for: "`is STARTED` in the log or the print.port file".into(),
                    log_tail: slot.log_tail(),
                });
            }
            std::thread::sleep(POLL);
        }
    }

    /// The last member count the current process of `slot` logged (`None` if not running).
    fn seen_size(slot: &MemberSlot) -> Option<usize> {
        let process = lock(&slot.process);
        let running = process.as_ref()?;
        last_member_count(&slot.log_since(running.log_offset))
    }

    fn wait_for_size_until(&self, expected: usize, deadline: Instant) -> Result<(), TestkitError> {
        let began = Instant::now();
        loop {
            let slots = lock(&self.slots).clone();
            let running: Vec<&Arc<MemberSlot>> = slots.iter().filter(|s| self.slot_running(s)).collect();
            let seen: Vec<Option<usize>> = slots.iter().map(|s| Self::seen_size(s)).collect();
            let disagreeing = running.iter().find(|s| seen[s.index] != Some(expected));
            match disagreeing {
                None if !running.is_empty() => return Ok(()),
                _ if Instant::now() < deadline => std::thread::sleep(POLL),
                other => {
                    let index = other.map_or(0, |s| s.index);
                    let log_tail = slots.get(index).map(|s| s.log_tail()).unwrap_or_default();
                    return Err(TestkitError::ClusterSizeTimeout {
                        expected,
                        waited: began.elapsed(),
                        seen,
                        index,
                        log_tail,
                    });
                }
            }
        }
    }

    fn slot_running(&self, slot: &MemberSlot) -> bool {
        let mut process = lock(&slot.process);
        match process.as_mut().map(|r| r.child.try_wait()) {
            Some(Ok(None)) => true,
            Some(Ok(Some(_))) => {
                *process = None;
                false
            }
            Some(Err(_)) | None => false,
        }
    }

    /// The cluster name members were configured with (clients must use the same name).
    pub fn cluster_name(&self) -> &str {
        &self.name
    }

    /// The Hazelcast member version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The member jar in use.
    pub fn jar_path(&self) -> &Path {
        &self.jar
    }

    /// The number of member slots (running or not).
    pub fn len(&self) -> usize {
        lock(&self.slots).len()
    }

    /// Whether the cluster has no member slots (never true for a started cluster).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How long [`ClusterConfig::start`] took (including a jar download, if one was needed).
    pub fn startup_time(&self) -> Duration {
        self.startup_time
    }

    /// The directory holding the cluster's configs and logs (`m<index>/member.log`).
    pub fn run_dir(&self) -> &Path {
        &self.run_dir
    }

    /// The address member `index` listens on (`127.0.0.1:<port>`); fixed for the slot's life,
    /// including across restarts.
    ///
    /// # Panics
    ///
    /// If `index` is not a member slot of this cluster.
    pub fn address(&self, index: usize) -> SocketAddr {
        match self.slot(index) {
            Ok(slot) => slot.addr,
            Err(e) => panic!("{e}"),
        }
    }

    /// Where member `index` accepts clients: its separate client endpoint with
    /// [`ClusterConfig::client_endpoints`], else its member address.
    ///
    /// # Panics
    ///
    /// If `index` is not a member slot of this cluster.
    pub fn client_address(&self, index: usize) -> SocketAddr {
        match self.slot(index) {
            Ok(slot) => slot.client.as_ref().map_or(slot.addr, |c| c.addr),
            Err(e) => panic!("{e}"),
        }
    }

    /// [`client_address`](Cluster::client_address) of every member slot, in index order.
    pub fn client_addresses(&self) -> Vec<SocketAddr> {
        lock(&self.slots)
            .iter()
            .map(|s| s.client.as_ref().map_or(s.addr, |c| c.addr))
            .collect()
    }

    /// The public address member `index` advertises to clients with
    /// [`ClusterConfig::client_endpoints`] (where a TLS proxy should listen); `None` otherwise
    /// or for an invalid index.
    pub fn public_client_address(&self, index: usize) -> Option<SocketAddr> {
        self.slot(index).ok()?.client.as_ref().map(|c| c.public)
    }

    /// [`public_client_address`](Cluster::public_client_address) of every member slot (empty
    /// without [`ClusterConfig::client_endpoints`]).
    pub fn public_client_addresses(&self) -> Vec<SocketAddr> {
        lock(&self.slots)
            .iter()
            .filter_map(|s| s.client.as_ref().map(|c| c.public))
            .collect()
    }

    /// The addresses of all member slots, running or not, in index order.
    pub fn addresses(&self) -> Vec<SocketAddr> {
        lock(&self.slots).iter().map(|s| s.addr).collect()
    }

    /// The addresses of the members whose process is currently running.
    pub fn running_addresses(&self) -> Vec<SocketAddr> {
        let slots = lock(&self.slots).clone();
        slots
            .iter()
            .filter(|s| self.slot_running(s))
            .map(|s| s.addr)
            .collect()
    }

    /// The pid of member `index`, or `None` if it is not running (or the index is invalid).
    pub fn pid(&self, index: usize) -> Option<u32> {
        let slot = self.slot(index).ok()?;
        if !self.slot_running(&slot) {
            return None;
        }
        lock(&slot.process).as_ref().map(|r| r.pid)
    }

    /// The log file of member `index` (stdout and stderr of every run of that member, each run
    /// starting with a `=== hazelcast-testkit: starting member …` line).
    ///
    /// # Panics
    ///
    /// If `index` is not a member slot of this cluster.
    pub fn log_path(&self, index: usize) -> PathBuf {
        match self.slot(index) {
            Ok(slot) => slot.log_path.clone(),
            Err(e) => panic!("{e}"),
        }
    }

    /// What the current run of member `index` has logged so far (empty if not running).
    pub fn log(&self, index: usize) -> String {
        let Ok(slot) = self.slot(index) else {
            return String::new();
        };
        let offset = lock(&slot.process).as_ref().map(|r| r.log_offset);
        offset.map(|o| slot.log_since(o)).unwrap_or_default()
    }

    /// The last `lines` lines of member `index`'s whole log file.
    pub fn log_tail(&self, index: usize, lines: usize) -> String {
        self.slot(index)
            .map(|s| tail_lines(&s.log_since(0), lines))
            .unwrap_or_default()
    }

    /// The member count the current run of member `index` last logged (`Members {size:N`), or
    /// `None` if it is not running or has not logged a member list yet.
    pub fn member_count_seen(&self, index: usize) -> Option<usize> {
        self.slot(index).ok().and_then(|s| Self::seen_size(&s))
    }

    /// Whether the process of member `index` is running (a paused member counts as running).
    pub fn is_running(&self, index: usize) -> bool {
        self.slot(index).is_ok_and(|s| self.slot_running(&s))
    }

    /// Waits until every running member's latest member list has `expected` members.
    pub fn wait_for_cluster_size(&self, expected: usize, timeout: Duration) -> Result<(), TestkitError> {
        self.wait_for_size_until(expected, Instant::now() + timeout)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.kill_all();
        let keep = self.keep_run_dir || std::thread::panicking();
        if keep {
            eprintln!(
                "hazelcast-testkit: logs of cluster {} kept in {}",
                self.name,
                self.run_dir.display()
            );
        } else {
            let _ = fs::remove_dir_all(&self.run_dir);
        }
    }
}

fn kill_and_reap(running: &mut Running) -> io::Result<()> {
    if running.child.try_wait()?.is_none() {
        running.child.kill()?;
    }
    running.child.wait().map(|_| ())
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port))
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Keeps `[A-Za-z0-9._-]`, replaces everything else with `_`.
fn sanitize(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() || cleaned.starts_with('.') {
        format!("c{cleaned}")
    } else {
        cleaned
    }
}

/// The state letter of `/proc/<pid>/stat` (`R`, `S`, `T`, `Z`, …), `None` if the process is gone.
pub(crate) fn process_state(pid: u32) -> Option<char> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may contain spaces; the state follows the last ')'.
    stat[stat.rfind(')')? + 1..].trim_start().chars().next()
}

/// Removes run directories of test processes that are gone, once they are older than an hour.
fn sweep_stale_runs(runs: &Path) {
    let Ok(entries) = fs::read_dir(runs) else {
        return;
    };
    for entry in entries.flatten() {
        let dir = entry.path();
        let Ok(owner) = fs::read_to_string(dir.join("owner.pid")) else {
            continue;
        };
        let Ok(pid) = owner.trim().parse::<u32>() else {
            continue;
        };
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_RUN_AGE);
        if old && pid != std::process::id() && !sys::process_exists(pid) {
            let _ = fs::remove_dir_all(&dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_last_member_count() {
        let log = "Members {size:1, ver:1} [\n\tMember [127.0.0.1]:1 this\n]\n\
                   ...\nMembers {size:3, ver:3} [\n]\n";
        assert_eq!(last_member_count(log), Some(3));
        assert_eq!(last_member_count("nothing"), None);
        assert_eq!(last_member_count("Members {size:12, ver:20} ["), Some(12));
    }

    #[test]
    fn sanitizes_names() {
        assert_eq!(sanitize("my cluster/1"), "my_cluster_1");
        assert_eq!(sanitize(".."), "c..");
        assert_eq!(sanitize(""), "c");
    }

    #[test]
    fn reads_own_process_state() {
        let state = process_state(std::process::id()).unwrap();
        assert!(matches!(state, 'R' | 'S'), "{state}");
    }
}
