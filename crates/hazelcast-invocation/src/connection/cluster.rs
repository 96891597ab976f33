//! Connecting to the cluster: the connect procedure (known members, then the seeds, round
//! after round with backoff), what happens when a connection closes (reconnect modes, the
//! cluster-view listener moving to another connection), and the cluster-view listener itself.

use std::sync::Arc;

use hazelcast_codec::ClientMessage;
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::client::{
    ClientAddClusterViewListenerEvent, ClientAddClusterViewListenerRequest,
};
use hazelcast_transport::{Address, CloseReason, LocalCloseReason};
use rand::seq::SliceRandom;

use crate::backoff::WaitStrategy;
use crate::client::{ClientEvent, EventHandler, Inner};
use crate::config::ReconnectMode;
use crate::deadline;
use crate::error::InvocationError;
use crate::invoke::{Call, Payload};
use crate::view::MembershipDiff;

impl Inner {
    /// The connect procedure: known members first, then the seeds, round after round with
    /// backoff, until one connection is published or the budget is spent. A permanent failure
    /// (refused credentials, a rejected discovery token) ends it after the round.
    pub(crate) async fn connect_to_cluster(self: &Arc<Self>) -> Result<(), InvocationError> {
        let mut wait = WaitStrategy::new(self.cfg.connection_retry, self.cfg.cluster_connect_timeout);
        let mut tried: Vec<Address> = Vec::new();
        let mut last: Option<InvocationError> = None;
        loop {
            let mut candidates: Vec<Address> = Vec::new();
            if !self.cfg.skip_member_list_during_reconnection {
                let members = self.view.members();
                for m in &members.members {
                    candidates.push(self.addresses.dial_address(m).await);
                }
            }
            candidates.shuffle(&mut rand::rng());
            match self.addresses.seeds().await {
                Ok(seeds) => {
                    for s in seeds {
                        if !candidates.contains(&s) {
                            candidates.push(s);
                        }
                    }
                }
                Err(e) if e.is_permanent() => return Err(e),
                Err(e) => last = Some(e),
            }
            let mut refused: Option<InvocationError> = None;
            for endpoint in candidates {
                if self.lifecycle.is_shut_down() {
                    return Err(InvocationError::ClientNotActive);
                }
                if !tried.contains(&endpoint) {
                    tried.push(endpoint.clone());
                }
                match self.open_connection(&endpoint).await {
                    Ok(_) => return Ok(()),
                    // The member dialler got there first: the client is connected.
                    Err(InvocationError::DuplicateConnection { .. })
                        if !self.conns.current().list.is_empty() =>
                    {
                        return Ok(());
                    }
                    Err(e) if e.is_permanent() => {
                        tracing::warn!(%endpoint, error = %e.chain(), "authentication refused");
                        refused = Some(e.clone());
                        last = Some(e);
                    }
                    Err(e) => {
                        tracing::info!(%endpoint, error = %e.chain(), "connection attempt failed");
                        last = Some(e);
                    }
                }
            }
            // A member that refuses the cluster name or credentials will refuse them next round
            // too: after this round, stop.
            if let Some(e) = refused {
                return Err(e);
            }
            match wait.next_delay() {
                None => {
                    return Err(InvocationError::ClusterUnreachable {
                        attempts: wait.attempts(),
                        tried,
                        last: last.map(Box::new),
                    });
                }
                Some(d) => tokio::time::sleep(d).await,
            }
        }
    }

    /// A connection closed (its reader's `on_close`): its calls fail over, its listeners go, and
    /// the client reconnects as configured.
    pub(crate) fn on_connection_closed(self: &Arc<Self>, id: u64, reason: &CloseReason) {
        let change = self.conns.unpublish(id);
        self.pending.on_connection_closed(id, reason);
        let orphans = self.user_listeners.forget_connection(id);
        if self.lifecycle.is_shut_down() {
            return;
        }
        if !orphans.is_empty() {
            let this = self.clone();
            self.lifecycle
                .spawn(async move { this.register_orphans(orphans).await });
        }
        if change.was_published || change.was_view {
            tracing::info!(connection = id, %reason, "connection closed");
        }
        if change.now_empty && change.was_published {
            let _ = self.events.send(ClientEvent::Disconnected);
            match self.cfg.reconnect_mode {
                ReconnectMode::Off => {
                    self.begin_shutdown();
                }
                ReconnectMode::On | ReconnectMode::Async => {
                    if self.conns.begin_reconnect() {
                        let this = self.clone();
                        self.lifecycle.spawn(async move {
                            let result = this.connect_to_cluster().await;
                            this.conns.end_reconnect();
                            match result {
                                Ok(()) => this.dial_members(),
                                Err(e) => {
                                    tracing::error!(error = %e.chain(), "reconnecting failed; shutting down");
                                    this.begin_shutdown();
                                }
                            }
                        });
                    }
                }
            }
        } else if change.was_view {
            let this = self.clone();
            self.lifecycle
                .spawn(async move { this.move_view_listener().await });
        } else if change.was_published {
            // A member that is still listed lost only its connection (I/O or protocol error,
            // heartbeat): dial it again, with the per-member backoff.
            self.dial_members();
        }
    }

