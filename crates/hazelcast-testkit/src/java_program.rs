//! Java programs compiled against the member jar and run as child processes: [`JavaProgram`]
//! compiles sources with `javac` into the jar cache and either runs a main class to completion
//! ([`JavaProgram::run`]: arguments, stdin, a timeout) or starts it as an interactive
//! [`JavaSession`](crate::JavaSession) driven by command lines. Every process is spawned through
//! the kit's spawner thread (`SIGKILL` when the test process dies) and killed at its deadline.
//!
//! The kit's own Java client programs ([`JavaClientProbe`](crate::JavaClientProbe),
//! [`JavaStructureClient`](crate::JavaStructureClient)) and the serialization probe
//! ([`JavaSerializationProbe`](crate::JavaSerializationProbe)) are thin users of it.
//!
//! ```no_run
//! use std::time::Duration;
//! use hazelcast_testkit::JavaProgram;
//!
//! # fn main() -> Result<(), hazelcast_testkit::TestkitError> {
//! const SOURCE: &str = "package it.hz; public final class Hello { \
//!     public static void main(String[] a) { System.out.println(\"hello \" + a[0]); } }";
//! let program = JavaProgram::compile("hello", &[("it/hz/Hello.java", SOURCE)], "it.hz.Hello", &hazelcast_testkit::default_version())?;
//! let out = program.run(["world"], "", Duration::from_secs(60))?;
//! assert_eq!(out.stdout, "hello world\n");
//! # Ok(()) }
//! ```

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::{IoContext, TestkitError};
use crate::fetch::{self, tail_lines};
use crate::java_session::JavaSession;
use crate::{javac, spawner};

/// The Java sources of the kit's own programs (project-owned test scaffolding), compiled together
/// once: the command loop of the Java client programs, the two command sets and the
/// serialization probe.
const KIT_SOURCES: &[(&str, &str)] = &[
    (
        "it/hz/CommandLoop.java",
        include_str!("../java/it/hz/CommandLoop.java"),
    ),
    (
        "it/hz/ClientProbe.java",
        include_str!("../java/it/hz/ClientProbe.java"),
    ),
    (
        "it/hz/StructureClient.java",
        include_str!("../java/it/hz/StructureClient.java"),
    ),
    (
        "it/hz/SerializationProbe.java",
        include_str!("../java/it/hz/SerializationProbe.java"),
    ),
];

/// The JVM options of every program: a small heap and a fast start.
const JVM_OPTIONS: &[&str] = &[
    "-Xmx256m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Djava.net.preferIPv4Stack=true",
];

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
    /// `main_class` is the fully qualified class [`run`](Self::run) and [`start`](Self::start)
    /// start.
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

    /// One of the kit's own programs (`it.hz.<class>`), compiled against the member jar of
    /// `version`; `name` names it in errors.
    pub(crate) fn kit(name: &str, class: &str, version: &str) -> Result<Self, TestkitError> {
        let mut program = Self::compile("kit-java", KIT_SOURCES, &format!("it.hz.{class}"), version)?;
        name.clone_into(&mut program.name);
        Ok(program)
    }

    /// The program's name, as errors show it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Spawns the main class with `args` (stdin, stdout and stderr piped) through the kit's
    /// spawner thread, with `SIGKILL` as its parent-death signal.
    fn spawn<I, S>(&self, args: I) -> Result<Child, TestkitError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = Command::new(&self.java);
        command
            .args(JVM_OPTIONS)
            .arg("-cp")
            .arg(&self.class_path)
            .arg(&self.main_class)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        spawner::spawn(command)?.ctx(|| format!("running {} {}", self.java.display(), self.main_class))
    }

    /// Runs the main class with `args`, writes `stdin` to it (then closes it) and waits at most
    /// `timeout` for it to exit; past it, the process is killed.
    ///
    /// Errors: [`TestkitError::JavaProgramFailed`] when it exits unsuccessfully,
    /// [`TestkitError::JavaProgramTimeout`] when it is still running at the deadline; both carry
    /// the tail of its output.
    pub fn run<I, S>(&self, args: I, stdin: &str, timeout: Duration) -> Result<JavaOutput, TestkitError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut child = self.spawn(args)?;
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

    /// Starts the main class with `args` as an interactive [`JavaSession`] and waits at most
    /// `timeout` for its first line, which must be `READY` or `READY <text>` (the text is
    /// [`JavaSession::ready`]). See [`JavaSession`] for the line protocol.
    ///
    /// Errors: as [`JavaSession::request`], for the `READY` line.
    pub fn start<I, S>(&self, args: I, timeout: Duration) -> Result<JavaSession, TestkitError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let child = self.spawn(args)?;
        JavaSession::begin(self.name.clone(), child, timeout)
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
pub(crate) fn wait_until(
    child: &mut Child,
    deadline: Instant,
) -> std::io::Result<Option<std::process::ExitStatus>> {
    let status = wait_for_exit(child, deadline)?;
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    Ok(status)
}

/// Waits for the child until `deadline` (`None`: still running then).
pub(crate) fn wait_for_exit(
    child: &mut Child,
    deadline: Instant,
) -> std::io::Result<Option<std::process::ExitStatus>> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(20));
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
    fn the_kit_programs_compile() {
        let program = JavaProgram::kit("kit programs", "SerializationProbe", &fetch::default_version())
            .expect("the kit's Java sources compile against the member jar");
        assert_eq!(program.name(), "kit programs");
        assert_eq!(program.main_class, "it.hz.SerializationProbe");
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
