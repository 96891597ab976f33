//! Whole protocol messages: [`ClientMessage`] (immutable, received or ready to send),
//! [`MessageWriter`] (building one in a single buffer) and [`FrameReader`] (walking its frames).
//!
//! A message is stored as the exact bytes it has on the wire: its frames back to back, headers
//! included. Receiving a message therefore costs one `Bytes` split of the read buffer and no copy;
//! decoding a field hands out `Bytes` slices of it; sending writes the same bytes.

use bytes::{BufMut, Bytes, BytesMut};

use crate::error::CodecError;
use crate::frame::{FRAME_HEADER_SIZE, flags, has, read_header};

/// Content offset of the message type in an initial frame.
pub const TYPE_OFFSET: usize = 0;
/// Content offset of the correlation id in an initial frame.
pub const CORRELATION_ID_OFFSET: usize = 4;
/// Content offset of the partition id in a request or event initial frame.
pub const PARTITION_ID_OFFSET: usize = 12;
/// Content offset of the backup-acks count in a response initial frame.
pub const BACKUP_ACKS_OFFSET: usize = 12;
/// Content size of a request or event header (type, correlation id, partition id).
pub const REQUEST_HEADER_SIZE: usize = 16;
/// Content size of a response header (type, correlation id, backup-acks count).
pub const RESPONSE_HEADER_SIZE: usize = 13;
/// Message type of an error response.
pub const ERROR_MESSAGE_TYPE: i32 = 0;

/// One frame of a message: its flags and its content (a zero-copy slice of the message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The frame's flag bits (see [`crate::frame::flags`]).
    pub flags: u16,
    /// The frame's payload, without the 6-byte header.
    pub content: Bytes,
}

impl Frame {
    /// True when this frame stands for null.
    pub fn is_null(&self) -> bool {
        has(self.flags, flags::IS_NULL)
    }
    /// True when this frame opens a data structure.
    pub fn is_begin(&self) -> bool {
        has(self.flags, flags::BEGIN_DATA_STRUCTURE)
    }
    /// True when this frame closes a data structure.
    pub fn is_end(&self) -> bool {
        has(self.flags, flags::END_DATA_STRUCTURE)
    }
}

/// A complete protocol message: one or more frames, the first being the initial frame with the
/// message header.
///
/// Cloning is cheap (a reference count). The bytes are validated on construction: every frame
/// length is at least 6 and the frames exactly fill the buffer.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientMessage {
    bytes: Bytes,
}

