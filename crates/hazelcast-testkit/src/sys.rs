//! The few system calls std does not wrap: signals, `flock`, `prctl(PR_SET_PDEATHSIG)`.
//!
//! Every `unsafe` block of the crate lives here, each with a narrowly scoped
//! `#[allow(unsafe_code)]` and a `// SAFETY:` comment.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// Sends `signal` to the process `pid`.
///
/// Callers must only signal processes they still own unreaped (a `Child` not yet waited for), so
/// the pid cannot have been reused.
pub(crate) fn send_signal(pid: u32, signal: libc::c_int) -> io::Result<()> {
    let pid = libc::pid_t::try_from(pid)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "pid out of range"))?;
    #[allow(unsafe_code)]
    // SAFETY: kill(2) takes two plain integers and touches no memory of this process.
    let rc = unsafe { libc::kill(pid, signal) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Whether a process with this pid exists (signal 0 probe; `EPERM` means it exists).
pub(crate) fn process_exists(pid: u32) -> bool {
    match send_signal(pid, 0) {
        Ok(()) => true,
        Err(e) => e.raw_os_error() == Some(libc::EPERM),
    }
}

/// Takes an exclusive `flock` on `file`.
///
/// With `wait == false` returns `Ok(false)` at once when another open file description holds the
/// lock; with `wait == true` blocks until the lock is free. The lock is released when the file is
/// closed (and by the kernel when the process dies).
pub(crate) fn flock_exclusive(file: &File, wait: bool) -> io::Result<bool> {
    let op = if wait {
        libc::LOCK_EX
    } else {
        libc::LOCK_EX | libc::LOCK_NB
    };
    loop {
        #[allow(unsafe_code)]
        // SAFETY: flock(2) on a file descriptor that `file` keeps open for the whole call.
        let rc = unsafe { libc::flock(file.as_raw_fd(), op) };
        if rc == 0 {
            return Ok(true);
        }
        let err = io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EWOULDBLOCK) if !wait => return Ok(false),
            _ => return Err(err),
        }
    }
}

/// Makes the child spawned by `cmd` receive `SIGKILL` when the thread that forked it exits.
///
/// Linux delivers the parent-death signal when the *thread* that created the child exits, so the
/// test kit forks only from its long-lived spawner thread (see `spawner.rs`). If this process has
/// already died between `fork` and `prctl`, the child sees a different parent and refuses to exec.
pub(crate) fn kill_child_with_parent(cmd: &mut Command) {
    let parent = libc::pid_t::try_from(std::process::id()).unwrap_or(0);
    #[allow(unsafe_code)]
    // SAFETY: the closure runs in the forked child before exec. It only calls prctl(2) and
    // getppid(2), which are async-signal-safe, and builds `io::Error`s from raw OS codes, which
    // does not allocate; it touches no lock or heap state inherited from the parent.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong, 0, 0, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
            if libc::getppid() != parent {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
}

/// The effective user id of this process (`geteuid(2)`); `0` also inside a user namespace that
/// maps root to the calling user.
pub(crate) fn effective_uid() -> u32 {
    #[allow(unsafe_code)]
    // SAFETY: geteuid(2) takes no arguments, cannot fail and touches no memory of this process.
    let uid = unsafe { libc::geteuid() };
    uid
}
