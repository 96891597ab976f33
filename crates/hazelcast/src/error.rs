//! Errors of the facade: configuration errors ([`ConfigError`]) and everything a client call can
//! fail with ([`HazelcastError`]).

use hazelcast_codec::CodecError;
use hazelcast_invocation::InvocationError;
use hazelcast_transport::TlsConfigError;
use thiserror::Error;

/// An invalid configuration. Every variant names the option (`key`) as it is spelled in
/// configuration files, and the offending value where there is one.
#[derive(Debug, Clone, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A configuration file or string could not be parsed (syntax error, wrong type, unknown
    /// key). `message` is the parser's message, which names the key.
    #[error("cannot parse the {format} configuration{}: {message}", in_file(.source_name))]
    Parse {
        /// `TOML`, `YAML` or `JSON`.
        format: &'static str,
        /// The file, when parsing one.
        source_name: Option<String>,
        /// The parser's message.
        message: String,
    },
    /// A configuration file names an option that does not exist (a typo never goes unnoticed).
    #[error("unknown option `{key}`")]
    UnknownOption {
        /// The name as written.
        key: String,
    },
    /// The file format's Cargo feature is off in this build.
    #[error(
        "{format} configurations are not supported by this build: enable the `{feature}` feature of the hazelcast crate"
    )]
    FormatNotEnabled {
        /// `TOML`, `YAML` or `JSON`.
        format: &'static str,
        /// The Cargo feature that reads it.
        feature: &'static str,
    },
    /// `cloud_discovery_token` is set but this build has no cloud discovery.
    #[error(
        "`cloud_discovery_token` is set, but cloud discovery is not in this build: enable the `cloud` feature of the hazelcast crate"
    )]
    CloudNotEnabled,
    /// The TLS options do not make a usable TLS configuration (a file is missing or unreadable,
    /// a key does not match, an unknown cipher suite, …).
    #[error("invalid TLS configuration (`{key}`)")]
    Tls {
        /// The option the problem is about.
        key: &'static str,
        /// What the transport reported.
        #[source]
        source: TlsConfigError,
    },
    /// A configuration file could not be read.
    #[error("cannot read the configuration file {path}")]
    File {
        /// The path.
        path: String,
        /// What the file system reported.
        #[source]
        source: std::sync::Arc<std::io::Error>,
    },
    /// A configuration file's extension is not `.toml`, `.yaml`, `.yml` or `.json`, so its
    /// format is unknown.
    #[error("the configuration file {path} has an unknown extension: expected .toml, .yaml, .yml or .json")]
    UnknownFileFormat {
        /// The path.
        path: String,
    },
    /// An option has a value it cannot take.
    #[error("invalid value {value} for `{key}`: {reason}")]
    InvalidValue {
        /// The option.
        key: &'static str,
        /// The value as configured (secrets are never shown).
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// Two options cannot be used together.
    #[error("`{key}` cannot be used together with `{other}`: {reason}")]
    Conflict {
        /// The option.
        key: &'static str,
        /// The option it conflicts with.
        other: &'static str,
        /// Why.
        reason: String,
    },
    /// An environment variable holds a value its option cannot take.
    #[error("invalid value {value:?} in environment variable {variable} (option `{key}`): {reason}")]
    Environment {
        /// The variable, e.g. `HZ_SMART_ROUTING`.
        variable: String,
        /// The option it overrides.
        key: &'static str,
        /// The value.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
}

fn in_file(name: &Option<String>) -> String {
    name.as_ref().map(|n| format!(" in {n}")).unwrap_or_default()
}

impl ConfigError {
    /// The option the error is about, when it is about one.
    pub fn key(&self) -> Option<&'static str> {
        match self {
            ConfigError::InvalidValue { key, .. }
            | ConfigError::Conflict { key, .. }
            | ConfigError::Environment { key, .. }
            | ConfigError::Tls { key, .. } => Some(key),
            ConfigError::CloudNotEnabled => Some("cloud_discovery_token"),
            ConfigError::Parse { .. }
            | ConfigError::File { .. }
            | ConfigError::UnknownFileFormat { .. }
            | ConfigError::UnknownOption { .. }
            | ConfigError::FormatNotEnabled { .. } => None,
        }
    }

    pub(crate) fn invalid(
        key: &'static str,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        ConfigError::InvalidValue {
            key,
            value: value.to_string(),
            reason: reason.into(),
        }
    }
}

