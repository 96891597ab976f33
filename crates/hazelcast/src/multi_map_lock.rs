//! The key locks of a [`MultiMap`]: lock, try_lock, unlock, is_locked, force_unlock.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use hazelcast_codec::Data;
use hazelcast_codec::messages::multi_map::{
    MultiMapForceUnlockRequest, MultiMapIsLockedRequest, MultiMapIsLockedResponse, MultiMapTryLockRequest,
    MultiMapTryLockResponse, MultiMapUnlockRequest,
};
use hazelcast_codec::messages::{Request, check_type};
use hazelcast_serialization::{FromData, ToData};
use tokio::time::Instant;

use crate::cp::{max_wait, millis};
use crate::error::HazelcastError;
use crate::map::{SerializeAs, THREAD_ID};
use crate::multi_map::MultiMap;
use crate::proxy::owned::run_owned;
use crate::proxy::{ProxyCore, Route};

/// The last owner identity handed out; the first handle gets the one after the map's
/// [`THREAD_ID`], so no multi-map owner shares the thread id of map calls.
static LAST_OWNER: AtomicI64 = AtomicI64::new(THREAD_ID);

/// The last lock reference id sent (Java's `ClientLockReferenceIdGenerator`).
static LAST_REFERENCE: AtomicI64 = AtomicI64::new(0);

/// A new owner identity, unique in this process (so in each client): the members key a
/// multi-map lock's owner by the client and this id.
pub(crate) fn new_owner_id() -> i64 {
    LAST_OWNER.fetch_add(1, Ordering::Relaxed) + 1
}

/// A new lock reference id, unique in this process: the member recognises a retried lock or
/// unlock request by it and answers it again rather than applying it twice.
fn next_reference_id() -> i64 {
    LAST_REFERENCE.fetch_add(1, Ordering::Relaxed) + 1
}

/// The lease of a lock for the wire: none is `-1` (held until unlocked); a lease is at least
/// 1 ms.
fn lease_millis(lease: Option<Duration>) -> i64 {
    lease.map_or(-1, |l| millis(l).max(1))
}

/// `MultiMap.Unlock` of `key` for `owner`.
async fn unlock_as(core: &ProxyCore, owner: i64, key: &Data) -> Result<(), HazelcastError> {
    let request = MultiMapUnlockRequest {
        thread_id: owner,
        reference_id: next_reference_id(),
        name: core.name(),
        key,
    };
    let answer = core.invoke(&request, Route::Key(key)).await?;
    check_type(&answer, MultiMapUnlockRequest::MESSAGE_TYPE + 1)?;
    Ok(())
}

