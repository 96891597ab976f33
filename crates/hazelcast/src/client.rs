//! [`HazelcastClient`]: start, lifecycle, members, proxies.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use hazelcast_codec::custom::MemberInfo;
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::client::{
    ClientCreateProxyRequest, ClientCreateProxyResponse, ClientDestroyProxyRequest,
};
use hazelcast_codec::{Data, Uuid};
use hazelcast_invocation::{ClientEvent, ClusterClient, InvocationError, Target};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use crate::atomic_long::AtomicLong;
use crate::config::{ClientConfig, ClientConfigBuilder};
use crate::cp::atomic_reference::AtomicReference;
use crate::cp::count_down_latch::CountDownLatch;
use crate::cp::fenced_lock::FencedLock;
use crate::cp::semaphore::Semaphore;
use crate::cp::session::SessionManager;
use crate::error::HazelcastError;
use crate::flake_id_generator::{FLAKE_ID_GENERATOR_SERVICE, FlakeIdGenerator};
use crate::list::{LIST_SERVICE, List};
use crate::map::Map;
use crate::multi_map::{MULTI_MAP_SERVICE, MultiMap};
use crate::pn_counter::{PN_COUNTER_SERVICE, PnCounter};
use crate::proxy::ProxyCore;
use crate::proxy::listener::Closeable;
use crate::queue::{QUEUE_SERVICE, Queue};
use crate::reliable_topic::{
    RELIABLE_TOPIC_RINGBUFFER_PREFIX, RELIABLE_TOPIC_SERVICE, ReliableTopic, ReliableTopicOptions,
};
use crate::replicated_map::{REPLICATED_MAP_SERVICE, ReplicatedMap};
use crate::ringbuffer::{RINGBUFFER_SERVICE, Ringbuffer};
use crate::schemas::Schemas;
use crate::set::{SET_SERVICE, Set};
use crate::topic::{TOPIC_SERVICE, Topic};
use hazelcast_serialization::{FromData, SerializationService, ToData};

/// The service name of maps.
pub(crate) const MAP_SERVICE: &str = "hz:impl:mapService";

/// Capacity of the lifecycle event channel; a receiver that falls further behind gets
/// `RecvError::Lagged` and continues with the newest events.
const EVENT_CAPACITY: usize = 1024;

#[derive(Debug, Clone)]
enum State {
    /// `async_start`: connecting in the background.
    Starting,
    Connected(ClusterClient),
    /// The background connect failed (the client is shut down).
    Failed(InvocationError),
    ShutDown,
}

#[derive(Debug)]
pub(crate) struct ClientInner {
    config: ClientConfig,
    name: String,
    state: watch::Sender<State>,
    events: broadcast::Sender<ClientEvent>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    proxies: Mutex<HashSet<(String, String)>>,
    listeners: Mutex<Vec<Weak<dyn Closeable>>>,
    schemas: Arc<Schemas>,
    cp_sessions: SessionManager,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A client of one Hazelcast cluster. Cheap to clone (all clones share one client); dropping
/// the clones does not close it: call [`shutdown`](HazelcastClient::shutdown).
///
/// ```no_run
/// use hazelcast::{ClientConfig, HazelcastClient};
///
/// # async fn run() -> Result<(), hazelcast::HazelcastError> {
/// let client = HazelcastClient::start(ClientConfig::default()).await?;
/// let map = client.get_map::<String, i64>("scores").await?;
/// map.set("alice", 42).await?;
/// assert_eq!(map.get("alice").await?, Some(42));
/// client.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct HazelcastClient {
    inner: Arc<ClientInner>,
}

impl HazelcastClient {
    /// A builder for the configuration, which can start the client:
    /// `HazelcastClient::builder().cluster_name("dev").start().await`.
    pub fn builder() -> ClientConfigBuilder {
        ClientConfig::builder()
    }

    /// Validates `config` (no connection is made when it is invalid) and connects to the cluster:
    /// the connect procedure over the seed addresses (or cloud discovery), authentication, the
    /// member list, and in smart mode a connection to every member.
    ///
    /// With `async_start` it returns at once and connects in the background; until connected,
    /// calls fail with `ClientOffline` ([`HazelcastError::is_client_offline`]), and
    /// [`wait_until_connected`](HazelcastClient::wait_until_connected) waits for the
    /// connection. A background start that fails shuts the client down (calls then fail with
    /// `ClientNotActive`; `wait_until_connected` returns the connect error).
    pub async fn start(config: ClientConfig) -> Result<HazelcastClient, HazelcastError> {
        Self::start_with(config, SerializationService::new()).await
    }

