//! `ClientConfig`: every option from TOML, YAML, JSON, the builder and the environment; the
//! documented defaults; every invalid value rejected with an error naming the key; secrets
//! redacted in `Debug`.

use std::path::PathBuf;
use std::time::Duration;

use hazelcast::{ClientConfig, ConfigError, LoadBalancer, ReconnectMode, SslProtocol};

/// Every option set to a non-default value, in each format.
const TOML_ALL: &str = r#"
cluster_name = "prod"
cluster_members = ["10.0.0.1:5701", "[::1]:5702", "node-3"]
smart_routing = false
redo_operation = true
connection_timeout = 2.5
max_message_size = "1MiB"
use_public_ip = true
ssl_enabled = false
ssl_cafile = "/tmp/ca.pem"
ssl_trust_store = "builtin"
ssl_certfile = "/tmp/cert.pem"
ssl_keyfile = "/tmp/key.pem"
ssl_password = "key-secret-123"
ssl_check_hostname = false
ssl_server_name = "hazelcast.cloud"
ssl_protocol = "TLSv1_3"
ssl_ciphers = "TLS13_AES_256_GCM_SHA384:TLS13_AES_128_GCM_SHA256"
backup_ack_to_client_enabled = false
operation_backup_timeout = 7
fail_on_indeterminate_operation_state = true
invocation_timeout = "90s"
invocation_retry_pause = "250ms"
heartbeat_interval = 3
heartbeat_timeout = 30.5
cluster_connect_timeout = 20
retry_initial_backoff = 0.5
retry_max_backoff = 10
retry_multiplier = 2.0
retry_jitter = 0.25
reconnect_mode = "async"
skip_member_list_during_reconnection = true
async_start = true
shuffle_member_list = false
load_balancer = "random"
client_name = "my-client"
labels = ["a", "b"]
creds_username = "admin"
creds_password = "creds-secret-456"
"#;

const YAML_ALL: &str = r#"
cluster_name: prod
cluster_members: ["10.0.0.1:5701", "[::1]:5702", "node-3"]
smart_routing: false
redo_operation: true
connection_timeout: 2.5
max_message_size: 1048576
use_public_ip: true
ssl_enabled: false
ssl_cafile: /tmp/ca.pem
ssl_trust_store: builtin
ssl_certfile: /tmp/cert.pem
ssl_keyfile: /tmp/key.pem
ssl_password: key-secret-123
ssl_check_hostname: false
ssl_server_name: hazelcast.cloud
ssl_protocol: TLSv1_3
ssl_ciphers: "TLS13_AES_256_GCM_SHA384:TLS13_AES_128_GCM_SHA256"
backup_ack_to_client_enabled: false
operation_backup_timeout: 7
fail_on_indeterminate_operation_state: true
invocation_timeout: 90s
invocation_retry_pause: 250ms
heartbeat_interval: 3
heartbeat_timeout: 30.5
cluster_connect_timeout: 20
retry_initial_backoff: 0.5
retry_max_backoff: 10
retry_multiplier: 2.0
retry_jitter: 0.25
reconnect_mode: async
skip_member_list_during_reconnection: true
async_start: true
shuffle_member_list: false
load_balancer: random
client_name: my-client
labels: [a, b]
creds_username: admin
creds_password: creds-secret-456
"#;

const JSON_ALL: &str = r#"{
"cluster_name": "prod",
"cluster_members": ["10.0.0.1:5701", "[::1]:5702", "node-3"],
"smart_routing": false,
"redo_operation": true,
"connection_timeout": 2.5,
"max_message_size": 1048576,
"use_public_ip": true,
"ssl_enabled": false,
"ssl_cafile": "/tmp/ca.pem",
"ssl_trust_store": "builtin",
"ssl_certfile": "/tmp/cert.pem",
"ssl_keyfile": "/tmp/key.pem",
"ssl_password": "key-secret-123",
"ssl_check_hostname": false,
"ssl_server_name": "hazelcast.cloud",
"ssl_protocol": "TLSv1_3",
"ssl_ciphers": "TLS13_AES_256_GCM_SHA384:TLS13_AES_128_GCM_SHA256",
"backup_ack_to_client_enabled": false,
"operation_backup_timeout": 7,
"fail_on_indeterminate_operation_state": true,
"invocation_timeout": "90s",
"invocation_retry_pause": "250ms",
"heartbeat_interval": 3,
"heartbeat_timeout": 30.5,
"cluster_connect_timeout": 20,
"retry_initial_backoff": 0.5,
"retry_max_backoff": 10,
"retry_multiplier": 2.0,
"retry_jitter": 0.25,
"reconnect_mode": "async",
"skip_member_list_during_reconnection": true,
"async_start": true,
"shuffle_member_list": false,
"load_balancer": "random",
"client_name": "my-client",
"labels": ["a", "b"],
"creds_username": "admin",
"creds_password": "creds-secret-456"
}"#;