impl std::fmt::Debug for ClientMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Contents may hold user data or credentials: show the header only.
        f.debug_struct("ClientMessage")
            .field("type", &format_args!("{:#08x}", self.message_type()))
            .field("correlation_id", &self.correlation_id())
            .field("flags", &format_args!("{:#06x}", self.initial_flags()))
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl ClientMessage {
    /// Wraps the wire bytes of a message after checking that they consist of whole frames whose
    /// initial frame is long enough to hold a message type and a correlation id (or, for one
    /// fragment of a fragmented message, a fragment id).
    pub fn from_bytes(bytes: Bytes) -> Result<Self, CodecError> {
        Self::validate(&bytes, false)?;
        Ok(ClientMessage { bytes })
    }

    /// Wraps the bytes of a reassembled message: as [`from_bytes`](Self::from_bytes), except that
    /// a whole message is never a fragment, so its initial frame must hold a message type and a
    /// correlation id whatever its flags say.
    pub(crate) fn from_reassembled(bytes: Bytes) -> Result<Self, CodecError> {
        Self::validate(&bytes, true)?;
        Ok(ClientMessage { bytes })
    }

    /// Checks that `bytes` are whole frames with a long enough initial frame (`whole`: long
    /// enough for a message header even when its flags announce a fragment).
    fn validate(bytes: &[u8], whole: bool) -> Result<(), CodecError> {
        let mut pos = 0;
        let mut first = true;
        while pos < bytes.len() {
            let (len, frame_flags) = read_header(&bytes[pos..]).ok_or(CodecError::TruncatedFrame)?;
            if len < FRAME_HEADER_SIZE as i32 {
                return Err(CodecError::FrameTooShort { length: len });
            }
            let len = len as usize;
            // An ordinary message starts with type and correlation id; a fragment with its id.
            let needed = if whole || has(frame_flags, flags::UNFRAGMENTED_MESSAGE) {
                12
            } else {
                8
            };
            if first && len < FRAME_HEADER_SIZE + needed {
                return Err(CodecError::FrameContentTooShort {
                    what: "message header",
                    needed,
                    available: len - FRAME_HEADER_SIZE,
                });
            }
            first = false;
            pos = pos.checked_add(len).ok_or(CodecError::TruncatedFrame)?;
        }
        if pos != bytes.len() {
            return Err(CodecError::TruncatedFrame);
        }
        if first {
            return Err(CodecError::EmptyMessage);
        }
        Ok(())
    }

    /// Wraps one wire message as the stream decoder cut it: whole frames, the first at least
    /// 8 bytes of content (a fragment's first frame holds only the fragment id).
    pub(crate) fn from_wire(bytes: Bytes) -> Self {
        ClientMessage { bytes }
    }

    /// Sets the correlation id, in place when this is the only handle to the bytes (the normal
    /// case for a request about to be sent), otherwise on a copy. One fragment of a fragmented
    /// message has no correlation id in its first frame: it is left unchanged.
    pub fn set_correlation_id(&mut self, correlation_id: i64) {
        self.patch_initial(CORRELATION_ID_OFFSET, &correlation_id.to_le_bytes());
    }

    /// ORs extra flags into the initial frame (e.g. [`flags::BACKUP_AWARE`]), in place when possible.
    pub fn add_initial_flags(&mut self, extra: u16) {
        let f = (self.initial_flags() | extra).to_le_bytes();
        self.patch_raw(4, &f);
    }

    /// Sets the partition id of a request, in place when possible. A message whose initial frame
    /// has no room for it (a response header, a fragment) is left unchanged.
    pub fn set_partition_id(&mut self, partition_id: i32) {
        self.patch_initial(PARTITION_ID_OFFSET, &partition_id.to_le_bytes());
    }

    /// Whether the initial frame's content holds `len` bytes at `content_offset`.
    fn has_initial_field(&self, content_offset: usize, len: usize) -> bool {
        content_offset + len <= self.initial_content().len()
    }

    fn patch_initial(&mut self, content_offset: usize, value: &[u8]) {
        if self.has_initial_field(content_offset, value.len()) {
            self.patch_raw(FRAME_HEADER_SIZE + content_offset, value);
        }
    }

    fn patch_raw(&mut self, at: usize, value: &[u8]) {
        let bytes = std::mem::take(&mut self.bytes);
        let mut buf = match bytes.try_into_mut() {
            Ok(unique) => unique,
            Err(shared) => BytesMut::from(&shared[..]),
        };
        buf[at..at + value.len()].copy_from_slice(value);
        self.bytes = buf.freeze();
    }

    /// Wraps bytes that the caller knows to be valid (produced by [`MessageWriter`] or the
    /// frame decoder, which check the same invariants).
    pub(crate) fn from_valid_bytes(bytes: Bytes) -> Self {
        // Not `from_bytes(bytes.clone())`: cloning would promote the buffer to a shared one (an
        // allocation) in debug builds.
        debug_assert!(ClientMessage::validate(&bytes, false).is_ok());
        ClientMessage { bytes }
    }

    /// The message's wire bytes.
    pub fn as_bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// Consumes the message, returning its wire bytes.
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }

    /// Total length on the wire.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Always false: a message has at least its initial frame.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn initial_content(&self) -> &[u8] {
        let len = self.first_frame_len();
        &self.bytes[FRAME_HEADER_SIZE..len]
    }

    fn first_frame_len(&self) -> usize {
        // Validated on construction: at least one frame of length >= 18.
        read_header(&self.bytes).map_or(FRAME_HEADER_SIZE, |(l, _)| l as usize)
    }

    /// Flags of the initial frame.
    pub fn initial_flags(&self) -> u16 {
        read_header(&self.bytes).map_or(0, |(_, f)| f)
    }

    /// The message type (`service << 16 | method << 8 | kind`).
    pub fn message_type(&self) -> i32 {
        read_i32(self.initial_content(), TYPE_OFFSET)
    }

    /// The correlation id.
    pub fn correlation_id(&self) -> i64 {
        read_i64(self.initial_content(), CORRELATION_ID_OFFSET)
    }

    /// The partition id of a request or event (`-1` when not partition-bound).
    pub fn partition_id(&self) -> i32 {
        let c = self.initial_content();
        if c.len() >= REQUEST_HEADER_SIZE {
            read_i32(c, PARTITION_ID_OFFSET)
        } else {
            -1
        }
    }

    /// The number of backup acknowledgements a response announces (0 for other messages).
    pub fn backup_acks(&self) -> u8 {
        self.initial_content()
            .get(BACKUP_ACKS_OFFSET)
            .copied()
            .unwrap_or(0)
    }

    /// True for event messages (initial frame carries `IS_EVENT`).
    pub fn is_event(&self) -> bool {
        has(self.initial_flags(), flags::IS_EVENT)
    }

    /// True for backup-acknowledgement events (initial frame carries `BACKUP_EVENT`).
    pub fn is_backup_event(&self) -> bool {
        has(self.initial_flags(), flags::BACKUP_EVENT)
    }

    /// True for error responses (message type 0).
    pub fn is_error(&self) -> bool {
        self.message_type() == ERROR_MESSAGE_TYPE
    }

    /// A reader positioned on the initial frame.
    pub fn reader(&self) -> FrameReader {
        FrameReader {
            bytes: self.bytes.clone(),
            pos: 0,
        }
    }

    /// Iterates over all frames.
    pub fn frames(&self) -> impl Iterator<Item = Frame> + '_ {
        let mut r = self.reader();
        std::iter::from_fn(move || r.next_frame().ok())
    }

    /// A copy of this message carrying another correlation id (for a retried request, whose
    /// previous bytes may still sit in a write queue). A fragment is copied unchanged, as in
    /// [`set_correlation_id`](Self::set_correlation_id).
    pub fn with_correlation_id(&self, correlation_id: i64) -> ClientMessage {
        let mut buf = BytesMut::from(&self.bytes[..]);
        if self.has_initial_field(CORRELATION_ID_OFFSET, 8) {
            patch(&mut buf, CORRELATION_ID_OFFSET, &correlation_id.to_le_bytes());
        }
        ClientMessage { bytes: buf.freeze() }
    }

    /// The fragment id when this wire message is one fragment of a larger message.
    pub fn fragment_id(&self) -> Option<i64> {
        if has(self.initial_flags(), flags::UNFRAGMENTED_MESSAGE) {
            None
        } else {
            Some(read_i64(self.initial_content(), 0))
        }
    }
}

