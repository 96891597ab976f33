//! Configuration of the invocation layer.

use std::time::Duration;

use hazelcast_codec::Secret;
use hazelcast_transport::ConnectionConfig;

use hazelcast_discovery::Backoff;

/// What happens when the client loses its last connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ReconnectMode {
    /// Reconnect in the background; calls wait (and retry) until reconnected or timed out.
    #[default]
    On,
    /// Shut the client down.
    Off,
    /// Reconnect in the background; calls fail at once with `ClientOffline` meanwhile.
    Async,
}

/// How calls without a partition or target member pick a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LoadBalancer {
    /// Members in turn.
    #[default]
    RoundRobin,
    /// A random member each time.
    Random,
}

/// User name and password sent in the authentication request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// User name.
    pub username: String,
    /// Password (a [`Secret`]: never shown by `Debug` or `Display`).
    pub password: Secret,
}

/// Configuration of [`crate::ClusterClient`]. Defaults are those of the official clients.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct InvocationConfig {
    /// Cluster name sent when authenticating. Default `dev`.
    pub cluster_name: String,
    /// Optional credentials.
    pub credentials: Option<Credentials>,
    /// Client instance name. Default `hz.client_<n>`.
    pub client_name: String,
    /// Labels sent when authenticating.
    pub labels: Vec<String>,
    /// A connection per member and key-based routing (true), or one connection (false).
    pub smart_routing: bool,
    /// Retry non-`retryable` calls after a connection loss. Default false.
    pub redo_operation: bool,
    /// Deadline of a whole call, retries and waiting included. Default 120 s.
    pub invocation_timeout: Duration,
    /// Largest pause between retries of one call. Default 1 s.
    pub invocation_retry_pause: Duration,
    /// Members send backup acknowledgements to the client (smart routing only). Default true.
    pub backup_ack_to_client_enabled: bool,
    /// How long to wait for backup acknowledgements after the answer. Default 5 s.
    pub operation_backup_timeout: Duration,
    /// Fail (instead of completing) when backup acknowledgements do not arrive. Default false.
    pub fail_on_indeterminate_operation_state: bool,
    /// Ping a connection after this long without writing. Default 5 s.
    pub heartbeat_interval: Duration,
    /// Close a connection after this long without reading. Default 60 s.
    pub heartbeat_timeout: Duration,
    /// Budget of one connect-to-cluster procedure; `None` tries forever. Default `None`.
    pub cluster_connect_timeout: Option<Duration>,
    /// Backoff between connect rounds.
    pub connection_retry: Backoff,
    /// What happens when the last connection is lost.
    pub reconnect_mode: ReconnectMode,
    /// Reconnect through the seed addresses only, not the last known members: for a cluster
    /// reached through one load balancer or node port, whose members' own addresses the client
    /// cannot reach (Java's `hazelcast.client.internal.skip.member.list.during.reconnection`,
    /// which the other official clients lack). Default `false`.
    pub skip_member_list_during_reconnection: bool,
    /// Member choice for calls without partition or target.
    pub load_balancer: LoadBalancer,
    /// Transport settings (connect timeout, socket options, TLS); the connect timeout also bounds
    /// each authentication round trip.
    pub connection: ConnectionConfig,
}

impl Default for InvocationConfig {
    fn default() -> Self {
        InvocationConfig {
            cluster_name: "dev".into(),
            credentials: None,
            client_name: default_client_name(),
            labels: Vec::new(),
            smart_routing: true,
            redo_operation: false,
            invocation_timeout: Duration::from_secs(120),
            invocation_retry_pause: Duration::from_secs(1),
            backup_ack_to_client_enabled: true,
            operation_backup_timeout: Duration::from_secs(5),
            fail_on_indeterminate_operation_state: false,
            heartbeat_interval: Duration::from_secs(5),
            heartbeat_timeout: Duration::from_secs(60),
            cluster_connect_timeout: None,
            connection_retry: Backoff::default(),
            reconnect_mode: ReconnectMode::On,
            skip_member_list_during_reconnection: false,
            load_balancer: LoadBalancer::RoundRobin,
            connection: ConnectionConfig::default(),
        }
    }
}

fn default_client_name() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!("hz.client_{}", N.fetch_add(1, Ordering::Relaxed))
}

impl InvocationConfig {
    /// True when calls carry the backup-aware flag and backup acknowledgements are awaited.
    pub fn backup_acks_active(&self) -> bool {
        self.smart_routing && self.backup_ack_to_client_enabled
    }
}
