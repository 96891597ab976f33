//! A client configured from a file: `hazelcast.toml` beside this example (or the file given as
//! the first argument: `.toml`, `.yaml`/`.yml` or `.json`), with the `HZ_*` environment variables
//! on top, which is what [`ClientConfig::load`] does.
//!
//! ```sh
//! cargo run -p hazelcast --example config_file
//! HZ_CLUSTER_MEMBERS=127.0.0.1:5701 HZ_CLUSTER_NAME=dev cargo run -p hazelcast --example config_file
//! cargo run -p hazelcast --example config_file -- my-client.yaml
//! ```

use std::path::PathBuf;

use hazelcast::{ClientConfig, HazelcastClient};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/hazelcast.toml")));
    // The file, then HZ_* variables (HZ_CLUSTER_MEMBERS, HZ_CLUSTER_NAME, …) override it.
    let config = ClientConfig::load(Some(&path))?;
    println!(
        "{}: cluster {:?} at {:?}, invocation timeout {:?}",
        path.display(),
        config.cluster_name,
        config.cluster_members,
        config.invocation_timeout
    );
    // The same configuration, written back as TOML (secrets included: it is a config file).
    println!("--- as TOML ---\n{}---", config.to_toml_string());

    let client = HazelcastClient::start(config).await?;
    println!("connected as {}; members:", client.client_name());
    for m in client.members() {
        println!("  {}", m.client_address());
    }
    client.shutdown().await;
    Ok(())
}
