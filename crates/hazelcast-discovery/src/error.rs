//! [`DiscoveryError`]: the failures of address providers ([`AddressError`](crate::AddressError),
//! for address parsing, lives in `hazelcast_codec::address`).
//!
//! No error ever contains the Hazelcast Cloud discovery token: URLs in errors are rendered without
//! their query string, and the coordinator's message is scrubbed of the token.

use std::time::Duration;

use crate::AddressError;

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
