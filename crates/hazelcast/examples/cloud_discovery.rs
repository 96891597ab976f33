//! `cloud_discovery_token` and `cloud_url`: member addresses from the Hazelcast Cloud discovery
//! coordinator instead of `cluster_members`.
//!
//! This example starts the test kit's HTTPS stand-in for the coordinator, which answers the
//! token with the local members' addresses. Against a real Viridian cluster, leave `cloud_url`
//! and `cloud_ca_file` unset and configure TLS (`ssl_enabled`, `ssl_cafile`, `ssl_certfile`,
//! `ssl_keyfile`, `ssl_password` from the console download; `ssl_server_name =
//! "hazelcast.cloud"`): Viridian members accept mutual TLS only.
//!
//! ```sh
//! HZ_CLUSTER_MEMBERS=127.0.0.1:5701 HZ_CLUSTER_NAME=dev cargo run -p hazelcast --example cloud_discovery
//! ```

mod common;

use hazelcast_testkit::cloud::{CloudResponse, CloudStub};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let member = common::first_member()?;
    let stub = CloudStub::start()?;
    let token = "example-token";
    stub.respond(
        token,
        CloudResponse::members([(member.to_string(), member.to_string())]),
    );
    let ca = tempfile::NamedTempFile::new()?;
    std::fs::write(ca.path(), stub.ca_pem())?;
    println!("discovery coordinator stand-in at {}", stub.base_url());

    let client = hazelcast::HazelcastClient::builder()
        .cluster_name(common::cluster_name())
        .cluster_members(Vec::<String>::new()) // cloud discovery replaces the member list
        .cloud_discovery_token(token)
        .cloud_url(stub.base_url())
        .cloud_ca_file(ca.path()) // trust the stand-in's test CA
        .start()
        .await?;
    println!(
        "connected through cloud discovery ({} request(s) to the coordinator); members:",
        stub.requests_for(token)
    );
    for m in client.members() {
        println!("  {}", m.client_address());
    }
    client.shutdown().await;
    Ok(())
}
