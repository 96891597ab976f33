//! TLS to members (`ssl_enabled`, `ssl_cafile`, `ssl_certfile`, `ssl_keyfile`,
//! `ssl_check_hostname`, `ssl_protocol`, `ssl_ciphers`).
//!
//! Open-source members do not speak TLS, so this example puts the test kit's TLS front (a small
//! JSSE terminator the kit compiles with `javac`) with a generated CA in front of the first member
//! and connects through it with mutual TLS, in unisocket mode (the members advertise their plain
//! addresses).
//!
//! ```sh
//! HZ_CLUSTER_MEMBERS=127.0.0.1:5701 HZ_CLUSTER_NAME=dev cargo run -p hazelcast --example tls
//! ```

mod common;

use hazelcast_testkit::{TestPki, TlsFront, TlsFrontOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let member = common::first_member()?;
    let pki = TestPki::generate()?;
    let front = TlsFront::start(&pki, &[member], &TlsFrontOptions::mutual(pki.ca.cert.clone()))?;
    let tls_address = front.address(0);
    println!("the test kit's TLS front terminates TLS on {tls_address} and forwards to {member}");

    let client = hazelcast::HazelcastClient::builder()
        .cluster_name(common::cluster_name())
        .cluster_members([tls_address.to_string()])
        .smart_routing(false)
        .ssl_enabled(true)
        .ssl_cafile(&pki.ca.cert) // trust only the test CA
        .ssl_certfile(&pki.client.cert) // mutual TLS
        .ssl_keyfile(&pki.client.key)
        .ssl_check_hostname(true) // the server certificate names 127.0.0.1
        .start()
        .await?;
    let map = client.get_map::<String, String>("tls-example").await?;
    map.put("secret", "sent over TLS").await?;
    println!("read back over TLS: {:?}", map.get("secret").await?);
    client.shutdown().await;
    Ok(())
}
