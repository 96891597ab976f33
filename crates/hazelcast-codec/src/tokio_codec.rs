//! A `tokio_util` codec for whole messages (feature `tokio-codec`, on by default).

use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

use crate::decoder::{DecoderLimits, MessageDecoder};
use crate::error::CodecError;
use crate::message::ClientMessage;

/// Frames a byte stream into [`ClientMessage`]s and back, for `tokio_util::codec::Framed`.
///
/// The `CP2` preamble is not part of the framing: write it before wrapping the stream. Decoding
/// uses [`MessageDecoder::decode`]: a message above
/// [`DecoderLimits::max_message_size`] is an error, not skipped.
#[derive(Debug, Default)]
pub struct ClientMessageCodec {
    decoder: MessageDecoder,
}

impl ClientMessageCodec {
    /// A codec with the given decoding limits.
    pub fn new(limits: DecoderLimits) -> Self {
        ClientMessageCodec {
            decoder: MessageDecoder::new(limits),
        }
    }
}

impl Decoder for ClientMessageCodec {
    type Item = ClientMessage;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ClientMessage>, CodecError> {
        self.decoder.decode(src)
    }
}

impl Encoder<ClientMessage> for ClientMessageCodec {
    type Error = CodecError;

    fn encode(&mut self, item: ClientMessage, dst: &mut BytesMut) -> Result<(), CodecError> {
        dst.extend_from_slice(item.as_bytes());
        Ok(())
    }
}
