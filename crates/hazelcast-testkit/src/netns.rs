//! Members with a private and a public address: [`NetNs`] and
//! [`PublicAddressCluster`].
//!
//! [`PublicAddressCluster::start`] creates a network namespace with a veth pair to the root
//! namespace (`10.77.X.1/30` outside ↔ `10.77.X.2/30` inside, a free `/30` per namespace), and
//! starts the members **inside** it (`ip netns exec <ns> java …`) with:
//!
//! * interface `127.0.0.1`, `hazelcast.socket.bind.any=true` (so they also listen on
//!   `10.77.X.2`), `hazelcast.discovery.enabled=true`, tcp-ip off;
//! * the project's Discovery SPI strategy `it.hz.StaticPublicDiscovery`
//!   (`crates/hazelcast-testkit/java/`, compiled at run time with `javac --release 17` against the
//!   member jar into the jar cache) mapping `127.0.0.1:<port>` → `10.77.X.2:<port>`.
//!
//! Members then advertise `address = 127.0.0.1:<port>` and `(CLIENT, "public") →
//! 10.77.X.2:<port>`. From the test process (root namespace), the public address is reachable and
//! the private one is not: nothing listens on those loopback ports there, because they are
//! reserved by the test kit's port allocator for the cluster's lifetime.
//!
//! Building the topology needs `CAP_SYS_ADMIN` + `CAP_NET_ADMIN` over the test process's network
//! namespace, iproute2's `ip` and `javac`. Tests start with [`netns_test`], which picks where:
//!
//! * as root, in the test process itself ([`NetnsMode::Here`]);
//! * otherwise, where the kernel allows unprivileged user namespaces, in a **child**: the test
//!   binary runs the one test again inside `unshare --user --map-root-user --net --mount`, where it
//!   is root of a private network namespace (loopback only, a tmpfs on `/run` for `ip netns`),
//!   builds the same topology there and reaches the members' public address over the veth pair
//!   exactly as the root path does ([`NetnsMode::UserNamespace`]); the member jar and the
//!   discovery classes are fetched first, since the child has no network beyond its namespaces;
//! * otherwise the test skips with one `SKIPPED: <test>: <reason>` line on stderr
//!   ([`report_skip`](crate::report_skip)), which `.ci/run` turns into a failed run.
//!
//! Namespaces are named `hzt-<pid>-<seq>` and deleted on drop (the veth pair goes with them);
//! namespaces of dead test processes are swept on the next [`NetNs::create`].
//!
//! ```no_run
//! use hazelcast_testkit::ClusterConfig;
//! use hazelcast_testkit::netns::PublicAddressCluster;
//!
//! let cluster = PublicAddressCluster::start(ClusterConfig::new().members(2))?;
//! let public = cluster.public_address(0); // 10.77.X.2:<port>, reachable
//! let private = cluster.private_address(0); // 127.0.0.1:<port>, refused in the root namespace
//! # let _ = (public, private);
//! # Ok::<(), hazelcast_testkit::netns::NetnsError>(())
//! ```

use std::fs::{self, File, OpenOptions};
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::cluster::Cluster;
use crate::config::ClusterConfig;
use crate::error::{IoContext, TestkitError};
use crate::{fetch, javac, sys};

/// The strategy's Java source (project-owned test scaffolding).
const STRATEGY_SOURCE: &str = include_str!("../java/it/hz/StaticPublicDiscovery.java");
/// The strategy class named in the member XML.
pub const STRATEGY_CLASS: &str = "it.hz.StaticPublicDiscovery";
/// The service file that registers the strategy's factory.
const SERVICE_FILE: &str = "META-INF/services/com.hazelcast.spi.discovery.DiscoveryStrategyFactory";
/// Prefix of every namespace the test kit creates.
const NS_PREFIX: &str = "hzt-";
/// Number of `/30` subnets of 10.77.0.0/16 handed out.
const SUBNETS: u32 = 1 << 14;

