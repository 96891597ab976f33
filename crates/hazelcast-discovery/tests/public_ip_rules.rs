//! Automatic public-address detection against loopback listeners this test controls: one test per
//! rule, the forced modes, translation, and the timing bound (concurrent probes).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hazelcast_codec::Uuid;
use hazelcast_codec::custom::{EndpointQualifier, MemberInfo, MemberVersion, protocol_type};
use hazelcast_codec::types::EntryList;
use hazelcast_discovery::{
    Address, DecisionReason, MemberAddress, MemberAddressTranslator, ProbeTimeouts, PublicAddressMode,
};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

fn wire(addr: SocketAddr) -> Address {
    Address::from(addr)
}

/// A member advertising `private` (address and `(MEMBER, null)`) and, optionally, `public`
/// under `(CLIENT, "public")`.
fn member(n: u128, private: SocketAddr, public: Option<SocketAddr>) -> MemberInfo {
    let mut map = vec![(EndpointQualifier::new(protocol_type::MEMBER, None), wire(private))];
    if let Some(public) = public {
        map.push((
            EndpointQualifier::new(protocol_type::CLIENT, Some("public".into())),
            wire(public),
        ));
    }
    MemberInfo::new(
        Uuid::from_u128(n),
        false,
        wire(private),
        EntryList(Vec::new()),
        MemberVersion::new(5, 7, 0),
        Some(EntryList(map)),
    )
}

/// A listener that accepts connections (the kernel completes the handshake; no accept needed).
async fn reachable() -> (TcpListener, SocketAddr) {
    let l = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback listener");
    let a = l.local_addr().expect("listener address");
    (l, a)
}

/// A loopback port nobody listens on (connects are refused at once).
async fn refused() -> SocketAddr {
    let (l, a) = reachable().await;
    drop(l);
    a
}

/// A listener whose accept queue is full, so further connection attempts hang (the kernel drops
/// their SYNs). Returns the listener, the connections filling the queue, and its address.
async fn black_hole() -> (TcpListener, Vec<TcpStream>, SocketAddr) {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.bind(SocketAddr::from(([127, 0, 0, 1], 0))).expect("bind");
    let listener = socket.listen(0).expect("listen");
    let addr = listener.local_addr().expect("listener address");
    let mut fillers = Vec::new();
    for _ in 0..16 {
        match tokio::time::timeout(Duration::from_millis(300), TcpStream::connect(addr)).await {
            Ok(Ok(s)) => fillers.push(s),
            Ok(Err(e)) => panic!("filling the accept queue: {e}"),
            Err(_) => return (listener, fillers, addr),
        }
    }
    panic!("the accept queue of {addr} never filled");
}

fn seeds(list: &[&str]) -> Vec<MemberAddress> {
    hazelcast_discovery::parse_member_addresses(list).expect("valid seeds")
}

fn auto(private_ms: u64, public_ms: u64) -> MemberAddressTranslator {
    MemberAddressTranslator::new(PublicAddressMode::Auto).with_probe_timeouts(ProbeTimeouts {
        private: Duration::from_millis(private_ms),
        public: Duration::from_millis(public_ms),
    })
}

/// A seed that is not any member's IP.
const OTHER_SEED: &str = "127.0.0.9:5701";

#[tokio::test]
async fn rule_1_tls_means_private_without_probing() {
    let (_bh, _f, hole) = black_hole().await;
    let members = [member(1, hole, Some(hole))];
    let t = auto(5_000, 5_000);
    let began = Instant::now();
    let d = t.decide(&members, &seeds(&[OTHER_SEED]), true).await;
    assert!(!d.use_public);
    assert_eq!(d.reason, DecisionReason::TlsEnabled);
    // Probing would wait for the black hole's 5 s timeout; the margin is for a loaded machine.
    assert!(
        began.elapsed() < Duration::from_millis(2500),
        "{:?}",
        began.elapsed()
    );
}

