//! Connection timeouts and hostile peers at the client level (`ClusterClient::connect`): a seed
//! that never completes the TCP handshake, one that accepts and never answers authentication, one
//! that never answers the TLS handshake, fake members that misbehave at the byte level, and seed
//! lists where a dead or hostile address comes before a real member. Only loopback addresses are
//! dialled. Every timeout path prints its configured and observed figures.

use hazelcast_integration_tests::{endpoint, put_get};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hazelcast_invocation::{ClusterClient, DiscoveryAddresses, InvocationConfig, InvocationError};
use hazelcast_testkit::proxy::{HostileBehaviour, HostileServer, Trigger};
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster};
use hazelcast_transport::{Address, ConnectionConfig, TlsConfig, TlsConnector};

static CLUSTER: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(1));

/// The configured connection timeout of every test here.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// The configured cluster connect budget of the tests that must fail.
const CLUSTER_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

async fn cluster() -> &'static Cluster {
    tokio::task::spawn_blocking(|| CLUSTER.get().map(|_| ()))
        .await
        .expect("join")
        .expect("a 1-member cluster starts");
    CLUSTER.get().expect("cluster")
}

/// `connection.connect_timeout = 500 ms`, `cluster_connect_timeout = 1 s`.
fn config(cluster_name: &str) -> InvocationConfig {
    let mut cfg = InvocationConfig::default();
    cfg.cluster_name = cluster_name.to_owned();
    cfg.invocation_timeout = Duration::from_secs(20);
    cfg.connection.connect_timeout = CONNECT_TIMEOUT;
    cfg.cluster_connect_timeout = Some(CLUSTER_CONNECT_TIMEOUT);
    cfg
}

/// The longest a failing connect may take: the budget is checked between connect rounds, so the
/// round running when it runs out finishes first. One round costs at most, per seed, the connect
/// timeout for TCP (+TLS) and the connect timeout again for the authentication. Plus a generous
/// second for a loaded 2-core machine.
fn failing_connect_bound(seeds: usize) -> Duration {
    CLUSTER_CONNECT_TIMEOUT
        + CONNECT_TIMEOUT * 2 * u32::try_from(seeds).expect("few seeds")
        + Duration::from_secs(1)
}

/// A loopback listener with backlog 0 whose accept queue is full: the kernel drops further SYNs,
/// so a TCP connect to it hangs until the client gives up.
struct BlackHole {
    _listener: tokio::net::TcpListener,
    _fillers: Vec<std::net::TcpStream>,
    addr: SocketAddr,
}

fn black_hole() -> BlackHole {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.bind(SocketAddr::from(([127, 0, 0, 1], 0))).expect("bind");
    let listener = socket.listen(0).expect("listen");
    let addr = listener.local_addr().expect("address");
    let mut fillers = Vec::new();
    for _ in 0..16 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(s) => fillers.push(s),
            Err(e)
                if e.kind() == std::io::ErrorKind::TimedOut || e.kind() == std::io::ErrorKind::WouldBlock =>
            {
                return BlackHole {
                    _listener: listener,
                    _fillers: fillers,
                    addr,
                };
            }
            Err(e) => panic!("unexpected filler error {e}"),
        }
    }
    panic!("the accept queue never filled ({} connections)", fillers.len());
}