/// Failures of the namespace set-up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetnsError {
    /// Network namespaces cannot be used here; says what is missing (privileges, iproute2 …).
    #[error("network namespaces cannot be used here: {missing}")]
    Unavailable {
        /// What is missing.
        missing: String,
    },
    /// The test, run again inside a user namespace ([`NetnsMode::UserNamespace`]), failed.
    #[error("the test failed inside its user namespace ({status}); its output:\n{output}")]
    ChildFailed {
        /// The child's exit status.
        status: String,
        /// The tail of the child's output.
        output: String,
    },
    /// The test, run again inside a user namespace, did not finish in time.
    #[error("the test did not finish inside its user namespace within {0:?}")]
    ChildTimedOut(Duration),
    /// Starting or driving the members failed.
    #[error(transparent)]
    Testkit(#[from] TestkitError),
}

/// Where a test that needs network namespaces can build them (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetnsMode {
    /// In this process: it is root (also: root of the kit's user namespace, in the child).
    Here,
    /// Not root, but unprivileged user namespaces work: the test runs again in a child inside
    /// `unshare --user --map-root-user --net --mount`.
    UserNamespace,
    /// Neither; why.
    Unavailable(String),
}

/// Whether `program args…` runs and exits successfully.
fn succeeds(program: &str, args: &[&str]) -> Result<bool, io::Error> {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
}

/// The unshare arguments of the child's namespaces.
const UNSHARE_ARGS: [&str; 5] = ["--user", "--map-root-user", "--net", "--mount", "--"];

/// Decides (once per process) where this process can build network namespaces.
pub fn netns_mode() -> NetnsMode {
    static MODE: OnceLock<NetnsMode> = OnceLock::new();
    MODE.get_or_init(|| {
        if !matches!(succeeds("ip", &["-V"]), Ok(true)) {
            return NetnsMode::Unavailable("iproute2's `ip` program is not installed".into());
        }
        let root = sys::effective_uid() == 0;
        let unshare_net = succeeds("unshare", &["--net", "true"]);
        if let Err(e) = &unshare_net {
            return NetnsMode::Unavailable(format!("util-linux's `unshare` program cannot be run ({e})"));
        }
        if root && matches!(unshare_net, Ok(true)) {
            return NetnsMode::Here;
        }
        let mut args: Vec<&str> = UNSHARE_ARGS.to_vec();
        args.push("true");
        if matches!(succeeds("unshare", &args), Ok(true)) {
            return NetnsMode::UserNamespace;
        }
        NetnsMode::Unavailable(if root {
            "this root process may not create network namespaces (no CAP_SYS_ADMIN?) and \
             unprivileged user namespaces are not allowed either"
                .into()
        } else {
            "not root, and the kernel does not allow unprivileged user namespaces \
             (`unshare --user --map-root-user --net --mount true` fails)"
                .into()
        })
    })
    .clone()
}

/// What [`netns_test`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetnsTest {
    /// Run the test's body in this process.
    RunHere,
    /// The test ran (and passed) in a child inside a user namespace; the caller returns.
    PassedInChild,
    /// Network namespaces are unavailable; the `SKIPPED:` line was written; the caller returns.
    Skipped(String),
}

/// How long the child of [`NetnsMode::UserNamespace`] may run.
const CHILD_TIMEOUT: Duration = Duration::from_secs(600);

