//! List, Set and MultiMap while a member of a 3-member cluster is killed (`SIGKILL`) under
//! load: no acknowledged add or put is lost.
//!
//! Each test starts its own cluster; they take turns (one 3-member cluster at a time), since
//! each one loads the machine on its own.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use hazelcast::{HazelcastClient, HazelcastError, Uuid};
use hazelcast_testkit::{Cluster, ClusterConfig};

mod kill_support;
use kill_support::{kill, owner_of_name, wait_for};

/// A writing client (see [`kill_support::client`]).
async fn client(cluster: &Cluster) -> HazelcastClient {
    kill_support::client(cluster, true).await
}

/// One 3-member cluster at a time.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Synchronous backups of every structure under test (1 is Hazelcast's default, stated here so
/// the tests do not depend on it; with 0 the tests lose acknowledged items).
const BACKUPS: u32 = 1;

/// Tasks writing concurrently.
const PRODUCERS: usize = 4;
/// Acknowledged writes before the kill.
const BEFORE: usize = 2_000;
/// Acknowledged writes after the kill.
const AFTER: usize = 2_000;

fn backups_xml() -> String {
    ["list", "set", "multimap"]
        .iter()
        .map(|kind| {
            format!(
                "<{kind} name=\"default\"><backup-count>{BACKUPS}</backup-count>\
                 <async-backup-count>0</async-backup-count></{kind}>"
            )
        })
        .collect()
}

async fn start_cluster() -> Arc<Cluster> {
    let cluster =
        tokio::task::spawn_blocking(|| ClusterConfig::new().members(3).extra_xml(backups_xml()).start())
            .await
            .expect("join")
            .expect("a 3-member cluster starts");
    Arc::new(cluster)
}

type Write = Pin<Box<dyn Future<Output = Result<bool, HazelcastError>> + Send>>;

/// What the producers saw.
struct Load<I> {
    /// Items whose write returned `Ok(true)`.
    acked: Vec<I>,
    /// Items whose write returned `Ok(false)`.
    refused: Vec<I>,
    /// Items whose write failed, with the error.
    failed: Vec<(I, String)>,
    /// Acknowledged writes when the member was killed.
    acked_before_kill: usize,
}

