//! Project automation: `cargo xtask <command>`.
//!
//! * `cargo xtask demo [--members N] [--version V]`: starts a local cluster of real Hazelcast
//!   members, runs the demonstration against it (a smart client whose calls each go to their
//!   partition owner, counted per member connection, then a unisocket client for comparison),
//!   and stops the cluster.
//! * `cargo xtask cluster [--members N] [--version V] [--name NAME]`: starts a local cluster and
//!   keeps it running until the command is interrupted (Ctrl-C stops the members too).
//! * `cargo xtask codegen [--definitions DIR] [--check]`: generates the protocol codecs from the
//!   official definitions (the `xtask-codegen` crate; `cargo run -p xtask-codegen` runs it alone).

mod bench;
mod soak;

use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use hazelcast::codec::Serialize;
use hazelcast::invocation::ClusterClient;
use hazelcast::{ClientConfig, HazelcastClient, Uuid};
use hazelcast_testkit::{Cluster, ClusterConfig};

const USAGE: &str = "usage: cargo xtask <demo|cluster> [--members N] [--version V] [--name NAME]";

struct Options {
    members: usize,
    version: Option<String>,
    name: Option<String>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        members: 3,
        version: None,
        name: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |flag: &str| it.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match a.as_str() {
            "--members" => {
                let v = value("--members")?;
                o.members = v
                    .parse()
                    .ok()
                    .filter(|n| (1..=9).contains(n))
                    .ok_or_else(|| format!("--members takes a number from 1 to 9, not {v:?}"))?;
            }
            "--version" => o.version = Some(value("--version")?),
            "--name" => o.name = Some(value("--name")?),
            other => return Err(format!("unknown option {other:?}\n{USAGE}")),
        }
    }
    Ok(o)
}

