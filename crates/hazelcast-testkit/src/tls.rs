//! TLS for tests: a test PKI generated at run time ([`TestPki`]), a real TLS terminator
//! ([`TlsFront`]) in front of members, and [`TlsCluster`], a cluster whose members advertise the
//! terminator's ports to clients.
//!
//! The open-source member cannot speak TLS, so a small terminator built on the JDK's own TLS
//! implementation (JSSE, independent of the client's rustls) accepts TLS and forwards plaintext to
//! each member's client endpoint. Its source, `crates/hazelcast-testkit/java/it/hz/TlsFront.java`,
//! is compiled with `javac` into the jar cache (`target/hz/ext/`) on first use and whenever it
//! changes; it needs nothing beyond the JDK 17+ the members already need.
//!
//! ```no_run
//! use hazelcast_testkit::{ClusterConfig, TestPki, TlsCluster, TlsFrontOptions};
//!
//! # fn main() -> Result<(), hazelcast_testkit::TestkitError> {
//! let pki = TestPki::generate()?;
//! let tls = TlsCluster::start(ClusterConfig::new().members(3), &pki, TlsFrontOptions::default())?;
//! let tls_addrs = tls.tls_addresses(); // where clients dial TLS; members advertise these
//! # let _ = tls_addrs; Ok(()) }
//! ```

use std::fmt;
use std::fs::{self, File};
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyPair, KeyUsagePurpose, SanType,
};

use crate::cluster::Cluster;
use crate::config::ClusterConfig;
use crate::error::{IoContext, TestkitError};
use crate::fetch::{self, tail_lines};
use crate::javac;
use crate::ports::{self, PortLease};
use crate::spawner;

/// A certificate and its private key, as PEM files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFiles {
    /// The PEM certificate (leaf only).
    pub cert: PathBuf,
    /// The PEM private key (unencrypted PKCS#8, ECDSA P-256).
    pub key: PathBuf,
}

/// A test PKI written as PEM files into a temporary directory (removed on drop).
///
/// | Item | Issuer | Subject alternative names / use |
/// | --- | --- | --- |
/// | [`ca`](TestPki::ca) | self-signed | `CN=hz-test-ca` |
/// | [`server`](TestPki::server) | `ca` | IP 127.0.0.1, IP ::1, DNS localhost, DNS hazelcast.cloud; serverAuth |
/// | [`client`](TestPki::client) | `ca` | `CN=rust-client`; clientAuth |
/// | [`other_ca`](TestPki::other_ca) | self-signed | a second CA nobody trusts |
/// | [`untrusted_client`](TestPki::untrusted_client) | `other_ca` | clientAuth |
/// | [`expired_server`](TestPki::expired_server) | `ca` | like `server`, valid 2000-01-01 … 2001-01-01 |
/// | [`wrong_host_server`](TestPki::wrong_host_server) | `ca` | DNS other.example only |
#[derive(Debug)]
pub struct TestPki {
    dir: tempfile::TempDir,
    /// The trusted CA.
    pub ca: CertFiles,
    /// A server certificate for 127.0.0.1, ::1 and localhost.
    pub server: CertFiles,
    /// A client certificate for mutual TLS, signed by `ca`.
    pub client: CertFiles,
    /// A CA that is not trusted by anyone.
    pub other_ca: CertFiles,
    /// A client certificate signed by `other_ca`.
    pub untrusted_client: CertFiles,
    /// An expired server certificate (otherwise like `server`).
    pub expired_server: CertFiles,
    /// A server certificate valid only for `other.example`.
    pub wrong_host_server: CertFiles,
}

fn pki_err(what: &str, e: rcgen::Error) -> TestkitError {
    TestkitError::io(format!("generating the test PKI ({what})"), io::Error::other(e))
}

