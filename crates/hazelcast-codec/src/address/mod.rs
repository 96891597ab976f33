//! Member addresses: the configured list ([`MemberAddress`]) and dialable addresses ([`Address`]).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

pub use error::AddressError;

mod error;

/// The ports tried, in a random order, for a configured address that names no port.
pub const DEFAULT_PORTS: [u16; 3] = [5701, 5702, 5703];

/// The host used when the configured member list is empty.
pub const DEFAULT_HOST: &str = "localhost";

/// The longest host name accepted (RFC 1035: 253 characters in text form).
const MAX_HOST_NAME_LEN: usize = 253;

/// One entry of the configured member list: a host and, optionally, a port.
///
/// Accepted forms (surrounding ASCII whitespace is trimmed; anything else is an error naming the
/// entry, see [`AddressError`]):
///
/// | Form | Example | Host | Port |
/// | --- | --- | --- | --- |
/// | host name | `members.example.com` | the name, resolved by the transport at connect time | none |
/// | host name and port | `node-1:5702` | `node-1` | 5702 |
/// | IPv4 | `10.0.0.7` | `10.0.0.7` | none |
/// | IPv4 and port | `10.0.0.7:5701` | `10.0.0.7` | 5701 |
/// | bracketed IPv6 | `[::1]` | `::1` | none |
/// | bracketed IPv6 and port | `[fe80::1%eth0]:5701` | `fe80::1%eth0` | 5701 |
/// | bare IPv6 (never has a port) | `::1`, `fe80::1` | the literal | none |
///
/// Ports must be decimal numbers from 1 to 65535. Without a port, the member is tried on
/// [`DEFAULT_PORTS`] (5701, 5702 and 5703), in a random order when the address provider shuffles
/// (see [`candidates`](MemberAddress::candidates)).
///
/// ```
/// use hazelcast_codec::address::MemberAddress;
///
/// let a: MemberAddress = "[::1]:5701".parse()?;
/// assert_eq!(a.host(), "::1");
/// assert_eq!(a.port(), Some(5701));
/// let b: MemberAddress = "fe80::1".parse()?;
/// assert_eq!(b.port(), None);
/// assert!("host:0".parse::<MemberAddress>().is_err());
/// # Ok::<(), hazelcast_codec::address::AddressError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MemberAddress {
    host: String,
    port: Option<u16>,
}

impl MemberAddress {
    /// An address from a host (validated like a parsed one, without brackets for IPv6) and an
    /// optional port (0 is refused).
    pub fn new(host: &str, port: Option<u16>) -> Result<Self, AddressError> {
        let entry = match port {
            Some(p) => format_host_port(host, p),
            None => host.to_owned(),
        };
        validate_host(host, &entry)?;
        if port == Some(0) {
            return Err(AddressError::InvalidPort {
                entry,
                port: "0".to_owned(),
            });
        }
        Ok(MemberAddress {
            host: host.to_owned(),
            port,
        })
    }

    /// The default member list entry, `localhost` without a port.
    pub fn localhost() -> Self {
        MemberAddress {
            host: DEFAULT_HOST.to_owned(),
            port: None,
        }
    }

    /// The host: a name, an IPv4 literal or an IPv6 literal (without brackets, possibly with a
    /// `%zone`).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The explicit port, if one was configured.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The host as an IP address, if it is an IP literal (IPv6 zones are not part of [`IpAddr`],
    /// so a zoned literal gives `None`).
    pub fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }

    /// The addresses to try for this entry: the explicit port alone, or the three
    /// [`DEFAULT_PORTS`] in ascending order (an address provider shuffles them when shuffling is
    /// on).
    pub fn candidates(&self) -> Vec<Address> {
        match self.port {
            Some(port) => vec![Address::new(self.host.clone(), port)],
            None => DEFAULT_PORTS
                .iter()
                .map(|&port| Address::new(self.host.clone(), port))
                .collect(),
        }
    }
}

impl fmt::Display for MemberAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => f.write_str(&format_host_port(&self.host, port)),
            None if self.host.contains(':') => write!(f, "[{}]", self.host),
            None => f.write_str(&self.host),
        }
    }
}

impl FromStr for MemberAddress {
    type Err = AddressError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_one(s, None)
    }
}

impl From<Address> for MemberAddress {
    fn from(a: Address) -> Self {
        MemberAddress {
            host: a.host,
            port: Some(a.port),
        }
    }
}

