//! A frame-aware fault-injection TCP proxy for Hazelcast connections, and a hostile server.
//!
//! [`FaultProxy`] sits between a client and real members, in the manner of scylla-proxy: it
//! listens on one loopback port per member, forwards every accepted connection to the member's
//! real address, and cuts both directions into whole [`ClientMessage`]s so that [`Rule`]s can
//! drop, delay, forge, rewrite or cut on chosen messages. [`HostileServer`] plays a member that
//! misbehaves at the byte level (garbage, oversized or endless frames, slow answers, …).
//!
//! # Semantics
//!
//! * The first 3 bytes a client sends (the `CP2` preamble) are forwarded unchanged; after them,
//!   both directions are decoded with [`MessageDecoder`] under generous limits
//!   ([`PROXY_DECODER_LIMITS`]). A fragmented message is reassembled and forwarded as one
//!   unfragmented message. Bytes the decoder rejects close the connection.
//! * Request rules ([`FaultProxy::set_request_rules`]) see client→member messages, response rules
//!   ([`FaultProxy::set_response_rules`]) member→client messages (responses and events). Rules are
//!   evaluated in order for each message; the first whose [`Condition`] holds applies its
//!   [`Reaction`]; when none holds the message passes. Rules apply to every connection of every
//!   member; [`Condition::Member`] and [`Condition::ConnectionSeq`] narrow them. Replacing the
//!   rules takes effect from the next message, also on open connections.
//! * [`Reaction::Delay`] stalls its direction (head-of-line): messages behind it keep their order.
//! * When either side closes, what was already read from it is delivered to the other side, whose
//!   connection is then closed too. A read error, a decode error or a cut closes both at once.
//! * The proxy reads without back-pressure (unbounded queues): it is for tests, not for volume.
//! * Dropping the [`FaultProxy`] (or [`FaultProxy::shutdown`]) closes the listeners and every
//!   proxied connection.
//!
//! # Example
//!
//! ```no_run
//! use std::time::Duration;
//! use hazelcast_testkit::proxy::{Condition, FaultProxy, Reaction, Rule};
//!
//! # async fn example(member: std::net::SocketAddr) -> std::io::Result<()> {
//! let proxy = FaultProxy::start(&[member]).await?;
//! // Connect the client to proxy.address(0) instead of the member, then:
//! let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
//! proxy.set_response_rules(vec![
//!     // Lose every Map.Get answer, and tell the test about it.
//!     Rule::new(Condition::MessageType(0x010201), Reaction::Drop).with_feedback(tx),
//! ]);
//! let lost = rx.recv().await; // a Map.Get answer the client will never see
//! # let _ = lost;
//! proxy.set_response_rules(Vec::new()); // back to normal for the next messages
//! # Ok(()) }
//! ```

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use hazelcast_codec::{ClientMessage, DecoderLimits, MessageDecoder, PROTOCOL_PREAMBLE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::{JoinHandle, JoinSet};

mod hostile;
mod rules;

pub use hostile::{HostileBehaviour, HostileServer, Trigger, UNKNOWN_MESSAGE_TYPE};
pub use rules::{Condition, ForgeFn, Reaction, Rule, TransformFn, error_response, forge_error_response};

use rules::ConnectionInfo;

/// Decoder limits of the proxy: far above what any test sends, so that the proxy never rejects
/// what a client or member would accept.
pub const PROXY_DECODER_LIMITS: DecoderLimits = DecoderLimits {
    max_frame_size: 512 * 1024 * 1024,
    max_message_size: 1024 * 1024 * 1024,
    max_pending_fragmented: 4096,
    max_fragmented_bytes: 1024 * 1024 * 1024,
};

/// How long the proxy tries to connect to a member before it closes the client's connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Read buffer growth step.
const READ_CHUNK: usize = 64 * 1024;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Traffic counters of one member's listener.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MemberStats {
    /// Connections accepted so far.
    pub connections_accepted: usize,
    /// Requests forwarded to the member, by message type (passed, delayed or transformed ones;
    /// a transformed request counts under the type it was given).
    pub requests_forwarded: BTreeMap<i32, u64>,
    /// Responses (non-event messages, error responses included) forwarded to clients.
    pub responses_forwarded: u64,
    /// Events forwarded to clients.
    pub events_forwarded: u64,
    /// Requests a rule dropped, answered with forged messages or cut the connection on.
    pub requests_intercepted: u64,
    /// Responses and events a rule dropped, answered with forged messages or cut the connection on.
    pub responses_intercepted: u64,
}

impl MemberStats {
    /// Requests of `message_type` forwarded to the member.
    pub fn requests(&self, message_type: i32) -> u64 {
        self.requests_forwarded.get(&message_type).copied().unwrap_or(0)
    }
}

