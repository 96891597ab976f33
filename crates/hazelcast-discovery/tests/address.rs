//! Address parsing and candidate ordering: unit and property tests.

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr};

use hazelcast_discovery::{
    Address, AddressError, AddressProvider, DEFAULT_PORTS, MemberAddress, StaticAddressProvider,
    parse_member_addresses,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn host_name() -> impl Strategy<Value = String> {
    let label = "[a-z]([a-z0-9-]{0,8}[a-z0-9])?";
    proptest::collection::vec(label, 1..4).prop_map(|labels| labels.join("."))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn ipv4_with_and_without_port(ip in any::<Ipv4Addr>(), port in 1u16..) {
        let bare: MemberAddress = ip.to_string().parse().unwrap();
        prop_assert_eq!(bare.host(), ip.to_string());
        prop_assert_eq!(bare.port(), None);
        let with: MemberAddress = format!("{ip}:{port}").parse().unwrap();
        prop_assert_eq!(with.port(), Some(port));
        prop_assert_eq!(with.to_string(), format!("{ip}:{port}"));
    }

    #[test]
    fn ipv6_bracketed_and_bare(ip in any::<Ipv6Addr>(), port in 1u16..) {
        let with: MemberAddress = format!("[{ip}]:{port}").parse().unwrap();
        prop_assert_eq!(with.host(), ip.to_string());
        prop_assert_eq!(with.port(), Some(port));
        let bracketed: MemberAddress = format!("[{ip}]").parse().unwrap();
        prop_assert_eq!(bracketed.port(), None);
        // A bare IPv6 literal never has a port (unless it has too few colons to be IPv6 text,
        // which std's rendering never produces: it always has at least two).
        let bare: MemberAddress = ip.to_string().parse().unwrap();
        prop_assert_eq!(bare.host(), ip.to_string());
        prop_assert_eq!(bare.port(), None);
        let addr: Address = format!("[{ip}]:{port}").parse().unwrap();
        prop_assert_eq!(addr.to_string(), format!("[{ip}]:{port}"));
    }

    #[test]
    fn host_names_are_kept(name in host_name(), port in proptest::option::of(1u16..)) {
        // All-numeric dotted names are IPv4 typos and rejected; skip them here.
        prop_assume!(!name.split('.').all(|l| l.bytes().all(|b| b.is_ascii_digit())));
        let text = match port { Some(p) => format!("{name}:{p}"), None => name.clone() };
        let parsed: MemberAddress = text.parse().unwrap();
        prop_assert_eq!(parsed.host(), name.as_str());
        prop_assert_eq!(parsed.port(), port);
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn out_of_range_ports_name_the_entry(name in host_name(), port in 65536u64..=u64::MAX) {
        let text = format!("{name}:{port}");
        let err = text.parse::<MemberAddress>().unwrap_err();
        prop_assert!(err.to_string().contains(&text), "{}", err);
        let expected = matches!(err, AddressError::InvalidPort { .. } | AddressError::InvalidHost { .. });
        prop_assert!(expected, "unexpected error kind: {}", err);
    }

    #[test]
    fn garbage_never_panics_and_accepted_text_round_trips(text in "\\PC{0,40}") {
        if let Ok(parsed) = text.parse::<MemberAddress>() {
            let again: MemberAddress = parsed.to_string().parse().unwrap();
            prop_assert_eq!(again, parsed.clone());
            if let Some(p) = parsed.port() {
                prop_assert!(p != 0);
            }
        }
    }

    #[test]
    fn ascii_garbage_with_colons_and_brackets(text in "[a-z0-9:\\[\\] .%-]{0,20}") {
        match text.parse::<MemberAddress>() {
            Ok(parsed) => {
                prop_assert!(!parsed.host().is_empty());
                prop_assert!(!parsed.host().contains(' '));
                prop_assert!(!parsed.host().contains('['));
            }
            Err(e) => {
                // Every error names the entry (or is the empty-entry error).
                let trimmed = text.trim();
                prop_assert!(trimmed.is_empty() || e.to_string().contains(trimmed), "{} / {}", text, e);
            }
        }
    }

    #[test]
    fn default_ports_are_always_the_same_set(seed in any::<u64>(), name in host_name()) {
        prop_assume!(!name.split('.').all(|l| l.bytes().all(|b| b.is_ascii_digit())));
        let entry: MemberAddress = name.parse().unwrap();
        let mut rng = StdRng::seed_from_u64(seed);
        let candidates = StaticAddressProvider::new(vec![entry], true).addresses_with(&mut rng);
        let ports: HashSet<u16> = candidates.iter().map(|a| a.port).collect();
        prop_assert_eq!(candidates.len(), 3);
        prop_assert_eq!(ports, DEFAULT_PORTS.into_iter().collect::<HashSet<_>>());
        prop_assert!(candidates.iter().all(|a| a.host == name));
    }

    #[test]
    fn explicit_port_is_the_only_candidate(seed in any::<u64>(), port in 1u16..) {
        let entry: MemberAddress = format!("10.1.2.3:{port}").parse().unwrap();
        let candidates =
            StaticAddressProvider::new(vec![entry], true).addresses_with(&mut StdRng::seed_from_u64(seed));
        prop_assert_eq!(candidates, vec![Address::new("10.1.2.3", port)]);
    }
}

#[test]
fn list_errors_name_the_offending_entry() {
    let cases = [
        ("", "#1 is empty"),
        ("h:0", "\"h:0\""),
        ("h:70000", "\"h:70000\""),
        ("h:x", "\"h:x\""),
        ("[::1", "\"[::1\""),
        ("a b", "\"a b\""),
    ];
    for (bad, needle) in cases {
        let err = parse_member_addresses(&["10.0.0.1", bad]).unwrap_err();
        assert!(err.to_string().contains(needle), "{bad:?}: {err}");
    }
}

#[test]
fn default_port_order_is_random() {
    let provider = StaticAddressProvider::new(vec![MemberAddress::localhost()], true);
    let mut orders = HashMap::new();
    let mut rng = rand::rng();
    for _ in 0..600 {
        let order: Vec<u16> = provider.addresses_with(&mut rng).iter().map(|a| a.port).collect();
        *orders.entry(order).or_insert(0u32) += 1;
    }
    // Six permutations, 100 expected each; 40 is ~7 standard deviations below.
    assert_eq!(orders.len(), 6, "{orders:?}");
    assert!(orders.values().all(|&n| n >= 40), "{orders:?}");
}

async fn first_hosts(provider: &StaticAddressProvider, runs: usize) -> HashMap<Vec<String>, u32> {
    let mut seen = HashMap::new();
    for _ in 0..runs {
        let list = provider.load_addresses().await.expect("static addresses");
        let hosts: Vec<String> = list.iter().take(3).map(ToString::to_string).collect();
        *seen.entry(hosts).or_insert(0u32) += 1;
    }
    seen
}

#[tokio::test]
async fn member_list_is_shuffled_and_shuffling_can_be_turned_off() {
    let entries = ["10.0.0.1:5701", "10.0.0.2:5701", "10.0.0.3:5701"];
    let shuffled = StaticAddressProvider::from_config(&entries, true).unwrap();
    let seen = first_hosts(&shuffled, 600).await;
    assert_eq!(seen.len(), 6, "{seen:?}");
    assert!(seen.values().all(|&n| n >= 40), "{seen:?}");

    let fixed = StaticAddressProvider::from_config(&entries, false).unwrap();
    let seen = first_hosts(&fixed, 50).await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen.keys().next().unwrap(), &entries.map(String::from).to_vec());
}

#[tokio::test]
async fn every_host_is_tried_once_before_second_ports() {
    let provider = StaticAddressProvider::from_config(&["a", "b", "c:7"], true).unwrap();
    for _ in 0..50 {
        let list = provider.load_addresses().await.unwrap();
        assert_eq!(list.len(), 7);
        let first: HashSet<&str> = list[..3].iter().map(|a| a.host.as_str()).collect();
        assert_eq!(first, HashSet::from(["a", "b", "c"]));
        for host in ["a", "b"] {
            let ports: HashSet<u16> = list.iter().filter(|x| x.host == host).map(|x| x.port).collect();
            assert_eq!(ports, HashSet::from(DEFAULT_PORTS));
        }
        assert_eq!(provider.translate(&list[0]).await, Some(list[0].clone()));
    }
}
