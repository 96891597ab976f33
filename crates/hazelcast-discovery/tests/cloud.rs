//! Hazelcast Cloud discovery against the test kit's in-process HTTPS coordinator stub.
//! No test here contacts the default coordinator: every config sets the stub's base URL.

use std::time::{Duration, Instant};

use hazelcast_discovery::{Address, AddressProvider, CloudConfig, CloudDiscovery, DiscoveryError};
use hazelcast_testkit::cloud::{CloudResponse, CloudStub};

const TOKEN: &str = "s3cr3t-T0KEN-value";

fn stub() -> CloudStub {
    CloudStub::start().expect("start the HTTPS cloud stub")
}

fn config(stub: &CloudStub, token: &str) -> CloudConfig {
    CloudConfig::new(token)
        .base_url(stub.base_url())
        .extra_root_ca_pem(stub.ca_pem())
        .use_env_proxy(false)
        .retry_backoff(Duration::from_millis(10))
        .request_timeout(Duration::from_secs(5))
        .shuffle(false)
}

fn discovery(stub: &CloudStub, token: &str) -> CloudDiscovery {
    CloudDiscovery::new(config(stub, token)).expect("valid config")
}

/// The error's Display and Debug, checked to be free of the token.
fn rendered(e: &DiscoveryError, token: &str) -> String {
    let text = format!("{e} / {e:?}");
    assert!(!text.contains(token), "the token leaked: {text}");
    text
}

#[tokio::test]
async fn members_are_found_and_translated() {
    let stub = stub();
    stub.respond(
        TOKEN,
        CloudResponse::members([
            ("10.0.0.1", "127.0.0.1:31001"),
            ("10.0.0.2:5701", "127.0.0.1:31002"),
            ("[fd00::3]:5701", "[::1]:31003"),
        ]),
    );
    let d = discovery(&stub, TOKEN);
    assert_eq!(d.endpoint(), format!("{}/cluster/discovery", stub.base_url()));
    assert!(d.translates_member_addresses());

    let private = d.load_addresses().await.expect("discovery succeeds");
    assert_eq!(
        private,
        vec![
            // The private address without a port inherits the public port.
            Address::new("10.0.0.1", 31001),
            Address::new("10.0.0.2", 5701),
            Address::new("fd00::3", 5701),
        ]
    );
    assert_eq!(stub.requests_for(TOKEN), 1);
    assert_eq!(
        d.translate(&private[0]).await,
        Some(Address::new("127.0.0.1", 31001))
    );
    assert_eq!(d.translate(&private[2]).await, Some(Address::new("::1", 31003)));
    assert_eq!(stub.requests_for(TOKEN), 1, "cached translations make no request");

    // The request: path, token in the query, JSON accepted.
    let req = stub.requests().pop().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, "/cluster/discovery");
    assert_eq!(req.token.as_deref(), Some(TOKEN));
    assert!(
        req.headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("accept") && v.contains("application/json")),
        "{:?}",
        req.headers
    );

    // A member that joined later: the miss triggers exactly one refresh.
    stub.respond(
        TOKEN,
        CloudResponse::members([
            ("10.0.0.1", "127.0.0.1:31001"),
            ("10.0.0.4:5701", "127.0.0.1:31004"),
        ]),
    );
    assert_eq!(
        d.translate(&Address::new("10.0.0.4", 5701)).await,
        Some(Address::new("127.0.0.1", 31004))
    );
    assert_eq!(stub.requests_for(TOKEN), 1);
    // Unknown even after the refresh: None, after one more request.
    assert_eq!(d.translate(&Address::new("10.9.9.9", 5701)).await, None);
    assert_eq!(stub.requests_for(TOKEN), 2);
    // The refresh replaced the map: the member that left is gone from the cache.
    assert_eq!(d.cached_public_address(&Address::new("10.0.0.2", 5701)), None);
}

#[tokio::test]
async fn shuffling_is_on_by_default() {
    let stub = stub();
    let pairs: Vec<(String, String)> = (1..=4)
        .map(|i| (format!("10.0.0.{i}:5701"), format!("127.0.0.1:3100{i}")))
        .collect();
    stub.respond(TOKEN, CloudResponse::members(pairs));
    let d = CloudDiscovery::new(config(&stub, TOKEN).shuffle(true)).unwrap();
    let mut orders = std::collections::HashSet::new();
    for _ in 0..30 {
        orders.insert(d.load_addresses().await.unwrap());
    }
    assert!(orders.len() > 1, "30 loads gave one order");
}

