//! Java programs compiled against the member jar and run as child processes: [`JavaProgram`] (any
//! main class, with arguments, stdin, a timeout) and [`JavaClientProbe`], the official Java
//! *client* (`com.hazelcast.client.HazelcastClient`, in the member jar) connected to a test
//! cluster and driven by commands, for the cross-client tests.
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

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::cluster::Cluster;
use crate::error::{IoContext, TestkitError};
use crate::fetch::{self, tail_lines};
use crate::{javac, spawner};

/// A Java program compiled with `javac` against the member jar (into the jar cache, once per
/// source text and jar; shared by concurrent tests and processes), with the main class to run.
#[derive(Debug, Clone)]
pub struct JavaProgram {
    name: String,
    java: PathBuf,
    class_path: OsString,
    main_class: String,
}

/// The finished run of a [`JavaProgram`].
#[derive(Debug, Clone)]
pub struct JavaOutput {
    /// Everything the program printed to stdout.
    pub stdout: String,
    /// Everything the program printed to stderr (the Java client logs there).
    pub stderr: String,
}

impl JavaProgram {
    /// Fetches the member jar of `version` (if needed) and compiles `sources` (pairs of a path
    /// under the source root matching the package, such as `it/hz/X.java`, and the source text)
    /// against it. `name` names the compiled classes in the cache and the program in errors;
    /// `main_class` is the fully qualified class [`run`](Self::run) starts.
    pub fn compile(
        name: &str,
        sources: &[(&'static str, &'static str)],
        main_class: &str,
        version: &str,
    ) -> Result<Self, TestkitError> {
        let java = fetch::require_java()?;
        let jar = fetch::ensure_member_jar(version)?;
        let sources: Vec<javac::JavaSource> = sources
            .iter()
            .map(|&(path, text)| javac::JavaSource { path, text })
            .collect();
        let classes = javac::ensure_classes(name, &sources, Some(&jar), &[])?;
        let class_path = std::env::join_paths([jar, classes])
            .map_err(|e| TestkitError::InvalidConfig(format!("class path: {e}")))?;
        Ok(JavaProgram {
            name: name.to_owned(),
            java,
            class_path,
            main_class: main_class.to_owned(),
        })
    }

    /// Runs the main class with `args`, writes `stdin` to it (then closes it) and waits at most
    /// `timeout` for it to exit. The process is spawned with `SIGKILL` as its parent-death
    /// signal and killed (by its own handle) when the timeout passes.
    ///
    /// Errors: [`TestkitError::JavaProgramFailed`] when it exits unsuccessfully,
    /// [`TestkitError::JavaProgramTimeout`] when it is still running at the deadline; both carry
    /// the tail of its output.
    pub fn run<I, S>(&self, args: I, stdin: &str, timeout: Duration) -> Result<JavaOutput, TestkitError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = Command::new(&self.java);
        command
            .args([
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Djava.net.preferIPv4Stack=true",
                "-cp",
            ])
            .arg(&self.class_path)
            .arg(&self.main_class)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = spawner::spawn(command)?
            .ctx(|| format!("running {} {}", self.java.display(), self.main_class))?;
        // stdin is written and stdout/stderr drained from their own threads: the program answers
        // while it reads, and a full pipe would stall it.
        let writer = child.stdin.take().map(|mut pipe| {
            let input = stdin.to_owned();
            std::thread::spawn(move || pipe.write_all(input.as_bytes()))
        });
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let status = wait_until(&mut child, Instant::now() + timeout);
        if let Some(w) = writer {
            let _ = w.join();
        }
        let output = JavaOutput {
            stdout: collect(stdout),
            stderr: collect(stderr),
        };
        let tail = || tail_lines(&format!("{}{}", output.stdout, output.stderr), 40);
        match status.ctx(|| format!("waiting for {}", self.name))? {
            Some(status) if status.success() => Ok(output),
            Some(status) => Err(TestkitError::JavaProgramFailed {
                what: self.name.clone(),
                status: status.to_string(),
                output: tail(),
            }),
            None => Err(TestkitError::JavaProgramTimeout {
                what: self.name.clone(),
                waited: timeout,
                output: tail(),
            }),
        }
    }
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> Option<JoinHandle<String>> {
    pipe.map(|mut pipe| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    })
}

fn collect(reader: Option<JoinHandle<String>>) -> String {
    reader.and_then(|r| r.join().ok()).unwrap_or_default()
}