/// Runs [`PRODUCERS`] tasks that write the items `item(producer, i)` through `write` until
/// [`BEFORE`] writes were acknowledged, kills member `victim`, and goes on until [`AFTER`] more
/// were.
async fn load_through_kill<I>(
    cluster: &Arc<Cluster>,
    victim: usize,
    item: fn(usize, u64) -> I,
    write: impl Fn(I) -> Write + Clone + Send + 'static,
) -> Load<I>
where
    I: Clone + Send + 'static,
{
    let acked_count = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut producers = Vec::new();
    for p in 0..PRODUCERS {
        let (write, acked_count, stop) = (write.clone(), acked_count.clone(), stop.clone());
        producers.push(tokio::spawn(async move {
            let (mut acked, mut refused, mut failed) = (Vec::new(), Vec::new(), Vec::new());
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let it = item(p, i);
                i += 1;
                match write(it.clone()).await {
                    Ok(true) => {
                        acked.push(it);
                        acked_count.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(false) => refused.push(it),
                    Err(e) => failed.push((it, e.to_string())),
                }
            }
            (acked, refused, failed)
        }));
    }
    wait_for("writes before the kill", Duration::from_secs(60), || {
        acked_count.load(Ordering::Relaxed) >= BEFORE
    })
    .await;
    let acked_before_kill = acked_count.load(Ordering::Relaxed);
    kill(cluster, victim).await;
    wait_for("writes after the kill", Duration::from_secs(120), || {
        acked_count.load(Ordering::Relaxed) >= acked_before_kill + AFTER
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    let mut load = Load {
        acked: Vec::new(),
        refused: Vec::new(),
        failed: Vec::new(),
        acked_before_kill,
    };
    for p in producers {
        let (acked, refused, failed) = p.await.expect("producer");
        load.acked.extend(acked);
        load.refused.extend(refused);
        load.failed.extend(failed);
    }
    load
}

/// Compares what the structure holds (`present`, each item with its number of copies) with
/// what was written; prints the figures and fails on a lost acknowledged item or an item
/// nobody wrote.
fn check<I>(what: &str, victim: usize, load: &Load<I>, present: &HashMap<I, usize>)
where
    I: Eq + Hash + std::fmt::Debug,
{
    let lost: Vec<&I> = load.acked.iter().filter(|i| !present.contains_key(*i)).collect();
    let written: HashSet<&I> = load
        .acked
        .iter()
        .chain(load.refused.iter())
        .chain(load.failed.iter().map(|(i, _)| i))
        .collect();
    let never_written: Vec<&I> = present.keys().filter(|i| !written.contains(i)).collect();
    let duplicated: Vec<(&I, &usize)> = present.iter().filter(|(_, n)| **n > 1).collect();
    let failed_present = load
        .failed
        .iter()
        .filter(|(i, _)| present.contains_key(i))
        .count();
    println!(
        "{what} kill: killed member {victim} after {} acknowledged writes; {} acknowledged in all, \
         {} refused, {} failed ({failed_present} of them present), {} present, {} items \
         duplicated, {} lost",
        load.acked_before_kill,
        load.acked.len(),
        load.refused.len(),
        load.failed.len(),
        present.values().sum::<usize>(),
        duplicated.len(),
        lost.len()
    );
    for (item, error) in load.failed.iter().take(5) {
        println!("  failed write {item:?}: {error}");
    }
    for (item, n) in duplicated.iter().take(5) {
        println!("  duplicated {item:?} ×{n}");
    }
    assert!(
        lost.is_empty(),
        "{what}: acknowledged writes lost: {} (first: {:?})",
        lost.len(),
        &lost[..lost.len().min(10)]
    );
    assert!(
        never_written.is_empty(),
        "{what}: items nobody wrote: {never_written:?}"
    );
}

fn counts<I: Eq + Hash>(items: impl IntoIterator<Item = I>) -> HashMap<I, usize> {
    let mut counts = HashMap::new();
    for item in items {
        *counts.entry(item).or_default() += 1;
    }
    counts
}

fn string_item(p: usize, i: u64) -> String {
    format!("p{p}-{i}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_add_acknowledged_by_a_list_with_a_backup_is_lost_when_its_owner_is_killed() {
    let _turn = TURN.lock().await;
    let cluster = start_cluster().await;
    let client = client(&cluster).await;
    let name = format!("killed-list-{}", Uuid::new_v4());
    let list = client.get_list::<String>(&name).await.expect("list");
    // Members assign partitions on the first partition operation; then the client learns the
    // owner.
    assert_eq!(list.size().await.expect("size"), 0);
    let owner = owner_of_name(&client, &cluster, &name).await;
    let writer = list.clone();
    let load = load_through_kill(&cluster, owner, string_item, move |item: String| {
        let list = writer.clone();
        Box::pin(async move { list.add(item).await }) as Write
    })
    .await;
    assert!(load.refused.is_empty(), "a list refused adds: {:?}", load.refused);
    let present = counts(list.items().await.expect("items"));
    check("list", owner, &load, &present);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_add_acknowledged_by_a_set_with_a_backup_is_lost_when_its_owner_is_killed() {
    let _turn = TURN.lock().await;
    let cluster = start_cluster().await;
    let client = client(&cluster).await;
    let name = format!("killed-set-{}", Uuid::new_v4());
    let set = client.get_set::<String>(&name).await.expect("set");
    assert_eq!(set.size().await.expect("size"), 0);
    let owner = owner_of_name(&client, &cluster, &name).await;
    let writer = set.clone();
    // Every item is new: `add` returns true unless a redo found the item an earlier attempt
    // already added (counted as refused).
    let load = load_through_kill(&cluster, owner, string_item, move |item: String| {
        let set = writer.clone();
        Box::pin(async move { set.add(item).await }) as Write
    })
    .await;
    let items = set.items().await.expect("items");
    let present = counts(items);
    assert!(present.values().all(|n| *n == 1), "a set holds an item twice");
    check("set", owner, &load, &present);
    client.shutdown().await;
}

/// Keys spread over the partitions: every member owns some of them.
const KEYS: u64 = 271;

fn entry_item(p: usize, i: u64) -> (String, String) {
    (format!("k{}", i % KEYS), format!("p{p}-{i}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_put_acknowledged_by_a_multi_map_with_a_backup_is_lost_when_a_member_is_killed() {
    let _turn = TURN.lock().await;
    let cluster = start_cluster().await;
    let client = client(&cluster).await;
    let name = format!("killed-multi-map-{}", Uuid::new_v4());
    let map = client
        .get_multi_map::<String, String>(&name)
        .await
        .expect("multi-map");
    assert_eq!(map.size().await.expect("size"), 0);
    let writer = map.clone();
    let load = load_through_kill(&cluster, 1, entry_item, move |(key, value): (String, String)| {
        let map = writer.clone();
        Box::pin(async move { map.put(key, value).await }) as Write
    })
    .await;
    let present = counts(map.entries().await.expect("entries"));
    // A multi-map's values form a set by default (Java's `MultiMapConfig`), and every value is
    // written once: a put is refused only when redo sent it again after the first attempt was
    // applied on the killed member, so a refused value must be present.
    let refused_missing: Vec<_> = load
        .refused
        .iter()
        .filter(|e| !present.contains_key(*e))
        .collect();
    assert!(
        refused_missing.is_empty(),
        "refused puts whose value is missing: {refused_missing:?}"
    );
    check("multi-map", 1, &load, &present);
    client.shutdown().await;
}
