//! [`FencedLock`]: a distributed, reentrant lock with fencing tokens in the CP subsystem.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hazelcast_codec::ErrorCode;
use hazelcast_codec::messages::fenced_lock::{
    FencedLockGetLockOwnershipRequest, FencedLockGetLockOwnershipResponse, FencedLockTryLockRequest,
    FencedLockTryLockResponse, FencedLockUnlockRequest, FencedLockUnlockResponse,
};

use crate::client::HazelcastClient;
use crate::cp::error::{CpError, server_code};
use crate::cp::session::SessionManager;
use crate::cp::{CpProxy, invocation_uid, max_wait, millis};
use crate::error::HazelcastError;
use crate::proxy::Route;
use crate::proxy::owned::run_owned;

/// The service name of CP locks.
pub(crate) const LOCK_SERVICE: &str = "hz:raft:lockService";

/// The fence the members answer for "not acquired" (Java's `FencedLock.INVALID_FENCE`).
const INVALID_FENCE: i64 = 0;

/// A distributed reentrant lock of the CP subsystem, from
/// [`HazelcastClient::get_fenced_lock`](crate::HazelcastClient::get_fenced_lock).
///
/// **Owners.** The Java client's lock is owned by a thread; an async client has none, so the
/// owner here is the handle: every `get_fenced_lock` call (and [`new_owner`](Self::new_owner))
/// returns a handle with an owner identity of its own, and its clones are the same owner. An
/// owner may lock again while it holds the lock (reentrancy: the count goes up, and it takes as
/// many [`unlock`](Self::unlock)s); another owner waits until the lock is free. Give each task
/// that must exclude the others its own owner; two tasks using clones of one handle are one
/// owner and do not exclude each other. The members hold the lock for the owner *in the client's
/// CP session*: the session is created on the first lock, heartbeated while the lock is held,
/// and closed at [`shutdown`](crate::HazelcastClient::shutdown), which releases every lock the
/// client held. If the cluster closes the session (the client was unreachable longer than the
/// session's time-to-live) the lock is released, and the owner's next call fails with
/// [`CpError::LockOwnershipLost`].
///
/// **Fences.** Every acquisition returns a fencing token that grows with each new owner: a
/// resource that remembers the largest fence it saw can refuse a stale owner's late writes.
///
/// **Cancellation.** [`lock`](Self::lock) and [`try_lock`](Self::try_lock) are cancel-safe: the
/// request runs as a task of the client, and a lock the member granted after the caller dropped
/// the future is unlocked again by that task. The member itself keeps the dropped wait until the
/// request's own timeout (at most 30 s: a longer wait is sent as several requests) or until the
/// same owner calls again, whichever is first. Because of these rounds, a waiting `lock` queues
/// again behind newer waiters every 30 s.
///
/// Cheap to clone.
///
/// ```no_run
/// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
/// let lock = client.get_fenced_lock("invoices").await?;
/// let fence = lock.lock().await?;
/// println!("exclusive until unlock, fence {fence}");
/// lock.unlock().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct FencedLock {
    inner: Arc<Inner>,
}

struct Inner {
    cp: CpProxy,
    /// The owner identity (the "thread id" of the protocol).
    owner: i64,
    /// The session this owner holds the lock in, as far as this client knows (Java's
    /// `lockedSessionIds`).
    locked_session: Mutex<Option<i64>>,
}

impl fmt::Debug for FencedLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FencedLock")
            .field("name", &self.inner.cp.core.name())
            .field("group", &self.inner.cp.group_id.name)
            .field("owner", &self.inner.owner)
            .finish_non_exhaustive()
    }
}

/// The answer of one lock attempt.
enum Attempt {
    Locked(i64),
    NotLocked,
    /// The session expired before the lock was granted: try again with a new one.
    SessionExpired,
    /// The member cancelled the wait (another call of the same owner).
    Cancelled,
}

/// Who holds the lock, as `FencedLock.GetLockOwnership` answers.
struct Ownership {
    fence: i64,
    lock_count: i32,
    session_id: i64,
    thread_id: i64,
}

impl Ownership {
    fn is_locked(&self) -> bool {
        self.fence != INVALID_FENCE
    }

    fn is_locked_by(&self, session: Option<i64>, owner: i64) -> bool {
        self.is_locked() && Some(self.session_id) == session && self.thread_id == owner
    }
}

impl Inner {
    fn sessions(&self) -> &SessionManager {
        self.cp.core.client().cp_sessions()
    }

    fn name(&self) -> &str {
        self.cp.core.name()
    }

    fn locked(&self) -> std::sync::MutexGuard<'_, Option<i64>> {
        self.locked_session.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lost(&self, session_id: i64) -> HazelcastError {
        CpError::LockOwnershipLost {
            name: self.name().to_owned(),
            session_id,
        }
        .into()
    }

    fn not_owned(&self) -> HazelcastError {
        CpError::LockNotOwned {
            name: self.name().to_owned(),
        }
        .into()
    }

