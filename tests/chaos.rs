//! Chaos under load against a real 3-member cluster (backup count 1, backup acks on): kill -9 a
//! member, restart it, then a rolling restart of all three. Every write acknowledged to the caller
//! must be readable afterwards with its last acknowledged value; no call may outlive the invocation
//! timeout; the client must serve again quickly after each event and end with a connection per
//! member.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hazelcast::{HazelcastClient, HazelcastError, InvocationError};
use hazelcast_integration_tests::{on_cluster, start_cluster, wait_for};
use hazelcast_testkit::ClusterConfig;

const INVOCATION_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Counters {
    acknowledged: AtomicU64,
    unknown_outcome: AtomicU64,
    failed_reads: AtomicU64,
    slowest_ms: AtomicU64,
    last_success_ms: AtomicU64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kills_and_a_rolling_restart() {
    let cluster = start_cluster(
        ClusterConfig::new()
            .members(3)
            .backup_count(1)
            .jvm_arg("-Dhazelcast.shutdownhook.policy=GRACEFUL"),
    )
    .await;
    let members: Vec<String> = cluster.addresses().iter().map(ToString::to_string).collect();
    let client = HazelcastClient::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(members)
        .invocation_timeout(INVOCATION_TIMEOUT)
        .retry_initial_backoff(Duration::from_millis(200))
        .retry_max_backoff(Duration::from_secs(1))
        // A write whose backup never acknowledged it is lost if its primary dies before the
        // backup applies it; by default (as in the Java client) such a write is reported a
        // success after the backup timeout. This test counts only writes known to be on the
        // backup too, so it asks for the indeterminate state to be reported.
        .fail_on_indeterminate_operation_state(true)
        .start()
        .await
        .expect("client starts");
    let map = client.get_map::<String, i64>("chaos").await.expect("map");
    let connections = || client.cluster_client().map_or(0, |c| c.connections().list.len());
    wait_for("3 connections", Duration::from_secs(20), || connections() == 3).await;

    let started = Instant::now();
    let counters = Arc::new(Counters::default());
    let acked: Arc<Mutex<HashMap<String, i64>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for w in 0..6 {
        let (map, counters, acked, stop) = (map.clone(), counters.clone(), acked.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            let mut n = 0i64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let key = format!("w{w}-k{}", n % 100);
                let t = Instant::now();
                match map.set(key.as_str(), n).await {
                    Ok(()) => {
                        counters.acknowledged.fetch_add(1, Ordering::Relaxed);
                        acked.lock().expect("lock").insert(key.clone(), n);
                        counters
                            .last_success_ms
                            .store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
                    }
                    // Cut off mid-flight, or applied without a confirmed backup: the outcome is
                    // unknown, so the key is no longer checked.
                    Err(HazelcastError::Invocation(
                        InvocationError::TargetDisconnected { .. }
                        | InvocationError::IndeterminateOperationState { .. },
                    )) => {
                        counters.unknown_outcome.fetch_add(1, Ordering::Relaxed);
                        acked.lock().expect("lock").remove(&key);
                    }
                    Err(e) => panic!("set failed: {e}"),
                }
                if map.get(key.as_str()).await.is_err() {
                    counters.failed_reads.fetch_add(1, Ordering::Relaxed);
                }
                counters
                    .slowest_ms
                    .fetch_max(t.elapsed().as_millis() as u64, Ordering::Relaxed);
            }
        }));
    }

    // After each event: the time until writes succeed again.
    let recovered = |label: &'static str, counters: Arc<Counters>| async move {
        let at = counters.acknowledged.load(Ordering::Relaxed);
        let t = Instant::now();
        wait_for(label, INVOCATION_TIMEOUT, || {
            counters.acknowledged.load(Ordering::Relaxed) > at + 50
        })
        .await;
        t.elapsed()
    };
    let mut report = Vec::new();
    recovered("warm-up load", counters.clone()).await;

    on_cluster(&cluster, "kill -9", |c| c.kill(1)).await;
    report.push((
        "kill -9 member 1",
        recovered("load after the kill", counters.clone()).await,
    ));
    wait_for("2 connections", Duration::from_secs(30), || connections() == 2).await;

    on_cluster(&cluster, "restart", |c| c.restart(1)).await;
    wait_for("3 connections after the restart", Duration::from_secs(30), || {
        connections() == 3
    })
    .await;
    report.push((
        "restart member 1",
        recovered("load after the restart", counters.clone()).await,
    ));

    for i in 0..3 {
        // Graceful: the member hands its partitions over before it exits.
        on_cluster(&cluster, "terminate", move |c| c.terminate(i)).await;
        wait_for("2 connections", Duration::from_secs(60), || connections() == 2).await;
        on_cluster(&cluster, "restart", move |c| c.restart(i)).await;
        wait_for("3 connections", Duration::from_secs(60), || connections() == 3).await;
        report.push((
            "rolling restart step",
            recovered("load after a rolling step", counters.clone()).await,
        ));
    }

    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.expect("worker");
    }
    let acked = acked.lock().expect("lock").clone();
    let mut lost = Vec::new();
    for (key, value) in &acked {
        if map.get(key.as_str()).await.expect("read back") != Some(*value) {
            lost.push(key.clone());
        }
    }
    eprintln!(
        "chaos: {} writes acknowledged, {} with unknown outcome (connection cut mid-call), {} reads failed, \
         {} keys checked, {} lost, slowest call {} ms, {} s in all",
        counters.acknowledged.load(Ordering::Relaxed),
        counters.unknown_outcome.load(Ordering::Relaxed),
        counters.failed_reads.load(Ordering::Relaxed),
        acked.len(),
        lost.len(),
        counters.slowest_ms.load(Ordering::Relaxed),
        started.elapsed().as_secs()
    );
    for (event, took) in &report {
        eprintln!("chaos: serving again {took:?} after: {event}");
    }
    assert!(lost.is_empty(), "acknowledged writes lost: {lost:?}");
    assert_eq!(
        counters.failed_reads.load(Ordering::Relaxed),
        0,
        "read-only calls are retried"
    );
    assert!(Duration::from_millis(counters.slowest_ms.load(Ordering::Relaxed)) < INVOCATION_TIMEOUT);
    assert_eq!(
        connections(),
        3,
        "smart routing re-converged to a connection per member"
    );
    client.shutdown().await;
}
