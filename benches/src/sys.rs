//! Process CPU time and memory of the running driver.

use std::time::Duration;

/// User plus system CPU time of the whole process (all threads), from `getrusage(RUSAGE_SELF)`.
pub fn cpu_time() -> Duration {
    let ru = rusage();
    let tv = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Peak resident set size in KiB (`ru_maxrss`).
pub fn max_rss_kb() -> u64 {
    u64::try_from(rusage().ru_maxrss).unwrap_or(0)
}

fn rusage() -> libc::rusage {
    // SAFETY: `getrusage` only writes the struct it is given; an all-zero `rusage` is a valid
    // value of this plain C struct.
    #[allow(unsafe_code)]
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut ru);
        ru
    }
}

/// Current resident set size in KiB (`VmRSS` of `/proc/self/status`; 0 where unavailable).
pub fn current_rss_kb() -> u64 {
    status_field("VmRSS:")
}

fn status_field(name: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
