//! # hazelcast-discovery
//!
//! Finding cluster members: parsing the configured member address list, asking Hazelcast Cloud's
//! discovery endpoint for member addresses, and translating members' private addresses into
//! public ones (`use_public_ip` and automatic detection).
//!
//! ## Place in the layering
//!
//! ```text
//! hazelcast (facade) ─▶ hazelcast-invocation ─▶ hazelcast-discovery
//!                                            └─▶ hazelcast-transport
//! ```
//!
//! Discovery produces addresses; it never speaks the Hazelcast protocol (that is
//! `hazelcast-transport`'s job, driven by `hazelcast-invocation`). The only connections it opens
//! itself are HTTPS requests to the cloud coordinator and plain TCP connects that probe
//! reachability (closed at once).
//!
//! ## Member addresses (`cluster_members`, `shuffle_member_list`)
//!
//! [`parse_member_addresses`] accepts `host`, `host:port`, IPv4, `[ipv6]`, `[ipv6]:port`, bare
//! IPv6 (`::1`, `fe80::1%eth0`; never with a port) and host names (kept as names and resolved by
//! the transport at connect time, every resolved address tried). Invalid entries fail at
//! configuration time with an [`AddressError`] naming the entry: empty entries, whitespace, ports
//! that are not 1–65535 or not decimal, unbalanced brackets, text after `]`, non-IPv6 inside
//! brackets, invalid IPv6 and invalid host names. The default (empty) list is `localhost`.
//!
//! An entry without a port is tried on 5701, 5702 and 5703 ([`MemberAddress::candidates`]),
//! **in a random order** when shuffling is on; the [`StaticAddressProvider`] shuffles the entries on every
//! connect round (default on; off keeps the configured order and ascending ports) and returns
//! the first candidate of every entry before any second one.
//!
//! ```
//! use hazelcast_discovery::{StaticAddressProvider, parse_member_addresses};
//!
//! let members = parse_member_addresses(&["10.0.0.1:5701", "[2001:db8::1]:5701", "node-3"])?;
//! let provider = StaticAddressProvider::new(members, true);
//! # let _ = provider;
//! # Ok::<(), hazelcast_discovery::AddressError>(())
//! ```
//!
//! ## Providers
//!
//! [`AddressProvider`] (object safe, async) has `load_addresses` (the addresses of a connect
//! round) and `translate` (the address to dial for one of them, or for a member-list address when
//! `translates_member_addresses` is true). Implementations: [`StaticAddressProvider`] (identity
//! translation) and [`CloudDiscovery`].
//!
//! ## Hazelcast Cloud discovery
//!
//! [`CloudDiscovery`] sends `GET {base}/cluster/discovery?token=<token>` over HTTPS (reqwest with
//! rustls and the webpki roots, plus [`CloudConfig::extra_root_ca_pem`]) and expects HTTP 200 with a
//! JSON array of `{"private-address": "...", "public-address": "..."}` (other fields, e.g.
//! `tpc-ports`, are ignored). A private address without a port inherits the public port
//! (`10.47.0.8` + `54.213.63.142:32298` → `10.47.0.8:32298` ↦ `54.213.63.142:32298`); a public
//! address must have a port.
//!
//! * Base URL: [`CloudConfig::base_url`] or the key [`CLOUD_URL_PROPERTY`]
//!   (`hazelcast.client.cloud.url`, as in Java), else the environment variable [`CLOUD_URL_ENV`]
//!   (`HZ_CLOUD_COORDINATOR_BASE_URL`, as in Go), else [`DEFAULT_CLOUD_BASE_URL`]
//!   (`https://api.viridian.hazelcast.com`). Plain `http://` is refused
//!   ([`DiscoveryError::InsecureUrl`]) unless [`CloudConfig::allow_insecure_http`] is set (tests).
//! * Every request is bounded by [`CloudConfig::request_timeout`] (default 10 s). 5xx answers are
//!   retried 3 times (200 ms, 400 ms, 800 ms pauses), then fail with
//!   [`DiscoveryError::ServerError`]; other statuses fail at once with
//!   [`DiscoveryError::Rejected`] carrying the coordinator's message (e.g. 404 `Cluster with
//!   token: <redacted> not found.`). Malformed JSON, an empty list, an invalid address in the
//!   answer (named), a timeout and a TLS failure (e.g. an untrusted certificate) each have their
//!   own variant.
//! * The token never appears in `Debug` output, logs or errors ([`DiscoveryToken`]).
//! * `load_addresses` returns the private addresses; `translate(private)` returns the public one
//!   from the cached map, refreshing once on a miss (then `None`). Member-list addresses are
//!   translated the same way (the public-IP detection below does not apply).
//!
//! ### Cloud discovery implies TLS to members
//!
//! Viridian clusters accept only TLS connections with mutual authentication. A client that uses
//! cloud discovery must therefore also configure TLS for member connections with
//! `hazelcast-transport`'s `TlsConfig` (this crate only discovers addresses; it does not switch
//! TLS on by itself):
//!
//! | `TlsConfig` field | Value for a Viridian cluster |
//! | --- | --- |
//! | `ca_file` | the cluster's CA certificate (PEM) from the cluster's console download |
//! | `cert_file`, `key_file` (`key_password` if encrypted) | the client certificate and key from the same download (mutual TLS) |
//! | `server_name` | [`CLOUD_TLS_SERVER_NAME`] (`hazelcast.cloud`, as the Go client does): members are dialled at public IP addresses their certificates do not name, so verify against this name rather than switching `verify_hostname` off |
//! | `verify_hostname` | `true` (the default) |
//!
//! With TLS on, [`MemberAddressTranslator`]'s automatic detection would choose private addresses
//! (rule 1 below), but it does not apply to cloud discovery anyway: member-list addresses go
//! through [`CloudDiscovery`]'s private → public map.
//!
//! ## Public addresses of members (`use_public_ip`)
//!
//! Members discovered through a Discovery SPI plugin (Kubernetes, AWS, GCP, Azure, …) advertise
//! their public client address in their address map under `(CLIENT, "public")`.
//! [`MemberAddressTranslator`] decides once per cluster connection, from the first member list,
//! which address the client dials ([`PublicAddressMode`], config `use_public_ip: Option<bool>`):
//!
//! * `Some(true)` → [`PublicAddressMode::Public`]: the `(CLIENT, "public")` address; a member
//!   without one is dialled at its client address and a **warning** is logged (Python falls back
//!   silently, Go fails the connection; we keep the cluster usable and say so).
//! * `Some(false)` → [`PublicAddressMode::Private`]: the member's client address
//!   ([`MemberInfo::client_address`](hazelcast_codec::custom::MemberInfo::client_address)).
//! * `None` → [`PublicAddressMode::Auto`], the rules of the Java client's
//!   `TranslateToPublicAddressProvider`, in this order:
//!   1. TLS to members is enabled → **private** (probes would make members log failed TLS
//!      handshakes).
//!   2. Any member's address resolves to the same IP as a configured seed address (hosts resolved,
//!      ports ignored) → **private** (the client evidently reaches members directly).
//!   3. The members are shuffled and [`REACHABLE_CHECK_COUNT`] = 3 of them checked (wrapping
//!      around when there are fewer than 3, so one member is checked three times). For a checked
//!      member:
//!      1. it has no `(CLIENT, "public")` address → **private**;
//!      2. a TCP connect to its private (client) address succeeds within 1000 ms → **private**;
//!      3. a TCP connect to its public address does not succeed within 3000 ms → **private**.
//!   4. Every check passed → **public**.
//!
//!   An empty member list or an unusable member address also gives private. Seed addresses are
//!   never translated: the first connection goes through the configured address (e.g. a load
//!   balancer) and is kept. The timeouts are configurable ([`ProbeTimeouts`]).
//!
//! All probes run **concurrently**, each with its own timeout, and the first conclusive answer
//! ends the detection: the worst case is about 3 s (the public timeout), not the 12 s of Node's
//! sequential probes. Compared with the official clients: Python, Go and C++ have no automatic
//! detection at all (explicit switches only), Node checks only 2 members (an off-by-one) and
//! delays start-up by its sequential probes.
//!
//! Weaknesses of the official clients this crate beats (behaviour reference 9.1): 31 (lax address
//! parsing: trailing garbage, unchecked ports, raw `ValueError`s, port −1 for a port-less cloud
//! public address), 38 (no automatic public IP detection in Python/Go/C++, Go's error without a
//! public address, Node's 2-member sequential probes) and 41 (hard-coded cloud URL, no request
//! retries, `tpc-ports` handling differences, different default URLs).