/// Parses the configured member list. An empty list gives the default, `[localhost]`; any
/// invalid entry fails the whole list with an error naming that entry (and its position).
///
/// ```
/// use hazelcast_codec::address::parse_member_addresses;
///
/// let list = parse_member_addresses(&["10.0.0.1:5701", "[::1]", "node-2"])?;
/// assert_eq!(list.len(), 3);
/// let err = parse_member_addresses(&["10.0.0.1:5701", "node-2:70000"]).unwrap_err();
/// assert!(err.to_string().contains("node-2:70000"));
/// assert_eq!(parse_member_addresses::<&str>(&[])?[0].host(), "localhost");
/// # Ok::<(), hazelcast_codec::address::AddressError>(())
/// ```
pub fn parse_member_addresses<S: AsRef<str>>(entries: &[S]) -> Result<Vec<MemberAddress>, AddressError> {
    if entries.is_empty() {
        return Ok(vec![MemberAddress::localhost()]);
    }
    entries
        .iter()
        .enumerate()
        .map(|(i, s)| parse_one(s.as_ref(), Some(i)))
        .collect()
}

fn parse_one(raw: &str, index: Option<usize>) -> Result<MemberAddress, AddressError> {
    let entry = raw.trim_matches(|c: char| c.is_ascii_whitespace());
    if entry.is_empty() {
        return Err(AddressError::Empty { index });
    }
    if entry.chars().any(char::is_whitespace) {
        return Err(AddressError::Whitespace {
            entry: raw.to_owned(),
        });
    }
    if entry.chars().any(char::is_control) {
        return Err(AddressError::InvalidHost {
            entry: entry.to_owned(),
            reason: "contains a control character",
        });
    }
    let (host, port) = if let Some(rest) = entry.strip_prefix('[') {
        let Some(close) = rest.find(']') else {
            return Err(AddressError::UnbalancedBrackets {
                entry: entry.to_owned(),
            });
        };
        let host = &rest[..close];
        let after = &rest[close + 1..];
        if host.contains('[') || after.contains('[') || after.contains(']') {
            return Err(AddressError::UnbalancedBrackets {
                entry: entry.to_owned(),
            });
        }
        if !is_ipv6_literal(host) {
            return Err(AddressError::NotIpv6InBrackets {
                entry: entry.to_owned(),
                host: host.to_owned(),
            });
        }
        let port = if after.is_empty() {
            None
        } else if let Some(p) = after.strip_prefix(':') {
            Some(parse_port(p, entry)?)
        } else {
            return Err(AddressError::TrailingText {
                entry: entry.to_owned(),
                rest: after.to_owned(),
            });
        };
        (host, port)
    } else if entry.contains(']') || entry.contains('[') {
        return Err(AddressError::UnbalancedBrackets {
            entry: entry.to_owned(),
        });
    } else {
        match entry.matches(':').count() {
            0 => (entry, None),
            1 => {
                let (host, port) = entry.split_once(':').unwrap_or((entry, ""));
                if host.is_empty() {
                    return Err(AddressError::EmptyHost {
                        entry: entry.to_owned(),
                    });
                }
                (host, Some(parse_port(port, entry)?))
            }
            // More than one colon: a bare IPv6 literal, which never carries a port.
            _ => {
                if !is_ipv6_literal(entry) {
                    return Err(AddressError::InvalidIpv6 {
                        entry: entry.to_owned(),
                    });
                }
                (entry, None)
            }
        }
    };
    validate_host(host, entry)?;
    Ok(MemberAddress {
        host: host.to_owned(),
        port,
    })
}