    /// Like [`start`](HazelcastClient::start), with a serialization service of the caller's:
    /// Compact type names other than the serde names, IdentifiedDataSerializable factories
    /// (see [`SerializationService::builder`]).
    ///
    /// ```no_run
    /// use hazelcast::serialization::SerializationService;
    /// use hazelcast::{ClientConfig, HazelcastClient};
    ///
    /// # async fn run() -> Result<(), hazelcast::HazelcastError> {
    /// let serialization = SerializationService::builder()
    ///     .compact_type_name("Person", "com.example.Person")
    ///     .build();
    /// let client = HazelcastClient::start_with(ClientConfig::default(), serialization).await?;
    /// # let _ = client;
    /// # Ok(()) }
    /// ```
    pub async fn start_with(
        config: ClientConfig,
        serialization: SerializationService,
    ) -> Result<HazelcastClient, HazelcastError> {
        config.validate()?;
        let inv = config.invocation_config()?;
        let addresses = config.address_source()?;
        if config.cloud_discovery_token.is_some() && !config.ssl_enabled {
            tracing::warn!(
                "cloud discovery is configured without ssl_enabled: Hazelcast Cloud clusters accept TLS connections only"
            );
        }
        let (events, _) = broadcast::channel(EVENT_CAPACITY);
        let (state, _) = watch::channel(State::Starting);
        let inner = Arc::new(ClientInner {
            name: inv.client_name.clone(),
            config,
            state,
            events,
            tasks: Mutex::new(Vec::new()),
            proxies: Mutex::new(HashSet::new()),
            listeners: Mutex::new(Vec::new()),
            schemas: Arc::new(Schemas::new(Arc::new(serialization))),
            cp_sessions: SessionManager::default(),
        });
        let client = HazelcastClient { inner };
        if client.inner.config.async_start {
            let this = client.clone();
            let task = tokio::spawn(async move {
                match ClusterClient::connect(inv, addresses).await {
                    Ok(cc) => this.on_connected(cc),
                    Err(e) => {
                        tracing::error!(error = %e, "async start: could not connect; shutting down");
                        this.inner.state.send_replace(State::Failed(e));
                        let _ = this.inner.events.send(ClientEvent::Shutdown);
                    }
                }
            });
            lock(&client.inner.tasks).push(task);
        } else {
            let cc = ClusterClient::connect(inv, addresses).await?;
            client.on_connected(cc);
        }
        Ok(client)
    }

