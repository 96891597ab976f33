//! How a connection is opened: the [`Connector`] trait, and [`TransportConnector`], which opens
//! real TCP/TLS connections with `hazelcast-transport`. The rest of the client (authentication,
//! routing, retries, backup acknowledgements) sees only this trait.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use hazelcast_transport::{Address, ConnectError, Connection, ConnectionConfig, MessageHandler};

/// Opens connections to members.
#[async_trait]
pub trait Connector: Send + Sync + fmt::Debug + 'static {
    /// Opens a connection to `endpoint` whose messages go to `handler`, bounded by the
    /// connection timeout.
    async fn connect(
        &self,
        endpoint: &Address,
        handler: Arc<dyn MessageHandler>,
    ) -> Result<Connection, ConnectError>;
}

/// Opens TCP (or TLS) connections with the transport layer.
#[derive(Debug, Clone)]
pub struct TransportConnector {
    config: ConnectionConfig,
}

impl TransportConnector {
    /// A connector with these transport settings.
    pub fn new(config: ConnectionConfig) -> Self {
        TransportConnector { config }
    }
}

#[async_trait]
impl Connector for TransportConnector {
    async fn connect(
        &self,
        endpoint: &Address,
        handler: Arc<dyn MessageHandler>,
    ) -> Result<Connection, ConnectError> {
        hazelcast_transport::connect(endpoint, &self.config, handler).await
    }
}
