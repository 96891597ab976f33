//! [`ClusterClient`]: the connection manager, the cluster view and the invocation service of one
//! client, around one shared state.
//!
//! * Connections live in an immutable [`Connections`] snapshot behind an `ArcSwap`: invocations
//!   pick theirs without locking; the connection manager swaps in a new snapshot under the
//!   `manager` mutex (never held across an `.await`).
//! * Each connection's reader task calls [`ConnectionHandler`]: answers complete their pending
//!   call by correlation id, backup acknowledgements count towards theirs, events go to the
//!   listener registered under their correlation id.
//! * A call ([`ClusterClient::invoke`]) has one deadline for everything, retries by the rules of
//!   the official clients (with Java's pacing), and waits for backup acknowledgements with a
//!   timer of its own: nothing polls.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use arc_swap::ArcSwap;
use hazelcast_codec::custom::MemberInfo;
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::client::{
    AUTH_STATUS_AUTHENTICATED, AUTH_STATUS_CREDENTIALS_FAILED, AUTH_STATUS_NOT_ALLOWED_IN_CLUSTER,
    AUTH_STATUS_SERIALIZATION_VERSION_MISMATCH, AddClusterViewListenerRequest, AuthenticationRequest,
    AuthenticationResponse, BackupEvent, ClusterViewEvent, LocalBackupListenerRequest, PingRequest,
    ROUTING_MODE_SMART, ROUTING_MODE_UNISOCKET,
};
use hazelcast_codec::types::ListRef;
use hazelcast_codec::{ClientMessage, Data, ErrorResponse, SERIALIZATION_VERSION, Uuid, frame, partition};
use hazelcast_transport::{CloseReason, Connection, Endpoint, MessageHandler, SendError};
use rand::seq::SliceRandom;
use tokio::sync::{Notify, broadcast};
use tokio::time::Instant;

use crate::addresses::AddressSource;
use crate::backoff::{WaitStrategy, retry_pause};
use crate::config::{InvocationConfig, LoadBalancer, ReconnectMode};
use crate::error::{AuthFailure, InvocationError, ServerError};
use crate::pending::{AckOutcome, Outcome, PendingCalls};
use crate::view::{ClusterSnapshot, MemberList, MembershipDiff, PartitionTable, diff};

/// Where a call goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// The owner of a partition (smart routing); any connection while the owner is unknown.
    Partition(i32),
    /// A member (smart routing); any connection when there is none to it.
    Member(Uuid),
    /// Any member, chosen by the load balancer.
    Any,
    /// Exactly this connection; never retried elsewhere.
    Connection(u64),
}

/// Lifecycle and membership events.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The client connected to the cluster (first connection, or again after losing all).
    Connected,
    /// The client lost its last connection.
    Disconnected,
    /// The client reconnected to a different cluster than before (a whole-cluster restart or a
    /// replacement: a new cluster id): state kept on the old cluster is gone. Sent just before
    /// the `Connected` of that connection.
    ClusterChanged,
    /// A member joined.
    MemberAdded(MemberInfo),
    /// A member left.
    MemberRemoved(MemberInfo),
    /// The client is shutting down.
    ShuttingDown,
    /// The client shut down.
    Shutdown,
}

/// One authenticated connection to a member.
#[derive(Debug, Clone)]
pub struct MemberConnection {
    /// The transport connection.
    pub connection: Connection,
    /// The member's UUID.
    pub member: Uuid,
    /// The endpoint dialled.
    pub endpoint: Endpoint,
    /// The member's version string.
    pub server_version: String,
}

/// An immutable set of the client's authenticated connections.
#[derive(Debug, Clone, Default)]
pub struct Connections {
    /// In the order they were opened.
    pub list: Vec<Arc<MemberConnection>>,
}

impl Connections {
    fn by_member(&self, uuid: &Uuid) -> Option<&Arc<MemberConnection>> {
        self.list.iter().find(|c| &c.member == uuid)
    }
    fn by_id(&self, id: u64) -> Option<&Arc<MemberConnection>> {
        self.list.iter().find(|c| c.connection.id() == id)
    }
}

/// Identifies a listener added with [`ClusterClient::add_listener`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListenerId(pub Uuid);

/// What a listener is: how to register and deregister it on one connection, and what to do
/// with its events (called on the connection's reader task: must not block).
pub trait ListenerRegistration: Send + Sync + 'static {
    /// The registration request; `local_only` is true in smart mode.
    fn encode_add(&self, local_only: bool) -> ClientMessage;
    /// The member's registration id from the registration answer.
    fn decode_add_response(&self, msg: &ClientMessage) -> Result<Uuid, hazelcast_codec::CodecError>;
    /// The deregistration request for the member's registration id.
    fn encode_remove(&self, server_registration_id: Uuid) -> ClientMessage;
    /// One event.
    fn on_event(&self, event: ClientMessage);
}

/// A handler for the events of one listener registration.
pub type EventHandler = Arc<dyn Fn(ClientMessage) + Send + Sync>;

#[derive(Debug, Default)]
struct ManagerState {
    /// Cluster id of the cluster the client is connected to.
    cluster_id: Option<Uuid>,
    /// Members being dialled by the smart-routing connector.
    connecting: HashSet<Uuid>,
    /// Connection carrying the cluster-view listener.
    view_connection: Option<u64>,
    /// A background reconnect is running.
    reconnecting: bool,
    /// Reasons recorded for connections the client itself closed.
    close_reasons: HashMap<u64, String>,
}

/// A user listener and where it is registered.
struct UserListener {
    registration: Arc<dyn ListenerRegistration>,
    /// Connection id → (registration correlation id, the member's registration id).
    on: HashMap<u64, (i64, Uuid)>,
}

