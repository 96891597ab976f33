//! Reserving loopback ports across threads and processes.
//!
//! A port is reserved by holding an exclusive `flock` on `<tmp>/hazelcast-testkit-ports/<port>.lock`
//! for as long as the owning [`Cluster`](crate::Cluster) lives. `flock` locks belong to an open
//! file description, so two threads of one process conflict just like two processes, and the kernel
//! drops the lock when the owner dies: there are no stale reservations to clean up. Lock files are
//! never deleted (deleting a lock file races with a concurrent opener).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{IoContext, TestkitError};
use crate::sys;

/// First port (inclusive) the test kit hands out.
pub(crate) const PORT_RANGE_START: u16 = 20000;
/// Last port (exclusive): below Linux's default ephemeral range (32768–60999), so outgoing
/// connections do not take the ports members are about to bind.
pub(crate) const PORT_RANGE_END: u16 = 32000;

/// One reserved port; the reservation ends when this is dropped.
#[derive(Debug)]
pub(crate) struct PortLease {
    port: u16,
    _lock: File,
}

impl PortLease {
    /// The reserved port.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }
}

fn lock_dir() -> PathBuf {
    std::env::temp_dir().join("hazelcast-testkit-ports")
}

/// A pseudo-random starting point, different per call, thread and process.
fn random_offset(span: u64) -> u64 {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut x = nanos
        ^ (u64::from(std::process::id()) << 32)
        ^ SEQ
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    // splitmix64 finalizer
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    x % span
}

/// Tries to reserve `port`: lock file first, then a bind check on 127.0.0.1.
fn try_reserve(port: u16) -> Result<Option<PortLease>, TestkitError> {
    let path = lock_dir().join(format!("{port}.lock"));
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .ctx(|| format!("opening {}", path.display()))?;
    if !sys::flock_exclusive(&file, false).ctx(|| format!("locking {}", path.display()))? {
        return Ok(None);
    }
    // Held by us now; is the port actually free on loopback?
    if TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)).is_err() {
        return Ok(None);
    }
    // Informational only: who holds the reservation.
    let _ = file.set_len(0);
    let _ = writeln!(&file, "{}", std::process::id());
    Ok(Some(PortLease { port, _lock: file }))
}

/// Reserves `n` distinct free loopback ports, preferring a contiguous block.
pub(crate) fn reserve(n: usize) -> Result<Vec<PortLease>, TestkitError> {
    let dir = lock_dir();
    std::fs::create_dir_all(&dir).ctx(|| format!("creating {}", dir.display()))?;
    let span = u64::from(PORT_RANGE_END - PORT_RANGE_START);
    let start = random_offset(span);
    let mut leases = Vec::with_capacity(n);
    for step in 0..span {
        if leases.len() == n {
            break;
        }
        let port = PORT_RANGE_START + ((start + step) % span) as u16;
        if let Some(lease) = try_reserve(port)? {
            leases.push(lease);
        }
    }
    if leases.len() == n {
        Ok(leases)
    } else {
        Err(TestkitError::NoFreePorts {
            wanted: n,
            first: PORT_RANGE_START,
            last: PORT_RANGE_END,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn concurrent_reservations_are_disjoint() {
        let handles: Vec<_> = (0..8)
            .map(|_| std::thread::spawn(|| reserve(5).unwrap()))
            .collect();
        let all: Vec<Vec<PortLease>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let mut seen = HashSet::new();
        for lease in all.iter().flatten() {
            assert!((PORT_RANGE_START..PORT_RANGE_END).contains(&lease.port()));
            assert!(
                seen.insert(lease.port()),
                "port {} handed out twice",
                lease.port()
            );
        }
        assert_eq!(seen.len(), 40);
    }

    #[test]
    fn a_held_port_is_not_handed_out_again_until_dropped() {
        let first = reserve(1).unwrap();
        let port = first[0].port();
        assert!(try_reserve(port).unwrap().is_none());
        drop(first);
        assert!(try_reserve(port).unwrap().is_some());
    }

    #[test]
    fn a_bound_port_is_skipped() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        if (PORT_RANGE_START..PORT_RANGE_END).contains(&port) {
            assert!(try_reserve(port).unwrap().is_none());
        }
        // Bind a port inside the range and check it is refused.
        let inside = reserve(1).unwrap();
        let p = inside[0].port();
        drop(inside);
        let _busy = TcpListener::bind(("127.0.0.1", p)).unwrap();
        assert!(try_reserve(p).unwrap().is_none());
    }
}