fn patch(buf: &mut [u8], content_offset: usize, value: &[u8]) {
    let at = FRAME_HEADER_SIZE + content_offset;
    buf[at..at + value.len()].copy_from_slice(value);
}

#[inline]
pub(crate) fn read_i32(b: &[u8], at: usize) -> i32 {
    b.get(at..at + 4)
        .map_or(0, |s| i32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

#[inline]
pub(crate) fn read_i64(b: &[u8], at: usize) -> i64 {
    b.get(at..at + 8).map_or(0, |s| {
        i64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]])
    })
}

/// A cursor over the frames of a message.
#[derive(Debug, Clone)]
pub struct FrameReader {
    bytes: Bytes,
    pos: usize,
}

impl FrameReader {
    /// True when frames remain.
    pub fn has_next(&self) -> bool {
        self.pos < self.bytes.len()
    }

    /// The flags of the next frame without consuming it.
    pub fn peek_flags(&self) -> Option<u16> {
        read_header(self.bytes.get(self.pos..)?).map(|(_, f)| f)
    }

    /// True when the next frame closes a data structure.
    pub fn next_is_end(&self) -> bool {
        self.peek_flags()
            .is_some_and(|f| has(f, flags::END_DATA_STRUCTURE))
    }

    /// True when the next frame is a NULL frame.
    pub fn next_is_null(&self) -> bool {
        self.peek_flags().is_some_and(|f| has(f, flags::IS_NULL))
    }

    /// Takes the next frame.
    pub fn next_frame(&mut self) -> Result<Frame, CodecError> {
        let (len, flags) = read_header(self.bytes.get(self.pos..).unwrap_or_default())
            .ok_or(CodecError::UnexpectedEnd { what: "frame" })?;
        let len = len as usize; // validated when the message was built
        let frame = Frame {
            flags,
            content: self.bytes.slice(self.pos + FRAME_HEADER_SIZE..self.pos + len),
        };
        self.pos += len;
        Ok(frame)
    }

    /// Takes the next frame, failing with `what` in the error when none is left.
    pub fn expect_frame(&mut self, what: &'static str) -> Result<Frame, CodecError> {
        if !self.has_next() {
            return Err(CodecError::UnexpectedEnd { what });
        }
        self.next_frame()
    }

    /// Skips the next frame.
    pub fn skip_frame(&mut self) -> Result<(), CodecError> {
        self.next_frame().map(|_| ())
    }

    /// Consumes a BEGIN frame.
    pub fn expect_begin(&mut self, what: &'static str) -> Result<(), CodecError> {
        let f = self.expect_frame(what)?;
        if f.is_begin() {
            Ok(())
        } else {
            Err(CodecError::UnexpectedFrame {
                expected: "BEGIN",
                what,
                flags: f.flags,
            })
        }
    }

