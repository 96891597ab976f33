//! The checks of option values: each option's own (named in its declaration) and those
//! between options ([`ClientConfig::check_values`]).

use std::borrow::Cow;
use std::time::Duration;

use hazelcast_codec::DecoderLimits;
use hazelcast_discovery::{DEFAULT_HOST, MemberAddress, parse_member_addresses};
use hazelcast_transport::TrustStore;

use super::ClientConfig;
use super::value::Reason;
use crate::error::ConfigError;

/// The largest `max_message_size`: a frame's length is a signed 32-bit number on the wire.
pub(crate) const MAX_MESSAGE_SIZE_BOUND: usize = i32::MAX as usize;

/// The first-frame limit (the transport keeps the default), below which `max_message_size` cannot go.
const FIRST_FRAME_LIMIT: usize = DecoderLimits::DEFAULT.max_frame_size;

/// No check.
pub(super) fn any<T>(_: &T) -> Result<(), Reason> {
    Ok(())
}

#[allow(clippy::ptr_arg, reason = "a check takes its option's type (`fn(&String)`)")]
pub(super) fn not_empty(v: &String) -> Result<(), Reason> {
    if v.is_empty() {
        Err(Cow::Borrowed("must not be empty"))
    } else {
        Ok(())
    }
}

pub(super) fn not_empty_if_set(v: &Option<String>) -> Result<(), Reason> {
    match v {
        Some(s) if s.trim().is_empty() => Err(Cow::Borrowed("must not be empty")),
        _ => Ok(()),
    }
}

pub(super) fn positive(v: &Duration) -> Result<(), Reason> {
    if v.is_zero() {
        Err(Cow::Borrowed("must be greater than 0"))
    } else {
        Ok(())
    }
}

pub(super) fn at_least_one(v: &f64) -> Result<(), Reason> {
    if v.is_finite() && *v >= 1.0 {
        Ok(())
    } else {
        Err(Cow::Borrowed("must be a number ≥ 1"))
    }
}

pub(super) fn unit_interval(v: &f64) -> Result<(), Reason> {
    if v.is_finite() && (0.0..=1.0).contains(v) {
        Ok(())
    } else {
        Err(Cow::Borrowed("must be between 0 and 1"))
    }
}

#[allow(
    clippy::ptr_arg,
    reason = "a check takes its option's type (`fn(&Vec<String>)`)"
)]
pub(super) fn non_empty_labels(v: &Vec<String>) -> Result<(), Reason> {
    if v.iter().any(String::is_empty) {
        Err(Cow::Borrowed("labels must not be empty"))
    } else {
        Ok(())
    }
}

pub(super) fn frame_limit_and_bound(v: &usize) -> Result<(), Reason> {
    if *v < FIRST_FRAME_LIMIT {
        Err(Cow::Owned(format!(
            "must be at least {FIRST_FRAME_LIMIT} bytes (the limit of a message's first frame)"
        )))
    } else if *v > MAX_MESSAGE_SIZE_BOUND {
        Err(Cow::Owned(format!(
            "must be at most {MAX_MESSAGE_SIZE_BOUND} bytes (a frame's length is a 32-bit number)"
        )))
    } else {
        Ok(())
    }
}

pub(super) fn some_ciphers(v: &Option<String>) -> Result<(), Reason> {
    match v {
        Some(c) if c.split([':', ',']).all(|s| s.trim().is_empty()) => {
            Err(Cow::Borrowed("names no cipher suite"))
        }
        _ => Ok(()),
    }
}

pub(super) fn cloud_url(v: &Option<String>) -> Result<(), Reason> {
    match v {
        Some(url) if !(url.starts_with("https://") || url.starts_with("http://")) => {
            Err(Cow::Borrowed("expected an https:// URL"))
        }
        _ => Ok(()),
    }
}

impl ClientConfig {
    /// Every check that needs no file: each option's own, then those between options.
    pub(crate) fn check_values(&self) -> Result<(), ConfigError> {
        self.check_each()?;
        self.member_addresses()?;
        if self.cloud_discovery_token.is_some() && !self.members_are_default() {
            return Err(ConfigError::Conflict {
                key: "cloud_discovery_token",
                other: "cluster_members",
                reason: "only one discovery method can be enabled at a time".into(),
            });
        }
        if let Some(t) = &self.cloud_discovery_token
            && t.expose().trim().is_empty()
        {
            return Err(ConfigError::invalid(
                "cloud_discovery_token",
                "\"\"",
                "must not be empty",
            ));
        }
        if self.ssl_enabled && !self.ssl_check_hostname && self.ssl_cafile.is_none() {
            return Err(ConfigError::Conflict {
                key: "ssl_check_hostname",
                other: "ssl_cafile",
                reason: "turning hostname verification off needs ssl_cafile: with the public roots, \
                         any certificate a public CA issued for any name would be accepted"
                    .into(),
            });
        }
        if self.ssl_trust_store == TrustStore::System && self.ssl_cafile.is_some() {
            return Err(ConfigError::Conflict {
                key: "ssl_trust_store",
                other: "ssl_cafile",
                reason: "ssl_cafile replaces the trust store: set one of them".into(),
            });
        }
        Ok(())
    }

    fn members_are_default(&self) -> bool {
        self.cluster_members.is_empty()
            || (self.cluster_members.len() == 1 && self.cluster_members[0] == DEFAULT_HOST)
    }

    /// The parsed `cluster_members`.
    pub fn member_addresses(&self) -> Result<Vec<MemberAddress>, ConfigError> {
        parse_member_addresses(&self.cluster_members).map_err(|e| {
            ConfigError::invalid(
                "cluster_members",
                format!("{:?}", self.cluster_members),
                e.to_string(),
            )
        })
    }
}
