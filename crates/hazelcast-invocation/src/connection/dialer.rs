//! Smart routing's connections to every member: a queue of members to dial, served by at most
//! [`MAX_CONCURRENT_DIALS`] workers, each member retried with its own backoff while it stays
//! listed and unconnected.
//!
//! Nothing here grows with the member list but the queue itself: a member list of thousands
//! gets a handful of dialling tasks, not one task per member.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex};

use hazelcast_codec::Uuid;
use hazelcast_codec::custom::MemberInfo;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::backoff::WaitStrategy;
use crate::client::Inner;
use crate::sync::lock;

/// The most connection attempts to members at once.
pub const MAX_CONCURRENT_DIALS: usize = 8;

#[derive(Debug, Default)]
struct DialState {
    /// Members due for an attempt, earliest first.
    due: BinaryHeap<Reverse<(Instant, Uuid)>>,
    /// Members being dialled (queued or in an attempt), with their backoff.
    members: HashMap<Uuid, Dial>,
    workers: usize,
}

#[derive(Debug)]
struct Dial {
    backoff: WaitStrategy,
    attempts: u32,
}

/// The member dialler.
#[derive(Debug, Default)]
pub(crate) struct Dialer {
    state: Mutex<DialState>,
    /// Woken when a member is queued.
    queued: Notify,
    /// Woken when an attempt ends.
    pub(crate) attempted: Notify,
}

impl Dialer {
    /// True when every listed member has a connection or has had at least one attempt.
    pub(crate) fn first_round_done(&self, inner: &Inner) -> bool {
        let members = inner.view.members();
        let conns = inner.conns.current();
        let st = lock(&self.state);
        members.members.iter().all(|m| {
            conns.by_member(&m.uuid).is_some() || st.members.get(&m.uuid).is_some_and(|d| d.attempts > 0)
        })
    }
}

impl Inner {
    /// Queues every listed member without a connection (smart routing) and starts workers.
    pub(crate) fn dial_members(self: &Arc<Self>) {
        if !self.cfg.smart_routing || self.lifecycle.is_shut_down() {
            return;
        }
        let members = self.view.members();
        let now = Instant::now();
        let spawn = {
            let mut st = lock(&self.dialer.state);
            for m in &members.members {
                // `has_member` covers published connections and those being set up.
                if st.members.contains_key(&m.uuid) || self.conns.has_member(&m.uuid) {
                    continue;
                }
                st.members.insert(
                    m.uuid,
                    Dial {
                        backoff: WaitStrategy::new(self.cfg.connection_retry, None),
                        attempts: 0,
                    },
                );
                st.due.push(Reverse((now, m.uuid)));
            }
            let wanted = st.due.len().min(MAX_CONCURRENT_DIALS);
            let spawn = wanted.saturating_sub(st.workers);
            st.workers += spawn;
            spawn
        };
        self.dialer.queued.notify_waiters();
        for _ in 0..spawn {
            let this = self.clone();
            self.lifecycle.spawn(async move { this.dial_worker().await });
        }
    }

    async fn dial_worker(self: Arc<Self>) {
        loop {
            let next = {
                let mut st = lock(&self.dialer.state);
                match st.due.peek() {
                    None => {
                        st.workers -= 1;
                        return;
                    }
                    Some(Reverse((at, _))) if *at > Instant::now() => Err(*at),
                    Some(_) => Ok(st.due.pop().map(|Reverse((_, uuid))| uuid)),
                }
            };
            let uuid = match next {
                Err(at) => {
                    let queued = self.dialer.queued.notified();
                    tokio::select! {
                        _ = tokio::time::sleep_until(at) => {}
                        _ = queued => {}
                    }
                    continue;
                }
                Ok(None) => continue,
                Ok(Some(uuid)) => uuid,
            };
            let member: Option<MemberInfo> = self.view.members().get(&uuid).cloned();
            let wanted = member.filter(|_| !self.conns.has_member(&uuid));
            let Some(member) = wanted else {
                lock(&self.dialer.state).members.remove(&uuid);
                continue;
            };
            let endpoint = self.addresses.dial_address(&member).await;
            let result = self.open_connection(&endpoint).await;
            let mut st = lock(&self.dialer.state);
            match result {
                Ok(_) => {
                    st.members.remove(&uuid);
                }
                Err(e) => {
                    tracing::info!(%endpoint, error = %e.chain(), "member connection attempt failed");
                    if let Some(dial) = st.members.get_mut(&uuid) {
                        dial.attempts += 1;
                        match dial.backoff.next_delay() {
                            // A pause too long to represent means: not again.
                            Some(delay) => match Instant::now().checked_add(delay) {
                                Some(at) => st.due.push(Reverse((at, uuid))),
                                None => {
                                    st.members.remove(&uuid);
                                }
                            },
                            None => {
                                st.members.remove(&uuid);
                            }
                        }
                    }
                }
            }
            drop(st);
            self.dialer.attempted.notify_waiters();
        }
    }
}
