//! Turning a byte stream into messages: frame boundaries, message boundaries (`IS_FINAL`), size
//! limits checked before anything is allocated, reassembly of fragmented messages, and skipping
//! of messages above the size limit.
//!
//! ## Size limits
//!
//! [`DecoderLimits::max_message_size`] is *the* size limit: no frame and no message (after
//! reassembly) larger than it is ever held in memory. What happens to a larger one depends on the
//! method:
//!
//! * [`MessageDecoder::decode_or_skip`] skips it: once the message's initial frame has been
//!   received (it names the correlation id), the rest of the message is consumed as it arrives
//!   and dropped, never buffered, and the message is reported as [`Decoded::Oversized`]. The
//!   stream stays usable: only the call that asked for the message fails.
//! * [`MessageDecoder::decode`] fails with [`CodecError::MessageTooLarge`] at once.
//!
//! [`DecoderLimits::max_frame_size`] bounds only the frame that *begins* a message or a fragment.
//! That frame holds fixed-size fields only (a legitimate one is well under 100 bytes), so a
//! larger one means the peer does not speak the protocol (an HTTP server's answer reads as a
//! 1.3 GB frame, a TLS alert as a 197 KB one) and is an error that must close the stream.

use std::collections::HashMap;

use bytes::{Buf, BytesMut};

use crate::error::CodecError;
use crate::frame::{FRAME_HEADER_SIZE, flags, has, read_header};
use crate::message::{ClientMessage, read_i32, read_i64};

/// Default [`DecoderLimits::max_frame_size`]: 64 KiB.
pub const DEFAULT_MAX_FRAME_SIZE: usize = 64 * 1024;
/// Default [`DecoderLimits::max_message_size`]: 256 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;

/// Limits applied while decoding a stream.
///
/// | Field | Default | Exceeding it |
/// | --- | --- | --- |
/// | `max_message_size` | 256 MiB | the message is skipped ([`MessageDecoder::decode_or_skip`]) or an error ([`MessageDecoder::decode`]) |
/// | `max_frame_size` | 64 KiB | error: applies to the first frame of a message or fragment only |
/// | `max_pending_fragmented` | 64 | error |
/// | `max_fragmented_bytes` | 256 MiB | error ([`CodecError::TooManyFragmentedBytes`]) |
///
/// `max_message_size` is the one limit on what is held in memory for a message: every frame and
/// every whole message (a fragmented one after reassembly) must fit in it. It is meant to guard
/// against a hostile or broken peer, not to refuse legitimate answers: a client should never send
/// more than it accepts (the transport refuses to send a message larger than its connection's
/// `max_message_size`), and an answer above it costs only that answer, not the stream.
///
/// All limits are plain fields: set them to what the application stores. The only allocation a
/// peer can cause is bounded by `max_message_size` per message plus `max_fragmented_bytes` held
/// across the fragmented messages being reassembled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecoderLimits {
    /// Largest frame that begins a message or a fragment (header included). Such a frame holds
    /// only fixed-size fields; one above this limit is a protocol error
    /// ([`CodecError::FrameTooLarge`]). Every other frame is bounded by `max_message_size` only.
    /// Default 64 KiB ([`DEFAULT_MAX_FRAME_SIZE`]).
    pub max_frame_size: usize,
    /// Largest frame and largest message accepted (after reassembly of fragments), headers
    /// included. Default 256 MiB ([`DEFAULT_MAX_MESSAGE_SIZE`]).
    pub max_message_size: usize,
    /// Most fragmented messages reassembled (or skipped) at once. Default 64.
    pub max_pending_fragmented: usize,
    /// Most bytes held at once in partially reassembled messages, all of them together: the cap
    /// on what one stream can make the decoder hold beside the message being read. Default
    /// 256 MiB (equal to `max_message_size`).
    pub max_fragmented_bytes: usize,
}

impl DecoderLimits {
    /// The default limits, also usable in `const` items.
    pub const DEFAULT: DecoderLimits = DecoderLimits {
        max_frame_size: DEFAULT_MAX_FRAME_SIZE,
        max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
        max_pending_fragmented: 64,
        max_fragmented_bytes: DEFAULT_MAX_MESSAGE_SIZE,
    };
}