struct Inner {
    cfg: InvocationConfig,
    /// Authenticated connections not yet usable by ordinary calls (their backup listener is
    /// being registered); reachable only by `Target::Connection`.
    unpublished: Mutex<HashMap<u64, Arc<MemberConnection>>>,
    user_listeners: Mutex<HashMap<ListenerId, UserListener>>,
    addresses: Arc<dyn AddressSource>,
    client_uuid: Uuid,
    next_correlation_id: AtomicI64,
    pending: PendingCalls,
    listeners: Mutex<HashMap<i64, EventHandler>>,
    connections: ArcSwap<Connections>,
    members: ArcSwap<MemberList>,
    partitions: ArcSwap<PartitionTable>,
    partition_count: AtomicI32,
    manager: Mutex<ManagerState>,
    active: AtomicBool,
    /// Woken when a connection is added or the member list changes.
    changed: Notify,
    round_robin: AtomicU64,
    events: broadcast::Sender<ClientEvent>,
    self_ref: OnceLock<Weak<Inner>>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterClient")
            .field("client_uuid", &self.client_uuid)
            .field("connections", &self.connections.load().list.len())
            .field("members", &self.members.load().members.len())
            .finish_non_exhaustive()
    }
}

/// The connection manager, cluster view and invocation service of one client.
///
/// Cheap to clone; all clones share the same state. Dropping every clone does not close the
/// connections: call [`ClusterClient::shutdown`].
#[derive(Debug, Clone)]
pub struct ClusterClient {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A poisoned lock means a panic elsewhere; the state it guards stays usable.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl ClusterClient {
    /// Connects to the cluster: the connect procedure (seeds, backoff, authentication), then,
    /// once the member list is known, a connection to every member in smart mode.
    pub async fn connect(
        cfg: InvocationConfig,
        addresses: Arc<dyn AddressSource>,
    ) -> Result<ClusterClient, InvocationError> {
        let (events, _) = broadcast::channel(1024);
        let inner = Arc::new(Inner {
            cfg,
            unpublished: Mutex::new(HashMap::new()),
            user_listeners: Mutex::new(HashMap::new()),
            addresses,
            client_uuid: Uuid::new_v4(),
            next_correlation_id: AtomicI64::new(1),
            pending: PendingCalls::default(),
            listeners: Mutex::new(HashMap::new()),
            connections: ArcSwap::from_pointee(Connections::default()),
            members: ArcSwap::from_pointee(MemberList::initial()),
            partitions: ArcSwap::from_pointee(PartitionTable::default()),
            partition_count: AtomicI32::new(0),
            manager: Mutex::new(ManagerState::default()),
            active: AtomicBool::new(true),
            changed: Notify::new(),
            round_robin: AtomicU64::new(0),
            events,
            self_ref: OnceLock::new(),
        });
        let _ = inner.self_ref.set(Arc::downgrade(&inner));
        let client = ClusterClient { inner };
        if let Err(e) = client.inner.connect_to_cluster().await {
            client.shutdown().await;
            return Err(e);
        }
        // Wait for the first member list (it arrives right after the listener registration).
        let deadline = Instant::now() + client.inner.cfg.invocation_timeout;
        while client.inner.members.load().version < 0 {
            let notified = client.inner.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if client.inner.members.load().version >= 0 {
                break;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                client.shutdown().await;
                return Err(InvocationError::Timeout {
                    after: client.inner.cfg.invocation_timeout,
                    last: None,
                });
            }
        }
        let members = client.inner.members.load_full();
        client.inner.addresses.on_member_list(&members.members).await;
        if client.inner.cfg.smart_routing {
            client.inner.connect_to_all_members().await;
        }
        Ok(client)
    }

    /// The UUID this client announces.
    pub fn client_uuid(&self) -> Uuid {
        self.inner.client_uuid
    }

    /// The configuration.
    pub fn config(&self) -> &InvocationConfig {
        &self.inner.cfg
    }

    /// The current member list and partition table.
    pub fn snapshot(&self) -> ClusterSnapshot {
        ClusterSnapshot {
            members: self.inner.members.load_full(),
            partitions: self.inner.partitions.load_full(),
        }
    }

    /// The current connections.
    pub fn connections(&self) -> Arc<Connections> {
        self.inner.connections.load_full()
    }

    /// The cluster's partition count (0 before the first connection).
    pub fn partition_count(&self) -> i32 {
        self.inner.partition_count.load(Ordering::Acquire)
    }

    /// The partition of a serialized key.
    pub fn partition_id(&self, key: &Data) -> i32 {
        partition::partition_id(key, self.partition_count())
    }

    /// Number of calls in flight.
    pub fn pending_calls(&self) -> usize {
        self.inner.pending.len()
    }

    /// Lifecycle and membership events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<ClientEvent> {
        self.inner.events.subscribe()
    }

    /// True until [`ClusterClient::shutdown`].
    pub fn is_active(&self) -> bool {
        self.inner.active.load(Ordering::Acquire)
    }

    /// Sends a request and returns the raw answer (decode it with the request's response type).
    ///
    /// The partition target of key-based requests is the key's partition; `Target::Any` for the
    /// others. Retries follow the request's `retryable` flag and the redo policy; the whole call
    /// is bounded by the invocation timeout.
    ///
    /// Each attempt encodes the request with its final header ([`Request::encode_final`]), so a
    /// small request costs no allocation of its own.
    pub async fn invoke<R: Request>(
        &self,
        request: &R,
        target: Target,
    ) -> Result<ClientMessage, InvocationError> {
        let partition_id = match target {
            Target::Partition(p) => p,
            _ => -1,
        };
        let encode = |correlation_id, flags| request.encode_final(partition_id, correlation_id, flags);
        self.inner
            .invoke(Payload::Request(&encode, 0), R::RETRYABLE, target, None)
            .await
    }