#[tokio::test]
async fn wrong_token_gives_the_coordinator_message_without_the_token() {
    let stub = stub();
    let d = discovery(&stub, TOKEN); // the stub knows no token: 404 with a message
    let e = d.load_addresses().await.unwrap_err();
    let text = rendered(&e, TOKEN);
    match &e {
        DiscoveryError::Rejected { status, message, .. } => {
            assert_eq!(*status, 404);
            assert_eq!(message, "Cluster with token: <redacted> not found.");
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    assert!(text.contains("HTTP 404"), "{text}");
    assert_eq!(stub.requests_for(TOKEN), 1, "4xx is not retried");

    stub.respond(TOKEN, CloudResponse::error(401, "Unauthorized"));
    let e = d.load_addresses().await.unwrap_err();
    assert!(matches!(e, DiscoveryError::Rejected { status: 401, .. }), "{e:?}");
    assert_eq!(stub.requests_for(TOKEN), 1);
}

#[tokio::test]
async fn server_errors_are_retried_then_fail() {
    let stub = stub();
    stub.respond(TOKEN, CloudResponse::fail_first(100, CloudResponse::body("[]")));
    let d = discovery(&stub, TOKEN);
    let e = d.load_addresses().await.unwrap_err();
    rendered(&e, TOKEN);
    match &e {
        DiscoveryError::ServerError { status, attempts, .. } => {
            assert_eq!(*status, 500);
            assert_eq!(*attempts, 4);
        }
        other => panic!("expected ServerError, got {other:?}"),
    }
    assert_eq!(stub.requests_for(TOKEN), 4, "1 request + 3 retries");
}

#[tokio::test]
async fn two_server_errors_then_success() {
    let stub = stub();
    stub.respond(
        TOKEN,
        CloudResponse::fail_first(2, CloudResponse::members([("10.0.0.1:5701", "127.0.0.1:31001")])),
    );
    let d = discovery(&stub, TOKEN);
    let list = d.load_addresses().await.expect("third attempt succeeds");
    assert_eq!(list, vec![Address::new("10.0.0.1", 5701)]);
    assert_eq!(stub.requests_for(TOKEN), 3);
}

#[tokio::test]
async fn malformed_json_empty_list_and_bad_addresses_fail() {
    let stub = stub();
    let d = discovery(&stub, TOKEN);

    stub.respond(TOKEN, CloudResponse::body("this is not json"));
    let e = d.load_addresses().await.unwrap_err();
    assert!(matches!(e, DiscoveryError::BadJson { .. }), "{e:?}");
    rendered(&e, TOKEN);

    stub.respond(TOKEN, CloudResponse::body(r#"{"private-address":"x"}"#));
    let e = d.load_addresses().await.unwrap_err();
    assert!(matches!(e, DiscoveryError::BadJson { .. }), "{e:?}");

    stub.respond(TOKEN, CloudResponse::body("[]"));
    let e = d.load_addresses().await.unwrap_err();
    assert!(matches!(e, DiscoveryError::EmptyMemberList { .. }), "{e:?}");

    stub.respond(TOKEN, CloudResponse::members([("10.0.0.1", "127.0.0.1:99999")]));
    let e = d.load_addresses().await.unwrap_err();
    let text = rendered(&e, TOKEN);
    assert!(
        matches!(
            e,
            DiscoveryError::BadAddress {
                field: "public-address",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(text.contains("127.0.0.1:99999"), "{text}");

    stub.respond(TOKEN, CloudResponse::members([("10.0.0.1", "127.0.0.1")]));
    let e = d.load_addresses().await.unwrap_err();
    assert!(e.to_string().contains("has no port"), "{e}");

    stub.respond(TOKEN, CloudResponse::members([("10.0.0.1 x", "127.0.0.1:1")]));
    let e = d.load_addresses().await.unwrap_err();
    assert!(
        matches!(
            e,
            DiscoveryError::BadAddress {
                field: "private-address",
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn timeout_fires_within_the_configured_time() {
    let stub = stub();
    stub.respond(
        TOKEN,
        CloudResponse::delayed(Duration::from_secs(30), CloudResponse::body("[]")),
    );
    let timeout = Duration::from_millis(700);
    let d = CloudDiscovery::new(config(&stub, TOKEN).request_timeout(timeout)).unwrap();
    let began = Instant::now();
    let e = d.load_addresses().await.unwrap_err();
    let took = began.elapsed();
    eprintln!("cloud discovery timeout configured {timeout:?}, fired after {took:?}");
    rendered(&e, TOKEN);
    assert!(matches!(e, DiscoveryError::Timeout { .. }), "{e:?}");
    assert!(took >= timeout, "{took:?}");
    // The stub would answer after 30 s; the margin is for a loaded machine.
    assert!(took < timeout + Duration::from_secs(2), "{took:?}");
    assert_eq!(stub.requests_for(TOKEN), 1, "timeouts are not retried");
}

#[tokio::test]
async fn plain_http_is_refused_unless_allowed() {
    let stub = CloudStub::start_plain_http().expect("start the HTTP stub");
    assert!(stub.base_url().starts_with("http://"));
    stub.respond(TOKEN, CloudResponse::members([("10.0.0.1", "127.0.0.1:31001")]));
    let e = CloudDiscovery::new(CloudConfig::new(TOKEN).base_url(stub.base_url())).unwrap_err();
    let text = rendered(&e, TOKEN);
    assert!(matches!(e, DiscoveryError::InsecureUrl { .. }), "{e:?}");
    assert!(text.contains("plain http"), "{text}");
    assert_eq!(stub.request_count(), 0);

    let d = CloudDiscovery::new(
        CloudConfig::new(TOKEN)
            .base_url(stub.base_url())
            .allow_insecure_http(true)
            .use_env_proxy(false),
    )
    .unwrap();
    assert_eq!(
        d.load_addresses().await.unwrap(),
        vec![Address::new("10.0.0.1", 31001)]
    );
    assert_eq!(stub.requests_for(TOKEN), 1);
}

#[tokio::test]
async fn untrusted_certificate_is_a_tls_error() {
    let stub = stub();
    stub.respond(TOKEN, CloudResponse::members([("10.0.0.1", "127.0.0.1:31001")]));
    // Only the webpki roots: the stub's test CA is unknown.
    let d = CloudDiscovery::new(
        CloudConfig::new(TOKEN)
            .base_url(stub.base_url())
            .use_env_proxy(false)
            .request_timeout(Duration::from_secs(5)),
    )
    .unwrap();
    let e = d.load_addresses().await.unwrap_err();
    let text = rendered(&e, TOKEN);
    assert!(matches!(e, DiscoveryError::Tls { .. }), "{e:?}");
    assert!(text.to_lowercase().contains("certificate"), "{text}");

    // Another test CA is not good enough either.
    let other = CloudStub::start().unwrap();
    let d = CloudDiscovery::new(
        CloudConfig::new(TOKEN)
            .base_url(stub.base_url())
            .extra_root_ca_pem(other.ca_pem())
            .use_env_proxy(false),
    )
    .unwrap();
    let e = d.load_addresses().await.unwrap_err();
    assert!(matches!(e, DiscoveryError::Tls { .. }), "{e:?}");
    assert_eq!(stub.requests_for(TOKEN), 0, "no request got through TLS");
}

#[tokio::test]
async fn connection_refused_is_a_request_error_without_the_token() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let d = CloudDiscovery::new(
        CloudConfig::new(TOKEN)
            .base_url(format!("https://127.0.0.1:{port}"))
            .use_env_proxy(false),
    )
    .unwrap();
    let e = d.load_addresses().await.unwrap_err();
    let text = rendered(&e, TOKEN);
    assert!(matches!(e, DiscoveryError::Request { .. }), "{e:?}");
    assert!(
        text.contains(&format!("127.0.0.1:{port}/cluster/discovery")),
        "{text}"
    );
}

#[test]
fn debug_output_hides_the_token() {
    let config = CloudConfig::new(TOKEN).base_url("https://127.0.0.1:1");
    let shown = format!("{config:?} {:?}", config.token());
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("Secret(***)"), "{shown}");
    let d = CloudDiscovery::new(config).unwrap();
    assert!(!format!("{d:?}").contains(TOKEN));
    assert!(!d.endpoint().contains(TOKEN));
}
