//! Error types: [`AddressError`] for configuration-time address parsing, [`DiscoveryError`] for
//! address providers.
//!
//! No error ever contains the Hazelcast Cloud discovery token: URLs in errors are rendered without
//! their query string, and the coordinator's message is scrubbed of the token.

use std::time::Duration;

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
    /// A port reported by a member (or a cloud coordinator) is out of range.
    #[error("address {entry:?} has a port out of range ({port}; must be 1 to 65535)")]
    PortOutOfRange {
        /// The address as reported.
        entry: String,
        /// The reported port.
        port: i32,
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

/// A failure of an address provider (in practice: Hazelcast Cloud discovery).
///
/// URLs are given without their query string, so the discovery token never appears.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// The discovery configuration is unusable (empty token, malformed base URL, bad CA PEM …).
    #[error("invalid cloud discovery configuration: {0}")]
    InvalidConfig(String),
    /// The base URL uses plain `http://`, which sends the token in clear text.
    #[error(
        "cloud discovery URL {url} uses plain http, which would send the discovery token unencrypted; \
         use https (or set allow_insecure_http for tests)"
    )]
    InsecureUrl {
        /// The base URL.
        url: String,
    },
    /// The coordinator answered with a non-success status other than 5xx (e.g. 404 for an
    /// unknown token); `message` is the coordinator's message from the body.
    #[error("cloud discovery at {url} answered HTTP {status}: {message}")]
    Rejected {
        /// The request URL without the query.
        url: String,
        /// HTTP status.
        status: u16,
        /// The coordinator's message (the JSON `message` field, else the body text), with the
        /// token removed.
        message: String,
    },
    /// The coordinator kept answering 5xx after every retry.
    #[error("cloud discovery at {url} failed with HTTP {status} after {attempts} attempts: {message}")]
    ServerError {
        /// The request URL without the query.
        url: String,
        /// The last HTTP status.
        status: u16,
        /// How many requests were made.
        attempts: u32,
        /// The last body's message, with the token removed.
        message: String,
    },
    /// The request did not complete within the configured timeout.
    #[error("cloud discovery at {url} timed out after {timeout:?}")]
    Timeout {
        /// The request URL without the query.
        url: String,
        /// The configured request timeout.
        timeout: Duration,
    },
    /// The TLS handshake with the coordinator failed (untrusted or invalid certificate …).
    #[error("cloud discovery at {url}: TLS failure: {detail}")]
    Tls {
        /// The request URL without the query.
        url: String,
        /// The TLS error.
        detail: String,
    },
    /// Any other transport failure (connection refused, reset, DNS …).
    #[error("cloud discovery at {url}: request failed: {detail}")]
    Request {
        /// The request URL without the query.
        url: String,
        /// The error chain, rendered.
        detail: String,
    },
    /// The body of a 200 answer is not the expected JSON.
    #[error("cloud discovery at {url} returned malformed JSON: {detail}")]
    BadJson {
        /// The request URL without the query.
        url: String,
        /// The parser's complaint.
        detail: String,
    },
    /// The coordinator returned no member addresses.
    #[error("cloud discovery at {url} returned no member addresses")]
    EmptyMemberList {
        /// The request URL without the query.
        url: String,
    },
    /// An address in the coordinator's answer is invalid.
    #[error("cloud discovery returned an invalid {field} {value:?}: {source}")]
    BadAddress {
        /// `private-address` or `public-address`.
        field: &'static str,
        /// The value as returned.
        value: String,
        /// Why it is invalid.
        #[source]
        source: AddressError,
    },
}

impl DiscoveryError {
    /// True when asking again cannot help: the configuration is unusable or insecure, or the
    /// coordinator rejected the request (an unknown token). A connect procedure stops at once on
    /// a permanent error instead of retrying until its budget; the other errors (timeouts, 5xx,
    /// transport failures, malformed or empty answers) may pass.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            DiscoveryError::InvalidConfig(_)
                | DiscoveryError::InsecureUrl { .. }
                | DiscoveryError::Rejected { .. }
        )
    }
}