/// Connects a client that must fail; returns the `ClusterUnreachable` fields and the time taken.
async fn connect_fails(cfg: InvocationConfig, seeds: Vec<Address>) -> (String, Vec<String>, Duration) {
    let began = Instant::now();
    let result = ClusterClient::connect(cfg, Arc::new(DiscoveryAddresses::fixed(seeds))).await;
    let took = began.elapsed();
    match result {
        Err(InvocationError::ClusterUnreachable {
            last,
            tried,
            attempts,
        }) => {
            let last = last.map(|e| e.chain()).unwrap_or_default();
            let tried = tried.iter().map(ToString::to_string).collect();
            eprintln!("  failed after {took:?} and {attempts} round(s); last error: {last}");
            (last, tried, took)
        }
        Err(other) => panic!("expected ClusterUnreachable, got {other:?}"),
        Ok(client) => {
            client.shutdown().await;
            panic!("the client must not connect")
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_that_never_completes_the_tcp_handshake_times_out() {
    let hole = black_hole();
    eprintln!(
        "black hole (TCP): connect_timeout {CONNECT_TIMEOUT:?}, cluster_connect_timeout {CLUSTER_CONNECT_TIMEOUT:?}"
    );
    let (last, tried, took) = connect_fails(config("dev"), vec![endpoint(hole.addr)]).await;
    assert_eq!(tried, vec![hole.addr.to_string()]);
    assert!(
        last.contains(&format!(
            "timed out after {CONNECT_TIMEOUT:?} during the TCP connect"
        )),
        "{last}"
    );
    let bound = failing_connect_bound(1);
    eprintln!(
        "TCP black hole: configured connect {CONNECT_TIMEOUT:?} / budget {CLUSTER_CONNECT_TIMEOUT:?}, \
         observed {took:?} (bound {bound:?})"
    );
    assert!(
        took >= CLUSTER_CONNECT_TIMEOUT,
        "{took:?}: the budget was not used"
    );
    assert!(took < bound, "{took:?} >= {bound:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_that_never_answers_authentication_times_out() {
    let silent = HostileServer::start(HostileBehaviour::Silent)
        .await
        .expect("hostile server");
    let (last, _, took) = connect_fails(config("dev"), vec![endpoint(silent.address())]).await;
    assert!(
        last.contains(&format!("could not be set up within {CONNECT_TIMEOUT:?}")),
        "{last}"
    );
    assert!(silent.accepted() >= 1, "the seed was dialled");
    assert!(
        !silent.received().is_empty(),
        "the authentication request reached it"
    );
    let bound = failing_connect_bound(1);
    eprintln!(
        "silent member (authentication): configured connect {CONNECT_TIMEOUT:?} / budget \
         {CLUSTER_CONNECT_TIMEOUT:?}, observed {took:?} (bound {bound:?})"
    );
    assert!(took >= CLUSTER_CONNECT_TIMEOUT, "{took:?}");
    assert!(took < bound, "{took:?} >= {bound:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_that_never_answers_the_tls_handshake_times_out() {
    let silent = HostileServer::start_after(HostileBehaviour::Silent, Trigger::Accept)
        .await
        .expect("hostile server");
    let mut cfg = config("dev");
    let tls = TlsConnector::new(&TlsConfig::default()).expect("TLS");
    cfg.connection = ConnectionConfig::with_tls(tls);
    cfg.connection.connect_timeout = CONNECT_TIMEOUT;
    let (last, _, took) = connect_fails(cfg, vec![endpoint(silent.address())]).await;
    assert!(
        last.contains(&format!(
            "timed out after {CONNECT_TIMEOUT:?} during the TLS handshake"
        )),
        "{last}"
    );
    let bound = failing_connect_bound(1);
    eprintln!(
        "silent TLS peer (handshake): configured connect {CONNECT_TIMEOUT:?} / budget \
         {CLUSTER_CONNECT_TIMEOUT:?}, observed {took:?} (bound {bound:?})"
    );
    assert!(took >= CLUSTER_CONNECT_TIMEOUT, "{took:?}");
    assert!(took < bound, "{took:?} >= {bound:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_kinds_of_dead_seed_in_one_list() {
    let hole = black_hole();
    let silent = HostileServer::start(HostileBehaviour::Silent)
        .await
        .expect("hostile server");
    let (last, tried, took) = connect_fails(
        config("dev"),
        vec![endpoint(hole.addr), endpoint(silent.address())],
    )
    .await;
    assert_eq!(tried.len(), 2, "{tried:?}");
    // Seeds are tried in the configured order: the last error is the silent member's.
    assert!(last.contains("could not be set up within"), "{last}");
    let bound = failing_connect_bound(2);
    eprintln!("black hole + silent member: observed {took:?} (bound {bound:?})");
    assert!(took >= CLUSTER_CONNECT_TIMEOUT, "{took:?}");
    assert!(took < bound, "{took:?} >= {bound:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_seed_before_a_live_member_costs_at_most_the_connect_timeout() {
    let cluster = cluster().await;
    let live = endpoint(cluster.address(0));
    let mut cfg = config(cluster.cluster_name());
    cfg.cluster_connect_timeout = Some(Duration::from_secs(10));

    // Baseline: the live member alone.
    let began = Instant::now();
    let client = ClusterClient::connect(
        cfg.clone(),
        Arc::new(DiscoveryAddresses::fixed(vec![live.clone()])),
    )
    .await
    .expect("connect");
    let baseline = began.elapsed();
    client.shutdown().await;

    // A black hole first: costs the connect timeout, then the member.
    let hole = black_hole();
    let began = Instant::now();
    let client = ClusterClient::connect(
        cfg.clone(),
        Arc::new(DiscoveryAddresses::fixed(vec![endpoint(hole.addr), live.clone()])),
    )
    .await
    .expect("connects through the second seed");
    let with_hole = began.elapsed();
    assert_eq!(client.connections().list.len(), 1);
    assert_eq!(
        client.connections().list[0].connection.remote_addr(),
        cluster.address(0)
    );
    put_get(&client, "dead-first", 1).await;
    client.shutdown().await;

    // A refused port first: costs next to nothing.
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    }; // closed again: connecting is refused
    let began = Instant::now();
    let client = ClusterClient::connect(
        cfg,
        Arc::new(DiscoveryAddresses::fixed(vec![endpoint(refused), live])),
    )
    .await
    .expect("connects through the second seed");
    let with_refused = began.elapsed();
    client.shutdown().await;

    let hole_cost = with_hole.saturating_sub(baseline);
    let refused_cost = with_refused.saturating_sub(baseline);
    eprintln!(
        "dead seed first: baseline {baseline:?}; black hole first {with_hole:?} (cost {hole_cost:?}, \
         configured connect timeout {CONNECT_TIMEOUT:?}); refused port first {with_refused:?} (cost {refused_cost:?})"
    );
    assert!(with_hole >= CONNECT_TIMEOUT, "the black hole was tried first");
    assert!(
        hole_cost < CONNECT_TIMEOUT + Duration::from_millis(750),
        "a black-hole seed cost {hole_cost:?}"
    );
    assert!(
        with_refused < with_hole,
        "a refused seed costs less than a black hole"
    );
}

/// Every byte-level misbehaviour the test kit offers, with the error the client must name.
fn hostile_cases() -> Vec<(&'static str, HostileBehaviour, &'static str)> {
    vec![
        ("Garbage", HostileBehaviour::Garbage, "protocol error"),
        ("HugeFrame", HostileBehaviour::HugeFrame, "protocol error"),
        ("ShortFrame", HostileBehaviour::ShortFrame, "protocol error"),
        (
            "UnknownMessageType",
            HostileBehaviour::UnknownMessageType,
            "malformed reply",
        ),
        (
            "SlowAuthentication",
            // ~100+ bytes at 20 ms each: far beyond the 500 ms connect timeout.
            HostileBehaviour::SlowAuthentication {
                per_byte: Duration::from_millis(20),
            },
            "could not be set up within",
        ),
        (
            "EndlessMessage",
            HostileBehaviour::EndlessMessage {
                interval: Duration::from_millis(50),
            },
            "could not be set up within",
        ),
        ("Silent", HostileBehaviour::Silent, "could not be set up within"),
        ("CloseImmediately", HostileBehaviour::CloseImmediately, "closed"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_servers_as_the_only_seed_give_typed_errors_within_the_deadline() {
    let mut runs = Vec::new();
    for (name, behaviour, expected) in hostile_cases() {
        runs.push(tokio::spawn(async move {
            let server = HostileServer::start(behaviour).await.expect("hostile server");
            let began = Instant::now();
            let result = ClusterClient::connect(
                config("dev"),
                Arc::new(DiscoveryAddresses::fixed(vec![endpoint(server.address())])),
            )
            .await;
            let took = began.elapsed();
            (name, expected, result.map(|_| ()), took, server.accepted())
        }));
    }
    let bound = failing_connect_bound(1);
    for run in runs {
        let (name, expected, result, took, accepted) = run.await.expect("no panic");
        eprintln!("hostile {name}: {took:?} (bound {bound:?}): {result:?}");
        assert!(accepted >= 1, "{name}: never dialled");
        match result {
            Err(InvocationError::ClusterUnreachable { last, .. }) => {
                let last = last.map(|e| e.chain()).unwrap_or_default();
                assert!(last.contains(expected), "{name}: {last}");
                assert!(!last.contains("panicked"), "{name}: {last}");
            }
            other => panic!("{name}: expected ClusterUnreachable, got {other:?}"),
        }
        assert!(took < bound, "{name}: {took:?} >= {bound:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_seed_before_a_real_member_does_not_stop_the_client() {
    let cluster = cluster().await;
    let live = cluster.address(0);
    let name = cluster.cluster_name().to_owned();
    let mut runs = Vec::new();
    for (case, behaviour, _) in hostile_cases() {
        let name = name.clone();
        runs.push(tokio::spawn(async move {
            let server = HostileServer::start(behaviour).await.expect("hostile server");
            let mut cfg = config(&name);
            cfg.cluster_connect_timeout = Some(Duration::from_secs(10));
            let began = Instant::now();
            let client = ClusterClient::connect(
                cfg,
                Arc::new(DiscoveryAddresses::fixed(vec![
                    endpoint(server.address()),
                    endpoint(live),
                ])),
            )
            .await
            .unwrap_or_else(|e| panic!("{case}: {e}"));
            let took = began.elapsed();
            assert!(server.accepted() >= 1, "{case}: the hostile seed was tried first");
            assert_eq!(
                client.connections().list[0].connection.remote_addr(),
                live,
                "{case}"
            );
            put_get(&client, case, 1).await;
            client.shutdown().await;
            (case, took)
        }));
    }
    for run in runs {
        let (case, took) = run.await.expect("no panic");
        eprintln!("hostile {case} first, then the member: connected in {took:?}");
        // One hostile attempt costs at most connect + authentication timeouts.
        assert!(
            took < CONNECT_TIMEOUT * 2 + Duration::from_secs(3),
            "{case}: {took:?}"
        );
    }
}

/// A TCP relay that forwards client → server bytes at once and server → client bytes `delay`
/// after it read them (order kept): a one-way latency that slows the TLS handshake and the
/// authentication answer alike.
async fn latency_relay(upstream: SocketAddr, delay: Duration) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let task = tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut client_rd, mut client_wr) = client.into_split();
                let (mut server_rd, mut server_wr) = server.into_split();
                let up = tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut client_rd, &mut server_wr).await;
                });
                let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
                let reader = tokio::spawn(async move {
                    let mut buf = vec![0u8; 16 * 1024];
                    while let Ok(n) = server_rd.read(&mut buf).await {
                        if n == 0 || tx.send((Instant::now() + delay, buf[..n].to_vec())).is_err() {
                            return;
                        }
                    }
                });
                while let Some((at, chunk)) = rx.recv().await {
                    tokio::time::sleep_until(at.into()).await;
                    if client_wr.write_all(&chunk).await.is_err() {
                        break;
                    }
                }
                up.abort();
                reader.abort();
            });
        }
    });
    (addr, task)
}

/// The intended contract (issue 3, hazelcast-transport's crate docs: the authentication is bounded
/// by "what is left of the same timeout"): one connection attempt — DNS, TCP, TLS handshake *and*
/// authentication — fits in `connect_timeout`. Here a 300 ms server → client latency makes the TLS
/// handshake take ~300 ms and the authentication answer another ~300 ms: each phase alone is
/// within the 500 ms timeout, together they are not, so the attempt must fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_timeout_bounds_tls_and_authentication_together() {
    let cluster = cluster().await;
    let (pki, front) = tokio::task::spawn_blocking(|| {
        let pki = hazelcast_testkit::TestPki::generate().expect("PKI");
        let front = hazelcast_testkit::TlsFront::start(
            &pki,
            &[cluster.address(0)],
            &hazelcast_testkit::TlsFrontOptions::default(),
        )
        .expect("TLS front");
        (pki, front)
    })
    .await
    .expect("join");
    let (relay, task) = latency_relay(front.address(0), Duration::from_millis(300)).await;
    let mut cfg = config(cluster.cluster_name());
    cfg.smart_routing = false;
    cfg.connection =
        ConnectionConfig::with_tls(TlsConnector::new(&TlsConfig::with_ca_file(&pki.ca.cert)).expect("TLS"));
    cfg.connection.connect_timeout = CONNECT_TIMEOUT;
    cfg.cluster_connect_timeout = Some(Duration::ZERO); // exactly one round
    let began = Instant::now();
    let result =
        ClusterClient::connect(cfg, Arc::new(DiscoveryAddresses::fixed(vec![endpoint(relay)]))).await;
    let took = began.elapsed();
    eprintln!(
        "TLS + authentication behind 300 ms latency: configured connect timeout {CONNECT_TIMEOUT:?}, \
         one attempt took {took:?}: {:?}",
        result.as_ref().map(|_| "connected")
    );
    if let Ok(client) = &result {
        client.shutdown().await;
    }
    task.abort();
    assert!(
        result.is_err(),
        "one connection attempt took {took:?}, more than the connect timeout {CONNECT_TIMEOUT:?}"
    );
    assert!(took < CONNECT_TIMEOUT + Duration::from_millis(1500), "{took:?}");
}
