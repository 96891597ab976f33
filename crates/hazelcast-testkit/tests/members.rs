//! Real-member tests of the test kit: they download the member jar (once) and run JVMs.
//!
//! Set `HZ_SKIP_MEMBER_TESTS=1` to skip them on a host without Java or Maven Central.

use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use hazelcast_testkit::{ClusterConfig, SharedCluster, TestkitError, ensure_member_jar_in};

fn skip() -> bool {
    let skip = std::env::var_os("HZ_SKIP_MEMBER_TESTS").is_some_and(|v| !v.is_empty() && v != "0");
    if skip {
        hazelcast_testkit::report_skip(
            &hazelcast_testkit::current_test_name(),
            "HZ_SKIP_MEMBER_TESTS is set (no real members)",
        );
    }
    skip
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
fn eventually(what: &str, timeout: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !condition() {
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn accepts(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok()
}

fn proc_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 1..].trim_start().chars().next()
}

#[test]
fn single_member_starts_grows_and_dies_on_kill() {
    if skip() {
        return;
    }
    let cluster = ClusterConfig::new().start().expect("start a 1-member cluster");
    eprintln!("1-member cluster started in {:?}", cluster.startup_time());

    let addr = cluster.address(0);
    assert!(addr.ip().is_loopback());
    assert!(accepts(addr), "member port {addr} does not accept connections");
    let log = cluster.log(0);
    assert!(log.contains("is STARTED"), "no `is STARTED` in the log:\n{log}");
    assert!(
        log.contains(&format!("[127.0.0.1]:{}", addr.port())),
        "member does not use 127.0.0.1:\n{log}"
    );
    assert!(log.contains(cluster.cluster_name()));
    assert!(cluster.log_path(0).is_file());

    // Grow to two members.
    let added = cluster.add_member().expect("add a member");
    assert_eq!(added, 1);
    assert_eq!(cluster.len(), 2);
    cluster
        .wait_for_cluster_size(2, Duration::from_secs(60))
        .expect("2 members");
    assert_eq!(cluster.member_count_seen(0), Some(2));

    // SIGKILL member 0: the process is reaped and the port closes.
    let pid = cluster.pid(0).expect("member 0 pid");
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    cluster.kill(0).expect("kill");
    assert!(!cluster.is_running(0));
    assert_eq!(cluster.pid(0), None);
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "member process {pid} still exists"
    );
    eventually(
        "the killed member's port to close",
        Duration::from_secs(10),
        || !accepts(addr),
    );
    // Killing again is a no-op; signals to a dead member are errors.
    cluster.kill(0).expect("second kill");
    assert!(matches!(
        cluster.pause(0),
        Err(TestkitError::NotRunning { index: 0 })
    ));
    assert!(matches!(
        cluster.kill(7),
        Err(TestkitError::NoSuchMember { index: 7, len: 2 })
    ));
    assert!(cluster.is_running(1));
}

#[test]
fn three_members_form_a_cluster_and_survive_terminate_restart_pause() {
    if skip() {
        return;
    }
    let cluster = ClusterConfig::new()
        .members(3)
        .backup_count(1)
        .start()
        .expect("start a 3-member cluster");
    eprintln!("3-member cluster started in {:?}", cluster.startup_time());
    let addresses = cluster.addresses();
    assert_eq!(addresses.len(), 3);
    for (i, &addr) in addresses.iter().enumerate() {
        let log = cluster.log(i);
        assert!(
            log.contains("Members {size:3"),
            "member {i} log has no 3-member list:\n{log}"
        );
        assert_eq!(cluster.member_count_seen(i), Some(3));
        assert!(accepts(addr));
    }

    // Pause member 2 and check the kernel reports it stopped; resume it.
    let pid2 = cluster.pid(2).expect("member 2 pid");
    cluster.pause(2).expect("pause");
    assert_eq!(proc_state(pid2), Some('T'));
    assert!(cluster.is_running(2), "a paused member still counts as running");
    cluster.resume(2).expect("resume");
    eventually(
        "member 2 to leave the stopped state",
        Duration::from_secs(10),
        || proc_state(pid2).is_some_and(|s| s != 'T'),
    );

    // SIGTERM member 1: the others see a 2-member cluster.
    let pid1 = cluster.pid(1).expect("member 1 pid");
    cluster.terminate(1).expect("terminate");
    assert!(!cluster.is_running(1));
    assert!(!Path::new(&format!("/proc/{pid1}")).exists());
    cluster
        .wait_for_cluster_size(2, Duration::from_secs(60))
        .expect("2 members after terminate");

    // Restart it on the same port: back to 3.
    let restarted = Instant::now();
    cluster.restart(1).expect("restart");
    cluster
        .wait_for_cluster_size(3, Duration::from_secs(90))
        .expect("3 members after restart");
    eprintln!("member restarted and rejoined in {:?}", restarted.elapsed());
    assert_eq!(cluster.address(1), addresses[1]);
    assert_ne!(cluster.pid(1), Some(pid1));
    assert!(accepts(addresses[1]));
    let full_log = std::fs::read_to_string(cluster.log_path(1)).expect("member 1 log");
    assert_eq!(
        full_log
            .matches("=== hazelcast-testkit: starting member 1")
            .count(),
        2
    );
}

