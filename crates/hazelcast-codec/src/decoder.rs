//! Turning a byte stream into messages: frame boundaries, message boundaries (`IS_FINAL`), size
//! limits checked before anything is allocated, and reassembly of fragmented messages.

use std::collections::HashMap;

use bytes::BytesMut;

use crate::error::CodecError;
use crate::frame::{FRAME_HEADER_SIZE, flags, has, read_header};
use crate::message::{ClientMessage, read_i64};

/// Limits applied while decoding a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecoderLimits {
    /// Largest frame accepted (header included). Default 64 MiB.
    pub max_frame_size: usize,
    /// Largest message accepted, after reassembly of fragments. Default 256 MiB.
    pub max_message_size: usize,
    /// Most fragmented messages reassembled at once. Default 64.
    pub max_pending_fragmented: usize,
}

impl Default for DecoderLimits {
    fn default() -> Self {
        DecoderLimits {
            max_frame_size: 64 * 1024 * 1024,
            max_message_size: 256 * 1024 * 1024,
            max_pending_fragmented: 64,
        }
    }
}

/// Decodes messages from a stream of bytes.
///
/// Feed it the read buffer with [`MessageDecoder::decode`]; it returns a message as soon as its
/// last frame has arrived, splitting the message's bytes off the buffer without copying them.
/// Only fragmented messages are copied, once, when their fragments are joined.
#[derive(Debug, Default)]
pub struct MessageDecoder {
    limits: DecoderLimits,
    /// Bytes at the front of the buffer already known to be whole frames of the current message.
    scanned: usize,
    fragments: HashMap<i64, BytesMut>,
}

