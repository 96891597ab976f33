//! `connection_timeout`: how long opening one connection may take — name resolution, TCP
//! connect, TLS handshake and authentication share this one deadline. Here a seed that accepts
//! TCP connections and then never answers (a local listener this example starts) costs at most
//! 1 s per attempt; then the client connects to the real members.
//!
//! ```sh
//! HZ_CLUSTER_MEMBERS=127.0.0.1:5701 HZ_CLUSTER_NAME=dev cargo run -p hazelcast --example connection_timeout
//! ```

mod common;

use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A peer on loopback that accepts and stays silent.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let silent_addr = silent.local_addr()?;
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });

    let started = Instant::now();
    let unreachable = hazelcast::HazelcastClient::builder()
        .cluster_name(common::cluster_name())
        .cluster_members([silent_addr.to_string()])
        .connection_timeout(Duration::from_secs(1))
        .cluster_connect_timeout(Some(Duration::from_secs(2)))
        .start()
        .await;
    println!(
        "silent seed: {} after {:.1} s",
        unreachable.err().map(|e| e.to_string()).unwrap_or_default(),
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let client = common::builder()
        .connection_timeout(Duration::from_secs(1))
        .start()
        .await?;
    println!(
        "real members: connected in {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    client.shutdown().await;
    Ok(())
}
