//! [`AddressError`]: an address that cannot be used, naming the entry.

/// An invalid member address. Every variant names the offending entry as configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// The entry is empty (or only whitespace).
    #[error("{}", empty_message(.index))]
    Empty {
        /// The entry's position in the configured list, when parsed as part of a list.
        index: Option<usize>,
    },
    /// The entry contains whitespace inside it.
    #[error("member address {entry:?} contains whitespace")]
    Whitespace {
        /// The entry.
        entry: String,
    },
    /// The port is not a decimal number from 1 to 65535.
    #[error("member address {entry:?} has an invalid port {port:?} (must be a number from 1 to 65535)")]
    InvalidPort {
        /// The entry.
        entry: String,
        /// The port text.
        port: String,
    },
    /// A `[` without its `]`, or stray brackets.
    #[error("member address {entry:?} has unbalanced brackets")]
    UnbalancedBrackets {
        /// The entry.
        entry: String,
    },
    /// Brackets around something that is not an IPv6 literal.
    #[error("member address {entry:?}: {host:?} inside brackets is not an IPv6 address")]
    NotIpv6InBrackets {
        /// The entry.
        entry: String,
        /// What was inside the brackets.
        host: String,
    },
    /// Text after `]` other than `:port`.
    #[error("member address {entry:?} has unexpected text {rest:?} after ']' (expected ':port')")]
    TrailingText {
        /// The entry.
        entry: String,
        /// The unexpected text.
        rest: String,
    },
    /// More than one `:` (so an IPv6 literal), but not a valid IPv6 address.
    #[error("member address {entry:?} is not a valid IPv6 address (use [ipv6]:port for a port)")]
    InvalidIpv6 {
        /// The entry.
        entry: String,
    },
    /// `:port` without a host.
    #[error("member address {entry:?} has an empty host")]
    EmptyHost {
        /// The entry.
        entry: String,
    },
    /// The host is neither an IP literal nor a valid host name.
    #[error("member address {entry:?} has an invalid host: {reason}")]
    InvalidHost {
        /// The entry.
        entry: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A port is required here (e.g. a cloud public address) but the entry has none.
    #[error("address {entry:?} has no port")]
    MissingPort {
        /// The entry.
        entry: String,
    },
}

fn empty_message(index: &Option<usize>) -> String {
    match index {
        Some(i) => format!("member address #{i} is empty"),
        None => "member address is empty".to_owned(),
    }
}
