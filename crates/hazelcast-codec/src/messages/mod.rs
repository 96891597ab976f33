//! Message codecs, generated from the official protocol definitions (`cargo xtask codegen`).
//!
//! One module per service of the protocol (`messages::map`, `messages::queue`, …) holds the
//! request, response and event codecs of that service's definition file, with the definitions'
//! documentation. Every request type implements [`Request`]: it knows its message type, whether
//! it may be retried after a connection loss (`retryable` in the definitions), how its partition
//! id is chosen, and which response type answers it. Responses and events implement [`Reply`].
//! [`CATALOG`] lists every codec, e.g. to find the decoder of a message type.
//!
//! Hand-written here: the error response ([`error`]), and the constants the definitions only
//! state in prose (`client::AUTH_STATUS_*`, `map::entry_event_type`).

use crate::error::CodecError;
use crate::message::{ClientMessage, MessageWriter};

pub use crate::generated::*;

pub mod client;
pub mod error;
#[cfg(feature = "map")]
pub mod map;

/// How a request's partition id is chosen (`partitionIdentifier` in the definitions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PartitionRule {
    /// Not partition-bound (`-1` or `none`): any member may serve it.
    None,
    /// The partition of the request's key `Data`.
    Key,
    /// The partition of the serialized object name.
    Name,
    /// One request per partition; the caller groups the keys and sets the partition id.
    PerPartition,
    /// `partitionId`: the caller addresses one partition by its id (iteration over a
    /// partition, event journals, partition-bound executors).
    PartitionId,
    /// `random`: any partition, chosen at random.
    Random,
    /// The partition of the serialized value of the named parameter (e.g. `task_name`).
    Param(&'static str),
    /// A rule the definitions state in words only; the caller chooses.
    Described(&'static str),
}

/// A request message type (`Sync`: an invocation borrows it across attempts from any thread).
pub trait Request: Sync {
    /// The message type (`service << 16 | method << 8`).
    const MESSAGE_TYPE: i32;
    /// True when the definitions mark the request `retryable` (safe to send again after a
    /// connection loss, because it is read-only or idempotent).
    const RETRYABLE: bool;
    /// How the partition id is chosen.
    const PARTITION: PartitionRule;
    /// The name of the request type.
    const NAME: &'static str;
    /// The protocol's name of the message, e.g. `Map.Put`.
    const PROTOCOL_NAME: &'static str;
    /// The response type.
    type Response;
    /// The parameters as owned values, as [`Request::decode_request`] returns them.
    type Decoded;

    /// The size of the encoded request in bytes.
    fn encoded_len(&self) -> usize;

    /// Writes the parameters after the request header (fixed ones into the initial frame).
    fn write_params(&self, w: &mut MessageWriter);

    /// Encodes the request with correlation id 0 (set it with
    /// [`ClientMessage::set_correlation_id`]) and the given partition id (`-1` for none), in a
    /// buffer of its own, so that the ids can be patched in place later.
    fn encode(&self, partition_id: i32) -> ClientMessage {
        let mut w = MessageWriter::request(Self::MESSAGE_TYPE, partition_id, self.encoded_len());
        self.write_params(&mut w);
        w.finish()
    }

    /// Encodes the request with its final header: partition id, correlation id and extra
    /// initial-frame flags (e.g. [`crate::frame::flags::BACKUP_AWARE`]). Small requests are
    /// carved from a per-thread chunk that many messages share (see
    /// [`MessageWriter::request_shared`]): no allocation per request, but patching such a
    /// message later copies it, so use this when the header is known, [`Request::encode`]
    /// otherwise.
    fn encode_final(&self, partition_id: i32, correlation_id: i64, extra_flags: u16) -> ClientMessage {
        let mut w = MessageWriter::request_shared(Self::MESSAGE_TYPE, partition_id, self.encoded_len());
        w.set_correlation_id(correlation_id);
        w.add_initial_flags(extra_flags);
        self.write_params(&mut w);
        w.finish()
    }

    /// Decodes a request's parameters (the member side: tests and the test kit's proxy).
    fn decode_request(msg: &ClientMessage) -> Result<Self::Decoded, CodecError>;

    /// The parameters in wire order: name and protocol type name.
    const WIRE_PARAMS: &'static [WireParam];
}

/// A parameter of a message: its name and a function giving its protocol type name
/// (e.g. `List_Data`, `EntryList_UUID_Long`).
pub type WireParam = (&'static str, fn() -> String);

/// A response or event message type.
pub trait Reply: Sized {
    /// The message type.
    const MESSAGE_TYPE: i32;
    /// The name of the Rust type.
    const NAME: &'static str;
    /// Decodes the message, tolerating fields and frames a newer peer appended.
    fn decode(msg: &ClientMessage) -> Result<Self, CodecError>;
    /// Encodes the message (the member side: tests and the test kit).
    fn encode(&self, correlation_id: i64) -> ClientMessage;
    /// The parameters in wire order: name and protocol type name.
    const WIRE_PARAMS: &'static [WireParam];
}

/// What kind of message a [`MessageCodec`] handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageKind {
    /// A request, with its `retryable` flag and partition rule.
    Request {
        /// See [`Request::RETRYABLE`].
        retryable: bool,
        /// See [`Request::PARTITION`].
        partition: PartitionRule,
    },
    /// A response.
    Response,
    /// An event.
    Event,
}

/// One entry of the codec catalogue ([`CATALOG`]): a message type with its decoder.
#[derive(Debug, Clone, Copy)]
pub struct MessageCodec {
    /// The message type.
    pub message_type: i32,
    /// The Rust type's name, e.g. `MapPutRequest`.
    pub name: &'static str,
    /// The protocol's name of the method, e.g. `Map.Put`.
    pub protocol_name: &'static str,
    /// Request, response or event.
    pub kind: MessageKind,
    /// The parameters in wire order: name and protocol type name.
    pub wire_params: &'static [WireParam],
    /// Decodes a message of this type, dropping the result (requests: their parameters).
    pub decode: fn(&ClientMessage) -> Result<(), CodecError>,
}

fn decode_request_unit<R: Request>(msg: &ClientMessage) -> Result<(), CodecError> {
    R::decode_request(msg).map(drop)
}

fn decode_reply_unit<R: Reply>(msg: &ClientMessage) -> Result<(), CodecError> {
    R::decode(msg).map(drop)
}

impl MessageCodec {
    /// The entry of a request type.
    pub const fn request<R: Request>() -> MessageCodec {
        MessageCodec {
            message_type: R::MESSAGE_TYPE,
            name: R::NAME,
            protocol_name: R::PROTOCOL_NAME,
            kind: MessageKind::Request {
                retryable: R::RETRYABLE,
                partition: R::PARTITION,
            },
            wire_params: R::WIRE_PARAMS,
            decode: decode_request_unit::<R>,
        }
    }

    /// The entry of a response type answering the method `protocol_name`.
    pub const fn response<R: Reply>(protocol_name: &'static str) -> MessageCodec {
        Self::reply::<R>(protocol_name, MessageKind::Response)
    }

    /// The entry of an event type of the listener `protocol_name` registers.
    pub const fn event<R: Reply>(protocol_name: &'static str) -> MessageCodec {
        Self::reply::<R>(protocol_name, MessageKind::Event)
    }

    const fn reply<R: Reply>(protocol_name: &'static str, kind: MessageKind) -> MessageCodec {
        MessageCodec {
            message_type: R::MESSAGE_TYPE,
            name: R::NAME,
            protocol_name,
            kind,
            wire_params: R::WIRE_PARAMS,
            decode: decode_reply_unit::<R>,
        }
    }

    /// The parameters in wire order with their protocol type names.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        self.wire_params.iter().map(|(n, t)| (*n, t())).collect()
    }

    /// The catalogue's entry for a message type, if any (a linear search).
    pub fn find(message_type: i32) -> Option<&'static MessageCodec> {
        CATALOG
            .iter()
            .flat_map(|codecs| codecs.iter())
            .find(|c| c.message_type == message_type)
    }
}

/// Fails unless `msg` has the expected message type.
pub fn check_type(msg: &ClientMessage, expected: i32) -> Result<(), CodecError> {
    let actual = msg.message_type();
    if actual == expected {
        Ok(())
    } else {
        Err(CodecError::UnexpectedMessageType { expected, actual })
    }
}

#[doc(hidden)]
pub fn response_writer(message_type: i32, correlation_id: i64) -> MessageWriter {
    MessageWriter::response(message_type, correlation_id, 0)
}

#[doc(hidden)]
pub fn event_writer(message_type: i32, correlation_id: i64) -> MessageWriter {
    MessageWriter::event(message_type, correlation_id, -1)
}