/// A snapshot of the proxy's counters ([`FaultProxy::stats`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProxyStats {
    /// One entry per member, in the order of [`FaultProxy::start`].
    pub members: Vec<MemberStats>,
}

impl ProxyStats {
    /// Requests of `message_type` forwarded to any member.
    pub fn requests(&self, message_type: i32) -> u64 {
        self.members.iter().map(|m| m.requests(message_type)).sum()
    }

    /// Connections accepted for any member.
    pub fn connections_accepted(&self) -> usize {
        self.members.iter().map(|m| m.connections_accepted).sum()
    }
}

/// An open proxied connection.
#[derive(Debug)]
struct OpenConnection {
    member: usize,
    cut: Arc<Notify>,
}

#[derive(Debug, Default)]
struct State {
    members: Vec<MemberStats>,
    accepted: usize,
    open: HashMap<u64, OpenConnection>,
    next_id: u64,
}

#[derive(Debug, Default)]
struct Shared {
    request_rules: Mutex<Vec<Rule>>,
    response_rules: Mutex<Vec<Rule>>,
    state: Mutex<State>,
}

impl Shared {
    fn register(&self, member: usize) -> (u64, ConnectionInfo, Arc<Notify>) {
        let mut state = lock(&self.state);
        let global_seq = state.accepted;
        state.accepted += 1;
        let id = state.next_id;
        state.next_id += 1;
        let member_seq = state.members.get(member).map_or(0, |m| m.connections_accepted);
        if let Some(m) = state.members.get_mut(member) {
            m.connections_accepted += 1;
        }
        let cut = Arc::new(Notify::new());
        state.open.insert(
            id,
            OpenConnection {
                member,
                cut: Arc::clone(&cut),
            },
        );
        let info = ConnectionInfo {
            member,
            member_seq,
            global_seq,
        };
        (id, info, cut)
    }

    fn unregister(&self, id: u64) {
        lock(&self.state).open.remove(&id);
    }

    fn count(&self, member: usize, update: impl FnOnce(&mut MemberStats)) {
        if let Some(m) = lock(&self.state).members.get_mut(member) {
            update(m);
        }
    }
}

/// The fault-injection proxy: one loopback listener per member. See the [module docs](self).
///
/// It runs on the tokio runtime that called [`FaultProxy::start`] (use a multi-threaded one when
/// the test also blocks). Dropping it closes every listener and connection.
#[derive(Debug)]
pub struct FaultProxy {
    shared: Arc<Shared>,
    listen: Vec<SocketAddr>,
    targets: Vec<SocketAddr>,
    tasks: Vec<JoinHandle<()>>,
}

