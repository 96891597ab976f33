//! The connection service: which authenticated connections the client has, how one is opened
//! and made usable ([`setup`]), kept alive ([`heartbeat`]), dialled for every member
//! ([`dialer`]), and how the client (re)connects to the cluster ([`cluster`]).
//!
//! Invocations read the published set ([`Connections`]) without locking; it changes only here,
//! under the manager's mutex (never held across an `.await`). A connection is published only
//! once its set-up is complete, and unpublished the moment the client decides to close it, so
//! no call is routed to a connection the client has given up.

pub(crate) mod cluster;
pub(crate) mod connector;
pub(crate) mod dialer;
pub(crate) mod handler;
pub(crate) mod heartbeat;
pub(crate) mod setup;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use hazelcast_codec::Uuid;
use hazelcast_transport::{Address, Connection, LocalCloseReason};
use tokio::sync::Notify;

use crate::sync::lock;
use handler::ConnectionHandler;

/// One authenticated connection to a member.
#[derive(Debug, Clone)]
pub struct MemberConnection {
    /// The transport connection.
    pub connection: Connection,
    /// The member's UUID.
    pub member: Uuid,
    /// The endpoint dialled.
    pub endpoint: Address,
    /// The member's version string.
    pub server_version: String,
    /// The connection's message handler, which owns its event handlers.
    pub(crate) handler: Arc<ConnectionHandler>,
}

impl MemberConnection {
    /// The transport connection's id.
    pub fn id(&self) -> u64 {
        self.connection.id()
    }
}

/// An immutable set of the client's authenticated, usable connections.
#[derive(Debug, Clone, Default)]
pub struct Connections {
    /// In the order they were opened.
    pub list: Vec<Arc<MemberConnection>>,
}

impl Connections {
    /// The connection to a member.
    pub fn by_member(&self, uuid: &Uuid) -> Option<&Arc<MemberConnection>> {
        self.list.iter().find(|c| &c.member == uuid)
    }

    /// The connection with a transport id.
    pub fn by_id(&self, id: u64) -> Option<&Arc<MemberConnection>> {
        self.list.iter().find(|c| c.connection.id() == id)
    }
}

#[derive(Debug, Default)]
struct ManagerState {
    /// Cluster id of the cluster the client is connected to.
    cluster_id: Option<Uuid>,
    /// Connections being set up: reachable only by calls bound to them.
    setting_up: HashMap<u64, Arc<MemberConnection>>,
    /// Connection carrying the cluster-view listener (claimed before it is registered).
    view_connection: Option<u64>,
    /// A background reconnect is running.
    reconnecting: bool,
    /// Connections the client closed and unpublished whose reader has not reported the close
    /// yet: still "published" for what the close changes (events, reconnection).
    closing: std::collections::HashSet<u64>,
}

/// What publishing a connection changed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Published {
    /// The first connection after having none.
    pub(crate) first: bool,
}

/// What unpublishing a connection changed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unpublished {
    /// The connection was published (not one being set up, nor one already removed).
    pub(crate) was_published: bool,
    /// No connection is left.
    pub(crate) now_empty: bool,
    /// It carried the cluster-view listener.
    pub(crate) was_view: bool,
}

/// The client's connections.
#[derive(Debug, Default)]
pub(crate) struct ConnectionManager {
    published: ArcSwap<Connections>,
    state: Mutex<ManagerState>,
    /// Woken when a connection is published or removed.
    pub(crate) changed: Notify,
}

/// How a connection's cluster id relates to the client's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClusterCheck {
    /// The cluster the client knows (or the first one).
    Same,
    /// Another cluster, and the client has no connection left to the old one: switch.
    Switched,
    /// Another cluster while the client is connected to the old one.
    Mismatch,
}

impl ConnectionManager {
    /// The published connections.
    pub(crate) fn current(&self) -> arc_swap::Guard<Arc<Connections>> {
        self.published.load()
    }

    /// The published connections, as an owned snapshot.
    pub(crate) fn snapshot(&self) -> Arc<Connections> {
        self.published.load_full()
    }

    /// A published connection, or one being set up.
    pub(crate) fn find(&self, id: u64) -> Option<Arc<MemberConnection>> {
        if let Some(c) = self.published.load().by_id(id) {
            return Some(c.clone());
        }
        lock(&self.state).setting_up.get(&id).cloned()
    }

    /// Registers a connection whose set-up begins.
    pub(crate) fn setting_up(&self, c: Arc<MemberConnection>) {
        lock(&self.state).setting_up.insert(c.id(), c);
    }

    /// Records that a connection in set-up authenticated as `c.member`; false (nothing recorded)
    /// when that member has a connection already, published or in set-up: the new one is a
    /// duplicate and must register nothing on the member.
    pub(crate) fn authenticated(&self, c: Arc<MemberConnection>) -> bool {
        let mut st = lock(&self.state);
        let taken = self.published.load().by_member(&c.member).is_some()
            || st
                .setting_up
                .values()
                .any(|other| other.member == c.member && other.id() != c.id());
        if !taken {
            st.setting_up.insert(c.id(), c);
        }
        !taken
    }