fn expected_all() -> ClientConfig {
    ClientConfig::builder()
        .cluster_name("prod")
        .cluster_members(["10.0.0.1:5701", "[::1]:5702", "node-3"])
        .smart_routing(false)
        .redo_operation(true)
        .connection_timeout(Duration::from_millis(2500))
        .max_message_size(1 << 20)
        .use_public_ip(true)
        .ssl_enabled(false)
        .ssl_cafile("/tmp/ca.pem")
        .ssl_certfile("/tmp/cert.pem")
        .ssl_keyfile("/tmp/key.pem")
        .ssl_password("key-secret-123")
        .ssl_check_hostname(false)
        .ssl_server_name("hazelcast.cloud")
        .ssl_protocol(SslProtocol::TlsV1_3)
        .ssl_ciphers("TLS13_AES_256_GCM_SHA384:TLS13_AES_128_GCM_SHA256")
        .backup_ack_to_client_enabled(false)
        .operation_backup_timeout(Duration::from_secs(7))
        .fail_on_indeterminate_operation_state(true)
        .invocation_timeout(Duration::from_secs(90))
        .invocation_retry_pause(Duration::from_millis(250))
        .heartbeat_interval(Duration::from_secs(3))
        .heartbeat_timeout(Duration::from_millis(30500))
        .cluster_connect_timeout(Some(Duration::from_secs(20)))
        .retry_initial_backoff(Duration::from_millis(500))
        .retry_max_backoff(Duration::from_secs(10))
        .retry_multiplier(2.0)
        .retry_jitter(0.25)
        .reconnect_mode(ReconnectMode::Async)
        .skip_member_list_during_reconnection(true)
        .async_start(true)
        .shuffle_member_list(false)
        .load_balancer(LoadBalancer::Random)
        .client_name("my-client")
        .labels(["a", "b"])
        .creds_username("admin")
        .creds_password("creds-secret-456")
        .build()
        .expect("valid (TLS off, so the files are not checked)")
}

#[test]
fn every_option_from_each_format_and_the_builder() {
    let want = expected_all();
    assert_eq!(ClientConfig::from_toml_str(TOML_ALL).expect("toml"), want);
    assert_eq!(ClientConfig::from_yaml_str(YAML_ALL).expect("yaml"), want);
    assert_eq!(ClientConfig::from_json_str(JSON_ALL).expect("json"), want);
    // Every option of the reference appears in the test documents.
    for key in hazelcast::option_names() {
        if key.starts_with("cloud_") {
            continue; // conflicts with cluster_members: covered below
        }
        assert!(
            TOML_ALL.contains(&format!("\n{key} =")),
            "{key} missing from the TOML test"
        );
        assert!(
            YAML_ALL.contains(&format!("\n{key}:")),
            "{key} missing from the YAML test"
        );
        assert!(
            JSON_ALL.contains(&format!("\"{key}\":")),
            "{key} missing from the JSON test"
        );
    }
}

#[test]
fn cloud_options_in_each_format() {
    let toml = "cloud_discovery_token = \"tok-789\"\ncloud_url = \"https://coordinator.example\"\ncloud_ca_file = \"/tmp/c.pem\"\n";
    let yaml =
        "cloud_discovery_token: tok-789\ncloud_url: https://coordinator.example\ncloud_ca_file: /tmp/c.pem\n";
    let json = r#"{"cloud_discovery_token": "tok-789", "hazelcast.client.cloud.url": "https://coordinator.example", "cloud_ca_file": "/tmp/c.pem"}"#;
    let want = ClientConfig::builder()
        .cloud_discovery_token("tok-789")
        .cloud_url("https://coordinator.example")
        .cloud_ca_file("/tmp/c.pem")
        .config()
        .clone(); // build() would check that the CA file exists
    assert_eq!(ClientConfig::from_toml_str(toml).expect("toml"), want);
    assert_eq!(ClientConfig::from_yaml_str(yaml).expect("yaml"), want);
    assert_eq!(
        ClientConfig::from_json_str(json).expect("json (Java key name)"),
        want
    );
    assert_eq!(
        want.cloud_discovery_token.as_ref().map(|t| t.expose()),
        Some("tok-789")
    );
}

