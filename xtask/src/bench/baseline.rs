//! `--baseline REV`: the Rust load generator built at another git revision, run as one more
//! driver (`baseline`) side by side with the current one, so a regression against a previous
//! commit is a ratio measured in one run.
//!
//! The revision is checked out in a temporary worktree under the target directory and built
//! there with the same target directory: the external dependencies are shared, the workspace's
//! own crates are built for the revision. Its `loadgen` is copied to
//! `<target>/bench-baseline/loadgen` and the worktree removed. The current drivers are built
//! after it; Cargo names the two trees' artifacts alike, so the workspace's crates are built
//! once more for the current tree, and `release/` holds the current drivers again.

#![allow(clippy::wildcard_imports)]

use super::*;

/// Builds `loadgen` at `rev`; returns the driver that runs it.
pub(super) fn build(rev: &str) -> Result<DriverCmd, String> {
    let base = target_dir().join("bench-baseline");
    let src = base.join("src");
    std::fs::create_dir_all(&base).map_err(|e| e.to_string())?;
    remove_worktree(&src);
    sh(
        Command::new("git")
            .arg("-C")
            .arg(root())
            // `--force`: the path may still be registered from a run that was interrupted
            // (only this worktree's own entry; other worktrees are left alone).
            .args(["worktree", "add", "--force", "--detach", "-q"])
            .arg(&src)
            .arg(rev),
        "git worktree add",
    )?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = sh(
        Command::new(cargo)
            .args([
                "build",
                "--release",
                "-q",
                "-p",
                "hazelcast-benches",
                "--bin",
                "loadgen",
            ])
            .env("CARGO_TARGET_DIR", target_dir())
            .current_dir(&src),
        "cargo build (baseline)",
    );
    let program = base.join("loadgen");
    let copied = built.and_then(|_| {
        std::fs::copy(target_dir().join("release/loadgen"), &program)
            .map_err(|e| format!("copying the baseline loadgen: {e}"))
    });
    remove_worktree(&src);
    copied?;
    Ok(DriverCmd {
        program,
        args: vec![],
        env: vec![],
    })
}

/// Removes the temporary worktree at `dir`, if there is one.
fn remove_worktree(dir: &Path) {
    if dir.exists() {
        let _ = Command::new("git")
            .arg("-C")
            .arg(root())
            .args(["worktree", "remove", "--force"])
            .arg(dir)
            .stdin(Stdio::null())
            .output();
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// True when a failed run says the baseline does not know the workload (it predates it).
pub(super) fn unknown_workload(error: &str) -> bool {
    error.contains("unknown workload")
}

/// The section comparing the current Rust driver with the baseline, cell by cell.
pub(super) fn section(s: &mut String, o: &Opts, cells: &[Cell]) {
    let Some(rev) = &o.baseline else { return };
    let _ = writeln!(s, "## Against the baseline `{rev}`\n");
    let _ = writeln!(
        s,
        "`baseline` is the Rust load generator built at `{rev}`, run in the same rounds, in shuffled order with the other drivers, against the same members. A throughput ratio below 1 or a CPU ratio above 1 is a regression of the current tree.\n"
    );
    let _ = writeln!(
        s,
        "| cell | current ops/s | baseline ops/s | throughput current ÷ baseline | current CPU µs/op | baseline CPU µs/op | CPU current ÷ baseline |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for &members in &o.topologies {
        for sc in selected(o, members) {
            let label = sc.label();
            let (Some(cur), Some(base)) = (
                med(cells, members, &label, sc.concurrency, "rust"),
                med(cells, members, &label, sc.concurrency, "baseline"),
            ) else {
                continue;
            };
            let _ = writeln!(
                s,
                "| {members}m `{label}` C={} | {:.0} | {:.0} | {} | {:.2} | {:.2} | {} |",
                sc.concurrency,
                cur.throughput,
                base.throughput,
                ratio(cur.throughput, base.throughput),
                cur.cpu,
                base.cpu,
                ratio(cur.cpu, base.cpu)
            );
        }
    }
    let _ = writeln!(s);
}
