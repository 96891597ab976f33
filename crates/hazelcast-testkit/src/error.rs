//! The test kit's error type.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// Everything that can go wrong while fetching, starting or driving Hazelcast members.
///
/// Variants that concern a member carry the tail of that member's log, so a failing test prints
/// the reason without anyone having to dig for `member.log`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestkitError {
    /// The `java` executable could not be run (not installed, or not on `PATH` / in `JAVA_HOME`).
    #[error("java not found: could not run `{program}` (install a JDK 17+ or set JAVA_HOME)")]
    JavaNotFound {
        /// The program the test kit tried to run.
        program: PathBuf,
    },

    /// The `mvn` executable could not be run.
    #[error("maven not found: could not run `{program}` (install Maven 3.8+ or put `mvn` on PATH)")]
    MavenNotFound {
        /// The program the test kit tried to run.
        program: PathBuf,
    },

    /// The `javac` executable could not be run (the test kit compiles its Java helpers, such as
    /// the TLS terminator, with it).
    #[error(
        "javac not found: could not run `{program}` (install a JDK 17+, not only a JRE, or set JAVA_HOME)"
    )]
    JavacNotFound {
        /// The program the test kit tried to run.
        program: PathBuf,
    },

    /// `javac` failed to compile one of the test kit's Java helpers.
    #[error("javac failed to compile the test kit's {what}; output tail:\n{output}")]
    JavacFailed {
        /// Which helper.
        what: String,
        /// The tail of javac's output.
        output: String,
    },

    /// One of the test kit's Java programs (other than a member) exited with a failure.
    #[error("{what}: java failed ({status}); output tail:\n{output}")]
    JavaProgramFailed {
        /// Which program and what it was doing.
        what: String,
        /// The exit status.
        status: String,
        /// The tail of the output (stdout and stderr).
        output: String,
    },

    /// One of the test kit's Java programs (other than a member) was still running at its
    /// deadline and was killed.
    #[error("{what}: java still running after {waited:?}, killed; output tail:\n{output}")]
    JavaProgramTimeout {
        /// Which program.
        what: String,
        /// How long the test kit waited.
        waited: Duration,
        /// The tail of the output (stdout and stderr).
        output: String,
    },

    /// A Java program driven by command lines answered a command with `ERR` (it threw).
    #[error("{what}: the command `{command}` failed: {answer}")]
    JavaCommandFailed {
        /// Which program.
        what: String,
        /// The command (at most 200 characters of it).
        command: String,
        /// The program's `ERR` line, without the word (for the Java clients, the exception
        /// class and message).
        answer: String,
    },

    /// The `python3` executable could not be run (the cross-client tests need it, like the
    /// members need Java).
    #[error("python3 not found: could not run `{program}` (install Python 3 with pip)")]
    PythonNotFound {
        /// The program the test kit tried to run.
        program: PathBuf,
    },

    /// `python3` ran but failed (for example pip could not install the Python client).
    #[error("{what}: python3 failed ({status}); output tail:\n{output}")]
    PythonFailed {
        /// What the test kit was doing.
        what: String,
        /// The exit status.
        status: String,
        /// The tail of the output (stdout and stderr).
        output: String,
    },

    /// Maven ran but did not produce the member jar.
    #[error("maven failed to download com.hazelcast:hazelcast:{version} ({status}); output tail:\n{stderr}")]
    MavenFailed {
        /// The Hazelcast version being downloaded.
        version: String,
        /// Maven's exit status, or a description of what was missing.
        status: String,
        /// The tail of Maven's output (stdout and stderr together: Maven logs errors to stdout).
        stderr: String,
    },

    /// Not enough free loopback ports could be reserved.
    #[error("could not reserve {wanted} free loopback port(s) in {first}..{last}")]
    NoFreePorts {
        /// How many ports were requested.
        wanted: usize,
        /// The first port of the searched range.
        first: u16,
        /// The end (exclusive) of the searched range.
        last: u16,
    },

    /// A member process exited while the test kit was waiting for it.
    #[error("member {index} exited ({status}) before it was ready; log tail:\n{log_tail}")]
    MemberExited {
        /// The member's index in the cluster (0-based).
        index: usize,
        /// The process exit status.
        status: String,
        /// The tail of the member's log.
        log_tail: String,
    },

    /// A member did not become ready before the deadline.
    #[error("member {index} not ready after {waited:?} (waiting for {waiting_for}); log tail:\n{log_tail}")]
    ReadinessTimeout {
        /// The member's index in the cluster (0-based).
        index: usize,
        /// How long the test kit waited.
        waited: Duration,
        /// What the test kit was waiting for.
        waiting_for: String,
        /// The tail of the member's log.
        log_tail: String,
    },

    /// The running members did not all report the expected member count before the deadline.
    #[error(
        "cluster did not reach {expected} members after {waited:?}; last sizes seen per member: \
         {seen:?}; log tail of member {index}:\n{log_tail}"
    )]
    ClusterSizeTimeout {
        /// The expected member count.
        expected: usize,
        /// How long the test kit waited.
        waited: Duration,
        /// For every member slot, the last member count its log showed (`None`: not running or
        /// no member list logged yet).
        seen: Vec<Option<usize>>,
        /// The member whose log tail is attached (the first one that disagreed).
        index: usize,
        /// The tail of that member's log.
        log_tail: String,
    },

    /// The member index does not exist in this cluster.
    #[error("no member with index {index} (the cluster has {len} member slot(s))")]
    NoSuchMember {
        /// The index asked for.
        index: usize,
        /// The number of member slots.
        len: usize,
    },

    /// The operation needs a running member, but the member is not running.
    #[error("member {index} is not running")]
    NotRunning {
        /// The member's index in the cluster (0-based).
        index: usize,
    },

    /// The configuration is invalid (for example zero members or an unusable version string).
    #[error("invalid test cluster configuration: {0}")]
    InvalidConfig(String),

    /// A shared cluster failed to start earlier in this process; the original error was returned
    /// to the first caller.
    #[error("the shared cluster `{key}` failed to start earlier: {message}")]
    SharedClusterFailed {
        /// The shared cluster's key.
        key: String,
        /// The original error, rendered.
        message: String,
    },

    /// The test kit's process-spawning thread is not available.
    #[error("the test kit's spawner thread is not available")]
    SpawnerUnavailable,

    /// An I/O error, with what the test kit was doing.
    #[error("{context}: {source}")]
    Io {
        /// What the test kit was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

impl TestkitError {
    /// Wraps an I/O error with a description of what was being done.
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Self {
        TestkitError::Io {
            context: context.into(),
            source,
        }
    }
}

/// Adds context to `io::Result`s.
pub(crate) trait IoContext<T> {
    /// Converts the error into [`TestkitError::Io`] with the given context.
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T, TestkitError>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T, TestkitError> {
        self.map_err(|e| TestkitError::io(context(), e))
    }
}
