//! Which failed attempts are tried again, and how long to pause before the next one.
//!
//! [`RetryPolicy`] decides; [`DefaultRetryPolicy`] follows the Java client's
//! `ClientInvocation.shouldRetry` (5.x) rule by rule:
//!
//! | failure | retried |
//! | --- | --- |
//! | the request never reached a member: no connection, the connection closed before the write, full write queue | yes, unless the call is bound to one connection |
//! | server `IO`, `EOF`, `SOCKET`, `UTF_DATA_FORMAT`, `NOT_SERIALIZABLE` (Java `IOException` and subclasses) | yes, unless bound to one connection |
//! | server `RETRYABLE_IO`, `RETRYABLE_HAZELCAST`, `CALLER_NOT_MEMBER`, `MEMBER_LEFT`, `PARTITION_MIGRATING`, `WRONG_TARGET`, `TARGET_NOT_REPLICA`, `CANNOT_REPLICATE` (Java `RetryableException`) | yes |
//! | server `TARGET_NOT_MEMBER` | yes, unless the call targets that member |
//! | server `HAZELCAST_INSTANCE_NOT_ACTIVE` | yes |
//! | the connection closed after the request may have been sent (`TargetDisconnected`), or server `TARGET_DISCONNECTED` | only `retryable` requests, or every request with `redo_operation`; never when bound to one connection |
//! | any other server error, a malformed answer, a request or answer over `max_message_size`, an indeterminate state, the client shut down | no |
//!
//! Pacing is Java's too: the first five retries go at once, then 1, 2, 4 … ms up to
//! `invocation_retry_pause` (Python pauses the full second every time, which costs a partition
//! migration a second-long stall); a call with no connection at all waits for one instead.

use std::fmt;
use std::time::Duration;

use hazelcast_codec::ErrorCode;
use hazelcast_discovery::Backoff;

use crate::client::Target;
use crate::error::InvocationError;

/// What a retry decision knows about the call.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct CallInfo {
    /// The request's `retryable` flag from the protocol definitions (read-only operations).
    pub retryable: bool,
    /// Where the call goes.
    pub target: Target,
    /// The client's `redo_operation` setting.
    pub redo_operation: bool,
    /// Attempts made so far (1 after the first).
    pub attempt: u32,
}

impl CallInfo {
    /// True for calls bound to one connection (authentication, listener registrations).
    pub fn bound_to_connection(&self) -> bool {
        matches!(self.target, Target::Connection(_))
    }
}

/// Decides whether a failed attempt is tried again.
pub trait RetryPolicy: Send + Sync + fmt::Debug + 'static {
    /// True to try again (until the invocation deadline).
    fn should_retry(&self, failure: &InvocationError, call: &CallInfo) -> bool;

    /// Pause before attempt `call.attempt + 1`.
    fn pause(&self, call: &CallInfo, max: Duration) -> Duration {
        retry_pause(call.attempt, max)
    }
}

/// The Java client's rules (see the module docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultRetryPolicy;

impl RetryPolicy for DefaultRetryPolicy {
    fn should_retry(&self, failure: &InvocationError, call: &CallInfo) -> bool {
        let bound = call.bound_to_connection();
        match failure {
            InvocationError::NoConnection | InvocationError::Overloaded => !bound,
            InvocationError::TargetDisconnected { .. } => !bound && (call.retryable || call.redo_operation),
            InvocationError::Server(e) => match server_error_class(e.code) {
                ServerErrorClass::Io => !bound,
                ServerErrorClass::Retryable => {
                    !(e.code == ErrorCode::TargetNotMember && matches!(call.target, Target::Member(_)))
                }
                ServerErrorClass::TargetDisconnected => !bound && (call.retryable || call.redo_operation),
                ServerErrorClass::Other => false,
            },
            _ => false,
        }
    }
}

/// How the Java client classifies an exception class for retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServerErrorClass {
    /// `java.io.IOException` or a subclass.
    Io,
    /// `RetryableException` or `HazelcastInstanceNotActiveException`.
    Retryable,
    /// `TargetDisconnectedException`.
    TargetDisconnected,
    /// Anything else: never retried.
    Other,
}

/// The class of the exception a member reports with `code` (the Java client builds the
/// exception from the code, see `ClientExceptionFactory`, and retries by its class).
pub(crate) fn server_error_class(code: ErrorCode) -> ServerErrorClass {
    match code {
        // IOException, EOFException, SocketException, UTFDataFormatException and
        // NotSerializableException (an ObjectStreamException) are all IOExceptions.
        ErrorCode::Io
        | ErrorCode::Eof
        | ErrorCode::Socket
        | ErrorCode::UtfDataFormat
        | ErrorCode::NotSerializable => ServerErrorClass::Io,
        ErrorCode::RetryableIo
        | ErrorCode::RetryableHazelcast
        | ErrorCode::CallerNotMember
        | ErrorCode::MemberLeft
        | ErrorCode::PartitionMigrating
        | ErrorCode::WrongTarget
        | ErrorCode::TargetNotMember
        | ErrorCode::TargetNotReplica
        | ErrorCode::CannotReplicate
        | ErrorCode::HazelcastInstanceNotActive => ServerErrorClass::Retryable,
        ErrorCode::TargetDisconnected => ServerErrorClass::TargetDisconnected,
        _ => ServerErrorClass::Other,
    }
}

