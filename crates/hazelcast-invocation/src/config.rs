//! Configuration of the invocation layer.

use std::time::Duration;

use hazelcast_codec::Secret;
use hazelcast_transport::ConnectionConfig;

use hazelcast_discovery::Backoff;

/// Default [`InvocationConfig::cluster_name`]: `dev`.
pub const DEFAULT_CLUSTER_NAME: &str = "dev";
/// Default [`InvocationConfig::smart_routing`]: on.
pub const DEFAULT_SMART_ROUTING: bool = true;
/// Default [`InvocationConfig::redo_operation`]: off.
pub const DEFAULT_REDO_OPERATION: bool = false;
/// Default [`InvocationConfig::invocation_timeout`]: 120 s.
pub const DEFAULT_INVOCATION_TIMEOUT: Duration = Duration::from_secs(120);
/// Default [`InvocationConfig::invocation_retry_pause`]: 1 s.
pub const DEFAULT_INVOCATION_RETRY_PAUSE: Duration = Duration::from_secs(1);
/// Default [`InvocationConfig::backup_ack_to_client_enabled`]: on.
pub const DEFAULT_BACKUP_ACK_TO_CLIENT_ENABLED: bool = true;
/// Default [`InvocationConfig::operation_backup_timeout`]: 5 s.
pub const DEFAULT_OPERATION_BACKUP_TIMEOUT: Duration = Duration::from_secs(5);
/// Default [`InvocationConfig::fail_on_indeterminate_operation_state`]: off.
pub const DEFAULT_FAIL_ON_INDETERMINATE_OPERATION_STATE: bool = false;
/// Default [`InvocationConfig::heartbeat_interval`]: 5 s.
pub const DEFAULT_HEARTBEAT_INTERVAL: Duration = Duration::from_secs(5);
/// Default [`InvocationConfig::heartbeat_timeout`]: 60 s.
pub const DEFAULT_HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default [`InvocationConfig::skip_member_list_during_reconnection`]: off.
pub const DEFAULT_SKIP_MEMBER_LIST_DURING_RECONNECTION: bool = false;

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
            cluster_name: DEFAULT_CLUSTER_NAME.into(),
            credentials: None,
            client_name: default_client_name(),
            labels: Vec::new(),
            smart_routing: DEFAULT_SMART_ROUTING,
            redo_operation: DEFAULT_REDO_OPERATION,
            invocation_timeout: DEFAULT_INVOCATION_TIMEOUT,
            invocation_retry_pause: DEFAULT_INVOCATION_RETRY_PAUSE,
            backup_ack_to_client_enabled: DEFAULT_BACKUP_ACK_TO_CLIENT_ENABLED,
            operation_backup_timeout: DEFAULT_OPERATION_BACKUP_TIMEOUT,
            fail_on_indeterminate_operation_state: DEFAULT_FAIL_ON_INDETERMINATE_OPERATION_STATE,
            heartbeat_interval: DEFAULT_HEARTBEAT_INTERVAL,
            heartbeat_timeout: DEFAULT_HEARTBEAT_TIMEOUT,
            cluster_connect_timeout: None,
            connection_retry: Backoff::default(),
            reconnect_mode: ReconnectMode::default(),
            skip_member_list_during_reconnection: DEFAULT_SKIP_MEMBER_LIST_DURING_RECONNECTION,
            load_balancer: LoadBalancer::default(),
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
