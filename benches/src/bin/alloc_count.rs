//! Counts heap allocations per `Map.Get` (see `hazelcast_benches::hotpath`) and prints them as
//! one JSON line.
//!
//! `alloc_count [--members H:P,…] [--cluster-name N] [--calls N]`; without `--members` it starts
//! a one-member cluster with the test kit.

use hazelcast_benches::alloc::CountingAlloc;
use hazelcast_benches::cli::Options;
use hazelcast_benches::{client, hotpath};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut calls = 20_000u64;
    if let Some(i) = args.iter().position(|a| a == "--calls") {
        calls = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(calls);
        args.drain(i..(i + 2).min(args.len()));
    }
    let own_cluster = !args.iter().any(|a| a.starts_with("--members"));
    let mut o = Options::from_args_or_exit(&args);
    let _cluster = if own_cluster {
        match hazelcast_testkit::ClusterConfig::new().members(1).start() {
            Ok(c) => {
                o.members = vec![c.address(0).to_string()];
                o.cluster_name = c.cluster_name().to_owned();
                Some(c)
            }
            Err(e) => {
                eprintln!("alloc_count: starting a member: {e}");
                std::process::exit(1);
            }
        }
    } else {
        None
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(o.threads)
        .enable_all()
        .build();
    let result = rt.map_err(|e| e.to_string()).and_then(|rt| {
        rt.block_on(async {
            let c = client::connect(&o).await?;
            let cc = c.client.cluster_client().ok_or("the client is not connected")?;
            let r = hotpath::measure(&cc, "alloc-count", calls).await;
            c.client.shutdown().await;
            r
        })
    });
    match result {
        Ok(r) => println!("{}", serde_json::to_string(&r).unwrap_or_default()),
        Err(e) => {
            eprintln!("alloc_count: {e}");
            std::process::exit(1);
        }
    }
}
