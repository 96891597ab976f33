//! Opening a connection and making it usable, all within one connection timeout: transport
//! connect, authentication, the backup-acknowledgement listener and (on the first connection)
//! the cluster-view listener. Only a connection whose set-up completed is published; one whose
//! set-up fails, runs out of time, or is cancelled (its future dropped) is closed and never used.

use std::sync::Arc;

use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::client::{
    AUTH_STATUS_AUTHENTICATED, AUTH_STATUS_CREDENTIALS_FAILED, AUTH_STATUS_NOT_ALLOWED_IN_CLUSTER,
    AUTH_STATUS_SERIALIZATION_VERSION_MISMATCH, ClientAuthenticationRequest, ClientAuthenticationResponse,
    ClientLocalBackupListenerRequest, ROUTING_MODE_SMART, ROUTING_MODE_UNISOCKET,
};
use hazelcast_codec::types::ListRef;
use hazelcast_codec::{SERIALIZATION_VERSION, Uuid};
use hazelcast_transport::{Address, LocalCloseReason};

use super::handler::ConnectionHandler;
use super::{ClusterCheck, MemberConnection};
use crate::client::{ClientEvent, EventHandler, Inner, Target};
use crate::deadline;
use crate::error::{AuthFailure, InvocationError};
use crate::invoke::{Call, Payload};

/// Closes a connection whose set-up did not complete (failed, timed out, or was cancelled).
struct Unfinished<'a> {
    inner: &'a Inner,
    connection: Option<Arc<MemberConnection>>,
}

impl Unfinished<'_> {
    fn done(mut self) {
        self.connection = None;
    }
}

impl Drop for Unfinished<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.connection.take() {
            self.inner.conns.setup_ended(c.id());
            self.inner.conns.release_view(c.id());
            c.connection.close_because(LocalCloseReason::Unused);
        }
    }
}

impl Inner {
    /// Opens, authenticates and sets up one connection, then publishes it.
    pub(crate) async fn open_connection(
        self: &Arc<Self>,
        endpoint: &Address,
    ) -> Result<Arc<MemberConnection>, InvocationError> {
        let timeout = self.cfg.connection.connect_timeout;
        let deadline = deadline::after(timeout);
        let handler = Arc::new(ConnectionHandler::new(Arc::downgrade(self)));
        let connection = self
            .connector
            .connect(endpoint, handler.clone())
            .await
            .map_err(|e| InvocationError::Connect {
                address: endpoint.clone(),
                source: Arc::new(e),
            })?;
        handler.set_id(connection.id());
        let provisional = Arc::new(MemberConnection {
            connection,
            member: Uuid::nil(),
            endpoint: endpoint.clone(),
            server_version: String::new(),
            handler,
        });
        self.conns.setting_up(provisional.clone());
        let unfinished = Unfinished {
            inner: self,
            connection: Some(provisional.clone()),
        };
        let set_up = match deadline::run_until(deadline, self.set_up(&provisional)).await {
            Ok(result) => result,
            Err(deadline::Elapsed) => Err(InvocationError::SetupTimeout {
                address: endpoint.clone(),
                timeout,
            }),
        };
        let (member, switched) = match set_up {
            Ok(done) => done,
            Err(e) => {
                drop(unfinished);
                // This set-up may have held the cluster-view listener's claim while other
                // connections were published (the member list it delivered started the
                // dialler): the listener must not be left on no connection.
                self.ensure_view_listener();
                return Err(e);
            }
        };
        let Some(published) = self.conns.publish(member.clone()) else {
            return Err(InvocationError::DuplicateConnection {
                member: member.member,
            });
        };
        unfinished.done();
        if member.connection.is_closed() {
            // Closed during set-up: its reader's `on_close` may have run before publishing.
            self.conns.close(&member, LocalCloseReason::Unused);
            return Err(InvocationError::TargetDisconnected {
                member: endpoint.clone(),
                reason: member
                    .connection
                    .close_reason()
                    .unwrap_or(hazelcast_transport::CloseReason::TasksStopped),
            });
        }
        tracing::info!(connection = member.id(), %endpoint, member = %member.member, "connection published");
        self.spawn_heartbeat(member.clone());
        let this = self.clone();
        let id = member.id();
        self.lifecycle
            .spawn(async move { this.register_user_listeners_on(id).await });
        if switched {
            let _ = self.events.send(ClientEvent::ClusterChanged);
        }
        if published.first {
            let _ = self.events.send(ClientEvent::Connected);
        }
        Ok(member)
    }