#[test]
fn defaults_are_the_documented_ones() {
    let c = ClientConfig::default();
    assert_eq!(c.cluster_name, "dev");
    assert_eq!(c.cluster_members, ["localhost"]);
    assert!(c.smart_routing);
    assert!(!c.redo_operation);
    assert_eq!(c.connection_timeout, Duration::from_secs(5));
    assert!(c.cloud_discovery_token.is_none());
    assert!(c.cloud_url.is_none());
    assert_eq!(c.use_public_ip, None);
    assert!(!c.ssl_enabled);
    assert!(c.ssl_cafile.is_none() && c.ssl_certfile.is_none() && c.ssl_keyfile.is_none());
    assert!(c.ssl_password.is_none());
    assert!(c.ssl_check_hostname);
    assert!(c.ssl_protocol.is_none() && c.ssl_ciphers.is_none());
    assert!(c.backup_ack_to_client_enabled);
    assert_eq!(c.operation_backup_timeout, Duration::from_secs(5));
    assert!(!c.fail_on_indeterminate_operation_state);
    assert_eq!(c.invocation_timeout, Duration::from_secs(120));
    assert_eq!(c.invocation_retry_pause, Duration::from_secs(1));
    assert_eq!(c.heartbeat_interval, Duration::from_secs(5));
    assert_eq!(c.heartbeat_timeout, Duration::from_secs(60));
    assert_eq!(c.cluster_connect_timeout, None);
    assert_eq!(c.retry_initial_backoff, Duration::from_secs(1));
    assert_eq!(c.retry_max_backoff, Duration::from_secs(30));
    assert_eq!(c.retry_multiplier, 1.05);
    assert_eq!(c.retry_jitter, 0.0);
    assert_eq!(c.reconnect_mode, ReconnectMode::On);
    assert!(!c.skip_member_list_during_reconnection);
    assert!(!c.async_start);
    assert!(c.shuffle_member_list);
    assert_eq!(c.load_balancer, LoadBalancer::RoundRobin);
    assert!(c.client_name.is_none());
    assert!(c.labels.is_empty());
    assert!(c.creds_username.is_none() && c.creds_password.is_none());
    // An empty document in every format is the defaults.
    assert_eq!(ClientConfig::from_toml_str("").expect("toml"), c);
    assert_eq!(ClientConfig::from_yaml_str("").expect("yaml"), c);
    assert_eq!(ClientConfig::from_json_str("{}").expect("json"), c);
    assert_eq!(ClientConfig::builder().build().expect("builder"), c);
    // -1 is the file spelling of an infinite cluster connect timeout.
    let c = ClientConfig::from_toml_str("cluster_connect_timeout = -1").expect("-1");
    assert_eq!(c.cluster_connect_timeout, None);
}