/// The start of every test that builds network namespaces: decides where it runs (see the
/// module docs). `test` is the test's path in its binary as the harness knows it (`name`,
/// `module::name`), used to run exactly that test again in the child.
///
/// Blocks while the child runs (call it through `spawn_blocking` from async tests). Before
/// starting the child it makes sure the default member jar and the discovery classes are in
/// the cache, because the child has no network beyond its own namespaces.
///
/// ```no_run
/// use hazelcast_testkit::netns::{NetnsTest, netns_test};
///
/// #[test]
/// fn members_in_a_namespace() {
///     match netns_test("members_in_a_namespace").expect("network namespaces") {
///         NetnsTest::RunHere => {}
///         _ => return,
///     }
///     // … PublicAddressCluster::start(…) …
/// }
/// ```
pub fn netns_test(test: &str) -> Result<NetnsTest, NetnsError> {
    match netns_mode() {
        NetnsMode::Here => Ok(NetnsTest::RunHere),
        NetnsMode::Unavailable(reason) => {
            crate::report_skip(test, &format!("needs network namespaces: {reason}"));
            Ok(NetnsTest::Skipped(reason))
        }
        NetnsMode::UserNamespace => {
            let jar = fetch::ensure_member_jar(&fetch::default_version())?;
            ensure_public_discovery_classes(&jar)?;
            run_in_user_namespace(test)?;
            Ok(NetnsTest::PassedInChild)
        }
    }
}

/// Runs `<this test binary> <test> --exact` inside `unshare --user --map-root-user --net
/// --mount` with a tmpfs on `/run` (so `ip netns add` can create `/run/netns`) and loopback up.
fn run_in_user_namespace(test: &str) -> Result<(), NetnsError> {
    let exe = std::env::current_exe().ctx(|| "locating the test binary".to_owned())?;
    let mut command = Command::new("unshare");
    command
        .args(UNSHARE_ARGS)
        .args([
            "sh",
            "-c",
            "mount -t tmpfs -o mode=0755 hz-run /run && ip link set lo up && exec \"$0\" \"$@\"",
        ])
        .arg(&exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = crate::spawner::spawn(command)?.ctx(|| "starting unshare".to_owned())?;
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(CHILD_TIMEOUT) {
        Ok(out) => out.ctx(|| "waiting for the test in its user namespace".to_owned())?,
        Err(_) => {
            // The child is still ours (not reaped: the waiting thread holds it).
            let _ = sys::send_signal(pid, libc::SIGKILL);
            return Err(NetnsError::ChildTimedOut(CHILD_TIMEOUT));
        }
    };
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    // Shown with the test's output (on failure, or with --nocapture).
    eprintln!("---- {test} inside its user namespace ----\n{text}\n---- end ----");
    for line in text.lines().filter(|l| l.starts_with("SKIPPED: ")) {
        crate::skip::write_line(line);
    }
    let ran = text.contains("test result: ok. 1 passed");
    if !out.status.success() || !ran {
        return Err(NetnsError::ChildFailed {
            status: if ran {
                out.status.to_string()
            } else {
                format!("{}, and not exactly 1 test passed", out.status)
            },
            output: fetch::tail_lines(&text, 80),
        });
    }
    Ok(())
}

fn run_ip(args: &[&str]) -> Result<Output, NetnsError> {
    Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => NetnsError::Unavailable {
                missing: "the `ip` program (iproute2) is not installed".into(),
            },
            _ => NetnsError::Testkit(TestkitError::io(format!("running ip {}", args.join(" ")), e)),
        })
}

/// Runs `ip args…`; a failure becomes `Unavailable` when it looks like missing privileges.
fn ip(args: &[&str]) -> Result<(), NetnsError> {
    let out = run_ip(args)?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    let command = format!("ip {}", args.join(" "));
    if stderr.contains("Operation not permitted") || stderr.contains("Permission denied") {
        return Err(NetnsError::Unavailable {
            missing: format!("privileges (`{command}` failed: {stderr})"),
        });
    }
    Err(NetnsError::Testkit(TestkitError::io(
        format!("`{command}` failed: {stderr}"),
        io::Error::other(stderr.clone()),
    )))
}

/// A network namespace with a veth pair to the root namespace, deleted on drop.
#[derive(Debug)]
pub struct NetNs {
    name: String,
    host_if: String,
    host_ip: Ipv4Addr,
    ns_ip: Ipv4Addr,
    _subnet_lock: File,
}

