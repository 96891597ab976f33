//! Public-address translation and cloud discovery with REAL Hazelcast members.
//!
//! * Members in a network namespace created by the test advertise a private
//!   `127.0.0.1:<port>` (unreachable from this process) and a public `10.77.X.2:<port>`.
//!   These tests need iproute2 and root; without root they run again inside an unprivileged user
//!   namespace (`netns_test`), and where neither works they print `SKIPPED: <test>: <reason>`
//!   (which fails `.ci/run`).
//! * A plain loopback cluster (no public addresses) for the "reachable privately" case.
//!
//! Set `HZ_SKIP_MEMBER_TESTS=1` to skip every real-member test (no Java / Maven Central).

use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use hazelcast_codec::custom::MemberInfo;
use hazelcast_codec::messages::client::AUTH_STATUS_AUTHENTICATED;
use hazelcast_discovery::{
    Address, AddressProvider, CloudConfig, CloudDiscovery, DecisionReason, MemberAddress,
    MemberAddressTranslator, PublicAddressMode, public_address,
};
use hazelcast_testkit::ClusterConfig;
use hazelcast_testkit::cloud::{CloudResponse, CloudStub};
use hazelcast_testkit::netns::{NetnsTest, PublicAddressCluster, netns_test};
use hazelcast_testkit::raw::RawConnection;

fn skip_member_tests() -> bool {
    let skip = std::env::var_os("HZ_SKIP_MEMBER_TESTS").is_some_and(|v| !v.is_empty() && v != "0");
    if skip {
        hazelcast_testkit::report_skip(
            &hazelcast_testkit::current_test_name(),
            "HZ_SKIP_MEMBER_TESTS is set (no real members)",
        );
    }
    skip
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn socket(a: &Address) -> SocketAddr {
    a.socket_addr()
        .unwrap_or_else(|| panic!("{a} is not an IP address"))
}

/// Connects and authenticates; returns the member list of the answer and the member's UUID.
fn authenticate(addr: SocketAddr, cluster_name: &str) -> (Vec<MemberInfo>, hazelcast_codec::Uuid) {
    let mut conn = RawConnection::connect(addr).unwrap_or_else(|e| panic!("connect to {addr}: {e:?}"));
    let (_, auth) = conn
        .authenticate(cluster_name)
        .unwrap_or_else(|e| panic!("authenticate at {addr}: {e:?}"));
    assert_eq!(auth.status, AUTH_STATUS_AUTHENTICATED, "at {addr}");
    let members = auth
        .member_infos
        .expect("member list in the authentication answer")
        .0;
    (members, auth.member_uuid.expect("member uuid"))
}

fn refused(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err()
}

/// Polls until the authentication answer lists `n` members (a member's view may lag its log).
fn members_via(seed: SocketAddr, cluster_name: &str, n: usize) -> Vec<MemberInfo> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (members, _) = authenticate(seed, cluster_name);
        if members.len() == n {
            return members;
        }
        assert!(
            Instant::now() < deadline,
            "member list never reached {n}: {members:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn public_ip_and_cloud_discovery_with_members_in_a_namespace() {
    if skip_member_tests() {
        return;
    }
    match netns_test(&hazelcast_testkit::current_test_name()) {
        Ok(NetnsTest::RunHere) => {}
        Ok(_) => return, // ran in a child user namespace, or skipped saying so
        Err(e) => panic!("{e}"),
    }
    let cluster =
        PublicAddressCluster::start(ClusterConfig::new().members(2)).unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "2 members in namespace {} started in {:?}; public {:?}, private {:?}",
        cluster.netns().name(),
        cluster.startup_time(),
        cluster.public_addresses(),
        cluster.addresses()
    );
    let name = cluster.cluster_name().to_owned();
    let seed = cluster.public_address(0);

    // The layout: private unreachable from here, public reachable.
    for i in 0..2 {
        assert!(
            refused(cluster.private_address(i)),
            "private {} is reachable",
            cluster.private_address(i)
        );
    }

    // Through the public seed, the member list carries both addresses.
    let members = members_via(seed, &name, 2);
    for m in &members {
        let private = m.client_address().clone();
        let public = public_address(m).expect("(CLIENT, public) entry").clone();
        assert_eq!(private.host, "127.0.0.1", "{m:?}");
        assert_eq!(public.host, cluster.netns().ns_ip().to_string(), "{m:?}");
        assert_eq!(private.port, public.port);
    }
    let seeds = vec![MemberAddress::from(Address::from(seed))];
    let rt = runtime();

    // Public mode: public addresses, and each accepts a connection and authentication.
    let public = MemberAddressTranslator::new(PublicAddressMode::Public);
    rt.block_on(public.decide(&members, &seeds, false));
    for m in &members {
        let dial = public.translate(m).unwrap();
        assert_eq!(dial.host, cluster.netns().ns_ip().to_string());
        let (_, uuid) = authenticate(socket(&dial), &name);
        assert_eq!(uuid, m.uuid, "{dial} is another member");
    }

    // Auto: decides public (private refused, public reachable).
    let auto = MemberAddressTranslator::new(PublicAddressMode::Auto);
    let began = Instant::now();
    let decision = rt.block_on(auto.decide(&members, &seeds, false));
    let took = began.elapsed();
    eprintln!("auto-detection in the namespace layout: {decision:?} in {took:?}");
    assert!(decision.use_public, "{decision:?}");
    assert_eq!(decision.reason, DecisionReason::OnlyPublicReachable);
    assert!(took < Duration::from_secs(1), "{took:?}");
    for m in &members {
        let dial = auto.translate(m).unwrap();
        let (_, uuid) = authenticate(socket(&dial), &name);
        assert_eq!(uuid, m.uuid);
    }
    // Auto with TLS on never probes and stays private.
    let d = rt.block_on(MemberAddressTranslator::new(PublicAddressMode::Auto).decide(&members, &seeds, true));
    assert_eq!(d.reason, DecisionReason::TlsEnabled);

    // Private mode: the private addresses, which are unreachable from here.
    let private = MemberAddressTranslator::new(PublicAddressMode::Private);
    rt.block_on(private.decide(&members, &seeds, false));
    for m in &members {
        let dial = private.translate(m).unwrap();
        assert_eq!(dial.host, "127.0.0.1");
        assert!(refused(socket(&dial)));
    }

    // Cloud: the stub maps the members' private addresses to their public ones (the first
    // without a port: it inherits the public port).
    let stub = CloudStub::start().expect("cloud stub");
    let token = "namespace-cluster-token";
    let pairs: Vec<(String, String)> = (0..2)
        .map(|i| {
            let private = cluster.private_address(i);
            let private = if i == 0 {
                private.ip().to_string()
            } else {
                private.to_string()
            };
            (private, cluster.public_address(i).to_string())
        })
        .collect();
    stub.respond(token, CloudResponse::members(pairs));
    let cloud = CloudDiscovery::new(
        CloudConfig::new(token)
            .base_url(stub.base_url())
            .extra_root_ca_pem(stub.ca_pem())
            .use_env_proxy(false),
    )
    .unwrap();
    let loaded = rt.block_on(cloud.load_addresses()).expect("cloud discovery");
    let mut loaded_sorted: Vec<SocketAddr> = loaded.iter().map(socket).collect();
    loaded_sorted.sort();
    let mut expected = cluster.addresses();
    expected.sort();
    assert_eq!(
        loaded_sorted, expected,
        "load_addresses gives the private addresses"
    );
    for private in &loaded {
        assert!(refused(socket(private)), "untranslated {private} must not work");
        let dial = rt.block_on(cloud.translate(private)).expect("translation");
        let (list, _) = authenticate(socket(&dial), &name);
        assert_eq!(list.len(), 2);
        // Member-list addresses translate through the same map.
        for m in &list {
            let via = rt
                .block_on(cloud.translate(&m.client_address().clone()))
                .expect("member-list translation");
            let (_, uuid) = authenticate(socket(&via), &name);
            assert_eq!(uuid, m.uuid);
        }
    }
    assert_eq!(
        stub.requests_for(token),
        1,
        "all translations came from the cache"
    );
}

