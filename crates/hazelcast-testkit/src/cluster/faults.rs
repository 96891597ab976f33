//! What tests do to running members: kill, terminate, pause, resume, restart, add.

use super::*;

impl Cluster {
    /// Kills member `index` with `SIGKILL` and waits until the process is gone. Killing a member
    /// that is not running is a no-op.
    pub fn kill(&self, index: usize) -> Result<(), TestkitError> {
        let slot = self.slot(index)?;
        let mut process = lock(&slot.process);
        if let Some(mut running) = process.take() {
            kill_and_reap(&mut running).ctx(|| format!("killing member {index}"))?;
            tracing::debug!(cluster = %self.name, member = index, "killed member");
        }
        Ok(())
    }

    /// Sends `SIGTERM` to member `index` (followed by `SIGCONT`, in case it is paused) and waits
    /// until it exits; sends `SIGKILL` if it is still running after 60 s. With the default
    /// `hazelcast.shutdownhook.policy` (`TERMINATE`) this is a fast, ungraceful shutdown; set the
    /// property `hazelcast.shutdownhook.policy=GRACEFUL` through
    /// [`ClusterConfig::jvm_arg`] (`-Dhazelcast.shutdownhook.policy=GRACEFUL`) for a graceful one.
    pub fn terminate(&self, index: usize) -> Result<(), TestkitError> {
        let slot = self.slot(index)?;
        let mut process = lock(&slot.process);
        let Some(running) = process.as_mut() else {
            return Ok(());
        };
        if running
            .child
            .try_wait()
            .ctx(|| format!("waiting for member {index}"))?
            .is_none()
        {
            sys::send_signal(running.pid, libc::SIGTERM)
                .ctx(|| format!("sending SIGTERM to member {index}"))?;
            let _ = sys::send_signal(running.pid, libc::SIGCONT);
            let deadline = Instant::now() + TERMINATE_TIMEOUT;
            loop {
                if running
                    .child
                    .try_wait()
                    .ctx(|| format!("waiting for member {index}"))?
                    .is_some()
                {
                    break;
                }
                if Instant::now() >= deadline {
                    tracing::warn!(cluster = %self.name, member = index, "member ignored SIGTERM; killing it");
                    kill_and_reap(running).ctx(|| format!("killing member {index}"))?;
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        *process = None;
        tracing::debug!(cluster = %self.name, member = index, "terminated member");
        Ok(())
    }

    /// Freezes member `index` with `SIGSTOP` and waits until the kernel reports it stopped. Its
    /// sockets stay open; heartbeats stop.
    pub fn pause(&self, index: usize) -> Result<(), TestkitError> {
        self.signal_and_wait(index, libc::SIGSTOP, true)
    }

    /// Continues a paused member `index` with `SIGCONT` and waits until it is no longer stopped.
    pub fn resume(&self, index: usize) -> Result<(), TestkitError> {
        self.signal_and_wait(index, libc::SIGCONT, false)
    }

    fn signal_and_wait(&self, index: usize, signal: libc::c_int, stopped: bool) -> Result<(), TestkitError> {
        let slot = self.slot(index)?;
        let mut process = lock(&slot.process);
        let alive = process
            .as_mut()
            .is_some_and(|r| matches!(r.child.try_wait(), Ok(None)));
        let running = match process.as_mut() {
            Some(r) if alive => r,
            _ => {
                *process = None;
                return Err(TestkitError::NotRunning { index });
            }
        };
        sys::send_signal(running.pid, signal).ctx(|| format!("signalling member {index}"))?;
        let deadline = Instant::now() + SIGNAL_STATE_TIMEOUT;
        loop {
            match process_state(running.pid) {
                Some(state) if (state == 'T') == stopped => return Ok(()),
                None => return Err(TestkitError::NotRunning { index }),
                Some(_) if Instant::now() >= deadline => {
                    return Err(TestkitError::io(
                        format!("member {index} did not change state after signal {signal}"),
                        io::Error::from(io::ErrorKind::TimedOut),
                    ));
                }
                Some(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    }

    /// Starts member `index` again on the same port with the same config (killing it first with
    /// `SIGKILL` if it is still running) and waits until it is ready (started and joined).
    pub fn restart(&self, index: usize) -> Result<(), TestkitError> {
        let slot = self.slot(index)?;
        let mut process = lock(&slot.process);
        if let Some(mut running) = process.take() {
            kill_and_reap(&mut running).ctx(|| format!("killing member {index}"))?;
        }
        self.spawn_member(&slot, &mut process)?;
        self.wait_ready(&slot, &mut process, Instant::now() + self.config.startup_timeout)
    }

    /// Adds a member on a new port (its member list names every slot's address), starts it and
    /// waits until it is ready. Returns its index. Existing members' configs are not rewritten;
    /// they learn about the new member when it joins.
    pub fn add_member(&self) -> Result<usize, TestkitError> {
        let lease = ports::reserve(1)?.pop().ok_or(TestkitError::NoFreePorts {
            wanted: 1,
            first: ports::PORT_RANGE_START,
            last: ports::PORT_RANGE_END,
        })?;
        let mut members = self.addresses();
        members.push(loopback(lease.port()));
        let slot = {
            let mut slots = lock(&self.slots);
            // Built under the lock so concurrent add_member calls get distinct indexes.
            let slot = Arc::new(self.make_slot(slots.len(), lease, &members)?);
            slots.push(slot.clone());
            slot
        };
        let mut process = lock(&slot.process);
        self.spawn_member(&slot, &mut process)?;
        self.wait_ready(&slot, &mut process, Instant::now() + self.config.startup_timeout)?;
        Ok(slot.index)
    }

    /// Kills every member with `SIGKILL` and waits for them (what `Drop` does). The slots stay;
    /// members can be started again with [`restart`](Cluster::restart).
    pub fn kill_all(&self) {
        let slots = lock(&self.slots).clone();
        let mut guards: Vec<_> = slots.iter().map(|s| lock(&s.process)).collect();
        // Signal everyone first, then reap: the JVMs die in parallel.
        for running in guards.iter_mut().filter_map(|g| g.as_mut()) {
            if running.child.try_wait().ok().flatten().is_none() {
                let _ = running.child.kill();
            }
        }
        for guard in &mut guards {
            if let Some(mut running) = guard.take() {
                let _ = running.child.wait();
            }
        }
    }
}
