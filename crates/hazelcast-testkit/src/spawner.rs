//! One long-lived thread that forks every member process.
//!
//! `PR_SET_PDEATHSIG` fires when the *thread* that forked the child exits, not the process. The
//! test harness runs each test on its own short-lived thread, so a member spawned directly from a
//! test (and kept alive in a `static` for other tests) would be killed as soon as that first test
//! returned. Forking from this thread, which lives until the process exits, makes the signal fire
//! exactly when the test process dies.

use std::io;
use std::process::{Child, Command};
use std::sync::OnceLock;
use std::sync::mpsc::{self, Sender};

use crate::error::TestkitError;
use crate::sys;

struct Request {
    command: Command,
    reply: Sender<io::Result<Child>>,
}

fn spawner() -> Option<&'static Sender<Request>> {
    static SPAWNER: OnceLock<Option<Sender<Request>>> = OnceLock::new();
    SPAWNER
        .get_or_init(|| {
            let (tx, rx) = mpsc::channel::<Request>();
            let started = std::thread::Builder::new()
                .name("hazelcast-testkit-spawner".into())
                .spawn(move || {
                    // The sender lives in a static, so this loop never ends while the process runs.
                    for mut request in rx {
                        let _ = request.reply.send(request.command.spawn());
                    }
                });
            match started {
                Ok(_) => Some(tx),
                Err(e) => {
                    tracing::error!(error = %e, "could not start the hazelcast-testkit spawner thread");
                    None
                }
            }
        })
        .as_ref()
}

/// Spawns `command` from the spawner thread, with `SIGKILL` as its parent-death signal.
pub(crate) fn spawn(mut command: Command) -> Result<io::Result<Child>, TestkitError> {
    sys::kill_child_with_parent(&mut command);
    let spawner = spawner().ok_or(TestkitError::SpawnerUnavailable)?;
    let (reply, response) = mpsc::channel();
    spawner
        .send(Request { command, reply })
        .map_err(|_| TestkitError::SpawnerUnavailable)?;
    response.recv().map_err(|_| TestkitError::SpawnerUnavailable)
}
