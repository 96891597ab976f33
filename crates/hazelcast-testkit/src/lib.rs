//! Real Hazelcast members for the Rust client's tests.
//!
//! This crate starts Hazelcast 5.x **Java members as child processes** on `127.0.0.1`, waits until
//! they are ready, and lets tests kill, terminate, pause, resume and restart them.
//!
//! # Requirements
//!
//! * A JDK 17+ (`$JAVA_HOME/bin/java` and `javac`, else `java` and `javac` on `PATH`); see
//!   [`java_available`]. `javac` compiles the kit's own Java helpers (TLS terminator, discovery
//!   strategy) into the jar cache.
//! * Maven 3.8+ (`mvn`, or the program named by `HZ_MVN`) with access to Maven Central, the first
//!   time a version is used: [`ensure_member_jar`] downloads `com.hazelcast:hazelcast:<version>`
//!   into `<workspace>/target/hz/<version>/` (or `$HZ_CACHE_DIR/<version>/`) and later runs reuse
//!   it. Concurrent tests and processes share one download (file lock + atomic rename).
//! * For the cross-client tests, `python3` with its `pip` module: [`ensure_python_client`]
//!   installs the official `hazelcast-python-client` into `<workspace>/target/hz/py/` (never
//!   system-wide) on first use.
//!
//! # Example
//!
//! ```no_run
//! use std::time::Duration;
//! use hazelcast_testkit::ClusterConfig;
//!
//! # fn main() -> Result<(), hazelcast_testkit::TestkitError> {
//! let cluster = ClusterConfig::new().members(3).backup_count(1).start()?;
//! let seeds = cluster.addresses(); // 127.0.0.1:<port> per member
//! let name = cluster.cluster_name(); // clients must use this cluster name
//!
//! cluster.kill(2)?; // SIGKILL, waits for the process to exit
//! cluster.wait_for_cluster_size(2, Duration::from_secs(30))?;
//! cluster.restart(2)?; // same port, same config; waits until started and joined
//! cluster.wait_for_cluster_size(3, Duration::from_secs(60))?;
//! # let _ = (seeds, name);
//! # Ok(()) }
//! // Dropping `cluster` kills every member, even when the test panics.
//! ```
//!
//! # What a member looks like
//!
//! * Member `i` (0-based) listens on its own free port of 20000–31999 (reserved with lock files in
//!   `$TMPDIR/hazelcast-testkit-ports/` for the life of the [`Cluster`], so tests in other threads
//!   and processes never get the same port), binds and advertises 127.0.0.1 only, and joins with
//!   tcp-ip using the exact list of the cluster's ports. Multicast, join auto-detection and
//!   phone-home are off; join and heartbeat properties are shortened for fast starts.
//! * Every cluster gets a unique name (unless [`ClusterConfig::cluster_name`] sets one) and a run
//!   directory `<workspace>/target/hz/runs/<name>/` (or under `$HZ_RUN_DIR`) with one
//!   `m<i>/` per member holding `hazelcast.xml` and `member.log`.
//! * JVM: `-Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1`, IPv4 stack; more flags
//!   with [`ClusterConfig::jvm_arg`].
//! * Readiness: the member's `print.port` file or `is STARTED` in its log, polled every 50 ms up
//!   to a deadline (90 s by default, [`ClusterConfig::startup_timeout`]); for more than one
//!   member the start also waits until every member's log shows `Members {size:N`. Member 0
//!   starts first, the others together once it is up. Errors carry the tail of the member log.
//!
//! # Blocking API and async tests
//!
//! The API is synchronous (it blocks the calling thread while members start or stop). From a
//! `#[tokio::test]`, start the cluster before entering async code that needs the runtime to make
//! progress, or call it through `tokio::task::spawn_blocking`:
//!
//! ```ignore
//! #[tokio::test(flavor = "multi_thread")]
//! async fn with_members() {
//!     let cluster = tokio::task::spawn_blocking(|| ClusterConfig::new().members(2).start())
//!         .await
//!         .unwrap()
//!         .unwrap();
//!     // … connect the client to cluster.addresses() …
//! }
//! ```
//!
//! # Clean-up
//!
//! * Dropping a [`Cluster`] kills every member with `SIGKILL` and waits for it, also during a
//!   panic (the run directory is then kept for inspection).
//! * Every member is spawned with `PR_SET_PDEATHSIG = SIGKILL` from one long-lived spawner thread,
//!   so members also die when the test process dies (including `SIGKILL` of the test process, and
//!   process exit with clusters held in statics, which are never dropped).
//! * Members are always signalled by their recorded pid, never by name.
//!
//! # Sharing a cluster between tests
//!
//! Starting members costs seconds, so the non-destructive tests of one binary can share a cluster
//! through a [`SharedCluster`] static or [`shared_cluster`]. Under `cargo nextest` every test is
//! its own process and sharing does not happen; each process starts its own cluster.
//!
//! # TLS
//!
//! Open-source members cannot speak TLS, so the test kit puts its own TLS terminator in front of
//! them: [`TestPki`] generates a CA, server, client, untrusted, expired and wrong-host certificates
//! with `rcgen`; [`TlsFront`] is a small JSSE (the JDK's TLS, not rustls) program, compiled with
//! `javac` into the jar cache on first use, that runs one TLS service per target and is killed on
//! drop and with the test process; [`TlsCluster`] starts members with
//! [`ClusterConfig::client_endpoints`] (advanced network, members advertise the terminator's
//! ports) and the terminator on those ports.
//!
//! # Serialization cross-checks
//!
//! [`JavaSerializationProbe`] is a small Java program compiled against the member jar on first
//! use; it writes sample records with the official Java serialization (Compact, generic records,
//! IdentifiedDataSerializable, JSON) and checks records written by the Rust client, without a
//! cluster. [`JavaClientProbe`] runs the official Java *client* against a test cluster, driven by
//! commands, to read and write the same records through the cluster.
//!
//! All of the kit's Java client programs are [`JavaProgram`]s: compiled against the member jar,
//! spawned through the kit's spawner, and either run to completion (arguments, stdin, timeout)
//! or driven as a [`JavaSession`] (command lines answered by lines and `END`, a deadline on every
//! answer, killed on drop).
//!
//! [`JavaStructureClient`] runs the official Java client (from the member jar) against a test
//! cluster, driven command by command, for cross-client checks of queues, topics, flake id
//! generators and PN counters.
//!
//! # Cloud discovery stub and private/public members
//!
//! [`cloud::CloudStub`] is an in-process HTTPS stand-in for the Hazelcast Cloud discovery
//! coordinator (test CA generated with `rcgen`, scripted answers per token, request counting).
//! [`netns::PublicAddressCluster`] starts members inside a network namespace the test creates,
//! advertising a private `127.0.0.1:<port>` (unreachable from the test) and a public
//! `10.77.X.2:<port>` through a small Discovery SPI strategy compiled at run time (needs iproute2,
//! and root or unprivileged user namespaces; [`netns::netns_test`] decides, and skips loudly
//! when neither is there).
//!
//! # Environment
//!
//! | Variable | Effect |
//! | --- | --- |
//! | `HZ_VERSION` | default member version (else [`DEFAULT_HZ_VERSION`]) |
//! | `HZ_CACHE_DIR` | cache base directory (else `<workspace>/target/hz`): member jars, the compiled Java helpers (`ext/`), the Python client (`py/`) |
//! | `HZ_RUN_DIR` | run directories (else `<workspace>/target/hz/runs`) |
//! | `JAVA_HOME` | the JDK to use |
//! | `HZ_MVN` | the Maven program (else `mvn`) |

