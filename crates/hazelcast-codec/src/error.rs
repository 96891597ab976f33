//! Errors of the codec layer.

use thiserror::Error;

/// Everything that can go wrong while framing, encoding or decoding protocol messages.
///
/// Every variant names what was wrong with the bytes so that a bad server reply can be diagnosed
/// from the error alone.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CodecError {
    /// A frame header announced a length below the 6-byte minimum.
    #[error("frame length {length} is below the minimum of 6 bytes")]
    FrameTooShort {
        /// The announced length.
        length: i32,
    },
    /// The first frame of a message or fragment announced a length above
    /// [`DecoderLimits::max_frame_size`](crate::DecoderLimits); nothing was allocated.
    #[error("frame length {length} exceeds the maximum frame size of {max} bytes")]
    FrameTooLarge {
        /// The announced length.
        length: u64,
        /// The configured maximum.
        max: usize,
    },
    /// A frame, the frames of one message, or the fragments of one reassembled message add up to
    /// more than [`DecoderLimits::max_message_size`](crate::DecoderLimits) (from
    /// [`MessageDecoder::decode`](crate::MessageDecoder::decode), or before the message could be
    /// identified for skipping); nothing was allocated beyond the limit.
    #[error("message of at least {length} bytes exceeds the maximum message size of {max} bytes")]
    MessageTooLarge {
        /// The size reached so far.
        length: u64,
        /// The configured maximum.
        max: usize,
    },
    /// More fragmented messages are being reassembled at once than the configured limit allows.
    #[error("too many fragmented messages in flight (limit {max})")]
    TooManyFragments {
        /// The configured maximum.
        max: usize,
    },
    /// The fragmented messages being reassembled would hold more bytes, all together, than the
    /// configured maximum ([`DecoderLimits::max_fragmented_bytes`](crate::DecoderLimits)).
    #[error(
        "fragmented messages being reassembled would hold {held} bytes, above the maximum of {max} bytes"
    )]
    TooManyFragmentedBytes {
        /// The bytes that would be held.
        held: u64,
        /// The configured maximum.
        max: usize,
    },
    /// A fragment continued or ended a fragmented message whose first fragment was never seen.
    #[error("fragment for unknown fragmented message id {fragment_id}")]
    UnknownFragment {
        /// The fragment id.
        fragment_id: i64,
    },
    /// The bytes of a message end in the middle of a frame.
    #[error("message bytes end inside a frame")]
    TruncatedFrame,
    /// A message has no frames at all.
    #[error("message has no frames")]
    EmptyMessage,
    /// A decoder needed another frame but the message had none left.
    #[error("unexpected end of message while decoding {what}")]
    UnexpectedEnd {
        /// What was being decoded.
        what: &'static str,
    },
    /// A fixed-size field lies beyond the end of its frame.
    #[error("frame too short for {what}: need {needed} bytes, have {available}")]
    FrameContentTooShort {
        /// What was being decoded.
        what: &'static str,
        /// Bytes needed.
        needed: usize,
        /// Bytes present.
        available: usize,
    },
    /// A frame did not carry the flag its position requires (e.g. a BEGIN frame was expected).
    #[error("expected a {expected} frame while decoding {what}, found flags {flags:#06x}")]
    UnexpectedFrame {
        /// What kind of frame was expected.
        expected: &'static str,
        /// What was being decoded.
        what: &'static str,
        /// The flags actually found.
        flags: u16,
    },
    /// A NULL frame was found where the protocol does not allow null.
    #[error("null value for non-nullable {what}")]
    UnexpectedNull {
        /// What was being decoded.
        what: &'static str,
    },
    /// A fixed-element list frame's length is not a multiple of the element size.
    #[error("list frame of {length} bytes is not a multiple of the element size {element_size}")]
    RaggedList {
        /// The frame's content length.
        length: usize,
        /// The element size.
        element_size: usize,
    },
    /// A string was not valid UTF-8.
    #[error("invalid UTF-8 in {what}")]
    InvalidUtf8 {
        /// What was being decoded.
        what: &'static str,
    },
    /// A message carried a type other than the one the decoder handles.
    #[error("unexpected message type {actual:#08x}, expected {expected:#08x}")]
    UnexpectedMessageType {
        /// The expected type.
        expected: i32,
        /// The type found.
        actual: i32,
    },
    /// Two parallel lists (e.g. the keys and values of a partition table) differ in length.
    #[error("{what}: {keys} keys but {values} values")]
    MismatchedLengths {
        /// What was being decoded.
        what: &'static str,
        /// Number of keys.
        keys: usize,
        /// Number of values.
        values: usize,
    },
    /// A field holds a value outside the range its type allows (e.g. a port above 65535).
    #[error("{what} is out of range: {value}")]
    OutOfRange {
        /// The field, e.g. `Address.port`.
        what: &'static str,
        /// The value found.
        value: i64,
    },
    /// A serialized `Data` blob is malformed.
    #[error("invalid serialized data: {reason}")]
    InvalidData {
        /// Why the blob is invalid.
        reason: &'static str,
    },
    /// A serialized `Data` blob holds another type than the one requested.
    #[error("serialized data has type id {actual}, expected {expected}")]
    UnexpectedTypeId {
        /// The expected type id.
        expected: i32,
        /// The type id found.
        actual: i32,
    },
    /// An I/O error from the underlying stream (only produced by the `tokio-codec` adapter).
    #[error("I/O error: {kind}")]
    Io {
        /// The kind of the I/O error.
        kind: std::io::ErrorKind,
    },
}

impl From<std::io::Error> for CodecError {
    fn from(e: std::io::Error) -> Self {
        CodecError::Io { kind: e.kind() }
    }
}
