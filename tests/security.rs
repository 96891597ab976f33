//! Secrets never leak, against real members: a client started with credentials, with mutual TLS
//! and an encrypted key password, and with a cloud discovery token (wrong and right, against the
//! test kit's `CloudStub`). A `tracing` subscriber at TRACE level writes every event of the test
//! process into a buffer; the captured logs, the `Display` and `Debug` of every error and the
//! `Debug` of every configuration object are then searched for each secret string.
//!
//! Also: TLS hostname verification is on by default, and cloud discovery refuses plain `http`
//! unless explicitly allowed (and the facade offers no way to allow it).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use hazelcast::discovery::{CloudConfig, CloudDiscovery, DiscoveryError};
use hazelcast::transport::{Secret, TlsConfig, TlsConfigError, TlsConnector};
use hazelcast::{ClientConfig, HazelcastClient, HazelcastError};
use hazelcast_testkit::cloud::{CloudResponse, CloudStub};
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster, TestPki, TlsFront, TlsFrontOptions};

static CLUSTER: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(1));

/// Every secret used here: none may appear anywhere the tests look.
const CREDS_PASSWORD: &str = "pw-Zq8-creds-secret";
const KEY_PASSWORD: &str = "pw-Kx3-tls-key-secret";
const WRONG_KEY_PASSWORD: &str = "pw-Wk5-wrong-key-secret";
const RIGHT_TOKEN: &str = "tok-Rt9-right-secret";
const WRONG_TOKEN: &str = "tok-Wr4-wrong-secret";
const SECRETS: [&str; 5] = [
    CREDS_PASSWORD,
    KEY_PASSWORD,
    WRONG_KEY_PASSWORD,
    RIGHT_TOKEN,
    WRONG_TOKEN,
];

/// The captured log output of the whole test process.
fn logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&buf);
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || Capture(Arc::clone(&sink)))
            .try_init()
            .expect("the only subscriber of this test binary");
        buf
    })
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The client's log lines captured so far (the test kit's own lines are left out: its cloud
/// stub is the server side and may record the token it received).
fn client_logs() -> String {
    let bytes = logs()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter(|l| !l.contains("hazelcast_testkit"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Panics if any secret appears in `text`.
fn assert_clean(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "a secret leaked into {what}: …{s}… in {text}");
    }
}

/// An error and all its sources on one line (causes are sources, not part of `Display`).
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        next = cause.source();
    }
    out
}

fn assert_error_clean(what: &str, e: &(impl std::error::Error + 'static)) {
    assert_clean(&format!("{what} (Display, with every source)"), &chain(e));
    assert_clean(&format!("{what} (Debug)"), &format!("{e:?}"));
    assert_clean(&format!("{what} (alternate Debug)"), &format!("{e:#?}"));
}

/// Asserts the captured logs are clean and not trivially empty.
fn assert_logs_clean(min_lines: usize) {
    let text = client_logs();
    assert!(
        text.lines().count() >= min_lines,
        "the subscriber captured the client's logs ({} lines)",
        text.lines().count()
    );
    assert_clean("the logs", &text);
}

async fn cluster() -> &'static Cluster {
    logs();
    tokio::task::spawn_blocking(|| CLUSTER.get().map(|_| ()))
        .await
        .expect("join")
        .expect("a 1-member cluster starts");
    CLUSTER.get().expect("cluster")
}

fn base(cluster: &Cluster) -> hazelcast::ClientConfigBuilder {
    ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members([cluster.address(0).to_string()])
        .connection_timeout(Duration::from_secs(5))
        .cluster_connect_timeout(Some(Duration::from_secs(3)))
        .retry_initial_backoff(Duration::from_millis(100))
        .invocation_timeout(Duration::from_secs(20))
}