    /// True when the member has a connection, published or in set-up (authenticated).
    pub(crate) fn has_member(&self, member: &hazelcast_codec::Uuid) -> bool {
        self.published.load().by_member(member).is_some()
            || lock(&self.state).setting_up.values().any(|c| &c.member == member)
    }

    /// Forgets a connection whose set-up ended (published or failed).
    pub(crate) fn setup_ended(&self, id: u64) {
        lock(&self.state).setting_up.remove(&id);
    }

    /// Checks an authenticated connection's cluster id; on a switch, records the new id.
    pub(crate) fn check_cluster(&self, cluster_id: Uuid) -> ClusterCheck {
        let mut st = lock(&self.state);
        let check = match st.cluster_id {
            None => ClusterCheck::Same,
            Some(known) if known == cluster_id => ClusterCheck::Same,
            Some(_) if self.published.load().list.is_empty() => ClusterCheck::Switched,
            Some(_) => ClusterCheck::Mismatch,
        };
        if check != ClusterCheck::Mismatch {
            st.cluster_id = Some(cluster_id);
        }
        check
    }

    /// Claims the cluster-view listener for `connection` when no connection carries it.
    pub(crate) fn claim_view(&self, connection: u64) -> bool {
        let mut st = lock(&self.state);
        if st.view_connection.is_some() {
            return false;
        }
        st.view_connection = Some(connection);
        true
    }

    /// True when a connection carries the cluster-view listener or is registering it.
    pub(crate) fn view_claimed(&self) -> bool {
        lock(&self.state).view_connection.is_some()
    }

    /// Releases a claim of the cluster-view listener (its registration failed).
    pub(crate) fn release_view(&self, connection: u64) {
        let mut st = lock(&self.state);
        if st.view_connection == Some(connection) {
            st.view_connection = None;
        }
    }

    /// Marks a background reconnect as running; false when one runs already.
    pub(crate) fn begin_reconnect(&self) -> bool {
        !std::mem::replace(&mut lock(&self.state).reconnecting, true)
    }

    pub(crate) fn end_reconnect(&self) {
        lock(&self.state).reconnecting = false;
    }

    /// Publishes a connection whose set-up is complete; `None` when the member has one already
    /// (the caller closes the duplicate).
    pub(crate) fn publish(&self, c: Arc<MemberConnection>) -> Option<Published> {
        let mut st = lock(&self.state);
        let current = self.published.load();
        if current.by_member(&c.member).is_some() {
            return None;
        }
        let first = current.list.is_empty();
        let mut next = (**current).clone();
        next.list.push(c.clone());
        self.published.store(Arc::new(next));
        st.setting_up.remove(&c.id());
        drop(st);
        self.changed.notify_waiters();
        Some(Published { first })
    }

    /// Removes a connection from the published set.
    pub(crate) fn unpublish(&self, id: u64) -> Unpublished {
        let mut st = lock(&self.state);
        st.setting_up.remove(&id);
        let listed = self.remove_published(id);
        let was_published = st.closing.remove(&id) || listed;
        let was_view = st.view_connection == Some(id);
        if was_view {
            st.view_connection = None;
        }
        let now_empty = self.published.load().list.is_empty();
        drop(st);
        if listed {
            self.changed.notify_waiters();
        }
        Unpublished {
            was_published,
            now_empty,
            was_view,
        }
    }

    /// Closes a connection for a reason of the client's: it leaves the published set at once,
    /// so no call is routed to it while its reader task winds down. Its reader's `on_close`
    /// still counts it as published ([`unpublish`](Self::unpublish)), so the close has its
    /// usual consequences (events, reconnection).
    pub(crate) fn close(&self, c: &MemberConnection, reason: LocalCloseReason) {
        let mut st = lock(&self.state);
        let listed = self.remove_published(c.id());
        if listed {
            st.closing.insert(c.id());
        }
        drop(st);
        if listed {
            self.changed.notify_waiters();
        }
        c.connection.close_because(reason);
    }

    /// Removes a connection from the published set (called under the state lock, which
    /// serialises the writers of the set). Returns whether it was there.
    fn remove_published(&self, id: u64) -> bool {
        let current = self.published.load();
        if current.by_id(id).is_none() {
            return false;
        }
        let mut next = (**current).clone();
        next.list.retain(|c| c.connection.id() != id);
        self.published.store(Arc::new(next));
        true
    }

    /// Takes every connection, published or being set up (shutdown).
    pub(crate) fn take_all(&self) -> Vec<Arc<MemberConnection>> {
        let mut st = lock(&self.state);
        let mut all: Vec<_> = self.published.swap(Arc::new(Connections::default())).list.clone();
        all.extend(st.setting_up.drain().map(|(_, c)| c));
        st.view_connection = None;
        st.closing.clear();
        drop(st);
        self.changed.notify_waiters();
        all
    }
}