mod backoff;
#[cfg(feature = "cloud")]
mod cloud;
mod error;
mod provider;
mod public_ip;

pub use backoff::Backoff;
#[cfg(feature = "cloud")]
pub use cloud::{
    AddressPair, CLOUD_TLS_SERVER_NAME, CLOUD_TOKEN_PROPERTY, CLOUD_URL_ENV, CLOUD_URL_PROPERTY, CloudConfig,
    CloudDiscovery, DEFAULT_CLOUD_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_RETRY_BACKOFF, DISCOVERY_PATH, DiscoveryResponseError, DiscoveryToken, parse_discovery_response,
    resolve_base_url,
};
pub use error::DiscoveryError;
pub use hazelcast_codec::address::{
    Address, AddressError, DEFAULT_HOST, DEFAULT_PORTS, MemberAddress, parse_member_addresses,
};
pub use provider::{AddressProvider, StaticAddressProvider};
pub use public_ip::{
    DEFAULT_PRIVATE_PROBE_TIMEOUT, DEFAULT_PUBLIC_PROBE_TIMEOUT, DecisionReason, MemberAddressTranslator,
    PUBLIC_ENDPOINT_IDENTIFIER, ProbeTimeouts, PublicAddressDecision, PublicAddressMode,
    REACHABLE_CHECK_COUNT, public_address,
};
