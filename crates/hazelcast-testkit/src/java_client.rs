//! [`JavaClientProbe`]: the official Java *client* (`com.hazelcast.client.HazelcastClient`, in the
//! member jar) connected to a test cluster and driven by the commands of
//! `java/it/hz/ClientProbe.java`, for the Compact cross-client tests. It is a
//! [`JavaSession`](crate::JavaSession) of one of the kit's own programs, one per run.
//!
//! ```no_run
//! use std::time::Duration;
//! use hazelcast_testkit::{ClusterConfig, JavaClientProbe};
//!
//! # fn main() -> Result<(), hazelcast_testkit::TestkitError> {
//! let cluster = ClusterConfig::new().start()?;
//! let probe = JavaClientProbe::new()?;
//! let answers = probe.run(&cluster, &["put people p1 person-v2", "fields people p1"], Duration::from_secs(120))?;
//! assert_eq!(answers[0], "OK");
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::cluster::Cluster;
use crate::error::TestkitError;
use crate::fetch;
use crate::java_program::JavaProgram;

/// The official Java client connected to a test cluster, driven by the commands of
/// `java/it/hz/ClientProbe.java` (one answer line per command): `check <map> <key>
/// <sample>` (read the value and compare it field by field with a sample record of
/// [`JavaSerializationProbe`](crate::JavaSerializationProbe), answering `OK` or `FAIL <field>:
/// <difference>`), `put <map> <key> <sample>`, `fields <map> <key>`, `kind <map> <key> <field>`,
/// `string <map> <key> <field>`, `evolving <map> <key>`, `put-evolving <map> <key> <name> <age>
/// <email>`, `order <map> <key>` and `put-order <map> <key> <id> <customer>` (a plain Java class
/// `it.hz.Order` with the reflective serializer). Keys are strings; a command that throws is
/// answered `ERROR <exception>`. See the Java source for the answers.
#[derive(Debug, Clone)]
pub struct JavaClientProbe {
    program: JavaProgram,
}

impl JavaClientProbe {
    /// Compiles the probe against the member jar of the default version.
    pub fn new() -> Result<Self, TestkitError> {
        Self::with_version(&fetch::default_version())
    }

    /// Compiles the probe against the member jar of `version`.
    pub fn with_version(version: &str) -> Result<Self, TestkitError> {
        let program = JavaProgram::kit("client probe", "ClientProbe", version)?;
        Ok(JavaClientProbe { program })
    }

    /// Starts a fresh Java client on `cluster` (its loopback addresses and cluster name), runs
    /// `commands` and returns the answer lines, one per command, all within `timeout`. Fails
    /// when the program fails, times out, or answers a command with other than one line.
    pub fn run<C: AsRef<str>>(
        &self,
        cluster: &Cluster,
        commands: &[C],
        timeout: Duration,
    ) -> Result<Vec<String>, TestkitError> {
        self.run_on(cluster.cluster_name(), &cluster.addresses(), commands, timeout)
    }

    /// [`run`](Self::run) with an explicit `cluster_name` and `members`.
    pub fn run_on<C: AsRef<str>>(
        &self,
        cluster_name: &str,
        members: &[SocketAddr],
        commands: &[C],
        timeout: Duration,
    ) -> Result<Vec<String>, TestkitError> {
        let deadline = Instant::now() + timeout;
        let mut args = vec![cluster_name.to_owned()];
        args.extend(members.iter().map(ToString::to_string));
        let mut session = self.program.start(&args, timeout)?;
        let mut answers = Vec::with_capacity(commands.len());
        for command in commands {
            let command = command.as_ref();
            let answer = session.request_by(command, deadline)?;
            match <[String; 1]>::try_from(answer) {
                Ok([line]) => answers.push(line),
                Err(lines) => {
                    return Err(TestkitError::JavaProgramFailed {
                        what: format!("{} `{command}`", self.program.name()),
                        status: "running".to_owned(),
                        output: format!("{} answer lines instead of one: {lines:?}", lines.len()),
                    });
                }
            }
        }
        Ok(answers)
    }
}
