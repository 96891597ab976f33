//! [`PnCounter`]: a conflict-free replicated counter (CRDT) that can be incremented and
//! decremented.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use hazelcast_codec::Uuid;
use hazelcast_codec::messages::pn_counter::{
    PnCounterAddRequest, PnCounterAddResponse, PnCounterGetConfiguredReplicaCountRequest,
    PnCounterGetConfiguredReplicaCountResponse, PnCounterGetRequest, PnCounterGetResponse,
};
use hazelcast_codec::types::FixedEntryListRef;
use hazelcast_invocation::InvocationError;

use crate::error::HazelcastError;
use crate::proxy::{ProxyCore, Route};

/// The service name of PN counters.
pub(crate) const PN_COUNTER_SERVICE: &str = "hz:impl:PNCounterService";

/// A distributed counter that can be incremented and decremented, from
/// [`HazelcastClient::get_pn_counter`](crate::HazelcastClient::get_pn_counter).
///
/// A PN counter is a CRDT: every replica (a data member, up to the counter's configured replica
/// count) accepts updates on its own and the replicas converge in the background, so the counter
/// stays available while members fail, and a read may briefly miss updates made through another
/// replica. This proxy keeps the highest replica timestamps (vector clock) it observed, per
/// replica, and sends them with every call, so that it never observes the counter going back in
/// time (monotonic reads and read-your-writes). A replica that answers from a state older than
/// that clock is not believed: a read tries the other replicas and fails with
/// [`HazelcastError::SessionConsistencyLost`] when none has the state; an add, which the replica
/// applied, fails with it (`update_applied: true`) instead of returning the older value.
/// [`reset`](Self::reset) starts a new session. Like the Java client, it sends every call to one
/// replica, a random data member among the first `replica count` ones, and moves to another
/// when a call to it fails, trying each replica once before giving up with the last error.
///
/// Cheap to clone; clones share the vector clock and the chosen replica.
///
/// ```no_run
/// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
/// let visits = client.get_pn_counter("visits").await?;
/// visits.increment_and_get().await?;
/// let now = visits.add_and_get(10).await?;
/// println!("{now} visits");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PnCounter {
    core: ProxyCore,
    state: Arc<State>,
}

