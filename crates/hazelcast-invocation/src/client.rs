//! [`ClusterClient`]: the handle users hold, and the services it is made of.
//!
//! One client is a set of services, each owning its state, under one [`Lifecycle`]:
//! * the **connection service** (`connection/`): the published connections, their set-up,
//!   heartbeats, the member dialler, the connect procedure;
//! * the **cluster view** ([`ClusterView`]): member list and partition table;
//! * the **invocation service** (`invoke.rs`) with its [`PendingCalls`] and [`RetryPolicy`];
//! * the **listener registry** (`listeners.rs`).
//!
//! Every background task is spawned through the lifecycle. Dropping the last [`ClusterClient`]
//! handle shuts the client down (its tasks end, its connections close);
//! [`ClusterClient::shutdown`] does the same and waits for the tasks.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use hazelcast_codec::custom::MemberInfo;
use hazelcast_codec::messages::Request;
use hazelcast_codec::{ClientMessage, Data, Uuid, partition};
use hazelcast_transport::{CloseReason, LocalCloseReason};
use tokio::sync::broadcast;

use crate::addresses::AddressSource;
use crate::config::InvocationConfig;
use crate::connection::connector::{Connector, TransportConnector};
use crate::connection::dialer::Dialer;
use crate::connection::{ConnectionManager, Connections};
use crate::deadline;
use crate::error::InvocationError;
use crate::invoke::{Call, Payload};
use crate::lifecycle::Lifecycle;
use crate::listeners::UserListeners;
use crate::pending::PendingCalls;
use crate::retry::{DefaultRetryPolicy, RetryPolicy};
use crate::view::{ClusterSnapshot, ClusterView};

/// How long [`ClusterClient::shutdown`] waits for background tasks and sockets.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);

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
    /// Whether one registration on one member is enough because each member reports the events
    /// of the whole cluster (distributed-object events): then the listener is registered with
    /// `local_only = false` on one connection only, and again on another connection when that
    /// one closes. False by default.
    fn on_one_member(&self) -> bool {
        false
    }
}

/// A handler for the events of one listener registration.
pub type EventHandler = Arc<dyn Fn(ClientMessage) + Send + Sync>;

/// Counters of a client's internal state, for monitoring and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientStats {
    /// User calls in flight.
    pub pending_calls: usize,
    /// The client's own calls in flight (authentication, registrations of a connection's
    /// set-up and of listeners).
    pub internal_calls: usize,
    /// Event handlers registered on the published connections.
    pub event_handlers: usize,
    /// User listeners.
    pub user_listeners: usize,
    /// Background tasks running.
    pub tasks: usize,
    /// Published connections.
    pub connections: usize,
}

/// The services of one client.
pub(crate) struct Inner {
    pub(crate) cfg: InvocationConfig,
    pub(crate) lifecycle: Lifecycle,
    pub(crate) client_uuid: Uuid,
    next_correlation_id: AtomicI64,
    round_robin: AtomicU64,
    pub(crate) pending: PendingCalls,
    pub(crate) view: ClusterView,
    pub(crate) conns: ConnectionManager,
    pub(crate) dialer: Dialer,
    pub(crate) user_listeners: UserListeners,
    pub(crate) addresses: Arc<dyn AddressSource>,
    pub(crate) connector: Arc<dyn Connector>,
    pub(crate) retry: Arc<dyn RetryPolicy>,
    pub(crate) events: broadcast::Sender<ClientEvent>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterClient")
            .field("client_uuid", &self.client_uuid)
            .field("connections", &self.conns.current().list.len())
            .field("members", &self.view.members().members.len())
            .finish_non_exhaustive()
    }
}

impl Inner {
    pub(crate) fn next_id(&self) -> i64 {
        self.next_correlation_id.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn next_round_robin(&self) -> usize {
        self.round_robin.fetch_add(1, Ordering::Relaxed) as usize
    }

    /// Shuts down without waiting: cancels every task, closes every connection, ends every call.
    /// Idempotent; callable from anywhere (a task of the client's, `Drop`).
    pub(crate) fn begin_shutdown(&self) {
        if !self.lifecycle.cancel() {
            return;
        }
        let _ = self.events.send(ClientEvent::ShuttingDown);
        let conns = self.conns.take_all();
        let had = !conns.is_empty();
        for c in &conns {
            c.connection.close_because(LocalCloseReason::ClientShutdown);
        }
        self.pending
            .close_all(&CloseReason::Local(LocalCloseReason::ClientShutdown));
        self.view.changed.notify_waiters();
        if had {
            let _ = self.events.send(ClientEvent::Disconnected);
        }
        let _ = self.events.send(ClientEvent::Shutdown);
    }
}

/// What every handle shares: dropping the last one shuts the client down.
#[derive(Debug)]
struct Handle {
    inner: Arc<Inner>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.inner.begin_shutdown();
    }
}

