//! The Java side of the serialization cross-checks: `it.hz.SerializationProbe`, a small program
//! compiled against the member jar (the official Java serialization, no cluster) into the jar
//! cache on first use, like the kit's other Java helpers.
//!
//! * [`JavaSerializationProbe::write_samples`] runs `write`: one line per sample,
//!   `<sample> <schema id> <hex of the Data>` (schema id 0 for samples that are not Compact).
//! * [`JavaSerializationProbe::read`] runs `read` with the given lines on stdin: `<sample> <hex>`
//!   lines are deserialized and compared field by field with the sample (`OK <sample>` or
//!   `FAIL <sample>: <difference>`); `schema <hex type name> <hex field name>:<kind id> …` lines
//!   add a schema first and print `SCHEMA <hex type name> <schema id>`.
//!
//! The samples are defined in `java/it/hz/SerializationProbe.java`.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::error::TestkitError;
use crate::fetch::{self, tail_lines};
use crate::javac;

/// The probe's Java source (project-owned test scaffolding).
const PROBE_SOURCE: &str = include_str!("../java/it/hz/SerializationProbe.java");
/// The probe's main class.
const PROBE_CLASS: &str = "it.hz.SerializationProbe";

/// The compiled probe and the member jar it runs against.
#[derive(Debug, Clone)]
pub struct JavaSerializationProbe {
    java: PathBuf,
    class_path: OsString,
}

impl JavaSerializationProbe {
    /// Fetches the member jar of the default version (if needed) and compiles the probe against
    /// it (once per source and jar; shared by concurrent tests and processes).
    pub fn new() -> Result<Self, TestkitError> {
        Self::with_version(&fetch::default_version())
    }

    /// The same, against the member jar of `version`.
    pub fn with_version(version: &str) -> Result<Self, TestkitError> {
        let java = fetch::require_java()?;
        let jar = fetch::ensure_member_jar(version)?;
        let classes = javac::ensure_classes(
            "serialization-probe",
            &[javac::JavaSource {
                path: "it/hz/SerializationProbe.java",
                text: PROBE_SOURCE,
            }],
            Some(&jar),
            &[],
        )?;
        let class_path = std::env::join_paths([jar, classes])
            .map_err(|e| TestkitError::InvalidConfig(format!("class path: {e}")))?;
        Ok(JavaSerializationProbe { java, class_path })
    }

    /// Runs `write`: every sample as written by the Java implementation.
    pub fn write_samples(&self) -> Result<String, TestkitError> {
        self.run("write", "")
    }

    /// Runs `read` with `input` on stdin: the Java implementation reads and checks each line.
    pub fn read(&self, input: &str) -> Result<String, TestkitError> {
        self.run("read", input)
    }

    fn run(&self, mode: &str, input: &str) -> Result<String, TestkitError> {
        let what = format!("serialization probe `{mode}`");
        let mut child = Command::new(&self.java)
            .args(["-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp"])
            .arg(&self.class_path)
            .args([PROBE_CLASS, mode])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| TestkitError::io(format!("running {}", self.java.display()), e))?;
        // Written from another thread: the probe answers while it reads, and its output must be
        // drained at the same time.
        let writer = child.stdin.take().map(|mut stdin| {
            let input = input.to_owned();
            std::thread::spawn(move || stdin.write_all(input.as_bytes()))
        });
        let out = child
            .wait_with_output()
            .map_err(|e| TestkitError::io(format!("waiting for {what}"), e))?;
        if let Some(w) = writer {
            let _ = w.join();
        }
        if !out.status.success() {
            let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&out.stderr));
            return Err(TestkitError::JavaProgramFailed {
                what,
                status: out.status.to_string(),
                output: tail_lines(&text, 40),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}
