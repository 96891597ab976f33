//! Arbitrary bytes taken as one message (when they form whole frames) and run through every
//! response and event decoder. Nothing may panic.
#![no_main]

use hazelcast_codec::ClientMessage;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(msg) = ClientMessage::from_bytes(bytes::Bytes::copy_from_slice(data)) {
        common::decode_all(&msg);
    }
});
