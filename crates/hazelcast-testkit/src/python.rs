//! The official Python client for cross-client tests, installed by the test kit into the cache
//! (never system-wide): [`ensure_python_client`] runs `python3 -m pip install --target
//! <cache>/py/hazelcast-python-client-<version>-py<X.Y>/ hazelcast-python-client==<version>` once
//! (under a file lock, shared by concurrent tests and processes), and [`PythonClient::command`]
//! runs `python3` with `PYTHONPATH` pointing there.
//!
//! Needs `python3` with its `pip` module on `PATH`, like the members need Java; a missing one is an
//! error that names it, not a skip.
//!
//! ```no_run
//! # fn main() -> Result<(), hazelcast_testkit::TestkitError> {
//! let py = hazelcast_testkit::ensure_python_client(hazelcast_testkit::PYTHON_CLIENT_VERSION)?;
//! let out = py.command().args(["-c", "import hazelcast; print(hazelcast.__version__)"]).output();
//! # let _ = out; Ok(()) }
//! ```

use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{IoContext, TestkitError};
use crate::fetch::{self, tail_lines};
use crate::sys;

/// The version of `hazelcast-python-client` the cross-client tests use.
pub const PYTHON_CLIENT_VERSION: &str = "5.7.0";

/// The Python interpreter the kit runs.
const PYTHON: &str = "python3";

/// `hazelcast-python-client` installed in the test kit's cache, and the interpreter to run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonClient {
    python: PathBuf,
    site: PathBuf,
    version: String,
}

impl PythonClient {
    /// `python3` with `PYTHONPATH` set to the installed client (ahead of anything installed
    /// system-wide) and the user site directory off.
    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.python);
        command
            .env("PYTHONPATH", &self.site)
            .env("PYTHONNOUSERSITE", "1")
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        command
    }

    /// The directory the package is installed in (what `PYTHONPATH` names).
    pub fn site(&self) -> &Path {
        &self.site
    }

    /// The installed client version.
    pub fn version(&self) -> &str {
        &self.version
    }
}

fn python_error(e: io::Error) -> TestkitError {
    match e.kind() {
        io::ErrorKind::NotFound => TestkitError::PythonNotFound {
            program: PathBuf::from(PYTHON),
        },
        _ => TestkitError::io(format!("running {PYTHON}"), e),
    }
}

/// Runs `python3 args…` and returns its trimmed stdout, or a [`TestkitError::PythonFailed`] with
/// the output's tail.
fn python_output(what: &str, command: &mut Command) -> Result<String, TestkitError> {
    let out = command.stdin(Stdio::null()).output().map_err(python_error)?;
    if !out.status.success() {
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        return Err(TestkitError::PythonFailed {
            what: what.to_owned(),
            status: out.status.to_string(),
            output: tail_lines(&text, 40),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Installs `hazelcast-python-client==<version>` into `<cache dir>/py/` if it is not there yet
/// and returns how to run it (see the module docs).
///
/// Safe to call from many threads and processes at once: installs are serialized by an exclusive
/// `flock` on `<cache dir>/py/.install.lock`, pip writes into a private temporary directory that
/// is renamed into place when complete.
pub fn ensure_python_client(version: &str) -> Result<PythonClient, TestkitError> {
    fetch::validate_version(version)?;
    let python = PathBuf::from(PYTHON);
    let py_version = python_output(
        "asking python3 for its version",
        Command::new(&python).args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"]),
    )?;
    if py_version.is_empty() || !py_version.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(TestkitError::InvalidConfig(format!(
            "unexpected python3 version {py_version:?}"
        )));
    }
    let base = fetch::cache_dir().join("py");
    let site = base.join(format!("hazelcast-python-client-{version}-py{py_version}"));
    let client = PythonClient {
        python,
        site: site.clone(),
        version: version.to_owned(),
    };
    if !site.join("READY").is_file() {
        install(&base, &site, version)?;
    }
    let seen = python_output(
        "importing the installed hazelcast package",
        client
            .command()
            .args(["-c", "import hazelcast; print(hazelcast.__version__)"]),
    )?;
    if seen != version {
        return Err(TestkitError::InvalidConfig(format!(
            "python3 imports hazelcast {seen} from {}, expected {version}",
            site.display()
        )));
    }
    Ok(client)
}

fn install(base: &Path, site: &Path, version: &str) -> Result<(), TestkitError> {
    fs::create_dir_all(base).ctx(|| format!("creating {}", base.display()))?;
    let lock_path = base.join(".install.lock");
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .ctx(|| format!("opening {}", lock_path.display()))?;
    sys::flock_exclusive(&lock, true).ctx(|| format!("locking {}", lock_path.display()))?;
    if site.join("READY").is_file() {
        // Another thread or process installed it while we waited for the lock.
        return Ok(());
    }
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let tmp = base.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&tmp);
    tracing::info!(version, target = %site.display(), "installing hazelcast-python-client with pip");
    let result = python_output(
        "pip install hazelcast-python-client (python3 needs its pip module)",
        Command::new(PYTHON)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-input",
                "--disable-pip-version-check",
                "--no-warn-script-location",
                "--target",
            ])
            .arg(&tmp)
            .arg(format!("hazelcast-python-client=={version}"))
            .env("PYTHONNOUSERSITE", "1")
            .env("PIP_ROOT_USER_ACTION", "ignore"),
    )
    .and_then(|_| fs::write(tmp.join("READY"), "").ctx(|| "writing READY".to_owned()))
    .and_then(|()| {
        let _ = fs::remove_dir_all(site);
        fs::rename(&tmp, site).ctx(|| format!("moving the Python client to {}", site.display()))
    });
    let _ = fs::remove_dir_all(&tmp);
    drop(lock);
    result
}
