//! A scripted member for the rule tests: a TCP listener on loopback that speaks the client
//! protocol just far enough for a client to connect (authentication, the cluster-view and
//! backup listeners, pings) and hands every other request to the test, which decides the
//! answer (a response, an error, backup acknowledgements, nothing, or a closed connection).
//!
//! It exists to test the invocation rules (retry, redo, backup acknowledgements) without a JVM;
//! the behaviour against real members is tested in the workspace's `tests/` with the test kit.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::{SinkExt, StreamExt};
use hazelcast_codec::custom::{ErrorHolder, MemberInfo, MemberVersion};
use hazelcast_codec::messages::client::{
    AUTH_STATUS_AUTHENTICATED, ClientAddClusterViewListenerMembersViewEvent,
    ClientAddClusterViewListenerPartitionsViewEvent, ClientAddClusterViewListenerResponse,
    ClientAuthenticationResponse, ClientLocalBackupListenerBackupEvent, ClientLocalBackupListenerResponse,
    ClientPingResponse,
};
use hazelcast_codec::types::{EntryList, PartitionOwners, VarList};
use hazelcast_codec::{
    ClientMessage, ClientMessageCodec, DecoderLimits, ErrorCode, ErrorResponse, MessageWriter, Uuid,
};
use hazelcast_invocation::{Connector, DiscoveryAddresses, InvocationConfig};
use hazelcast_transport::{
    Address, ConnectError, Connection, ConnectionConfig, LocalCloseReason, MessageHandler,
};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::codec::{FramedRead, FramedWrite};

/// Partitions of the scripted cluster.
pub const PARTITIONS: i32 = 271;

/// A request the scripted member did not answer by itself.
#[derive(Debug)]
pub struct Incoming {
    /// The request.
    pub msg: ClientMessage,
    /// The connection it came on.
    pub conn: MemberSide,
}

impl Incoming {
    /// Answers with an empty response carrying `backup_acks` expected acknowledgements.
    pub fn reply(&self, response_type: i32, backup_acks: u8) {
        let msg = MessageWriter::response(response_type, self.msg.correlation_id(), backup_acks).finish();
        self.conn.send(msg);
    }

    /// Answers with a server error.
    pub fn fail(&self, code: ErrorCode) {
        let error = ErrorResponse::new(vec![ErrorHolder::new(
            code.code(),
            format!("scripted.{}", code.name()),
            Some("scripted failure".to_owned()),
            VarList(Vec::new()),
        )]);
        self.conn.send(error.encode(self.msg.correlation_id()));
    }

    /// Sends the backup acknowledgement of this request on `via` (a backup's connection).
    pub fn ack_via(&self, via: &MemberSide) {
        via.ack(self.msg.correlation_id());
    }
}

enum Out {
    Send(ClientMessage),
    Close,
}

/// The member's end of one client connection.
#[derive(Debug, Clone)]
pub struct MemberSide {
    tx: mpsc::UnboundedSender<OutMsg>,
    backup_listener: Arc<AtomicI64>,
}

struct OutMsg(Out);

impl std::fmt::Debug for OutMsg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OutMsg")
    }
}

impl MemberSide {
    /// Sends a message to the client.
    pub fn send(&self, msg: ClientMessage) {
        let _ = self.tx.send(OutMsg(Out::Send(msg)));
    }

    /// Closes the connection from the member's side.
    pub fn close(&self) {
        let _ = self.tx.send(OutMsg(Out::Close));
    }

    /// Sends a backup acknowledgement for the call with `correlation_id` (as an event of this
    /// connection's backup listener).
    pub fn ack(&self, correlation_id: i64) {
        let listener = self.backup_listener.load(Ordering::SeqCst);
        assert!(
            listener > 0,
            "the client registered no backup listener on this connection"
        );
        self.send(ClientLocalBackupListenerBackupEvent::new(correlation_id).encode(listener));
    }
}

/// A scripted one-member cluster on `127.0.0.1:<free port>`.
pub struct ScriptedMember {
    pub address: SocketAddr,
    pub uuid: Uuid,
    requests: tokio::sync::Mutex<mpsc::UnboundedReceiver<Incoming>>,
    accepted: Arc<AtomicUsize>,
    conns: Arc<Mutex<Vec<MemberSide>>>,
    task: JoinHandle<()>,
}

impl Drop for ScriptedMember {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ScriptedMember {
    /// Starts listening.
    pub async fn start() -> ScriptedMember {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let uuid = Uuid::new_v4();
        let (tx, rx) = mpsc::unbounded_channel();
        let accepted = Arc::new(AtomicUsize::new(0));
        let conns = Arc::new(Mutex::new(Vec::new()));
        let (acc, cs) = (accepted.clone(), conns.clone());
        let task = tokio::spawn(async move {
            let mut tasks = tokio::task::JoinSet::new();
            while let Ok((socket, _)) = listener.accept().await {
                acc.fetch_add(1, Ordering::SeqCst);
                tasks.spawn(serve(socket, address, uuid, tx.clone(), cs.clone()));
            }
        });
        ScriptedMember {
            address,
            uuid,
            requests: tokio::sync::Mutex::new(rx),
            accepted,
            conns,
            task,
        }
    }

