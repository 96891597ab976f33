//! The one way a test of this project says it skipped: `SKIPPED: <test name>: <reason>` on the
//! process's stderr, where the test harness's output capture does not swallow it (`.ci/run` fails
//! the run when such a line appears).

use std::io::Write as _;

/// The running test's name: the test harness names each test's thread after the test (call it
/// on the test's own thread, not from `spawn_blocking`); `"unknown test"` elsewhere.
pub fn current_test_name() -> String {
    std::thread::current()
        .name()
        .filter(|n| *n != "main")
        .unwrap_or("unknown test")
        .to_owned()
}

/// Writes `SKIPPED: <test>: <reason>` to the process's stderr directly (not through
/// `eprintln!`, which the harness captures for passing tests), so the skip shows in every run.
pub fn report_skip(test: &str, reason: &str) {
    write_line(&format!("SKIPPED: {test}: {reason}"));
}

/// Writes one line to the process's stderr, bypassing the harness's capture.
pub(crate) fn write_line(line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(line.as_bytes());
    let _ = stderr.write_all(b"\n");
    let _ = stderr.flush();
}