/// Everything a [`HazelcastClient`](crate::HazelcastClient) or a proxy call can fail with.
#[derive(Debug, Clone, Error)]
#[non_exhaustive]
pub enum HazelcastError {
    /// The configuration is invalid (reported by `start`, before any connection).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The call failed in the invocation layer: timeout, connection loss, a server exception,
    /// the client being offline (`ClientOffline`) or shut down (`ClientNotActive`), …
    #[error(transparent)]
    Invocation(#[from] InvocationError),
    /// A key, value or answer could not be (de)serialized, e.g. a value of another type than the
    /// proxy's `V` was stored under the key by another client.
    #[error("serialization: {0}")]
    Serialization(#[from] CodecError),
    /// A key or value could not be written or read as its type: a Compact record of another
    /// shape, a kind mismatch (the error names the field and both kinds), invalid JSON, an
    /// IdentifiedDataSerializable class without a factory, a value of another type stored by
    /// another client, …
    #[error("key or value: {0}")]
    Value(#[source] std::sync::Arc<hazelcast_serialization::SerializationError>),
    /// A ringbuffer call was refused before it was sent (a negative sequence, a batch out of
    /// bounds).
    #[error(transparent)]
    Ringbuffer(#[from] crate::ringbuffer::RingbufferError),
    /// A reliable topic refused a publish (overloaded) or a listener lost messages.
    #[error(transparent)]
    ReliableTopic(#[from] crate::reliable_topic::ReliableTopicError),
    /// A CRDT (e.g. a [`PnCounter`](crate::PnCounter)) was used while the cluster has no data
    /// member (only lite members) that could hold it.
    #[error("the cluster has no data member to hold a CRDT")]
    NoDataMember,
    /// A CP structure's name is not `object` or `object@group` with non-empty parts and at
    /// most one `@`.
    #[error("invalid CP object name {name:?}: {reason}")]
    InvalidCpName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A CP structure refused the call (lock not owned, lock lost with its session, acquire
    /// limit, permits not held, an argument out of range, …).
    #[error(transparent)]
    Cp(#[from] crate::cp::error::CpError),
    /// A [`PnCounter`](crate::PnCounter) replica answered from a state older than one the proxy
    /// already observed (its replica timestamps are lower, or lack a replica, compared to the
    /// ones the call sent), e.g. after the replica holding the newest updates was lost before
    /// it replicated them. A read fails with it only after every replica was tried. An add
    /// (`update_applied`) is not sent again: the replica applied it, only its result would have
    /// been an older value. [`PnCounter::reset`](crate::PnCounter::reset) starts a new session.
    #[error(
        "a PN counter replica answered from a state older than one already observed{}",
        if *.update_applied { " (the update was applied)" } else { "" }
    )]
    SessionConsistencyLost {
        /// The call was an add that the replica applied.
        update_applied: bool,
    },
    /// A member answered `FlakeIdGenerator.NewIdBatch` with a batch of no ids.
    #[error("a member sent an id batch of {size} ids")]
    EmptyIdBatch {
        /// The batch size the member sent.
        size: i32,
    },
}

impl HazelcastError {
    /// True for the error calls get while an `async_start` client has not connected yet, or
    /// while a `reconnect_mode = "async"` client is disconnected.
    pub fn is_client_offline(&self) -> bool {
        matches!(self, HazelcastError::Invocation(InvocationError::ClientOffline))
    }

    /// True for the error calls get after [`shutdown`](crate::HazelcastClient::shutdown).
    pub fn is_client_not_active(&self) -> bool {
        matches!(self, HazelcastError::Invocation(InvocationError::ClientNotActive))
    }

    /// True when trying the same call again later may succeed: a timeout, a lost or missing
    /// connection, a full write queue, the client being offline, or a server error the official
    /// clients retry. False for errors that will not change by retrying (invalid configuration,
    /// serialization, refused credentials, other server errors, a shut-down client).
    pub fn is_retryable(&self) -> bool {
        match self {
            HazelcastError::Invocation(e) => match e {
                InvocationError::Timeout { .. }
                | InvocationError::TargetDisconnected { .. }
                | InvocationError::NoConnection
                | InvocationError::ClientOffline
                | InvocationError::Overloaded
                | InvocationError::ClusterUnreachable { .. }
                | InvocationError::Connect { .. }
                | InvocationError::SetupTimeout { .. } => true,
                InvocationError::Server(s) => s.code.is_retryable(),
                InvocationError::Discovery(d) => !d.is_permanent(),
                _ => false,
            },
            _ => false,
        }
    }

    /// True when a PN counter could not keep its session guarantees: a replica answered from an
    /// older state ([`HazelcastError::SessionConsistencyLost`]) or a member refused the call with
    /// its `ConsistencyLostException` (`ErrorCode::ConsistencyLost`).
    pub fn is_consistency_lost(&self) -> bool {
        match self {
            HazelcastError::SessionConsistencyLost { .. } => true,
            HazelcastError::Invocation(InvocationError::Server(s)) => {
                s.code == hazelcast_codec::ErrorCode::ConsistencyLost
            }
            _ => false,
        }
    }

    /// True when the call ran out of time (the invocation timeout, or a connection's set-up).
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            HazelcastError::Invocation(
                InvocationError::Timeout { .. } | InvocationError::SetupTimeout { .. }
            )
        )
    }

    /// True when a mutation may or may not have been applied: its backups did not acknowledge it
    /// in time (with `fail_on_indeterminate_operation_state`), or its connection closed after it
    /// was sent (`TargetDisconnected`).
    pub fn is_indeterminate(&self) -> bool {
        matches!(
            self,
            HazelcastError::Invocation(
                InvocationError::IndeterminateOperationState { .. }
                    | InvocationError::TargetDisconnected { .. }
            )
        )
    }

    /// True when the client lost (or could not get) its connection to the cluster.
    pub fn is_connection_loss(&self) -> bool {
        match self {
            HazelcastError::Invocation(e) => match e {
                InvocationError::TargetDisconnected { .. }
                | InvocationError::NoConnection
                | InvocationError::ClientOffline
                | InvocationError::ClusterUnreachable { .. }
                | InvocationError::Connect { .. } => true,
                InvocationError::Timeout { last: Some(last), .. } => {
                    HazelcastError::Invocation((**last).clone()).is_connection_loss()
                }
                _ => false,
            },
            _ => false,
        }
    }
}

impl From<hazelcast_serialization::SerializationError> for HazelcastError {
    fn from(e: hazelcast_serialization::SerializationError) -> Self {
        HazelcastError::Value(std::sync::Arc::new(e))
    }
}
