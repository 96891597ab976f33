//! Errors of the invocation layer.

use std::sync::Arc;
use std::time::Duration;

use hazelcast_codec::{CodecError, ErrorCode, ErrorResponse};
use thiserror::Error;

/// An exception the cluster reported for a call.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ServerError {
    /// The protocol error code of the outermost exception.
    pub code: ErrorCode,
    /// The Java class of the outermost exception.
    pub class_name: String,
    /// Its message.
    pub message: Option<String>,
    /// The causes, outermost first: `(class name, message)`.
    pub causes: Vec<(String, Option<String>)>,
}

impl ServerError {
    pub(crate) fn from_response(r: &ErrorResponse) -> Self {
        let mut it = r.errors.iter();
        let first = it.next();
        ServerError {
            code: r.code(),
            class_name: first.map(|e| e.class_name.clone()).unwrap_or_default(),
            message: first.and_then(|e| e.message.clone()),
            causes: it.map(|e| (e.class_name.clone(), e.message.clone())).collect(),
        }
    }
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.class_name, self.code)?;
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        Ok(())
    }
}

/// Why an authentication was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthFailure {
    /// Wrong cluster name or credentials (status 1).
    Credentials,
    /// The member uses another serialization version (status 2).
    SerializationVersionMismatch,
    /// The cluster does not allow this client (status 3).
    NotAllowedInCluster,
    /// A status this client does not know.
    UnknownStatus(u8),
    /// The member reports a different partition count than the cluster the client knows.
    PartitionCountChanged {
        /// The count the client knows.
        expected: i32,
        /// The count the member reported.
        actual: i32,
    },
    /// The member belongs to another cluster than the client's other connections.
    ClusterIdMismatch,
}

impl std::fmt::Display for AuthFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthFailure::Credentials => f.write_str("invalid cluster name or credentials"),
            AuthFailure::SerializationVersionMismatch => f.write_str("serialization version mismatch"),
            AuthFailure::NotAllowedInCluster => f.write_str("client not allowed in the cluster"),
            AuthFailure::UnknownStatus(s) => write!(f, "unknown authentication status {s}"),
            AuthFailure::PartitionCountChanged { expected, actual } => {
                write!(f, "partition count changed from {expected} to {actual}")
            }
            AuthFailure::ClusterIdMismatch => f.write_str("member belongs to another cluster"),
        }
    }
}

/// Errors of calls and of connecting to the cluster.
#[derive(Debug, Clone, Error)]
#[non_exhaustive]
pub enum InvocationError {
    /// The call did not complete within the invocation timeout. `last` is the last retryable
    /// failure, if any.
    #[error("invocation timed out after {after:?}{}", last.as_ref().map(|e| format!(" (last failure: {e})")).unwrap_or_default())]
    Timeout {
        /// The configured invocation timeout.
        after: Duration,
        /// The last failure before the deadline.
        last: Option<Box<InvocationError>>,
    },
    /// The member answered with an exception.
    #[error("server error: {0}")]
    Server(ServerError),
    /// The connection closed after the request may have been sent; the outcome is unknown. Only
    /// retried for `retryable` requests or with `redo_operation`.
    #[error("connection to {member} closed while the call was in flight: {reason}")]
    TargetDisconnected {
        /// The member's address.
        member: String,
        /// Why the connection closed.
        reason: String,
    },
    /// No connection to the cluster is available right now (retried until the deadline).
    #[error("no connection to the cluster")]
    NoConnection,
    /// The client is offline (async start or `reconnect_mode = async`) and fails calls at once.
    #[error("the client is offline")]
    ClientOffline,
    /// The client has shut down.
    #[error("the client is not active")]
    ClientNotActive,
    /// The mutation was applied by the primary, but its backups did not acknowledge it within
    /// `operation_backup_timeout` (or the primary left first), and
    /// `fail_on_indeterminate_operation_state` is on.
    #[error("indeterminate operation state: {reason}")]
    IndeterminateOperationState {
        /// What happened.
        reason: String,
    },
    /// The connection's write queue is full (backpressure).
    #[error("the connection's write queue is full")]
    Overloaded,
    /// A reply could not be decoded.
    #[error("malformed reply: {0}")]
    Codec(#[from] CodecError),
    /// Authentication was refused.
    #[error("authentication with {member} failed: {failure}")]
    Authentication {
        /// The address authenticated against.
        member: String,
        /// Why.
        failure: AuthFailure,
    },
    /// Opening a connection failed.
    #[error("could not connect to {address}: {message}")]
    Connect {
        /// The address dialled.
        address: String,
        /// The transport's error.
        message: String,
        /// The transport's typed error.
        #[source]
        source: Option<Arc<hazelcast_transport::ConnectError>>,
    },
    /// No member of the cluster could be reached within `cluster_connect_timeout`.
    #[error(
        "unable to connect to any cluster member after {attempts} round(s); tried {tried:?}; last error: {last}"
    )]
    ClusterUnreachable {
        /// Connect rounds made.
        attempts: u32,
        /// Addresses tried.
        tried: Vec<String>,
        /// The last error.
        last: String,
    },
    /// The address provider (e.g. cloud discovery) failed.
    #[error("member discovery failed: {message}")]
    Discovery {
        /// The provider's error.
        message: String,
        /// True when retrying cannot help (rejected token, invalid configuration): the connect
        /// procedure stops at once.
        permanent: bool,
    },
    /// The configuration is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
}
