//! TLS for tests: a test PKI generated at run time ([`TestPki`]), a real TLS terminator
//! ([`Stunnel`]) in front of members, and [`TlsCluster`], a cluster whose members advertise the
//! stunnel ports to clients (testbed.md section 8).
//!
//! The open-source member cannot speak TLS, so stunnel (OpenSSL) terminates TLS and forwards
//! plaintext to each member's client endpoint. Needs the `stunnel4` Debian package (`stunnel4` or
//! `stunnel` on `PATH`, or the program named by `HZ_STUNNEL`).
//!
//! ```no_run
//! use hazelcast_testkit::{ClusterConfig, StunnelOptions, TestPki, TlsCluster};
//!
//! # fn main() -> Result<(), hazelcast_testkit::TestkitError> {
//! let pki = TestPki::generate()?;
//! let tls = TlsCluster::start(ClusterConfig::new().members(3), &pki, StunnelOptions::default())?;
//! let tls_addrs = tls.tls_addresses(); // where clients dial TLS; members advertise these
//! # let _ = tls_addrs; Ok(()) }
//! ```

use std::fs::{self, File};
use std::io;
use std::net::{SocketAddr, TcpStream};
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
use crate::fetch::tail_lines;
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

/// The stunnel program: `$HZ_STUNNEL`, else `stunnel4`, else `stunnel` (on `PATH`).
pub fn stunnel_program() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HZ_STUNNEL") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["stunnel4", "stunnel"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Whether stunnel is installed.
pub fn stunnel_available() -> bool {
    stunnel_program().is_some()
}

/// How stunnel terminates TLS: its certificate, client authentication and protocol limits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StunnelOptions {
    /// Server certificate and key; `None` uses [`TestPki::server`].
    pub server: Option<CertFiles>,
    /// Require a client certificate signed by this CA (`CAfile` + `verifyChain = yes`).
    pub client_ca: Option<PathBuf>,
    /// `sslVersionMin` (e.g. `TLSv1.2`); default `TLSv1.2`.
    pub min_version: Option<String>,
    /// `sslVersionMax` (e.g. `TLSv1.2`).
    pub max_version: Option<String>,
    /// `ciphers` (OpenSSL cipher list, TLS ≤ 1.2).
    pub ciphers: Option<String>,
    /// `ciphersuites` (TLS 1.3).
    pub ciphersuites: Option<String>,
}

impl StunnelOptions {
    /// Server authentication only, with `server` as the certificate.
    pub fn with_server(server: CertFiles) -> Self {
        StunnelOptions {
            server: Some(server),
            ..StunnelOptions::default()
        }
    }

    /// Mutual TLS: client certificates must chain to `ca`.
    pub fn mutual(ca: impl Into<PathBuf>) -> Self {
        StunnelOptions {
            client_ca: Some(ca.into()),
            ..StunnelOptions::default()
        }
    }
}

/// How long [`Stunnel::start`] waits for every accept port to take a TCP connection.
const STUNNEL_READY_TIMEOUT: Duration = Duration::from_secs(20);

/// A running stunnel process terminating TLS on loopback ports and forwarding plaintext to
/// targets. Killed (`SIGKILL`) on drop, and when the test process dies (`PR_SET_PDEATHSIG`,
/// spawned from the test kit's spawner thread).
#[derive(Debug)]
pub struct Stunnel {
    child: Child,
    accept: Vec<SocketAddr>,
    dir: tempfile::TempDir,
    log_path: PathBuf,
    _leases: Vec<PortLease>,
}

impl Stunnel {
    /// Starts stunnel with one service per target, each on a newly reserved loopback port, and
    /// waits until every accept port takes a TCP connection.
    pub fn start(
        pki: &TestPki,
        targets: &[SocketAddr],
        options: &StunnelOptions,
    ) -> Result<Stunnel, TestkitError> {
        let leases = ports::reserve(targets.len())?;
        let services: Vec<(u16, SocketAddr)> = leases
            .iter()
            .map(|l| l.port())
            .zip(targets.iter().copied())
            .collect();
        Self::start_services(pki, &services, options, leases)
    }

    /// Starts stunnel with one service per `(accept port, target)` pair; the caller owns the
    /// accept ports (e.g. a cluster's [`public_client_address`](Cluster::public_client_address)).
    pub fn start_on(
        pki: &TestPki,
        services: &[(u16, SocketAddr)],
        options: &StunnelOptions,
    ) -> Result<Stunnel, TestkitError> {
        Self::start_services(pki, services, options, Vec::new())
    }

