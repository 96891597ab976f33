//! # hazelcast-invocation
//!
//! The heart of the client: the connection manager (connect cycle with backoff, authentication,
//! one connection per member in smart mode or a single one in unisocket mode, heartbeats,
//! reconnection), the cluster view (member list and partition table as immutable snapshots), and
//! the invocation service (correlation ids, target choice by partition owner, retries by the
//! `retryable` flag and the redo policy, one deadline per call, backup acknowledgements and the
//! indeterminate-operation-state error).
//!
//! ## Place in the layering
//!
//! ```text
//! hazelcast (facade) ─▶ hazelcast-invocation ─┬─▶ hazelcast-transport ─▶ hazelcast-codec
//!                                             └─▶ hazelcast-discovery
//! ```
//!
//! ## Retry rules
//!
//! After a failed attempt a call is retried, with a fresh correlation id, until its deadline
//! (`invocation_timeout`) when:
//! * the request never reached a member (no connection, full write queue) — any request;
//! * the member answered with a retryable error (`CALLER_NOT_MEMBER`, `MEMBER_LEFT`,
//!   `PARTITION_MIGRATING`, `RETRYABLE_HAZELCAST`, `RETRYABLE_IO`, `TARGET_NOT_MEMBER` unless the
//!   call targets that member, `WRONG_TARGET`, `TARGET_NOT_REPLICA`, `CANNOT_REPLICATE`,
//!   `HAZELCAST_INSTANCE_NOT_ACTIVE`) — any request;
//! * the connection closed after the request may have been sent — only `retryable` requests, or
//!   every request with `redo_operation`.
//!
//! Calls bound to one connection (authentication, listener registration) are never retried
//! elsewhere. The first five retries go at once, then 1, 2, 4 … ms up to
//! `invocation_retry_pause`; while there is no connection at all a call waits for one instead.

mod addresses;
mod backoff;
mod client;
mod config;
mod error;
mod pending;
mod view;

pub use addresses::{AddressSource, DiscoveryAddresses, StaticSeeds};
pub use backoff::BackoffConfig;
pub use client::{
    ClientEvent, ClusterClient, Connections, EventHandler, ListenerId, ListenerRegistration,
    MemberConnection, Target,
};
pub use config::{Credentials, InvocationConfig, LoadBalancer, ReconnectMode};
pub use error::{AuthFailure, InvocationError, ServerError};
pub use view::{ClusterSnapshot, MemberList, MembershipDiff, PartitionTable};
