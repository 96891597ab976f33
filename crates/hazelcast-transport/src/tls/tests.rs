use std::io;
use std::path::PathBuf;

use hazelcast_codec::Secret;

use super::pem::load_private_key;
use super::*;

#[test]
fn secret_is_not_printed() {
    let mut cfg = TlsConfig::with_ca_file("/nonexistent/ca.pem");
    cfg.key_password = Some(Secret::new("hunter2-very-secret"));
    let debug = format!("{cfg:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(debug.contains("Secret(***)"), "{debug}");
    assert_eq!(format!("{}", Secret::new("x")), "***");
}

#[test]
fn missing_ca_file_is_reported_with_path_and_kind() {
    let cfg = TlsConfig::with_ca_file("/nonexistent/ca.pem");
    match TlsConnector::new(&cfg) {
        Err(TlsConfigError::UnreadableFile { what, path, kind, .. }) => {
            assert_eq!(what, "CA");
            assert_eq!(path, PathBuf::from("/nonexistent/ca.pem"));
            assert_eq!(kind, io::ErrorKind::NotFound);
        }
        other => panic!("{other:?}"),
    }
}

fn temp_file(name: &str, content: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hz-transport-unit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn garbage_pem_has_no_certificate() {
    let path = temp_file("garbage.pem", b"this is not a certificate\n");
    match TlsConnector::new(&TlsConfig::with_ca_file(&path)) {
        Err(TlsConfigError::NoCertificate { what: "CA", .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_cipher_suite_is_named() {
    let cfg = TlsConfig {
        cipher_suites: Some(vec!["TLS13_AES_128_GCM_SHA256".into(), "RC4-MD5".into()]),
        ..TlsConfig::default()
    };
    match TlsConnector::new(&cfg) {
        Err(TlsConfigError::UnknownCipherSuite { name, known }) => {
            assert_eq!(name, "RC4-MD5");
            assert!(known.contains("TLS13_AES_256_GCM_SHA384"), "{known}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn tls13_suite_with_tls12_only_is_unsupported() {
    let cfg = TlsConfig {
        max_version: TlsVersion::Tls12,
        cipher_suites: Some(vec!["tls13_aes_128_gcm_sha256".into()]),
        ..TlsConfig::default()
    };
    assert!(matches!(
        TlsConnector::new(&cfg),
        Err(TlsConfigError::UnsupportedProtocol { .. })
    ));
    let cfg = TlsConfig {
        min_version: TlsVersion::Tls13,
        max_version: TlsVersion::Tls12,
        ..TlsConfig::default()
    };
    assert!(matches!(
        TlsConnector::new(&cfg),
        Err(TlsConfigError::UnsupportedProtocol { .. })
    ));
}

#[test]
fn key_without_certificate_is_incomplete() {
    let cfg = TlsConfig {
        key_file: Some("/nonexistent/key.pem".into()),
        ..TlsConfig::default()
    };
    assert!(matches!(
        TlsConnector::new(&cfg),
        Err(TlsConfigError::IncompleteClientIdentity { .. })
    ));
}

#[test]
fn legacy_encrypted_pem_is_unsupported() {
    let path = temp_file(
            "legacy.key",
            b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
        );
    assert!(matches!(
        load_private_key(&path, None),
        Err(TlsConfigError::UnsupportedKeyEncryption { .. })
    ));
}

#[test]
fn file_without_key_has_no_private_key() {
    let path = temp_file("nokey.pem", b"nothing here\n");
    assert!(matches!(
        load_private_key(&path, None),
        Err(TlsConfigError::NoPrivateKey { .. })
    ));
}

#[test]
fn hostname_verification_off_needs_a_ca_file() {
    for trust_store in [TrustStore::WebPkiRoots, TrustStore::System] {
        let cfg = TlsConfig {
            verify_hostname: false,
            trust_store,
            ..TlsConfig::default()
        };
        match TlsConnector::new(&cfg) {
            Err(TlsConfigError::HostnameVerificationOffWithoutCaFile { trust_store: t }) => {
                assert_eq!(t, trust_store)
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn the_system_trust_store_is_read_or_reported() {
    let cfg = TlsConfig {
        trust_store: TrustStore::System,
        ..TlsConfig::default()
    };
    // The machine's store decides which: a connector, or the typed error saying it is empty.
    match TlsConnector::new(&cfg) {
        Ok(c) => assert!(!c.has_client_certificate()),
        Err(TlsConfigError::NoSystemRoots { .. }) => {}
        Err(other) => panic!("{other:?}"),
    }
}

#[test]
fn post_quantum_key_exchange_is_offered_first() {
    let c = TlsConnector::new(&TlsConfig::default()).unwrap();
    let groups: Vec<_> = c
        .client_config()
        .crypto_provider()
        .kx_groups
        .iter()
        .map(|g| g.name())
        .collect();
    assert_eq!(
        groups.first(),
        Some(&rustls::NamedGroup::X25519MLKEM768),
        "{groups:?}"
    );
    assert!(groups.contains(&rustls::NamedGroup::X25519), "{groups:?}");
}

#[test]
fn default_config_builds_with_webpki_roots() {
    let c = TlsConnector::new(&TlsConfig::default()).unwrap();
    assert!(!c.has_client_certificate());
    assert!(c.server_name_for("127.0.0.1").is_some());
    assert!(c.server_name_for("::1").is_some());
    assert!(c.server_name_for("[::1]").is_some());
    assert!(c.server_name_for("member.example").is_some());
    assert!(supported_cipher_suites().contains(&"TLS13_AES_128_GCM_SHA256"));
}
