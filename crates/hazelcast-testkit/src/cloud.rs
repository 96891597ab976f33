//! [`CloudStub`]: an in-process stand-in for the Hazelcast Cloud (Viridian) discovery coordinator
//!.
//!
//! It serves `GET /cluster/discovery?token=<token>` over HTTPS on `127.0.0.1:<random port>` with a
//! certificate issued by a test CA generated at start-up (SAN IP `127.0.0.1` and DNS `localhost`),
//! answering per token as the test configured it, and counts requests. It runs on its own thread
//! and runtime, so it works from synchronous and asynchronous tests alike, and stops when dropped.
//!
//! ```no_run
//! use hazelcast_testkit::cloud::{CloudResponse, CloudStub};
//!
//! let stub = CloudStub::start()?;
//! stub.respond("tok", CloudResponse::members([("10.0.0.1", "127.0.0.1:5701")]));
//! let base_url = stub.base_url(); // https://127.0.0.1:<port>
//! let ca_pem = stub.ca_pem(); // trust this in the client
//! // … run discovery against base_url …
//! assert_eq!(stub.requests_for("tok"), 1);
//! # let _ = (base_url, ca_pem);
//! # Ok::<(), hazelcast_testkit::TestkitError>(())
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::error::TestkitError;

/// The discovery path the stub serves.
pub const DISCOVERY_PATH: &str = "/cluster/discovery";
/// Largest request head the stub reads.
const MAX_HEAD: usize = 16 * 1024;

/// One `{"private-address", "public-address"}` element of a discovery answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudMember {
    /// The `private-address` value (may lack a port: it then inherits the public port).
    pub private: String,
    /// The `public-address` value.
    pub public: String,
}

/// What the stub answers for a token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloudResponse {
    /// 200 with a JSON array of the members (`tpc-ports` is added to the first element, as
    /// Viridian may send it, to prove clients ignore it).
    Members(Vec<CloudMember>),
    /// 200 with this body verbatim (e.g. malformed JSON or `[]`).
    Body(String),
    /// This status with this body.
    Status {
        /// HTTP status.
        status: u16,
        /// Body.
        body: String,
    },
    /// The first `count` requests get `status` with a JSON message, later ones `then`.
    FailFirst {
        /// How many requests fail.
        count: u32,
        /// Their status (e.g. 500).
        status: u16,
        /// The answer afterwards.
        then: Box<CloudResponse>,
    },
    /// Waits `delay` before answering `then` (for client timeouts).
    Delayed {
        /// The delay.
        delay: Duration,
        /// The answer after the delay.
        then: Box<CloudResponse>,
    },
}

impl CloudResponse {
    /// 200 with these `(private, public)` pairs.
    pub fn members<P: Into<String>, Q: Into<String>>(pairs: impl IntoIterator<Item = (P, Q)>) -> Self {
        CloudResponse::Members(
            pairs
                .into_iter()
                .map(|(private, public)| CloudMember {
                    private: private.into(),
                    public: public.into(),
                })
                .collect(),
        )
    }

    /// 200 with `body` verbatim.
    pub fn body(body: impl Into<String>) -> Self {
        CloudResponse::Body(body.into())
    }

    /// `status` with `{"message": message}` as the body.
    pub fn error(status: u16, message: &str) -> Self {
        CloudResponse::Status {
            status,
            body: json_message(message),
        }
    }

    /// The first `count` requests get HTTP 500, then `then`.
    pub fn fail_first(count: u32, then: CloudResponse) -> Self {
        CloudResponse::FailFirst {
            count,
            status: 500,
            then: Box::new(then),
        }
    }

    /// `then` after `delay`.
    pub fn delayed(delay: Duration, then: CloudResponse) -> Self {
        CloudResponse::Delayed {
            delay,
            then: Box::new(then),
        }
    }