fn parse_port(text: &str, entry: &str) -> Result<u16, AddressError> {
    let bad = || AddressError::InvalidPort {
        entry: entry.to_owned(),
        port: text.to_owned(),
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    match text.parse::<u16>() {
        Ok(0) | Err(_) => Err(bad()),
        Ok(p) => Ok(p),
    }
}

/// An IPv6 literal, optionally with a `%zone` (interface name or index).
fn is_ipv6_literal(text: &str) -> bool {
    let (addr, zone) = match text.split_once('%') {
        Some((a, z)) => (a, Some(z)),
        None => (text, None),
    };
    let zone_ok = zone.is_none_or(|z| {
        !z.is_empty()
            && z.len() <= 64
            && z.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    });
    zone_ok && addr.parse::<Ipv6Addr>().is_ok()
}

/// Validates a host (no brackets): an IP literal or a host name of letters, digits, `-`, `_`
/// and dots.
fn validate_host(host: &str, entry: &str) -> Result<(), AddressError> {
    let invalid = |reason: &'static str| AddressError::InvalidHost {
        entry: entry.to_owned(),
        reason,
    };
    if host.is_empty() {
        return Err(AddressError::EmptyHost {
            entry: entry.to_owned(),
        });
    }
    if host.contains(':') {
        return if is_ipv6_literal(host) {
            Ok(())
        } else {
            Err(AddressError::InvalidIpv6 {
                entry: entry.to_owned(),
            })
        };
    }
    if host.chars().any(char::is_whitespace) {
        return Err(AddressError::Whitespace {
            entry: entry.to_owned(),
        });
    }
    if host.parse::<Ipv4Addr>().is_ok() {
        return Ok(());
    }
    if host.len() > MAX_HOST_NAME_LEN {
        return Err(invalid("host name longer than 253 characters"));
    }
    if !host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(invalid(
            "host names may only contain letters, digits, '-', '_' and '.'",
        ));
    }
    let host = host.strip_suffix('.').unwrap_or(host);
    for label in host.split('.') {
        if label.is_empty() {
            return Err(invalid("empty label in host name"));
        }
        if label.len() > 63 {
            return Err(invalid("host name label longer than 63 characters"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(invalid("host name label starts or ends with '-'"));
        }
    }
    // All-numeric dotted names that are not valid IPv4 (e.g. `1.2.3.999`, `1.2.3`) are typos.
    if host.split('.').all(|l| l.bytes().all(|b| b.is_ascii_digit())) {
        return Err(invalid("not a valid IPv4 address"));
    }
    Ok(())
}

fn format_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// A dialable address: a host (name or IP literal; IPv6 without brackets) and a port.
///
/// `Display` renders `host:port`, or `[host]:port` for IPv6.
///
/// ```
/// use hazelcast_codec::address::Address;
///
/// assert_eq!(Address::new("::1", 5701).to_string(), "[::1]:5701");
/// assert_eq!(Address::new("10.0.0.1", 5701).to_string(), "10.0.0.1:5701");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    /// Host name or IP literal (IPv6 without brackets, possibly with a `%zone`).
    pub host: String,
    /// Port.
    pub port: u16,
}

impl Address {
    /// An address from its parts (not validated; use [`str::parse`] for text from outside).
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Address {
            host: host.into(),
            port,
        }
    }

    /// The host as an IP address, if it is an IP literal without a zone.
    pub fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }

    /// The socket address, if the host is an IP literal (host names need resolving first).
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        self.ip().map(|ip| SocketAddr::new(ip, self.port))
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_host_port(&self.host, self.port))
    }
}

/// Parses `host:port` or `[ipv6]:port` (the port is required; see [`MemberAddress`] for the
/// accepted hosts).
impl FromStr for Address {
    type Err = AddressError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parsed: MemberAddress = s.parse()?;
        match parsed.port {
            Some(port) => Ok(Address {
                host: parsed.host,
                port,
            }),
            None => Err(AddressError::MissingPort {
                entry: s.trim().to_owned(),
            }),
        }
    }
}

