//! Frame flags and the 6-byte frame header.
//!
//! On the wire a frame is `i32 LE length` (counting the whole frame, header included), `u16 LE
//! flags`, then `length - 6` bytes of content.

/// Size of the frame header: 4 length bytes and 2 flag bytes.
pub const FRAME_HEADER_SIZE: usize = 6;

/// Frame flag bits.
pub mod flags {
    /// First fragment of a fragmented message (set with [`END_FRAGMENT`] on unfragmented messages).
    pub const BEGIN_FRAGMENT: u16 = 0x8000;
    /// Last fragment of a fragmented message.
    pub const END_FRAGMENT: u16 = 0x4000;
    /// `BEGIN_FRAGMENT | END_FRAGMENT`: the initial frame of an ordinary, unfragmented message.
    pub const UNFRAGMENTED_MESSAGE: u16 = BEGIN_FRAGMENT | END_FRAGMENT;
    /// The last frame of a message.
    pub const IS_FINAL: u16 = 0x2000;
    /// Opens a custom type, a variable-element list or a map.
    pub const BEGIN_DATA_STRUCTURE: u16 = 0x1000;
    /// Closes what [`BEGIN_DATA_STRUCTURE`] opened.
    pub const END_DATA_STRUCTURE: u16 = 0x0800;
    /// The frame stands for a null value.
    pub const IS_NULL: u16 = 0x0400;
    /// Initial frame of an event message.
    pub const IS_EVENT: u16 = 0x0200;
    /// Set by a client on a request: send backup acknowledgements to the client.
    pub const BACKUP_AWARE: u16 = 0x0100;
    /// Set by a member on the initial frame of a backup-acknowledgement event.
    pub const BACKUP_EVENT: u16 = 0x0080;
}

/// Reads the `(length, flags)` header at the start of `bytes`; `None` if fewer than 6 bytes.
#[inline]
pub fn read_header(bytes: &[u8]) -> Option<(i32, u16)> {
    let h: &[u8; FRAME_HEADER_SIZE] = bytes.get(..FRAME_HEADER_SIZE)?.try_into().ok()?;
    Some((
        i32::from_le_bytes([h[0], h[1], h[2], h[3]]),
        u16::from_le_bytes([h[4], h[5]]),
    ))
}

/// True when every bit of `mask` is set in `flags`.
#[inline]
pub const fn has(flags: u16, mask: u16) -> bool {
    flags & mask == mask
}
