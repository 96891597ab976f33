//! Locating `java`, and downloading the member jar with Maven into a shared cache.

use std::ffi::OsString;
use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{IoContext, TestkitError};
use crate::sys;

/// The Hazelcast member version used when neither the API nor `HZ_VERSION` names one.
pub const DEFAULT_HZ_VERSION: &str = "5.7.0";

/// The Maven plugin goal that copies one artifact (no dependency tree) into a directory.
const MAVEN_COPY_GOAL: &str = "org.apache.maven.plugins:maven-dependency-plugin:3.11.0:copy";

/// The workspace root, derived at compile time from this crate's manifest directory.
fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

fn non_empty_env(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// The member version to use by default: `HZ_VERSION` if set, else [`DEFAULT_HZ_VERSION`].
pub fn default_version() -> String {
    std::env::var("HZ_VERSION")
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| DEFAULT_HZ_VERSION.to_owned())
}

/// The base directory of the jar cache: `HZ_CACHE_DIR` if set, else `<workspace>/target/hz`.
///
/// Jars live in `<cache dir>/<version>/hazelcast-<version>.jar`.
pub fn cache_dir() -> PathBuf {
    non_empty_env("HZ_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target").join("hz"))
}

/// The directory holding one sub-directory per started cluster (configs and member logs):
/// `HZ_RUN_DIR` if set, else `<workspace>/target/hz/runs`.
pub fn runs_dir() -> PathBuf {
    non_empty_env("HZ_RUN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target").join("hz").join("runs"))
}

/// The `java` program: `$JAVA_HOME/bin/java` when that exists, else `java` from `PATH`.
pub(crate) fn java_program() -> PathBuf {
    if let Some(home) = non_empty_env("JAVA_HOME") {
        let java = Path::new(&home).join("bin").join("java");
        if java.is_file() {
            return java;
        }
    }
    PathBuf::from("java")
}

/// Whether `java -version` runs successfully (checked once per process).
pub fn java_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        Command::new(java_program())
            .arg("-version")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Returns an error unless [`java_available`].
pub(crate) fn require_java() -> Result<PathBuf, TestkitError> {
    if java_available() {
        Ok(java_program())
    } else {
        Err(TestkitError::JavaNotFound {
            program: java_program(),
        })
    }
}

/// Checks that a version string is safe to put into a path and a Maven coordinate.
pub(crate) fn validate_version(version: &str) -> Result<(), TestkitError> {
    let ok = !version.is_empty()
        && version.len() <= 64
        && !version.starts_with('.')
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(TestkitError::InvalidConfig(format!(
            "unusable Hazelcast version {version:?}"
        )))
    }
}

/// The last `max_lines` lines of `text` (at most ~8 KiB).
pub(crate) fn tail_lines(text: &str, max_lines: usize) -> String {
    let mut start = text.len();
    let trimmed = text.trim_end_matches('\n');
    let mut lines = 0;
    for (i, _) in trimmed.match_indices('\n').rev() {
        lines += 1;
        if lines == max_lines {
            start = i + 1;
            break;
        }
    }
    if lines < max_lines {
        start = 0;
    }
    let mut tail = &trimmed[start.min(trimmed.len())..];
    const MAX_BYTES: usize = 8 * 1024;
    if tail.len() > MAX_BYTES {
        let mut cut = tail.len() - MAX_BYTES;
        while !tail.is_char_boundary(cut) {
            cut += 1;
        }
        tail = &tail[cut..];
    }
    tail.to_owned()
}

/// Returns the path of `hazelcast-<version>.jar`, downloading it with Maven first if it is not
/// in the cache yet (see [`cache_dir`]).
///
/// Safe to call from many threads and processes at once: the download is serialized by an
/// exclusive `flock` on `<cache dir>/<version>/.download.lock`, Maven writes into a private
/// temporary directory, and the jar is moved into place with an atomic rename.
pub fn ensure_member_jar(version: &str) -> Result<PathBuf, TestkitError> {
    ensure_member_jar_in(&cache_dir(), version)
}

/// [`ensure_member_jar`] with an explicit cache base directory: the jar is
/// `<cache>/<version>/hazelcast-<version>.jar`.
pub fn ensure_member_jar_in(cache: &Path, version: &str) -> Result<PathBuf, TestkitError> {
    validate_version(version)?;
    let dir = cache.join(version);
    let jar = dir.join(format!("hazelcast-{version}.jar"));
    if jar.is_file() {
        return Ok(jar);
    }
    fs::create_dir_all(&dir).ctx(|| format!("creating the jar cache {}", dir.display()))?;
    let lock_path = dir.join(".download.lock");
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .ctx(|| format!("opening {}", lock_path.display()))?;
    sys::flock_exclusive(&lock, true).ctx(|| format!("locking {}", lock_path.display()))?;
    if jar.is_file() {
        // Another thread or process downloaded it while we waited for the lock.
        return Ok(jar);
    }

    static SEQ: AtomicU64 = AtomicU64::new(0);
    let tmp = dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp).ctx(|| format!("creating {}", tmp.display()))?;
    let result = download_into(version, &tmp, &jar);
    let _ = fs::remove_dir_all(&tmp);
    result?;
    drop(lock);
    Ok(jar)
}

fn download_into(version: &str, tmp: &Path, jar: &Path) -> Result<(), TestkitError> {
    let mvn = non_empty_env("HZ_MVN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("mvn"));
    tracing::info!(version, "downloading com.hazelcast:hazelcast with maven");
    let output = Command::new(&mvn)
        .arg("-B")
        .arg("-q")
        .arg(MAVEN_COPY_GOAL)
        .arg(format!("-Dartifact=com.hazelcast:hazelcast:{version}"))
        .arg(format!("-DoutputDirectory={}", tmp.display()))
        .stdin(Stdio::null())
        .output();
    let output = match output {
        Ok(o) => o,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(TestkitError::MavenNotFound { program: mvn });
        }
        Err(e) => return Err(TestkitError::io(format!("running {}", mvn.display()), e)),
    };
    let combined = || {
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        tail_lines(&text, 40)
    };
    if !output.status.success() {
        return Err(TestkitError::MavenFailed {
            version: version.to_owned(),
            status: output.status.to_string(),
            stderr: combined(),
        });
    }
    let downloaded = tmp.join(format!("hazelcast-{version}.jar"));
    if !downloaded.is_file() {
        return Err(TestkitError::MavenFailed {
            version: version.to_owned(),
            status: format!("maven succeeded but {} is missing", downloaded.display()),
            stderr: combined(),
        });
    }
    fs::rename(&downloaded, jar).ctx(|| format!("moving the jar to {}", jar.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_last_lines() {
        assert_eq!(tail_lines("a\nb\nc\nd\n", 2), "c\nd");
        assert_eq!(tail_lines("a\nb", 5), "a\nb");
        assert_eq!(tail_lines("", 5), "");
        assert_eq!(tail_lines("x\ny\nz", 1), "z");
    }

    #[test]
    fn version_validation() {
        assert!(validate_version("5.7.0").is_ok());
        assert!(validate_version("5.4.0-SNAPSHOT").is_ok());
        assert!(validate_version("").is_err());
        assert!(validate_version("../x").is_err());
        assert!(validate_version("5 7").is_err());
    }

    #[test]
    fn default_cache_is_under_workspace_target() {
        if std::env::var_os("HZ_CACHE_DIR").is_none() {
            assert!(cache_dir().ends_with("target/hz"));
            assert!(workspace_root().join("Cargo.toml").is_file());
        }
    }
}