#[tokio::test]
async fn rule_2_member_ip_equal_to_a_seed_means_private() {
    let (_l, public) = reachable().await;
    let private = refused().await;
    let members = [member(1, private, Some(public))];
    for seed in ["127.0.0.1", "127.0.0.1:1", "localhost"] {
        let d = auto(1000, 1000).decide(&members, &seeds(&[seed]), false).await;
        assert!(!d.use_public, "{seed}");
        assert_eq!(
            d.reason,
            DecisionReason::SeedIsMember {
                ip: "127.0.0.1".parse().unwrap()
            },
            "{seed}"
        );
    }
}

#[tokio::test]
async fn rule_3a_member_without_public_address_means_private() {
    let (_l, public) = reachable().await;
    let private = refused().await;
    let other = refused().await;
    // One of the two members has no public address; with 3 checks over 2 members it is always
    // among the checked ones.
    let members = [member(1, private, Some(public)), member(2, other, None)];
    for _ in 0..10 {
        let d = auto(1000, 1000)
            .decide(&members, &seeds(&[OTHER_SEED]), false)
            .await;
        assert!(!d.use_public);
        assert!(
            matches!(&d.reason, DecisionReason::NoPublicAddress { member } if member.port == other.port()),
            "{:?}",
            d.reason
        );
    }
}

#[tokio::test]
async fn rule_3b_reachable_private_address_means_private() {
    let (_l1, private) = reachable().await;
    let (_l2, public) = reachable().await;
    let d = auto(1000, 1000)
        .decide(&[member(1, private, Some(public))], &seeds(&[OTHER_SEED]), false)
        .await;
    assert!(!d.use_public);
    assert_eq!(
        d.reason,
        DecisionReason::PrivateReachable {
            member: Address::from(private)
        }
    );
}

#[tokio::test]
async fn rule_3c_unreachable_public_address_means_private() {
    let private = refused().await;
    let public = refused().await;
    let d = auto(1000, 1000)
        .decide(&[member(1, private, Some(public))], &seeds(&[OTHER_SEED]), false)
        .await;
    assert!(!d.use_public);
    assert_eq!(
        d.reason,
        DecisionReason::PublicUnreachable {
            public: Address::from(public)
        }
    );
}

#[tokio::test]
async fn rule_4_only_public_reachable_means_public_and_translation_follows() {
    let (_l1, public1) = reachable().await;
    let (_l2, public2) = reachable().await;
    let (p1, p2) = (refused().await, refused().await);
    let members = [member(1, p1, Some(public1)), member(2, p2, Some(public2))];
    let t = auto(1000, 1000);
    assert!(t.decision().is_none());
    // Undecided Auto translates like Private.
    assert_eq!(t.translate(&members[0]).unwrap(), Address::from(p1));
    let d = t.decide(&members, &seeds(&[OTHER_SEED]), false).await;
    assert!(d.use_public, "{:?}", d.reason);
    assert_eq!(d.reason, DecisionReason::OnlyPublicReachable);
    assert_eq!(t.decision(), Some(d));
    assert_eq!(t.translate(&members[0]).unwrap(), Address::from(public1));
    assert_eq!(t.translate(&members[1]).unwrap(), Address::from(public2));
    // A member without a public address (joined later) falls back to its own address.
    let late = member(3, p1, None);
    assert_eq!(t.translate(&late).unwrap(), Address::from(p1));
    t.reset();
    assert!(t.decision().is_none());
    assert_eq!(t.translate(&members[0]).unwrap(), Address::from(p1));
}

#[tokio::test]
async fn empty_member_list_means_private() {
    let d = auto(100, 100).decide(&[], &seeds(&[OTHER_SEED]), false).await;
    assert_eq!(d.reason, DecisionReason::NoMembers);
    assert!(!d.use_public);
}

