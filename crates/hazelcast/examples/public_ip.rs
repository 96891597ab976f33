//! `use_public_ip`: members behind NAT (Kubernetes, cloud VMs) advertise a public address next
//! to their private one. `Some(true)` dials public addresses, `Some(false)` private ones, and
//! unset (the default) decides from the first member list: private when TLS is on, when a
//! member is a configured seed, or when members answer on their private address; public when
//! only the public address answers.
//!
//! ```sh
//! HZ_CLUSTER_MEMBERS=127.0.0.1:5701 HZ_CLUSTER_NAME=dev cargo run -p hazelcast --example public_ip
//! ```

mod common;

#[tokio::main]
async fn main() -> Result<(), hazelcast::HazelcastError> {
    for use_public_ip in [None, Some(false)] {
        let mut builder = common::builder();
        if let Some(public) = use_public_ip {
            builder = builder.use_public_ip(public);
        }
        let client = builder.start().await?;
        println!("use_public_ip = {use_public_ip:?}: connected to");
        if let Some(cc) = client.cluster_client() {
            // Smart routing opens the other members' connections right after the start.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            while cc.connections().list.len() < client.members().len() && std::time::Instant::now() < deadline
            {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            for c in &cc.connections().list {
                println!("  {}", c.endpoint);
            }
        }
        client.shutdown().await;
    }
    Ok(())
}
