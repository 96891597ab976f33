//! The client's CP sessions, as Java's `AbstractProxySessionManager` keeps them: one session
//! per CP group, created on first need (`CPSession.CreateSession`), heartbeated while a lock or
//! permits are held in it (`CPSession.HeartbeatSession`, at the period the member returned),
//! forgotten when the cluster reports it expired or the client switches to a new cluster (the
//! Java client keeps them; a new cluster may give their ids to other clients' sessions), and
//! closed when the client shuts down (`CPSession.CloseSession`), which releases whatever it held
//! at once.
//!
//! A session belongs to the client. Owners inside it (the "threads" of the Java client) are
//! the lock and semaphore handles: each gets a local id from [`SessionManager::new_owner_id`];
//! the members key a lock's owner by (session id, owner id), so local ids are enough.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use hazelcast_codec::ErrorCode;
use hazelcast_codec::custom::RaftGroupId;
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::cp_session::{
    CpSessionCloseSessionRequest, CpSessionCreateSessionRequest, CpSessionCreateSessionResponse,
    CpSessionGenerateThreadIdRequest, CpSessionGenerateThreadIdResponse, CpSessionHeartbeatSessionRequest,
};
use hazelcast_invocation::{ClusterClient, InvocationError, Target};

use crate::client::HazelcastClient;
use crate::cp::error::server_code;
use crate::error::HazelcastError;

/// How long [`SessionManager::close_all`] waits for the members to close the sessions.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// The shortest heartbeat period taken from a member (a smaller or negative one is raised).
const MIN_HEARTBEAT: Duration = Duration::from_millis(100);

/// The longest heartbeat period taken from a member (a larger one is lowered).
const MAX_HEARTBEAT: Duration = Duration::from_secs(3600);

/// A CP group's key in the session table (the id's numbers and name).
type GroupKey = (String, i64, i64);

fn key(group: &RaftGroupId) -> GroupKey {
    (group.name.clone(), group.seed, group.id)
}

#[derive(Debug)]
struct Session {
    id: i64,
    group: RaftGroupId,
    /// Locks and permits held in the session, and calls that may take one.
    acquired: i64,
    created: Instant,
    ttl: Duration,
}

impl Session {
    /// In use, or not yet past the time-to-live the member gave it.
    fn is_valid(&self) -> bool {
        self.acquired > 0 || self.created.elapsed() <= self.ttl
    }
}

#[derive(Debug, Default)]
struct State {
    sessions: HashMap<GroupKey, Session>,
    closed: bool,
}

/// The client's CP sessions (see the module documentation). Owned by the client.
#[derive(Debug, Default)]
pub(crate) struct SessionManager {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    state: Mutex<State>,
    /// One session creation at a time (creations are rare: one per group and expiry).
    creating: tokio::sync::Mutex<()>,
    heartbeat_started: AtomicBool,
    next_owner: AtomicI64,
}