    /// Authentication and the registrations, on a connection not yet published.
    async fn set_up(
        self: &Arc<Self>,
        provisional: &Arc<MemberConnection>,
    ) -> Result<(Arc<MemberConnection>, bool), InvocationError> {
        let id = provisional.id();
        let endpoint = &provisional.endpoint;
        let auth = self.authenticate(id, endpoint).await?;
        if let Err(known) = self.view.check_partition_count(auth.partition_count) {
            return Err(InvocationError::Authentication {
                member: endpoint.clone(),
                failure: AuthFailure::PartitionCountChanged {
                    expected: known,
                    actual: auth.partition_count,
                },
            });
        }
        let switched = match self.conns.check_cluster(auth.cluster_id) {
            ClusterCheck::Same => false,
            ClusterCheck::Switched => {
                tracing::info!(new = %auth.cluster_id, "switching to a new cluster");
                self.view.forget_members();
                self.addresses.on_cluster_changed();
                true
            }
            ClusterCheck::Mismatch => {
                return Err(InvocationError::Authentication {
                    member: endpoint.clone(),
                    failure: AuthFailure::ClusterIdMismatch,
                });
            }
        };
        let member = Arc::new(MemberConnection {
            connection: provisional.connection.clone(),
            member: auth.member_uuid.unwrap_or_else(Uuid::nil),
            endpoint: endpoint.clone(),
            server_version: auth.server_hazelcast_version.clone(),
            handler: provisional.handler.clone(),
        });
        // A second connection to a member must register nothing there: a member sends its
        // backup acknowledgements to the connection of the latest backup-listener registration.
        if !self.conns.authenticated(member.clone()) {
            return Err(InvocationError::DuplicateConnection {
                member: member.member,
            });
        }
        // Backup acknowledgements must be deliverable before any backup-aware call can use the
        // connection: the backup listener is registered before the connection is published.
        if self.cfg.backup_acks_active() {
            let noop: EventHandler = Arc::new(|_| {});
            let request = ClientLocalBackupListenerRequest {}.encode(-1);
            self.invoke(Call::setup(Payload::Encoded(request), id).with_listener(noop))
                .await?;
        }
        if self.conns.claim_view(id) {
            self.register_view_listener(id).await?;
        }
        Ok((member, switched))
    }

    async fn authenticate(
        &self,
        connection: u64,
        endpoint: &Address,
    ) -> Result<ClientAuthenticationResponse, InvocationError> {
        let labels: Vec<String> = self.cfg.labels.clone();
        let request = ClientAuthenticationRequest {
            uuid: Some(self.client_uuid),
            serialization_version: SERIALIZATION_VERSION,
            routing_mode: if self.cfg.smart_routing {
                ROUTING_MODE_SMART
            } else {
                ROUTING_MODE_UNISOCKET
            },
            cp_direct_to_leader_routing: false,
            cluster_name: &self.cfg.cluster_name,
            username: self.cfg.credentials.as_ref().map(|c| c.username.as_str()),
            password: self.cfg.credentials.as_ref().map(|c| c.password.expose()),
            client_type: "RST",
            client_hazelcast_version: env!("CARGO_PKG_VERSION"),
            client_name: &self.cfg.client_name,
            labels: ListRef(&labels),
        };
        let answer = self
            .invoke(Call::setup(Payload::Encoded(request.encode(-1)), connection))
            .await?;
        let auth = ClientAuthenticationResponse::decode(&answer)?;
        let failure = match auth.status {
            AUTH_STATUS_AUTHENTICATED => return Ok(auth),
            AUTH_STATUS_CREDENTIALS_FAILED => AuthFailure::Credentials,
            AUTH_STATUS_SERIALIZATION_VERSION_MISMATCH => AuthFailure::SerializationVersionMismatch,
            AUTH_STATUS_NOT_ALLOWED_IN_CLUSTER => AuthFailure::NotAllowedInCluster,
            other => AuthFailure::UnknownStatus(other),
        };
        Err(InvocationError::Authentication {
            member: endpoint.clone(),
            failure,
        })
    }
}

impl Call<'_> {
    /// A call of a connection's set-up: bound to that connection, not retried elsewhere, not
    /// counted as a user call. It has no deadline of its own: the set-up's deadline, which the
    /// caller runs it under, bounds it.
    pub(crate) fn setup(payload: Payload<'_>, connection: u64) -> Call<'_> {
        Call {
            payload,
            retryable: false,
            target: Target::Connection(connection),
            listener: None,
            internal: true,
            deadline: None,
        }
    }
}
