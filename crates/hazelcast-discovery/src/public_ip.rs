//! Public-address translation of member-list addresses (`use_public_ip` and automatic
//! detection). The rules are in the crate docs.

use std::collections::HashSet;
use std::fmt;
use std::net::IpAddr;
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use hazelcast_codec::custom::{MemberInfo, protocol_type};
use rand::seq::SliceRandom;
use tokio::task::JoinSet;

use crate::AddressError;
use hazelcast_codec::address::{Address, MemberAddress};

/// How many members the automatic detection checks (Java's `REACHABLE_CHECK_NUMBER`).
pub const REACHABLE_CHECK_COUNT: usize = 3;
/// Default timeout of the probe of a member's private address (Java: 1000 ms).
pub const DEFAULT_PRIVATE_PROBE_TIMEOUT: Duration = Duration::from_millis(1000);
/// Default timeout of the probe of a member's public address (Java: 3000 ms).
pub const DEFAULT_PUBLIC_PROBE_TIMEOUT: Duration = Duration::from_millis(3000);
/// The address-map identifier of a member's public client address.
pub const PUBLIC_ENDPOINT_IDENTIFIER: &str = "public";

/// Which address of a member the client dials (`use_public_ip`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PublicAddressMode {
    /// Decide from the first member list (Java's automatic detection; see the crate docs).
    /// The default (`use_public_ip` unset).
    #[default]
    Auto,
    /// Always the public address (`use_public_ip = true`); a member that advertises none is
    /// dialled at its client address, with a warning.
    Public,
    /// Always the member's client address (`use_public_ip = false`).
    Private,
}

impl PublicAddressMode {
    /// The mode for the configuration value `use_public_ip`: `None` → [`Auto`](Self::Auto),
    /// `Some(true)` → [`Public`](Self::Public), `Some(false)` → [`Private`](Self::Private).
    pub fn from_use_public_ip(use_public_ip: Option<bool>) -> Self {
        match use_public_ip {
            None => PublicAddressMode::Auto,
            Some(true) => PublicAddressMode::Public,
            Some(false) => PublicAddressMode::Private,
        }
    }
}

/// Probe timeouts of the automatic detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeTimeouts {
    /// A member whose private address accepts a TCP connection within this time is reachable
    /// privately (default 1000 ms).
    pub private: Duration,
    /// A member whose public address does not accept a TCP connection within this time is
    /// unreachable publicly (default 3000 ms).
    pub public: Duration,
}

impl Default for ProbeTimeouts {
    fn default() -> Self {
        ProbeTimeouts {
            private: DEFAULT_PRIVATE_PROBE_TIMEOUT,
            public: DEFAULT_PUBLIC_PROBE_TIMEOUT,
        }
    }
}

/// Why the translator chose public or private addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecisionReason {
    /// The mode is [`Public`](PublicAddressMode::Public) or [`Private`](PublicAddressMode::Private).
    Configured,
    /// TLS is enabled (rule 1: probes would make members log failed handshakes).
    TlsEnabled,
    /// A member's address resolves to the same IP as a configured seed address (rule 2).
    SeedIsMember {
        /// The shared IP.
        ip: IpAddr,
    },
    /// The member list is empty.
    NoMembers,
    /// A checked member advertises no `(CLIENT, "public")` address (rule 3a).
    NoPublicAddress {
        /// The member's client address.
        member: Address,
    },
    /// A reachability probe could not run to its end (its task failed), so the private
    /// addresses are kept.
    ProbeFailed,
    /// A checked member's private address accepted a TCP connection (rule 3b).
    PrivateReachable {
        /// The private address.
        member: Address,
    },
    /// A checked member's public address did not accept a TCP connection in time (rule 3c).
    PublicUnreachable {
        /// The public address.
        public: Address,
    },
    /// Every checked member is reachable only through its public address (rule 4).
    OnlyPublicReachable,
}

impl fmt::Display for DecisionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecisionReason::Configured => f.write_str("configured by use_public_ip"),
            DecisionReason::TlsEnabled => f.write_str("TLS is enabled"),
            DecisionReason::SeedIsMember { ip } => {
                write!(f, "member address {ip} is a configured seed address")
            }
            DecisionReason::NoMembers => f.write_str("the member list is empty"),
            DecisionReason::NoPublicAddress { member } => {
                write!(f, "member {member} advertises no public address")
            }
            DecisionReason::ProbeFailed => f.write_str("a reachability probe failed"),
            DecisionReason::PrivateReachable { member } => {
                write!(f, "private address {member} is reachable")
            }
            DecisionReason::PublicUnreachable { public } => {
                write!(f, "public address {public} is not reachable")
            }
            DecisionReason::OnlyPublicReachable => {
                f.write_str("checked members are reachable only through their public addresses")
            }
        }
    }
}

/// The outcome of [`MemberAddressTranslator::decide`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicAddressDecision {
    /// Whether members are dialled at their public addresses.
    pub use_public: bool,
    /// Why.
    pub reason: DecisionReason,
}