#[test]
fn invocation_config_carries_every_option() {
    let c = expected_all();
    let inv = c.invocation_config().expect("invocation config");
    assert_eq!(inv.cluster_name, "prod");
    assert_eq!(inv.client_name, "my-client");
    assert_eq!(inv.labels, ["a", "b"]);
    assert!(!inv.smart_routing);
    assert!(inv.redo_operation);
    assert_eq!(inv.connection.connect_timeout, Duration::from_millis(2500));
    assert_eq!(inv.invocation_timeout, Duration::from_secs(90));
    assert_eq!(inv.invocation_retry_pause, Duration::from_millis(250));
    assert!(!inv.backup_ack_to_client_enabled);
    assert_eq!(inv.operation_backup_timeout, Duration::from_secs(7));
    assert!(inv.fail_on_indeterminate_operation_state);
    assert_eq!(inv.heartbeat_interval, Duration::from_secs(3));
    assert_eq!(inv.heartbeat_timeout, Duration::from_millis(30500));
    assert_eq!(inv.cluster_connect_timeout, Some(Duration::from_secs(20)));
    assert_eq!(inv.connection_retry.initial, Duration::from_millis(500));
    assert_eq!(inv.connection_retry.max, Duration::from_secs(10));
    assert_eq!(inv.connection_retry.multiplier, 2.0);
    assert_eq!(inv.connection_retry.jitter, 0.25);
    assert_eq!(inv.reconnect_mode, ReconnectMode::Async);
    assert!(inv.skip_member_list_during_reconnection);
    assert_eq!(inv.load_balancer, LoadBalancer::Random);
    let creds = inv.credentials.expect("credentials");
    assert_eq!(creds.username, "admin");
    assert_eq!(creds.password.expose(), "creds-secret-456");
    assert!(inv.connection.tls.is_none());
    let tls = c.tls_config();
    assert_eq!(tls.ca_file, Some(PathBuf::from("/tmp/ca.pem")));
    assert!(!tls.verify_hostname);
    assert_eq!(tls.server_name.as_deref(), Some("hazelcast.cloud"));
    assert_eq!(tls.cipher_suites.as_ref().map(Vec::len), Some(2));
}

#[test]
fn debug_redacts_secrets() {
    let mut c = expected_all();
    c.members_for_cloud_test();
    let shown = format!("{c:?}");
    for secret in ["key-secret-123", "creds-secret-456", "tok-789"] {
        assert!(!shown.contains(secret), "{secret} appears in {shown}");
    }
    assert!(shown.contains("admin"), "non-secret values stay visible");
    let inv = format!("{:?}", c.invocation_config().expect("inv"));
    assert!(!inv.contains("creds-secret-456"));
}

trait CloudTest {
    fn members_for_cloud_test(&mut self);
}
impl CloudTest for ClientConfig {
    fn members_for_cloud_test(&mut self) {
        self.cluster_members = vec![];
        self.cloud_discovery_token = Some(hazelcast::Secret::new("tok-789"));
    }
}

fn rejects(toml: &str, key: &str, value_fragment: &str) {
    let err = ClientConfig::from_toml_str(toml).expect_err(toml);
    let text = err.to_string();
    assert!(text.contains(key), "{toml:?}: error does not name {key}: {text}");
    assert!(
        text.contains(value_fragment),
        "{toml:?}: error does not show {value_fragment:?}: {text}"
    );
}