fn dn(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn.push(DnType::OrganizationName, "hazelcast-rs tests");
    dn
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = dn(cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = rcgen::date_time_ymd(2000, 1, 1);
    p.not_after = rcgen::date_time_ymd(2099, 1, 1);
    p
}

fn leaf_params(
    cn: &str,
    sans: &[&str],
    eku: ExtendedKeyUsagePurpose,
) -> Result<CertificateParams, TestkitError> {
    let mut p = CertificateParams::new(sans.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
        .map_err(|e| pki_err(cn, e))?;
    p.distinguished_name = dn(cn);
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    p.extended_key_usages = vec![eku];
    p.use_authority_key_identifier_extension = true;
    p.not_before = rcgen::date_time_ymd(2000, 1, 1);
    p.not_after = rcgen::date_time_ymd(2099, 1, 1);
    Ok(p)
}

impl TestPki {
    /// Generates every certificate and key (ECDSA P-256) into a new temporary directory.
    pub fn generate() -> Result<TestPki, TestkitError> {
        let dir = tempfile::Builder::new()
            .prefix("hazelcast-testkit-pki-")
            .tempdir()
            .ctx(|| "creating the test PKI directory".to_owned())?;
        let path = dir.path().to_path_buf();
        let write = |name: &str, cert: String, key: &KeyPair| -> Result<CertFiles, TestkitError> {
            let files = CertFiles {
                cert: path.join(format!("{name}.pem")),
                key: path.join(format!("{name}.key")),
            };
            fs::write(&files.cert, cert).ctx(|| format!("writing {}", files.cert.display()))?;
            fs::write(&files.key, key.serialize_pem()).ctx(|| format!("writing {}", files.key.display()))?;
            Ok(files)
        };
        let key = |what: &str| KeyPair::generate().map_err(|e| pki_err(what, e));

        let ca_key = key("ca")?;
        let ca_p = ca_params("hz-test-ca");
        let ca_cert = ca_p.self_signed(&ca_key).map_err(|e| pki_err("ca", e))?;
        let ca = write("ca", ca_cert.pem(), &ca_key)?;
        let issuer = Issuer::new(ca_p, ca_key);

        let other_key = key("other ca")?;
        let other_p = ca_params("hz-untrusted-ca");
        let other_cert = other_p
            .self_signed(&other_key)
            .map_err(|e| pki_err("other ca", e))?;
        let other_ca = write("other-ca", other_cert.pem(), &other_key)?;
        let other_issuer = Issuer::new(other_p, other_key);

        let server_sans = ["127.0.0.1", "::1", "localhost", "hazelcast.cloud"];
        let leaf = |name: &str,
                    params: CertificateParams,
                    issuer: &Issuer<'_, KeyPair>|
         -> Result<CertFiles, TestkitError> {
            let k = key(name)?;
            let cert = params.signed_by(&k, issuer).map_err(|e| pki_err(name, e))?;
            write(name, cert.pem(), &k)
        };
        let server = leaf(
            "server",
            leaf_params("localhost", &server_sans, ExtendedKeyUsagePurpose::ServerAuth)?,
            &issuer,
        )?;
        let client = leaf(
            "client",
            leaf_params("rust-client", &[], ExtendedKeyUsagePurpose::ClientAuth)?,
            &issuer,
        )?;
        let untrusted_client = leaf(
            "untrusted-client",
            leaf_params("untrusted-client", &[], ExtendedKeyUsagePurpose::ClientAuth)?,
            &other_issuer,
        )?;
        let mut expired = leaf_params("localhost", &server_sans, ExtendedKeyUsagePurpose::ServerAuth)?;
        expired.not_before = rcgen::date_time_ymd(2000, 1, 1);
        expired.not_after = rcgen::date_time_ymd(2001, 1, 1);
        let expired_server = leaf("expired-server", expired, &issuer)?;
        let mut wrong = leaf_params(
            "other.example",
            &["other.example"],
            ExtendedKeyUsagePurpose::ServerAuth,
        )?;
        wrong
            .subject_alt_names
            .retain(|s| matches!(s, SanType::DnsName(_)));
        let wrong_host_server = leaf("wrong-host-server", wrong, &issuer)?;

        Ok(TestPki {
            dir,
            ca,
            server,
            client,
            other_ca,
            untrusted_client,
            expired_server,
            wrong_host_server,
        })
    }

    /// The directory holding the PEM files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// The terminator's Java source (project-owned test scaffolding).
const TLS_FRONT_SOURCE: &str = include_str!("../java/it/hz/TlsFront.java");
/// The terminator's main class.
const TLS_FRONT_CLASS: &str = "it.hz.TlsFront";

/// Compiles the terminator (once per source text; shared by concurrent tests and processes) and
/// returns its class directory under `<cache dir>/ext/`.
pub fn ensure_tls_front_classes() -> Result<PathBuf, TestkitError> {
    javac::ensure_classes(
        "tls-front",
        &[javac::JavaSource {
            path: "it/hz/TlsFront.java",
            text: TLS_FRONT_SOURCE,
        }],
        None,
        &[],
    )
}

/// A TLS protocol version the terminator may speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum TlsProtocolVersion {
    /// TLS 1.2 (`TLSv1.2`).
    Tls12,
    /// TLS 1.3 (`TLSv1.3`).
    Tls13,
}

impl TlsProtocolVersion {
    const ALL: [TlsProtocolVersion; 2] = [TlsProtocolVersion::Tls12, TlsProtocolVersion::Tls13];

    /// The JSSE protocol name (`TLSv1.2`, `TLSv1.3`).
    pub fn jsse_name(self) -> &'static str {
        match self {
            TlsProtocolVersion::Tls12 => "TLSv1.2",
            TlsProtocolVersion::Tls13 => "TLSv1.3",
        }
    }
}

impl fmt::Display for TlsProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.jsse_name())
    }
}