#[tokio::test]
async fn forced_modes_do_not_probe() {
    let (_bh, _f, hole) = black_hole().await;
    let (_l, reach) = reachable().await;
    let with_public = member(1, reach, Some(hole));
    let without = member(2, reach, None);

    let public = MemberAddressTranslator::new(PublicAddressMode::from_use_public_ip(Some(true)));
    let began = Instant::now();
    let d = public
        .decide(std::slice::from_ref(&with_public), &[], false)
        .await;
    // Well under the default 1 s private probe timeout.
    assert!(began.elapsed() < Duration::from_millis(500));
    assert!(d.use_public);
    assert_eq!(d.reason, DecisionReason::Configured);
    assert_eq!(public.translate(&with_public).unwrap(), Address::from(hole));
    // Fallback (with a warning) for a member that advertises no public address.
    assert_eq!(public.translate(&without).unwrap(), Address::from(reach));

    let private = MemberAddressTranslator::new(PublicAddressMode::from_use_public_ip(Some(false)));
    // Even before deciding, Private translates to the client address.
    assert_eq!(private.translate(&with_public).unwrap(), Address::from(reach));
    let d = private
        .decide(std::slice::from_ref(&with_public), &[], false)
        .await;
    assert!(!d.use_public);
    assert_eq!(private.translate(&with_public).unwrap(), Address::from(reach));
    assert_eq!(
        PublicAddressMode::from_use_public_ip(None),
        PublicAddressMode::Auto
    );
}

#[tokio::test]
async fn probes_run_concurrently_private_timeouts_do_not_add_up() {
    // Three members whose private addresses hang and whose public addresses accept: every
    // private probe must run out its timeout before the decision (public) can be made.
    let mut keep = Vec::new();
    let mut members = Vec::new();
    for n in 0..3 {
        let (bh, fillers, hole) = black_hole().await;
        let (l, public) = reachable().await;
        keep.push((bh, fillers, l));
        members.push(member(n, hole, Some(public)));
    }
    let private_timeout = Duration::from_millis(600);
    let t = auto(600, 3000);
    let began = Instant::now();
    let d = t.decide(&members, &seeds(&[OTHER_SEED]), false).await;
    let took = began.elapsed();
    eprintln!("three hanging private probes (600 ms each) decided public in {took:?}");
    assert!(d.use_public, "{:?}", d.reason);
    assert!(took >= private_timeout, "{took:?}");
    // Sequential probing would take 3 × 600 ms; parallel probing takes one timeout.
    assert!(took < private_timeout * 2, "{took:?}");
}

#[tokio::test]
async fn worst_case_with_default_timeouts_is_about_three_seconds() {
    // Private and public addresses of every member hang: Java's sequential rules would take
    // 3 × (1 s + 3 s) = 12 s; concurrent probes take the public timeout, 3 s.
    let mut keep = Vec::new();
    let mut members = Vec::new();
    for n in 0..3 {
        let (bh1, f1, private) = black_hole().await;
        let (bh2, f2, public) = black_hole().await;
        keep.push((bh1, f1, bh2, f2));
        members.push(member(n, private, Some(public)));
    }
    let t = MemberAddressTranslator::new(PublicAddressMode::Auto);
    let began = Instant::now();
    let d = t.decide(&members, &seeds(&[OTHER_SEED]), false).await;
    let took = began.elapsed();
    eprintln!("worst case (all probes hang, default 1 s / 3 s timeouts) decided in {took:?}");
    assert!(!d.use_public);
    assert!(
        matches!(d.reason, DecisionReason::PublicUnreachable { .. }),
        "{:?}",
        d.reason
    );
    assert!(took >= Duration::from_secs(3), "{took:?}");
    // Private probes, then public ones, would take 1 s + 3 s.
    assert!(took < Duration::from_millis(3800), "{took:?}");
}

#[tokio::test]
async fn single_member_is_checked_with_wrap_around() {
    let (_l, public) = reachable().await;
    let private = refused().await;
    let d = auto(500, 500)
        .decide(&[member(1, private, Some(public))], &seeds(&[OTHER_SEED]), false)
        .await;
    assert!(d.use_public, "{:?}", d.reason);
}