    /// The next request the member did not answer itself (fails the test after 10 s).
    pub async fn next(&self) -> Incoming {
        let mut rx = self.requests.lock().await;
        tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("a request within 10 s")
            .expect("the member runs")
    }

    /// Whether a request is waiting, after giving the client `grace` to send one.
    pub async fn has_request_within(&self, grace: Duration) -> bool {
        let mut rx = self.requests.lock().await;
        matches!(tokio::time::timeout(grace, rx.recv()).await, Ok(Some(_)))
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// The member's end of the `i`-th accepted connection.
    pub fn connection(&self, i: usize) -> MemberSide {
        self.conns.lock().unwrap()[i].clone()
    }

    /// A client configuration for this member: quick reconnects, smart routing, backup acks on.
    pub fn config(&self) -> InvocationConfig {
        let mut cfg = InvocationConfig::default();
        cfg.cluster_name = "scripted".into();
        cfg.invocation_timeout = Duration::from_secs(10);
        cfg.connection_retry.initial = Duration::from_millis(50);
        cfg.connection_retry.max = Duration::from_millis(200);
        cfg
    }

    /// The member list the client starts from.
    pub fn addresses(&self) -> Arc<DiscoveryAddresses> {
        Arc::new(DiscoveryAddresses::fixed([Address::from(self.address)]))
    }
}

fn member_info(address: SocketAddr, uuid: Uuid) -> MemberInfo {
    MemberInfo::new(
        uuid,
        false,
        Address::new(address.ip().to_string(), address.port()),
        EntryList(Vec::new()),
        MemberVersion::new(5, 7, 0),
        None,
    )
}

async fn serve(
    socket: tokio::net::TcpStream,
    address: SocketAddr,
    uuid: Uuid,
    requests: mpsc::UnboundedSender<Incoming>,
    conns: Arc<Mutex<Vec<MemberSide>>>,
) {
    let (mut read, write) = socket.into_split();
    let mut preamble = [0u8; 3];
    if read.read_exact(&mut preamble).await.is_err() {
        return;
    }
    let mut reader = FramedRead::new(read, ClientMessageCodec::new(DecoderLimits::default()));
    let mut writer = FramedWrite::new(write, ClientMessageCodec::new(DecoderLimits::default()));
    let (tx, mut rx) = mpsc::unbounded_channel::<OutMsg>();
    let side = MemberSide {
        tx,
        backup_listener: Arc::new(AtomicI64::new(0)),
    };
    conns.lock().unwrap().push(side.clone());
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(OutMsg(Out::Send(msg))) => {
                    if writer.send(msg).await.is_err() {
                        return;
                    }
                }
                Some(OutMsg(Out::Close)) | None => return,
            },
            incoming = reader.next() => {
                let Some(Ok(msg)) = incoming else { return };
                let id = msg.correlation_id();
                match msg.message_type() {
                    0x000100 => side.send(
                        ClientAuthenticationResponse::new(
                            AUTH_STATUS_AUTHENTICATED,
                            Some(uuid),
                            1,
                            PARTITIONS,
                            Uuid::from_u128(7),
                            false,
                            None,
                            None,
                            Some(Address::new(address.ip().to_string(), address.port())),
                            "5.7.0".to_owned(),
                            None,
                            None,
                            None,
                            None,
                            None,
                        )
                        .encode(id),
                    ),
                    0x000300 => {
                        side.send(ClientAddClusterViewListenerResponse::new().encode(id));
                        side.send(ClientAddClusterViewListenerMembersViewEvent::new(1, VarList(vec![member_info(address, uuid)])).encode(id));
                        let owned = (0..PARTITIONS).collect();
                        side.send(ClientAddClusterViewListenerPartitionsViewEvent::new(1, PartitionOwners(vec![(uuid, owned)])).encode(id));
                    }
                    0x000F00 => {
                        side.backup_listener.store(id, Ordering::SeqCst);
                        side.send(ClientLocalBackupListenerResponse::new(Uuid::new_v4()).encode(id));
                    }
                    0x000B00 => side.send(ClientPingResponse::new().encode(id)),
                    _ => {
                        let _ = requests.send(Incoming { msg, conn: side.clone() });
                    }
                }
            }
        }
    }
}

/// A [`Connector`] over the transport that keeps every connection it opened, so a test can close
/// one from the client's side (as a heartbeat timeout or a failed write does).
#[derive(Debug, Default)]
pub struct KeepingConnector {
    opened: Mutex<Vec<Connection>>,
}

impl KeepingConnector {
    /// Closes the `i`-th connection opened, from the client's side.
    pub fn close(&self, i: usize) {
        self.opened.lock().unwrap()[i].close_because(LocalCloseReason::HeartbeatTimeout {
            silent_for: Duration::from_secs(1),
        });
    }

    /// Connections opened so far.
    pub fn opened(&self) -> usize {
        self.opened.lock().unwrap().len()
    }
}

#[async_trait]
impl Connector for KeepingConnector {
    async fn connect(
        &self,
        endpoint: &Address,
        handler: Arc<dyn MessageHandler>,
    ) -> Result<Connection, ConnectError> {
        let conn = hazelcast_transport::connect(endpoint, &ConnectionConfig::default(), handler).await?;
        self.opened.lock().unwrap().push(conn.clone());
        Ok(conn)
    }
}
