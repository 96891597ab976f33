//! # hazelcast-invocation
//!
//! The heart of the client: the connection manager (connect cycle, authentication, one connection
//! per member in smart mode or a single one in unisocket mode, heartbeats), the cluster view
//! (member list and partition table as immutable snapshots), and the invocation service
//! (correlation ids, target choice by partition owner, retries by the `retryable` flag and the
//! redo policy, invocation deadlines, backup acknowledgements and the indeterminate-state error).
//!
//! ## Place in the layering
//!
//! ```text
//! hazelcast (facade) ─▶ hazelcast-invocation ─┬─▶ hazelcast-transport ─▶ hazelcast-codec
//!                                             └─▶ hazelcast-discovery
//! ```
//!
//! Status: the implementation lands with the invocation issue; this crate currently only fixes its
//! place in the workspace.