    /// Fails when this owner held the lock in a session other than `session` (that session
    /// was closed: the lock is lost). Java's `verifyLockedSessionIdIfPresent`.
    fn verify_locked_session(&self, session: Option<i64>) -> Result<(), HazelcastError> {
        let mut locked = self.locked();
        match *locked {
            Some(held) if Some(held) != session => {
                *locked = None;
                Err(self.lost(held))
            }
            _ => Ok(()),
        }
    }

    /// Fails when this owner believed it held the lock (it does not any more). Java's
    /// `verifyNoLockedSessionIdPresent`.
    fn verify_not_locked(&self) -> Result<(), HazelcastError> {
        match self.locked().take() {
            Some(held) => Err(self.lost(held)),
            None => Ok(()),
        }
    }

    /// One `FencedLock.TryLock` waiting up to `wait`, with the session bookkeeping of Java's
    /// `tryLockAndGetFence`.
    async fn attempt(&self, wait: Duration) -> Result<Attempt, HazelcastError> {
        let group = &self.cp.group_id;
        let session = self.sessions().acquire(self.cp.core.client(), group, 1).await?;
        if let Err(e) = self.verify_locked_session(Some(session)) {
            self.sessions().release(group, session, 1);
            return Err(e);
        }
        let request = FencedLockTryLockRequest {
            session_id: session,
            thread_id: self.owner,
            invocation_uid: invocation_uid(),
            timeout_ms: millis(wait),
            group_id: group,
            name: self.name(),
        };
        let answer = self.cp.core.invoke(&request, Route::Any).await;
        let fence = answer.and_then(|a| Ok(FencedLockTryLockResponse::decode(&a)?.response));
        match fence {
            Ok(fence) if fence != INVALID_FENCE => {
                *self.locked() = Some(session);
                Ok(Attempt::Locked(fence))
            }
            Ok(_) => {
                self.sessions().release(group, session, 1);
                Ok(Attempt::NotLocked)
            }
            Err(e) => match server_code(&e) {
                Some(ErrorCode::SessionExpired) => {
                    self.sessions().invalidate(group, session);
                    self.verify_not_locked()?;
                    Ok(Attempt::SessionExpired)
                }
                Some(ErrorCode::WaitKeyCancelled) => {
                    self.sessions().release(group, session, 1);
                    Ok(Attempt::Cancelled)
                }
                _ => {
                    self.sessions().release(group, session, 1);
                    Err(e)
                }
            },
        }
    }

    async fn unlock(&self) -> Result<(), HazelcastError> {
        let group = &self.cp.group_id;
        let session = self.sessions().session(group);
        self.verify_locked_session(session)?;
        let Some(session) = session else {
            *self.locked() = None;
            return Err(self.not_owned());
        };
        let request = FencedLockUnlockRequest {
            session_id: session,
            thread_id: self.owner,
            invocation_uid: invocation_uid(),
            group_id: group,
            name: self.name(),
        };
        let answer = self.cp.core.invoke(&request, Route::Any).await;
        match answer.and_then(|a| Ok(FencedLockUnlockResponse::decode(&a)?.response)) {
            Ok(still_locked) => {
                *self.locked() = still_locked.then_some(session);
                self.sessions().release(group, session, 1);
                Ok(())
            }
            Err(e) => match server_code(&e) {
                Some(ErrorCode::SessionExpired) => {
                    self.sessions().invalidate(group, session);
                    *self.locked() = None;
                    Err(self.lost(session))
                }
                Some(ErrorCode::IllegalMonitorState) => {
                    *self.locked() = None;
                    Err(self.not_owned())
                }
                _ => Err(e),
            },
        }
    }

    async fn ownership(&self) -> Result<Ownership, HazelcastError> {
        let answer = self
            .cp
            .core
            .invoke(
                &FencedLockGetLockOwnershipRequest {
                    group_id: &self.cp.group_id,
                    name: self.name(),
                },
                Route::Any,
            )
            .await?;
        let r = FencedLockGetLockOwnershipResponse::decode(&answer)?;
        Ok(Ownership {
            fence: r.fence,
            lock_count: r.lock_count,
            session_id: r.session_id,
            thread_id: r.thread_id,
        })
    }

    /// The ownership, with this owner's view of it brought up to date (Java's checks around
    /// `doGetLockOwnershipState`).
    async fn checked_ownership(&self) -> Result<(Ownership, bool), HazelcastError> {
        let session = self.sessions().session(&self.cp.group_id);
        self.verify_locked_session(session)?;
        let ownership = self.ownership().await?;
        let mine = ownership.is_locked_by(session, self.owner);
        if mine {
            *self.locked() = session;
        } else {
            self.verify_not_locked()?;
        }
        Ok((ownership, mine))
    }
}

impl FencedLock {
    pub(crate) async fn new(client: &HazelcastClient, name: &str) -> Result<Self, HazelcastError> {
        let cp = CpProxy::new(client, name, LOCK_SERVICE).await?;
        Ok(Self::with_proxy(cp))
    }

    fn with_proxy(cp: CpProxy) -> Self {
        let owner = cp.core.client().cp_sessions().new_owner_id();
        FencedLock {
            inner: Arc::new(Inner {
                cp,
                owner,
                locked_session: Mutex::new(None),
            }),
        }
    }