    /// Sends an encoded request (partition id already set) and returns the raw answer.
    pub async fn invoke_message(
        &self,
        msg: ClientMessage,
        retryable: bool,
        target: Target,
    ) -> Result<ClientMessage, InvocationError> {
        self.inner
            .invoke(Payload::Encoded(msg), retryable, target, None)
            .await
    }

    /// Registers a listener on one connection: `handler` receives every event the member sends
    /// for this registration. Returns the answer to the registration request.
    pub async fn register_on(
        &self,
        connection: u64,
        request: ClientMessage,
        handler: EventHandler,
    ) -> Result<ClientMessage, InvocationError> {
        self.inner
            .invoke(
                Payload::Encoded(request),
                false,
                Target::Connection(connection),
                Some(handler),
            )
            .await
    }

    /// Adds a listener: registered on every connection with `local_only = true` in smart mode
    /// (so each event arrives once, from the member that owns the data), on the one connection
    /// with `local_only = false` in unisocket mode, and again on every connection opened later.
    /// Fails (registering nothing) when any current connection refuses it.
    pub async fn add_listener(
        &self,
        registration: Arc<dyn ListenerRegistration>,
    ) -> Result<ListenerId, InvocationError> {
        let id = ListenerId(Uuid::new_v4());
        lock(&self.inner.user_listeners).insert(
            id,
            UserListener {
                registration,
                on: HashMap::new(),
            },
        );
        let conns = self.inner.connections.load_full();
        let targets: Vec<u64> = if self.inner.cfg.smart_routing {
            conns.list.iter().map(|c| c.connection.id()).collect()
        } else {
            conns
                .list
                .first()
                .map(|c| c.connection.id())
                .into_iter()
                .collect()
        };
        for conn in targets {
            if let Err(e) = self.inner.register_user_listener(id, conn).await {
                self.remove_listener(id).await;
                return Err(e);
            }
        }
        Ok(id)
    }

    /// Removes a listener from every connection it is registered on. Returns false when the id
    /// is unknown. Failures to reach a member are ignored (its registration dies with the
    /// connection).
    pub async fn remove_listener(&self, id: ListenerId) -> bool {
        let Some(listener) = lock(&self.inner.user_listeners).remove(&id) else {
            return false;
        };
        for (conn, (correlation, server_id)) in listener.on {
            lock(&self.inner.listeners).remove(&correlation);
            let msg = listener.registration.encode_remove(server_id);
            if let Err(e) = self
                .inner
                .invoke(Payload::Encoded(msg), true, Target::Connection(conn), None)
                .await
            {
                tracing::debug!(conn, error = %e, "listener removal failed");
            }
        }
        true
    }

    /// Closes every connection, fails every pending call with `ClientNotActive`, and stops all
    /// background work. Idempotent.
    pub async fn shutdown(&self) {
        if !self.inner.active.swap(false, Ordering::AcqRel) {
            return;
        }
        let _ = self.inner.events.send(ClientEvent::ShuttingDown);
        let conns = self.inner.connections.swap(Arc::new(Connections::default()));
        for c in &conns.list {
            lock(&self.inner.manager)
                .close_reasons
                .insert(c.connection.id(), "client shut down".into());
            c.connection.close();
        }
        self.inner.pending.close_all("client shut down");
        lock(&self.inner.listeners).clear();
        self.inner.changed.notify_waiters();
        if !conns.list.is_empty() {
            let _ = self.inner.events.send(ClientEvent::Disconnected);
        }
        let _ = self.inner.events.send(ClientEvent::Shutdown);
    }
}

/// Receives one connection's messages on its reader task.
struct ConnectionHandler {
    inner: Weak<Inner>,
    id: OnceLock<u64>,
}

impl MessageHandler for ConnectionHandler {
    fn on_message(&self, msg: ClientMessage) {
        let Some(inner) = self.inner.upgrade() else { return };
        if msg.is_event() {
            if msg.is_backup_event() {
                if let Ok(ack) = BackupEvent::decode(&msg) {
                    inner.pending.on_backup_ack(ack.source_invocation_correlation_id);
                }
                return;
            }
            let handler = lock(&inner.listeners).get(&msg.correlation_id()).cloned();
            match handler {
                Some(h) => h(msg),
                None => tracing::debug!(correlation_id = msg.correlation_id(), "event for no listener"),
            }
        } else if !inner.pending.on_response(msg) {
            tracing::debug!("answer for no pending call (cancelled or timed out)");
        }
    }

    fn on_close(&self, reason: &CloseReason) {
        let (Some(inner), Some(&id)) = (self.inner.upgrade(), self.id.get()) else {
            return;
        };
        inner.on_connection_closed(id, reason);
    }
}

impl Inner {
    fn arc(&self) -> Option<Arc<Inner>> {
        self.self_ref.get().and_then(Weak::upgrade)
    }

    fn next_id(&self) -> i64 {
        self.next_correlation_id.fetch_add(1, Ordering::Relaxed)
    }

    fn is_active(&self) -> bool {
        self.active.load(Ordering::Acquire)
    }

    // ---------------------------------------------------------------- user listeners