impl MessageDecoder {
    /// A decoder with the given limits.
    pub fn new(limits: DecoderLimits) -> Self {
        MessageDecoder {
            limits,
            scanned: 0,
            fragments: HashMap::new(),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> DecoderLimits {
        self.limits
    }

    /// Number of fragmented messages waiting for more fragments.
    pub fn pending_fragmented(&self) -> usize {
        self.fragments.len()
    }

    /// Takes the next complete message off the front of `buf`, or returns `None` when more bytes
    /// are needed. An error means the stream is corrupt or hostile and must be closed.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<ClientMessage>, CodecError> {
        loop {
            let Some(wire) = self.next_wire_message(buf)? else {
                return Ok(None);
            };
            if let Some(msg) = self.reassemble(wire)? {
                return Ok(Some(msg));
            }
        }
    }

    /// Scans frames until one carries `IS_FINAL`; returns that wire message's bytes.
    fn next_wire_message(&mut self, buf: &mut BytesMut) -> Result<Option<ClientMessage>, CodecError> {
        loop {
            let Some((len, frame_flags)) = read_header(&buf[self.scanned..]) else {
                return Ok(None);
            };
            if len < FRAME_HEADER_SIZE as i32 {
                return Err(CodecError::FrameTooShort { length: len });
            }
            let len = len as usize;
            if len > self.limits.max_frame_size {
                return Err(CodecError::FrameTooLarge {
                    length: len as u64,
                    max: self.limits.max_frame_size,
                });
            }
            let end = self.scanned + len;
            if end > self.limits.max_message_size {
                return Err(CodecError::MessageTooLarge {
                    length: end as u64,
                    max: self.limits.max_message_size,
                });
            }
            // Every first frame carries a message type + correlation id (12 bytes) or, for a
            // fragment, a fragment id (8 bytes), as `ClientMessage::from_bytes` requires.
            let needed = if has(frame_flags, flags::UNFRAGMENTED_MESSAGE) {
                12
            } else {
                8
            };
            if self.scanned == 0 && len < FRAME_HEADER_SIZE + needed {
                return Err(CodecError::FrameContentTooShort {
                    what: "initial frame",
                    needed,
                    available: len - FRAME_HEADER_SIZE,
                });
            }
            if buf.len() < end {
                // Reserve for the rest of this frame only: the length was checked above.
                buf.reserve(end - buf.len());
                return Ok(None);
            }
            self.scanned = end;
            if has(frame_flags, flags::IS_FINAL) {
                let bytes = buf.split_to(end).freeze();
                self.scanned = 0;
                return Ok(Some(ClientMessage::from_wire(bytes)));
            }
        }
    }

    fn reassemble(&mut self, wire: ClientMessage) -> Result<Option<ClientMessage>, CodecError> {
        let first_flags = wire.initial_flags();
        if has(first_flags, flags::UNFRAGMENTED_MESSAGE) {
            return Ok(Some(wire));
        }
        let bytes = wire.into_bytes();
        let first_len = read_header(&bytes).map_or(FRAME_HEADER_SIZE, |(l, _)| l as usize);
        let fragment_id = read_i64(&bytes[FRAME_HEADER_SIZE..first_len], 0);
        let body = &bytes[first_len..];
        if has(first_flags, flags::BEGIN_FRAGMENT) {
            if !self.fragments.contains_key(&fragment_id)
                && self.fragments.len() >= self.limits.max_pending_fragmented
            {
                return Err(CodecError::TooManyFragments {
                    max: self.limits.max_pending_fragmented,
                });
            }
            let mut acc = BytesMut::from(body);
            // Only the last frame of the reassembled message may carry IS_FINAL.
            clear_final_flag(&mut acc, 0);
            self.fragments.insert(fragment_id, acc);
            return Ok(None);
        }
        let Some(acc) = self.fragments.get_mut(&fragment_id) else {
            return Err(CodecError::UnknownFragment { fragment_id });
        };
        let total = acc.len() + body.len();
        if total > self.limits.max_message_size {
            self.fragments.remove(&fragment_id);
            return Err(CodecError::MessageTooLarge {
                length: total as u64,
                max: self.limits.max_message_size,
            });
        }
        let start = acc.len();
        acc.extend_from_slice(body);
        if !has(first_flags, flags::END_FRAGMENT) {
            clear_final_flag(acc, start);
            return Ok(None);
        }
        let whole = self.fragments.remove(&fragment_id).unwrap_or_default().freeze();
        ClientMessage::from_reassembled(whole).map(Some)
    }
}

/// Clears `IS_FINAL` on the last of the whole frames in `buf[start..]`: it ended the fragment on
/// the wire, not the message being reassembled.
fn clear_final_flag(buf: &mut BytesMut, start: usize) {
    let mut pos = start;
    let mut last = None;
    while let Some((len, _)) = buf.get(pos..).and_then(read_header) {
        last = Some(pos);
        pos += (len as usize).max(FRAME_HEADER_SIZE);
    }
    if let Some(at) = last {
        let f = u16::from_le_bytes([buf[at + 4], buf[at + 5]]) & !flags::IS_FINAL;
        buf[at + 4..at + 6].copy_from_slice(&f.to_le_bytes());
    }
}

/// Splits a message into fragments of at most `max_fragment_size` bytes each (whole frames; a
/// single larger frame travels alone), as the members' `ClientMessageSplitter` does. Returns the
/// message unchanged when it fits.
pub fn split_into_fragments(
    msg: &ClientMessage,
    fragment_id: i64,
    max_fragment_size: usize,
) -> Vec<ClientMessage> {
    use crate::message::MessageWriter;
    if msg.len() <= max_fragment_size {
        return vec![msg.clone()];
    }
    let frames: Vec<_> = msg.frames().collect();
    let mut groups: Vec<Vec<crate::message::Frame>> = vec![Vec::new()];
    let mut size = 0;
    for f in frames {
        let flen = FRAME_HEADER_SIZE + f.content.len();
        if size + flen > max_fragment_size && !groups.last().is_some_and(Vec::is_empty) {
            groups.push(Vec::new());
            size = 0;
        }
        size += flen;
        if let Some(g) = groups.last_mut() {
            g.push(f);
        }
    }
    let n = groups.len();
    if n == 1 {
        // A single frame larger than the maximum: it cannot be split, so it travels unfragmented
        // (a lone BEGIN fragment would never be completed).
        return vec![msg.clone()];
    }
    groups
        .into_iter()
        .enumerate()
        .map(|(i, g)| {
            let fl = match (i == 0, i + 1 == n) {
                (true, _) => flags::BEGIN_FRAGMENT,
                (false, true) => flags::END_FRAGMENT,
                _ => 0,
            };
            let mut w = MessageWriter::fragment(fl, fragment_id);
            for f in g {
                w.frame(f.flags & !flags::IS_FINAL, &f.content);
            }
            w.finish()
        })
        .collect()
}
