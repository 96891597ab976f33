//! Arbitrary bytes, cut into chunks whose sizes the input chooses, fed to the stream decoder with
//! small limits, skipping messages above the size limit; every decoded message takes a new
//! correlation id and goes through every decoder. Nothing may panic and the read buffer may never
//! grow past the message limit.
#![no_main]

use bytes::BytesMut;
use hazelcast_codec::{Decoded, DecoderLimits, MessageDecoder};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, rest)) = data.split_first() else { return };
    let chunk = usize::from(chunk % 64) + 1;
    let limits = DecoderLimits {
        max_frame_size: 4096,
        max_message_size: 16 * 1024,
        max_pending_fragmented: 4,
        max_fragmented_bytes: 16 * 1024,
    };
    let mut decoder = MessageDecoder::new(limits);
    let mut buf = BytesMut::new();
    for piece in rest.chunks(chunk) {
        buf.extend_from_slice(piece);
        loop {
            match decoder.decode_or_skip(&mut buf) {
                Ok(Some(Decoded::Oversized(o))) => assert!(o.size > o.limit as u64, "{o:?}"),
                Ok(Some(Decoded::Message(msg))) => {
                    // A whole message always has room for its header fields.
                    assert_eq!(msg.with_correlation_id(77).correlation_id(), 77);
                    let mut patched = msg.clone();
                    patched.set_correlation_id(78);
                    assert_eq!(patched.correlation_id(), 78);
                    common::decode_all(&msg)
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
        assert!(buf.capacity() <= 4096 + 16 * 1024 + 4096, "buffer grew to {}", buf.capacity());
        assert!(decoder.fragmented_bytes() <= 16 * 1024);
    }
});