impl NetNs {
    /// Creates `hzt-<pid>-<seq>` with a veth pair on a free `10.77.X.0/30`: `10.77.X.1` in the
    /// root namespace, `10.77.X.2` inside, and `lo` up inside.
    pub fn create() -> Result<NetNs, NetnsError> {
        sweep_stale_namespaces();
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        let pid = std::process::id();
        let name = format!("{NS_PREFIX}{pid}-{seq}");
        // Interface names have at most 15 characters.
        let host_if = format!("hz{pid}x{seq}h");
        let ns_if = format!("hz{pid}x{seq}n");
        // First the step that needs privileges, so a missing one is reported as such.
        ip(&["netns", "add", &name])?;
        let (index, lock) = match reserve_subnet() {
            Ok(reserved) => reserved,
            Err(e) => {
                let _ = run_ip(&["netns", "del", &name]);
                return Err(e);
            }
        };
        let base = 0x0A4D_0000u32 + index * 4; // 10.77.0.0 + 4 * index
        let host_ip = Ipv4Addr::from(base + 1);
        let ns_ip = Ipv4Addr::from(base + 2);
        let netns = NetNs {
            name,
            host_if,
            host_ip,
            ns_ip,
            _subnet_lock: lock,
        };
        // On any error below, dropping `netns` deletes the namespace and the veth pair.
        let host_cidr = format!("{host_ip}/30");
        let ns_cidr = format!("{ns_ip}/30");
        let name = netns.name.as_str();
        let host_if = netns.host_if.as_str();
        ip(&["link", "add", host_if, "type", "veth", "peer", "name", &ns_if])?;
        ip(&["link", "set", &ns_if, "netns", name])?;
        ip(&["addr", "add", &host_cidr, "dev", host_if])?;
        ip(&["link", "set", host_if, "up"])?;
        ip(&["-n", name, "addr", "add", &ns_cidr, "dev", &ns_if])?;
        ip(&["-n", name, "link", "set", &ns_if, "up"])?;
        ip(&["-n", name, "link", "set", "lo", "up"])?;
        tracing::debug!(ns = %netns.name, %host_ip, %ns_ip, "created network namespace");
        Ok(netns)
    }

    /// The namespace name (for `ip netns exec`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The root-namespace end of the veth pair (`10.77.X.1`).
    pub fn host_ip(&self) -> Ipv4Addr {
        self.host_ip
    }

    /// The namespace end of the veth pair (`10.77.X.2`): the members' "public" address.
    pub fn ns_ip(&self) -> Ipv4Addr {
        self.ns_ip
    }
}

impl Drop for NetNs {
    fn drop(&mut self) {
        if let Err(e) = ip(&["netns", "del", &self.name]) {
            eprintln!(
                "hazelcast-testkit: could not delete network namespace {}: {e}",
                self.name
            );
        }
        // Normally gone with the namespace (its peer was inside); make sure.
        let _ = run_ip(&["link", "del", &self.host_if]);
    }
}

/// Reserves a `/30` of 10.77.0.0/16 with a lock file, skipping subnets still configured in the
/// root namespace (e.g. by a crashed run whose namespace was not swept).
fn reserve_subnet() -> Result<(u32, File), NetnsError> {
    let dir = std::env::temp_dir().join("hazelcast-testkit-netns");
    fs::create_dir_all(&dir).ctx(|| format!("creating {}", dir.display()))?;
    let in_use = run_ip(&["-o", "-4", "addr", "show"])
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    for index in 0..SUBNETS {
        let host_ip = Ipv4Addr::from(0x0A4D_0000u32 + index * 4 + 1);
        if in_use.contains(&format!(" {host_ip}/")) {
            continue;
        }
        let path = dir.join(format!("{index}.lock"));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .ctx(|| format!("opening {}", path.display()))?;
        if sys::flock_exclusive(&file, false).ctx(|| format!("locking {}", path.display()))? {
            return Ok((index, file));
        }
    }
    Err(NetnsError::Testkit(TestkitError::InvalidConfig(
        "no free 10.77.0.0/16 subnet for a network namespace".into(),
    )))
}

