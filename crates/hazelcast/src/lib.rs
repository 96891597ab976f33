//! # hazelcast
//!
//! A Rust client for Hazelcast 5.x clusters. This facade crate is the one dependency users add; it
//! re-exports the layers below it:
//!
//! * [`codec`]: the Open Binary Client Protocol 2.x codec (frames, messages, `Data` serialization,
//!   partition hashing), usable on its own;
//! * [`transport`]: TCP/TLS connections;
//! * [`discovery`]: member address lists, cloud discovery, public-address translation;
//! * [`invocation`]: routing, retries, backup acknowledgements.
//!
//! The `HazelcastClient` API arrives with the facade issue.

pub use hazelcast_codec as codec;
pub use hazelcast_discovery as discovery;
pub use hazelcast_invocation as invocation;
pub use hazelcast_transport as transport;
