//! Where the client dials, end to end with `ClusterClient` and real members: Hazelcast Cloud
//! discovery (against the test kit's HTTPS coordinator stub) and the public/private address
//! decision (`use_public_ip` true / false / automatic).
//!
//! * Members in a network namespace created by the test (`PublicAddressCluster`) advertise a
//!   private `127.0.0.1:<port>` (refused from this process) and a public `10.77.X.2:<port>`
//!   (reachable). This needs iproute2 and root; without root the test runs itself again inside
//!   an unprivileged user namespace (`netns_test`), and where neither works it prints
//!   `SKIPPED: <test>: <reason>` (which fails `.ci/run`).
//! * A plain loopback cluster (no public addresses) for the "reachable privately" case.
//! * The bad-token case needs only the stub.

use hazelcast_integration_tests::{put_get, wait_for};
use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hazelcast_codec::Serialize;
use hazelcast_codec::messages::map::MapSetRequest;
use hazelcast_discovery::{
    Address, AddressProvider, CloudConfig, CloudDiscovery, DecisionReason, MemberAddress,
    MemberAddressTranslator, PublicAddressMode, StaticAddressProvider,
};
use hazelcast_invocation::{ClusterClient, DiscoveryAddresses, InvocationConfig, InvocationError, Target};
use hazelcast_testkit::ClusterConfig;
use hazelcast_testkit::cloud::{CloudResponse, CloudStub};
use hazelcast_testkit::netns::{NetnsTest, PublicAddressCluster, netns_test};

const MEMBERS: usize = 2;

fn config(cluster_name: &str) -> InvocationConfig {
    let mut cfg = InvocationConfig::default();
    cfg.cluster_name = cluster_name.to_owned();
    cfg.invocation_timeout = Duration::from_secs(30);
    cfg.connection.connect_timeout = Duration::from_secs(2);
    cfg.cluster_connect_timeout = Some(Duration::from_secs(20));
    cfg.connection_retry.initial = Duration::from_millis(200);
    cfg
}

fn member_address(a: SocketAddr) -> MemberAddress {
    MemberAddress::from(Address::from(a))
}

/// The address source of a client configured with a static member list and `use_public_ip`.
fn static_source(seeds: &[SocketAddr], mode: PublicAddressMode) -> Arc<DiscoveryAddresses> {
    let configured: Vec<MemberAddress> = seeds.iter().copied().map(member_address).collect();
    Arc::new(DiscoveryAddresses::new(
        Arc::new(StaticAddressProvider::new(configured.clone(), false)),
        MemberAddressTranslator::new(mode),
        configured,
        false,
    ))
}

/// The remote address of every connection, sorted.
fn remotes(client: &ClusterClient) -> Vec<SocketAddr> {
    let mut r: Vec<SocketAddr> = client
        .connections()
        .list
        .iter()
        .map(|c| c.connection.remote_addr())
        .collect();
    r.sort();
    r
}

fn sorted(mut v: Vec<SocketAddr>) -> Vec<SocketAddr> {
    v.sort();
    v
}

