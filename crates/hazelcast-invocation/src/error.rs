//! Errors of the invocation layer.

use std::sync::Arc;
use std::time::Duration;

use hazelcast_codec::{CodecError, ErrorCode, ErrorResponse, Uuid};
use hazelcast_discovery::DiscoveryError;
use hazelcast_transport::{Address, CloseReason, ConnectError};
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

impl std::error::Error for ServerError {}

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

/// Why a mutation's outcome is indeterminate
/// ([`InvocationError::IndeterminateOperationState`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Indeterminate {
    /// The primary applied the mutation, but its backups did not all acknowledge it within
    /// `operation_backup_timeout`.
    #[error("{received} of {expected} backup acknowledgements arrived within {after:?}")]
    BackupTimeout {
        /// The configured backup timeout.
        after: Duration,
        /// Acknowledgements the answer announced.
        expected: u8,
        /// Acknowledgements that arrived.
        received: u8,
    },
}

/// Errors of calls and of connecting to the cluster.
#[derive(Debug, Clone, Error)]
#[non_exhaustive]
pub enum InvocationError {
    /// The call did not complete within the invocation timeout. `last` is the last retryable
    /// failure, if any.
    #[error("invocation timed out after {after:?}")]
    Timeout {
        /// The configured invocation timeout.
        after: Duration,
        /// The last failure before the deadline.
        #[source]
        last: Option<Box<InvocationError>>,
    },
    /// The member answered with an exception.
    #[error("server error: {0}")]
    Server(#[source] ServerError),
    /// The connection closed after the request may have been sent; the outcome is unknown. Only
    /// retried for `retryable` requests or with `redo_operation`.
    #[error("connection to {member} closed while the call was in flight")]
    TargetDisconnected {
        /// The endpoint of the member.
        member: Address,
        /// Why the connection closed.
        #[source]
        reason: CloseReason,
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
    /// The mutation was applied by the primary, but its backups did not acknowledge it in time,
    /// and `fail_on_indeterminate_operation_state` is on.
    #[error("indeterminate operation state")]
    IndeterminateOperationState {
        /// What happened.
        #[source]
        reason: Indeterminate,
    },
    /// The connection's write queue is full (backpressure).
    #[error("the connection's write queue is full")]
    Overloaded,
    /// The answer to this call is larger than the connection's `max_message_size`: its bytes were
    /// skipped (never buffered), the call fails, the connection stays up. Not retried (the answer
    /// would be as large again).
    #[error("the answer of {size} bytes exceeds the maximum message size of {limit} bytes")]
    ResponseTooLarge {
        /// Bytes the answer took on the wire.
        size: u64,
        /// The configured limit.
        limit: usize,
    },
    /// The request is larger than the connection's `max_message_size` (the limit applies in both
    /// directions, so the client never sends what it could not read back): not sent.
    #[error("the request of {size} bytes exceeds the maximum message size of {limit} bytes")]
    RequestTooLarge {
        /// The request's size.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// A reply could not be decoded.
    #[error("malformed reply")]
    Codec(#[from] CodecError),
    /// Authentication was refused.
    #[error("authentication with {member} failed: {failure}")]
    Authentication {
        /// The endpoint authenticated against.
        member: Address,
        /// Why.
        failure: AuthFailure,
    },
    /// Opening a connection failed.
    #[error("could not connect to {address}")]
    Connect {
        /// The endpoint dialled.
        address: Address,
        /// The transport's error.
        #[source]
        source: Arc<ConnectError>,
    },
    /// A connection was opened but could not be made usable: its authentication or listener
    /// registrations did not complete within the connection timeout.
    #[error("connection to {address} could not be set up within {timeout:?}")]
    SetupTimeout {
        /// The endpoint dialled.
        address: Address,
        /// The connection timeout, which covers the whole set-up.
        timeout: Duration,
    },
    /// A second connection to a member the client is connected to already (dropped).
    #[error("duplicate connection to member {member}")]
    DuplicateConnection {
        /// The member's UUID.
        member: Uuid,
    },
    /// No member of the cluster could be reached within `cluster_connect_timeout`.
    #[error("unable to connect to any cluster member after {attempts} round(s); tried {tried:?}")]
    ClusterUnreachable {
        /// Connect rounds made.
        attempts: u32,
        /// Endpoints tried.
        tried: Vec<Address>,
        /// The last error.
        #[source]
        last: Option<Box<InvocationError>>,
    },
    /// The address provider (e.g. cloud discovery) failed.
    #[error("member discovery failed")]
    Discovery(#[source] Arc<DiscoveryError>),
}

impl InvocationError {
    /// True when the connect procedure stops at once on this error instead of trying again:
    /// refused credentials and permanent discovery errors.
    pub fn is_permanent(&self) -> bool {
        match self {
            InvocationError::Discovery(e) => e.is_permanent(),
            InvocationError::Authentication { failure, .. } => matches!(
                failure,
                AuthFailure::Credentials
                    | AuthFailure::SerializationVersionMismatch
                    | AuthFailure::NotAllowedInCluster
            ),
            _ => false,
        }
    }

    /// The whole chain of causes rendered on one line (`error: cause: cause …`), for logs and
    /// for tests that look for a cause's text.
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut next = std::error::Error::source(self);
        while let Some(e) = next {
            out.push_str(": ");
            out.push_str(&e.to_string());
            next = e.source();
        }
        out
    }
}
