//! The client's core (`hazelcast-invocation`: connections, cluster view, invocations,
//! listeners, one lifecycle) against a real 3-member cluster, for the faults of the review in
//! issue #11 that the rewrite fixed:
//!
//! * fault 3: an idle connection's heartbeat writes one ping per interval, not bursts;
//! * fault 6: events are bound to the connection their listener was registered on (a forged
//!   cluster view on another member's connection is ignored) and the handlers go away with
//!   their connection (no growth over reconnects);
//! * fault 7: `add_listener`, `remove_listener` and `ClusterClient::connect` are cancel-safe:
//!   a dropped future leaves no listener, handler, internal call, task or socket behind;
//! * lifecycle: `shutdown` and dropping the last handle end every task and close every socket;
//! * fault 8: a member that authenticates and then goes quiet during the connection's set-up
//!   fails it within the connection timeout (`SetupTimeout`) and is never published;
//! * fault 10: `Duration::MAX` in every duration setting connects and serves calls;
//! * fault 12: `pending_calls` counts user calls only, not a reconnect's authentication.
//!
//! Every test that needs to observe or disturb the traffic runs its own client through its own
//! `FaultProxy`, so the shared cluster is never disturbed.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::client::{
    ClientAddClusterViewListenerMembersViewEvent, ClientAddClusterViewListenerRequest,
    ClientAuthenticationRequest, ClientLocalBackupListenerRequest, ClientPingRequest,
};
use hazelcast_codec::messages::map::{
    MapAddEntryListenerEntryEvent, MapAddEntryListenerRequest, MapAddEntryListenerResponse,
    MapRemoveEntryListenerRequest, entry_event_type,
};
use hazelcast_codec::types::VarList;
use hazelcast_codec::{ClientMessage, CodecError, Uuid};
use hazelcast_integration_tests::{
    Redirected, map_get, map_set, member_index, seeds, shared, start_cluster, wait_for,
};
use hazelcast_invocation::{
    ClusterClient, InvocationConfig, InvocationError, ListenerId, ListenerRegistration, Target,
};
use hazelcast_testkit::proxy::{Condition, Reaction, Rule};
use hazelcast_testkit::{Cluster, ClusterConfig, FaultProxy, SharedCluster};
use tokio::sync::mpsc;

static CLUSTER: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(3).backup_count(1));

const PING_RESPONSE: i32 = ClientPingRequest::MESSAGE_TYPE + 1;
const AUTH_RESPONSE: i32 = ClientAuthenticationRequest::MESSAGE_TYPE + 1;
const ADD_VIEW_LISTENER: i32 = ClientAddClusterViewListenerRequest::MESSAGE_TYPE;
const ADD_VIEW_LISTENER_RESPONSE: i32 = ClientAddClusterViewListenerRequest::MESSAGE_TYPE + 1;
const BACKUP_LISTENER_RESPONSE: i32 = ClientLocalBackupListenerRequest::MESSAGE_TYPE + 1;
const ENTRY_EVENT: i32 = MapAddEntryListenerEntryEvent::MESSAGE_TYPE;

// ------------------------------------------------------------------ helpers

/// A client configuration for `cluster` with quick reconnects.
fn config(cluster: &Cluster) -> InvocationConfig {
    let mut cfg = InvocationConfig::default();
    cfg.cluster_name = cluster.cluster_name().to_owned();
    cfg.invocation_timeout = Duration::from_secs(20);
    cfg.connection_retry.initial = Duration::from_millis(100);
    cfg.connection_retry.max = Duration::from_millis(500);
    cfg
}

/// A client of the shared cluster through its own proxy, connected to every member.
struct Proxied {
    proxy: FaultProxy,
    client: ClusterClient,
    /// Proxy index of each member UUID.
    index: HashMap<Uuid, usize>,
}

impl Proxied {
    /// The UUID of the member at proxy index `m`.
    fn uuid_of(&self, m: usize) -> Uuid {
        *self
            .index
            .iter()
            .find(|(_, i)| **i == m)
            .map(|(u, _)| u)
            .expect("a member at that index")
    }

    /// The id of the client's connection to the member at proxy index `m`.
    fn connection_of(&self, m: usize) -> Option<u64> {
        self.client
            .connections()
            .list
            .iter()
            .find(|c| self.index.get(&c.member) == Some(&m))
            .map(|c| c.id())
    }
}

