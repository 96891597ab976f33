//! Shared by the examples: the client configuration from the `HZ_*` environment variables the
//! configuration itself reads (`HZ_CLUSTER_MEMBERS`, `HZ_CLUSTER_NAME`, and any other
//! `HZ_<OPTION>`, see docs/configuration.md), on top of the defaults (`localhost`, cluster `dev`).
//!
//! `cargo xtask cluster` starts a local cluster and prints the two variables.

#![allow(dead_code, unreachable_pub)]

use std::net::{SocketAddr, ToSocketAddrs};

use hazelcast::{ClientConfig, ClientConfigBuilder};

/// The defaults with the `HZ_*` variables applied; an invalid variable ends the example.
pub fn config() -> ClientConfig {
    ClientConfig::from_env().unwrap_or_else(|e| {
        eprintln!("invalid HZ_* environment variable: {e}");
        std::process::exit(2)
    })
}

/// A builder starting from [`config`].
pub fn builder() -> ClientConfigBuilder {
    ClientConfigBuilder::from_config(config())
}

/// `cluster_members` as configured.
pub fn members() -> Vec<String> {
    config().cluster_members
}

/// `cluster_name` as configured.
pub fn cluster_name() -> String {
    config().cluster_name
}

/// The first configured member as a socket address (port 5701 when none is given).
pub fn first_member() -> Result<SocketAddr, Box<dyn std::error::Error>> {
    let first = config()
        .member_addresses()?
        .into_iter()
        .next()
        .ok_or("HZ_CLUSTER_MEMBERS names no member")?;
    let port = first.port().unwrap_or(5701);
    (first.host(), port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| format!("{} does not resolve", first.host()).into())
}
