//! `TrustStore::System` trusts what the operating system's store holds, and nothing built in:
//! the test runs itself again in a child process whose `SSL_CERT_FILE` (which the store's
//! loader honours) names the test CA, or another CA, and connects to a JSSE TLS front that
//! presents a certificate of the test CA.

use std::net::{SocketAddr, TcpListener};
use std::process::Command;
use std::sync::Arc;

use hazelcast_codec::ClientMessage;
use hazelcast_testkit::{TestPki, TlsFront, TlsFrontOptions};
use hazelcast_transport::{
    Address, CloseReason, ConnectionConfig, MessageHandler, TlsConfig, TlsConnector, TlsError, TrustStore,
    connect,
};

const TEST: &str = "the_system_trust_store_is_what_ssl_cert_file_names";
const CHILD: &str = "HZ_TEST_SYSTEM_ROOTS_CHILD";
const FRONT: &str = "HZ_TEST_SYSTEM_ROOTS_FRONT";

struct Ignore;
impl MessageHandler for Ignore {
    fn on_message(&self, _: ClientMessage) {}
    fn on_close(&self, _: &CloseReason) {}
}

fn connector(trust_store: TrustStore) -> TlsConnector {
    let mut tls = TlsConfig::default();
    tls.trust_store = trust_store;
    TlsConnector::new(&tls).expect("a connector")
}

/// In the child: `expect` is `trusted` or `untrusted`.
fn child(expect: &str, front: SocketAddr) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let address = Address::new(front.ip().to_string(), front.port());
        let system = ConnectionConfig::with_tls(connector(TrustStore::System));
        let result = connect(&address, &system, Arc::new(Ignore)).await;
        match (expect, result) {
            ("trusted", Ok(conn)) => conn.close(),
            ("untrusted", Err(e)) => {
                assert!(
                    matches!(e.tls_error(), Some(TlsError::UnknownIssuer { .. })),
                    "{e:?}"
                )
            }
            (expect, other) => panic!("{expect}: {other:?}"),
        }
        // The built-in roots never trust the test CA.
        let builtin = ConnectionConfig::with_tls(connector(TrustStore::WebPkiRoots));
        let e = connect(&address, &builtin, Arc::new(Ignore))
            .await
            .expect_err("the built-in roots do not hold the test CA");
        assert!(
            matches!(e.tls_error(), Some(TlsError::UnknownIssuer { .. })),
            "{e:?}"
        );
    });
}

#[test]
fn the_system_trust_store_is_what_ssl_cert_file_names() {
    if let (Some(expect), Some(front)) = (std::env::var_os(CHILD), std::env::var_os(FRONT)) {
        let front: SocketAddr = front.to_string_lossy().parse().expect("front address");
        return child(&expect.to_string_lossy(), front);
    }
    // A backend for the front to forward to (the handshake is all the test needs).
    let backend = TcpListener::bind("127.0.0.1:0").expect("backend");
    let backend_addr = backend.local_addr().expect("address");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        while let Ok((socket, _)) = backend.accept() {
            held.push(socket);
        }
    });
    let pki = TestPki::generate().expect("test PKI");
    let front = TlsFront::start(&pki, &[backend_addr], &TlsFrontOptions::default()).expect("the TLS front");
    for (expect, ca) in [("trusted", &pki.ca.cert), ("untrusted", &pki.other_ca.cert)] {
        let status = Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
            .env(CHILD, expect)
            .env(FRONT, front.address(0).to_string())
            .env("SSL_CERT_FILE", ca)
            .env_remove("SSL_CERT_DIR")
            .status()
            .expect("the child runs");
        assert!(status.success(), "{expect}: the child failed ({status})");
    }
}
