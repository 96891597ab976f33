//! Project automation: `cargo xtask <command>`.
//!
//! * `cargo xtask demo [--members N] [--version V]`: starts a local cluster of real Hazelcast
//!   members, runs the demonstration against it, and stops the cluster.
//! * `cargo xtask cluster [--members N] [--version V] [--name NAME]`: starts a local cluster and
//!   keeps it running until the command is interrupted (Ctrl-C stops the members too).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use hazelcast_codec::messages::client::{
    AUTH_STATUS_AUTHENTICATED, AddClusterViewListenerRequest, ClusterViewEvent,
};
use hazelcast_codec::messages::map::{MapGetRequest, MapGetResponse, MapSetRequest, MapSetResponse};
use hazelcast_codec::{Deserialize, Serialize, partition};
use hazelcast_testkit::raw::RawConnection;
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
    let timeout = Duration::from_secs(30);
    let seed = cluster.address(0);
    println!("\n▶ connecting to {seed}: preamble CP2, then Client.Authentication");
    let mut conn = RawConnection::connect(seed).map_err(|e| format!("connect: {e:?}"))?;
    let t = Instant::now();
    let (_, auth) = conn
        .authenticate(cluster.cluster_name())
        .map_err(|e| format!("authenticate: {e:?}"))?;
    if auth.status != AUTH_STATUS_AUTHENTICATED {
        return Err(format!("authentication refused with status {}", auth.status));
    }
    println!(
        "✔ authenticated in {:.1} ms: member {} at {}, Hazelcast {}, {} partitions, cluster id {}",
        t.elapsed().as_secs_f64() * 1e3,
        auth.member_uuid.map(|u| u.to_string()).unwrap_or_default(),
        auth.address.as_ref().map(ToString::to_string).unwrap_or_default(),
        auth.server_hazelcast_version,
        auth.partition_count,
        auth.cluster_id
    );

    println!("\n▶ registering the cluster view listener");
    let id = conn
        .send(&AddClusterViewListenerRequest {}, -1)
        .map_err(|e| format!("send: {e:?}"))?;
    // A fresh cluster assigns partitions on the first partition-bound operation; until then the
    // partition table it pushes is empty. One read of any key makes it assign them.
    let probe = "probe".to_data();
    let probe_pid = partition::partition_id(&probe, auth.partition_count);
    let get_id = conn
        .send(
            &MapGetRequest {
                thread_id: 1,
                name: "demo",
                key: &probe,
            },
            probe_pid,
        )
        .map_err(|e| format!("send: {e:?}"))?;
    let deadline = Instant::now() + timeout;
    let (mut members, mut owners) = (None, None);
    while members.is_none() || owners.is_none() {
        let left = deadline
            .checked_duration_since(Instant::now())
            .ok_or("no cluster view within 30 s")?;
        let msg = conn.recv(left).map_err(|e| format!("cluster view: {e:?}"))?;
        if msg.correlation_id() == get_id || msg.correlation_id() != id || !msg.is_event() {
            continue;
        }
        match ClusterViewEvent::decode(&msg).map_err(|e| format!("cluster view event: {e}"))? {
            ClusterViewEvent::MembersView(v) => members = Some(v.member_infos.0),
            ClusterViewEvent::PartitionsView(v) if !v.partitions.0.is_empty() => {
                owners = Some(v.partitions.0)
            }
            _ => {}
        }
    }
    let members = members.unwrap_or_default();
    let owners = owners.unwrap_or_default();
    println!("✔ member list ({} members):", members.len());
    for m in &members {
        let owned = owners
            .iter()
            .find(|(u, _)| *u == m.uuid)
            .map_or(0, |(_, p)| p.len());
        println!(
            "    {}  {}  Hazelcast {}.{}.{}  owns {owned} partitions",
            m.uuid,
            m.client_address(),
            m.version.major,
            m.version.minor,
            m.version.patch
        );
    }

    println!("\n▶ Map.Set and Map.Get of 5 keys (partition ids from MurmurHash3 of each key)");
    for i in 0..5 {
        let key = format!("key-{i}").to_data();
        let value = format!("value-{i}").to_data();
        let pid = partition::partition_id(&key, auth.partition_count);
        let owner = owners.iter().find(|(_, p)| p.contains(&pid)).map(|(u, _)| *u);
        let owner_addr = members
            .iter()
            .find(|m| Some(m.uuid) == owner)
            .map(|m| m.client_address().to_string())
            .unwrap_or_default();
        let set = MapSetRequest {
            thread_id: 1,
            ttl: -1,
            name: "demo",
            key: &key,
            value: &value,
        };
        let id = conn.send(&set, pid).map_err(|e| format!("send: {e:?}"))?;
        let answer = conn
            .recv_answer(id, timeout, |_| {})
            .map_err(|e| format!("set: {e:?}"))?;
        MapSetResponse::decode(&answer).map_err(|e| format!("set answer: {e}"))?;
        let id = conn
            .send(
                &MapGetRequest {
                    thread_id: 1,
                    name: "demo",
                    key: &key,
                },
                pid,
            )
            .map_err(|e| format!("{e:?}"))?;
        let answer = conn
            .recv_answer(id, timeout, |_| {})
            .map_err(|e| format!("get: {e:?}"))?;
        let got = MapGetResponse::decode(&answer)
            .map_err(|e| format!("get answer: {e}"))?
            .response
            .map(|d| String::from_data(&d))
            .transpose()
            .map_err(|e| format!("value: {e}"))?;
        println!("    key-{i} → partition {pid:3} (owner {owner_addr}) → read back {got:?}");
    }
    println!("\n▶ stopping the cluster");
    drop(cluster);
    println!("✔ done");
    Ok(())
}

fn cluster_cmd(o: &Options) -> Result<(), String> {
    let cluster = start(o)?;
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