    /// Registers the cluster-view listener on a published connection when no connection carries
    /// it (or is being set up to).
    pub(crate) fn ensure_view_listener(self: &Arc<Self>) {
        if self.lifecycle.is_shut_down() || self.conns.view_claimed() || self.conns.current().list.is_empty()
        {
            return;
        }
        let this = self.clone();
        self.lifecycle
            .spawn(async move { this.move_view_listener().await });
    }

    /// The connection carrying the cluster-view listener closed: register it on another one.
    async fn move_view_listener(self: &Arc<Self>) {
        loop {
            let next = self.conns.current().list.first().map(|c| c.id());
            let Some(next) = next else { return };
            if !self.conns.claim_view(next) {
                return;
            }
            let bound = deadline::after(self.cfg.connection.connect_timeout);
            let registered = match deadline::run_until(bound, self.register_view_listener(next)).await {
                Ok(result) => result,
                Err(deadline::Elapsed) => {
                    self.conns.release_view(next);
                    Err(InvocationError::SetupTimeout {
                        address: self
                            .conns
                            .find(next)
                            .map(|c| c.endpoint.clone())
                            .unwrap_or_else(|| Address::new("", 0)),
                        timeout: self.cfg.connection.connect_timeout,
                    })
                }
            };
            match registered {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!(connection = next, error = %e.chain(), "cluster view listener registration failed");
                    if let Some(c) = self.conns.find(next) {
                        self.conns.close(&c, LocalCloseReason::Unused);
                    }
                }
            }
        }
        self.dial_members();
    }

    /// Registers the cluster-view listener on a connection (claimed by the caller); releases the
    /// claim when the registration fails.
    pub(crate) async fn register_view_listener(
        self: &Arc<Self>,
        connection: u64,
    ) -> Result<(), InvocationError> {
        let weak = Arc::downgrade(self);
        let handler: EventHandler = Arc::new(move |msg| {
            if let Some(inner) = weak.upgrade() {
                inner.on_view_event(connection, &msg);
            }
        });
        // A new stream: its first member list is accepted whatever its version.
        self.view.reset_version();
        let request = ClientAddClusterViewListenerRequest {}.encode(-1);
        let result = self
            .invoke(Call::setup(Payload::Encoded(request), connection).with_listener(handler))
            .await;
        if result.is_err() {
            self.conns.release_view(connection);
        }
        result.map(|_| ())
    }

    fn on_view_event(self: &Arc<Self>, connection: u64, msg: &ClientMessage) {
        match ClientAddClusterViewListenerEvent::decode(msg) {
            Ok(ClientAddClusterViewListenerEvent::MembersView(v)) => {
                match self.view.apply_members(v.version, v.member_infos.0) {
                    Ok(Some(changes)) => self.apply_membership(connection, changes),
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(connection, error = %e, "member list rejected; keeping the previous one")
                    }
                }
            }
            Ok(ClientAddClusterViewListenerEvent::PartitionsView(v)) => {
                if let Err(e) = self.view.apply_partitions(v.version, connection, &v.partitions.0) {
                    tracing::warn!(connection, error = %e, "partition table rejected; keeping the previous one");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(connection, error = %e, "undecodable cluster view event"),
        }
    }

    /// Acts on a member-list change: closes the connections of members that left, announces the
    /// changes and, when the list came on a published connection, dials the new members. A list
    /// that came on a connection still being set up dials nothing: that set-up may fail, and the
    /// dialling starts once a connection carrying the view listener is published (`connect`, a
    /// reconnect, or a moved listener dial then).
    fn apply_membership(self: &Arc<Self>, connection: u64, changes: MembershipDiff) {
        for m in &changes.removed {
            if let Some(c) = self.conns.current().by_member(&m.uuid).cloned() {
                self.conns.close(&c, LocalCloseReason::MemberLeft);
            }
            let _ = self.events.send(ClientEvent::MemberRemoved(m.clone()));
        }
        for m in &changes.added {
            let _ = self.events.send(ClientEvent::MemberAdded(m.clone()));
        }
        if !changes.is_empty() && self.conns.current().by_id(connection).is_some() {
            let this = self.clone();
            self.lifecycle.spawn(async move {
                let members = this.view.members();
                this.addresses.on_member_list(&members.members).await;
                this.dial_members();
            });
        }
    }
}
