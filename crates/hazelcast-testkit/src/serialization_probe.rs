//! The Java side of the serialization cross-checks: `it.hz.SerializationProbe`, one of the kit's
//! own programs (a [`JavaProgram`](crate::JavaProgram) compiled against the member jar: the
//! official Java serialization, no cluster), run to completion once per call.
//!
//! * [`JavaSerializationProbe::write_samples`] runs `write`: one line per sample,
//!   `<sample> <schema id> <hex of the Data>` (schema id 0 for samples that are not Compact).
//! * [`JavaSerializationProbe::read`] runs `read` with the given lines on stdin: `<sample> <hex>`
//!   lines are deserialized and compared field by field with the sample (`OK <sample>` or
//!   `FAIL <sample>: <difference>`); `schema <hex type name> <hex field name>:<kind id> …` lines
//!   add a schema first and print `SCHEMA <hex type name> <schema id>`.
//!
//! The samples are defined in `java/it/hz/SerializationProbe.java`.

use std::time::Duration;

use crate::error::TestkitError;
use crate::fetch;
use crate::java_program::JavaProgram;

/// How long one run of the probe may take (a JVM start and a few hundred records).
const RUN_TIMEOUT: Duration = Duration::from_secs(180);

/// The compiled probe and the member jar it runs against.
#[derive(Debug, Clone)]
pub struct JavaSerializationProbe {
    program: JavaProgram,
}

impl JavaSerializationProbe {
    /// Fetches the member jar of the default version (if needed) and compiles the probe against
    /// it (once per source and jar; shared by concurrent tests and processes).
    pub fn new() -> Result<Self, TestkitError> {
        Self::with_version(&fetch::default_version())
    }

    /// The same, against the member jar of `version`.
    pub fn with_version(version: &str) -> Result<Self, TestkitError> {
        let program = JavaProgram::kit("serialization probe", "SerializationProbe", version)?;
        Ok(JavaSerializationProbe { program })
    }

    /// Runs `write`: every sample as written by the Java implementation.
    pub fn write_samples(&self) -> Result<String, TestkitError> {
        Ok(self.program.run(["write"], "", RUN_TIMEOUT)?.stdout)
    }

    /// Runs `read` with `input` on stdin: the Java implementation reads and checks each line.
    pub fn read(&self, input: &str) -> Result<String, TestkitError> {
        Ok(self.program.run(["read"], input, RUN_TIMEOUT)?.stdout)
    }
}
