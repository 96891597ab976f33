//! The fuzz targets' decoding (`fuzz/fuzz_targets/common.rs`: every response and event decoder
//! of the catalogue, with the message type as received and patched to each decoder's type),
//! compiled on stable and run on random messages: well-formed ones with random frames, and ones
//! whose frames are BEGIN/END/NULL markers in random order. Nothing may panic.

#[allow(unreachable_pub)]
#[path = "../../../fuzz/fuzz_targets/common.rs"]
mod fuzz_common;

use hazelcast_codec::frame::flags;
use hazelcast_codec::{ClientMessage, MessageWriter};
use proptest::collection::vec;
use proptest::prelude::*;

/// A frame: flags from the protocol's marker bits, content of 0–40 random bytes.
fn frame() -> impl Strategy<Value = (u16, Vec<u8>)> {
    let marker = prop_oneof![
        Just(0u16),
        Just(flags::BEGIN_DATA_STRUCTURE),
        Just(flags::END_DATA_STRUCTURE),
        Just(flags::IS_NULL),
    ];
    (marker, vec(any::<u8>(), 0..40))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_decoder_survives_random_messages(
        initial in vec(any::<u8>(), 0..64),
        frames in vec(frame(), 0..12),
        event in any::<bool>(),
    ) {
        let mut w = if event { MessageWriter::event(0, 1, -1) } else { MessageWriter::response(0, 1, 0) };
        w.put_fixed(&initial);
        for (f, content) in &frames {
            w.frame(*f, content);
        }
        let msg = w.finish();
        fuzz_common::decode_all(&msg);
        // The same bytes re-read, as a peer would send them.
        let again = ClientMessage::from_bytes(msg.as_bytes().clone()).expect("well-formed");
        fuzz_common::decode_all(&again);
    }
}