impl Default for DecoderLimits {
    fn default() -> Self {
        DecoderLimits::DEFAULT
    }
}

/// What [`MessageDecoder::decode_or_skip`] took off the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// A whole message (fragments already reassembled).
    Message(ClientMessage),
    /// A message above [`DecoderLimits::max_message_size`] that was skipped.
    Oversized(OversizedMessage),
}

/// A message that was larger than [`DecoderLimits::max_message_size`]: its bytes were consumed
/// and dropped, never held. The stream continues with the next message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct OversizedMessage {
    /// The correlation id of the message (for a fragmented message: of the message its first
    /// fragment began).
    pub correlation_id: i64,
    /// The message type.
    pub message_type: i32,
    /// Whether the message is an event (`IS_EVENT` on its initial frame).
    pub is_event: bool,
    /// Bytes of the message that were received and dropped, frame headers (and fragment
    /// headers) included.
    pub size: u64,
    /// The limit it exceeded ([`DecoderLimits::max_message_size`]).
    pub limit: usize,
}

/// A fragmented message being reassembled.
#[derive(Debug)]
struct Partial {
    /// The frames received so far (fragment headers removed).
    bytes: BytesMut,
    /// Bytes its fragments took on the wire so far.
    wire: u64,
}

/// The message being skipped.
#[derive(Debug)]
struct Skip {
    /// Bytes of the current frame (header included) still to drop, counted from the front of
    /// the buffer.
    remaining: u64,
    /// The current frame carries `IS_FINAL`: the wire message (or fragment) ends with it.
    last: bool,
    /// Bytes of this wire message dropped or to drop so far.
    size: u64,
    /// What the skipped bytes belong to.
    target: SkipTarget,
}

#[derive(Debug)]
enum SkipTarget {
    /// An unfragmented message, reported when it ends.
    Message(OversizedMessage),
    /// A fragment of the fragmented message with this id (an entry of `skipping`); `end` when it
    /// is the last fragment, after which the message is reported.
    Fragment { id: i64, end: bool },
}

/// Decodes messages from a stream of bytes.
///
/// Feed it the read buffer with [`MessageDecoder::decode_or_skip`] (or
/// [`MessageDecoder::decode`]); it returns a message as soon as its last frame has arrived,
/// splitting the message's bytes off the buffer without copying them. Only fragmented messages
/// are copied, once, when their fragments are joined. See the [module docs](self) for the size
/// limits.
#[derive(Debug, Default)]
pub struct MessageDecoder {
    limits: DecoderLimits,
    /// Bytes at the front of the buffer already known to be whole frames of the current message.
    scanned: usize,
    fragments: HashMap<i64, Partial>,
    /// Bytes held in `fragments`.
    held: usize,
    /// Fragmented messages above the size limit whose remaining fragments are skipped, by
    /// fragment id.
    skipping: HashMap<i64, OversizedMessage>,
    /// The message being skipped, if any.
    skip: Option<Skip>,
}