impl FaultProxy {
    /// Starts one listener on `127.0.0.1:<free port>` per target member address.
    pub async fn start(targets: &[SocketAddr]) -> io::Result<FaultProxy> {
        let pairs: Vec<_> = targets
            .iter()
            .map(|t| (SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), *t))
            .collect();
        Self::start_on(&pairs).await
    }

    /// Starts one listener per `(listen address, member address)` pair, e.g. on a fixed port.
    pub async fn start_on(pairs: &[(SocketAddr, SocketAddr)]) -> io::Result<FaultProxy> {
        let shared = Arc::new(Shared::default());
        lock(&shared.state).members = vec![MemberStats::default(); pairs.len()];
        let mut listeners = Vec::with_capacity(pairs.len());
        for (listen, _) in pairs {
            listeners.push(TcpListener::bind(listen).await?);
        }
        let mut proxy = FaultProxy {
            shared,
            listen: Vec::with_capacity(pairs.len()),
            targets: pairs.iter().map(|(_, t)| *t).collect(),
            tasks: Vec::with_capacity(pairs.len()),
        };
        for (member, (listener, (_, target))) in listeners.into_iter().zip(pairs).enumerate() {
            proxy.listen.push(listener.local_addr()?);
            proxy.tasks.push(tokio::spawn(accept_loop(
                listener,
                member,
                *target,
                Arc::clone(&proxy.shared),
            )));
        }
        Ok(proxy)
    }

    /// The address clients use to reach member `i` through the proxy.
    ///
    /// # Panics
    ///
    /// If `i` is not a member index.
    pub fn address(&self, i: usize) -> SocketAddr {
        self.listen[i]
    }

    /// The proxy addresses of all members, in member order.
    pub fn addresses(&self) -> Vec<SocketAddr> {
        self.listen.clone()
    }

    /// The real address of member `i`.
    ///
    /// # Panics
    ///
    /// If `i` is not a member index.
    pub fn target(&self, i: usize) -> SocketAddr {
        self.targets[i]
    }

    /// Replaces the rules for client→member messages (from the next message on).
    pub fn set_request_rules(&self, rules: Vec<Rule>) {
        *lock(&self.shared.request_rules) = rules;
    }

    /// Replaces the rules for member→client messages (from the next message on).
    pub fn set_response_rules(&self, rules: Vec<Rule>) {
        *lock(&self.shared.response_rules) = rules;
    }

    /// Removes all rules: everything passes.
    pub fn clear_rules(&self) {
        self.set_request_rules(Vec::new());
        self.set_response_rules(Vec::new());
    }

    /// Proxied connections currently open (a closed one is counted until both of its sockets
    /// are closed).
    pub fn connections(&self) -> usize {
        lock(&self.shared.state).open.len()
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> ProxyStats {
        ProxyStats {
            members: lock(&self.shared.state).members.clone(),
        }
    }

    /// Closes every open proxied connection now (both sides). Listeners keep accepting.
    pub fn cut_all(&self) {
        for conn in lock(&self.shared.state).open.values() {
            conn.cut.notify_one();
        }
    }

    /// Closes every open proxied connection of member `i` now (both sides).
    pub fn cut_member(&self, i: usize) {
        for conn in lock(&self.shared.state).open.values() {
            if conn.member == i {
                conn.cut.notify_one();
            }
        }
    }

    /// Closes the listeners and every connection, and waits until they are closed.
    pub async fn shutdown(mut self) {
        let tasks = std::mem::take(&mut self.tasks);
        for task in &tasks {
            task.abort();
        }
        for task in tasks {
            let _ = task.await;
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Accepts connections for one member. The connection tasks live in this task's `JoinSet`, so
/// aborting it closes them all.
async fn accept_loop(listener: TcpListener, member: usize, target: SocketAddr, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((client, _)) => {
                    let (id, info, cut) = shared.register(member);
                    let shared = Arc::clone(&shared);
                    connections.spawn(async move {
                        proxy_connection(client, target, &shared, info, cut).await;
                        shared.unregister(id);
                    });
                }
                Err(e) => {
                    // E.g. out of file descriptors: back off instead of spinning.
                    tracing::debug!(error = %e, member, "fault proxy: accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Something for a writer task.
#[derive(Debug)]
enum Out {
    /// Bytes to write.
    Bytes(Bytes),
    /// Everything queued before has been written: report this message as delivered.
    Delivered(UnboundedSender<ClientMessage>, ClientMessage),
    /// Write nothing more: shut the socket down.
    Close,
}

/// How a pump or writer task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The pump's side sent EOF; its writer was told to close after the pending bytes.
    Eof,
    /// Closed or failed: close the whole connection.
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Client → member.
    Request,
    /// Member → client.
    Response,
}

async fn proxy_connection(
    client: TcpStream,
    target: SocketAddr,
    shared: &Arc<Shared>,
    info: ConnectionInfo,
    cut: Arc<Notify>,
) {
    let member = match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(target)).await {
        Ok(Ok(member)) => member,
        Ok(Err(e)) => {
            tracing::debug!(error = %e, %target, "fault proxy: cannot connect to the member");
            return;
        }
        Err(_) => {
            tracing::debug!(%target, "fault proxy: connecting to the member timed out");
            return;
        }
    };
    let _ = client.set_nodelay(true);
    let _ = member.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (member_read, member_write) = member.into_split();
    let (to_client, to_client_rx) = unbounded_channel();
    let (to_member, to_member_rx) = unbounded_channel();

    let mut tasks = JoinSet::new();
    tasks.spawn(writer(client_write, to_client_rx));
    tasks.spawn(writer(member_write, to_member_rx));
    tasks.spawn(
        Pump {
            direction: Direction::Request,
            info,
            shared: Arc::clone(shared),
            forward: to_member.clone(),
            back: to_client.clone(),
            cut: Arc::clone(&cut),
        }
        .run(client_read),
    );
    tasks.spawn(
        Pump {
            direction: Direction::Response,
            info,
            shared: Arc::clone(shared),
            forward: to_client,
            back: to_member,
            cut: Arc::clone(&cut),
        }
        .run(member_read),
    );
    loop {
        tokio::select! {
            () = cut.notified() => break,
            ended = tasks.join_next() => match ended {
                Some(Ok(End::Eof)) => {}
                _ => break,
            },
        }
    }
    // Abort the rest and wait, so both sockets are closed when the connection is unregistered.
    tasks.shutdown().await;
}

async fn writer(mut socket: OwnedWriteHalf, mut queue: UnboundedReceiver<Out>) -> End {
    while let Some(out) = queue.recv().await {
        match out {
            Out::Bytes(bytes) => {
                if socket.write_all(&bytes).await.is_err() {
                    return End::Done;
                }
            }
            Out::Delivered(feedback, msg) => {
                let _ = feedback.send(msg);
            }
            Out::Close => {
                let _ = socket.shutdown().await;
                return End::Done;
            }
        }
    }
    End::Done
}

/// Reads one direction, applies the rules and queues what goes on.
struct Pump {
    direction: Direction,
    info: ConnectionInfo,
    shared: Arc<Shared>,
    /// The writer of the receiving side.
    forward: UnboundedSender<Out>,
    /// The writer of the sending side (forged answers).
    back: UnboundedSender<Out>,
    cut: Arc<Notify>,
}

/// Whether a pump goes on after a message.
enum Flow {
    Continue,
    Cut,
}

impl Pump {
    async fn run(self, mut socket: OwnedReadHalf) -> End {
        let mut buf = BytesMut::with_capacity(READ_CHUNK);
        if self.direction == Direction::Request {
            // The preamble goes through unchanged, whatever it is.
            while buf.len() < PROTOCOL_PREAMBLE.len() {
                match socket.read_buf(&mut buf).await {
                    Ok(0) => return self.eof(),
                    Ok(_) => {}
                    Err(_) => return End::Done,
                }
            }
            let preamble = buf.split_to(PROTOCOL_PREAMBLE.len()).freeze();
            if self.forward.send(Out::Bytes(preamble)).is_err() {
                return End::Done;
            }
        }
        let mut decoder = MessageDecoder::new(PROXY_DECODER_LIMITS);
        loop {
            loop {
                match decoder.decode(&mut buf) {
                    Ok(Some(msg)) => {
                        if let Flow::Cut = self.handle(msg).await {
                            return End::Done;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        tracing::debug!(error = %e, direction = ?self.direction, "fault proxy: undecodable stream, closing");
                        return End::Done;
                    }
                }
            }
            if buf.capacity() - buf.len() < READ_CHUNK / 4 {
                buf.reserve(READ_CHUNK);
            }
            match socket.read_buf(&mut buf).await {
                Ok(0) => return self.eof(),
                Ok(_) => {}
                Err(_) => return End::Done,
            }
        }
    }

    fn eof(&self) -> End {
        match self.forward.send(Out::Close) {
            Ok(()) => End::Eof,
            Err(_) => End::Done,
        }
    }

    async fn handle(&self, msg: ClientMessage) -> Flow {
        let rules = match self.direction {
            Direction::Request => &self.shared.request_rules,
            Direction::Response => &self.shared.response_rules,
        };
        let matched = lock(rules).iter_mut().find_map(|rule| {
            rule.condition.eval(&msg, &self.info).then(|| {
                (
                    rule.reaction.clone(),
                    rule.feedback.clone(),
                    rule.delivered.clone(),
                )
            })
        });
        let (reaction, feedback, delivered) = matched.unwrap_or((Reaction::Pass, None, None));
        if let Some(feedback) = feedback {
            let _ = feedback.send(msg.clone());
        }
        match reaction {
            Reaction::Pass => self.forward(msg, delivered),
            Reaction::Drop => self.intercepted(),
            Reaction::Delay(delay) => {
                tokio::time::sleep(delay).await;
                self.forward(msg, delivered);
            }
            Reaction::Forge(forge) => {
                self.intercepted();
                for answer in forge(&msg) {
                    let _ = self.back.send(Out::Bytes(answer.into_bytes()));
                }
            }
            Reaction::Transform(transform) => self.forward(transform(msg), delivered),
            Reaction::CutConnection => {
                self.intercepted();
                return Flow::Cut;
            }
            Reaction::CutConnectionAfter(delay) => {
                self.intercepted();
                let cut = Arc::clone(&self.cut);
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    cut.notify_one();
                });
            }
        }
        Flow::Continue
    }

    /// Queues `msg` for the receiving side, and its delivery report after it when asked for.
    fn forward(&self, msg: ClientMessage, delivered: Option<UnboundedSender<ClientMessage>>) {
        // Counted before it is queued, so a test that sees the answer also sees the count.
        match self.direction {
            Direction::Request => {
                let t = msg.message_type();
                self.shared.count(self.info.member, |m| {
                    *m.requests_forwarded.entry(t).or_default() += 1;
                });
            }
            Direction::Response => {
                let event = msg.is_event();
                self.shared.count(self.info.member, |m| {
                    if event {
                        m.events_forwarded += 1;
                    } else {
                        m.responses_forwarded += 1;
                    }
                });
            }
        }
        let _ = self.forward.send(Out::Bytes(msg.as_bytes().clone()));
        if let Some(delivered) = delivered {
            let _ = self.forward.send(Out::Delivered(delivered, msg));
        }
    }

    fn intercepted(&self) {
        let direction = self.direction;
        self.shared.count(self.info.member, |m| match direction {
            Direction::Request => m.requests_intercepted += 1,
            Direction::Response => m.responses_intercepted += 1,
        });
    }
}