/// The connection manager, cluster view and invocation service of one client.
///
/// Cheap to clone; all clones share the same client. Dropping the last clone shuts the client
/// down (as [`ClusterClient::shutdown`] does, without waiting).
#[derive(Debug, Clone)]
pub struct ClusterClient {
    handle: Arc<Handle>,
}

impl ClusterClient {
    /// Connects to the cluster: the connect procedure (seeds, backoff, authentication), then,
    /// once the member list is known, a connection to every member in smart mode.
    ///
    /// Cancel-safe: dropping the future shuts down what was started (connections, tasks).
    pub async fn connect(
        cfg: InvocationConfig,
        addresses: Arc<dyn AddressSource>,
    ) -> Result<ClusterClient, InvocationError> {
        let connector = Arc::new(TransportConnector::new(cfg.connection.clone()));
        Self::connect_with(cfg, addresses, connector, Arc::new(DefaultRetryPolicy)).await
    }

    /// [`connect`](ClusterClient::connect) with another connector and retry policy.
    pub async fn connect_with(
        cfg: InvocationConfig,
        addresses: Arc<dyn AddressSource>,
        connector: Arc<dyn Connector>,
        retry: Arc<dyn RetryPolicy>,
    ) -> Result<ClusterClient, InvocationError> {
        let (events, _) = broadcast::channel(1024);
        let inner = Arc::new(Inner {
            cfg,
            lifecycle: Lifecycle::new(),
            client_uuid: Uuid::new_v4(),
            next_correlation_id: AtomicI64::new(1),
            round_robin: AtomicU64::new(0),
            pending: PendingCalls::default(),
            view: ClusterView::default(),
            conns: ConnectionManager::default(),
            dialer: Dialer::default(),
            user_listeners: UserListeners::default(),
            addresses,
            connector,
            retry,
            events,
        });
        // From here on, dropping `client` (a failure, or this future dropped) shuts it down.
        let client = ClusterClient {
            handle: Arc::new(Handle { inner }),
        };
        let inner = client.inner();
        inner.connect_to_cluster().await?;
        // Wait for the first member list (it arrives right after the listener registration).
        let first_list = deadline::after(inner.cfg.invocation_timeout);
        loop {
            let changed = inner.view.changed.notified();
            if inner.view.members().version >= 0 {
                break;
            }
            if inner.lifecycle.is_shut_down() {
                return Err(InvocationError::ClientNotActive);
            }
            if deadline::run_until(first_list, changed).await.is_err() {
                return Err(InvocationError::Timeout {
                    after: inner.cfg.invocation_timeout,
                    last: None,
                });
            }
        }
        let members = inner.view.members();
        inner.addresses.on_member_list(&members.members).await;
        if inner.cfg.smart_routing {
            inner.dial_members();
            // Wait for one attempt per member (bounded by the connection timeout), not for
            // their retries.
            let first_round = deadline::after(inner.cfg.connection.connect_timeout);
            loop {
                let attempted = inner.dialer.attempted.notified();
                let changed = inner.conns.changed.notified();
                if inner.dialer.first_round_done(inner) || deadline::passed(first_round) {
                    break;
                }
                let _ = deadline::run_until(first_round, async {
                    tokio::select! {
                        _ = attempted => {}
                        _ = changed => {}
                    }
                })
                .await;
            }
        }
        Ok(client)
    }

    fn inner(&self) -> &Arc<Inner> {
        &self.handle.inner
    }

    /// The UUID this client announces.
    pub fn client_uuid(&self) -> Uuid {
        self.inner().client_uuid
    }

    /// The configuration.
    pub fn config(&self) -> &InvocationConfig {
        &self.inner().cfg
    }

    /// The current member list and partition table.
    pub fn snapshot(&self) -> ClusterSnapshot {
        self.inner().view.snapshot()
    }

    /// The current connections.
    pub fn connections(&self) -> Arc<Connections> {
        self.inner().conns.snapshot()
    }

    /// The cluster's partition count (0 before the first connection).
    pub fn partition_count(&self) -> i32 {
        self.inner().view.partition_count()
    }

    /// The partition of a serialized key.
    pub fn partition_id(&self, key: &Data) -> i32 {
        partition::partition_id(key, self.partition_count())
    }

    /// Number of user calls in flight (the client's own set-up calls are not counted).
    pub fn pending_calls(&self) -> usize {
        self.inner().pending.len()
    }

    /// Counters of the client's internal state.
    pub fn stats(&self) -> ClientStats {
        let inner = self.inner();
        ClientStats {
            pending_calls: inner.pending.len(),
            internal_calls: inner.pending.internal_len(),
            event_handlers: inner.event_handler_count(),
            user_listeners: inner.user_listeners.len(),
            tasks: inner.lifecycle.tasks(),
            connections: inner.conns.current().list.len(),
        }
    }