    async fn register_user_listener(&self, id: ListenerId, conn: u64) -> Result<(), InvocationError> {
        // Claim (listener, connection) first, so that `add_listener` and a new connection's
        // setup racing for the same pair register it once.
        let registration = {
            let mut all = lock(&self.user_listeners);
            let Some(l) = all.get_mut(&id) else { return Ok(()) };
            if l.on.contains_key(&conn) {
                return Ok(());
            }
            l.on.insert(conn, (0, Uuid::nil()));
            l.registration.clone()
        };
        let msg = registration.encode_add(self.cfg.smart_routing);
        let events = registration.clone();
        let handler: EventHandler = Arc::new(move |event| events.on_event(event));
        let answer = match self
            .invoke(
                Payload::Encoded(msg),
                false,
                Target::Connection(conn),
                Some(handler),
            )
            .await
        {
            Ok(a) => a,
            Err(e) => {
                if let Some(l) = lock(&self.user_listeners).get_mut(&id) {
                    l.on.remove(&conn);
                }
                return Err(e);
            }
        };
        let correlation = answer.correlation_id();
        let server_id = match registration.decode_add_response(&answer) {
            Ok(u) => u,
            Err(e) => {
                lock(&self.listeners).remove(&correlation);
                if let Some(l) = lock(&self.user_listeners).get_mut(&id) {
                    l.on.remove(&conn);
                }
                return Err(e.into());
            }
        };
        let mut all = lock(&self.user_listeners);
        match all.get_mut(&id) {
            Some(l) => {
                l.on.insert(conn, (correlation, server_id));
            }
            // Removed meanwhile: do not leave the handler behind.
            None => {
                lock(&self.listeners).remove(&correlation);
            }
        }
        Ok(())
    }

    /// Registers every user listener on a new connection (smart mode: all connections;
    /// unisocket: the one connection).
    async fn register_user_listeners_on(&self, conn: u64) {
        let ids: Vec<ListenerId> = lock(&self.user_listeners).keys().copied().collect();
        for id in ids {
            if let Err(e) = self.register_user_listener(id, conn).await {
                tracing::warn!(conn, error = %e, "listener registration on a new connection failed");
            }
        }
    }

    fn forget_user_listeners_on(&self, conn: u64) {
        let mut all = lock(&self.user_listeners);
        let mut handlers = lock(&self.listeners);
        for l in all.values_mut() {
            if let Some((correlation, _)) = l.on.remove(&conn) {
                handlers.remove(&correlation);
            }
        }
    }

    // ---------------------------------------------------------------- invocations

    async fn invoke(
        &self,
        mut payload: Payload<'_>,
        retryable: bool,
        target: Target,
        listener: Option<EventHandler>,
    ) -> Result<ClientMessage, InvocationError> {
        let timeout = self.cfg.invocation_timeout;
        let deadline = Instant::now() + timeout;
        if self.cfg.backup_acks_active() && !matches!(target, Target::Connection(_)) {
            payload.add_flags(frame::flags::BACKUP_AWARE);
        }
        let mut attempt = 0u32;
        let mut last: Option<InvocationError> = None;
        loop {
            attempt += 1;
            let result =
                tokio::time::timeout_at(deadline, self.attempt(&mut payload, target, listener.as_ref()))
                    .await;
            let err = match result {
                Err(_) => {
                    return Err(InvocationError::Timeout {
                        after: timeout,
                        last: last.map(Box::new),
                    });
                }
                Ok(Ok(answer)) => return Ok(answer),
                Ok(Err(e)) => e,
            };
            if !self.should_retry(&err, retryable, target) {
                return Err(err);
            }
            let no_connection = matches!(err, InvocationError::NoConnection);
            last = Some(err);
            if no_connection {
                // Wait for a connection instead of spinning; bounded by the retry pause.
                let pause = self.cfg.invocation_retry_pause;
                let notified = self.changed.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if self.connections.load().list.is_empty() {
                    let wake = (Instant::now() + pause).min(deadline);
                    let _ = tokio::time::timeout_at(wake, notified).await;
                }
            } else {
                let pause = retry_pause(attempt, self.cfg.invocation_retry_pause);
                if !pause.is_zero() {
                    tokio::time::sleep_until((Instant::now() + pause).min(deadline)).await;
                }
            }
            if Instant::now() >= deadline {
                return Err(InvocationError::Timeout {
                    after: timeout,
                    last: last.map(Box::new),
                });
            }
        }
    }

    fn should_retry(&self, err: &InvocationError, retryable: bool, target: Target) -> bool {
        if !self.is_active() {
            return false;
        }
        let bound = matches!(target, Target::Connection(_));
        match err {
            InvocationError::TargetDisconnected { .. } => !bound && (retryable || self.cfg.redo_operation),
            InvocationError::NoConnection | InvocationError::Overloaded => !bound,
            InvocationError::Server(e) => {
                if matches!(target, Target::Member(_))
                    && e.code == hazelcast_codec::ErrorCode::TargetNotMember
                {
                    return false;
                }
                e.code.is_retryable()
            }
            _ => false,
        }
    }