pub mod cloud;
mod cluster;
mod config;
mod error;
mod fetch;
mod java_client;
mod java_program;
mod java_session;
mod javac;
pub mod netns;
mod ports;
pub mod proxy;
mod python;
pub mod raw;
mod serialization_probe;
mod shared;
pub(crate) mod skip;
mod spawner;
mod structure_client;
mod sys;
mod tls;

pub use cluster::Cluster;
pub use config::{ClusterConfig, DEFAULT_STARTUP_TIMEOUT};
pub use error::TestkitError;
pub use fetch::{
    DEFAULT_HZ_VERSION, cache_dir, default_version, ensure_member_jar, ensure_member_jar_in, java_available,
    runs_dir,
};
pub use java_client::JavaClientProbe;
pub use java_program::{JavaOutput, JavaProgram};
pub use java_session::JavaSession;
pub use proxy::{FaultProxy, HostileServer};
pub use python::{PYTHON_CLIENT_VERSION, PythonClient, ensure_python_client};
pub use serialization_probe::JavaSerializationProbe;
pub use shared::{SharedCluster, shared_cluster};
pub use skip::{current_test_name, report_skip};
pub use structure_client::{JavaMessage, JavaStructureClient, JavaValue};
pub use tls::{
    CertFiles, TestPki, TlsCluster, TlsFront, TlsFrontOptions, TlsProtocolVersion, ensure_tls_front_classes,
};