/// Starts a proxy to the shared cluster (with `rules` set before the client connects: request
/// rules, response rules) and connects a client through it.
async fn proxied(
    request_rules: Vec<Rule>,
    response_rules: Vec<Rule>,
    tweak: impl FnOnce(&mut InvocationConfig),
) -> Proxied {
    let cluster = shared(&CLUSTER).await;
    let proxy = FaultProxy::start(&cluster.addresses()).await.expect("proxy");
    proxy.set_request_rules(request_rules);
    proxy.set_response_rules(response_rules);
    let mut cfg = config(cluster);
    tweak(&mut cfg);
    let client = ClusterClient::connect(cfg, Redirected::new(&cluster.addresses(), &proxy.addresses()))
        .await
        .expect("connect");
    wait_for("a connection per member", Duration::from_secs(20), || {
        client.connections().list.len() == 3
    })
    .await;
    let index = member_index(&client, &cluster.addresses());
    Proxied { proxy, client, index }
}

/// Polls a future exactly `n` times (with the runtime's waker) and then drops it; `Some` when
/// it completed within those polls.
struct PollN<F: Future> {
    inner: Pin<Box<F>>,
    left: usize,
}

fn poll_n<F: Future>(fut: F, n: usize) -> PollN<F> {
    assert!(n > 0);
    PollN {
        inner: Box::pin(fut),
        left: n,
    }
}

impl<F: Future> Future for PollN<F> {
    type Output = Option<F::Output>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.inner.as_mut().poll(cx) {
            Poll::Ready(v) => Poll::Ready(Some(v)),
            Poll::Pending => {
                self.left -= 1;
                if self.left == 0 {
                    Poll::Ready(None)
                } else {
                    Poll::Pending
                }
            }
        }
    }
}

/// A map entry listener (added and updated entries) that counts its events.
struct CountingListener {
    map: String,
    events: Arc<AtomicUsize>,
}

impl CountingListener {
    fn registration(map: &str, events: &Arc<AtomicUsize>) -> Arc<dyn ListenerRegistration> {
        Arc::new(CountingListener {
            map: map.to_owned(),
            events: events.clone(),
        })
    }
}

impl ListenerRegistration for CountingListener {
    fn encode_add(&self, local_only: bool) -> ClientMessage {
        MapAddEntryListenerRequest {
            include_value: false,
            listener_flags: entry_event_type::ADDED | entry_event_type::UPDATED,
            local_only,
            name: &self.map,
        }
        .encode(-1)
    }
    fn decode_add_response(&self, msg: &ClientMessage) -> Result<Uuid, CodecError> {
        Ok(MapAddEntryListenerResponse::decode(msg)?.response)
    }
    fn encode_remove(&self, server_registration_id: Uuid) -> ClientMessage {
        MapRemoveEntryListenerRequest {
            registration_id: server_registration_id,
            name: &self.map,
        }
        .encode(-1)
    }
    fn on_event(&self, _event: ClientMessage) {
        self.events.fetch_add(1, Ordering::SeqCst);
    }
}

/// Sockets of this process's network namespace connected to one of `ports` (the client side of
/// a connection to a proxy listener) and not closed by their owner: SYN_SENT, ESTABLISHED or
/// CLOSE_WAIT. The ports are a test's own proxy's, so no other test's sockets count.
fn open_sockets_to(ports: &HashSet<u16>) -> usize {
    let table = std::fs::read_to_string("/proc/self/net/tcp").expect("/proc/self/net/tcp");
    table
        .lines()
        .skip(1)
        .filter(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(remote), Some(state)) = (fields.get(2), fields.get(3)) else {
                return false;
            };
            let port = remote
                .rsplit(':')
                .next()
                .and_then(|p| u16::from_str_radix(p, 16).ok());
            port.is_some_and(|p| ports.contains(&p)) && matches!(*state, "01" | "02" | "08")
        })
        .count()
}

fn ports_of(proxy: &FaultProxy) -> HashSet<u16> {
    proxy.addresses().iter().map(SocketAddr::port).collect()
}

/// Tasks alive on the current runtime (the test's own: each test has its runtime).
fn alive_tasks() -> usize {
    tokio::runtime::Handle::current().metrics().num_alive_tasks()
}