/// How the terminator speaks TLS: its certificate, client authentication and protocol limits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsFrontOptions {
    /// Server certificate and key; `None` uses [`TestPki::server`].
    pub server: Option<CertFiles>,
    /// Require a client certificate chaining to this CA (PEM). A client without a certificate is
    /// refused like OpenSSL servers refuse it: `certificate_required` after a TLS 1.3 handshake,
    /// `handshake_failure` during a TLS 1.2 one; a certificate from another CA fails the
    /// handshake with JSSE's `certificate_unknown`.
    pub client_ca: Option<PathBuf>,
    /// The lowest version offered; default TLS 1.2.
    pub min_version: Option<TlsProtocolVersion>,
    /// The highest version offered; default TLS 1.3.
    pub max_version: Option<TlsProtocolVersion>,
    /// Restricts the cipher suites (TLS 1.2 and 1.3 alike) to these JSSE / IANA names, e.g.
    /// `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256` or `TLS_AES_256_GCM_SHA384`; `None` keeps the
    /// JDK's defaults.
    pub cipher_suites: Option<Vec<String>>,
}

impl TlsFrontOptions {
    /// Server authentication only, with `server` as the certificate.
    pub fn with_server(server: CertFiles) -> Self {
        TlsFrontOptions {
            server: Some(server),
            ..TlsFrontOptions::default()
        }
    }

    /// Mutual TLS: client certificates must chain to `ca`.
    pub fn mutual(ca: impl Into<PathBuf>) -> Self {
        TlsFrontOptions {
            client_ca: Some(ca.into()),
            ..TlsFrontOptions::default()
        }
    }

    /// The enabled protocol versions, lowest first.
    fn protocols(&self) -> Result<Vec<TlsProtocolVersion>, TestkitError> {
        let min = self.min_version.unwrap_or(TlsProtocolVersion::Tls12);
        let max = self.max_version.unwrap_or(TlsProtocolVersion::Tls13);
        if min > max {
            return Err(TestkitError::InvalidConfig(format!(
                "TLS front: min_version {min} is above max_version {max}"
            )));
        }
        Ok(TlsProtocolVersion::ALL
            .into_iter()
            .filter(|v| (min..=max).contains(v))
            .collect())
    }
}

/// How long [`TlsFront::start`] waits for the terminator to listen on every port (a JVM start).
const TLS_FRONT_READY_TIMEOUT: Duration = Duration::from_secs(60);