/// Pause before the `n`-th retry of an invocation (1-based): the first five retries go at once,
/// then 1, 2, 4 … ms, capped at `max` (Java's pacing).
pub(crate) fn retry_pause(n: u32, max: Duration) -> Duration {
    if n <= FAST_RETRIES {
        return Duration::ZERO;
    }
    Backoff::new(Duration::from_millis(1), max, 2.0).delay(n - FAST_RETRIES - 1)
}

/// Attempts retried at once before the pause starts growing (the Java client's
/// `MAX_FAST_INVOCATION_COUNT`).
const FAST_RETRIES: u32 = 5;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ServerError;
    use hazelcast_codec::Uuid;
    use hazelcast_transport::{Address, CloseReason};

    fn call(retryable: bool, target: Target, redo: bool) -> CallInfo {
        CallInfo {
            retryable,
            target,
            redo_operation: redo,
            attempt: 1,
        }
    }

    fn server(code: ErrorCode) -> InvocationError {
        InvocationError::Server(ServerError {
            code,
            class_name: String::new(),
            message: None,
            causes: Vec::new(),
        })
    }

    fn disconnected() -> InvocationError {
        InvocationError::TargetDisconnected {
            member: Address::new("127.0.0.1", 5701),
            reason: CloseReason::Eof,
        }
    }

    #[test]
    fn the_java_client_rules() {
        let p = DefaultRetryPolicy;
        let any = call(false, Target::Any, false);
        let bound = call(false, Target::Connection(1), false);
        let member = call(false, Target::Member(Uuid::nil()), false);
        // Never sent: retried anywhere but on a bound call.
        for e in [InvocationError::NoConnection, InvocationError::Overloaded] {
            assert!(p.should_retry(&e, &any), "{e:?}");
            assert!(!p.should_retry(&e, &bound), "{e:?}");
        }
        // Server I/O exceptions: retried (the seed did not), not on a bound call.
        for code in [
            ErrorCode::Io,
            ErrorCode::Eof,
            ErrorCode::Socket,
            ErrorCode::UtfDataFormat,
            ErrorCode::NotSerializable,
        ] {
            assert!(p.should_retry(&server(code), &any), "{code}");
            assert!(!p.should_retry(&server(code), &bound), "{code}");
        }
        // RetryableException and instance-not-active: retried, bound or not.
        for code in [
            ErrorCode::RetryableIo,
            ErrorCode::RetryableHazelcast,
            ErrorCode::CallerNotMember,
            ErrorCode::MemberLeft,
            ErrorCode::PartitionMigrating,
            ErrorCode::WrongTarget,
            ErrorCode::TargetNotReplica,
            ErrorCode::CannotReplicate,
            ErrorCode::HazelcastInstanceNotActive,
        ] {
            assert!(p.should_retry(&server(code), &any), "{code}");
            assert!(p.should_retry(&server(code), &bound), "{code}");
        }
        assert!(p.should_retry(&server(ErrorCode::TargetNotMember), &any));
        assert!(!p.should_retry(&server(ErrorCode::TargetNotMember), &member));
        // The outcome is unknown: only retryable requests or with redo.
        for e in [disconnected(), server(ErrorCode::TargetDisconnected)] {
            assert!(!p.should_retry(&e, &any), "{e:?}");
            assert!(p.should_retry(&e, &call(true, Target::Any, false)), "{e:?}");
            assert!(
                p.should_retry(&e, &call(false, Target::Partition(3), true)),
                "{e:?}"
            );
            assert!(
                !p.should_retry(&e, &call(true, Target::Connection(1), true)),
                "{e:?}"
            );
        }
        // Everything else ends the call.
        for code in [
            ErrorCode::IllegalArgument,
            ErrorCode::HazelcastSerialization,
            ErrorCode::OperationTimeout,
            ErrorCode::IndeterminateOperationState,
        ] {
            assert!(
                !p.should_retry(&server(code), &call(true, Target::Any, true)),
                "{code}"
            );
        }
        assert!(!p.should_retry(&InvocationError::ClientNotActive, &any));
        let too_large = InvocationError::ResponseTooLarge {
            size: 70 << 20,
            limit: 64 << 20,
        };
        assert!(!p.should_retry(&too_large, &call(true, Target::Any, true)));
    }

    #[test]
    fn retry_pacing() {
        let max = Duration::from_secs(1);
        assert_eq!(retry_pause(1, max), Duration::ZERO);
        assert_eq!(retry_pause(5, max), Duration::ZERO);
        assert_eq!(retry_pause(6, max), Duration::from_millis(1));
        assert_eq!(retry_pause(8, max), Duration::from_millis(4));
        assert_eq!(retry_pause(30, max), max);
        assert_eq!(retry_pause(u32::MAX, Duration::MAX), Duration::MAX);
    }
}