/// Waits until the runtime's task count and the sockets to `ports` are back to a baseline.
async fn wait_back_to(what: &str, tasks: usize, sockets: usize, ports: &HashSet<u16>) {
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        let (t, s) = (alive_tasks(), open_sockets_to(ports));
        if t <= tasks && s <= sockets {
            return;
        }
        assert!(
            Instant::now() < end,
            "{what}: {t} tasks (baseline {tasks}) and {s} sockets (baseline {sockets}) after 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until no listener, extra handler or internal call is left.
async fn wait_clean(what: &str, client: &ClusterClient, handlers: usize) {
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        let s = client.stats();
        if s.user_listeners == 0 && s.event_handlers == handlers && s.internal_calls == 0 {
            return;
        }
        assert!(
            Instant::now() < end,
            "{what}: not clean after 10 s: {s:?} (baseline handlers {handlers})"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// ------------------------------------------------------------------ fault 3: heartbeat

/// Fault 3: the heartbeat counted the next ping from the last *write*, and queuing a ping does
/// not move `last_write` until the writer has written it, so every wake-up in between queued
/// another ping: the seed wrote ~1,152 messages per connection in 2 s of idleness with a 200 ms
/// interval. Now a ping is due one interval after the later of the last write and the last
/// ping: about 10 per connection in 2 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_writes_one_ping_per_interval() {
    let cluster = shared(&CLUSTER).await;
    let mut cfg = config(cluster);
    cfg.heartbeat_interval = Duration::from_millis(200);
    cfg.heartbeat_timeout = Duration::from_secs(600);
    let client = ClusterClient::connect(cfg, seeds(cluster))
        .await
        .expect("connect");
    wait_for("a connection per member", Duration::from_secs(20), || {
        client.connections().list.len() == 3
    })
    .await;
    let written = |client: &ClusterClient| -> HashMap<u64, u64> {
        client
            .connections()
            .list
            .iter()
            .map(|c| (c.id(), c.connection.stats().messages_written))
            .collect()
    };
    let before = written(&client);
    // A measurement window, not a wait for a condition.
    let window = Duration::from_secs(2);
    tokio::time::sleep(window).await;
    let after = written(&client);
    assert_eq!(before.len(), 3);
    for (id, b) in &before {
        let a = after.get(id).expect("the connection is still open");
        let pings = a - b;
        eprintln!("connection {id}: {pings} messages written in {window:?} of idleness");
        assert!(
            pings <= 20,
            "connection {id}: {pings} messages in {window:?}, expected about 10"
        );
        assert!(
            pings >= 3,
            "connection {id}: {pings} messages in {window:?}: the heartbeat pings"
        );
    }
    client.shutdown().await;
}

// ------------------------------------------------------------------ fault 6: events per connection

/// Fault 6 (events bound to their connection): the seed kept one global table of event
/// handlers keyed by correlation id, so a `MembersView` event carrying the cluster-view
/// listener's correlation id was applied from *any* connection: a member could rewrite the
/// client's member list through a registration it never received. Here a forged view (higher
/// version, one unknown member) on another member's connection is ignored, while the same
/// forgery on the listener's own connection is applied (so the forged event is well-formed and
/// carries the right id).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_view_event_on_another_connection_is_ignored() {
    let mut registrations = Vec::new();
    let feedback: Vec<Rule> = (0..3)
        .map(|m| {
            let (tx, rx) = mpsc::unbounded_channel::<ClientMessage>();
            registrations.push(rx);
            Rule::new(
                Condition::MessageType(ADD_VIEW_LISTENER).and(Condition::Member(m)),
                Reaction::Pass,
            )
            .with_feedback(tx)
        })
        .collect();
    // No heartbeat ping in the way of the ping answers the forgeries travel with.
    let s = proxied(feedback, Vec::new(), |cfg| {
        cfg.heartbeat_interval = Duration::from_secs(600);
        cfg.heartbeat_timeout = Duration::from_secs(1200);
    })
    .await;
    let mut seen = Vec::new();
    for (m, rx) in registrations.iter_mut().enumerate() {
        while let Ok(msg) = rx.try_recv() {
            seen.push((m, msg.correlation_id()));
        }
    }
    assert_eq!(seen.len(), 1, "one cluster-view listener registration: {seen:?}");
    let (view_member, view_correlation) = seen[0];
    let before = s.client.snapshot().members;
    assert_eq!(before.members.len(), 3);
    let real: Vec<Uuid> = before.members.iter().map(|m| m.uuid).collect();
    let mut bogus = before.members[0].clone();
    bogus.uuid = Uuid::new_v4();
    let forged_version = before.version + 10;
    let forge_on = |member: usize, members: Vec<hazelcast_codec::custom::MemberInfo>| {
        let (dtx, drx) = mpsc::unbounded_channel();
        let event = ClientAddClusterViewListenerMembersViewEvent::new(forged_version, VarList(members))
            .encode(view_correlation);
        s.proxy.set_response_rules(vec![
            Rule::new(
                Condition::MessageType(PING_RESPONSE)
                    .and(Condition::Member(member))
                    .and(Condition::Times(1)),
                Reaction::transform(move |answer: ClientMessage| {
                    let mut both = BytesMut::new();
                    both.extend_from_slice(event.as_bytes());
                    both.extend_from_slice(answer.as_bytes());
                    ClientMessage::from_bytes(both.freeze()).expect("whole frames")
                }),
            )
            .with_delivery_feedback(dtx),
        ]);
        drx
    };

    let connections: Vec<u64> = s.client.connections().list.iter().map(|c| c.id()).collect();
    let mut client_events = s.client.subscribe();

    // The forgery on another member's connection.
    let other = (view_member + 1) % 3;
    let mut delivered = forge_on(other, vec![bogus.clone()]);
    // The event travels ahead of this ping's answer on the same connection, so it has been
    // handled when the answer is.
    s.client
        .invoke(&ClientPingRequest {}, Target::Member(s.uuid_of(other)))
        .await
        .expect("ping");
    tokio::time::timeout(Duration::from_secs(5), delivered.recv())
        .await
        .expect("the forged event was delivered")
        .expect("feedback");
    let end = Instant::now() + Duration::from_millis(300);
    while Instant::now() < end {
        let now = s.client.snapshot().members;
        assert_eq!(
            now.version, before.version,
            "the forged view's version was not applied"
        );
        assert_eq!(
            now.members.iter().map(|m| m.uuid).collect::<Vec<_>>(),
            real,
            "the member list is unchanged"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Applied, it would have removed every member (and closed their connections) until a new
    // cluster-view listener restored the list: the connections and events tell.
    assert_eq!(
        s.client
            .connections()
            .list
            .iter()
            .map(|c| c.id())
            .collect::<Vec<_>>(),
        connections,
        "no connection was closed"
    );
    assert!(
        matches!(
            client_events.try_recv(),
            Err(tokio::sync::broadcast::error::TryRecvError::Empty)
        ),
        "no membership or connection event"
    );

    // The same forgery (with the real members) on the listener's own connection is applied.
    let mut delivered = forge_on(view_member, before.members.clone());
    s.client
        .invoke(&ClientPingRequest {}, Target::Member(s.uuid_of(view_member)))
        .await
        .expect("ping");
    tokio::time::timeout(Duration::from_secs(5), delivered.recv())
        .await
        .expect("the forged event was delivered")
        .expect("feedback");
    wait_for(
        "the view from the listener's connection",
        Duration::from_secs(5),
        || s.client.snapshot().members.version == forged_version,
    )
    .await;
    assert_eq!(
        s.client
            .snapshot()
            .members
            .members
            .iter()
            .map(|m| m.uuid)
            .collect::<Vec<_>>(),
        real
    );
    assert_eq!(
        s.client
            .connections()
            .list
            .iter()
            .map(|c| c.id())
            .collect::<Vec<_>>(),
        connections
    );
    assert!(matches!(
        client_events.try_recv(),
        Err(tokio::sync::broadcast::error::TryRecvError::Empty)
    ));
    s.proxy.clear_rules();
    map_set(&s.client, "core-view", "k", 1).await.expect("usable");
    s.client.shutdown().await;
}

/// Fault 6 (handlers go with their connection): the seed's global handler table kept the
/// backup-acknowledgement (and view) handlers of a closed connection, and each reconnect added
/// new ones: one leaked handler per reconnect. Here three cut/reconnect cycles of member 2 (and
/// one of the view listener's member) leave the handler count where it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_handlers_go_away_with_their_connection() {
    let s = proxied(Vec::new(), Vec::new(), |_| {}).await;
    // Members assign the partitions on the first partition operation: without this call the
    // test depended on another test of the binary having made one first.
    map_set(&s.client, "core-handlers", "first", 0)
        .await
        .expect("a first call");
    wait_for("the cluster view", Duration::from_secs(20), || {
        s.client.snapshot().partitions.owners.iter().flatten().count() == 271
    })
    .await;
    let baseline = s.client.stats().event_handlers;
    // A backup-acknowledgement handler per connection and the cluster-view listener's.
    assert_eq!(baseline, 4, "{:?}", s.client.stats());
    // Member 2 three times, then the others (one of them carries the cluster-view listener,
    // unless member 2 does).
    for (cycle, m) in [2, 2, 2, 0, 1].into_iter().enumerate() {
        let old = s.connection_of(m).expect("a connection to the member");
        s.proxy.cut_member(m);
        wait_for("a new connection to the member", Duration::from_secs(20), || {
            s.connection_of(m).is_some_and(|c| c != old) && s.client.connections().list.len() == 3
        })
        .await;
        let end = Instant::now() + Duration::from_secs(10);
        while s.client.stats().event_handlers != baseline {
            assert!(
                Instant::now() < end,
                "cycle {cycle}: {} handlers, {baseline} before",
                s.client.stats().event_handlers
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        eprintln!("cycle {cycle} (member {m}): {:?}", s.client.stats());
    }
    map_set(&s.client, "core-handlers", "k", 1).await.expect("usable");
    s.client.shutdown().await;
}

// ------------------------------------------------------------------ fault 7: cancel-safety

/// Fault 7 (`add_listener` cancel-safety): the seed inserted the listener and registered it
/// connection by connection inside the caller's future; dropping it mid-way left the listener
/// in the registry, its handlers on the connections and its registrations on the members (they
/// kept sending events). Here the future is dropped after 1, 2, … polls and after increasing
/// short timeouts: each time the listener, its handlers and the client's calls go away, and
/// finally no member sends an event to any of the dropped registrations.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_listener_dropped_midway_leaves_nothing_behind() {
    let (etx, mut erx) = mpsc::unbounded_channel();
    let s = proxied(
        Vec::new(),
        vec![Rule::new(Condition::MessageType(ENTRY_EVENT), Reaction::Pass).with_feedback(etx)],
        |_| {},
    )
    .await;
    let map = "core-add-cancel";
    let baseline = s.client.stats().event_handlers;
    let dropped_events = Arc::new(AtomicUsize::new(0));
    let mut dropped = 0;
    let mut completed = None;
    for k in 1..=50 {
        let add = s
            .client
            .add_listener(CountingListener::registration(map, &dropped_events));
        match poll_n(add, k).await {
            None => {
                dropped += 1;
                wait_clean(&format!("dropped after {k} polls"), &s.client, baseline).await;
            }
            Some(result) => {
                completed = Some(result.expect("add_listener"));
                break;
            }
        }
    }
    let id = completed.expect("add_listener completes within 50 polls");
    assert!(s.client.remove_listener(id).await);
    wait_clean("removed", &s.client, baseline).await;
    for micros in [
        0u64, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000,
    ] {
        let add = s
            .client
            .add_listener(CountingListener::registration(map, &dropped_events));
        match tokio::time::timeout(Duration::from_micros(micros), add).await {
            Err(_) => {
                dropped += 1;
                wait_clean(&format!("dropped after {micros} µs"), &s.client, baseline).await;
            }
            Ok(result) => {
                let id = result.expect("add_listener");
                assert!(s.client.remove_listener(id).await);
                wait_clean("removed", &s.client, baseline).await;
                break;
            }
        }
    }
    eprintln!("{dropped} add_listener futures dropped midway");
    assert!(
        dropped >= 1,
        "at least one future was dropped before it completed"
    );

    // Member side: a control listener gets its events, the dropped ones none, and the members
    // sent no event but the control listener's.
    let (sent, control) = control_listener(&s.client, map, &mut erx).await;
    assert_eq!(
        dropped_events.load(Ordering::SeqCst),
        0,
        "no event reached a dropped listener"
    );
    assert_eq!(sent, 10, "the members sent events to the control listener only");
    assert!(s.client.remove_listener(control).await);
    wait_clean("control removed", &s.client, baseline).await;
    s.client.shutdown().await;
}

/// Adds a control listener to `map`, makes 10 changes and waits for its 10 events; returns how
/// many entry events the members sent meanwhile (seen by the proxy on `events`) and the
/// control listener's id.
async fn control_listener(
    client: &ClusterClient,
    map: &str,
    events: &mut mpsc::UnboundedReceiver<ClientMessage>,
) -> (usize, ListenerId) {
    while events.try_recv().is_ok() {}
    let control_events = Arc::new(AtomicUsize::new(0));
    let control = client
        .add_listener(CountingListener::registration(map, &control_events))
        .await
        .expect("control listener");
    for i in 0..10 {
        map_set(client, map, &format!("k{i}"), i).await.expect("set");
    }
    wait_for("the control listener's events", Duration::from_secs(10), || {
        control_events.load(Ordering::SeqCst) == 10
    })
    .await;
    let mut sent = 0;
    while events.try_recv().is_ok() {
        sent += 1;
    }
    (sent, control)
}

/// Fault 7 (`remove_listener` cancel-safety): the seed deregistered inside the caller's
/// future, so dropping it after its first poll left registrations on the members (and, before
/// the handler was removed, the handler). Here the listener is gone at once on the client, and
/// the deregistrations complete as a task of the client: the members send no more events.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remove_listener_dropped_after_its_first_poll_still_removes() {
    let (etx, mut erx) = mpsc::unbounded_channel();
    let s = proxied(
        Vec::new(),
        vec![Rule::new(Condition::MessageType(ENTRY_EVENT), Reaction::Pass).with_feedback(etx)],
        |_| {},
    )
    .await;
    let map = "core-remove-cancel";
    let baseline = s.client.stats().event_handlers;
    let removed_events = Arc::new(AtomicUsize::new(0));
    let id = s
        .client
        .add_listener(CountingListener::registration(map, &removed_events))
        .await
        .expect("add_listener");
    assert_eq!(s.client.stats().user_listeners, 1);
    assert_eq!(
        s.client.stats().event_handlers,
        baseline + 3,
        "one per connection"
    );
    map_set(&s.client, map, "before", 0).await.expect("set");
    wait_for("the listener works", Duration::from_secs(10), || {
        removed_events.load(Ordering::SeqCst) == 1
    })
    .await;
    let tasks = s.client.stats().tasks;
    assert!(
        poll_n(s.client.remove_listener(id), 1).await.is_none(),
        "the removal waits for the deregistrations"
    );
    wait_clean("remove_listener dropped", &s.client, baseline).await;
    // The client forgets the listener at once; its deregistrations are a task of the client,
    // which may not even have sent them yet (under load): wait for that task to end.
    wait_for("the deregistration task", Duration::from_secs(10), || {
        s.client.stats().tasks <= tasks
    })
    .await;

    let (sent, control) = control_listener(&s.client, map, &mut erx).await;
    assert_eq!(
        removed_events.load(Ordering::SeqCst),
        1,
        "no event after the removal"
    );
    assert_eq!(sent, 10, "the members deregistered the removed listener");
    assert!(s.client.remove_listener(control).await);
    s.client.shutdown().await;
}

/// Fault 7 (`connect` cancel-safety): the seed spawned its tasks (readers, heartbeats, the
/// member dialler) detached, and the client it was building was not shut down when the
/// `connect` future was dropped: tasks and sockets stayed. Here `connect` is dropped after 1,
/// 2, … polls (until it completes) and after increasing timeouts (with slow authentications and
/// a member that never answers its authentication, so that some land while the other members
/// are dialled: the seed's dial tasks held the client and retried that member forever); each
/// time the runtime's tasks and the sockets to the proxy return to the baseline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_dropped_midway_leaves_no_task_or_socket() {
    let cluster = shared(&CLUSTER).await;
    let proxy = FaultProxy::start(&cluster.addresses()).await.expect("proxy");
    let ports = ports_of(&proxy);
    let addresses = Redirected::new(&cluster.addresses(), &proxy.addresses());
    let (tasks, sockets) = (alive_tasks(), open_sockets_to(&ports));
    assert_eq!(sockets, 0);
    let mut dropped = 0;
    let mut completed = false;
    for k in 1..=200 {
        match poll_n(ClusterClient::connect(config(cluster), addresses.clone()), k).await {
            None => {
                dropped += 1;
                wait_back_to(
                    &format!("connect dropped after {k} polls"),
                    tasks,
                    sockets,
                    &ports,
                )
                .await;
            }
            Some(client) => {
                let client = client.expect("connect");
                eprintln!("connect completed in {k} polls");
                client.shutdown().await;
                drop(client);
                wait_back_to("after shutdown", tasks, sockets, &ports).await;
                completed = true;
                break;
            }
        }
    }
    assert!(completed, "connect completes within 200 polls");
    // Slow authentications stretch the connect over several hundred milliseconds, and member 2
    // never answers its authentication (the member dialler retries it): the timeouts also land
    // while the members other than the first are being dialled.
    proxy.set_response_rules(vec![
        Rule::new(
            Condition::MessageType(AUTH_RESPONSE).and(Condition::Member(2)),
            Reaction::Drop,
        ),
        Rule::new(
            Condition::MessageType(AUTH_RESPONSE),
            Reaction::Delay(Duration::from_millis(150)),
        ),
    ]);
    let mut cfg = config(cluster);
    cfg.connection.connect_timeout = Duration::from_secs(1);
    for millis in [
        1u64, 2, 5, 10, 20, 50, 100, 200, 250, 300, 350, 400, 500, 700, 1_000, 1_500, 3_000,
    ] {
        let connect = ClusterClient::connect(cfg.clone(), addresses.clone());
        match tokio::time::timeout(Duration::from_millis(millis), connect).await {
            Err(_) => {
                dropped += 1;
                wait_back_to(
                    &format!("connect dropped after {millis} ms"),
                    tasks,
                    sockets,
                    &ports,
                )
                .await;
            }
            Ok(client) => {
                client.expect("connect").shutdown().await;
                wait_back_to("after shutdown", tasks, sockets, &ports).await;
                break;
            }
        }
    }
    eprintln!("{dropped} connect futures dropped midway");
    assert!(dropped >= 2);
    proxy.shutdown().await;
}

// ------------------------------------------------------------------ lifecycle

/// Connects through a fresh proxy whose member 2 never answers its authentication (so the
/// member dialler keeps retrying it, a set-up in flight), uses the client (calls, a listener),
/// then ends it with `end`; the runtime's tasks and the sockets must return to what they were
/// before.
async fn ends_cleanly(end: impl AsyncFnOnce(ClusterClient)) {
    let cluster = shared(&CLUSTER).await;
    let proxy = FaultProxy::start(&cluster.addresses()).await.expect("proxy");
    proxy.set_response_rules(vec![Rule::new(
        Condition::MessageType(AUTH_RESPONSE).and(Condition::Member(2)),
        Reaction::Drop,
    )]);
    let ports = ports_of(&proxy);
    let (tasks, sockets) = (alive_tasks(), open_sockets_to(&ports));
    let mut cfg = config(cluster);
    cfg.connection.connect_timeout = Duration::from_secs(1);
    let client = ClusterClient::connect(cfg, Redirected::new(&cluster.addresses(), &proxy.addresses()))
        .await
        .expect("connect");
    wait_for("connections to members 0 and 1", Duration::from_secs(20), || {
        client.connections().list.len() == 2
    })
    .await;
    let events = Arc::new(AtomicUsize::new(0));
    client
        .add_listener(CountingListener::registration("core-lifecycle", &events))
        .await
        .expect("listener");
    map_set(&client, "core-lifecycle", "k", 1).await.expect("set");
    assert_eq!(
        map_get::<i32>(&client, "core-lifecycle", "k").await.expect("get"),
        Some(1)
    );
    assert!(open_sockets_to(&ports) >= sockets + 2);
    assert!(alive_tasks() > tasks);
    end(client).await;
    wait_back_to("after the client ended", tasks, sockets, &ports).await;
    proxy.shutdown().await;
}

/// Lifecycle: `shutdown` ends every task of the client, the dialling of a silent member
/// included, and closes its sockets (on a current-thread runtime). The seed's tasks were
/// spawned detached, none owned by the client.
#[tokio::test(flavor = "current_thread")]
async fn shutdown_ends_every_task_and_socket() {
    ends_cleanly(async |client: ClusterClient| client.shutdown().await).await;
}

/// Lifecycle: dropping the last handle without `shutdown` shuts the client down too (on a
/// multi-thread runtime). The seed had no `Drop` that shut it down: its member-dial task held the
/// client and retried the silent member forever, keeping the client, its connections and
/// heartbeats alive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_last_handle_ends_every_task_and_socket() {
    ends_cleanly(async |client: ClusterClient| {
        let clone = client.clone();
        drop(client);
        assert!(clone.is_active(), "a clone keeps the client alive");
        drop(clone);
    })
    .await;
}

// ------------------------------------------------------------------ fault 8: silent set-up

/// Connects through a proxy to `cluster` that drops every answer of type `dropped`: `connect`
/// must fail with `ClusterUnreachable` whose last error is `SetupTimeout`, within the budget,
/// and leave no connection open.
async fn silent_during_setup(cluster: &Cluster, dropped: i32) {
    let proxy = FaultProxy::start(&cluster.addresses()).await.expect("proxy");
    let (tx, mut rx) = mpsc::unbounded_channel();
    proxy.set_response_rules(vec![
        Rule::new(Condition::MessageType(dropped), Reaction::Drop).with_feedback(tx),
    ]);
    let mut cfg = config(cluster);
    cfg.connection.connect_timeout = Duration::from_secs(1);
    cfg.invocation_timeout = Duration::from_secs(60);
    cfg.cluster_connect_timeout = Some(Duration::from_secs(3));
    let began = Instant::now();
    let result = tokio::time::timeout(
        Duration::from_secs(20),
        ClusterClient::connect(cfg, Redirected::new(&cluster.addresses(), &proxy.addresses())),
    )
    .await
    .expect("connect ends within 20 s");
    let took = began.elapsed();
    let authentications = proxy.stats().requests(ClientAuthenticationRequest::MESSAGE_TYPE);
    match result {
        Err(InvocationError::ClusterUnreachable { last, tried, .. }) => match last.as_deref() {
            Some(InvocationError::SetupTimeout { timeout, .. }) => {
                assert_eq!(*timeout, Duration::from_secs(1));
                eprintln!("{dropped:#08x} dropped: unreachable after {took:?}, tried {tried:?}");
            }
            other => panic!("{dropped:#08x} dropped: last error {other:?}, expected SetupTimeout"),
        },
        Err(e) => panic!("{dropped:#08x} dropped: {e:?}, expected ClusterUnreachable"),
        Ok(client) => panic!(
            "{dropped:#08x} dropped: connected after {took:?} without a completed set-up: {:?}, \
             member list version {}",
            client.stats(),
            client.snapshot().members.version
        ),
    }
    assert!(rx.try_recv().is_ok(), "the proxy dropped an answer");
    assert!(authentications >= 1, "members were asked to authenticate");
    assert!(took < Duration::from_secs(15), "{took:?}");
    // Nothing was published: every proxied connection is closed.
    wait_for("every proxied connection closed", Duration::from_secs(10), || {
        proxy.connections() == 0
    })
    .await;
    proxy.shutdown().await;
}

/// Fault 8: a member that authenticates and then never answers the backup-listener
/// registration (or, second case, the cluster-view listener registration). The seed waited for
/// it up to twice the invocation timeout (here 120 s) and then published the connection anyway;
/// now the whole set-up runs within the connection timeout (1 s) and a timed-out connection is
/// never published. A 1-member cluster of its own: with more members, the second case hits the
/// bug that [`a_silent_view_registration_leaves_no_client_without_a_view_listener`] reproduces.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_silent_after_authentication_fails_the_setup() {
    let cluster = start_cluster(ClusterConfig::new().members(1)).await;
    silent_during_setup(&cluster, BACKUP_LISTENER_RESPONSE).await;
    silent_during_setup(&cluster, ADD_VIEW_LISTENER_RESPONSE).await;
}

