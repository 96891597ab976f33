//! Shared by the examples: where the cluster is.
//!
//! * `HZ_MEMBERS`: comma-separated member addresses (default `127.0.0.1:5701`);
//! * `HZ_CLUSTER_NAME`: the cluster name (default `dev`).
//!
//! `cargo xtask cluster` starts a local cluster and prints both.

#![allow(dead_code, unreachable_pub)]

use hazelcast::ClientConfigBuilder;

pub fn members() -> Vec<String> {
    std::env::var("HZ_MEMBERS")
        .unwrap_or_else(|_| "127.0.0.1:5701".into())
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub fn cluster_name() -> String {
    std::env::var("HZ_CLUSTER_NAME").unwrap_or_else(|_| "dev".into())
}

/// A builder with the cluster's name and members.
pub fn builder() -> ClientConfigBuilder {
    hazelcast::HazelcastClient::builder()
        .cluster_name(cluster_name())
        .cluster_members(members())
}
