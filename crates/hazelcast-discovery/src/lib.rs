//! # hazelcast-discovery
//!
//! Finding cluster members: parsing the configured member address list (`host`, `host:port`,
//! `[ipv6]:port`; ports 5701–5703 when none is given), shuffling it, asking Hazelcast Cloud's
//! discovery endpoint over HTTPS for member addresses, and translating members' private addresses
//! into public ones (`use_public_ip` and automatic detection).
//!
//! ## Place in the layering
//!
//! ```text
//! hazelcast (facade) ─▶ hazelcast-invocation ─▶ hazelcast-discovery
//! ```
//!
//! Discovery produces addresses; it never opens Hazelcast protocol connections itself (that is
//! `hazelcast-transport`'s job, driven by `hazelcast-invocation`).
//!
//! Status: the providers land with the transport and discovery issue; this crate currently only
//! fixes its place in the workspace.
