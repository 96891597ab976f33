//! Queue, FlakeIdGenerator and PnCounter while a member of a 3-member cluster is killed
//! (`SIGKILL`) under load: no acknowledged queue item is lost, no id is handed out twice, a PN
//! counter moves to another replica and its reads never go back.
//!
//! Each test starts its own cluster; they take turns (one 3-member cluster at a time), since
//! each one loads the machine on its own.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use hazelcast::{HazelcastClient, HazelcastError, PnCounter, Uuid};
use hazelcast_testkit::{Cluster, ClusterConfig};

mod kill_support;
use kill_support::{client, kill, member_index, owner_of_name, wait_for};

/// One 3-member cluster at a time.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Queues keep one synchronous backup (Hazelcast's default, stated here so the test does not
/// depend on it).
const QUEUE_BACKUPS: &str = "<queue name=\"default\"><backup-count>1</backup-count><async-backup-count>0</async-backup-count></queue>";

async fn start_cluster() -> Arc<Cluster> {
    let cluster =
        tokio::task::spawn_blocking(|| ClusterConfig::new().members(3).extra_xml(QUEUE_BACKUPS).start())
            .await
            .expect("join")
            .expect("a 3-member cluster starts");
    Arc::new(cluster)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_offer_acknowledged_by_a_queue_with_a_backup_is_lost_when_its_owner_is_killed() {
    const PRODUCERS: usize = 4;
    const BEFORE: usize = 2_000;
    const AFTER: usize = 2_000;
    let _turn = TURN.lock().await;
    let cluster = start_cluster().await;
    // Offers cut off by the kill are sent again: an offer the old owner applied may then be
    // applied twice (counted below as duplicates, never as losses). An offer succeeds only once
    // its backup acknowledged it.
    let client = client(&cluster, true).await;
    let name = format!("killed-queue-{}", Uuid::new_v4());
    let queue = client.get_queue::<String>(&name).await.expect("queue");
    // Members assign partitions on the first partition operation; then the client learns the
    // owner.
    assert_eq!(queue.size().await.expect("size"), 0);
    let owner = owner_of_name(&client, &cluster, &name).await;

    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let failed = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut producers = Vec::new();
    for p in 0..PRODUCERS {
        let (queue, acked, failed, stop) = (queue.clone(), acked.clone(), failed.clone(), stop.clone());
        producers.push(tokio::spawn(async move {
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let item = format!("p{p}-{i}");
                i += 1;
                match queue.offer(item.as_str()).await {
                    Ok(true) => lock(&acked).push(item),
                    Ok(false) => panic!("an unbounded queue refused {item}"),
                    Err(e) => lock(&failed).push((item, e.to_string())),
                }
            }
        }));
    }
    wait_for("offers before the kill", Duration::from_secs(60), || {
        lock(&acked).len() >= BEFORE
    })
    .await;
    let acked_before_kill = lock(&acked).len();
    kill(&cluster, owner).await;
    wait_for("offers after the kill", Duration::from_secs(120), || {
        lock(&acked).len() >= acked_before_kill + AFTER
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    for p in producers {
        p.await.expect("producer");
    }

    let mut polled: HashMap<String, usize> = HashMap::new();
    loop {
        let batch = queue.drain(10_000).await.expect("drain");
        if batch.is_empty() {
            break;
        }
        for item in batch {
            *polled.entry(item).or_default() += 1;
        }
    }
    let acked = std::mem::take(&mut *lock(&acked));
    let failed = std::mem::take(&mut *lock(&failed));
    let lost: Vec<&String> = acked.iter().filter(|i| !polled.contains_key(*i)).collect();
    let offered: HashSet<&String> = acked.iter().chain(failed.iter().map(|(i, _)| i)).collect();
    let never_offered: Vec<&String> = polled.keys().filter(|i| !offered.contains(i)).collect();
    let duplicated: Vec<(&String, &usize)> = polled.iter().filter(|(_, n)| **n > 1).collect();
    let failed_present = failed.iter().filter(|(i, _)| polled.contains_key(i)).count();
    println!(
        "queue kill: killed member {owner} (the owner) after {acked_before_kill} acknowledged offers; \
         {} acknowledged in all, {} failed ({failed_present} of them in the queue), {} polled, \
         {} items duplicated, {} lost",
        acked.len(),
        failed.len(),
        polled.values().sum::<usize>(),
        duplicated.len(),
        lost.len()
    );
    for (item, error) in failed.iter().take(5) {
        println!("  failed offer {item}: {error}");
    }
    for (item, n) in duplicated.iter().take(5) {
        println!("  duplicated {item} ×{n}");
    }
    assert!(
        lost.is_empty(),
        "acknowledged offers lost: {} (first: {:?})",
        lost.len(),
        &lost[..lost.len().min(10)]
    );
    assert!(
        never_offered.is_empty(),
        "items nobody offered: {never_offered:?}"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flake_id_generator_hands_out_no_id_twice_while_a_member_is_killed() {
    const TASKS: usize = 8;
    const BEFORE: usize = 20_000;
    const AFTER: usize = 20_000;
    let _turn = TURN.lock().await;
    let cluster = start_cluster().await;
    let client = client(&cluster, false).await;
    // Small batches: many batch requests, to every member, while the member dies.
    let generator = client
        .get_flake_id_generator(&format!("killed-ids-{}", Uuid::new_v4()))
        .await
        .expect("generator")
        .with_prefetch(5, Duration::ZERO)
        .expect("prefetch");
    let taken = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (generator, taken, stop) = (generator.clone(), taken.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let (mut ids, mut errors) = (Vec::new(), Vec::new());
            while !stop.load(Ordering::Relaxed) {
                match generator.new_id().await {
                    Ok(id) => {
                        ids.push(id);
                        taken.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => errors.push(e.to_string()),
                }
            }
            (ids, errors)
        }));
    }
    wait_for("ids before the kill", Duration::from_secs(60), || {
        taken.load(Ordering::Relaxed) >= BEFORE
    })
    .await;
    let before = taken.load(Ordering::Relaxed);
    kill(&cluster, 1).await;
    wait_for("ids after the kill", Duration::from_secs(120), || {
        taken.load(Ordering::Relaxed) >= before + AFTER
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    let (mut seen, mut duplicates, mut errors) = (HashSet::new(), Vec::new(), Vec::new());
    for task in tasks {
        let (ids, errs) = task.await.expect("task");
        for id in ids {
            if !seen.insert(id) {
                duplicates.push(id);
            }
        }
        errors.extend(errs);
    }
    println!(
        "flake id kill: {} ids, {} duplicates, {} failed calls {:?}",
        seen.len() + duplicates.len(),
        duplicates.len(),
        errors.len(),
        &errors[..errors.len().min(3)]
    );
    assert!(duplicates.is_empty(), "ids handed out twice: {duplicates:?}");
    assert!(seen.len() >= before + AFTER);
    client.shutdown().await;
}

/// Fresh proxies (each picks a random replica) until every member but `except` answered `value`
/// to a `get`: those replicas hold the state this test's proxy observed.
async fn wait_until_replicated(client: &HazelcastClient, name: &str, except: Uuid, value: i64) {
    let others: HashSet<Uuid> = client
        .members()
        .iter()
        .map(|m| m.uuid)
        .filter(|u| *u != except)
        .collect();
    let mut confirmed = HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while confirmed != others {
        assert!(
            Instant::now() < deadline,
            "replicas {others:?} did not all reach {value} (confirmed: {confirmed:?})"
        );
        let probe = client.get_pn_counter(name).await.expect("counter");
        let read = probe.get().await.expect("get");
        let replica = probe.target_replica().expect("a replica answered");
        if read == value && replica != except {
            confirmed.insert(replica);
        } else {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn adds(counter: &PnCounter, n: i64, sum: &mut i64) {
    for _ in 0..n {
        let value = counter.add_and_get(1).await.expect("add");
        *sum += 1;
        assert_eq!(value, *sum, "the only writer reads exactly its own adds");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pn_counter_moves_to_another_replica_when_its_replica_is_killed_and_never_reads_back() {
    let _turn = TURN.lock().await;
    let cluster = start_cluster().await;
    let client = client(&cluster, false).await;
    let name = format!("killed-counter-{}", Uuid::new_v4());
    let counter = client.get_pn_counter(&name).await.expect("counter");
    let mut sum = 0;
    adds(&counter, 200, &mut sum).await;
    let replica = counter.target_replica().expect("a replica answered");
    wait_until_replicated(&client, &name, replica, sum).await;
    kill(&cluster, member_index(&client, &cluster, replica)).await;

    // The next call fails on the dead replica and goes to another one, which holds every
    // update this proxy observed.
    assert_eq!(counter.get().await.expect("get after the kill"), sum);
    let moved = counter.target_replica().expect("a replica answered");
    assert_ne!(moved, replica, "the proxy moved to another replica");
    adds(&counter, 200, &mut sum).await;
    assert_eq!(counter.get().await.expect("get"), sum);
    client.shutdown().await;
}

/// What one task of the load test saw.
#[derive(Debug, Default)]
struct TaskOutcome {
    /// Reads lower than an earlier read of the same task: `(earlier, later)`.
    backwards: Vec<(i64, i64)>,
    /// The error that ended the task.
    error: Option<HazelcastError>,
}

/// The replica a proxy talks to is killed while tasks add and read through it. What holds:
/// calls either succeed on another replica or fail with a lost session (the members'
/// `ConsistencyLostException`, or `HazelcastError::SessionConsistencyLost` when a surviving
/// replica answers from a state older than the proxy observed); the proxy leaves the dead
/// replica; nothing is counted that was not added; and no task ever reads a value lower than
/// one it read before.
///
/// The last point needs the proxy's own check: a counter's state on a member starts with that
/// member's own replica timestamp (`PNCounterImpl`'s constructor sets it to `Long.MIN_VALUE`),
/// so the member's check accepts a clock observed from the dead replica alone even when the
/// survivor has not received the dead one's last updates, and answers from its older state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pn_counter_whose_replica_is_killed_under_load_keeps_counting() {
    const TASKS: usize = 4;
    let _turn = TURN.lock().await;
    let cluster = start_cluster().await;
    let client = client(&cluster, false).await;
    let name = format!("loaded-counter-{}", Uuid::new_v4());
    let counter = client.get_pn_counter(&name).await.expect("counter");
    counter.get().await.expect("first get");
    let replica = counter.target_replica().expect("a replica answered");

    let acked = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (counter, acked, stop) = (counter.clone(), acked.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut outcome = TaskOutcome::default();
            let mut last = 0;
            while !stop.load(Ordering::Relaxed) {
                let read = match counter.add_and_get(1).await {
                    Ok(v) => {
                        acked.fetch_add(1, Ordering::Relaxed);
                        v
                    }
                    Err(e) => {
                        if matches!(e, HazelcastError::SessionConsistencyLost { update_applied: true }) {
                            // Applied, only its result was refused.
                            acked.fetch_add(1, Ordering::Relaxed);
                        }
                        outcome.error = Some(e);
                        break;
                    }
                };
                let got = match counter.get().await {
                    Ok(v) => v,
                    Err(e) => {
                        outcome.error = Some(e);
                        break;
                    }
                };
                for value in [read, got] {
                    if value < last {
                        outcome.backwards.push((last, value));
                    }
                    last = value;
                }
            }
            outcome
        }));
    }
    wait_for("adds before the kill", Duration::from_secs(60), || {
        acked.load(Ordering::Relaxed) >= 500
    })
    .await;
    kill(&cluster, member_index(&client, &cluster, replica)).await;
    wait_for("the tasks to go on or fail", Duration::from_secs(60), || {
        acked.load(Ordering::Relaxed) >= 1_500 || tasks.iter().all(|t| t.is_finished())
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    let (mut lost_sessions, mut stale_answers, mut backwards) = (0, 0, Vec::new());
    for task in tasks {
        let outcome = task.await.expect("task");
        if let Some(e) = outcome.error {
            assert!(e.is_consistency_lost(), "unexpected error: {e:?}");
            lost_sessions += 1;
            if matches!(e, HazelcastError::SessionConsistencyLost { .. }) {
                stale_answers += 1;
            }
        }
        backwards.extend(outcome.backwards);
    }
    assert!(
        backwards.is_empty(),
        "reads went back: {backwards:?} (errors ended {lost_sessions} of {TASKS} tasks)"
    );
    let acked = i64::try_from(acked.load(Ordering::Relaxed)).expect("count");
    assert_ne!(
        counter.target_replica(),
        Some(replica),
        "the proxy left the dead replica"
    );
    // After `reset` the proxy reads whatever the surviving replicas hold: the updates the dead
    // one had not replicated yet are gone, and nothing more than was added is there.
    counter.reset();
    let mut value = counter.get().await.expect("get after reset");
    println!(
        "pn kill under load: {acked} adds acknowledged; {lost_sessions} of {TASKS} tasks ended with \
         a lost session ({stale_answers} of them on a stale answer, the others refused by a \
         member); {value} read after reset"
    );
    assert!(
        (0..=acked).contains(&value),
        "read {value} after {acked} acknowledged adds"
    );
    if lost_sessions == 0 {
        // The survivors had every update: once they converge, every acknowledged add counts.
        let deadline = Instant::now() + Duration::from_secs(30);
        while value != acked {
            assert!(
                Instant::now() < deadline,
                "stuck at {value} of {acked} acknowledged adds"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
            value = counter.get().await.expect("get");
        }
    }
    client.shutdown().await;
}