/// Waits for the child until `deadline`; past it, kills the child and returns `None`.
fn wait_until(child: &mut Child, deadline: Instant) -> std::io::Result<Option<std::process::ExitStatus>> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The probe's Java source (project-owned test scaffolding).
const CLIENT_PROBE_SOURCE: &str = include_str!("../java/it/hz/ClientProbe.java");
/// The serialization probe, whose samples and comparison the client probe uses.
const SERIALIZATION_PROBE_SOURCE: &str = include_str!("../java/it/hz/SerializationProbe.java");

/// The official Java client connected to a test cluster, driven by the commands of
/// `java/it/hz/ClientProbe.java` (one answer line per command line): `check <map> <key>
/// <sample>` (read the value and compare it field by field with a sample record of
/// [`JavaSerializationProbe`](crate::JavaSerializationProbe), answering `OK` or `FAIL <field>:
/// <difference>`), `put <map> <key> <sample>`, `fields <map> <key>`, `kind <map> <key> <field>`,
/// `string <map> <key> <field>`, `evolving <map> <key>`, `put-evolving <map> <key> <name> <age>
/// <email>`, `order <map> <key>` and `put-order <map> <key> <id> <customer>` (a plain Java class
/// `it.hz.Order` with the reflective serializer). Keys are strings. See the Java source for the answers.
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
        let program = JavaProgram::compile(
            "client-probe",
            &[
                ("it/hz/ClientProbe.java", CLIENT_PROBE_SOURCE),
                ("it/hz/SerializationProbe.java", SERIALIZATION_PROBE_SOURCE),
            ],
            "it.hz.ClientProbe",
            version,
        )?;
        Ok(JavaClientProbe { program })
    }

    /// Starts a fresh Java client on `cluster` (its loopback addresses and cluster name), runs
    /// `commands` and returns the answer lines, one per command. Fails when the program fails,
    /// times out, or answers a different number of lines.
    pub fn run<C: AsRef<str>>(
        &self,
        cluster: &Cluster,
        commands: &[C],
        timeout: Duration,
    ) -> Result<Vec<String>, TestkitError> {
        let members: Vec<String> = cluster.addresses().iter().map(ToString::to_string).collect();
        self.run_on(&members.join(","), cluster.cluster_name(), commands, timeout)
    }

    /// [`run`](Self::run) with explicit comma-separated `members` and `cluster_name`.
    pub fn run_on<C: AsRef<str>>(
        &self,
        members: &str,
        cluster_name: &str,
        commands: &[C],
        timeout: Duration,
    ) -> Result<Vec<String>, TestkitError> {
        let mut input = String::new();
        for c in commands {
            input.push_str(c.as_ref());
            input.push('\n');
        }
        let out = self.program.run([members, cluster_name], &input, timeout)?;
        let answers: Vec<String> = out.stdout.lines().map(str::to_owned).collect();
        if answers.len() != commands.len() {
            return Err(TestkitError::JavaProgramFailed {
                what: "client probe".to_owned(),
                status: format!("{} answer(s) to {} command(s)", answers.len(), commands.len()),
                output: tail_lines(&format!("{}{}", out.stdout, out.stderr), 40),
            });
        }
        Ok(answers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ECHO: &str = r#"package it.hz;
public final class Echo {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "echo":
                System.out.print(args[1] + ":" + new String(System.in.readAllBytes(), "UTF-8"));
                System.err.print("to stderr");
                return;
            case "fail":
                System.out.println("about to fail");
                System.exit(3);
            default:
                Thread.sleep(120_000);
        }
    }
}
"#;

    fn echo() -> JavaProgram {
        JavaProgram::compile(
            "java-program-test",
            &[("it/hz/Echo.java", ECHO)],
            "it.hz.Echo",
            &fetch::default_version(),
        )
        .expect("compiles against the member jar")
    }

    #[test]
    fn runs_with_arguments_and_stdin() {
        let out = echo()
            .run(["echo", "arg"], "line one\nline two\n", Duration::from_secs(120))
            .expect("runs");
        assert_eq!(out.stdout, "arg:line one\nline two\n");
        assert_eq!(out.stderr, "to stderr");
    }

    #[test]
    fn a_failing_program_is_a_typed_error_with_its_output() {
        match echo().run(["fail"], "", Duration::from_secs(120)) {
            Err(TestkitError::JavaProgramFailed { what, status, output }) => {
                assert_eq!(what, "java-program-test");
                assert!(status.contains('3'), "{status}");
                assert!(output.contains("about to fail"), "{output}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_program_past_its_deadline_is_killed() {
        let program = echo();
        let started = Instant::now();
        match program.run(["sleep"], "", Duration::from_secs(3)) {
            Err(TestkitError::JavaProgramTimeout { what, waited, .. }) => {
                assert_eq!(what, "java-program-test");
                assert_eq!(waited, Duration::from_secs(3));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{:?}",
            started.elapsed()
        );
    }
}
