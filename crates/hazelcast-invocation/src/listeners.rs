//! User listeners: registered on every connection (smart routing, `local_only`) or on the one
//! connection (unisocket), again on every connection opened later, and removed everywhere.
//! Listeners whose every member reports the whole cluster's events go on one connection only,
//! and move to another when it closes.
//!
//! Adding and removing are cancel-safe: the registrations run as a task of the client's
//! lifecycle, and a caller that drops its future removes the listener (a registration that
//! completes afterwards is deregistered at once), so no registration is left behind without an
//! id to remove it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hazelcast_codec::{ClientMessage, Uuid};

use crate::client::{EventHandler, Inner, ListenerId, ListenerRegistration, Target};
use crate::error::InvocationError;
use crate::invoke::{Call, Payload};
use crate::sync::lock;

/// Where a listener is registered on one connection.
#[derive(Debug, Clone, Copy)]
enum Registered {
    /// A registration on this connection is under way.
    Claimed,
    /// Registered: the registration's correlation id and the member's registration id.
    Yes { correlation: i64, server_id: Uuid },
}

struct UserListener {
    registration: Arc<dyn ListenerRegistration>,
    on: HashMap<u64, Registered>,
}

/// The registry of user listeners.
#[derive(Default)]
pub(crate) struct UserListeners {
    map: Mutex<HashMap<ListenerId, UserListener>>,
}

impl std::fmt::Debug for UserListeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserListeners")
            .field("listeners", &lock(&self.map).len())
            .finish()
    }
}

impl UserListeners {
    pub(crate) fn insert(&self, id: ListenerId, registration: Arc<dyn ListenerRegistration>) {
        lock(&self.map).insert(
            id,
            UserListener {
                registration,
                on: HashMap::new(),
            },
        );
    }

    pub(crate) fn len(&self) -> usize {
        lock(&self.map).len()
    }

    fn ids(&self) -> Vec<ListenerId> {
        lock(&self.map).keys().copied().collect()
    }

    /// A connection closed: its registrations died with it (its handlers went with it too).
    /// Returns the one-member listeners left registered nowhere.
    pub(crate) fn forget_connection(&self, conn: u64) -> Vec<ListenerId> {
        let mut orphans = Vec::new();
        for (id, l) in lock(&self.map).iter_mut() {
            if l.on.remove(&conn).is_some() && l.on.is_empty() && l.registration.on_one_member() {
                orphans.push(*id);
            }
        }
        orphans
    }
}

impl Inner {
    /// The connections a listener goes on now.
    pub(crate) fn listener_connections(&self) -> Vec<u64> {
        let conns = self.conns.current();
        if self.cfg.smart_routing {
            conns.list.iter().map(|c| c.id()).collect()
        } else {
            conns.list.first().map(|c| c.id()).into_iter().collect()
        }
    }