    /// The delay, status and body of the `n`-th (0-based) request for this token.
    fn resolve(&self, n: u32) -> (Duration, u16, String) {
        match self {
            CloudResponse::Members(members) => (Duration::ZERO, 200, members_json(members)),
            CloudResponse::Body(body) => (Duration::ZERO, 200, body.clone()),
            CloudResponse::Status { status, body } => (Duration::ZERO, *status, body.clone()),
            CloudResponse::FailFirst { count, status, then } => {
                if n < *count {
                    (
                        Duration::ZERO,
                        *status,
                        json_message(&format!("stub failure {} of {count}", n + 1)),
                    )
                } else {
                    then.resolve(n - count)
                }
            }
            CloudResponse::Delayed { delay, then } => {
                let (d, status, body) = then.resolve(n);
                (*delay + d, status, body)
            }
        }
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_message(message: &str) -> String {
    format!("{{\"message\":{}}}", json_string(message))
}

fn members_json(members: &[CloudMember]) -> String {
    let items: Vec<String> = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let tpc = if i == 0 {
                ",\"tpc-ports\":[{\"private-port\":11000,\"public-port\":31000}]"
            } else {
                ""
            };
            format!(
                "{{\"private-address\":{},\"public-address\":{}{tpc}}}",
                json_string(&m.private),
                json_string(&m.public)
            )
        })
        .collect();
    format!("[{}]", items.join(","))
}

/// A request the stub received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The path without the query.
    pub path: String,
    /// The decoded `token` query parameter, if present.
    pub token: Option<String>,
    /// Header names and values, as received.
    pub headers: Vec<(String, String)>,
}

#[derive(Debug, Default)]
struct State {
    responses: HashMap<String, CloudResponse>,
    per_token: HashMap<String, u32>,
    requests: Vec<RecordedRequest>,
}

/// A test CA and a server certificate for `127.0.0.1` / `localhost`, PEM encoded.
#[derive(Debug, Clone)]
pub struct StubCertificates {
    /// The CA certificate (what clients must trust).
    pub ca_pem: String,
    /// The server certificate (DER).
    server_der: Vec<u8>,
    /// The server key (PKCS#8 DER).
    server_key_der: Vec<u8>,
}

impl StubCertificates {
    /// Generates a fresh CA and a server certificate signed by it.
    pub fn generate() -> Result<Self, TestkitError> {
        let err = |e: rcgen::Error| TestkitError::InvalidConfig(format!("generating test certificates: {e}"));
        let ca_key = rcgen::KeyPair::generate().map_err(err)?;
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "hazelcast-testkit cloud stub CA");
        ca_params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).map_err(err)?;

        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .map_err(err)?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "hazelcast-testkit cloud stub");
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let key = rcgen::KeyPair::generate().map_err(err)?;
        let cert = params.signed_by(&key, &ca).map_err(err)?;
        Ok(StubCertificates {
            ca_pem: ca.pem(),
            server_der: cert.der().to_vec(),
            server_key_der: key.serialize_der(),
        })
    }

    fn server_config(&self) -> Result<rustls::ServerConfig, TestkitError> {
        use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|b| {
                b.with_no_client_auth().with_single_cert(
                    vec![CertificateDer::from(self.server_der.clone())],
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.server_key_der.clone())),
                )
            })
            .map_err(|e| TestkitError::InvalidConfig(format!("cloud stub TLS config: {e}")))
    }
}