    /// Consumes a NULL frame if one is next; returns whether it did.
    pub fn take_null(&mut self) -> Result<bool, CodecError> {
        if self.next_is_null() {
            self.next_frame()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Skips frames up to and including the END that closes the current data structure, skipping
    /// any nested structures (fields a newer peer added that this decoder does not know).
    pub fn fast_forward_to_end(&mut self, what: &'static str) -> Result<(), CodecError> {
        let mut depth = 1usize;
        while depth > 0 {
            let f = self.expect_frame(what)?;
            if f.is_end() {
                depth -= 1;
            } else if f.is_begin() {
                depth += 1;
            }
        }
        Ok(())
    }
}

/// Builds a message frame by frame in one buffer.
///
/// The initial frame is written by [`MessageWriter::request`], [`MessageWriter::response`] or
/// [`MessageWriter::event`]; fixed-size parameters are appended to it with the `put_*` methods
/// until the first variable frame is written, after which the initial frame's length is final.
/// [`MessageWriter::finish`] sets `IS_FINAL` on the last frame.
#[derive(Debug)]
pub struct MessageWriter {
    buf: BytesMut,
    /// Offset of the frame currently open for fixed-size appends.
    open_frame: Option<usize>,
    /// Offset of the last frame written.
    last_frame: usize,
}

/// Size of the per-thread chunks that [`MessageWriter::request_shared`] carves buffers from.
const SHARED_CHUNK: usize = 16 * 1024;
/// Largest request carved from a chunk; bigger ones get a buffer of their own.
const SHARED_MAX: usize = 1024;

thread_local! {
    static CHUNK: std::cell::RefCell<BytesMut> = std::cell::RefCell::new(BytesMut::new());
}

/// An empty buffer of exactly `capacity` bytes cut from this thread's chunk (a new chunk when
/// the current one is used up). The chunk is freed when the last buffer cut from it is.
pub(crate) fn carve(capacity: usize) -> BytesMut {
    if capacity > SHARED_MAX {
        return BytesMut::with_capacity(capacity);
    }
    CHUNK
        .try_with(|chunk| {
            let mut chunk = chunk.borrow_mut();
            if chunk.capacity() < capacity {
                *chunk = BytesMut::with_capacity(SHARED_CHUNK);
            }
            let rest = chunk.split_off(capacity);
            std::mem::replace(&mut *chunk, rest)
        })
        .unwrap_or_else(|_| BytesMut::with_capacity(capacity))
}

impl MessageWriter {
    fn with_initial(capacity: usize, flags: u16) -> Self {
        Self::with_initial_in(BytesMut::with_capacity(capacity), flags)
    }

    fn with_initial_in(mut buf: BytesMut, flags: u16) -> Self {
        buf.put_i32_le(FRAME_HEADER_SIZE as i32);
        buf.put_u16_le(flags);
        MessageWriter {
            buf,
            open_frame: Some(0),
            last_frame: 0,
        }
    }

    /// Starts a request: type, correlation id 0 (set later with
    /// [`MessageWriter::set_correlation_id`]), partition id.
    pub fn request(message_type: i32, partition_id: i32, capacity: usize) -> Self {
        // Exactly the capacity asked for: requests pass their exact encoded size, so the buffer
        // never regrows and freezing it needs no extra allocation.
        Self::request_in(BytesMut::with_capacity(capacity), message_type, partition_id)
    }

    /// Like [`MessageWriter::request`], in a buffer of exactly `capacity` bytes cut from a
    /// per-thread chunk of 16 KiB that the messages encoded on this thread share (requests up to
    /// 1 KiB; bigger ones get a buffer of their own). Encoding allocates nothing but a new chunk
    /// now and then, and the message's `Bytes` clone without allocating. The price: the message
    /// is never the unique owner of its buffer, so the `ClientMessage` setters copy it: set the
    /// header on the writer, before [`MessageWriter::finish`].
    pub fn request_shared(message_type: i32, partition_id: i32, capacity: usize) -> Self {
        Self::request_in(carve(capacity), message_type, partition_id)
    }

    fn request_in(buf: BytesMut, message_type: i32, partition_id: i32) -> Self {
        let mut w = Self::with_initial_in(buf, flags::UNFRAGMENTED_MESSAGE);
        w.put_i32(message_type);
        w.put_i64(0);
        w.put_i32(partition_id);
        w
    }

    /// Starts a response: type, correlation id, backup-acks count.
    pub fn response(message_type: i32, correlation_id: i64, backup_acks: u8) -> Self {
        let mut w = Self::with_initial(128, flags::UNFRAGMENTED_MESSAGE);
        w.put_i32(message_type);
        w.put_i64(correlation_id);
        w.put_u8(backup_acks);
        w
    }

    /// Starts one fragment of a fragmented message: the fragmentation frame with its id.
    pub fn fragment(fragment_flags: u16, fragment_id: i64) -> Self {
        let mut w = Self::with_initial(128, fragment_flags);
        w.put_i64(fragment_id);
        w
    }

    /// Starts an event: type, correlation id of the registration, partition id.
    pub fn event(message_type: i32, correlation_id: i64, partition_id: i32) -> Self {
        let mut w = Self::with_initial(128, flags::UNFRAGMENTED_MESSAGE | flags::IS_EVENT);
        w.put_i32(message_type);
        w.put_i64(correlation_id);
        w.put_i32(partition_id);
        w
    }

    fn grow_open(&mut self, n: usize) {
        if let Some(at) = self.open_frame {
            let len =
                i32::from_le_bytes([self.buf[at], self.buf[at + 1], self.buf[at + 2], self.buf[at + 3]]);
            let len = len + n as i32;
            self.buf[at..at + 4].copy_from_slice(&len.to_le_bytes());
        } else {
            debug_assert!(false, "fixed-size value written outside a fixed frame");
        }
    }

    /// Appends raw bytes to the open fixed-size frame.
    pub fn put_fixed(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        self.grow_open(bytes.len());
    }
    /// Appends a byte to the open fixed-size frame.
    pub fn put_u8(&mut self, v: u8) {
        self.put_fixed(&[v]);
    }
    /// Appends an `i32` to the open fixed-size frame.
    pub fn put_i32(&mut self, v: i32) {
        self.put_fixed(&v.to_le_bytes());
    }
    /// Appends an `i64` to the open fixed-size frame.
    pub fn put_i64(&mut self, v: i64) {
        self.put_fixed(&v.to_le_bytes());
    }

    fn start_frame(&mut self, flags: u16, len: usize) {
        self.last_frame = self.buf.len();
        self.buf.reserve(FRAME_HEADER_SIZE + len);
        self.buf.put_i32_le((FRAME_HEADER_SIZE + len) as i32);
        self.buf.put_u16_le(flags);
    }

    /// Writes a frame with the given flags and content.
    pub fn frame(&mut self, flags: u16, content: &[u8]) {
        self.open_frame = None;
        self.start_frame(flags, content.len());
        self.buf.extend_from_slice(content);
    }

    /// Opens a frame (flags 0) to which fixed-size values are appended with the `put_*` methods;
    /// used for the fixed fields of custom types and for fixed-element lists.
    pub fn begin_fixed_frame(&mut self) {
        self.start_frame(0, 0);
        self.open_frame = Some(self.last_frame);
    }

    /// Writes a BEGIN frame.
    pub fn begin(&mut self) {
        self.frame(flags::BEGIN_DATA_STRUCTURE, &[]);
    }

    /// Writes an END frame.
    pub fn end(&mut self) {
        self.frame(flags::END_DATA_STRUCTURE, &[]);
    }

    /// Writes a NULL frame.
    pub fn null(&mut self) {
        self.frame(flags::IS_NULL, &[]);
    }

    /// Sets the correlation id in the initial frame.
    pub fn set_correlation_id(&mut self, id: i64) {
        patch(&mut self.buf, CORRELATION_ID_OFFSET, &id.to_le_bytes());
    }

    /// Sets the partition id of a request.
    pub fn set_partition_id(&mut self, id: i32) {
        patch(&mut self.buf, PARTITION_ID_OFFSET, &id.to_le_bytes());
    }

    /// ORs extra flags into the initial frame (e.g. [`flags::BACKUP_AWARE`]).
    pub fn add_initial_flags(&mut self, extra: u16) {
        let f = u16::from_le_bytes([self.buf[4], self.buf[5]]) | extra;
        self.buf[4..6].copy_from_slice(&f.to_le_bytes());
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when nothing was written (never: the initial frame exists from the start).
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Marks the last frame `IS_FINAL` and returns the message.
    pub fn finish(mut self) -> ClientMessage {
        let at = self.last_frame + 4;
        let f = u16::from_le_bytes([self.buf[at], self.buf[at + 1]]) | flags::IS_FINAL;
        self.buf[at..at + 2].copy_from_slice(&f.to_le_bytes());
        ClientMessage::from_valid_bytes(self.buf.freeze())
    }
}