fn lock(m: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SessionManager {
    /// A new owner identity (the lock's and semaphore's "thread id"), unique in this client.
    pub(crate) fn new_owner_id(&self) -> i64 {
        self.inner.next_owner.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// A cluster-wide unique owner id in `group` (`CPSession.GenerateThreadId`), for the
    /// sessionless calls of jdk-compatible semaphores, where no session tells clients apart.
    pub(crate) async fn generate_thread_id(
        &self,
        client: &HazelcastClient,
        group: &RaftGroupId,
    ) -> Result<i64, HazelcastError> {
        let cc = client.cluster()?;
        let answer = cc
            .invoke(&CpSessionGenerateThreadIdRequest { group_id: group }, Target::Any)
            .await
            .map_err(|e| client.call_error(e))?;
        Ok(CpSessionGenerateThreadIdResponse::decode(&answer)?.response)
    }

    /// The id of the session of `group`, without creating one.
    pub(crate) fn session(&self, group: &RaftGroupId) -> Option<i64> {
        lock(&self.inner.state).sessions.get(&key(group)).map(|s| s.id)
    }

    /// The session of `group` (created when there is none or it expired), counted as used
    /// `count` more times; returns its id.
    pub(crate) async fn acquire(
        &self,
        client: &HazelcastClient,
        group: &RaftGroupId,
        count: i64,
    ) -> Result<i64, HazelcastError> {
        let k = key(group);
        if let Some(id) = self.try_acquire(&k, count)? {
            return Ok(id);
        }
        let _creating = self.inner.creating.lock().await;
        if let Some(id) = self.try_acquire(&k, count)? {
            return Ok(id);
        }
        let cc = client.cluster()?;
        let answer = cc
            .invoke(
                &CpSessionCreateSessionRequest {
                    group_id: group,
                    endpoint_name: client.client_name(),
                },
                Target::Any,
            )
            .await
            .map_err(|e| client.call_error(e))?;
        let created = CpSessionCreateSessionResponse::decode(&answer)?;
        let ttl = Duration::from_millis(u64::try_from(created.ttl_millis).unwrap_or(0));
        let heartbeat = Duration::from_millis(u64::try_from(created.heartbeat_millis).unwrap_or(0))
            .clamp(MIN_HEARTBEAT, MAX_HEARTBEAT);
        {
            let mut state = lock(&self.inner.state);
            if state.closed {
                return Err(InvocationError::ClientNotActive.into());
            }
            state.sessions.insert(
                k,
                Session {
                    id: created.session_id,
                    group: group.clone(),
                    acquired: count,
                    created: Instant::now(),
                    ttl,
                },
            );
        }
        tracing::debug!(group = %group.name, session = created.session_id, "CP session created");
        self.start_heartbeat(&cc, heartbeat);
        Ok(created.session_id)
    }

    fn try_acquire(&self, k: &GroupKey, count: i64) -> Result<Option<i64>, HazelcastError> {
        let mut state = lock(&self.inner.state);
        if state.closed {
            return Err(InvocationError::ClientNotActive.into());
        }
        Ok(state.sessions.get_mut(k).filter(|s| s.is_valid()).map(|s| {
            s.acquired += count;
            s.id
        }))
    }

    /// Counts `count` fewer uses of session `id` of `group` (nothing if that session is gone).
    pub(crate) fn release(&self, group: &RaftGroupId, id: i64, count: i64) {
        if let Some(s) = lock(&self.inner.state).sessions.get_mut(&key(group))
            && s.id == id
        {
            s.acquired = (s.acquired - count).max(0);
        }
    }

    /// Forgets session `id` of `group` (the cluster reported it closed); the next use creates
    /// a new one.
    pub(crate) fn invalidate(&self, group: &RaftGroupId, id: i64) {
        let mut state = lock(&self.inner.state);
        if state.sessions.get(&key(group)).is_some_and(|s| s.id == id) {
            state.sessions.remove(&key(group));
        }
    }

    /// Forgets every session without closing it: after a switch to a new cluster, which knows
    /// none of them (and may give their ids to other clients' sessions). Owners that held a
    /// lock in one learn it at their next call ([`CpError::LockOwnershipLost`]).
    ///
    /// [`CpError::LockOwnershipLost`]: crate::CpError::LockOwnershipLost
    pub(crate) fn forget_all(&self) {
        let forgotten = std::mem::take(&mut lock(&self.inner.state).sessions);
        if !forgotten.is_empty() {
            tracing::info!(
                sessions = forgotten.len(),
                "CP sessions of the previous cluster forgotten"
            );
        }
    }

    /// How many uses session `id` of `group` has (0 when it is gone); for tests.
    #[cfg(test)]
    fn acquired(&self, group: &RaftGroupId, id: i64) -> i64 {
        lock(&self.inner.state)
            .sessions
            .get(&key(group))
            .filter(|s| s.id == id)
            .map_or(0, |s| s.acquired)
    }

    /// Starts the heartbeat task once, as a task of the client (it ends with the client).
    fn start_heartbeat(&self, cc: &ClusterClient, period: Duration) {
        if self.inner.heartbeat_started.swap(true, Ordering::AcqRel) {
            return;
        }
        let inner = Arc::downgrade(&self.inner);
        let task_cc = cc.clone();
        cc.spawn(async move {
            let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(inner) = inner.upgrade() else { return };
                let in_use: Vec<(RaftGroupId, i64)> = lock(&inner.state)
                    .sessions
                    .values()
                    .filter(|s| s.acquired > 0)
                    .map(|s| (s.group.clone(), s.id))
                    .collect();
                for (group, id) in in_use {
                    let request = CpSessionHeartbeatSessionRequest {
                        session_id: id,
                        group_id: &group,
                    };
                    let sent = tokio::time::timeout(period, task_cc.invoke(&request, Target::Any)).await;
                    match sent {
                        Ok(Ok(_)) => {}
                        Ok(Err(e)) => {
                            let e = HazelcastError::from(e);
                            if matches!(
                                server_code(&e),
                                Some(ErrorCode::SessionExpired | ErrorCode::CpGroupDestroyed)
                            ) {
                                tracing::warn!(group = %group.name, session = id, "CP session expired");
                                let mut state = lock(&inner.state);
                                if state.sessions.get(&key(&group)).is_some_and(|s| s.id == id) {
                                    state.sessions.remove(&key(&group));
                                }
                            } else {
                                tracing::debug!(group = %group.name, session = id, error = %e, "CP session heartbeat failed");
                            }
                        }
                        Err(_) => {
                            tracing::debug!(group = %group.name, session = id, "CP session heartbeat timed out");
                        }
                    }
                }
            }
        });
    }

    /// Closes every session on the cluster (what they hold is released at once) and refuses new
    /// ones; waits at most a few seconds. Called by the client's shutdown while it is connected.
    pub(crate) async fn close_all(&self, cc: &ClusterClient) {
        let sessions: Vec<Session> = {
            let mut state = lock(&self.inner.state);
            state.closed = true;
            state.sessions.drain().map(|(_, s)| s).collect()
        };
        if sessions.is_empty() {
            return;
        }
        let closes = sessions.iter().map(|s| async move {
            let request = CpSessionCloseSessionRequest {
                session_id: s.id,
                group_id: &s.group,
            };
            match cc.invoke(&request, Target::Any).await {
                Ok(answer) => {
                    if let Err(e) = hazelcast_codec::messages::check_type(
                        &answer,
                        CpSessionCloseSessionRequest::MESSAGE_TYPE + 1,
                    ) {
                        tracing::warn!(group = %s.group.name, session = s.id, error = %e, "CP session close: unexpected answer");
                    }
                }
                Err(e) => {
                    tracing::warn!(group = %s.group.name, session = s.id, error = %e, "could not close a CP session");
                }
            }
        });
        if tokio::time::timeout(CLOSE_WAIT, futures_util::future::join_all(closes))
            .await
            .is_err()
        {
            tracing::warn!("CP sessions not closed in time");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str) -> RaftGroupId {
        RaftGroupId::new(0, 7, name.to_owned())
    }

    fn with_session(m: &SessionManager, g: &RaftGroupId, id: i64, ttl: Duration) {
        lock(&m.inner.state).sessions.insert(
            key(g),
            Session {
                id,
                group: g.clone(),
                acquired: 0,
                created: Instant::now(),
                ttl,
            },
        );
    }

    #[test]
    fn uses_are_counted_per_session_and_never_go_below_zero() {
        let m = SessionManager::default();
        let g = group("default");
        with_session(&m, &g, 5, Duration::from_secs(60));
        assert_eq!(m.try_acquire(&key(&g), 2).expect("open"), Some(5));
        assert_eq!(m.acquired(&g, 5), 2);
        m.release(&g, 4, 1);
        assert_eq!(m.acquired(&g, 5), 2, "another session's release is ignored");
        m.release(&g, 5, 3);
        assert_eq!(m.acquired(&g, 5), 0);
    }

    #[test]
    fn an_expired_unused_session_is_not_reused_but_one_in_use_is() {
        let m = SessionManager::default();
        let g = group("default");
        with_session(&m, &g, 5, Duration::ZERO);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(m.try_acquire(&key(&g), 1).expect("open"), None);
        lock(&m.inner.state)
            .sessions
            .get_mut(&key(&g))
            .expect("session")
            .acquired = 1;
        assert_eq!(m.try_acquire(&key(&g), 1).expect("open"), Some(5));
    }

    #[test]
    fn invalidation_forgets_only_the_named_session() {
        let m = SessionManager::default();
        let g = group("default");
        with_session(&m, &g, 5, Duration::from_secs(60));
        m.invalidate(&g, 6);
        assert_eq!(m.session(&g), Some(5));
        m.invalidate(&g, 5);
        assert_eq!(m.session(&g), None);
    }

    #[test]
    fn a_new_cluster_makes_every_session_forgotten_but_the_manager_stays_open() {
        let m = SessionManager::default();
        let (g, h) = (group("default"), group("other"));
        with_session(&m, &g, 5, Duration::from_secs(60));
        with_session(&m, &h, 6, Duration::from_secs(60));
        m.forget_all();
        assert_eq!((m.session(&g), m.session(&h)), (None, None));
        assert_eq!(m.try_acquire(&key(&g), 1).expect("still open"), None);
    }

    #[test]
    fn owner_ids_are_unique() {
        let m = SessionManager::default();
        let a = m.new_owner_id();
        let b = m.new_owner_id();
        assert_ne!(a, b);
        assert!(a > 0 && b > 0);
    }
}