    /// One attempt: pick a connection, register the call, send, and wait for the outcome.
    async fn attempt(
        &self,
        payload: &mut Payload<'_>,
        target: Target,
        listener: Option<&EventHandler>,
    ) -> Result<ClientMessage, InvocationError> {
        if !self.is_active() {
            return Err(InvocationError::ClientNotActive);
        }
        let conn = self.pick_connection(target)?;
        let id = self.next_id();
        let msg = payload.with_correlation_id(id);
        let mut guard = PendingGuard {
            inner: self,
            id,
            listener: false,
        };
        if let Some(h) = listener {
            lock(&self.listeners).insert(id, h.clone());
            guard.listener = true;
        }
        self.pending.insert(id, conn.connection.id());
        if let Err(e) = conn.connection.try_send(msg) {
            return Err(match e {
                SendError::QueueFull(_) => InvocationError::Overloaded,
                // Never reached the socket: safe to retry anywhere.
                _ => InvocationError::NoConnection,
            });
        }
        let outcome = std::future::poll_fn(|cx| self.pending.poll_answer(id, cx)).await;
        let answer = match outcome {
            Outcome::Response(answer) => answer,
            Outcome::Gone => return Err(InvocationError::ClientNotActive),
            Outcome::Closed { reason } => {
                return Err(InvocationError::TargetDisconnected {
                    member: conn.endpoint.to_string(),
                    reason,
                });
            }
            Outcome::Held { response } => {
                let acks = std::future::poll_fn(|cx| self.pending.poll_acks(id, cx));
                let waited = tokio::time::timeout(self.cfg.operation_backup_timeout, acks).await;
                let missing = match waited {
                    Ok(AckOutcome::AllAcked) => None,
                    Ok(AckOutcome::PrimaryLeft(reason)) => Some(format!(
                        "the primary's connection closed before the backups acknowledged: {reason}"
                    )),
                    Err(_) => Some(format!(
                        "backup acknowledgements missing after {:?}",
                        self.cfg.operation_backup_timeout
                    )),
                };
                if let (Some(reason), true) = (missing, self.cfg.fail_on_indeterminate_operation_state) {
                    return Err(InvocationError::IndeterminateOperationState { reason });
                }
                response
            }
        };
        guard.listener = false; // a successful registration keeps its handler
        if answer.is_error() {
            if listener.is_some() {
                lock(&self.listeners).remove(&id);
            }
            let decoded = ErrorResponse::decode(&answer)?;
            return Err(InvocationError::Server(ServerError::from_response(&decoded)));
        }
        Ok(answer)
    }

    /// The connection for an attempt: an `Arc` clone, so picking allocates nothing.
    fn pick_connection(&self, target: Target) -> Result<Arc<MemberConnection>, InvocationError> {
        let conns = self.connections.load();
        if let Target::Connection(id) = target {
            return conns
                .by_id(id)
                .cloned()
                .or_else(|| lock(&self.unpublished).get(&id).cloned())
                .ok_or(InvocationError::NoConnection);
        }
        if conns.list.is_empty() {
            if self.cfg.reconnect_mode == ReconnectMode::Async
                && self.partition_count.load(Ordering::Acquire) > 0
            {
                return Err(InvocationError::ClientOffline);
            }
            return Err(InvocationError::NoConnection);
        }
        if self.cfg.smart_routing {
            let owner = match target {
                Target::Partition(p) => self.partitions.load().owner(p),
                Target::Member(m) => Some(m),
                _ => None,
            };
            if let Some(c) = owner.and_then(|o| conns.by_member(&o)) {
                return Ok(c.clone());
            }
        }
        let n = conns.list.len();
        let i = match self.cfg.load_balancer {
            LoadBalancer::RoundRobin => self.round_robin.fetch_add(1, Ordering::Relaxed) as usize % n,
            LoadBalancer::Random => rand::random_range(0..n),
        };
        Ok(conns.list[i].clone())
    }

    // ---------------------------------------------------------------- connection manager