    /// Lifecycle and membership events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<ClientEvent> {
        self.inner().events.subscribe()
    }

    /// True until the client shuts down.
    pub fn is_active(&self) -> bool {
        !self.inner().lifecycle.is_shut_down()
    }

    /// Resolves when the client begins to shut down.
    pub async fn shut_down(&self) {
        self.inner().lifecycle.shut_down().await;
    }

    /// Runs `task` in the background as a task of this client: it ends when it completes or the
    /// client shuts down, whichever comes first. For the layers above (the facade's proxies).
    pub fn spawn<F>(&self, task: F) -> tokio::task::JoinHandle<Option<F::Output>>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner().lifecycle.spawn(task)
    }

    /// Sends a request and returns the raw answer (decode it with the request's response type).
    ///
    /// Retries follow the request's `retryable` flag and the redo policy; the whole call is
    /// bounded by the invocation timeout. Cancel-safe: dropping the future forgets the call.
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
        let inner = self.inner();
        inner
            .invoke(Call::user(
                inner,
                Payload::Request(&encode, 0),
                R::RETRYABLE,
                target,
            ))
            .await
    }

    /// Sends an encoded request (partition id already set) and returns the raw answer.
    pub async fn invoke_message(
        &self,
        msg: ClientMessage,
        retryable: bool,
        target: Target,
    ) -> Result<ClientMessage, InvocationError> {
        let inner = self.inner();
        inner
            .invoke(Call::user(inner, Payload::Encoded(msg), retryable, target))
            .await
    }

    /// Registers a listener on one connection: `handler` receives every event the member sends
    /// on that connection for this registration (and goes away with the connection). Returns
    /// the answer to the registration request.
    pub async fn register_on(
        &self,
        connection: u64,
        request: ClientMessage,
        handler: EventHandler,
    ) -> Result<ClientMessage, InvocationError> {
        let inner = self.inner();
        inner
            .invoke(
                Call::user(
                    inner,
                    Payload::Encoded(request),
                    false,
                    Target::Connection(connection),
                )
                .with_listener(handler),
            )
            .await
    }

    /// Adds a listener: registered on every connection with `local_only = true` in smart mode
    /// (so each event arrives once, from the member that owns the data), on the one connection
    /// with `local_only = false` in unisocket mode, and again on every connection opened later
    /// (a [one-member](ListenerRegistration::on_one_member) listener: on one connection, with
    /// `local_only = false`, and on another when it closes). Fails (registering nothing) when
    /// any current connection refuses it.
    ///
    /// Cancel-safe: when the future is dropped before it completes, the listener is removed
    /// (registrations that complete later are deregistered).
    pub async fn add_listener(
        &self,
        registration: Arc<dyn ListenerRegistration>,
    ) -> Result<ListenerId, InvocationError> {
        let inner = self.inner().clone();
        let id = ListenerId(Uuid::new_v4());
        inner.user_listeners.insert(id, registration);
        let mut unfinished = RemoveOnDrop {
            inner: Some(inner.clone()),
            id,
        };
        let task = {
            let inner = inner.clone();
            inner
                .clone()
                .lifecycle
                .spawn(async move { inner.register_everywhere(id).await })
        };
        let result = match task.await {
            Ok(Some(result)) => result,
            Ok(None) | Err(_) => Err(InvocationError::ClientNotActive),
        };
        if result.is_ok() {
            unfinished.inner = None;
        }
        result.map(|()| id)
    }

    /// Removes a listener from every connection it is registered on: at once on this client (no
    /// event reaches it after this call begins), and on the members with deregistration requests
    /// that run as a task of the client (they complete even if this future is dropped). Returns
    /// false when the id is unknown. Failures to reach a member are ignored (its registration
    /// dies with the connection).
    pub async fn remove_listener(&self, id: ListenerId) -> bool {
        match self.inner().remove_listener_now(id) {
            Some(task) => {
                let _ = task.await;
                true
            }
            None => false,
        }
    }

    /// Closes every connection, fails every pending call with `ClientNotActive`, stops all
    /// background work and waits (a few seconds at most) for the tasks and sockets to end.
    /// Idempotent.
    pub async fn shutdown(&self) {
        let inner = self.inner();
        let conns: Vec<_> = inner.conns.current().list.clone();
        inner.begin_shutdown();
        let waited = inner.lifecycle.wait(SHUTDOWN_WAIT).await;
        if !waited {
            tracing::warn!(
                tasks = inner.lifecycle.tasks(),
                "background tasks still running after shutdown"
            );
        }
        for c in conns {
            let _ = tokio::time::timeout(SHUTDOWN_WAIT, c.connection.closed()).await;
        }
    }
}

/// Removes a listener whose `add_listener` did not complete.
struct RemoveOnDrop {
    inner: Option<Arc<Inner>>,
    id: ListenerId,
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            let _ = inner.remove_listener_now(self.id);
        }
    }
}