/// An in-process HTTPS (or, for refusal tests, plain HTTP) discovery coordinator on
/// `127.0.0.1:<random port>`.
///
/// Unknown tokens get 404 `{"message":"Cluster with token: <token> not found."}` (like the real
/// coordinator), a request without a token 400, other paths 404. Every request is recorded.
#[derive(Debug)]
pub struct CloudStub {
    addr: SocketAddr,
    tls: bool,
    certificates: StubCertificates,
    state: Arc<Mutex<State>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl CloudStub {
    /// Starts an HTTPS stub with freshly generated certificates.
    pub fn start() -> Result<Self, TestkitError> {
        Self::start_inner(true)
    }

    /// Starts a plain-HTTP stub (to test that clients refuse `http://` unless allowed).
    pub fn start_plain_http() -> Result<Self, TestkitError> {
        Self::start_inner(false)
    }

    fn start_inner(tls: bool) -> Result<Self, TestkitError> {
        let certificates = StubCertificates::generate()?;
        let acceptor = if tls {
            Some(tokio_rustls::TlsAcceptor::from(Arc::new(
                certificates.server_config()?,
            )))
        } else {
            None
        };
        let std_listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| TestkitError::io("binding the cloud stub", e))?;
        std_listener
            .set_nonblocking(true)
            .map_err(|e| TestkitError::io("configuring the cloud stub socket", e))?;
        let addr = std_listener
            .local_addr()
            .map_err(|e| TestkitError::io("reading the cloud stub address", e))?;
        let state = Arc::new(Mutex::new(State::default()));
        let (shutdown, mut stop) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| TestkitError::io("building the cloud stub runtime", e))?;
        let thread_state = state.clone();
        let thread = std::thread::Builder::new()
            .name("hazelcast-testkit-cloud-stub".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match TcpListener::from_std(std_listener) {
                        Ok(l) => l,
                        Err(e) => {
                            tracing::error!(error = %e, "cloud stub could not register its listener");
                            return;
                        }
                    };
                    loop {
                        tokio::select! {
                            _ = &mut stop => break,
                            accepted = listener.accept() => {
                                let Ok((stream, _)) = accepted else { continue };
                                let state = thread_state.clone();
                                let acceptor = acceptor.clone();
                                tokio::spawn(async move {
                                    let result = match acceptor {
                                        Some(acceptor) => match acceptor.accept(stream).await {
                                            Ok(tls) => serve(tls, &state).await,
                                            Err(e) => Err(e),
                                        },
                                        None => serve(stream, &state).await,
                                    };
                                    if let Err(e) = result {
                                        tracing::debug!(error = %e, "cloud stub connection ended with an error");
                                    }
                                });
                            }
                        }
                    }
                });
            })
            .map_err(|e| TestkitError::io("starting the cloud stub thread", e))?;
        Ok(CloudStub {
            addr,
            tls,
            certificates,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// Sets the answer for `token` (replacing an earlier one and resetting its request count
    /// used by [`CloudResponse::FailFirst`]).
    pub fn respond(&self, token: &str, response: CloudResponse) {
        let mut state = lock(&self.state);
        state.responses.insert(token.to_owned(), response);
        state.per_token.remove(token);
    }

    /// The address the stub listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:<port>` (or `http://…` for [`start_plain_http`](Self::start_plain_http)).
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The CA certificate (PEM) that issued the stub's server certificate.
    pub fn ca_pem(&self) -> &str {
        &self.certificates.ca_pem
    }

    /// All requests received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state).requests.clone()
    }

    /// How many requests were received in all.
    pub fn request_count(&self) -> usize {
        lock(&self.state).requests.len()
    }

    /// How many discovery requests carried `token` (since it was last set with
    /// [`respond`](Self::respond)).
    pub fn requests_for(&self, token: &str) -> u32 {
        lock(&self.state).per_token.get(token).copied().unwrap_or(0)
    }
}

impl Drop for CloudStub {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request, answers it, closes the connection.
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, state: &Mutex<State>) -> io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > MAX_HEAD {
            return respond(&mut stream, 431, &json_message("request head too large")).await;
        }
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let token = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "token")
        .map(|(_, v)| percent_decode(v));
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let (delay, status, body) = {
        let mut st = lock(state);
        st.requests.push(RecordedRequest {
            method: method.clone(),
            path: path.to_owned(),
            token: token.clone(),
            headers,
        });
        if path != DISCOVERY_PATH || method != "GET" {
            (Duration::ZERO, 404, json_message("Not found"))
        } else if let Some(token) = token {
            let n = {
                let count = st.per_token.entry(token.clone()).or_insert(0);
                *count += 1;
                *count - 1
            };
            match st.responses.get(&token) {
                Some(response) => response.resolve(n),
                None => (
                    Duration::ZERO,
                    404,
                    json_message(&format!("Cluster with token: {token} not found.")),
                ),
            }
        } else {
            (Duration::ZERO, 400, json_message("token is required"))
        }
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    respond(&mut stream, status, &body).await
}

async fn respond<S: AsyncWrite + Unpin>(stream: &mut S, status: u16, body: &str) -> io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.flush().await?;
    stream.shutdown().await
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_answers() {
        let r = CloudResponse::fail_first(
            2,
            CloudResponse::delayed(Duration::from_millis(5), CloudResponse::body("[]")),
        );
        assert_eq!(r.resolve(0).1, 500);
        assert_eq!(r.resolve(1).1, 500);
        assert_eq!(r.resolve(2), (Duration::from_millis(5), 200, "[]".to_owned()));
        let m = CloudResponse::members([("a", "b:1"), ("c\"", "d:2")]);
        let json = m.resolve(0).2;
        assert!(
            json.starts_with("[{\"private-address\":\"a\",\"public-address\":\"b:1\",\"tpc-ports\""),
            "{json}"
        );
        assert!(json.contains("\"c\\\"\""), "{json}");
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("a%20b+c%2"), "a b c%2");
        assert_eq!(percent_decode("%41%zz"), "A%zz");
    }

    #[test]
    fn certificates_generate() {
        let c = StubCertificates::generate().unwrap();
        assert!(c.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        c.server_config().unwrap();
    }
}
