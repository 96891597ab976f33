//! # hazelcast-invocation
//!
//! The heart of the client, as services that each own their state under one lifecycle:
//!
//! * **connections** — the connect procedure with backoff, authentication (an ordinary call
//!   bound to its connection), one connection per member (smart) or one in total (unisocket),
//!   set-up within the connection timeout, heartbeats, bounded member dialling, reconnection;
//!   connections are opened through a [`Connector`];
//! * **cluster view** — the member list and partition table as immutable snapshots, validated
//!   before they replace the previous ones;
//! * **invocation** — correlation ids, target choice by partition owner, retries by a
//!   [`RetryPolicy`] (the Java client's rules by default), one deadline per call, backup
//!   acknowledgements and the indeterminate-operation-state error;
//! * **listeners** — user listeners on every connection, with event handlers owned by the
//!   connection they were registered on.
//!
//! Every background task belongs to the client's lifecycle (a cancellation token and a task
//! tracker): [`ClusterClient::shutdown`], or dropping the last handle, ends them all.
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
//! See [`retry`](crate::DefaultRetryPolicy) and `docs/network.md`: the Java client's rules, with
//! its pacing (five immediate retries, then 1, 2, 4 … ms up to `invocation_retry_pause`).

mod addresses;
mod backoff;
mod client;
mod config;
mod connection;
mod deadline;
mod error;
mod invoke;
mod lifecycle;
mod listeners;
mod pending;
mod retry;
mod sync;
mod view;

pub use addresses::{AddressSource, DiscoveryAddresses};
pub use client::{
    ClientEvent, ClientStats, ClusterClient, EventHandler, ListenerId, ListenerRegistration, Target,
};
pub use config::{
    Credentials, DEFAULT_BACKUP_ACK_TO_CLIENT_ENABLED, DEFAULT_CLUSTER_NAME,
    DEFAULT_FAIL_ON_INDETERMINATE_OPERATION_STATE, DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT_TIMEOUT,
    DEFAULT_INVOCATION_RETRY_PAUSE, DEFAULT_INVOCATION_TIMEOUT, DEFAULT_OPERATION_BACKUP_TIMEOUT,
    DEFAULT_REDO_OPERATION, DEFAULT_SKIP_MEMBER_LIST_DURING_RECONNECTION, DEFAULT_SMART_ROUTING,
    InvocationConfig, LoadBalancer, ReconnectMode,
};
pub use connection::connector::{Connector, TransportConnector};
pub use connection::dialer::MAX_CONCURRENT_DIALS;
pub use connection::{Connections, MemberConnection};
pub use error::{AuthFailure, Indeterminate, InvocationError, ServerError};
pub use hazelcast_discovery::Backoff;
pub use retry::{CallInfo, DefaultRetryPolicy, RetryPolicy};
pub use view::{ClusterSnapshot, MAX_MEMBERS, MemberList, MembershipDiff, PartitionTable, ViewError};