/// Deletes `hzt-<pid>-*` namespaces whose process is gone.
fn sweep_stale_namespaces() {
    let Ok(out) = run_ip(&["netns", "list"]) else {
        return;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Some(name) = line.split_whitespace().next() else {
            continue;
        };
        let Some(pid) = name
            .strip_prefix(NS_PREFIX)
            .and_then(|rest| rest.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !sys::process_exists(pid) {
            tracing::info!(ns = name, "deleting the network namespace of a dead test process");
            let _ = run_ip(&["netns", "del", name]);
        }
    }
}

/// Compiles `it.hz.StaticPublicDiscovery` against `jar` (once per source and jar; shared by
/// concurrent tests and processes) and returns the class directory to put on the member's class
/// path (it holds the service file too).
pub fn ensure_public_discovery_classes(jar: &Path) -> Result<PathBuf, NetnsError> {
    Ok(javac::ensure_classes(
        "static-public-discovery",
        &[javac::JavaSource {
            path: "it/hz/StaticPublicDiscovery.java",
            text: STRATEGY_SOURCE,
        }],
        Some(jar),
        &[(SERVICE_FILE, format!("{STRATEGY_CLASS}$Factory\n"))],
    )?)
}

/// The `<join>` of a member that discovers its peers through `StaticPublicDiscovery`, mapping
/// `127.0.0.1:<port>` of every member to `<public_ip>:<port>`.
pub(crate) fn public_discovery_join(public_ip: Ipv4Addr, members: &[SocketAddr]) -> String {
    let nodes: Vec<String> = members
        .iter()
        .map(|m| format!("{m}={public_ip}:{}", m.port()))
        .collect();
    format!(
        "    <join>\n      <auto-detection enabled=\"false\"/>\n      <multicast enabled=\"false\"/>\n      \
         <tcp-ip enabled=\"false\"/>\n      <discovery-strategies>\n        \
         <discovery-strategy enabled=\"true\" class=\"{STRATEGY_CLASS}\">\n          \
         <properties><property name=\"nodes\">{}</property></properties>\n        \
         </discovery-strategy>\n      </discovery-strategies>\n    </join>\n",
        nodes.join(",")
    )
}

/// Rewrites the generated member XML for a [`PublicAddressCluster`] (no-op for other clusters):
/// the tcp-ip `<join>` becomes the discovery strategy's.
pub(crate) fn adapt_member_xml(config: &ClusterConfig, xml: String, members: &[SocketAddr]) -> String {
    let Some(public_ip) = config.public_discovery_ip else {
        return xml;
    };
    let (Some(start), Some(end)) = (xml.find("    <join>\n"), xml.find("    </join>\n")) else {
        return xml;
    };
    let end = end + "    </join>\n".len();
    format!(
        "{}{}{}",
        &xml[..start],
        public_discovery_join(public_ip, members),
        &xml[end..]
    )
}

/// The command that starts a member JVM: `java`, or `ip netns exec <ns> java` for a cluster in a
/// namespace.
pub(crate) fn member_command(config: &ClusterConfig, java: &Path) -> Command {
    match &config.netns {
        Some(ns) => {
            let mut command = Command::new("ip");
            command.args(["netns", "exec", ns.as_str()]).arg(java);
            command
        }
        None => Command::new(java),
    }
}

/// The member class path: the jar, then any extra entries.
pub(crate) fn member_class_path(config: &ClusterConfig, jar: &Path) -> std::ffi::OsString {
    let mut cp = jar.as_os_str().to_owned();
    for extra in &config.extra_class_path {
        cp.push(":");
        cp.push(extra.as_os_str());
    }
    cp
}

/// A cluster whose members run in their own network namespace and advertise a private
/// (`127.0.0.1:<port>`, unreachable from the test) and a public (`10.77.X.2:<port>`, reachable)
/// address. Dereferences to the [`Cluster`]; dropping it kills the members, then deletes the
/// namespace.
#[derive(Debug)]
pub struct PublicAddressCluster {
    // Field order matters: the members die before the namespace is deleted.
    cluster: Cluster,
    netns: NetNs,
}

impl PublicAddressCluster {
    /// Creates a namespace, compiles the discovery strategy if needed and starts `config`'s
    /// members inside the namespace (see the module docs). Blocks like [`ClusterConfig::start`].
    pub fn start(mut config: ClusterConfig) -> Result<PublicAddressCluster, NetnsError> {
        let netns = NetNs::create()?;
        let version = config.version.clone().unwrap_or_else(fetch::default_version);
        let jar = match &config.jar {
            Some(jar) => jar.clone(),
            None => fetch::ensure_member_jar(&version)?,
        };
        let classes = ensure_public_discovery_classes(&jar)?;
        config.jar = Some(jar);
        config.extra_class_path.push(classes);
        config.netns = Some(netns.name().to_owned());
        config.public_discovery_ip = Some(netns.ns_ip());
        config = config
            .property("hazelcast.discovery.enabled", "true")
            .property("hazelcast.socket.bind.any", "true");
        let cluster = config.start()?;
        Ok(PublicAddressCluster { cluster, netns })
    }

    /// The namespace.
    pub fn netns(&self) -> &NetNs {
        &self.netns
    }

    /// The cluster.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// Member `index`'s public address, `10.77.X.2:<port>` (reachable from the test).
    ///
    /// # Panics
    ///
    /// If `index` is not a member slot of this cluster.
    pub fn public_address(&self, index: usize) -> SocketAddr {
        SocketAddr::V4(SocketAddrV4::new(
            self.netns.ns_ip(),
            self.cluster.address(index).port(),
        ))
    }

    /// The public addresses of all member slots, in index order.
    pub fn public_addresses(&self) -> Vec<SocketAddr> {
        (0..self.cluster.len()).map(|i| self.public_address(i)).collect()
    }

    /// Member `index`'s private address, `127.0.0.1:<port>` (unreachable from the test).
    ///
    /// # Panics
    ///
    /// If `index` is not a member slot of this cluster.
    pub fn private_address(&self, index: usize) -> SocketAddr {
        self.cluster.address(index)
    }
}

impl Deref for PublicAddressCluster {
    type Target = Cluster;

    fn deref(&self) -> &Cluster {
        &self.cluster
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_maps_private_to_public() {
        let members: Vec<SocketAddr> = vec![
            "127.0.0.1:20001".parse().unwrap(),
            "127.0.0.1:20002".parse().unwrap(),
        ];
        let mut config = ClusterConfig::new();
        config.public_discovery_ip = Some(Ipv4Addr::new(10, 77, 0, 2));
        let xml = config.member_xml("c", 20001, &members);
        let xml = adapt_member_xml(&config, xml, &members);
        assert!(xml.contains("<tcp-ip enabled=\"false\"/>"), "{xml}");
        assert!(!xml.contains("<member-list>"), "{xml}");
        assert!(xml.contains(&format!("class=\"{STRATEGY_CLASS}\"")));
        assert!(
            xml.contains("<property name=\"nodes\">127.0.0.1:20001=10.77.0.2:20001,127.0.0.1:20002=10.77.0.2:20002</property>"),
            "{xml}"
        );
        let plain = ClusterConfig::new();
        let xml = plain.member_xml("c", 20001, &members);
        assert_eq!(adapt_member_xml(&plain, xml.clone(), &members), xml);
    }

    #[test]
    fn class_path_and_command() {
        let mut config = ClusterConfig::new();
        config.extra_class_path.push(PathBuf::from("/x/ext"));
        assert_eq!(member_class_path(&config, Path::new("/j.jar")), "/j.jar:/x/ext");
        config.netns = Some("hzt-1-0".into());
        let cmd = member_command(&config, Path::new("/usr/bin/java"));
        assert_eq!(cmd.get_program(), "ip");
        let args: Vec<_> = cmd.get_args().collect();
        assert_eq!(args, ["netns", "exec", "hzt-1-0", "/usr/bin/java"]);
    }
}
