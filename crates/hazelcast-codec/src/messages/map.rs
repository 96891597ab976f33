//! Map service messages (service id 1): the generated codecs of `Map.yaml`, and the entry event
//! types its definitions state in prose.

pub use crate::generated::map::*;

/// Entry event types, also the bits of `listener_flags`.
pub mod entry_event_type {
    /// Entry added.
    pub const ADDED: i32 = 1;
    /// Entry removed.
    pub const REMOVED: i32 = 2;
    /// Entry updated.
    pub const UPDATED: i32 = 4;
    /// Entry evicted.
    pub const EVICTED: i32 = 8;
    /// Entry expired.
    pub const EXPIRED: i32 = 16;
    /// All entries evicted.
    pub const EVICT_ALL: i32 = 32;
    /// Map cleared.
    pub const CLEAR_ALL: i32 = 64;
    /// Entry merged.
    pub const MERGED: i32 = 128;
    /// Invalidation.
    pub const INVALIDATION: i32 = 256;
    /// Entry loaded.
    pub const LOADED: i32 = 512;
}
