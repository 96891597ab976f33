//! Where this client's options used to deviate from the Python client's (5.7), each now
//! fixed: zero backup timeout and retry pause refused, hostname verification off only with a CA
//! file, `reconnect_mode`'s numbers, `use_public_ip(bool)`, the cloud request timeout following
//! `connection_timeout`; and the options added beside them (`ssl_trust_store`,
//! `max_message_size`).

use std::time::{Duration, Instant};

use hazelcast::{ClientConfig, ConfigError, ConfigFormat, HazelcastClient, ReconnectMode, TrustStore};
use hazelcast_testkit::cloud::{CloudResponse, CloudStub};

#[test]
fn zero_backup_timeout_and_retry_pause_are_refused() {
    for key in ["operation_backup_timeout", "invocation_retry_pause"] {
        for (format, doc) in [
            (ConfigFormat::Toml, format!("{key} = 0")),
            (ConfigFormat::Json, format!("{{\"{key}\": 0.0}}")),
            (ConfigFormat::Yaml, format!("{key}: 0ms")),
        ] {
            let e = ClientConfig::from_str_in(&doc, format).expect_err(&doc);
            assert!(
                matches!(e, ConfigError::InvalidValue { key: k, .. } if k == key),
                "{doc}: {e:?}"
            );
        }
        let var = format!("HZ_{}", key.to_ascii_uppercase());
        let e = ClientConfig::default()
            .apply_env_from([(var.as_str(), "0")])
            .expect_err(&var);
        assert_eq!(e.key(), Some(key), "{e}");
        // Small but positive is fine.
        ClientConfig::from_toml_str(&format!("{key} = \"1ms\"")).expect("1 ms");
    }
    let e = ClientConfig::builder()
        .operation_backup_timeout(Duration::ZERO)
        .build()
        .expect_err("builder");
    assert_eq!(e.key(), Some("operation_backup_timeout"));
    let e = ClientConfig::builder()
        .invocation_retry_pause(Duration::ZERO)
        .build()
        .expect_err("builder");
    assert_eq!(e.key(), Some("invocation_retry_pause"));
}

#[test]
fn hostname_verification_off_needs_a_ca_file() {
    let e = ClientConfig::from_toml_str("ssl_enabled = true\nssl_check_hostname = false")
        .expect_err("public roots without hostname verification");
    match &e {
        ConfigError::Conflict { key, other, .. } => {
            assert_eq!((*key, *other), ("ssl_check_hostname", "ssl_cafile"))
        }
        other => panic!("{other:?}"),
    }
    let text = e.to_string();
    assert!(
        text.contains("ssl_check_hostname") && text.contains("ssl_cafile"),
        "{text}"
    );
    // The operating system's trust store is just as public.
    let e = ClientConfig::from_toml_str(
        "ssl_enabled = true\nssl_check_hostname = false\nssl_trust_store = \"system\"",
    )
    .expect_err("system roots without hostname verification");
    assert_eq!(e.key(), Some("ssl_check_hostname"));
    // With a CA file of its own the client trusts only that CA: allowed.
    ClientConfig::from_toml_str(
        "ssl_enabled = true\nssl_check_hostname = false\nssl_cafile = \"/etc/hz/ca.pem\"",
    )
    .expect("own CA");
    // TLS off: the ssl_* options are not used.
    ClientConfig::from_toml_str("ssl_check_hostname = false").expect("TLS off");
}

#[test]
fn the_system_trust_store_is_an_option() {
    let c = ClientConfig::from_yaml_str("ssl_enabled: true\nssl_trust_store: system").expect("system");
    assert_eq!(c.ssl_trust_store, TrustStore::System);
    assert_eq!(c.tls_config().trust_store, TrustStore::System);
    assert_eq!(ClientConfig::default().ssl_trust_store, TrustStore::WebPkiRoots);
    let e = ClientConfig::from_toml_str("ssl_trust_store = \"system\"\nssl_cafile = \"ca.pem\"")
        .expect_err("both");
    assert!(
        matches!(
            e,
            ConfigError::Conflict {
                key: "ssl_trust_store",
                other: "ssl_cafile",
                ..
            }
        ),
        "{e:?}"
    );
    let e = ClientConfig::from_toml_str("ssl_trust_store = \"windows\"").expect_err("unknown");
    assert_eq!(e.key(), Some("ssl_trust_store"));
}