impl fmt::Debug for PnCounter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PnCounter")
            .field("name", &self.core.name())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct State {
    /// The highest replica timestamps observed.
    clock: Mutex<VectorClock>,
    /// The replica calls go to.
    target: Mutex<Option<Uuid>>,
    /// The configured replica count, once asked (0 before).
    max_replicas: AtomicI32,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Never held across an await; every update is one assignment, so a poisoned lock still
    // holds a consistent value.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Replica timestamps.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct VectorClock(HashMap<Uuid, i64>);

impl VectorClock {
    fn from_entries(entries: Vec<(Uuid, i64)>) -> Self {
        VectorClock(entries.into_iter().collect())
    }

    /// True when this clock (a replica's answer) misses something `observed` holds: a replica
    /// of `observed` is absent here or has a lower timestamp. Such a replica state does not
    /// include every update `observed` stands for.
    fn is_behind(&self, observed: &VectorClock) -> bool {
        observed
            .0
            .iter()
            .any(|(replica, theirs)| self.0.get(replica).is_none_or(|ours| ours < theirs))
    }

    /// Takes the higher timestamp of each replica (and the replicas only `other` has).
    fn merge(&mut self, other: &VectorClock) {
        for (replica, theirs) in &other.0 {
            let ours = self.0.entry(*replica).or_insert(*theirs);
            *ours = (*ours).max(*theirs);
        }
    }

    fn entries(&self) -> Vec<(Uuid, i64)> {
        self.0.iter().map(|(k, v)| (*k, *v)).collect()
    }
}

/// A replica's answer to one call.
#[derive(Debug, Clone, Copy)]
struct Answer {
    value: i64,
    /// The replica's timestamps were behind the ones the call sent.
    stale: bool,
}

/// Which PN counter request a call sends.
#[derive(Debug, Clone, Copy)]
enum Op {
    Get,
    Add { delta: i64, get_before_update: bool },
}

impl PnCounter {
    pub(crate) fn new(core: ProxyCore) -> Self {
        PnCounter {
            core,
            state: Arc::default(),
        }
    }

    /// The counter's name.
    pub fn name(&self) -> &str {
        self.core.name()
    }

    /// The current value.
    pub async fn get(&self) -> Result<i64, HazelcastError> {
        self.call(Op::Get).await
    }

    /// Adds `delta` and returns the new value.
    pub async fn add_and_get(&self, delta: i64) -> Result<i64, HazelcastError> {
        self.add(delta, false).await
    }

    /// Adds `delta` and returns the value before.
    pub async fn get_and_add(&self, delta: i64) -> Result<i64, HazelcastError> {
        self.add(delta, true).await
    }

    /// Subtracts `delta` and returns the new value.
    pub async fn subtract_and_get(&self, delta: i64) -> Result<i64, HazelcastError> {
        self.add(delta.wrapping_neg(), false).await
    }

    /// Subtracts `delta` and returns the value before.
    pub async fn get_and_subtract(&self, delta: i64) -> Result<i64, HazelcastError> {
        self.add(delta.wrapping_neg(), true).await
    }

    /// Adds one and returns the new value.
    pub async fn increment_and_get(&self) -> Result<i64, HazelcastError> {
        self.add(1, false).await
    }

    /// Adds one and returns the value before.
    pub async fn get_and_increment(&self) -> Result<i64, HazelcastError> {
        self.add(1, true).await
    }

    /// Subtracts one and returns the new value.
    pub async fn decrement_and_get(&self) -> Result<i64, HazelcastError> {
        self.add(-1, false).await
    }

    /// Subtracts one and returns the value before.
    pub async fn get_and_decrement(&self) -> Result<i64, HazelcastError> {
        self.add(-1, true).await
    }

    /// Forgets the observed replica timestamps (as Java's `PNCounter.reset`), starting a new
    /// session: e.g. after [`HazelcastError::SessionConsistencyLost`] (the updates only a lost
    /// replica held are gone) or after the whole cluster restarted with a fresh counter. The
    /// next read may then observe an older state than this proxy saw before.
    pub fn reset(&self) {
        *lock(&self.state.clock) = VectorClock::default();
    }

    /// The member this proxy sends its calls to: `None` before its first call; another one
    /// after that replica failed a call or left the cluster.
    pub fn target_replica(&self) -> Option<Uuid> {
        *lock(&self.state.target)
    }

    /// Destroys the counter on the cluster.
    pub async fn destroy(&self) -> Result<(), HazelcastError> {
        self.core.destroy().await
    }

    async fn add(&self, delta: i64, get_before_update: bool) -> Result<i64, HazelcastError> {
        self.call(Op::Add {
            delta,
            get_before_update,
        })
        .await
    }

    /// Sends `op` to the current replica, moving on to another after a failure (or, for a
    /// read, a stale answer) until every replica was tried.
    async fn call(&self, op: Op) -> Result<i64, HazelcastError> {
        let mut excluded: Vec<Uuid> = Vec::new();
        let mut last = None;
        loop {
            let Some(target) = self.target(&excluded).await? else {
                return Err(last.unwrap_or(HazelcastError::NoDataMember));
            };
            match self.send(op, target).await {
                Ok(Answer { value, stale: false }) => return Ok(value),
                Ok(Answer { stale: true, .. }) => {
                    let update_applied = matches!(op, Op::Add { .. });
                    let error = HazelcastError::SessionConsistencyLost { update_applied };
                    if update_applied {
                        // Trying another replica would apply the add twice.
                        return Err(error);
                    }
                    tracing::debug!(counter = %self.name(), replica = %target,
                        "PN counter replica answered with an older state, choosing another");
                    excluded.push(target);
                    last = Some(error);
                }
                Err(e) if is_final(&e) => return Err(e),
                Err(e) => {
                    tracing::debug!(counter = %self.name(), replica = %target, error = %e,
                        "PN counter replica failed, choosing another");
                    excluded.push(target);
                    // A stale answer says more about the session than a later failure.
                    if !matches!(last, Some(HazelcastError::SessionConsistencyLost { .. })) {
                        last = Some(e);
                    }
                }
            }
        }
    }

    async fn send(&self, op: Op, target: Uuid) -> Result<Answer, HazelcastError> {
        let sent = lock(&self.state.clock).clone();
        let entries = sent.entries();
        let timestamps = FixedEntryListRef(&entries);
        let (value, received) = match op {
            Op::Get => {
                let request = PnCounterGetRequest {
                    target_replica_uuid: target,
                    name: self.name(),
                    replica_timestamps: timestamps,
                };
                let answer = self.core.invoke(&request, Route::Member(target)).await?;
                let r = PnCounterGetResponse::decode(&answer)?;
                (r.value, r.replica_timestamps)
            }
            Op::Add {
                delta,
                get_before_update,
            } => {
                let request = PnCounterAddRequest {
                    delta,
                    get_before_update,
                    target_replica_uuid: target,
                    name: self.name(),
                    replica_timestamps: timestamps,
                };
                let answer = self.core.invoke(&request, Route::Member(target)).await?;
                let r = PnCounterAddResponse::decode(&answer)?;
                (r.value, r.replica_timestamps)
            }
        };
        let received = VectorClock::from_entries(received.0);
        // Stale against what this call asked for: answers to calls that overlap with this one
        // may have advanced the shared clock since, which is no staleness of this answer.
        let stale = received.is_behind(&sent);
        lock(&self.state.clock).merge(&received);
        Ok(Answer { value, stale })
    }

    /// The replica to call: the current one unless excluded or gone from the cluster, else a
    /// random data member among the first `replica count` ones that is not excluded.
    async fn target(&self, excluded: &[Uuid]) -> Result<Option<Uuid>, HazelcastError> {
        let members = self.core.cluster()?.snapshot().members;
        let usable = |t: &Option<Uuid>| t.filter(|t| !excluded.contains(t) && members.get(t).is_some());
        if let Some(t) = usable(&lock(&self.state.target)) {
            return Ok(Some(t));
        }
        let max = self.max_replicas().await?;
        let candidates: Vec<Uuid> = members
            .members
            .iter()
            .filter(|m| !m.lite_member)
            .take(max)
            .map(|m| m.uuid)
            .filter(|u| !excluded.contains(u))
            .collect();
        if candidates.is_empty() {
            return Ok(None);
        }
        let mut current = lock(&self.state.target);
        // Concurrent calls share one replica (as Java's proxy, which chooses under a mutex): a
        // call that chose while this one awaited the replica count wins. Otherwise calls
        // starting together would spread over replicas, and each would see the others' updates
        // missing from its replica's answer.
        if let Some(t) = usable(&current) {
            return Ok(Some(t));
        }
        let chosen = candidates[rand::random_range(0..candidates.len())];
        *current = Some(chosen);
        Ok(Some(chosen))
    }

    /// The configured replica count, asked once (`PNCounter.GetConfiguredReplicaCount`).
    async fn max_replicas(&self) -> Result<usize, HazelcastError> {
        let known = self.state.max_replicas.load(Ordering::Relaxed);
        if known > 0 {
            return Ok(crate::proxy::count(known));
        }
        let answer = self
            .core
            .invoke(
                &PnCounterGetConfiguredReplicaCountRequest { name: self.name() },
                Route::Any,
            )
            .await?;
        let n = PnCounterGetConfiguredReplicaCountResponse::decode(&answer)?.response;
        self.state.max_replicas.store(n, Ordering::Relaxed);
        Ok(crate::proxy::count(n))
    }
}

/// Errors after which another replica would not help: the client is closed or offline, or
/// the answer could not be understood.
fn is_final(e: &HazelcastError) -> bool {
    !matches!(e, HazelcastError::Invocation(_))
        || matches!(
            e,
            HazelcastError::Invocation(InvocationError::ClientNotActive | InvocationError::ClientOffline)
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(entries: &[(u128, i64)]) -> VectorClock {
        VectorClock::from_entries(entries.iter().map(|&(k, v)| (Uuid::from_u128(k), v)).collect())
    }

    #[test]
    fn an_answer_is_behind_when_it_misses_or_lowers_an_observed_timestamp() {
        // Equal, ahead, or with more replicas: not behind.
        assert!(!clock(&[(1, 1), (2, 1)]).is_behind(&clock(&[(1, 1), (2, 1)])));
        assert!(!clock(&[(1, 2), (2, 1)]).is_behind(&clock(&[(1, 1), (2, 1)])));
        assert!(!clock(&[(1, 1), (2, 1), (3, i64::MIN)]).is_behind(&clock(&[(1, 1), (2, 1)])));
        assert!(!clock(&[]).is_behind(&clock(&[])));
        assert!(!clock(&[(1, 5)]).is_behind(&clock(&[])));
        // One entry lower, even with another one ahead (concurrent states): behind.
        assert!(clock(&[(1, 3), (2, 0)]).is_behind(&clock(&[(1, 1), (2, 1)])));
        // An observed replica missing: behind. This is the killed replica's case: the survivor
        // has its own timestamp (which the member's own check accepts) but not the dead one's.
        assert!(clock(&[(2, i64::MIN)]).is_behind(&clock(&[(1, 7)])));
        assert!(clock(&[]).is_behind(&clock(&[(1, i64::MIN)])));
    }

    #[test]
    fn merging_keeps_the_highest_timestamp_of_every_replica() {
        let mut observed = clock(&[(1, 5), (2, 1)]);
        observed.merge(&clock(&[(1, 3), (2, 4), (3, 9)]));
        assert_eq!(observed, clock(&[(1, 5), (2, 4), (3, 9)]));
        // An older answer never takes anything back.
        let before = observed.clone();
        observed.merge(&clock(&[(2, 0)]));
        assert_eq!(observed, before);
        // The merged clock is behind neither input, and an older answer is behind it.
        assert!(!observed.is_behind(&clock(&[(1, 3), (2, 4), (3, 9)])));
        assert!(!observed.is_behind(&clock(&[(1, 5), (2, 1)])));
        assert!(clock(&[(1, 5), (2, 1)]).is_behind(&observed));
    }

    #[test]
    fn clocks_with_min_and_max_timestamps_compare_without_overflow() {
        let mut observed = clock(&[(1, i64::MIN)]);
        observed.merge(&clock(&[(1, i64::MAX)]));
        assert_eq!(observed, clock(&[(1, i64::MAX)]));
        assert!(clock(&[(1, i64::MIN)]).is_behind(&observed));
    }
}