/// Starts a client, uses a map when it connects, and returns the start error when it does not.
async fn exercise(config: ClientConfig) -> Option<HazelcastError> {
    assert_clean("ClientConfig Debug", &format!("{config:?}"));
    assert_clean("ClientConfig alternate Debug", &format!("{config:#?}"));
    if let Ok(ic) = config.invocation_config() {
        assert_clean("InvocationConfig Debug", &format!("{ic:?}"));
        assert_clean("Credentials Debug", &format!("{:?}", ic.credentials));
    }
    assert_clean("TlsConfig Debug", &format!("{:?}", config.tls_config()));
    match HazelcastClient::start(config).await {
        Ok(client) => {
            assert_clean("HazelcastClient Debug", &format!("{client:?}"));
            let map = client.get_map::<String, String>("security").await.expect("map");
            map.set("k", "v").await.expect("set");
            assert_eq!(map.get("k").await.expect("get").as_deref(), Some("v"));
            client.shutdown().await;
            // A call after shutdown fails; its error is clean too.
            let e = map.get("k").await.expect_err("shut down");
            assert_error_clean("a call after shutdown", &e);
            None
        }
        Err(e) => {
            assert_error_clean("the start error", &e);
            Some(e)
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_never_leak() {
    let cluster = cluster().await;
    let config = base(cluster)
        .creds_username("alice")
        .creds_password(CREDS_PASSWORD)
        .build()
        .expect("config");
    assert_eq!(
        config.creds_password.as_ref().map(Secret::expose),
        Some(CREDS_PASSWORD),
        "the secret is there, just never shown"
    );
    // The open-source member ignores the credentials (or refuses them): either is fine here.
    let outcome = exercise(config.clone()).await;
    eprintln!("start with credentials: {outcome:?}");

    // A refused authentication (wrong cluster name) with the credentials: the error is clean.
    let mut refused = config;
    refused.cluster_name = "not-this-cluster".into();
    let e = exercise(refused).await.expect("a wrong cluster name is refused");
    eprintln!("refused: {e}");
    assert_logs_clean(10);
}

/// Writes the client key as an encrypted PKCS#8 PEM (PBES2, PBKDF2-SHA256, AES-256-CBC).
fn encrypt_key(key: &Path, password: &str) -> PathBuf {
    use pkcs8::der::Decode;
    let pem = std::fs::read_to_string(key).expect("key");
    let (label, der) = pkcs8::der::pem::decode_vec(pem.as_bytes()).expect("PEM");
    assert_eq!(label, "PRIVATE KEY");
    let info = pkcs8::PrivateKeyInfo::from_der(&der).expect("PKCS#8");
    let params =
        pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(2048, b"saltsaltsaltsalt", &[9u8; 16])
            .expect("params");
    let enc = info.encrypt_with_params(params, password).expect("encrypt");
    let out = key.with_extension("enc.key");
    std::fs::write(
        &out,
        enc.to_pem("ENCRYPTED PRIVATE KEY", pkcs8::LineEnding::LF)
            .expect("PEM"),
    )
    .expect("write");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_key_password_never_leaks() {
    let cluster = cluster().await;
    let member = cluster.address(0);
    let (pki, front) = tokio::task::spawn_blocking(move || {
        let pki = TestPki::generate().expect("test PKI");
        let front =
            TlsFront::start(&pki, &[member], &TlsFrontOptions::mutual(&pki.ca.cert)).expect("TLS front");
        (pki, front)
    })
    .await
    .expect("join");
    let enc_key = encrypt_key(&pki.client.key, KEY_PASSWORD);

    // The transport's TlsConfig: Debug is clean, a wrong password is a clean error.
    let mut tls = TlsConfig::with_ca_file(&pki.ca.cert);
    tls.cert_file = Some(pki.client.cert.clone());
    tls.key_file = Some(enc_key.clone());
    tls.key_password = Some(Secret::new(KEY_PASSWORD));
    assert_clean("TlsConfig Debug", &format!("{tls:?} {tls:#?}"));
    assert_clean("Secret Display", &Secret::new(KEY_PASSWORD).to_string());
    let connector = TlsConnector::new(&tls).expect("the right password decrypts the key");
    assert_clean("TlsConnector Debug", &format!("{connector:?}"));
    tls.key_password = Some(Secret::new(WRONG_KEY_PASSWORD));
    let e = TlsConnector::new(&tls).expect_err("a wrong password");
    assert!(matches!(e, TlsConfigError::KeyDecryptionFailed { .. }), "{e:?}");
    assert_error_clean("a key decryption error", &e);

    // Through the facade, unisocket (the member advertises its plaintext address).
    let tls_base = |password: &str| {
        ClientConfig::builder()
            .cluster_name(cluster.cluster_name())
            .cluster_members([front.address(0).to_string()])
            .smart_routing(false)
            .connection_timeout(Duration::from_secs(5))
            .cluster_connect_timeout(Some(Duration::from_secs(3)))
            .retry_initial_backoff(Duration::from_millis(100))
            .ssl_enabled(true)
            .ssl_cafile(&pki.ca.cert)
            .ssl_certfile(&pki.client.cert)
            .ssl_keyfile(&enc_key)
            .ssl_password(password)
            .build()
    };
    let outcome = exercise(tls_base(KEY_PASSWORD).expect("config")).await;
    assert!(
        outcome.is_none(),
        "connects over mutual TLS with the encrypted key: {outcome:?}"
    );
    // A wrong key password is refused when the configuration is built (the key is decrypted
    // then), and the error names the file, not the password.
    let e = tls_base(WRONG_KEY_PASSWORD).expect_err("a wrong key password is refused");
    eprintln!("wrong key password: {e}");
    assert_error_clean("the wrong-key-password error", &e);
    assert_eq!(e.key(), Some("ssl_password"), "{e}");
    assert!(chain(&e).contains("cannot decrypt"), "{}", chain(&e));
    assert_logs_clean(10);
}

fn write_ca(stub: &CloudStub, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hz-security-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join(name);
    std::fs::write(&path, stub.ca_pem()).expect("write CA");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_token_never_leaks() {
    let cluster = cluster().await;
    let member = cluster.address(0).to_string();
    let stub = tokio::task::spawn_blocking(CloudStub::start)
        .await
        .expect("join")
        .expect("cloud stub");
    stub.respond(
        RIGHT_TOKEN,
        CloudResponse::members([(member.clone(), member.clone())]),
    );
    let ca = write_ca(&stub, "cloud-ca.pem");
    let cloud = |token: &str| {
        ClientConfig::builder()
            .cluster_name(cluster.cluster_name())
            .cloud_discovery_token(token)
            .cloud_url(stub.base_url())
            .cloud_ca_file(&ca)
            .connection_timeout(Duration::from_secs(5))
            .cluster_connect_timeout(Some(Duration::from_secs(3)))
            .retry_initial_backoff(Duration::from_millis(100))
            .build()
            .expect("config")
    };

    let e = exercise(cloud(WRONG_TOKEN))
        .await
        .expect("a wrong token cannot connect");
    let text = chain(&e);
    eprintln!("wrong token: {text}");
    assert!(text.contains("<redacted>"), "{text}");
    assert!(
        stub.requests_for(WRONG_TOKEN) >= 1,
        "the stub saw the wrong token"
    );

    let outcome = exercise(cloud(RIGHT_TOKEN)).await;
    assert!(outcome.is_none(), "connects through cloud discovery: {outcome:?}");
    assert!(stub.requests_for(RIGHT_TOKEN) >= 1);

    // The discovery layer on its own.
    let config = CloudConfig::new(WRONG_TOKEN)
        .base_url(stub.base_url())
        .extra_root_ca_pem(stub.ca_pem())
        .use_env_proxy(false);
    assert_clean("CloudConfig Debug", &format!("{config:?} {config:#?}"));
    let discovery = CloudDiscovery::new(config).expect("discovery");
    assert_clean("CloudDiscovery Debug", &format!("{discovery:?}"));
    let e = discovery.discover().await.expect_err("rejected");
    assert_error_clean("a rejected token", &e);
    // An unreachable coordinator: the transport error carries the URL, never its query.
    let unreachable = CloudDiscovery::new(
        CloudConfig::new(WRONG_TOKEN)
            .base_url("https://127.0.0.1:1")
            .request_timeout(Duration::from_secs(2))
            .max_retries(0)
            .use_env_proxy(false),
    )
    .expect("discovery");
    let e = unreachable.discover().await.expect_err("unreachable");
    eprintln!("unreachable coordinator: {e}");
    assert_error_clean("an unreachable coordinator", &e);
    assert_logs_clean(10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_discovery_refuses_plain_http_unless_allowed() {
    logs();
    let stub = tokio::task::spawn_blocking(CloudStub::start_plain_http)
        .await
        .expect("join")
        .expect("plain http stub");
    stub.respond(
        RIGHT_TOKEN,
        CloudResponse::members([("127.0.0.1:5701", "127.0.0.1:5701")]),
    );
    let url = stub.base_url();
    assert!(url.starts_with("http://"), "{url}");

    // Discovery layer: refused by default, before any request.
    let e = CloudDiscovery::new(
        CloudConfig::new(RIGHT_TOKEN)
            .base_url(url.clone())
            .use_env_proxy(false),
    )
    .expect_err("plain http is refused");
    assert!(matches!(e, DiscoveryError::InsecureUrl { .. }), "{e:?}");
    assert_error_clean("the insecure-URL error", &e);
    // Explicitly allowed (tests only): it works.
    let allowed = CloudDiscovery::new(
        CloudConfig::new(RIGHT_TOKEN)
            .base_url(url.clone())
            .allow_insecure_http(true)
            .use_env_proxy(false),
    )
    .expect("allowed explicitly");
    assert_eq!(allowed.discover().await.expect("discovered").len(), 1);

    // The facade has no switch for it: an http cloud URL fails the start, with no request made.
    let before = stub.request_count();
    let e = HazelcastClient::start(
        ClientConfig::builder()
            .cloud_discovery_token(RIGHT_TOKEN)
            .cloud_url(url)
            .cluster_connect_timeout(Some(Duration::from_secs(2)))
            .build()
            .expect("the URL is syntactically valid"),
    )
    .await
    .expect_err("plain http is refused by the facade");
    eprintln!("facade, http cloud URL: {e}");
    assert!(e.to_string().contains("http"), "{e}");
    assert_error_clean("the facade's insecure-URL error", &e);
    assert_eq!(stub.request_count(), before, "no request went out in clear text");
}

#[test]
fn tls_hostname_verification_is_on_by_default() {
    assert!(TlsConfig::default().verify_hostname);
    assert!(TlsConfig::with_ca_file("ca.pem").verify_hostname);
    let config = ClientConfig::default();
    assert!(config.ssl_check_hostname);
    assert!(config.tls_config().verify_hostname);
    let mut config = ClientConfig::default();
    config.ssl_enabled = true;
    config.ssl_cafile = Some("ca.pem".into());
    assert!(config.tls_config().verify_hostname);
    let parsed = ClientConfig::from_toml_str("ssl_enabled = true").expect("toml");
    assert!(parsed.ssl_check_hostname);
}

/// Configuration files and environment variables holding secrets: errors never echo them.
#[test]
fn configuration_errors_never_echo_secrets() {
    let cases = [
        // A secret next to an unknown key.
        format!("ssl_password = \"{KEY_PASSWORD}\"\nno_such_option = 1\n"),
        // A secret next to an invalid value.
        format!("cloud_discovery_token = \"{RIGHT_TOKEN}\"\ncluster_members = [\"10.0.0.1:99999\"]\n"),
    ];
    for text in &cases {
        check_toml(text);
    }
    let json = format!("{{\"creds_password\": \"{CREDS_PASSWORD}\", \"smart_routing\": \"maybe\"}}");
    if let Err(e) = ClientConfig::from_json_str(&json) {
        eprintln!("json error: {e}");
        assert_error_clean("a JSON error", &e);
    }
    let yaml = format!("creds_password: {CREDS_PASSWORD}\nsmart_routing: maybe\n");
    if let Err(e) = ClientConfig::from_yaml_str(&yaml) {
        eprintln!("yaml error: {e}");
        assert_error_clean("a YAML error", &e);
    }
    let env = ClientConfig::default().apply_env_from([
        ("HZ_CREDS_PASSWORD".to_owned(), CREDS_PASSWORD.to_owned()),
        ("HZ_SMART_ROUTING".to_owned(), "maybe".to_owned()),
    ]);
    match env {
        Ok(c) => assert_clean("ClientConfig Debug", &format!("{c:?}")),
        Err(e) => assert_error_clean("an environment error", &e),
    }
    // An empty cloud token is refused without echoing anything secret.
    let e = ClientConfig::builder()
        .cloud_discovery_token("  ")
        .build()
        .expect_err("empty token");
    assert_error_clean("an empty-token error", &e);
}

fn check_toml(text: &str) {
    match ClientConfig::from_toml_str(text) {
        Ok(c) => {
            assert_clean("ClientConfig Debug", &format!("{c:?}"));
            if let Err(e) = c.validate() {
                assert_error_clean("a validation error", &e);
            }
        }
        Err(e) => {
            eprintln!("toml error: {e}");
            assert_error_clean("a TOML error", &e);
        }
    }
}

/// A syntax or type error on the line of a secret: the TOML parser's message quotes the source
/// line, and `ConfigError::Parse` passes it on verbatim.
#[test]
fn a_toml_syntax_error_on_a_secret_line_does_not_echo_it() {
    check_toml(&format!(
        "cluster_name = \"dev\"\ncreds_password = \"{CREDS_PASSWORD}\nsmart_routing = true\n"
    ));
    check_toml(&format!("ssl_password = \"{KEY_PASSWORD}\" \"trailing\"\n"));
    // A secret of the wrong type: the error quotes the line too.
    check_toml(&format!("creds_password = [\"{CREDS_PASSWORD}\"]\n"));
}