#[test]
fn auto_detection_picks_private_for_a_loopback_cluster() {
    if skip_member_tests() {
        return;
    }
    let cluster = ClusterConfig::new().start().expect("a 1-member loopback cluster");
    let addr = cluster.address(0);
    let (members, _) = authenticate(addr, cluster.cluster_name());
    assert_eq!(members.len(), 1);
    assert!(public_address(&members[0]).is_none());
    let rt = runtime();

    // Seeded with the member's own address: rule 2.
    let seeds = vec![MemberAddress::from(Address::from(addr))];
    let auto = MemberAddressTranslator::new(PublicAddressMode::Auto);
    let d = rt.block_on(auto.decide(&members, &seeds, false));
    assert!(!d.use_public);
    assert!(matches!(d.reason, DecisionReason::SeedIsMember { .. }), "{d:?}");

    // Seeded through another name for it (a load balancer, say): no public address, rule 3a.
    let lb = vec![MemberAddress::new("127.0.0.2", Some(addr.port())).unwrap()];
    let d = rt.block_on(auto.decide(&members, &lb, false));
    assert!(!d.use_public);
    assert!(
        matches!(d.reason, DecisionReason::NoPublicAddress { .. }),
        "{d:?}"
    );
    let dial = auto.translate(&members[0]).unwrap();
    assert_eq!(socket(&dial), addr);
    authenticate(socket(&dial), cluster.cluster_name());
}
