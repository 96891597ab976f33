//! # hazelcast-transport
//!
//! The transport layer of the Hazelcast Rust client: it opens one TCP (optionally TLS) connection to
//! one address within a connect timeout, writes the `CP2` preamble, and then carries whole
//! [`hazelcast_codec`] messages in both directions.
//!
//! ## Place in the layering
//!
//! ```text
//! hazelcast (facade) ─▶ hazelcast-invocation ─▶ hazelcast-transport ─▶ hazelcast-codec
//!                                 └──────────▶ hazelcast-discovery
//! ```
//!
//! This crate knows about sockets, TLS and frames. It knows nothing about invocations, correlation
//! ids, retries or the cluster: those belong to `hazelcast-invocation`.
//!
//! Status: the connection implementation lands with the transport issue; this crate currently
//! only fixes its place in the workspace.