/// Smart client connected to every member: waits for a connection per member and checks they
/// go to `expected`.
async fn assert_connected_to(client: &ClusterClient, expected: Vec<SocketAddr>) {
    wait_for("a connection per member", Duration::from_secs(20), || {
        client.connections().list.len() == expected.len()
    })
    .await;
    assert_eq!(remotes(client), sorted(expected));
    let members: HashSet<_> = client.connections().list.iter().map(|c| c.member).collect();
    assert_eq!(members.len(), MEMBERS, "one connection per distinct member");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_addresses_and_cloud_discovery_with_members_in_a_namespace() {
    let test = hazelcast_testkit::current_test_name();
    let decided = tokio::task::spawn_blocking(move || netns_test(&test))
        .await
        .expect("join")
        .unwrap_or_else(|e| panic!("{e}"));
    if decided != NetnsTest::RunHere {
        return; // ran in a child user namespace, or skipped saying so
    }
    let cluster =
        tokio::task::spawn_blocking(|| PublicAddressCluster::start(ClusterConfig::new().members(MEMBERS)))
            .await
            .expect("join")
            .unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "{MEMBERS} members in namespace {} started in {:?}; public {:?}, private {:?}",
        cluster.netns().name(),
        cluster.startup_time(),
        cluster.public_addresses(),
        cluster.addresses()
    );
    let name = cluster.cluster_name().to_owned();
    let public = cluster.public_addresses();
    let ns_ip = IpAddr::V4(cluster.netns().ns_ip());
    for i in 0..MEMBERS {
        assert!(
            std::net::TcpStream::connect_timeout(&cluster.private_address(i), Duration::from_secs(2))
                .is_err(),
            "private {} must be unreachable from here",
            cluster.private_address(i)
        );
    }

    // -- use_public_ip = true: every member through its public address.
    eprintln!("== use_public_ip = true");
    let source = static_source(&[public[0]], PublicAddressMode::Public);
    let client = ClusterClient::connect(config(&name), source.clone())
        .await
        .expect("connect with use_public_ip");
    assert_connected_to(&client, public.clone()).await;
    for c in client.connections().list.iter() {
        assert_eq!(c.endpoint.host, ns_ip.to_string(), "dialled the public address");
    }
    put_get(&client, "public-ip", 50).await;
    client.shutdown().await;

    // -- automatic detection: private refused, public reachable → public.
    eprintln!("== use_public_ip unset (automatic detection)");
    let source = static_source(&[public[1]], PublicAddressMode::Auto);
    let began = Instant::now();
    let client = ClusterClient::connect(config(&name), source.clone())
        .await
        .expect("connect with automatic detection");
    let took = began.elapsed();
    let decision = source.translator().decision().expect("a decision was made");
    eprintln!("automatic detection: {decision:?}; connect took {took:?}");
    assert!(decision.use_public, "{decision:?}");
    assert_eq!(decision.reason, DecisionReason::OnlyPublicReachable);
    assert_connected_to(&client, public.clone()).await;
    put_get(&client, "auto-ip", 50).await;
    client.shutdown().await;

    // -- use_public_ip = false: only the seed (a public address) works; the members' private
    //    addresses are refused, so the client stays on the seed connection and calls go through it.
    eprintln!("== use_public_ip = false");
    let source = static_source(&[public[0]], PublicAddressMode::Private);
    let mut cfg = config(&name);
    // Backups whose member has no connection to this client cannot acknowledge to it; see below.
    cfg.backup_ack_to_client_enabled = false;
    let client = ClusterClient::connect(cfg, source.clone())
        .await
        .expect("connect through the seed");
    assert_eq!(client.snapshot().members.members.len(), MEMBERS);
    put_get(&client, "private-ip", 50).await;
    assert_eq!(
        remotes(&client),
        vec![public[0]],
        "only the seed connection exists"
    );
    let decision = source.translator().decision().expect("decision");
    assert!(!decision.use_public);
    assert_eq!(decision.reason, DecisionReason::Configured);
    client.shutdown().await;

    // With backup acknowledgements on (the default), a mutation whose backup lives on the member
    // the client cannot reach waits for `operation_backup_timeout` and then completes (the
    // official clients behave the same). Measured here with a 1 s backup timeout.
    let mut cfg = config(&name);
    let backup_timeout = Duration::from_secs(1);
    cfg.operation_backup_timeout = backup_timeout;
    let client = ClusterClient::connect(cfg, static_source(&[public[0]], PublicAddressMode::Private))
        .await
        .expect("connect through the seed");
    let seed_member = client.connections().list[0].member;
    wait_for("the partition table", Duration::from_secs(20), || {
        let owned = client.snapshot().partitions.owners.iter().flatten().count();
        owned > 0 && i32::try_from(owned).ok() == Some(client.partition_count())
    })
    .await;
    let snapshot = client.snapshot();
    let key = (0..1000)
        .map(|i| format!("owned-by-seed-{i}").to_data())
        .find(|k| snapshot.partitions.owner(client.partition_id(k)) == Some(seed_member))
        .expect("a key owned by the seed's member");
    let value = 1i32.to_data();
    let began = Instant::now();
    client
        .invoke(
            &MapSetRequest {
                thread_id: 1,
                ttl: -1,
                name: "private-ip-acks",
                key: &key,
                value: &value,
            },
            Target::Partition(client.partition_id(&key)),
        )
        .await
        .expect("completes after the backup timeout");
    let took = began.elapsed();
    eprintln!(
        "backup ack from an unreachable member: configured operation_backup_timeout {backup_timeout:?}, \
         the set took {took:?}"
    );
    assert!(took >= backup_timeout, "{took:?}");
    assert!(took < backup_timeout + Duration::from_secs(2), "{took:?}");
    client.shutdown().await;

    // -- cloud discovery: the coordinator stub maps each member's private address to its public one.
    eprintln!("== cloud discovery");
    let stub = tokio::task::spawn_blocking(CloudStub::start)
        .await
        .expect("join")
        .expect("cloud stub");
    let token = "namespace-cluster-token";
    let pairs: Vec<(String, String)> = (0..MEMBERS)
        .map(|i| (cluster.private_address(i).to_string(), public[i].to_string()))
        .collect();
    stub.respond(token, CloudResponse::members(pairs));
    let cloud = CloudDiscovery::new(
        CloudConfig::new(token)
            .base_url(stub.base_url())
            .extra_root_ca_pem(stub.ca_pem())
            .use_env_proxy(false),
    )
    .expect("cloud config");
    assert!(cloud.translates_member_addresses());
    let source = Arc::new(DiscoveryAddresses::new(
        Arc::new(cloud),
        MemberAddressTranslator::new(PublicAddressMode::Auto),
        vec![],
        false,
    ));
    let client = ClusterClient::connect(config(&name), source)
        .await
        .expect("connect through cloud discovery");
    assert_connected_to(&client, public.clone()).await;
    put_get(&client, "cloud", 50).await;
    client.shutdown().await;
    assert!(stub.requests_for(token) >= 1);
    eprintln!(
        "cloud discovery: {} coordinator request(s) for the token",
        stub.requests_for(token)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn automatic_detection_uses_private_addresses_of_a_loopback_cluster() {
    let cluster = tokio::task::spawn_blocking(|| ClusterConfig::new().members(MEMBERS).start())
        .await
        .expect("join")
        .expect("a loopback cluster");
    let private = cluster.addresses();

    // Seeded with a member's own address: rule 2 (the client reaches members directly).
    let source = static_source(&[private[0]], PublicAddressMode::Auto);
    let client = ClusterClient::connect(config(cluster.cluster_name()), source.clone())
        .await
        .expect("connect");
    let decision = source.translator().decision().expect("decision");
    eprintln!("loopback cluster, seeded with a member address: {decision:?}");
    assert!(!decision.use_public);
    assert!(
        matches!(decision.reason, DecisionReason::SeedIsMember { .. }),
        "{decision:?}"
    );
    assert_connected_to(&client, private.clone()).await;
    put_get(&client, "loopback-auto", 20).await;
    client.shutdown().await;

    // No configured addresses to compare with: members advertise no public address (rule 3a).
    let configured = vec![member_address(private[1])];
    let source = Arc::new(DiscoveryAddresses::new(
        Arc::new(StaticAddressProvider::new(configured, false)),
        MemberAddressTranslator::new(PublicAddressMode::Auto),
        vec![],
        false,
    ));
    let client = ClusterClient::connect(config(cluster.cluster_name()), source.clone())
        .await
        .expect("connect");
    let decision = source.translator().decision().expect("decision");
    eprintln!("loopback cluster, no configured addresses: {decision:?}");
    assert!(!decision.use_public);
    assert!(
        matches!(decision.reason, DecisionReason::NoPublicAddress { .. }),
        "{decision:?}"
    );
    assert_connected_to(&client, private).await;
    client.shutdown().await;
}

fn bad_token_client_config() -> (Arc<DiscoveryAddresses>, CloudStub, &'static str) {
    let stub = CloudStub::start().expect("cloud stub");
    stub.respond(
        "the-right-token",
        CloudResponse::members([("10.0.0.1:5701", "127.0.0.1:1")]),
    );
    let token = "a-wrong-token-4711";
    let cloud = CloudDiscovery::new(
        CloudConfig::new(token)
            .base_url(stub.base_url())
            .extra_root_ca_pem(stub.ca_pem())
            .use_env_proxy(false),
    )
    .expect("cloud config");
    let source = Arc::new(DiscoveryAddresses::new(
        Arc::new(cloud),
        MemberAddressTranslator::new(PublicAddressMode::Auto),
        vec![],
        false,
    ));
    (source, stub, token)
}

/// What the client reports today: the connect procedure retries discovery until
/// `cluster_connect_timeout`, then fails with `ClusterUnreachable` whose `last` is the
/// coordinator's message (with the token redacted).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_cloud_token_fails_connect_with_the_coordinators_message() {
    let (source, stub, token) = tokio::task::spawn_blocking(bad_token_client_config)
        .await
        .expect("join");
    let mut cfg = config("dev");
    cfg.cluster_connect_timeout = Some(Duration::from_secs(1));
    let began = Instant::now();
    let err = ClusterClient::connect(cfg, source)
        .await
        .expect_err("a wrong token cannot connect");
    let took = began.elapsed();
    let text = err.chain();
    eprintln!("bad token: {took:?}: {err:?}");
    assert!(text.contains("HTTP 404"), "{text}");
    assert!(
        text.contains("Cluster with token: <redacted> not found."),
        "{text}"
    );
    assert!(!text.contains(token), "the token leaked: {text}");
    assert!(!format!("{err:?}").contains(token), "the token leaked: {err:?}");
    assert!(stub.requests_for(token) >= 1);
    assert!(took < Duration::from_secs(5), "{took:?}");
}

/// What the brief asks for: a rejected token is permanent, so `connect` should fail at once
/// with `InvocationError::Discovery` (and not retry until the budget — forever by default).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_cloud_token_is_a_discovery_error_at_once() {
    let (source, _stub, token) = tokio::task::spawn_blocking(bad_token_client_config)
        .await
        .expect("join");
    let cfg = config("dev");
    let mut cfg = cfg;
    cfg.cluster_connect_timeout = None; // the default: a permanent error must still end connect
    let began = Instant::now();
    let result = tokio::time::timeout(Duration::from_secs(10), ClusterClient::connect(cfg, source))
        .await
        .expect("connect gives up on a rejected token instead of retrying forever");
    match result {
        Err(InvocationError::Discovery(e)) => {
            assert!(e.is_permanent(), "a rejected token is permanent");
            let message = e.to_string();
            assert!(message.contains("not found"), "{message}");
            assert!(!message.contains(token), "{message}");
        }
        Err(other) => panic!("expected InvocationError::Discovery, got {other:?}"),
        Ok(client) => {
            client.shutdown().await;
            panic!("must not connect")
        }
    }
    assert!(began.elapsed() < Duration::from_secs(5));
}
