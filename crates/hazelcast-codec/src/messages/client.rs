//! Client service messages (service id 0): the generated codecs of `Client.yaml`, and the
//! constants its definitions state in prose.

pub use crate::generated::client::*;

/// Authentication status: authenticated.
pub const AUTH_STATUS_AUTHENTICATED: u8 = 0;
/// Authentication status: credentials (or cluster name) rejected.
pub const AUTH_STATUS_CREDENTIALS_FAILED: u8 = 1;
/// Authentication status: serialization version mismatch.
pub const AUTH_STATUS_SERIALIZATION_VERSION_MISMATCH: u8 = 2;
/// Authentication status: the client is not allowed in the cluster.
pub const AUTH_STATUS_NOT_ALLOWED_IN_CLUSTER: u8 = 3;

/// Routing mode sent in the authentication request: one connection.
pub const ROUTING_MODE_UNISOCKET: u8 = 0;
/// Routing mode sent in the authentication request: a connection per member.
pub const ROUTING_MODE_SMART: u8 = 1;
/// Routing mode sent in the authentication request: connections to a subset of the members.
pub const ROUTING_MODE_SUBSET: u8 = 2;