    /// A handle on the same lock with an owner identity of its own (no call to the cluster):
    /// it waits while this handle's owner holds the lock, and the other way round.
    pub fn new_owner(&self) -> FencedLock {
        Self::with_proxy(self.inner.cp.clone())
    }

    /// The object's name (without the CP group).
    pub fn name(&self) -> &str {
        self.inner.name()
    }

    /// One attempt run as a task of the client: if the caller is gone when the lock is granted,
    /// the task unlocks it again.
    async fn owned_attempt(&self, wait: Duration) -> Result<Attempt, HazelcastError> {
        let cc = self.inner.cp.core.cluster()?;
        let (inner, left) = (self.inner.clone(), self.inner.clone());
        run_owned(&cc, async move { inner.attempt(wait).await }, |attempt| async move {
            if let Attempt::Locked(fence) = attempt {
                tracing::debug!(lock = %left.name(), fence, "lock granted after the caller left; unlocking");
                if let Err(e) = left.unlock().await {
                    tracing::warn!(lock = %left.name(), error = %e, "could not unlock an abandoned lock");
                }
            }
        })
        .await
    }

    /// Acquires the lock, waiting as long as it takes; returns the fence. Reentrant: the owner
    /// that holds the lock gets it again at once (the fence stays the same).
    ///
    /// Fails with [`CpError::LockAcquireLimitReached`] when the owner holds the lock as often
    /// as the lock allows, [`CpError::LockOwnershipLost`] when its session was closed while it
    /// held the lock, and [`CpError::WaitCancelled`] when a call of the same owner cancelled
    /// this wait.
    pub async fn lock(&self) -> Result<i64, HazelcastError> {
        let wait = max_wait(&self.inner.cp.core)?;
        loop {
            let held = self.inner.locked().is_some();
            match self.owned_attempt(wait).await? {
                Attempt::Locked(fence) => return Ok(fence),
                // An owner that holds the lock never waits: a refusal is the acquire limit.
                Attempt::NotLocked if held => {
                    return Err(CpError::LockAcquireLimitReached {
                        name: self.name().to_owned(),
                    }
                    .into());
                }
                Attempt::NotLocked | Attempt::SessionExpired => {}
                Attempt::Cancelled => {
                    return Err(CpError::WaitCancelled {
                        name: self.name().to_owned(),
                    }
                    .into());
                }
            }
        }
    }

    /// Acquires the lock if it is free or this owner holds it, waiting up to `timeout`; returns
    /// the fence, or `None` when it was not acquired (also when the owner reached the acquire
    /// limit, as in Java).
    pub async fn try_lock(&self, timeout: Duration) -> Result<Option<i64>, HazelcastError> {
        let chunk = max_wait(&self.inner.cp.core)?;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let held = self.inner.locked().is_some();
            match self.owned_attempt(left.min(chunk)).await? {
                Attempt::Locked(fence) => return Ok(Some(fence)),
                Attempt::Cancelled => return Ok(None),
                Attempt::NotLocked if held => return Ok(None),
                Attempt::NotLocked | Attempt::SessionExpired => {
                    if tokio::time::Instant::now() >= deadline {
                        return Ok(None);
                    }
                }
            }
        }
    }

    /// Releases the lock once (a reentrant owner keeps it until its last unlock). Fails with
    /// [`CpError::LockNotOwned`] when this owner does not hold it, and
    /// [`CpError::LockOwnershipLost`] when its session was closed (the cluster released it).
    pub async fn unlock(&self) -> Result<(), HazelcastError> {
        self.inner.unlock().await
    }

    /// Whether anyone holds the lock.
    pub async fn is_locked(&self) -> Result<bool, HazelcastError> {
        let (ownership, _) = self.inner.checked_ownership().await?;
        Ok(ownership.is_locked())
    }

    /// Whether this owner holds the lock (Java's `isLockedByCurrentThread`).
    pub async fn is_locked_by_current_owner(&self) -> Result<bool, HazelcastError> {
        Ok(self.inner.checked_ownership().await?.1)
    }

    /// How many times the holder (whoever it is) acquired the lock; 0 when it is free.
    pub async fn get_lock_count(&self) -> Result<u32, HazelcastError> {
        let (ownership, _) = self.inner.checked_ownership().await?;
        Ok(u32::try_from(ownership.lock_count).unwrap_or(0))
    }

    /// The fence of this owner's current hold; [`CpError::LockNotOwned`] when it holds none.
    pub async fn fence(&self) -> Result<i64, HazelcastError> {
        let (ownership, mine) = self.inner.checked_ownership().await?;
        if mine {
            Ok(ownership.fence)
        } else {
            Err(self.inner.not_owned())
        }
    }

    /// Destroys the lock in its CP group; the proxies of it cannot be used afterwards.
    pub async fn destroy(&self) -> Result<(), HazelcastError> {
        *self.inner.locked() = None;
        self.inner.cp.destroy(LOCK_SERVICE).await
    }
}