    fn on_connected(&self, cc: ClusterClient) {
        let mut rx = cc.subscribe();
        let replaced = self.inner.state.send_if_modified(|s| {
            if matches!(s, State::Starting) {
                *s = State::Connected(cc.clone());
                true
            } else {
                false
            }
        });
        if !replaced {
            // Shut down while connecting: dropping the last handle shuts the invocation layer down.
            drop(cc);
            return;
        }
        // The invocation layer announced the connection and the first members before anyone
        // could subscribe: announce them now, then forward (without duplicates).
        let events = self.inner.events.clone();
        let mut known: HashSet<Uuid> = HashSet::new();
        let _ = events.send(ClientEvent::Connected);
        for m in &cc.snapshot().members.members {
            known.insert(m.uuid);
            let _ = events.send(ClientEvent::MemberAdded(m.clone()));
        }
        let owner = Arc::downgrade(&self.inner);
        let task = tokio::spawn(async move {
            loop {
                let ev = match rx.recv().await {
                    Ok(ev) => ev,
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "lifecycle events lost (slow forwarder)");
                        continue;
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                };
                let forward = match &ev {
                    ClientEvent::MemberAdded(m) => known.insert(m.uuid),
                    ClientEvent::MemberRemoved(m) => known.remove(&m.uuid),
                    _ => true,
                };
                if matches!(ev, ClientEvent::ClusterChanged)
                    && let Some(inner) = owner.upgrade()
                {
                    let schemas = inner.schemas.clone();
                    let schema_cc = cc.clone();
                    // A task of the client's: it ends with the client.
                    cc.spawn(async move { schemas.resend_all(&schema_cc).await });
                    recreate_proxies(&inner, &cc);
                    // CP sessions of the old cluster are gone; their ids may name others' now.
                    inner.cp_sessions.forget_all();
                }
                let done = matches!(ev, ClientEvent::Shutdown);
                if forward {
                    let _ = events.send(ev);
                }
                if done {
                    break;
                }
            }
        });
        lock(&self.inner.tasks).push(task);
    }

    /// The configuration the client was started with.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The client's instance name (`client_name`, default `hz.client_<n>`).
    pub fn client_name(&self) -> &str {
        &self.inner.name
    }

    /// The UUID the client announced to the cluster; `None` before an `async_start` client
    /// connected.
    pub fn uuid(&self) -> Option<Uuid> {
        self.connected().map(|c| c.client_uuid())
    }

    /// True once connected and until shut down (also while reconnecting).
    pub fn is_running(&self) -> bool {
        self.connected().is_some_and(|c| c.is_active())
    }

    /// Lifecycle and membership events from now on: `Connected`, `Disconnected`,
    /// `ClusterChanged` (reconnected to a new cluster; the client then creates its distributed
    /// objects on it again), `MemberAdded`, `MemberRemoved`, `ShuttingDown`, `Shutdown`. Right
    /// after a (synchronous) start the initial `Connected` and `MemberAdded` events have already
    /// been sent: read the current list with [`members`](HazelcastClient::members). A receiver
    /// that falls more than 1024 events behind gets `RecvError::Lagged` and goes on with newer
    /// events.
    ///
    /// ```no_run
    /// # async fn run(client: hazelcast::HazelcastClient) {
    /// use hazelcast::ClientEvent;
    /// let mut events = client.events();
    /// while let Ok(event) = events.recv().await {
    ///     match event {
    ///         ClientEvent::MemberAdded(m) => println!("member joined: {}", m.client_address()),
    ///         ClientEvent::Shutdown => break,
    ///         other => println!("{other:?}"),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn events(&self) -> broadcast::Receiver<ClientEvent> {
        self.inner.events.subscribe()
    }

    /// The current member list (empty before the first connection).
    pub fn members(&self) -> Vec<MemberInfo> {
        self.connected()
            .map(|c| c.snapshot().members.members.clone())
            .unwrap_or_default()
    }

    /// Waits until the client is connected (immediately for a client started synchronously).
    /// Fails when the background start failed or the client was shut down first.
    pub async fn wait_until_connected(&self) -> Result<(), HazelcastError> {
        let mut rx = self.inner.state.subscribe();
        loop {
            match &*rx.borrow_and_update() {
                State::Connected(_) => return Ok(()),
                State::Failed(e) => return Err(e.clone().into()),
                State::ShutDown => return Err(InvocationError::ClientNotActive.into()),
                State::Starting => {}
            }
            if rx.changed().await.is_err() {
                return Err(InvocationError::ClientNotActive.into());
            }
        }
    }

    /// The invocation layer's client, for what the facade does not wrap (raw requests,
    /// connections and their statistics, the partition table). `None` before an
    /// `async_start` client connected.
    pub fn cluster_client(&self) -> Option<ClusterClient> {
        self.connected()
    }

    fn connected(&self) -> Option<ClusterClient> {
        match &*self.inner.state.borrow() {
            State::Connected(c) => Some(c.clone()),
            _ => None,
        }
    }

    /// The connected invocation client, or the error a call gets now.
    pub(crate) fn cluster(&self) -> Result<ClusterClient, HazelcastError> {
        match &*self.inner.state.borrow() {
            State::Connected(c) => Ok(c.clone()),
            State::Starting => Err(InvocationError::ClientOffline.into()),
            State::Failed(_) | State::ShutDown => Err(InvocationError::ClientNotActive.into()),
        }
    }

    /// Shuts the client down: closes its CP sessions (the cluster releases the locks and
    /// semaphore permits held in them at once), closes every connection, fails every pending
    /// call with `ClientNotActive` (calls that already had their answer complete normally), ends
    /// the entry listener streams, and sends `ShuttingDown` and `Shutdown`. Idempotent.
    pub async fn shutdown(&self) {
        // CP sessions first, while calls still go out: closing them releases their locks and
        // permits at once.
        if let Some(cc) = self.connected() {
            self.inner.cp_sessions.close_all(&cc).await;
        }
        let previous = self.inner.state.send_replace(State::ShutDown);
        for l in lock(&self.inner.listeners).drain(..) {
            if let Some(l) = l.upgrade() {
                l.close();
            }
        }
        match previous {
            State::Connected(cc) => {
                cc.shutdown().await;
                // Let the forwarder pass on the invocation layer's final events.
                let tasks: Vec<_> = lock(&self.inner.tasks).drain(..).collect();
                for t in tasks {
                    let _ = tokio::time::timeout(Duration::from_secs(1), t).await;
                }
            }
            State::Starting => {
                let _ = self.inner.events.send(ClientEvent::ShuttingDown);
                for t in lock(&self.inner.tasks).drain(..) {
                    t.abort();
                }
                let _ = self.inner.events.send(ClientEvent::Shutdown);
            }
            State::Failed(_) | State::ShutDown => {}
        }
    }

    /// The typed proxy of the map `name`, created on the cluster (`Client.CreateProxy`) the first
    /// time this client asks for it. Keys and values are serialized with
    /// [`ToData`]/[`FromData`] (the official type ids: other clients read them).
    pub async fn get_map<K, V>(&self, name: &str) -> Result<Map<K, V>, HazelcastError>
    where
        K: ToData + FromData,
        V: ToData + FromData,
    {
        Ok(Map::new(ProxyCore::new(self, name, MAP_SERVICE).await?))
    }

    /// The typed proxy of the queue `name`, created on the cluster the first time this client
    /// asks for it. Items are any [`ToData`]/[`FromData`] type (built-ins, `Compact<T>`,
    /// `Json<T>`, `GenericRecord`, `Identified<T>`).
    pub async fn get_queue<T>(&self, name: &str) -> Result<Queue<T>, HazelcastError>
    where
        T: ToData + FromData + Send + 'static,
    {
        Ok(Queue::new(ProxyCore::new(self, name, QUEUE_SERVICE).await?))
    }

    /// The typed proxy of the reliable topic `name` with the default
    /// [`ReliableTopicOptions`], created on the cluster (with its ringbuffer `_hz_rb_<name>`)
    /// the first time this client asks for it. Messages are any [`ToData`]/[`FromData`] type.
    pub async fn get_reliable_topic<T>(&self, name: &str) -> Result<ReliableTopic<T>, HazelcastError>
    where
        T: ToData + FromData + Send + 'static,
    {
        self.get_reliable_topic_with(name, ReliableTopicOptions::default())
            .await
    }

    /// As [`get_reliable_topic`](Self::get_reliable_topic), publishing and listening with
    /// `options` (read batch size, overload policy), which this proxy and its clones keep.
    pub async fn get_reliable_topic_with<T>(
        &self,
        name: &str,
        options: ReliableTopicOptions,
    ) -> Result<ReliableTopic<T>, HazelcastError>
    where
        T: ToData + FromData + Send + 'static,
    {
        let core = ProxyCore::new(self, name, RELIABLE_TOPIC_SERVICE).await?;
        let ringbuffer = self
            .get_ringbuffer(&format!("{RELIABLE_TOPIC_RINGBUFFER_PREFIX}{name}"))
            .await?;
        ReliableTopic::new(core, ringbuffer, options)
    }

    /// The typed proxy of the replicated map `name`, created on the cluster the first time this
    /// client asks for it. Keys and values are any [`ToData`]/[`FromData`] type, as for
    /// [`get_map`](Self::get_map).
    pub async fn get_replicated_map<K, V>(&self, name: &str) -> Result<ReplicatedMap<K, V>, HazelcastError>
    where
        K: ToData + FromData + Send + 'static,
        V: ToData + FromData + Send + 'static,
    {
        Ok(ReplicatedMap::new(
            ProxyCore::new(self, name, REPLICATED_MAP_SERVICE).await?,
        ))
    }

    /// The CP atomic reference `name` (`object` or `object@group`) holding a `T`, after asking
    /// the cluster for its CP group's id. See [`AtomicReference`] for the members that offer it.
    pub async fn get_atomic_reference<T>(&self, name: &str) -> Result<AtomicReference<T>, HazelcastError>
    where
        T: ToData + FromData + Send + 'static,
    {
        AtomicReference::new(self, name).await
    }

    /// The CP count-down latch `name` (`object` or `object@group`).
    pub async fn get_count_down_latch(&self, name: &str) -> Result<CountDownLatch, HazelcastError> {
        CountDownLatch::new(self, name).await
    }

    /// The CP lock `name` (`object` or `object@group`); each call returns a handle with an owner
    /// identity of its own (see [`FencedLock`]).
    pub async fn get_fenced_lock(&self, name: &str) -> Result<FencedLock, HazelcastError> {
        FencedLock::new(self, name).await
    }

    /// The CP semaphore `name` (`object` or `object@group`), session-aware (see [`Semaphore`]).
    pub async fn get_semaphore(&self, name: &str) -> Result<Semaphore, HazelcastError> {
        Semaphore::new(self, name).await
    }

    /// The typed proxy of the topic `name`, created on the cluster the first time this client
    /// asks for it. Messages are any [`ToData`]/[`FromData`] type.
    pub async fn get_topic<T>(&self, name: &str) -> Result<Topic<T>, HazelcastError>
    where
        T: ToData + FromData + Send + 'static,
    {
        Ok(Topic::new(ProxyCore::new(self, name, TOPIC_SERVICE).await?))
    }

    /// The typed proxy of the ringbuffer `name`, created on the cluster the first time this
    /// client asks for it. Items are any [`ToData`]/[`FromData`] type.
    pub async fn get_ringbuffer<T>(&self, name: &str) -> Result<Ringbuffer<T>, HazelcastError>
    where
        T: ToData + FromData + Send + 'static,
    {
        Ok(Ringbuffer::new(
            ProxyCore::new(self, name, RINGBUFFER_SERVICE).await?,
        ))
    }

    /// The flake id generator `name`, created on the cluster the first time this client asks
    /// for it. Each call returns a proxy with its own batch of ids (clone it to share one).
    pub async fn get_flake_id_generator(&self, name: &str) -> Result<FlakeIdGenerator, HazelcastError> {
        Ok(FlakeIdGenerator::new(
            ProxyCore::new(self, name, FLAKE_ID_GENERATOR_SERVICE).await?,
        ))
    }

    /// The PN counter `name`, created on the cluster the first time this client asks for it.
    /// Each call returns a proxy with its own vector clock (clone it to share one).
    pub async fn get_pn_counter(&self, name: &str) -> Result<PnCounter, HazelcastError> {
        Ok(PnCounter::new(
            ProxyCore::new(self, name, PN_COUNTER_SERVICE).await?,
        ))
    }

    /// The CP atomic long `name` (`object` or `object@group`), after asking the cluster for its
    /// CP group's id. See [`AtomicLong`] for the members that offer it.
    pub async fn get_atomic_long(&self, name: &str) -> Result<AtomicLong, HazelcastError> {
        AtomicLong::new(self, name).await
    }

    /// The typed proxy of the list `name`, created on the cluster the first time this client
    /// asks for it. Items are any [`ToData`]/[`FromData`] type, as for
    /// [`get_queue`](Self::get_queue).
    pub async fn get_list<T>(&self, name: &str) -> Result<List<T>, HazelcastError>
    where
        T: ToData + FromData + Send + 'static,
    {
        Ok(List::new(ProxyCore::new(self, name, LIST_SERVICE).await?))
    }

    /// The typed proxy of the set `name`, created on the cluster the first time this client
    /// asks for it. Items are any [`ToData`]/[`FromData`] type, as for
    /// [`get_queue`](Self::get_queue).
    pub async fn get_set<T>(&self, name: &str) -> Result<Set<T>, HazelcastError>
    where
        T: ToData + FromData + Send + 'static,
    {
        Ok(Set::new(ProxyCore::new(self, name, SET_SERVICE).await?))
    }

    /// The typed proxy of the multi-map `name`, created on the cluster the first time this
    /// client asks for it. Keys and values are any [`ToData`]/[`FromData`] type, as for
    /// [`get_map`](Self::get_map).
    pub async fn get_multi_map<K, V>(&self, name: &str) -> Result<MultiMap<K, V>, HazelcastError>
    where
        K: ToData + FromData + Send + 'static,
        V: ToData + FromData + Send + 'static,
    {
        Ok(MultiMap::new(
            ProxyCore::new(self, name, MULTI_MAP_SERVICE).await?,
        ))
    }

    pub(crate) async fn create_proxy(&self, name: &str, service: &str) -> Result<(), HazelcastError> {
        let key = (service.to_owned(), name.to_owned());
        if lock(&self.inner.proxies).contains(&key) {
            return Ok(());
        }
        let cc = self.cluster()?;
        let answer = cc
            .invoke(
                &ClientCreateProxyRequest {
                    name,
                    service_name: service,
                },
                Target::Any,
            )
            .await
            .map_err(|e| self.call_error(e))?;
        ClientCreateProxyResponse::decode(&answer)?;
        lock(&self.inner.proxies).insert(key);
        Ok(())
    }

    pub(crate) async fn destroy_proxy(&self, name: &str, service: &str) -> Result<(), HazelcastError> {
        let cc = self.cluster()?;
        let answer = cc
            .invoke(
                &ClientDestroyProxyRequest {
                    name,
                    service_name: service,
                },
                Target::Any,
            )
            .await
            .map_err(|e| self.call_error(e))?;
        check_type(&answer, ClientDestroyProxyRequest::MESSAGE_TYPE + 1)?;
        lock(&self.inner.proxies).remove(&(service.to_owned(), name.to_owned()));
        Ok(())
    }

    /// The error of a failed call: a call cut off by [`shutdown`](HazelcastClient::shutdown)
    /// fails with `ClientNotActive`, whatever the invocation layer saw (its connection closing).
    pub(crate) fn call_error(&self, e: InvocationError) -> HazelcastError {
        let shut_down = matches!(*self.inner.state.borrow(), State::ShutDown);
        match e {
            InvocationError::TargetDisconnected { .. }
            | InvocationError::NoConnection
            | InvocationError::Timeout { .. }
                if shut_down =>
            {
                InvocationError::ClientNotActive.into()
            }
            other => other.into(),
        }
    }

    /// The client's CP sessions.
    pub(crate) fn cp_sessions(&self) -> &SessionManager {
        &self.inner.cp_sessions
    }

    pub(crate) fn track_listener(&self, registration: Weak<dyn Closeable>) {
        let mut listeners = lock(&self.inner.listeners);
        listeners.retain(|l| l.strong_count() > 0);
        listeners.push(registration);
    }

    /// The client's serialization service (Compact schemas known to the client, factories).
    pub fn serialization(&self) -> &Arc<SerializationService> {
        self.inner.schemas.service()
    }

    /// How many Compact schemas this client sent to the cluster one by one (each new schema
    /// once, before the first record that uses it; schemas sent again in bulk after a cluster
    /// restart are not counted).
    pub fn schemas_sent(&self) -> u64 {
        self.inner.schemas.sent()
    }

    /// Serializes a key or value; the Compact schemas it needs are on the cluster when this
    /// returns.
    pub(crate) async fn write_data<T: ToData + ?Sized>(&self, value: &T) -> Result<Data, HazelcastError> {
        self.inner.schemas.write_data(|| self.cluster(), value).await
    }

    /// Deserializes a key or value, fetching unknown Compact schemas from the cluster.
    pub(crate) async fn read_data<T: FromData>(&self, data: &Data) -> Result<T, HazelcastError> {
        self.inner.schemas.read_data(|| self.cluster(), data).await
    }

    /// The partition id of a serialized key, or `ClientOffline` before the first connection.
    pub(crate) fn partition_of(&self, cc: &ClusterClient, key: &Data) -> Result<i32, HazelcastError> {
        if cc.partition_count() <= 0 {
            return Err(InvocationError::ClientOffline.into());
        }
        Ok(cc.partition_id(key))
    }
}

fn check_type(msg: &hazelcast_codec::ClientMessage, expected: i32) -> Result<(), HazelcastError> {
    hazelcast_codec::messages::check_type(msg, expected).map_err(HazelcastError::from)
}

/// After a switch to a new cluster (whole-cluster restart, replacement), creates again on it the
/// distributed objects this client created, as the official clients do: the new cluster knows
/// nothing of them (they would be missing from its object list and management views). In the
/// background, one `Client.CreateProxy` after the other; a failure is logged and leaves the
/// object to be created by the member on its first use.
fn recreate_proxies(inner: &ClientInner, cc: &ClusterClient) {
    let proxies: Vec<(String, String)> = lock(&inner.proxies).iter().cloned().collect();
    if proxies.is_empty() {
        return;
    }
    let task_cc = cc.clone();
    // A task of the client's: it ends with the client.
    cc.spawn(async move {
        let cc = task_cc;
        for (service, name) in proxies {
            let request = ClientCreateProxyRequest {
                name: &name,
                service_name: &service,
            };
            if let Err(e) = cc.invoke(&request, Target::Any).await {
                tracing::warn!(%service, %name, error = %e, "could not create the object again on the new cluster");
            }
        }
        tracing::info!("distributed objects created again on the new cluster");
    });
}