impl<K, V> MultiMap<K, V>
where
    K: ToData + FromData + Send + 'static,
    V: ToData + FromData + Send + 'static,
{
    /// Locks `key` for this owner, waiting as long as it takes; held until
    /// [`unlock`](MultiMap::unlock) (or [`force_unlock`](MultiMap::force_unlock)). Reentrant:
    /// the owner that holds the lock gets it again at once, and must unlock as many times.
    /// The key need not have values; the lock applies to this multi-map only.
    ///
    /// Cancel-safe: each request runs as a task of the client, and a lock the member granted
    /// after the caller dropped the future is unlocked again by that task. The wait is sent as
    /// requests of at most 30 s (or half the invocation timeout), so a waiting `lock` queues
    /// again behind newer waiters at each round.
    ///
    /// ```no_run
    /// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
    /// let tags = client.get_multi_map::<String, String>("tags").await?;
    /// tags.lock("post-1").await?;
    /// // Other owners' writes of "post-1" wait until the unlock.
    /// tags.put("post-1", "reviewed").await?;
    /// tags.unlock("post-1").await?;
    /// # Ok(()) }
    /// ```
    pub async fn lock(&self, key: impl SerializeAs<K>) -> Result<(), HazelcastError> {
        let key = self.core.data(&key).await?;
        self.acquire(key, None, None).await.map(drop)
    }

    /// As [`lock`](MultiMap::lock), but the members release the lock by themselves `lease`
    /// after granting it (a zero lease is 1 ms), if the owner has not unlocked it by then.
    pub async fn lock_with_lease(
        &self,
        key: impl SerializeAs<K>,
        lease: Duration,
    ) -> Result<(), HazelcastError> {
        let key = self.core.data(&key).await?;
        self.acquire(key, None, Some(lease)).await.map(drop)
    }

    /// Locks `key` if it is free or this owner holds it, waiting up to `timeout` (zero: only a
    /// look); returns whether it was locked. Cancel-safe as [`lock`](MultiMap::lock).
    pub async fn try_lock(
        &self,
        key: impl SerializeAs<K>,
        timeout: Duration,
    ) -> Result<bool, HazelcastError> {
        let key = self.core.data(&key).await?;
        self.acquire(key, Some(timeout), None).await
    }

    /// As [`try_lock`](MultiMap::try_lock), with a lease as in
    /// [`lock_with_lease`](MultiMap::lock_with_lease).
    pub async fn try_lock_with_lease(
        &self,
        key: impl SerializeAs<K>,
        timeout: Duration,
        lease: Duration,
    ) -> Result<bool, HazelcastError> {
        let key = self.core.data(&key).await?;
        self.acquire(key, Some(timeout), Some(lease)).await
    }

    /// Releases this owner's lock of `key` once (a reentrant owner keeps it until its last
    /// unlock). Fails with the member's `IllegalMonitorState` error when this owner does not
    /// hold the lock.
    pub async fn unlock(&self, key: impl SerializeAs<K>) -> Result<(), HazelcastError> {
        let key = self.core.data(&key).await?;
        unlock_as(&self.core, self.owner, &key).await
    }

    /// Whether anyone holds the lock of `key`.
    pub async fn is_locked(&self, key: impl SerializeAs<K>) -> Result<bool, HazelcastError> {
        let key = self.core.data(&key).await?;
        let request = MultiMapIsLockedRequest {
            name: self.name(),
            key: &key,
        };
        let answer = self.core.invoke(&request, Route::Key(&key)).await?;
        Ok(MultiMapIsLockedResponse::decode(&answer)?.response)
    }

    /// Releases the lock of `key` whoever holds it, however often it was acquired; does
    /// nothing when it is free.
    pub async fn force_unlock(&self, key: impl SerializeAs<K>) -> Result<(), HazelcastError> {
        let key = self.core.data(&key).await?;
        let request = MultiMapForceUnlockRequest {
            reference_id: next_reference_id(),
            name: self.name(),
            key: &key,
        };
        let answer = self.core.invoke(&request, Route::Key(&key)).await?;
        check_type(&answer, MultiMapForceUnlockRequest::MESSAGE_TYPE + 1)?;
        Ok(())
    }

    /// Tries to lock `key` until `timeout` (`None`: as long as it takes), in rounds of at most
    /// [`max_wait`]; returns whether it was locked.
    async fn acquire(
        &self,
        key: Data,
        timeout: Option<Duration>,
        lease: Option<Duration>,
    ) -> Result<bool, HazelcastError> {
        let round = max_wait(&self.core)?;
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            let wait = deadline.map_or(round, |d| d.saturating_duration_since(Instant::now()).min(round));
            if self.owned_try_lock(&key, wait, lease).await? {
                return Ok(true);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(false);
            }
        }
    }

    /// One `MultiMap.TryLock` run as a task of the client: a lock granted after the caller went
    /// away is unlocked again.
    async fn owned_try_lock(
        &self,
        key: &Data,
        wait: Duration,
        lease: Option<Duration>,
    ) -> Result<bool, HazelcastError> {
        let cc = self.core.cluster()?;
        let (core, owner) = (self.core.clone(), self.owner);
        let (left, left_key) = (self.core.clone(), key.clone());
        let key = key.clone();
        run_owned(
            &cc,
            async move {
                let request = MultiMapTryLockRequest {
                    thread_id: owner,
                    lease: lease_millis(lease),
                    timeout: millis(wait),
                    reference_id: next_reference_id(),
                    name: core.name(),
                    key: &key,
                };
                let answer = core.invoke(&request, Route::Key(&key)).await?;
                Ok(MultiMapTryLockResponse::decode(&answer)?.response)
            },
            move |locked| async move {
                if locked {
                    tracing::debug!(multi_map = left.name(), "lock granted after the caller left; unlocking");
                    if let Err(e) = unlock_as(&left, owner, &left_key).await {
                        tracing::warn!(multi_map = left.name(), error = %e, "could not unlock an abandoned lock");
                    }
                }
            },
        )
        .await
    }
}