impl PublicAddressDecision {
    fn private(reason: DecisionReason) -> Self {
        PublicAddressDecision {
            use_public: false,
            reason,
        }
    }
}

/// A member's public client address: its `(CLIENT, "public")` address-map entry.
pub fn public_address(member: &MemberInfo) -> Option<&Address> {
    member.endpoint(protocol_type::CLIENT, Some(PUBLIC_ENDPOINT_IDENTIFIER))
}

/// Decides once per cluster connection whether member-list addresses are translated to public
/// addresses, then translates them.
///
/// The connection layer calls [`decide`](Self::decide) with the first member list it receives
/// (and again after a cluster switch, after [`reset`](Self::reset)), then
/// [`translate`](Self::translate) for every member it dials. Seed addresses are never translated.
/// Until a decision is made, [`Auto`](PublicAddressMode::Auto) translates like
/// [`Private`](PublicAddressMode::Private).
///
/// ```no_run
/// use hazelcast_discovery::{MemberAddressTranslator, PublicAddressMode};
/// # async fn f(members: Vec<hazelcast_codec::custom::MemberInfo>) -> Result<(), Box<dyn std::error::Error>> {
/// let seeds = hazelcast_discovery::parse_member_addresses(&["lb.example.com:5701"])?;
/// let translator = MemberAddressTranslator::new(PublicAddressMode::from_use_public_ip(None));
/// let decision = translator.decide(&members, &seeds, false).await;
/// for member in &members {
///     let dial = translator.translate(member)?;
///     # let _ = (dial, &decision);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct MemberAddressTranslator {
    mode: PublicAddressMode,
    timeouts: ProbeTimeouts,
    decision: RwLock<Option<PublicAddressDecision>>,
}

impl MemberAddressTranslator {
    /// A translator with the default probe timeouts (1000 ms private, 3000 ms public).
    pub fn new(mode: PublicAddressMode) -> Self {
        MemberAddressTranslator {
            mode,
            timeouts: ProbeTimeouts::default(),
            decision: RwLock::new(None),
        }
    }