/// Fault 8 on 3 members, the cluster-view registration unanswered everywhere. Failed with the
/// first version of the rewrite: the first connection's set-up registers the view listener,
/// whose handler is live from the moment the request is sent; the member's views arrive ahead
/// of the (dropped) answer and are applied, so the member dialler connects to the two other
/// members while that set-up is still running. Their connections skip the view listener (the
/// failing connection holds the claim) and are published; the first set-up then times out
/// (`SetupTimeout`), the connect procedure's next candidate meets `DuplicateConnection` with
/// connections published and `connect` returns `Ok` after ~2 s: a client with 2 connections,
/// `event_handlers == 2` (backup listeners only) and a member list taken from a connection that
/// was never published and is closed. Nothing registered the view listener on the published
/// connections. Now a member list from a connection still being set up dials nothing, and a
/// failed set-up that held the view listener's claim moves it to a published connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_view_registration_leaves_no_client_without_a_view_listener() {
    let cluster = shared(&CLUSTER).await;
    silent_during_setup(cluster, ADD_VIEW_LISTENER_RESPONSE).await;
}

// ------------------------------------------------------------------ fault 10: huge durations

/// Fault 10: the seed computed deadlines as `Instant::now() + duration` and panicked on
/// overflow with `Duration::MAX` ("overflow when adding duration to instant"). Now a duration
/// too large for an `Instant` means "no deadline".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duration_max_everywhere_connects_and_serves() {
    let cluster = shared(&CLUSTER).await;
    let mut cfg = config(cluster);
    cfg.invocation_timeout = Duration::MAX;
    cfg.heartbeat_interval = Duration::MAX;
    cfg.heartbeat_timeout = Duration::MAX;
    cfg.operation_backup_timeout = Duration::MAX;
    cfg.connection.connect_timeout = Duration::MAX;
    cfg.invocation_retry_pause = Duration::MAX;
    cfg.connection_retry.max = Duration::MAX;
    let client = ClusterClient::connect(cfg, seeds(cluster))
        .await
        .expect("connect");
    wait_for("a connection per member", Duration::from_secs(20), || {
        client.connections().list.len() == 3
    })
    .await;
    for i in 0..20 {
        let key = format!("k{i}");
        map_set(&client, "core-max", &key, i).await.expect("set");
        assert_eq!(
            map_get::<i32>(&client, "core-max", &key).await.expect("get"),
            Some(i)
        );
    }
    client.shutdown().await;
}