    fn start_services(
        pki: &TestPki,
        services: &[(u16, SocketAddr)],
        options: &StunnelOptions,
        leases: Vec<PortLease>,
    ) -> Result<Stunnel, TestkitError> {
        let program = stunnel_program().ok_or_else(|| {
            TestkitError::io(
                "starting stunnel (install the stunnel4 package or set HZ_STUNNEL)",
                io::Error::from(io::ErrorKind::NotFound),
            )
        })?;
        let dir = tempfile::Builder::new()
            .prefix("hazelcast-testkit-stunnel-")
            .tempdir()
            .ctx(|| "creating the stunnel directory".to_owned())?;
        let config_path = dir.path().join("stunnel.conf");
        let log_path = dir.path().join("stunnel.log");
        fs::write(&config_path, stunnel_config(pki, services, options))
            .ctx(|| format!("writing {}", config_path.display()))?;
        let log = File::create(&log_path).ctx(|| format!("creating {}", log_path.display()))?;
        let log2 = log
            .try_clone()
            .ctx(|| format!("cloning {}", log_path.display()))?;
        let mut command = Command::new(&program);
        command
            .arg(&config_path)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log2));
        let child = spawner::spawn(command)?.ctx(|| format!("spawning {}", program.display()))?;
        let accept = services
            .iter()
            .map(|(port, _)| SocketAddr::from(([127, 0, 0, 1], *port)))
            .collect();
        let mut stunnel = Stunnel {
            child,
            accept,
            dir,
            log_path,
            _leases: leases,
        };
        stunnel.wait_ready()?;
        Ok(stunnel)
    }

    fn wait_ready(&mut self) -> Result<(), TestkitError> {
        let deadline = Instant::now() + STUNNEL_READY_TIMEOUT;
        let mut pending = self.accept.clone();
        while !pending.is_empty() {
            if let Some(status) = self.child.try_wait().ctx(|| "waiting for stunnel".to_owned())? {
                return Err(TestkitError::io(
                    format!("stunnel exited ({status}); log:\n{}", self.log_tail()),
                    io::Error::other("stunnel exited"),
                ));
            }
            pending.retain(|addr| TcpStream::connect_timeout(addr, Duration::from_millis(200)).is_err());
            if pending.is_empty() {
                break;
            }
            if Instant::now() >= deadline {
                return Err(TestkitError::io(
                    format!(
                        "stunnel not accepting on {pending:?} after {STUNNEL_READY_TIMEOUT:?}; log:\n{}",
                        self.log_tail()
                    ),
                    io::Error::from(io::ErrorKind::TimedOut),
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
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

    /// stunnel's pid.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything stunnel logged so far.
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

impl Drop for Stunnel {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

fn stunnel_config(pki: &TestPki, services: &[(u16, SocketAddr)], options: &StunnelOptions) -> String {
    use std::fmt::Write as _;
    let server = options.server.as_ref().unwrap_or(&pki.server);
    let mut conf = String::new();
    conf.push_str("; generated by hazelcast-testkit\nforeground = yes\npid =\ndebug = info\n");
    let _ = writeln!(
        conf,
        "sslVersionMin = {}",
        options.min_version.as_deref().unwrap_or("TLSv1.2")
    );
    if let Some(max) = &options.max_version {
        let _ = writeln!(conf, "sslVersionMax = {max}");
    }
    for (i, (port, target)) in services.iter().enumerate() {
        let _ = writeln!(conf, "\n[hz{i}]");
        let _ = writeln!(conf, "accept = 127.0.0.1:{port}");
        let _ = writeln!(conf, "connect = {target}");
        let _ = writeln!(conf, "cert = {}", absolute(&server.cert).display());
        let _ = writeln!(conf, "key = {}", absolute(&server.key).display());
        if let Some(ca) = &options.client_ca {
            let _ = writeln!(conf, "CAfile = {}", absolute(ca).display());
            conf.push_str("verifyChain = yes\n");
        }
        if let Some(ciphers) = &options.ciphers {
            let _ = writeln!(conf, "ciphers = {ciphers}");
        }
        if let Some(suites) = &options.ciphersuites {
            let _ = writeln!(conf, "ciphersuites = {suites}");
        }
    }
    conf
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A cluster whose members advertise stunnel's ports to clients: the members run with
/// [`ClusterConfig::client_endpoints`], and one stunnel terminates TLS on each member's public
/// client address and forwards to its plaintext client endpoint.
#[derive(Debug)]
pub struct TlsCluster {
    // Field order: stunnel is dropped before the cluster.
    stunnel: Stunnel,
    cluster: Cluster,
}

impl TlsCluster {
    /// Starts the cluster of `config` (with client endpoints turned on) and stunnel in front of
    /// it with `options`.
    pub fn start(
        config: ClusterConfig,
        pki: &TestPki,
        options: StunnelOptions,
    ) -> Result<TlsCluster, TestkitError> {
        let cluster = config.client_endpoints(true).start()?;
        let services: Vec<(u16, SocketAddr)> = (0..cluster.len())
            .filter_map(|i| {
                cluster
                    .public_client_address(i)
                    .map(|public| (public.port(), cluster.client_address(i)))
            })
            .collect();
        let stunnel = Stunnel::start_on(pki, &services, &options)?;
        Ok(TlsCluster { stunnel, cluster })
    }

    /// The cluster.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The stunnel in front of it.
    pub fn stunnel(&self) -> &Stunnel {
        &self.stunnel
    }

    /// The TLS address of every member (what members advertise to clients), in index order.
    pub fn tls_addresses(&self) -> Vec<SocketAddr> {
        self.stunnel.addresses().to_vec()
    }

    /// The TLS address of member `index`.
    ///
    /// # Panics
    ///
    /// If there is no such member.
    pub fn tls_address(&self, index: usize) -> SocketAddr {
        self.stunnel.address(index)
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
            assert!(key.contains("PRIVATE KEY-----"), "{key}");
        }
        let target: SocketAddr = "127.0.0.1:20001".parse().unwrap();
        let conf = stunnel_config(&pki, &[(20002, target)], &StunnelOptions::mutual(&pki.ca.cert));
        assert!(conf.contains("foreground = yes\npid =\n"));
        assert!(conf.contains("accept = 127.0.0.1:20002\nconnect = 127.0.0.1:20001\n"));
        assert!(conf.contains("verifyChain = yes"));
        assert!(conf.contains(&format!("CAfile = {}", pki.ca.cert.display())));
    }
}
