//! [`Layers`]: what the options turn into, layer by layer; the client assembly
//! (`crate::assembly`) builds the client from it.

use std::path::PathBuf;
use std::time::Duration;

use hazelcast_discovery::PublicAddressMode;
use hazelcast_invocation::InvocationConfig;
use hazelcast_transport::{Secret, TlsConfig};

/// The largest duration the client uses for "no limit" (`connection_timeout = 0`): ten years.
pub(crate) const NO_LIMIT: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// Zero means "no limit".
pub(crate) fn zero_is_no_limit(d: Duration) -> Duration {
    if d.is_zero() { NO_LIMIT } else { d }
}

/// The options, mapped onto the configurations of the layers below the facade.
#[derive(Debug, Clone)]
pub(crate) struct Layers {
    /// Routing, retries, timeouts, heartbeat, credentials, and the transport's settings (its
    /// TLS connector is added by the assembly, which reads the files).
    pub(crate) invocation: InvocationConfig,
    /// TLS to members, used when `ssl_enabled`.
    pub(crate) tls: TlsConfig,
    pub(crate) ssl_enabled: bool,
    /// Seed addresses (`cluster_members`), unparsed.
    pub(crate) members: Vec<String>,
    pub(crate) shuffle: bool,
    pub(crate) public_address: PublicAddressMode,
    pub(crate) cloud: CloudLayer,
    pub(crate) async_start: bool,
}

/// Cloud discovery as configured.
#[derive(Debug, Clone, Default)]
pub(crate) struct CloudLayer {
    pub(crate) token: Option<Secret>,
    pub(crate) url: Option<String>,
    pub(crate) ca_file: Option<PathBuf>,
    /// `cloud_request_timeout`, else `connection_timeout` ("no limit" for zero).
    pub(crate) request_timeout: Duration,
}

impl Layers {
    pub(crate) fn new() -> Self {
        Layers {
            invocation: InvocationConfig::default(),
            tls: TlsConfig::default(),
            ssl_enabled: false,
            members: Vec::new(),
            shuffle: true,
            public_address: PublicAddressMode::default(),
            cloud: CloudLayer::default(),
            async_start: false,
        }
    }
}