/// A running TLS terminator (a small JVM using JSSE) accepting TLS on loopback ports and
/// forwarding plaintext to targets, both ways. Killed (`SIGKILL`) on drop, and when the test
/// process dies (`PR_SET_PDEATHSIG`, spawned from the test kit's spawner thread).
#[derive(Debug)]
pub struct TlsFront {
    child: Child,
    accept: Vec<SocketAddr>,
    dir: tempfile::TempDir,
    log_path: PathBuf,
    _leases: Vec<PortLease>,
}

impl TlsFront {
    /// Starts the terminator with one service per target, each on a newly reserved loopback
    /// port, and waits until it listens on every one.
    pub fn start(
        pki: &TestPki,
        targets: &[SocketAddr],
        options: &TlsFrontOptions,
    ) -> Result<TlsFront, TestkitError> {
        let leases = ports::reserve(targets.len())?;
        let services: Vec<(u16, SocketAddr)> = leases
            .iter()
            .map(|l| l.port())
            .zip(targets.iter().copied())
            .collect();
        Self::start_services(pki, &services, options, leases)
    }

    /// Starts the terminator with one service per `(accept port, target)` pair; the caller owns
    /// the accept ports (e.g. a cluster's [`public_client_address`](Cluster::public_client_address)).
    pub fn start_on(
        pki: &TestPki,
        services: &[(u16, SocketAddr)],
        options: &TlsFrontOptions,
    ) -> Result<TlsFront, TestkitError> {
        Self::start_services(pki, services, options, Vec::new())
    }