#[test]
fn reconnect_mode_takes_the_python_clients_numbers() {
    for (n, want) in [
        (0, ReconnectMode::Off),
        (1, ReconnectMode::On),
        (2, ReconnectMode::Async),
    ] {
        let c = ClientConfig::from_toml_str(&format!("reconnect_mode = {n}")).expect("toml");
        assert_eq!(c.reconnect_mode, want);
        let c = ClientConfig::from_json_str(&format!("{{\"reconnect_mode\": {n}}}")).expect("json");
        assert_eq!(c.reconnect_mode, want);
        let c = ClientConfig::from_yaml_str(&format!("reconnect_mode: {n}")).expect("yaml");
        assert_eq!(c.reconnect_mode, want);
        let c = ClientConfig::default()
            .apply_env_from([("HZ_RECONNECT_MODE", n.to_string())])
            .expect("env");
        assert_eq!(c.reconnect_mode, want);
    }
    let c = ClientConfig::from_toml_str("reconnect_mode = \"ASYNC\"").expect("name");
    assert_eq!(c.reconnect_mode, ReconnectMode::Async);
    let e = ClientConfig::from_toml_str("reconnect_mode = 3").expect_err("3");
    assert_eq!(e.key(), Some("reconnect_mode"));
    assert!(e.to_string().contains('3'), "{e}");
}

#[test]
fn use_public_ip_takes_a_bool_and_defaults_to_automatic() {
    assert_eq!(ClientConfig::default().use_public_ip, None);
    let c = ClientConfig::builder().use_public_ip(true).build().expect("true");
    assert_eq!(c.use_public_ip, Some(true));
    let c = ClientConfig::builder()
        .use_public_ip(false)
        .build()
        .expect("false");
    assert_eq!(c.use_public_ip, Some(false));
    let c = ClientConfig::from_toml_str("use_public_ip = \"auto\"").expect("auto");
    assert_eq!(c.use_public_ip, None);
}

#[test]
fn max_message_size_is_bounded() {
    let c = ClientConfig::from_toml_str("max_message_size = \"64KiB\"").expect("the first-frame limit");
    assert_eq!(c.max_message_size, 64 * 1024);
    let inv = c.invocation_config().expect("layers");
    assert_eq!(inv.connection.decoder_limits.max_message_size, 64 * 1024);
    let c = ClientConfig::from_json_str("{\"max_message_size\": 1073741824}").expect("1 GiB");
    let limits = c.invocation_config().expect("layers").connection.decoder_limits;
    assert_eq!(limits.max_message_size, 1 << 30);
    assert!(
        limits.max_fragmented_bytes >= 1 << 30,
        "a whole fragmented message fits"
    );
    for bad in ["65535", "\"2GiB\"", "-1", "\"lots\""] {
        let e = ClientConfig::from_toml_str(&format!("max_message_size = {bad}")).expect_err(bad);
        assert_eq!(e.key(), Some("max_message_size"), "{bad}: {e}");
    }
    assert_eq!(
        ClientConfig::default().max_message_size,
        hazelcast::codec::DecoderLimits::default().max_message_size
    );
}

/// The error and its causes, as one text.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

async fn cloud_start(stub: &CloudStub, ca: &std::path::Path, cloud_timeout: Option<Duration>) -> String {
    let mut builder = HazelcastClient::builder()
        .cluster_members(Vec::<String>::new())
        .cloud_discovery_token("slow-token")
        .cloud_url(stub.base_url())
        .cloud_ca_file(ca)
        .connection_timeout(Duration::from_millis(300))
        .cluster_connect_timeout(Some(Duration::from_millis(500)));
    if let Some(t) = cloud_timeout {
        builder = builder.cloud_request_timeout(t);
    }
    let started = Instant::now();
    let e = builder
        .start()
        .await
        .expect_err("the coordinator never answers in time");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    chain(&e)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cloud_request_follows_connection_timeout_unless_set() {
    let stub = CloudStub::start().expect("coordinator stand-in");
    stub.respond(
        "slow-token",
        CloudResponse::delayed(
            Duration::from_secs(30),
            CloudResponse::members([("127.0.0.1:1", "127.0.0.1:1")]),
        ),
    );
    let ca = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(ca.path(), stub.ca_pem()).expect("write CA");

    let text = cloud_start(&stub, ca.path(), None).await;
    assert!(
        text.contains("timed out after 300ms"),
        "connection_timeout applies: {text}"
    );
    let text = cloud_start(&stub, ca.path(), Some(Duration::from_millis(150))).await;
    assert!(
        text.contains("timed out after 150ms"),
        "cloud_request_timeout wins: {text}"
    );
}
