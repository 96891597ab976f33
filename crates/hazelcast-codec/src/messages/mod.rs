//! Message codecs, declared from the official protocol definitions.
//!
//! Every request type implements [`Request`]: it knows its message type, whether it may be retried
//! after a connection loss (`retryable` in the definitions), how its partition id is chosen, and
//! which response type answers it.

use uuid::Uuid;

use crate::error::CodecError;
use crate::message::{ClientMessage, MessageWriter};
use crate::serialization::Data;
use crate::types::{EntryList, EntryListRef, ListRef, VarList};

pub mod client;
pub mod error;
pub mod map;

/// How a request's partition id is chosen (`partitionIdentifier` in the definitions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PartitionRule {
    /// Not partition-bound (`-1`): any member may serve it.
    None,
    /// The partition of the request's key `Data`.
    Key,
    /// The partition of the serialized object name.
    Name,
    /// One request per partition; the caller groups the keys and sets the partition id.
    PerPartition,
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
    /// The response type.
    type Response;
    /// The parameters as owned values, fixed ones first, as [`Request::decode_request`] returns them.
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

    /// The parameters in wire order with their protocol type names.
    fn wire_params() -> Vec<(&'static str, String)>;
}

/// Maps a borrowed request parameter type to the owned type it decodes as.
pub trait OwnedForm {
    /// The owned type.
    type Owned: crate::types::Decode;
}
impl OwnedForm for &str {
    type Owned = String;
}
impl OwnedForm for Option<&str> {
    type Owned = Option<String>;
}
impl OwnedForm for &Data {
    type Owned = Data;
}
impl OwnedForm for Option<&Data> {
    type Owned = Option<Data>;
}
impl<T: crate::types::Decode> OwnedForm for ListRef<'_, T> {
    type Owned = VarList<T>;
}
impl<K: crate::types::Decode, V: crate::types::Decode> OwnedForm for EntryListRef<'_, K, V> {
    type Owned = EntryList<K, V>;
}
impl OwnedForm for &[Uuid] {
    type Owned = crate::types::FixedList<Uuid>;
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