    /// The connect procedure: known members first, then the seeds, round after round with
    /// backoff, until one connection is authenticated or the budget is spent.
    async fn connect_to_cluster(&self) -> Result<(), InvocationError> {
        let mut wait = WaitStrategy::new(self.cfg.connection_retry, self.cfg.cluster_connect_timeout);
        let mut tried: Vec<String> = Vec::new();
        let mut last = String::from("no address to try");
        loop {
            let mut candidates: Vec<Endpoint> = Vec::new();
            if !self.cfg.skip_member_list_during_reconnection {
                let members = self.members.load_full();
                for m in &members.members {
                    candidates.push(self.addresses.member_endpoint(m).await);
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
                Err(e @ InvocationError::Discovery { permanent: true, .. }) => return Err(e),
                Err(e) => last = e.to_string(),
            }
            // A member that refuses the cluster name or credentials, or speaks another
            // serialization version, will refuse them next round too: after this round, stop.
            let mut refused: Option<InvocationError> = None;
            for endpoint in candidates {
                if !self.is_active() {
                    return Err(InvocationError::ClientNotActive);
                }
                let name = endpoint.to_string();
                if !tried.contains(&name) {
                    tried.push(name);
                }
                match self.open_connection(&endpoint).await {
                    Ok(_) => return Ok(()),
                    Err(
                        e @ InvocationError::Authentication {
                            failure: AuthFailure::NotAllowedInCluster,
                            ..
                        },
                    ) => {
                        return Err(e);
                    }
                    Err(
                        e @ InvocationError::Authentication {
                            failure: AuthFailure::Credentials | AuthFailure::SerializationVersionMismatch,
                            ..
                        },
                    ) => {
                        tracing::warn!(%endpoint, error = %e, "authentication refused");
                        last = e.to_string();
                        refused = Some(e);
                    }
                    Err(e) => {
                        tracing::info!(%endpoint, error = %e, "connection attempt failed");
                        last = e.to_string();
                    }
                }
            }
            if let Some(e) = refused {
                return Err(e);
            }
            match wait.next_delay() {
                None => {
                    return Err(InvocationError::ClusterUnreachable {
                        attempts: wait.attempts(),
                        tried,
                        last,
                    });
                }
                Some(d) => tokio::time::sleep(d).await,
            }
        }
    }

    /// Opens and authenticates one connection, then makes it usable: cluster-view listener if
    /// none is registered, backup listener, heartbeat.
    async fn open_connection(&self, endpoint: &Endpoint) -> Result<MemberConnection, InvocationError> {
        let this = self.arc().ok_or(InvocationError::ClientNotActive)?;
        let handler = Arc::new(ConnectionHandler {
            inner: Arc::downgrade(&this),
            id: OnceLock::new(),
        });
        let started = Instant::now();
        let connection = hazelcast_transport::connect(endpoint, &self.cfg.connection, handler.clone())
            .await
            .map_err(|e| InvocationError::Connect {
                address: endpoint.to_string(),
                message: e.to_string(),
                source: Some(Arc::new(e)),
            })?;
        let _ = handler.id.set(connection.id());
        // One deadline for the whole connection: what the transport left of it bounds the
        // authentication round trip.
        let left = self
            .cfg
            .connection
            .connect_timeout
            .saturating_sub(started.elapsed());
        let auth = match self.authenticate(&connection, endpoint, left).await {
            Ok(a) => a,
            Err(e) => {
                connection.close();
                return Err(e);
            }
        };
        let member = MemberConnection {
            connection: connection.clone(),
            member: auth.member_uuid.unwrap_or_else(Uuid::nil),
            endpoint: endpoint.clone(),
            server_version: auth.server_hazelcast_version.clone(),
        };
        // Backup acknowledgements must be deliverable before any backup-aware call can use the
        // connection: register the backup listener first, then publish the connection.
        if self.cfg.backup_acks_active() {
            lock(&self.unpublished).insert(connection.id(), Arc::new(member.clone()));
            let req = LocalBackupListenerRequest {}.encode(-1);
            let noop: EventHandler = Arc::new(|_| {});
            let registered = self
                .invoke(
                    Payload::Encoded(req),
                    false,
                    Target::Connection(connection.id()),
                    Some(noop),
                )
                .await;
            lock(&self.unpublished).remove(&connection.id());
            if let Err(e) = registered {
                tracing::warn!(%endpoint, error = %e, "backup listener registration failed");
            }
        }
        let (first, switched) = {
            let mut st = lock(&self.manager);
            let current = self.connections.load();
            if current.by_member(&member.member).is_some() {
                drop(st);
                connection.close();
                return Err(InvocationError::Connect {
                    address: endpoint.to_string(),
                    message: format!("duplicate connection to member {}", member.member),
                    source: None,
                });
            }
            let switched = st.cluster_id.is_some_and(|id| id != auth.cluster_id);
            if switched {
                if current.list.is_empty() {
                    // The cluster restarted (or was replaced): forget its old view.
                    tracing::info!(old = ?st.cluster_id, new = %auth.cluster_id, "switching to a new cluster");
                    self.members.store(Arc::new(MemberList::initial()));
                    self.addresses.on_cluster_changed();
                } else {
                    drop(st);
                    connection.close();
                    return Err(InvocationError::Authentication {
                        member: endpoint.to_string(),
                        failure: AuthFailure::ClusterIdMismatch,
                    });
                }
            }
            st.cluster_id = Some(auth.cluster_id);
            let mut next = (**current).clone();
            next.list.push(Arc::new(member.clone()));
            self.connections.store(Arc::new(next));
            (current.list.is_empty(), switched)
        };
        if connection.is_closed() {
            self.on_connection_closed(
                connection.id(),
                &connection.close_reason().unwrap_or(CloseReason::TasksStopped),
            );
            return Err(InvocationError::TargetDisconnected {
                member: endpoint.to_string(),
                reason: "closed right after authentication".into(),
            });
        }
        self.spawn_heartbeat(member.connection.clone());
        let needs_view = lock(&self.manager).view_connection.is_none();
        if needs_view {
            self.register_view_listener(connection.id()).await;
        }
        self.register_user_listeners_on(connection.id()).await;
        if switched {
            let _ = self.events.send(ClientEvent::ClusterChanged);
        }
        if first {
            let _ = self.events.send(ClientEvent::Connected);
        }
        self.changed.notify_waiters();
        Ok(member)
    }

    async fn authenticate(
        &self,
        connection: &Connection,
        endpoint: &Endpoint,
        timeout: std::time::Duration,
    ) -> Result<AuthenticationResponse, InvocationError> {
        let labels: Vec<String> = self.cfg.labels.clone();
        let request = AuthenticationRequest {
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
            password: self.cfg.credentials.as_ref().map(|c| c.password.as_str()),
            client_type: "RST",
            client_hazelcast_version: env!("CARGO_PKG_VERSION"),
            client_name: &self.cfg.client_name,
            labels: ListRef(&labels),
        };
        let mut msg = request.encode(-1);
        let id = self.next_id();
        msg.set_correlation_id(id);
        let _guard = PendingGuard {
            inner: self,
            id,
            listener: false,
        };
        self.pending.insert(id, connection.id());
        connection
            .try_send(msg)
            .map_err(|e| InvocationError::TargetDisconnected {
                member: endpoint.to_string(),
                reason: e.to_string(),
            })?;
        let budget = self.cfg.connection.connect_timeout;
        let answer = std::future::poll_fn(|cx| self.pending.poll_answer(id, cx));
        let outcome = tokio::time::timeout(timeout, answer)
            .await
            .map_err(|_| InvocationError::Connect {
                address: endpoint.to_string(),
                message: format!("no authentication answer within the connection timeout of {budget:?}"),
                source: None,
            })?;
        let answer = match outcome {
            Outcome::Response(m) | Outcome::Held { response: m } => m,
            Outcome::Gone => return Err(InvocationError::ClientNotActive),
            Outcome::Closed { reason } => {
                return Err(InvocationError::TargetDisconnected {
                    member: endpoint.to_string(),
                    reason,
                });
            }
        };
        if answer.is_error() {
            let decoded = ErrorResponse::decode(&answer)?;
            return Err(InvocationError::Server(ServerError::from_response(&decoded)));
        }
        let auth = AuthenticationResponse::decode(&answer)?;
        let failure = match auth.status {
            AUTH_STATUS_AUTHENTICATED => None,
            AUTH_STATUS_CREDENTIALS_FAILED => Some(AuthFailure::Credentials),
            AUTH_STATUS_SERIALIZATION_VERSION_MISMATCH => Some(AuthFailure::SerializationVersionMismatch),
            AUTH_STATUS_NOT_ALLOWED_IN_CLUSTER => Some(AuthFailure::NotAllowedInCluster),
            other => Some(AuthFailure::UnknownStatus(other)),
        };
        if let Some(failure) = failure {
            return Err(InvocationError::Authentication {
                member: endpoint.to_string(),
                failure,
            });
        }
        let known = self.partition_count.load(Ordering::Acquire);
        if known == 0 {
            self.partition_count
                .store(auth.partition_count, Ordering::Release);
        } else if known != auth.partition_count {
            return Err(InvocationError::Authentication {
                member: endpoint.to_string(),
                failure: AuthFailure::PartitionCountChanged {
                    expected: known,
                    actual: auth.partition_count,
                },
            });
        }
        Ok(auth)
    }

    async fn register_view_listener(&self, connection: u64) {
        {
            let mut st = lock(&self.manager);
            if st.view_connection.is_some() {
                return;
            }
            st.view_connection = Some(connection);
        }
        let weak = self.self_ref.get().cloned().unwrap_or_default();
        let handler: EventHandler = Arc::new(move |msg| {
            if let Some(inner) = weak.upgrade() {
                inner.on_view_event(connection, &msg);
            }
        });
        // A new stream: its first member list must be accepted whatever its version.
        let current = self.members.load_full();
        self.members.store(Arc::new(MemberList {
            version: -1,
            members: current.members.clone(),
        }));
        let req = AddClusterViewListenerRequest {}.encode(-1);
        if let Err(e) = self
            .invoke(
                Payload::Encoded(req),
                false,
                Target::Connection(connection),
                Some(handler),
            )
            .await
        {
            tracing::warn!(connection, error = %e, "cluster view listener registration failed");
            let mut st = lock(&self.manager);
            if st.view_connection == Some(connection) {
                st.view_connection = None;
            }
        }
    }

    fn on_view_event(&self, connection: u64, msg: &ClientMessage) {
        match ClusterViewEvent::decode(msg) {
            Ok(ClusterViewEvent::MembersView(v)) => {
                let old = self.members.load_full();
                if v.version <= old.version {
                    return;
                }
                let new = MemberList {
                    version: v.version,
                    members: v.member_infos.0,
                };
                let changes = diff(&old, &new);
                self.members.store(Arc::new(new));
                self.apply_membership(changes);
                self.changed.notify_waiters();
            }
            Ok(ClusterViewEvent::PartitionsView(v)) => {
                let old = self.partitions.load();
                if old.source_connection == connection && v.version <= old.version {
                    return;
                }
                let count = usize::try_from(self.partition_count.load(Ordering::Acquire)).unwrap_or(0);
                if let Some(table) = PartitionTable::from_view(v.version, connection, &v.partitions.0, count)
                {
                    self.partitions.store(Arc::new(table));
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "undecodable cluster view event"),
        }
    }

    fn apply_membership(&self, changes: MembershipDiff) {
        for m in &changes.removed {
            if let Some(c) = self.connections.load().by_member(&m.uuid) {
                lock(&self.manager)
                    .close_reasons
                    .insert(c.connection.id(), format!("member {} left the cluster", m.uuid));
                c.connection.close();
            }
            let _ = self.events.send(ClientEvent::MemberRemoved(m.clone()));
        }
        for m in &changes.added {
            let _ = self.events.send(ClientEvent::MemberAdded(m.clone()));
        }
        if (!changes.added.is_empty() || !changes.removed.is_empty())
            && let Some(this) = self.arc()
        {
            tokio::spawn(async move {
                let members = this.members.load_full();
                this.addresses.on_member_list(&members.members).await;
                if this.cfg.smart_routing {
                    this.connect_to_all_members().await;
                }
            });
        }
    }

    /// Smart routing: opens a connection to every listed member that has none, concurrently,
    /// each member retried with the connect backoff while it stays listed.
    async fn connect_to_all_members(&self) {
        let Some(this) = self.arc() else { return };
        let members = self.members.load_full();
        let mut tasks = Vec::new();
        for m in &members.members {
            if self.connections.load().by_member(&m.uuid).is_some() {
                continue;
            }
            if !lock(&self.manager).connecting.insert(m.uuid) {
                continue;
            }
            let this = this.clone();
            let member = m.clone();
            tasks.push(tokio::spawn(async move {
                this.connect_member(&member).await;
                lock(&this.manager).connecting.remove(&member.uuid);
            }));
        }
        // Wait for the first attempt of each (bounded by the connect timeout), not for retries.
        let deadline = Instant::now() + self.cfg.connection.connect_timeout * 2;
        for t in tasks {
            let wait = deadline.saturating_duration_since(Instant::now());
            let _ = tokio::time::timeout(wait, t).await;
        }
    }

    async fn connect_member(&self, member: &MemberInfo) {
        let mut wait = WaitStrategy::new(self.cfg.connection_retry, None);
        let endpoint = self.addresses.member_endpoint(member).await;
        loop {
            if !self.is_active()
                || self.members.load().get(&member.uuid).is_none()
                || self.connections.load().by_member(&member.uuid).is_some()
            {
                return;
            }
            match self.open_connection(&endpoint).await {
                Ok(_) => return,
                Err(e) => tracing::info!(%endpoint, error = %e, "member connection attempt failed"),
            }
            match wait.next_delay() {
                Some(d) => tokio::time::sleep(d).await,
                None => return,
            }
        }
    }

    fn on_connection_closed(&self, id: u64, reason: &CloseReason) {
        let recorded = lock(&self.manager).close_reasons.remove(&id);
        let reason = recorded.unwrap_or_else(|| reason.to_string());
        let (was_known, now_empty, was_view) = {
            let mut st = lock(&self.manager);
            let current = self.connections.load();
            let was_known = current.by_id(id).is_some();
            if was_known {
                let mut next = (**current).clone();
                next.list.retain(|c| c.connection.id() != id);
                self.connections.store(Arc::new(next));
            }
            let was_view = st.view_connection == Some(id);
            if was_view {
                st.view_connection = None;
            }
            (was_known, self.connections.load().list.is_empty(), was_view)
        };
        self.pending.on_connection_closed(id, &reason);
        self.forget_user_listeners_on(id);
        if !was_known || !self.is_active() {
            return;
        }
        tracing::info!(connection = id, %reason, "connection closed");
        let Some(this) = self.arc() else { return };
        if now_empty {
            let _ = self.events.send(ClientEvent::Disconnected);
            match self.cfg.reconnect_mode {
                ReconnectMode::Off => {
                    let client = ClusterClient { inner: this };
                    tokio::spawn(async move { client.shutdown().await });
                }
                ReconnectMode::On | ReconnectMode::Async => {
                    let start = {
                        let mut st = lock(&self.manager);
                        !std::mem::replace(&mut st.reconnecting, true)
                    };
                    if start {
                        tokio::spawn(async move {
                            let result = this.connect_to_cluster().await;
                            lock(&this.manager).reconnecting = false;
                            match result {
                                Ok(()) if this.cfg.smart_routing => this.connect_to_all_members().await,
                                Ok(()) => {}
                                Err(e) => {
                                    tracing::error!(error = %e, "reconnecting failed; shutting down");
                                    ClusterClient { inner: this }.shutdown().await;
                                }
                            }
                        });
                    }
                }
            }
        } else {
            tokio::spawn(async move {
                if was_view {
                    let next = this.connections.load().list.first().map(|c| c.connection.id());
                    if let Some(next) = next {
                        this.register_view_listener(next).await;
                    }
                }
                // A member that is still listed lost only its connection (I/O or protocol error,
                // heartbeat): dial it again, with the per-member backoff.
                if this.cfg.smart_routing {
                    this.connect_to_all_members().await;
                }
            });
        }
    }

    /// One timer per connection: ping after `heartbeat_interval` without writing, close after
    /// `heartbeat_timeout` without reading.
    fn spawn_heartbeat(&self, connection: Connection) {
        let Some(this) = self.arc() else { return };
        let weak = Arc::downgrade(&this);
        drop(this);
        let interval = self.cfg.heartbeat_interval;
        let timeout = self.cfg.heartbeat_timeout;
        tokio::spawn(async move {
            loop {
                let next_ping = Instant::from_std(connection.last_write()) + interval;
                let dead_at = Instant::from_std(connection.last_read()) + timeout;
                tokio::select! {
                    _ = tokio::time::sleep_until(next_ping.min(dead_at)) => {}
                    _ = connection.closed() => return,
                }
                let Some(inner) = weak.upgrade() else { return };
                if !inner.is_active() {
                    return;
                }
                let now = Instant::now();
                if now >= Instant::from_std(connection.last_read()) + timeout {
                    lock(&inner.manager).close_reasons.insert(
                        connection.id(),
                        format!("heartbeat timed out: nothing read for {timeout:?}"),
                    );
                    connection.close();
                    return;
                }
                if now >= Instant::from_std(connection.last_write()) + interval {
                    let mut ping = PingRequest {}.encode(-1);
                    ping.set_correlation_id(inner.next_id());
                    // The answer finds no pending call and is dropped; reading it is what counts.
                    let _ = connection.try_send(ping);
                }
            }
        });
    }
}

/// Removes a call's pending entry (and its listener, unless kept) when the attempt ends in any
/// way, including the caller dropping the future.
/// What an invocation sends.
enum Payload<'a> {
    /// A message encoded once by the caller; each attempt patches its correlation id (in place
    /// on the first attempt; on a copy when an earlier attempt's bytes may still be queued — the
    /// codec decides by the buffer's reference count) and sends a clone.
    Encoded(ClientMessage),
    /// A request encoded by each attempt with its final correlation id and these extra flags.
    Request(&'a (dyn Fn(i64, u16) -> ClientMessage + Sync), u16),
}

impl Payload<'_> {
    fn add_flags(&mut self, extra: u16) {
        match self {
            Payload::Encoded(msg) => msg.add_initial_flags(extra),
            Payload::Request(_, flags) => *flags |= extra,
        }
    }

    /// The message of one attempt.
    fn with_correlation_id(&mut self, id: i64) -> ClientMessage {
        match self {
            Payload::Encoded(msg) => {
                msg.set_correlation_id(id);
                msg.clone()
            }
            Payload::Request(encode, flags) => encode(id, *flags),
        }
    }
}

struct PendingGuard<'a> {
    inner: &'a Inner,
    id: i64,
    listener: bool,
}

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        self.inner.pending.remove(self.id);
        if self.listener {
            lock(&self.inner.listeners).remove(&self.id);
        }
    }
}