    /// Registers listener `id` on every current connection (the body of `add_listener`, run as
    /// a task). Fails, registering nothing, when any connection refuses it.
    pub(crate) async fn register_everywhere(self: &Arc<Self>, id: ListenerId) -> Result<(), InvocationError> {
        for conn in self.listener_connections() {
            if let Err(e) = self.register_user_listener(id, conn).await {
                self.remove_listener_now(id);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Registers one-member listeners that lost their connection on another one (the first
    /// that accepts; with none, the next new connection takes them).
    pub(crate) async fn register_orphans(self: &Arc<Self>, orphans: Vec<ListenerId>) {
        for id in orphans {
            for conn in self.listener_connections() {
                match self.register_user_listener(id, conn).await {
                    Ok(()) => break,
                    Err(e) => {
                        tracing::warn!(conn, error = %e.chain(), "listener registration on another connection failed");
                    }
                }
            }
        }
    }

    /// Registers every user listener on a new connection.
    pub(crate) async fn register_user_listeners_on(self: &Arc<Self>, conn: u64) {
        if !self.cfg.smart_routing && self.listener_connections().first() != Some(&conn) {
            return;
        }
        for id in self.user_listeners.ids() {
            if let Err(e) = self.register_user_listener(id, conn).await {
                tracing::warn!(conn, error = %e.chain(), "listener registration on a new connection failed");
            }
        }
    }

    async fn register_user_listener(
        self: &Arc<Self>,
        id: ListenerId,
        conn: u64,
    ) -> Result<(), InvocationError> {
        // Claim (listener, connection) first, so that `add_listener` and a new connection's
        // set-up racing for the same pair register it once.
        let registration = {
            let mut all = lock(&self.user_listeners.map);
            let Some(l) = all.get_mut(&id) else { return Ok(()) };
            if l.on.contains_key(&conn) || (l.registration.on_one_member() && !l.on.is_empty()) {
                return Ok(());
            }
            l.on.insert(conn, Registered::Claimed);
            l.registration.clone()
        };
        let msg = registration.encode_add(self.cfg.smart_routing && !registration.on_one_member());
        let events = registration.clone();
        let handler: EventHandler = Arc::new(move |event| events.on_event(event));
        let mut call =
            Call::user(self, Payload::Encoded(msg), false, Target::Connection(conn)).with_listener(handler);
        call.internal = true;
        let answer = match self.invoke(call).await {
            Ok(a) => a,
            Err(e) => {
                if let Some(l) = lock(&self.user_listeners.map).get_mut(&id) {
                    l.on.remove(&conn);
                }
                return Err(e);
            }
        };
        let correlation = answer.correlation_id();
        let server_id = match registration.decode_add_response(&answer) {
            Ok(u) => u,
            Err(e) => {
                self.remove_event_handler(conn, correlation);
                if let Some(l) = lock(&self.user_listeners.map).get_mut(&id) {
                    l.on.remove(&conn);
                }
                return Err(e.into());
            }
        };
        let kept = match lock(&self.user_listeners.map).get_mut(&id) {
            Some(l) if l.on.contains_key(&conn) => {
                l.on.insert(
                    conn,
                    Registered::Yes {
                        correlation,
                        server_id,
                    },
                );
                true
            }
            _ => false,
        };
        if !kept {
            // Removed (or its connection closed) meanwhile: leave nothing behind.
            self.remove_event_handler(conn, correlation);
            self.deregister(&registration, conn, server_id).await;
        }
        Ok(())
    }

    fn remove_event_handler(&self, conn: u64, correlation: i64) {
        if let Some(c) = self.conns.find(conn) {
            c.handler.remove_event_handler(correlation);
        }
    }

    async fn deregister(&self, registration: &Arc<dyn ListenerRegistration>, conn: u64, server_id: Uuid) {
        let msg: ClientMessage = registration.encode_remove(server_id);
        let mut call = Call::user(self, Payload::Encoded(msg), true, Target::Connection(conn));
        call.internal = true;
        if let Err(e) = self.invoke(call).await {
            tracing::debug!(conn, error = %e, "listener deregistration failed");
        }
    }

    /// Removes a listener at once (no more events reach it) and deregisters it from the members
    /// in the background. Returns false when the id is unknown.
    pub(crate) fn remove_listener_now(
        self: &Arc<Self>,
        id: ListenerId,
    ) -> Option<tokio::task::JoinHandle<Option<()>>> {
        let listener = lock(&self.user_listeners.map).remove(&id)?;
        let mut registered = Vec::new();
        for (conn, state) in listener.on {
            if let Registered::Yes {
                correlation,
                server_id,
            } = state
            {
                self.remove_event_handler(conn, correlation);
                registered.push((conn, server_id));
            }
        }
        let this = self.clone();
        let registration = listener.registration;
        Some(self.lifecycle.spawn(async move {
            for (conn, server_id) in registered {
                this.deregister(&registration, conn, server_id).await;
            }
        }))
    }

    /// Event handlers registered on all connections (listeners of the client's own included).
    pub(crate) fn event_handler_count(&self) -> usize {
        self.conns
            .current()
            .list
            .iter()
            .map(|c| c.handler.event_handlers())
            .sum()
    }
}