    fn start_services(
        pki: &TestPki,
        services: &[(u16, SocketAddr)],
        options: &TlsFrontOptions,
        leases: Vec<PortLease>,
    ) -> Result<TlsFront, TestkitError> {
        if services.is_empty() {
            return Err(TestkitError::InvalidConfig(
                "TLS front: at least one service is needed".into(),
            ));
        }
        let config = tls_front_config(pki, services, options)?;
        let classes = ensure_tls_front_classes()?;
        let java = fetch::require_java()?;
        let dir = tempfile::Builder::new()
            .prefix("hazelcast-testkit-tls-front-")
            .tempdir()
            .ctx(|| "creating the TLS front directory".to_owned())?;
        let config_path = dir.path().join("tls-front.conf");
        let log_path = dir.path().join("tls-front.log");
        fs::write(&config_path, config).ctx(|| format!("writing {}", config_path.display()))?;
        let log = File::create(&log_path).ctx(|| format!("creating {}", log_path.display()))?;
        let log2 = log
            .try_clone()
            .ctx(|| format!("cloning {}", log_path.display()))?;
        let mut command = Command::new(&java);
        command
            .args([
                "-Xms16m",
                "-Xmx96m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xss512k",
                // To send the alerts an OpenSSL server sends (see TlsFront.java).
                "--add-opens",
                "java.base/sun.security.ssl=ALL-UNNAMED",
                "-cp",
            ])
            .arg(&classes)
            .arg(TLS_FRONT_CLASS)
            .arg(&config_path)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log2));
        let child =
            spawner::spawn(command)?.ctx(|| format!("spawning {} {TLS_FRONT_CLASS}", java.display()))?;
        let accept = services
            .iter()
            .map(|(port, _)| SocketAddr::from(([127, 0, 0, 1], *port)))
            .collect();
        let mut front = TlsFront {
            child,
            accept,
            dir,
            log_path,
            _leases: leases,
        };
        front.wait_ready()?;
        Ok(front)
    }

    /// Polls the log for the `READY <port>…` line the terminator prints once every port listens.
    fn wait_ready(&mut self) -> Result<(), TestkitError> {
        let deadline = Instant::now() + TLS_FRONT_READY_TIMEOUT;
        let expected: Vec<String> = self.accept.iter().map(|a| a.port().to_string()).collect();
        let expected = format!("READY {}", expected.join(" "));
        loop {
            if self.log().lines().any(|l| l == expected) {
                return Ok(());
            }
            if let Some(status) = self
                .child
                .try_wait()
                .ctx(|| "waiting for the TLS front".to_owned())?
            {
                return Err(TestkitError::io(
                    format!("the TLS front exited ({status}); log:\n{}", self.log_tail()),
                    io::Error::other("TLS front exited"),
                ));
            }
            if Instant::now() >= deadline {
                return Err(TestkitError::io(
                    format!(
                        "the TLS front did not print `{expected}` within {TLS_FRONT_READY_TIMEOUT:?}; log:\n{}",
                        self.log_tail()
                    ),
                    io::Error::from(io::ErrorKind::TimedOut),
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The TLS addresses, one per service, in the order given.
    pub fn addresses(&self) -> &[SocketAddr] {
        &self.accept
    }

    /// The TLS address of service `index`.
    ///
    /// # Panics
    ///
    /// If there is no such service.
    pub fn address(&self, index: usize) -> SocketAddr {
        self.accept[index]
    }

    /// The terminator's pid.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the terminator logged so far (one line per connection and per failed
    /// handshake).
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    fn log_tail(&self) -> String {
        tail_lines(&self.log(), 40)
    }

    /// The directory holding the configuration and the log.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// The terminator's configuration file (`key=value` lines, see `TlsFront.java`).
fn tls_front_config(
    pki: &TestPki,
    services: &[(u16, SocketAddr)],
    options: &TlsFrontOptions,
) -> Result<String, TestkitError> {
    use std::fmt::Write as _;
    let line_safe = |what: &str, value: &str| -> Result<(), TestkitError> {
        if value.contains(['\n', '\r']) {
            return Err(TestkitError::InvalidConfig(format!(
                "TLS front: {what} must not contain a line break"
            )));
        }
        Ok(())
    };
    let server = options.server.as_ref().unwrap_or(&pki.server);
    let mut conf = String::from("# generated by hazelcast-testkit\n");
    for (key, path) in [("cert", &server.cert), ("key", &server.key)]
        .into_iter()
        .chain(options.client_ca.as_ref().map(|ca| ("client_ca", ca)))
    {
        let path = absolute(path);
        let text = path.to_str().ok_or_else(|| {
            TestkitError::InvalidConfig(format!("TLS front: {key} path {} is not UTF-8", path.display()))
        })?;
        line_safe(key, text)?;
        let _ = writeln!(conf, "{key}={text}");
    }
    let protocols: Vec<&str> = options
        .protocols()?
        .into_iter()
        .map(TlsProtocolVersion::jsse_name)
        .collect();
    let _ = writeln!(conf, "protocols={}", protocols.join(","));
    if let Some(suites) = &options.cipher_suites {
        for s in suites {
            line_safe("a cipher suite", s)?;
            if s.is_empty() || s.contains([',', ' ']) {
                return Err(TestkitError::InvalidConfig(format!(
                    "TLS front: unusable cipher suite name {s:?}"
                )));
            }
        }
        let _ = writeln!(conf, "cipher_suites={}", suites.join(","));
    }
    for (port, target) in services {
        let _ = writeln!(conf, "service=127.0.0.1:{port} {target}");
    }
    Ok(conf)
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A cluster whose members advertise the terminator's ports to clients: the members run with
/// [`ClusterConfig::client_endpoints`], and one [`TlsFront`] terminates TLS on each member's public
/// client address and forwards to its plaintext client endpoint.
#[derive(Debug)]
pub struct TlsCluster {
    // Field order: the terminator is dropped before the cluster.
    front: TlsFront,
    cluster: Cluster,
}

impl TlsCluster {
    /// Starts the cluster of `config` (with client endpoints turned on) and a [`TlsFront`] in
    /// front of it with `options`.
    pub fn start(
        config: ClusterConfig,
        pki: &TestPki,
        options: TlsFrontOptions,
    ) -> Result<TlsCluster, TestkitError> {
        let cluster = config.client_endpoints(true).start()?;
        let services: Vec<(u16, SocketAddr)> = (0..cluster.len())
            .filter_map(|i| {
                cluster
                    .public_client_address(i)
                    .map(|public| (public.port(), cluster.client_address(i)))
            })
            .collect();
        let front = TlsFront::start_on(pki, &services, &options)?;
        Ok(TlsCluster { front, cluster })
    }

    /// The cluster.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The TLS terminator in front of it.
    pub fn front(&self) -> &TlsFront {
        &self.front
    }

    /// The TLS address of every member (what members advertise to clients), in index order.
    pub fn tls_addresses(&self) -> Vec<SocketAddr> {
        self.front.addresses().to_vec()
    }

    /// The TLS address of member `index`.
    ///
    /// # Panics
    ///
    /// If there is no such member.
    pub fn tls_address(&self, index: usize) -> SocketAddr {
        self.front.address(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pki_files_exist_and_config_names_them() {
        let pki = TestPki::generate().unwrap();
        for f in [
            &pki.ca,
            &pki.server,
            &pki.client,
            &pki.other_ca,
            &pki.untrusted_client,
            &pki.expired_server,
            &pki.wrong_host_server,
        ] {
            let cert = fs::read_to_string(&f.cert).unwrap();
            assert!(cert.starts_with("-----BEGIN CERTIFICATE-----"), "{cert}");
            let key = fs::read_to_string(&f.key).unwrap();
            assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"), "{key}");
        }
        let target: SocketAddr = "127.0.0.1:20001".parse().unwrap();
        let conf =
            tls_front_config(&pki, &[(20002, target)], &TlsFrontOptions::mutual(&pki.ca.cert)).unwrap();
        assert!(
            conf.contains("service=127.0.0.1:20002 127.0.0.1:20001\n"),
            "{conf}"
        );
        assert!(
            conf.contains(&format!("client_ca={}\n", pki.ca.cert.display())),
            "{conf}"
        );
        assert!(
            conf.contains(&format!("cert={}\n", pki.server.cert.display())),
            "{conf}"
        );
        assert!(conf.contains("protocols=TLSv1.2,TLSv1.3\n"), "{conf}");
        assert!(!conf.contains("cipher_suites"), "{conf}");
    }

    #[test]
    fn versions_and_suites_in_the_config() {
        let pki = TestPki::generate().unwrap();
        let target: SocketAddr = "127.0.0.1:20001".parse().unwrap();
        let options = TlsFrontOptions {
            max_version: Some(TlsProtocolVersion::Tls12),
            cipher_suites: Some(vec!["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256".into()]),
            ..TlsFrontOptions::default()
        };
        let conf = tls_front_config(&pki, &[(20002, target)], &options).unwrap();
        assert!(conf.contains("protocols=TLSv1.2\n"), "{conf}");
        assert!(
            conf.contains("cipher_suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\n"),
            "{conf}"
        );
        assert!(!conf.contains("client_ca"), "{conf}");
        let only13 = TlsFrontOptions {
            min_version: Some(TlsProtocolVersion::Tls13),
            ..TlsFrontOptions::default()
        };
        let conf = tls_front_config(&pki, &[(20002, target)], &only13).unwrap();
        assert!(conf.contains("protocols=TLSv1.3\n"), "{conf}");
        let backwards = TlsFrontOptions {
            min_version: Some(TlsProtocolVersion::Tls13),
            max_version: Some(TlsProtocolVersion::Tls12),
            ..TlsFrontOptions::default()
        };
        assert!(matches!(
            tls_front_config(&pki, &[(20002, target)], &backwards),
            Err(TestkitError::InvalidConfig(_))
        ));
        let bad_suite = TlsFrontOptions {
            cipher_suites: Some(vec!["A,B".into()]),
            ..TlsFrontOptions::default()
        };
        assert!(matches!(
            tls_front_config(&pki, &[(20002, target)], &bad_suite),
            Err(TestkitError::InvalidConfig(_))
        ));
    }
}
