//! [`CpError`]: the failures of the CP structures' own rules (lock ownership, sessions,
//! permits), as typed errors rather than the members' exception classes.

use hazelcast_codec::ErrorCode;
use hazelcast_invocation::InvocationError;
use thiserror::Error;

use crate::error::HazelcastError;

/// A CP structure refused a call: the caller does not own the lock, its CP session was closed
/// by the cluster, an argument is out of range, … Reached through [`HazelcastError::Cp`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CpError {
    /// `unlock` or `fence` by an owner that does not hold the lock (the members'
    /// `IllegalMonitorStateException`).
    #[error("the lock {name:?} is not held by this owner")]
    LockNotOwned {
        /// The lock's name.
        name: String,
    },
    /// The owner already holds the lock as many times as the lock allows (the members'
    /// `LockAcquireLimitReachedException`; the limit is the lock's `lock-acquire-limit`).
    #[error("the lock {name:?} reached its reentrant acquire limit")]
    LockAcquireLimitReached {
        /// The lock's name.
        name: String,
    },
    /// The owner held the lock in a CP session that the cluster has since closed (it expired
    /// without heartbeats, or was closed by an operator): the lock was released by the cluster
    /// and may be held by someone else now (Java's `LockOwnershipLostException`).
    #[error("the lock {name:?} was lost: its CP session {session_id} was closed by the cluster")]
    LockOwnershipLost {
        /// The lock's name.
        name: String,
        /// The closed session.
        session_id: i64,
    },
    /// A waiting `lock` or `acquire` was cancelled by the cluster because the same owner
    /// started another call on the same object (the members keep one wait per owner; the
    /// members' `WaitKeyCancelledException`).
    #[error("the wait on {name:?} was cancelled by another call of the same owner")]
    WaitCancelled {
        /// The object's name.
        name: String,
    },
    /// A semaphore call that needs the client's CP session (`release`, `change`) found none, or
    /// the cluster had closed it: the permits this client held were returned by the cluster.
    #[error("no valid CP session for the semaphore {name:?}")]
    NoSession {
        /// The semaphore's name.
        name: String,
    },
    /// `release` of more permits than this client's session holds.
    #[error("cannot release {permits} permits of the semaphore {name:?}: this client holds fewer")]
    PermitsNotHeld {
        /// The semaphore's name.
        name: String,
        /// The permits asked for.
        permits: u32,
    },
    /// An argument out of the range the operation accepts (the call was not sent).
    #[error("invalid argument `{argument}`: {reason}")]
    InvalidArgument {
        /// The parameter.
        argument: &'static str,
        /// Why it is refused.
        reason: &'static str,
    },
}

/// The protocol error code of a member's exception, when the call failed with one.
pub(crate) fn server_code(e: &HazelcastError) -> Option<ErrorCode> {
    match e {
        HazelcastError::Invocation(InvocationError::Server(s)) => Some(s.code),
        _ => None,
    }
}