static SHARED: SharedCluster = SharedCluster::new(ClusterConfig::new);

#[test]
fn shared_cluster_outlives_the_thread_that_started_it() {
    if skip() {
        return;
    }
    // Start the shared cluster on a thread that then exits: PR_SET_PDEATHSIG must not fire.
    let (pid, tid_path) = std::thread::spawn(|| {
        let tid_path = std::fs::read_link("/proc/thread-self").expect("thread id");
        (SHARED.get().expect("shared cluster").pid(0), tid_path)
    })
    .join()
    .expect("starter thread");
    let pid = pid.expect("pid");
    // The kernel sends the parent-death signal while the thread exits; once the thread is gone
    // from /proc, that has happened (or, correctly, not happened).
    let tid_path = Path::new("/proc").join(tid_path);
    eventually("the starter thread to be gone", Duration::from_secs(10), || {
        !tid_path.exists()
    });
    let cluster = SHARED.get().expect("shared cluster again");
    // A negative check needs an observation window: the member must stay alive through it.
    let window = Instant::now() + Duration::from_millis(500);
    while Instant::now() < window {
        assert!(
            matches!(proc_state(pid), Some(s) if s != 'Z'),
            "shared member {pid} died"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(cluster.pid(0), Some(pid));
    assert!(cluster.is_running(0));
    assert!(accepts(cluster.address(0)));
}

#[test]
fn a_member_that_cannot_start_is_reported_with_its_log() {
    if skip() {
        return;
    }
    let err = ClusterConfig::new()
        .extra_xml("<no-such-element/>")
        .startup_timeout(Duration::from_secs(60))
        .start()
        .expect_err("an invalid config must fail");
    match err {
        TestkitError::MemberExited {
            index: 0, log_tail, ..
        } => {
            assert!(
                log_tail.contains("no-such-element"),
                "log tail does not explain:\n{log_tail}"
            );
        }
        other => panic!("unexpected error: {other}"),
    }
}

#[test]
fn concurrent_downloads_share_one_jar() {
    if skip() {
        return;
    }
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("hz-cache-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let version = hazelcast_testkit::default_version();
    let jars: Vec<_> = (0..4)
        .map(|_| {
            let (cache, version) = (cache.clone(), version.clone());
            std::thread::spawn(move || ensure_member_jar_in(&cache, &version).expect("download"))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().expect("download thread"))
        .collect();
    let expected = cache.join(&version).join(format!("hazelcast-{version}.jar"));
    assert!(jars.iter().all(|j| *j == expected), "{jars:?}");
    assert!(std::fs::metadata(&expected).expect("jar").len() > 1_000_000);
    // Nothing but the jar and the lock file is left behind.
    let mut names: Vec<String> = std::fs::read_dir(cache.join(&version))
        .expect("cache dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![".download.lock".to_owned(), format!("hazelcast-{version}.jar")]
    );
    let _ = std::fs::remove_dir_all(&cache);
}
