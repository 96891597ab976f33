//! The test kit's JSSE TLS terminator on its own, against plain TCP targets and a rustls client:
//! several services in one process forwarding both ways to the right target, version and
//! cipher-suite limits, mutual TLS, and the process dying with its handle.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hazelcast_testkit::{TestPki, TlsFront, TlsFrontOptions, TlsProtocolVersion};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

/// A target that greets with `<tag>\n`, then echoes every byte back.
fn tagged_echo(tag: &'static str) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let _ = stream.write_all(format!("{tag}\n").as_bytes());
                let mut buf = [0u8; 4096];
                loop {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            if stream.write_all(&buf[..n]).is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    addr
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn client_config(
    ca: &Path,
    versions: &[&'static rustls::SupportedProtocolVersion],
    identity: Option<(&Path, &Path)>,
) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).expect("CA file") {
        roots.add(cert.expect("CA cert")).expect("add CA");
    }
    let builder = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .expect("versions")
        .with_root_certificates(roots);
    let config = match identity {
        Some((cert, key)) => {
            let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
                .expect("cert file")
                .map(|c| c.expect("cert"))
                .collect();
            let key = PrivateKeyDer::from_pem_file(key).expect("key");
            builder
                .with_client_auth_cert(chain, key)
                .expect("client identity")
        }
        None => builder.with_no_client_auth(),
    };
    Arc::new(config)
}

type Tls = StreamOwned<ClientConnection, TcpStream>;

fn dial(addr: SocketAddr, config: Arc<ClientConfig>) -> Tls {
    let tcp = TcpStream::connect(addr).expect("TCP connect");
    tcp.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let conn =
        ClientConnection::new(config, ServerName::try_from("127.0.0.1").expect("name")).expect("client");
    StreamOwned::new(conn, tcp)
}

/// Reads the target's greeting line (this completes the handshake first).
fn greeting(tls: &mut Tls) -> std::io::Result<String> {
    let mut line = String::new();
    BufReader::new(tls).read_line(&mut line)?;
    Ok(line.trim_end().to_owned())
}

fn round_trip(tls: &mut Tls, payload: &[u8]) -> Vec<u8> {
    tls.write_all(payload).expect("write");
    tls.flush().expect("flush");
    let mut back = vec![0u8; payload.len()];
    tls.read_exact(&mut back).expect("echo");
    back
}

#[test]
fn services_forward_both_ways_to_their_own_target() {
    let pki = TestPki::generate().expect("PKI");
    let (a, b) = (tagged_echo("target-a"), tagged_echo("target-b"));
    let front = TlsFront::start(&pki, &[a, b], &TlsFrontOptions::default()).expect("front");
    assert_eq!(front.addresses().len(), 2);
    let config = client_config(&pki.ca.cert, rustls::ALL_VERSIONS, None);
    for (i, tag) in ["target-a", "target-b"].into_iter().enumerate() {
        let mut tls = dial(front.address(i), Arc::clone(&config));
        assert_eq!(greeting(&mut tls).expect("greeting"), tag);
        // More than one TLS record each way.
        let payload: Vec<u8> = (0..100_000u32).map(|x| (x % 251) as u8).collect();
        assert_eq!(round_trip(&mut tls, &payload), payload);
        assert_eq!(
            tls.conn.protocol_version(),
            Some(rustls::ProtocolVersion::TLSv1_3)
        );
    }
    let log = front.log();
    for target in [a, b] {
        let forwarded = format!("-> /{target}");
        assert!(
            log.lines()
                .any(|l| l.contains("(TLSv1.3, ") && l.ends_with(&forwarded)),
            "{log}"
        );
    }
}

#[test]
fn versions_and_cipher_suites_are_restricted() {
    let pki = TestPki::generate().expect("PKI");
    let target = tagged_echo("t");
    let options = TlsFrontOptions {
        max_version: Some(TlsProtocolVersion::Tls12),
        cipher_suites: Some(vec!["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384".into()]),
        ..TlsFrontOptions::default()
    };
    let front = TlsFront::start(&pki, &[target], &options).expect("front");
    let mut tls = dial(
        front.address(0),
        client_config(&pki.ca.cert, rustls::ALL_VERSIONS, None),
    );
    assert_eq!(greeting(&mut tls).expect("greeting"), "t");
    assert_eq!(
        tls.conn.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_2)
    );
    assert_eq!(
        tls.conn.negotiated_cipher_suite().map(|s| s.suite()),
        Some(rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)
    );
    // A TLS 1.3-only client finds no common version.
    let mut tls = dial(
        front.address(0),
        client_config(&pki.ca.cert, &[&rustls::version::TLS13], None),
    );
    let err = greeting(&mut tls).expect_err("no common version");
    assert!(err.to_string().contains("ProtocolVersion"), "{err}");

    // TLS 1.3 only, one suite.
    let options = TlsFrontOptions {
        min_version: Some(TlsProtocolVersion::Tls13),
        cipher_suites: Some(vec!["TLS_CHACHA20_POLY1305_SHA256".into()]),
        ..TlsFrontOptions::default()
    };
    let front = TlsFront::start(&pki, &[target], &options).expect("front");
    let mut tls = dial(
        front.address(0),
        client_config(&pki.ca.cert, rustls::ALL_VERSIONS, None),
    );
    assert_eq!(greeting(&mut tls).expect("greeting"), "t");
    assert_eq!(
        tls.conn.negotiated_cipher_suite().map(|s| s.suite()),
        Some(rustls::CipherSuite::TLS13_CHACHA20_POLY1305_SHA256)
    );
}

#[test]
fn mutual_tls_accepts_only_certificates_of_the_ca() {
    let pki = TestPki::generate().expect("PKI");
    let target = tagged_echo("m");
    let front = TlsFront::start(&pki, &[target], &TlsFrontOptions::mutual(&pki.ca.cert)).expect("front");
    for versions in [&[&rustls::version::TLS13][..], &[&rustls::version::TLS12][..]] {
        let ok = client_config(&pki.ca.cert, versions, Some((&pki.client.cert, &pki.client.key)));
        let mut tls = dial(front.address(0), ok);
        assert_eq!(greeting(&mut tls).expect("greeting"), "m");

        let none = client_config(&pki.ca.cert, versions, None);
        let err = greeting(&mut dial(front.address(0), none)).expect_err("no client certificate");
        let expected = if versions[0] == &rustls::version::TLS13 {
            "CertificateRequired"
        } else {
            "HandshakeFailure"
        };
        assert!(err.to_string().contains(expected), "{err}");

        let untrusted = client_config(
            &pki.ca.cert,
            versions,
            Some((&pki.untrusted_client.cert, &pki.untrusted_client.key)),
        );
        let err = greeting(&mut dial(front.address(0), untrusted)).expect_err("untrusted client certificate");
        assert!(err.to_string().contains("CertificateUnknown"), "{err}");
    }
}

#[test]
fn the_process_dies_with_its_handle() {
    let pki = TestPki::generate().expect("PKI");
    let front = TlsFront::start(&pki, &[tagged_echo("d")], &TlsFrontOptions::default()).expect("front");
    let pid = front.pid();
    let proc_dir = format!("/proc/{pid}");
    assert!(Path::new(&proc_dir).exists());
    let addr = front.address(0);
    drop(front);
    // Drop waits for the process, so it is gone (and reaped) now.
    assert!(!Path::new(&proc_dir).exists(), "pid {pid} still exists");
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(addr).is_ok() {
        assert!(Instant::now() < deadline, "{addr} still accepts");
        std::thread::sleep(Duration::from_millis(20));
    }
}