impl From<SocketAddr> for Address {
    fn from(a: SocketAddr) -> Self {
        Address::new(a.ip().to_string(), a.port())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> (String, Option<u16>) {
        let a: MemberAddress = s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"));
        (a.host().to_owned(), a.port())
    }

    fn err(s: &str) -> AddressError {
        match s.parse::<MemberAddress>() {
            Ok(a) => panic!("{s:?} parsed as {a:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn accepted_forms() {
        assert_eq!(ok("localhost"), ("localhost".into(), None));
        assert_eq!(ok("localhost:5702"), ("localhost".into(), Some(5702)));
        assert_eq!(ok("members.example.com"), ("members.example.com".into(), None));
        assert_eq!(ok("node_1.svc.local.:1"), ("node_1.svc.local.".into(), Some(1)));
        assert_eq!(ok("10.0.0.7"), ("10.0.0.7".into(), None));
        assert_eq!(ok("10.0.0.7:65535"), ("10.0.0.7".into(), Some(65535)));
        assert_eq!(ok("[::1]:5701"), ("::1".into(), Some(5701)));
        assert_eq!(ok("[::1]"), ("::1".into(), None));
        assert_eq!(ok("::1"), ("::1".into(), None));
        assert_eq!(ok("fe80::1"), ("fe80::1".into(), None));
        assert_eq!(ok("fe80::1%eth0"), ("fe80::1%eth0".into(), None));
        assert_eq!(ok("[fe80::1%eth0]:5701"), ("fe80::1%eth0".into(), Some(5701)));
        assert_eq!(ok("2001:db8::7:5701"), ("2001:db8::7:5701".into(), None));
        assert_eq!(ok("  10.0.0.7:5701\t"), ("10.0.0.7".into(), Some(5701)));
        assert_eq!(ok("[::ffff:10.0.0.1]:80"), ("::ffff:10.0.0.1".into(), Some(80)));
    }

    #[test]
    fn rejected_forms_name_the_entry() {
        let cases: &[(&str, &str)] = &[
            ("host:0", "invalid port"),
            ("host:65536", "invalid port"),
            ("host:99999999999", "invalid port"),
            ("host:", "invalid port"),
            ("host:abc", "invalid port"),
            ("host:+5701", "invalid port"),
            ("host:-1", "invalid port"),
            (":5701", "empty host"),
            ("[::1", "unbalanced"),
            ("::1]", "unbalanced"),
            ("[::1]]:5701", "unbalanced"),
            ("[[::1]]", "unbalanced"),
            ("[::1]x:5701", "after"),
            ("[::1]5701", "after"),
            ("[10.0.0.1]:5701", "not an IPv6"),
            ("[]:5701", "not an IPv6"),
            ("my host", "whitespace"),
            ("host :5701", "whitespace"),
            ("a:b:c", "IPv6"),
            ("::g", "IPv6"),
            ("1:2:3:4:5:6:7:8:9", "IPv6"),
            ("fe80::1%", "IPv6"),
            ("host/path", "letters, digits"),
            ("user@host", "letters, digits"),
            ("hösti", "letters, digits"),
            ("a..b", "empty label"),
            ("-a.b", "'-'"),
            ("1.2.3.999", "IPv4"),
            ("1.2.3", "IPv4"),
            ("http://host:5701", "IPv6"),
        ];
        for (input, needle) in cases {
            let e = err(input).to_string();
            assert!(
                e.contains(input.trim()),
                "{input:?}: error {e:?} does not name the entry"
            );
            assert!(e.contains(needle), "{input:?}: error {e:?} lacks {needle:?}");
        }
        assert!(matches!(err(""), AddressError::Empty { index: None }));
        assert!(matches!(err("   "), AddressError::Empty { .. }));
        let long = format!("{}.com", "a".repeat(64));
        assert!(err(&long).to_string().contains("63"));
    }

    #[test]
    fn list_errors_carry_the_position() {
        let e = parse_member_addresses(&["a", "", "b"]).unwrap_err();
        assert_eq!(e, AddressError::Empty { index: Some(1) });
        assert!(e.to_string().contains("#1"), "{e}");
    }

    #[test]
    fn empty_list_is_localhost() {
        let list = parse_member_addresses::<String>(&[]).unwrap();
        assert_eq!(list, vec![MemberAddress::localhost()]);
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "localhost",
            "h:1",
            "10.0.0.1:5701",
            "[::1]:5701",
            "[::1]",
            "[fe80::1%eth0]:2",
        ] {
            let a: MemberAddress = s.parse().unwrap();
            assert_eq!(a.to_string(), s);
            assert_eq!(a.to_string().parse::<MemberAddress>().unwrap(), a);
        }
        assert_eq!("::1".parse::<MemberAddress>().unwrap().to_string(), "[::1]");
    }

    #[test]
    fn address_parsing_requires_a_port() {
        assert_eq!("[::1]:7".parse::<Address>().unwrap(), Address::new("::1", 7));
        let e = "10.0.0.1".parse::<Address>().unwrap_err();
        assert!(matches!(e, AddressError::MissingPort { .. }), "{e}");
        assert!(e.to_string().contains("10.0.0.1"));
    }

    #[test]
    fn new_validates() {
        assert!(MemberAddress::new("::1", Some(1)).is_ok());
        assert!(MemberAddress::new("a b", None).is_err());
        assert!(MemberAddress::new("h", Some(0)).is_err());
        assert!(MemberAddress::new("", None).is_err());
    }
}