// ------------------------------------------------------------------ fault 12: pending_calls

/// Fault 12: the seed counted every call in flight in `pending_calls`, the client's own
/// included, so a reconnect's authentication made an idle client report a pending call (the
/// flaky end of `hostile::garbage_mid_stream_closes_only_that_connection`). Here member 2's
/// authentication answers are dropped while it reconnects: an internal call is in flight and
/// `pending_calls` stays 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_calls_do_not_count_a_reconnects_authentication() {
    let s = proxied(Vec::new(), Vec::new(), |cfg| {
        cfg.connection.connect_timeout = Duration::from_secs(10);
    })
    .await;
    map_set(&s.client, "core-pending", "k", 1).await.expect("set");
    assert_eq!(s.client.pending_calls(), 0);
    let (tx, mut rx) = mpsc::unbounded_channel();
    s.proxy.set_response_rules(vec![
        Rule::new(
            Condition::MessageType(AUTH_RESPONSE).and(Condition::Member(2)),
            Reaction::Drop,
        )
        .with_feedback(tx),
    ]);
    let old = s.connection_of(2).expect("a connection to member 2");
    s.proxy.cut_member(2);
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("member 2 was asked to authenticate again")
        .expect("feedback");
    wait_for("an authentication in flight", Duration::from_secs(5), || {
        s.client.stats().internal_calls >= 1
    })
    .await;
    let stats = s.client.stats();
    assert_eq!(s.client.pending_calls(), 0, "{stats:?}");
    assert_eq!(stats.pending_calls, 0, "{stats:?}");
    s.proxy.clear_rules();
    wait_for("member 2 reconnected", Duration::from_secs(30), || {
        s.connection_of(2).is_some_and(|c| c != old)
    })
    .await;
    assert_eq!(s.client.pending_calls(), 0);
    s.client.shutdown().await;
}