    /// Replaces the probe timeouts.
    pub fn with_probe_timeouts(mut self, timeouts: ProbeTimeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The configured mode.
    pub fn mode(&self) -> PublicAddressMode {
        self.mode
    }

    /// The probe timeouts.
    pub fn probe_timeouts(&self) -> ProbeTimeouts {
        self.timeouts
    }

    /// The last decision, if [`decide`](Self::decide) ran since creation or the last
    /// [`reset`](Self::reset).
    pub fn decision(&self) -> Option<PublicAddressDecision> {
        self.decision
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Forgets the decision (call on a cluster switch, before deciding again).
    pub fn reset(&self) {
        *self.decision.write().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Whether members are dialled at their public addresses now.
    pub fn uses_public(&self) -> bool {
        match self.mode {
            PublicAddressMode::Public => true,
            PublicAddressMode::Private => false,
            PublicAddressMode::Auto => self.decision().is_some_and(|d| d.use_public),
        }
    }

    /// Decides (for [`Auto`](PublicAddressMode::Auto): probes) and remembers the decision.
    ///
    /// `members` is the first member list, `seeds` the configured member addresses (only their
    /// hosts matter) and `tls_enabled` whether member connections use TLS. Takes at most about
    /// the larger probe timeout (plus host-name resolution, bounded by the same timeouts).
    pub async fn decide(
        &self,
        members: &[MemberInfo],
        seeds: &[MemberAddress],
        tls_enabled: bool,
    ) -> PublicAddressDecision {
        let decision = match self.mode {
            PublicAddressMode::Public => PublicAddressDecision {
                use_public: true,
                reason: DecisionReason::Configured,
            },
            PublicAddressMode::Private => PublicAddressDecision::private(DecisionReason::Configured),
            PublicAddressMode::Auto => auto_decide(members, seeds, tls_enabled, self.timeouts).await,
        };
        tracing::info!(
            mode = ?self.mode,
            use_public = decision.use_public,
            reason = %decision.reason,
            "member address translation decided"
        );
        *self.decision.write().unwrap_or_else(PoisonError::into_inner) = Some(decision.clone());
        decision
    }

    /// The address to dial for `member`: its `(CLIENT, "public")` address when public addresses
    /// are in use and it has one; otherwise its client address
    /// ([`MemberInfo::client_address`]). In [`Public`](PublicAddressMode::Public) mode a member
    /// without a public address is dialled at its client address and a warning is logged (the Go
    /// client fails instead; Python falls back silently).
    pub fn translate(&self, member: &MemberInfo) -> Result<Address, AddressError> {
        if self.uses_public() {
            if let Some(public) = public_address(member) {
                return Ok(public.clone());
            }
            tracing::warn!(
                member = %member.client_address(),
                uuid = %member.uuid,
                "use_public_ip: the member advertises no public address; using its client address"
            );
        }
        Ok(member.client_address().clone())
    }
}

/// The IPs a host stands for (IP literals directly, names through the resolver), bounded by
/// `timeout`; unresolvable hosts give nothing.
async fn resolve(host: String, timeout: Duration) -> Vec<IpAddr> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return vec![ip.to_canonical()];
    }
    let lookup = tokio::net::lookup_host((host.as_str(), 0));
    match tokio::time::timeout(timeout, lookup).await {
        Ok(Ok(addrs)) => addrs.map(|a| a.ip().to_canonical()).collect(),
        _ => Vec::new(),
    }
}

/// Whether `address` accepts a TCP connection within `timeout` (every resolved IP tried in
/// order within the same deadline). The connection is closed at once.
async fn tcp_reachable(address: Address, timeout: Duration) -> bool {
    let attempt = async {
        let Ok(targets) = tokio::net::lookup_host((address.host.as_str(), address.port)).await else {
            return false;
        };
        for target in targets {
            if tokio::net::TcpStream::connect(target).await.is_ok() {
                return true;
            }
        }
        false
    };
    tokio::time::timeout(timeout, attempt).await.unwrap_or(false)
}

/// Rule 2: does any member's address resolve to an IP of a seed address?
async fn seed_is_member(
    members: &[MemberInfo],
    seeds: &[MemberAddress],
    timeout: Duration,
) -> Option<IpAddr> {
    if seeds.is_empty() {
        return None;
    }
    let mut lookups = JoinSet::new();
    for seed in seeds {
        lookups.spawn(resolve(seed.host().to_owned(), timeout));
    }
    let mut seed_ips = HashSet::new();
    while let Some(done) = lookups.join_next().await {
        seed_ips.extend(done.unwrap_or_default());
    }
    if seed_ips.is_empty() {
        return None;
    }
    let mut lookups = JoinSet::new();
    for member in members {
        lookups.spawn(resolve(member.client_address().host.clone(), timeout));
    }
    while let Some(done) = lookups.join_next().await {
        if let Some(ip) = done
            .unwrap_or_default()
            .into_iter()
            .find(|ip| seed_ips.contains(ip))
        {
            return Some(ip);
        }
    }
    None
}

/// What one probe found.
enum Probe {
    Private { address: Address, reachable: bool },
    Public { address: Address, reachable: bool },
}

async fn auto_decide(
    members: &[MemberInfo],
    seeds: &[MemberAddress],
    tls_enabled: bool,
    timeouts: ProbeTimeouts,
) -> PublicAddressDecision {
    // Rule 1.
    if tls_enabled {
        return PublicAddressDecision::private(DecisionReason::TlsEnabled);
    }
    // Rule 2.
    if let Some(ip) = seed_is_member(members, seeds, timeouts.private).await {
        return PublicAddressDecision::private(DecisionReason::SeedIsMember { ip });
    }
    if members.is_empty() {
        return PublicAddressDecision::private(DecisionReason::NoMembers);
    }
    // Rule 3: up to three shuffled members, wrapping around when there are fewer.
    let mut shuffled: Vec<&MemberInfo> = members.iter().collect();
    shuffled.shuffle(&mut rand::rng());
    let checked = (0..REACHABLE_CHECK_COUNT).map(|i| shuffled[i % shuffled.len()]);
    let mut pairs = Vec::with_capacity(REACHABLE_CHECK_COUNT);
    for member in checked {
        // Member-reported addresses are validated when decoded (ports 1-65535).
        let Some(public) = public_address(member) else {
            return PublicAddressDecision::private(DecisionReason::NoPublicAddress {
                member: member.client_address().clone(),
            });
        };
        pairs.push((member.client_address().clone(), public.clone()));
    }
    // Every probe runs concurrently with its own timeout; the first conclusive "private" answer
    // ends the detection (dropping the set aborts the remaining probes).
    let mut probes = JoinSet::new();
    for (private, public) in pairs {
        let t = timeouts;
        probes.spawn(async move {
            let reachable = tcp_reachable(private.clone(), t.private).await;
            Probe::Private {
                address: private,
                reachable,
            }
        });
        probes.spawn(async move {
            let reachable = tcp_reachable(public.clone(), t.public).await;
            Probe::Public {
                address: public,
                reachable,
            }
        });
    }
    while let Some(done) = probes.join_next().await {
        match done {
            Ok(Probe::Private {
                address,
                reachable: true,
            }) => {
                return PublicAddressDecision::private(DecisionReason::PrivateReachable { member: address });
            }
            Ok(Probe::Public {
                address,
                reachable: false,
            }) => {
                return PublicAddressDecision::private(DecisionReason::PublicUnreachable { public: address });
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "a public-address probe task failed");
                return PublicAddressDecision::private(DecisionReason::ProbeFailed);
            }
        }
    }
    PublicAddressDecision {
        use_public: true,
        reason: DecisionReason::OnlyPublicReachable,
    }
}