fn start(o: &Options) -> Result<Cluster, String> {
    let mut cfg = ClusterConfig::new()
        .members(o.members)
        .backup_count(1)
        .keep_logs(std::env::var_os("HZ_KEEP_LOGS").is_some());
    if let Some(v) = &o.version {
        cfg = cfg.version(v.clone());
    }
    if let Some(n) = &o.name {
        cfg = cfg.cluster_name(n.clone());
    }
    println!(
        "▶ starting {} Hazelcast member(s) on loopback (the first run downloads the member jar)…",
        o.members
    );
    let cluster = cfg
        .start()
        .map_err(|e| format!("could not start the cluster: {e}"))?;
    println!(
        "✔ cluster {:?} (Hazelcast {}) is up in {:.1} s: {}",
        cluster.cluster_name(),
        cluster.version(),
        cluster.startup_time().as_secs_f64(),
        cluster
            .addresses()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(cluster)
}

fn demo(o: &Options) -> Result<(), String> {
    let cluster = start(o)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    let result = runtime.block_on(demo_clients(&cluster));
    println!("\n▶ stopping the cluster");
    drop(cluster);
    println!("✔ done");
    result
}

const DEMO_KEYS: usize = 300;

/// The smart-routing demonstration and the unisocket comparison, through the `hazelcast` facade.
async fn demo_clients(cluster: &Cluster) -> Result<(), String> {
    let seed = cluster.address(0).to_string();
    let config = |smart: bool| {
        ClientConfig::builder()
            .cluster_name(cluster.cluster_name())
            .cluster_members([seed.clone()])
            .smart_routing(smart)
            .build()
            .map_err(|e| format!("config: {e}"))
    };

    println!("\n▶ smart client (smart_routing = true): seed {seed} only; it learns the other members");
    let t = Instant::now();
    let client = HazelcastClient::start(config(true)?)
        .await
        .map_err(|e| format!("start: {e}"))?;
    let cc = client.cluster_client().ok_or("not connected")?;
    wait_until("a connection to every member", || {
        cc.connections().list.len() == cluster.len()
    })
    .await?;
    println!(
        "✔ connected in {:.0} ms as {} ({}), {} connections",
        t.elapsed().as_secs_f64() * 1e3,
        client.client_name(),
        client.uuid().map(|u| u.to_string()).unwrap_or_default(),
        cc.connections().list.len()
    );
    let map = client
        .get_map::<String, String>("demo")
        .await
        .map_err(|e| format!("get_map: {e}"))?;
    // A fresh cluster assigns partitions on the first partition-bound call.
    map.get("warm-up").await.map_err(|e| format!("get: {e}"))?;
    wait_until("the partition table", || {
        let p = cc.snapshot().partitions;
        p.owners.len() == cc.partition_count() as usize && p.owners.iter().all(Option::is_some)
    })
    .await?;
    let snapshot = cc.snapshot();
    let counts = snapshot.partitions.counts();
    let address_of = |uuid: &Uuid| {
        snapshot
            .members
            .get(uuid)
            .map(|m| m.client_address().to_string())
            .unwrap_or_else(|| uuid.to_string())
    };
    println!(
        "  member list and partition table ({} partitions):",
        cc.partition_count()
    );
    for m in &snapshot.members.members {
        println!(
            "    {}  {}  owns {:3} partitions",
            m.client_address(),
            m.uuid,
            counts.get(&m.uuid).copied().unwrap_or(0)
        );
    }

    println!("\n▶ {DEMO_KEYS} puts and {DEMO_KEYS} gets: each key goes to the owner of its partition");
    let mut expected: HashMap<Uuid, u64> = HashMap::new();
    for i in 0..DEMO_KEYS {
        let key = format!("key-{i}").to_data();
        let pid = cc.partition_id(&key);
        let owner = snapshot.partitions.owner(pid).ok_or("partition without owner")?;
        *expected.entry(owner).or_default() += 2;
        if i < 3 {
            println!("    key-{i} → partition {pid:3} → owner {}", address_of(&owner));
        }
    }
    let before = written(&cc);
    let t = Instant::now();
    for i in 0..DEMO_KEYS {
        map.put(format!("key-{i}"), format!("value-{i}"))
            .await
            .map_err(|e| format!("put: {e}"))?;
        let got = map
            .get(format!("key-{i}"))
            .await
            .map_err(|e| format!("get: {e}"))?;
        if got.as_deref() != Some(format!("value-{i}").as_str()) {
            return Err(format!("key-{i}: read back {got:?}"));
        }
    }
    let smart_time = t.elapsed();
    let after = written(&cc);
    let mut all_to_owner = true;
    println!("  requests each member received (owner-routed calls expected from the partition table):");
    for (uuid, address) in after.iter().map(|(u, (a, _))| (u, a)) {
        let sent = after[uuid].1 - before.get(uuid).map_or(0, |b| b.1);
        let want = expected.get(uuid).copied().unwrap_or(0);
        // A heartbeat ping may add a message on a connection.
        let ok = sent >= want && sent <= want + 2;
        all_to_owner &= ok;
        println!(
            "    {address}  {sent:4} requests  (owns the partitions of {want:4} calls) {}",
            if ok { "✔" } else { "✘" }
        );
    }
    if !all_to_owner {
        return Err("some calls did not go to their partition owner".into());
    }
    println!(
        "✔ every call went straight to its partition owner: {} calls in {:.0} ms ({:.2} ms per call)",
        2 * DEMO_KEYS,
        smart_time.as_secs_f64() * 1e3,
        smart_time.as_secs_f64() * 1e3 / (2 * DEMO_KEYS) as f64
    );
    client.shutdown().await;

    println!("\n▶ unisocket client (smart_routing = false): the same calls through one connection");
    let client = HazelcastClient::start(config(false)?)
        .await
        .map_err(|e| format!("start: {e}"))?;
    let cc = client.cluster_client().ok_or("not connected")?;
    let map = client
        .get_map::<String, String>("demo")
        .await
        .map_err(|e| format!("get_map: {e}"))?;
    let before = written(&cc);
    let t = Instant::now();
    for i in 0..DEMO_KEYS {
        map.put(format!("key-{i}"), format!("value-{i}"))
            .await
            .map_err(|e| format!("put: {e}"))?;
        map.get(format!("key-{i}"))
            .await
            .map_err(|e| format!("get: {e}"))?;
    }
    let uni_time = t.elapsed();
    for (uuid, (address, n)) in written(&cc) {
        println!(
            "    {address}  {:4} requests (it forwards those of partitions it does not own)",
            n - before.get(&uuid).map_or(0, |b| b.1)
        );
    }
    println!(
        "✔ {} connection, {} calls in {:.0} ms ({:.2} ms per call; smart: {:.2} ms, which also warmed up the members and waits for backup acks)",
        cc.connections().list.len(),
        2 * DEMO_KEYS,
        uni_time.as_secs_f64() * 1e3,
        uni_time.as_secs_f64() * 1e3 / (2 * DEMO_KEYS) as f64,
        smart_time.as_secs_f64() * 1e3 / (2 * DEMO_KEYS) as f64
    );
    println!(
        "  map size seen by the cluster: {}",
        map.size().await.map_err(|e| format!("size: {e}"))?
    );
    client.shutdown().await;
    Ok(())
}

/// Messages written per member connection: member → (address, count).
fn written(cc: &ClusterClient) -> BTreeMap<Uuid, (String, u64)> {
    cc.connections()
        .list
        .iter()
        .map(|c| {
            (
                c.member,
                (c.endpoint.to_string(), c.connection.stats().messages_written),
            )
        })
        .collect()
}

async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cond() {
        if Instant::now() > deadline {
            return Err(format!("timed out waiting for {what}"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

fn cluster_cmd(o: &Options) -> Result<(), String> {
    let cluster = start(o)?;
    println!(
        "run the examples against it with:\n  HZ_CLUSTER_MEMBERS={} HZ_CLUSTER_NAME={} cargo run -p hazelcast --example smart_routing",
        cluster
            .addresses()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
        cluster.cluster_name()
    );
    println!("members keep running until this command is interrupted (Ctrl-C)");
    loop {
        std::thread::park_timeout(Duration::from_secs(3600));
        if (0..cluster.len()).all(|i| !cluster.is_running(i)) {
            return Err("every member has exited".into());
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((cmd, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if cmd == "bench" {
        return bench::main(rest);
    }
    if cmd == "soak" {
        return soak::main(rest);
    }
    if cmd == "codegen" {
        return xtask_codegen::main(rest);
    }
    let result = parse(rest).and_then(|o| match cmd.as_str() {
        "demo" => demo(&o),
        "cluster" => cluster_cmd(&o),
        other => Err(format!("unknown command {other:?}\n{USAGE}")),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