impl MessageDecoder {
    /// A decoder with the given limits.
    pub fn new(limits: DecoderLimits) -> Self {
        MessageDecoder {
            limits,
            ..MessageDecoder::default()
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> DecoderLimits {
        self.limits
    }

    /// Number of fragmented messages waiting for more fragments (being reassembled or skipped).
    pub fn pending_fragmented(&self) -> usize {
        self.fragments.len() + self.skipping.len()
    }

    /// Bytes held in partially reassembled fragmented messages (at most
    /// [`DecoderLimits::max_fragmented_bytes`]).
    pub fn fragmented_bytes(&self) -> usize {
        self.held
    }

    /// Whether the decoder is in the middle of skipping an oversized message.
    pub fn is_skipping(&self) -> bool {
        self.skip.is_some()
    }

    /// Takes the next complete message off the front of `buf`, or returns `None` when more bytes
    /// are needed. A message above [`DecoderLimits::max_message_size`] is an error
    /// ([`CodecError::MessageTooLarge`]); use [`decode_or_skip`](Self::decode_or_skip) to skip it
    /// instead. An error means the stream is corrupt or hostile and must be closed.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<ClientMessage>, CodecError> {
        loop {
            if self.skip.is_some() {
                // Only after `decode_or_skip` left a message half skipped.
                return self.decode_after_skip(buf);
            }
            let Some(wire) = self.next_wire_message::<false>(buf)? else {
                if self.skip.is_some() {
                    return self.decode_after_skip(buf);
                }
                return Ok(None);
            };
            // The hot path: an ordinary message goes out as it came in.
            if has(wire.initial_flags(), flags::UNFRAGMENTED_MESSAGE) {
                return Ok(Some(wire));
            }
            match self.reassemble::<false>(wire)? {
                None => {}
                Some(decoded) => return strict(decoded).map(Some),
            }
        }
    }

    /// `decode` once a message is being skipped (the decoder was used with `decode_or_skip`).
    fn decode_after_skip(&mut self, buf: &mut BytesMut) -> Result<Option<ClientMessage>, CodecError> {
        match self.poll::<false>(buf)? {
            None => Ok(None),
            Some(decoded) => strict(decoded).map(Some),
        }
    }

    /// Takes the next complete message, or the report of a skipped one, off the front of `buf`;
    /// returns `None` when more bytes are needed.
    ///
    /// A message above [`DecoderLimits::max_message_size`] whose initial frame has arrived is
    /// skipped: the bytes of its remaining frames are taken off `buf` as they arrive and dropped,
    /// whatever their announced length, and once its last frame has passed it is returned as
    /// [`Decoded::Oversized`]. A fragmented message that grows past the limit is dropped the same
    /// way: its remaining fragments are skipped and it is reported when its last fragment has
    /// passed. While skipping, `buf` never holds more than what the last read added.
    ///
    /// An error means the stream is corrupt or hostile and must be closed: a frame shorter than
    /// its header, a first frame above [`DecoderLimits::max_frame_size`], a message above the
    /// limit before its initial frame could be read, too many fragmented messages, too many bytes
    /// held in them, or a fragment of an unknown message.
    pub fn decode_or_skip(&mut self, buf: &mut BytesMut) -> Result<Option<Decoded>, CodecError> {
        loop {
            if self.skip.is_some() {
                return self.poll::<true>(buf);
            }
            let Some(wire) = self.next_wire_message::<true>(buf)? else {
                if self.skip.is_some() {
                    return self.poll::<true>(buf);
                }
                return Ok(None);
            };
            // The hot path: an ordinary message goes out as it came in.
            if has(wire.initial_flags(), flags::UNFRAGMENTED_MESSAGE) {
                return Ok(Some(Decoded::Message(wire)));
            }
            if let Some(decoded) = self.reassemble::<true>(wire)? {
                return Ok(Some(decoded));
            }
        }
    }

    /// The general loop, skipping included; [`decode`](Self::decode) and
    /// [`decode_or_skip`](Self::decode_or_skip) inline its common case and call it while a
    /// message is being skipped.
    #[cold]
    #[inline(never)]
    fn poll<const SKIP: bool>(&mut self, buf: &mut BytesMut) -> Result<Option<Decoded>, CodecError> {
        loop {
            if self.skip.is_some() {
                match self.skip_bytes(buf)? {
                    Skipped::NeedMore => return Ok(None),
                    Skipped::Fragment => continue,
                    Skipped::Message(o) => return Ok(Some(Decoded::Oversized(o))),
                }
            }
            let Some(wire) = self.next_wire_message::<SKIP>(buf)? else {
                if self.skip.is_some() {
                    continue;
                }
                return Ok(None);
            };
            // The hot path: an ordinary message goes out as it came in.
            if has(wire.initial_flags(), flags::UNFRAGMENTED_MESSAGE) {
                return Ok(Some(Decoded::Message(wire)));
            }
            if let Some(decoded) = self.reassemble::<SKIP>(wire)? {
                return Ok(Some(decoded));
            }
        }
    }

    /// Scans frames until one carries `IS_FINAL`; returns that wire message's bytes. Returns
    /// `None` when more bytes are needed or when it started skipping (`self.skip` is set).
    #[inline(always)]
    fn next_wire_message<const SKIP: bool>(
        &mut self,
        buf: &mut BytesMut,
    ) -> Result<Option<ClientMessage>, CodecError> {
        loop {
            let Some((len, frame_flags)) = read_header(&buf[self.scanned..]) else {
                return Ok(None);
            };
            if len < FRAME_HEADER_SIZE as i32 {
                return Err(CodecError::FrameTooShort { length: len });
            }
            let len = len as usize;
            if self.scanned == 0 {
                if len > self.limits.max_frame_size {
                    return Err(CodecError::FrameTooLarge {
                        length: len as u64,
                        max: self.limits.max_frame_size,
                    });
                }
                // Every first frame carries a message type + correlation id (12 bytes) or, for a
                // fragment, a fragment id (8 bytes), as `ClientMessage::from_bytes` requires.
                let unfragmented = has(frame_flags, flags::UNFRAGMENTED_MESSAGE);
                let needed = if unfragmented { 12 } else { 8 };
                if len < FRAME_HEADER_SIZE + needed {
                    return Err(CodecError::FrameContentTooShort {
                        what: "initial frame",
                        needed,
                        available: len - FRAME_HEADER_SIZE,
                    });
                }
                if !unfragmented && !has(frame_flags, flags::BEGIN_FRAGMENT) && !self.skipping.is_empty() {
                    // A later fragment of a message being skipped is skipped whole.
                    if buf.len() < len {
                        buf.reserve(len - buf.len());
                        return Ok(None);
                    }
                    let id = read_i64(&buf[FRAME_HEADER_SIZE..len], 0);
                    if self.skipping.contains_key(&id) {
                        self.skip = Some(Skip {
                            remaining: len as u64,
                            last: has(frame_flags, flags::IS_FINAL),
                            size: len as u64,
                            target: SkipTarget::Fragment {
                                id,
                                end: has(frame_flags, flags::END_FRAGMENT),
                            },
                        });
                        return Ok(None);
                    }
                }
            }
            let end = self.scanned.saturating_add(len);
            if end > self.limits.max_message_size {
                if SKIP && self.scanned > 0 {
                    self.start_skip(buf, len, frame_flags)?;
                    return Ok(None);
                }
                return Err(CodecError::MessageTooLarge {
                    length: end as u64,
                    max: self.limits.max_message_size,
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

    /// The frame of `len` bytes at `self.scanned` takes the wire message past the size limit:
    /// identifies the message from its first frames (all in `buf[..self.scanned]`), drops them
    /// and starts skipping that frame.
    #[cold]
    #[inline(never)]
    fn start_skip(&mut self, buf: &mut BytesMut, len: usize, frame_flags: u16) -> Result<(), CodecError> {
        let limit = self.limits.max_message_size;
        let scanned = self.scanned;
        let too_large = CodecError::MessageTooLarge {
            length: scanned.saturating_add(len) as u64,
            max: limit,
        };
        let first_flags = read_header(buf).map_or(0, |(_, f)| f);
        let target = if has(first_flags, flags::UNFRAGMENTED_MESSAGE) {
            let message = identify(buf, limit).ok_or(too_large)?;
            SkipTarget::Message(message)
        } else {
            let first_len = read_header(buf).map_or(FRAME_HEADER_SIZE, |(l, _)| l as usize);
            let id = read_i64(&buf[FRAME_HEADER_SIZE..first_len], 0);
            if has(first_flags, flags::BEGIN_FRAGMENT) {
                // The message's own initial frame follows the fragment's first frame; it must
                // have been received whole (it is not the frame that is too large).
                if scanned <= first_len {
                    return Err(too_large);
                }
                let message = identify(&buf[first_len..scanned], limit).ok_or(too_large)?;
                self.drop_partial(id);
                self.begin_skipping(id, message)?;
            } else {
                self.abandon(id)?;
            }
            SkipTarget::Fragment {
                id,
                end: has(first_flags, flags::END_FRAGMENT),
            }
        };
        buf.advance(scanned);
        self.scanned = 0;
        self.skip = Some(Skip {
            remaining: len as u64,
            last: has(frame_flags, flags::IS_FINAL),
            size: scanned.saturating_add(len) as u64,
            target,
        });
        Ok(())
    }

    /// Drops bytes of the message being skipped off the front of `buf`.
    #[cold]
    #[inline(never)]
    fn skip_bytes(&mut self, buf: &mut BytesMut) -> Result<Skipped, CodecError> {
        let Some(skip) = self.skip.as_mut() else {
            return Ok(Skipped::Fragment);
        };
        loop {
            if skip.remaining > 0 {
                let n = usize::try_from(skip.remaining).map_or(buf.len(), |r| r.min(buf.len()));
                buf.advance(n);
                skip.remaining -= n as u64;
                if skip.remaining > 0 {
                    return Ok(Skipped::NeedMore);
                }
            }
            if skip.last {
                break;
            }
            let Some((len, frame_flags)) = read_header(buf) else {
                return Ok(Skipped::NeedMore);
            };
            if len < FRAME_HEADER_SIZE as i32 {
                return Err(CodecError::FrameTooShort { length: len });
            }
            skip.remaining = len as u64;
            skip.size = skip.size.saturating_add(len as u64);
            skip.last = has(frame_flags, flags::IS_FINAL);
        }
        let Some(skip) = self.skip.take() else {
            return Ok(Skipped::Fragment);
        };
        match skip.target {
            SkipTarget::Message(mut message) => {
                message.size = skip.size;
                Ok(Skipped::Message(message))
            }
            SkipTarget::Fragment { id, end } => {
                if let Some(message) = self.skipping.get_mut(&id) {
                    message.size = message.size.saturating_add(skip.size);
                }
                match self.skipping.remove(&id) {
                    Some(message) if end => Ok(Skipped::Message(message)),
                    Some(message) => {
                        self.skipping.insert(id, message);
                        Ok(Skipped::Fragment)
                    }
                    None => Ok(Skipped::Fragment),
                }
            }
        }
    }

    /// Drops the partial message `id` (if any), returning it.
    fn drop_partial(&mut self, id: i64) -> Option<Partial> {
        let partial = self.fragments.remove(&id)?;
        self.held = self.held.saturating_sub(partial.bytes.len());
        Some(partial)
    }

    /// Starts skipping the fragmented message `id` (identified by `message`).
    fn begin_skipping(&mut self, id: i64, message: OversizedMessage) -> Result<(), CodecError> {
        if !self.skipping.contains_key(&id) && self.pending_fragmented() >= self.limits.max_pending_fragmented
        {
            return Err(CodecError::TooManyFragments {
                max: self.limits.max_pending_fragmented,
            });
        }
        self.skipping.insert(id, message);
        Ok(())
    }

    /// The partial message `id` grew past the size limit: drops it and skips its remaining
    /// fragments. `wire` bytes of it were received and are dropped too.
    fn abandon(&mut self, id: i64) -> Result<(), CodecError> {
        let Some(partial) = self.drop_partial(id) else {
            return Err(CodecError::UnknownFragment { fragment_id: id });
        };
        let Some(mut message) = identify(&partial.bytes, self.limits.max_message_size) else {
            return Err(CodecError::FrameContentTooShort {
                what: "initial frame",
                needed: 12,
                available: partial.bytes.len().saturating_sub(FRAME_HEADER_SIZE),
            });
        };
        message.size = partial.wire;
        self.skipping.insert(id, message);
        Ok(())
    }

    fn reassemble<const SKIP: bool>(&mut self, wire: ClientMessage) -> Result<Option<Decoded>, CodecError> {
        let first_flags = wire.initial_flags();
        if has(first_flags, flags::UNFRAGMENTED_MESSAGE) {
            return Ok(Some(Decoded::Message(wire)));
        }
        let bytes = wire.into_bytes();
        let first_len = read_header(&bytes).map_or(FRAME_HEADER_SIZE, |(l, _)| l as usize);
        let fragment_id = read_i64(&bytes[FRAME_HEADER_SIZE..first_len], 0);
        let body = &bytes[first_len..];
        let limits = self.limits;
        if has(first_flags, flags::BEGIN_FRAGMENT) {
            // A new message under an id in use replaces the old one.
            self.drop_partial(fragment_id);
            self.skipping.remove(&fragment_id);
            if self.pending_fragmented() >= limits.max_pending_fragmented {
                return Err(CodecError::TooManyFragments {
                    max: limits.max_pending_fragmented,
                });
            }
            self.hold(body.len())?;
            let mut acc = BytesMut::from(body);
            // Only the last frame of the reassembled message may carry IS_FINAL.
            clear_final_flag(&mut acc, 0);
            self.held += acc.len();
            let partial = Partial {
                bytes: acc,
                wire: bytes.len() as u64,
            };
            self.fragments.insert(fragment_id, partial);
            return Ok(None);
        }
        let Some(acc) = self.fragments.get(&fragment_id) else {
            return Err(CodecError::UnknownFragment { fragment_id });
        };
        let total = acc.bytes.len() + body.len();
        if total > limits.max_message_size {
            if !SKIP {
                self.drop_partial(fragment_id);
                return Err(CodecError::MessageTooLarge {
                    length: total as u64,
                    max: limits.max_message_size,
                });
            }
            self.abandon(fragment_id)?;
            if let Some(message) = self.skipping.get_mut(&fragment_id) {
                message.size = message.size.saturating_add(bytes.len() as u64);
            }
            if has(first_flags, flags::END_FRAGMENT) {
                return Ok(self.skipping.remove(&fragment_id).map(Decoded::Oversized));
            }
            return Ok(None);
        }
        self.hold(body.len())?;
        let Some(acc) = self.fragments.get_mut(&fragment_id) else {
            return Err(CodecError::UnknownFragment { fragment_id });
        };
        let start = acc.bytes.len();
        acc.bytes.extend_from_slice(body);
        acc.wire = acc.wire.saturating_add(bytes.len() as u64);
        self.held += body.len();
        if !has(first_flags, flags::END_FRAGMENT) {
            clear_final_flag(&mut acc.bytes, start);
            return Ok(None);
        }
        let whole = self
            .drop_partial(fragment_id)
            .map(|p| p.bytes)
            .unwrap_or_default()
            .freeze();
        ClientMessage::from_reassembled(whole).map(|m| Some(Decoded::Message(m)))
    }

    /// Checks that `more` bytes can be held in partial messages beside those held already.
    fn hold(&self, more: usize) -> Result<(), CodecError> {
        let held = self.held.saturating_add(more);
        if held > self.limits.max_fragmented_bytes {
            return Err(CodecError::TooManyFragmentedBytes {
                held: held as u64,
                max: self.limits.max_fragmented_bytes,
            });
        }
        Ok(())
    }
}

/// The message `decode` returns for `decoded`: a skipped message is the error it would have been
/// without skipping.
fn strict(decoded: Decoded) -> Result<ClientMessage, CodecError> {
    match decoded {
        Decoded::Message(msg) => Ok(msg),
        Decoded::Oversized(o) => Err(CodecError::MessageTooLarge {
            length: o.size,
            max: o.limit,
        }),
    }
}

/// What [`MessageDecoder::skip_bytes`] got to.
enum Skipped {
    /// The message (or fragment) being skipped continues beyond the buffer.
    NeedMore,
    /// A fragment was skipped; its message continues with further fragments (or was dropped).
    Fragment,
    /// A skipped message ended.
    Message(OversizedMessage),
}

/// Reads the message type, correlation id and event flag of the initial frame at the start of
/// `bytes`; `None` when it is shorter than 18 bytes.
fn identify(bytes: &[u8], limit: usize) -> Option<OversizedMessage> {
    let (len, frame_flags) = read_header(bytes)?;
    let initial = bytes.get(..usize::try_from(len).ok()?)?;
    let content = initial.get(FRAME_HEADER_SIZE..FRAME_HEADER_SIZE + 12)?;
    Some(OversizedMessage {
        correlation_id: read_i64(content, 4),
        message_type: read_i32(content, 0),
        is_event: has(frame_flags, flags::IS_EVENT),
        size: 0,
        limit,
    })
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
