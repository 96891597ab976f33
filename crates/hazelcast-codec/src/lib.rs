//! # hazelcast-codec
//!
//! The Hazelcast Open Binary Client Protocol 2.x, byte-exact and standalone: no sockets, no async
//! runtime. Anyone can use it to speak to Hazelcast 4.x/5.x members.
//!
//! * [`frame`]: the 6-byte frame header and the flag bits.
//! * [`message`]: [`ClientMessage`] (a whole message as its wire bytes, zero-copy),
//!   [`MessageWriter`] (builds one in a single buffer) and [`FrameReader`].
//! * [`decoder`]: [`MessageDecoder`] cuts messages out of a byte stream, enforces size limits
//!   before allocating ([`DecoderLimits`]), and reassembles fragmented messages.
//!   [`MessageDecoder::decode_or_skip`] skips a message above the size limit without buffering
//!   it and reports it ([`Decoded::Oversized`], [`OversizedMessage`]) so that the stream stays
//!   usable; [`MessageDecoder::decode`] treats it as an error. With the default `tokio-codec`
//!   feature, [`ClientMessageCodec`] adapts `decode` to `tokio_util::codec`.
//! * [`types`]: fixed-size and variable-size parameter types, lists, maps, nullable values.
//! * [`custom`]: the custom types of the protocol (`MemberInfo`, `EndpointQualifier`,
//!   `ErrorHolder`, …); the wire type `Address` decodes into [`Address`].
//! * [`messages`]: the request, response and event codecs of every service of the protocol, one
//!   module per service, generated from the official protocol definitions by
//!   `cargo xtask codegen` (see the crate's `README.md`); [`messages::CATALOG`] lists them.
//! * [`serialization`]: [`Data`] and the built-in serializers with the official type ids.
//! * [`partition`]: MurmurHash3 partition hashing and Java's index rule.
//!
//! ## Place in the layering
//!
//! ```text
//! hazelcast (facade) ─▶ hazelcast-invocation ─▶ hazelcast-transport ─▶ hazelcast-codec
//! ```
//!
//! ## Example: a `Map.Put` request and its answer
//!
//! ```
//! use hazelcast_codec::messages::Request;
//! use hazelcast_codec::messages::map::{MapPutRequest, MapPutResponse};
//! use hazelcast_codec::{MessageDecoder, Serialize, partition};
//! use bytes::BytesMut;
//!
//! let key = "key-1".to_data();
//! let value = 42i32.to_data();
//! let pid = partition::partition_id(&key, 271);
//! assert_eq!(pid, 94);
//! let req = MapPutRequest { thread_id: 1, ttl: -1, name: "my-map", key: &key, value: &value };
//! let mut msg = req.encode(pid);
//! msg.set_correlation_id(3);
//! assert_eq!(msg.len(), 38 + 12 + 23 + 18);
//!
//! // The member's answer, as it arrives on the socket:
//! let answer = MapPutResponse::new(None).encode(3);
//! let mut stream = BytesMut::from(&answer.as_bytes()[..]);
//! let received = MessageDecoder::default().decode(&mut stream).unwrap().unwrap();
//! assert_eq!(received.correlation_id(), 3);
//! assert_eq!(MapPutResponse::decode(&received).unwrap().response, None);
//! ```

#![deny(missing_docs)]

pub mod address;
pub mod custom;
pub mod decoder;
mod error;
pub mod frame;
#[macro_use]
mod macros;
mod generated;
pub mod message;
pub mod messages;
pub mod partition;
pub mod serialization;
#[cfg(feature = "tokio-codec")]
mod tokio_codec;
pub mod types;

pub use address::{Address, AddressError, MemberAddress};
pub use decoder::{Decoded, DecoderLimits, MessageDecoder, OversizedMessage};
pub use error::CodecError;
pub use message::{ClientMessage, Frame, FrameReader, MessageWriter};
pub use messages::error::{ErrorCode, ErrorResponse};
pub use messages::{MessageCodec, PartitionRule, Reply, Request};
pub use serialization::{Data, Deserialize, JsonValue, Serialize};
#[cfg(feature = "tokio-codec")]
pub use tokio_codec::ClientMessageCodec;
mod secret;
pub use secret::Secret;
pub use uuid::Uuid;

/// The connection preamble a client writes first on every connection: ASCII `CP2`.
pub const PROTOCOL_PREAMBLE: &[u8; 3] = b"CP2";

/// The serialization version clients announce.
pub const SERIALIZATION_VERSION: u8 = 1;