#[test]
fn ssl_protocol_accepts_the_python_clients_numbers() {
    for (text, want) in [
        ("ssl_protocol = 4", SslProtocol::TlsV1_2),
        ("ssl_protocol = 5", SslProtocol::TlsV1_3),
        ("ssl_protocol = \"5\"", SslProtocol::TlsV1_3),
    ] {
        let c = ClientConfig::from_toml_str(text).expect(text);
        assert_eq!(c.ssl_protocol, Some(want), "{text}");
    }
    let c = ClientConfig::from_json_str(r#"{"ssl_protocol": 4}"#).expect("json");
    assert_eq!(c.ssl_protocol, Some(SslProtocol::TlsV1_2));
    let c = ClientConfig::from_yaml_str("ssl_protocol: 5").expect("yaml");
    assert_eq!(c.ssl_protocol, Some(SslProtocol::TlsV1_3));
}

#[test]
fn invalid_values_name_the_key_and_the_value() {
    for key in [
        "connection_timeout",
        "operation_backup_timeout",
        "invocation_timeout",
        "invocation_retry_pause",
        "heartbeat_interval",
        "heartbeat_timeout",
        "retry_initial_backoff",
        "retry_max_backoff",
    ] {
        rejects(&format!("{key} = -3"), key, "-3");
        rejects(&format!("{key} = \"soon\""), key, "soon");
    }
    rejects("cluster_connect_timeout = -2", "cluster_connect_timeout", "-2");
    rejects("invocation_timeout = 0", "invocation_timeout", "0");
    rejects("retry_multiplier = 0.5", "retry_multiplier", "0.5");
    rejects("retry_jitter = 1.5", "retry_jitter", "1.5");
    rejects("retry_jitter = -0.1", "retry_jitter", "-0.1");
    rejects("cluster_members = [\"host:99999\"]", "cluster_members", "99999");
    rejects("cluster_members = [\"a b\"]", "cluster_members", "a b");
    rejects("cluster_members = [\"\"]", "cluster_members", "\"\"");
    rejects("reconnect_mode = \"sometimes\"", "reconnect_mode", "sometimes");
    rejects("load_balancer = \"fastest\"", "load_balancer", "fastest");
    rejects("ssl_protocol = \"TLSv1\"", "ssl_protocol", "TLSv1");
    rejects("ssl_protocol = \"SSLv3\"", "ssl_protocol", "SSLv3");
    // The Python client's SSLProtocol numbers: 0–3 are the old protocols.
    rejects("ssl_protocol = 3", "ssl_protocol", "TLSv1_1");
    rejects("ssl_protocol = 0", "ssl_protocol", "SSLv2");
    rejects("ssl_protocol = 9", "ssl_protocol", "9");
    rejects("cluster_name = \"\"", "cluster_name", "\"\"");
    rejects("cloud_url = \"ftp://x\"", "cloud_url", "ftp://x");
    rejects(
        "cloud_discovery_token = \"t\"\ncluster_members = [\"10.0.0.1\"]",
        "cloud_discovery_token",
        "cluster_members",
    );
    // Unknown keys and wrong types: the parser's message names the key.
    rejects("smart_routnig = true", "smart_routnig", "smart_routnig");
    rejects("smart_routing = \"maybe\"", "smart_routing", "maybe");
    // The same through JSON and YAML.
    let e = ClientConfig::from_json_str(r#"{"retry_jitter": 2}"#).expect_err("json");
    assert_eq!(e.key(), Some("retry_jitter"));
    let e = ClientConfig::from_yaml_str("heartbeat_timeout: -1").expect_err("yaml");
    assert_eq!(e.key(), Some("heartbeat_timeout"));
    let e = ClientConfig::from_yaml_str("unknown_option: 1").expect_err("yaml unknown");
    assert!(e.to_string().contains("unknown_option"), "{e}");
}

#[test]
fn builder_values_are_validated() {
    let e = ClientConfig::builder()
        .retry_multiplier(0.9)
        .build()
        .expect_err("multiplier");
    assert_eq!(e.key(), Some("retry_multiplier"));
    let e = ClientConfig::builder()
        .retry_jitter(f64::NAN)
        .build()
        .expect_err("jitter");
    assert_eq!(e.key(), Some("retry_jitter"));
    let e = ClientConfig::builder()
        .cluster_members(["[::1"])
        .build()
        .expect_err("bad member");
    assert_eq!(e.key(), Some("cluster_members"));
    let e = ClientConfig::builder()
        .cloud_discovery_token("t")
        .cluster_members(["10.0.0.1"])
        .build()
        .expect_err("conflict");
    assert!(matches!(e, ConfigError::Conflict { .. }), "{e:?}");
}

#[test]
fn missing_tls_files_are_rejected_before_connecting() {
    for (key, build) in [
        (
            "ssl_cafile",
            ClientConfig::builder().ssl_cafile("/nonexistent/ca.pem"),
        ),
        (
            "ssl_certfile",
            ClientConfig::builder().ssl_certfile("/nonexistent/cert.pem"),
        ),
        (
            "ssl_keyfile",
            ClientConfig::builder().ssl_keyfile("/nonexistent/key.pem"),
        ),
    ] {
        let e = build.ssl_enabled(true).build().expect_err(key);
        assert_eq!(e.key(), Some(key), "{e}");
        assert!(e.to_string().contains("/nonexistent/"), "{e}");
    }
    // Unknown cipher suite names are caught by validate() too.
    let e = ClientConfig::builder()
        .ssl_enabled(true)
        .ssl_ciphers("NOT_A_SUITE")
        .build()
        .expect_err("cipher");
    assert_eq!(e.key(), Some("ssl_ciphers"), "{e}");
    // With TLS off the files are not looked at.
    ClientConfig::builder()
        .ssl_cafile("/nonexistent/ca.pem")
        .build()
        .expect("TLS off");
}

#[tokio::test]
async fn start_validates_before_connecting() {
    let mut c = ClientConfig::default();
    c.retry_jitter = 3.0;
    let started = std::time::Instant::now();
    let e = hazelcast::HazelcastClient::start(c).await.expect_err("invalid");
    assert!(
        matches!(
            e,
            hazelcast::HazelcastError::Config(ConfigError::InvalidValue {
                key: "retry_jitter",
                ..
            })
        ),
        "{e:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "no connection attempt"
    );
}

#[test]
fn files_by_extension_and_env_overrides() {
    let dir = tempfile::tempdir().expect("tempdir");
    let want = expected_all();
    for (name, text) in [
        ("c.toml", TOML_ALL),
        ("c.yaml", YAML_ALL),
        ("c.yml", YAML_ALL),
        ("c.json", JSON_ALL),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        assert_eq!(ClientConfig::from_file(&p).expect(name), want, "{name}");
    }
    let bad = dir.path().join("c.ini");
    std::fs::write(&bad, "").expect("write");
    assert!(matches!(
        ClientConfig::from_file(&bad),
        Err(ConfigError::UnknownFileFormat { .. })
    ));
    let missing = dir.path().join("missing.toml");
    match ClientConfig::from_file(&missing) {
        Err(ConfigError::File { path, source }) => {
            assert!(path.ends_with("missing.toml"), "{path}");
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("a missing file must be ConfigError::File, got {other:?}"),
    }
    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "cluster_name = ").expect("write");
    let e = ClientConfig::from_file(&broken).expect_err("syntax");
    assert!(e.to_string().contains("broken.toml"), "{e}");

    // Environment variables override the file.
    let c = ClientConfig::from_file(dir.path().join("c.toml"))
        .expect("file")
        .apply_env_from([
            ("HZ_CLUSTER_NAME", "from-env"),
            ("HZ_SMART_ROUTING", "yes"),
            ("HZ_CONNECTION_TIMEOUT", "1.5"),
            ("HZ_INVOCATION_TIMEOUT", "2m"),
            ("HZ_CLUSTER_CONNECT_TIMEOUT", "-1"),
            ("HZ_USE_PUBLIC_IP", "auto"),
            ("HZ_RETRY_MULTIPLIER", "1.5"),
            ("HZ_LABELS", "x, y ,z"),
            ("HZ_RECONNECT_MODE", "OFF"),
            ("HZ_VERSION", "5.7.0"), // not an option: ignored
            ("PATH", "/bin"),
        ])
        .expect("env");
    assert_eq!(c.cluster_name, "from-env");
    assert!(c.smart_routing);
    assert_eq!(c.connection_timeout, Duration::from_millis(1500));
    assert_eq!(c.invocation_timeout, Duration::from_secs(120));
    assert_eq!(c.cluster_connect_timeout, None);
    assert_eq!(c.use_public_ip, None);
    assert_eq!(c.retry_multiplier, 1.5);
    assert_eq!(c.labels, ["x", "y", "z"]);
    assert_eq!(c.reconnect_mode, ReconnectMode::Off);
    assert_eq!(
        c.client_name.as_deref(),
        Some("my-client"),
        "untouched options keep the file's value"
    );

    let e = ClientConfig::default()
        .apply_env_from([("HZ_SMART_ROUTING", "perhaps")])
        .expect_err("bad bool");
    assert!(
        e.to_string().contains("HZ_SMART_ROUTING") && e.to_string().contains("perhaps"),
        "{e}"
    );
    let e = ClientConfig::default()
        .apply_env_from([("HZ_HEARTBEAT_TIMEOUT", "-5")])
        .expect_err("negative");
    assert_eq!(e.key(), Some("heartbeat_timeout"));
    let e = ClientConfig::default()
        .apply_env_from([
            ("HZ_CREDS_PASSWORD", "x"),
            ("HZ_CREDS_USERNAME", "u"),
            ("HZ_RETRY_JITTER", "zz"),
        ])
        .expect_err("bad number");
    assert!(!e.to_string().contains("\"x\""), "{e}");
}

#[test]
fn serialization_round_trips() {
    let c = expected_all();
    let toml = c.to_toml_string();
    assert_eq!(ClientConfig::from_toml_str(&toml).expect("round trip"), c);
    let json = serde_json_round_trip(&c);
    assert_eq!(json, c);
}

fn serde_json_round_trip(c: &ClientConfig) -> ClientConfig {
    // Through serde directly: ClientConfig implements Serialize and Deserialize.
    let json = serde_json::to_string(c).expect("serialize");
    let back: ClientConfig = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(ClientConfig::from_json_str(&json).expect("from_json_str"), back);
    back
}
