//! Messages above the size limit: skipped without being buffered, reported with their
//! correlation id, and the stream goes on; the bytes held in partially reassembled messages are
//! capped per connection.

mod common;

use bytes::BytesMut;
use common::*;
use hazelcast_codec::decoder::split_into_fragments;
use hazelcast_codec::frame::{FRAME_HEADER_SIZE, flags};
use hazelcast_codec::messages::client::ClientPingResponse;
use hazelcast_codec::messages::map::*;
use hazelcast_codec::{ClientMessage, CodecError, Decoded, DecoderLimits, MessageDecoder, MessageWriter};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

/// A response of `frames` frames of `frame_len` content bytes each, correlation id `corr`.
fn response_of(corr: i64, frames: usize, frame_len: usize) -> ClientMessage {
    let mut w = MessageWriter::response(MapGetResponse::MESSAGE_TYPE, corr, 0);
    for i in 0..frames {
        w.frame(0, &vec![i as u8; frame_len]);
    }
    w.finish()
}

/// Feeds the chunks to `decode_or_skip`, collecting what it returns, and checks after every call
/// that the buffer holds no more than the last chunk while a message is skipped.
fn feed_skipping(
    decoder: &mut MessageDecoder,
    chunks: &[Vec<u8>],
) -> Result<(Vec<Decoded>, BytesMut), CodecError> {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for c in chunks {
        buf.extend_from_slice(c);
        while let Some(d) = decoder.decode_or_skip(&mut buf)? {
            out.push(d);
        }
        if decoder.is_skipping() {
            assert!(
                buf.len() < FRAME_HEADER_SIZE,
                "{} bytes left while skipping",
                buf.len()
            );
        }
    }
    Ok((out, buf))
}

fn oversized(corr: i64, message_type: i32, is_event: bool, size: usize) -> Decoded {
    let mut o = match oversized_of(corr, message_type, is_event) {
        Decoded::Oversized(o) => o,
        Decoded::Message(_) => unreachable!(),
    };
    o.size = size as u64;
    Decoded::Oversized(o)
}

/// An `OversizedMessage` is `#[non_exhaustive]`: obtain one from the decoder, then compare fields.
fn oversized_of(corr: i64, message_type: i32, is_event: bool) -> Decoded {
    let mut w = MessageWriter::response(message_type, corr, 0);
    w.frame(flags::IS_FINAL, &[0; 64]);
    let mut msg = w.finish();
    if is_event {
        msg.add_initial_flags(flags::IS_EVENT);
    }
    let limits = DecoderLimits {
        max_message_size: 32,
        ..DecoderLimits::default()
    };
    let mut buf = BytesMut::from(&msg.as_bytes()[..]);
    let d = MessageDecoder::new(limits)
        .decode_or_skip(&mut buf)
        .expect("skipped")
        .expect("whole");
    match d {
        Decoded::Oversized(mut o) => {
            o.limit = SMALL.max_message_size;
            Decoded::Oversized(o)
        }
        other => panic!("{other:?}"),
    }
}

proptest! {
    /// An answer above the limit between two ordinary ones, in random chunks: message, oversized
    /// (with the answer's correlation id and type), message; nothing buffered while skipping.
    #[test]
    fn oversized_message_between_two_is_skipped(
        frames in 1usize..6,
        frame_len in prop_oneof![Just(500usize), Just(5000), Just(20_000)],
        event in any::<bool>(),
        cuts in vec(any::<Index>(), 0..40),
    ) {
        let before = MapGetResponse::new(Some(hazelcast_codec::Serialize::to_data(&"v1"))).encode(1);
        let mut big = response_of(2, frames, frame_len);
        prop_assume!(big.len() > SMALL.max_message_size);
        if event {
            big.add_initial_flags(flags::IS_EVENT);
        }
        let after = ClientPingResponse::new().encode(3);
        let wire = concat(&[before.clone(), big.clone(), after.clone()]);
        let mut decoder = MessageDecoder::new(SMALL);
        let (out, rest) = feed_skipping(&mut decoder, &chunks(&wire, &cuts)).expect("no error");
        prop_assert_eq!(
            out,
            vec![
                Decoded::Message(before),
                oversized(2, MapGetResponse::MESSAGE_TYPE, event, big.len()),
                Decoded::Message(after),
            ]
        );
        prop_assert!(rest.is_empty());
        prop_assert!(!decoder.is_skipping());
    }
}

#[test]
fn oversized_message_reports_every_field() {
    let big = response_of(-7, 3, 2000);
    let mut buf = BytesMut::from(&big.as_bytes()[..]);
    let mut decoder = MessageDecoder::new(SMALL);
    match decoder.decode_or_skip(&mut buf) {
        Ok(Some(Decoded::Oversized(o))) => {
            assert_eq!(o.correlation_id, -7);
            assert_eq!(o.message_type, MapGetResponse::MESSAGE_TYPE);
            assert!(!o.is_event);
            assert_eq!(o.size, big.len() as u64);
            assert_eq!(o.limit, 4096);
        }
        other => panic!("{other:?}"),
    }
    assert!(buf.is_empty());
    // `decode` refuses the same message with an error.
    let mut buf = BytesMut::from(&big.as_bytes()[..]);
    assert!(matches!(
        MessageDecoder::new(SMALL).decode(&mut buf),
        Err(CodecError::MessageTooLarge { max: 4096, .. })
    ));
}

/// A frame announcing 100 MiB behind a 1 MiB limit, fed as 64 KiB chunks of zeros: the buffer
/// never holds more than one chunk and never grows, nothing of the announced size is reserved,
/// and the next message decodes.
#[test]
fn skipping_a_100_mib_frame_buffers_nothing() {
    const CHUNK: usize = 64 * 1024;
    const ANNOUNCED: usize = 100 * 1024 * 1024;
    let limits = DecoderLimits {
        max_message_size: 1024 * 1024,
        ..DecoderLimits::default()
    };
    // The initial frame of an answer, not final: the 100 MiB frame and an empty final frame
    // follow.
    let mut head = MapGetResponse::new(None).encode(5).as_bytes().to_vec();
    head.truncate(i32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize);
    let first_flags = u16::from_le_bytes([head[4], head[5]]) & !flags::IS_FINAL;
    head[4..6].copy_from_slice(&first_flags.to_le_bytes());
    let head_len = head.len();
    head.extend(header(ANNOUNCED as i32, 0));
    let mut decoder = MessageDecoder::new(limits);
    let mut buf = BytesMut::with_capacity(2 * CHUNK);
    let start_capacity = buf.capacity();
    buf.extend_from_slice(&head);
    assert_eq!(decoder.decode_or_skip(&mut buf), Ok(None));
    assert!(decoder.is_skipping());
    assert!(buf.is_empty());
    let zeros = vec![0u8; CHUNK];
    let mut left = ANNOUNCED - FRAME_HEADER_SIZE;
    while left > 0 {
        let n = left.min(CHUNK);
        buf.extend_from_slice(&zeros[..n]);
        left -= n;
        assert_eq!(decoder.decode_or_skip(&mut buf), Ok(None));
        assert!(buf.is_empty(), "{} bytes kept", buf.len());
        assert!(
            buf.capacity() <= start_capacity,
            "capacity grew to {}",
            buf.capacity()
        );
    }
    assert!(decoder.is_skipping());
    let mut tail = frame(flags::IS_FINAL, &[]);
    tail.extend_from_slice(ClientPingResponse::new().encode(6).as_bytes());
    buf.extend_from_slice(&tail);
    match decoder.decode_or_skip(&mut buf) {
        Ok(Some(Decoded::Oversized(o))) => {
            assert_eq!(o.correlation_id, 5);
            assert_eq!(o.size, (head_len + ANNOUNCED + FRAME_HEADER_SIZE) as u64);
            assert_eq!(o.limit, 1024 * 1024);
        }
        other => panic!("{other:?}"),
    }
    match decoder.decode_or_skip(&mut buf) {
        Ok(Some(Decoded::Message(m))) => assert_eq!(m.correlation_id(), 6),
        other => panic!("{other:?}"),
    }
    assert!(!decoder.is_skipping());
}

/// With the default limits a 70 MB value is an ordinary message (it used to exceed the 64 MiB
/// frame limit and close the connection).
#[test]
fn a_70_mb_value_decodes_with_the_default_limits() {
    let value = hazelcast_codec::Serialize::to_data(&vec![7u8; 70_000_000]);
    let answer = MapGetResponse::new(Some(value)).encode(11);
    assert!(answer.len() > 64 * 1024 * 1024);
    for skip in [false, true] {
        let mut buf = BytesMut::from(&answer.as_bytes()[..]);
        let mut decoder = MessageDecoder::default();
        let got = if skip {
            match decoder.decode_or_skip(&mut buf) {
                Ok(Some(Decoded::Message(m))) => m,
                other => panic!("{:?}", other.map(|d| d.map(|_| ()))),
            }
        } else {
            decoder.decode(&mut buf).expect("valid").expect("whole")
        };
        assert_eq!(got.correlation_id(), 11);
        assert_eq!(got.len(), answer.len());
    }
}

/// A first frame above `max_frame_size` cannot start a legitimate message: still an error that
/// closes the stream, also when skipping (nothing identifies a call to fail).
#[test]
fn an_absurd_first_frame_is_still_an_error_when_skipping() {
    for len in [0x7fff_ffff, 1025] {
        let mut buf = BytesMut::from(&header(len, 0xE000)[..]);
        assert_eq!(
            MessageDecoder::new(SMALL).decode_or_skip(&mut buf),
            Err(CodecError::FrameTooLarge {
                length: len as u64,
                max: 1024
            })
        );
        assert_eq!(buf.capacity(), 6, "nothing reserved");
    }
}

/// A frame shorter than its header is an error also in the middle of a skipped message.
#[test]
fn a_short_frame_inside_a_skipped_message_is_an_error() {
    let mut wire = response_of(2, 1, 5000).as_bytes().to_vec();
    let last = wire.len() - 5006;
    // The 5000-byte frame is the final one: make it not final and follow it with a 3-byte frame.
    wire[last + 4..last + 6].copy_from_slice(&0u16.to_le_bytes());
    wire.extend(header(3, flags::IS_FINAL));
    for len in [3, -1, 0, 5] {
        wire.truncate(wire.len() - 6);
        wire.extend(header(len, flags::IS_FINAL));
        let mut decoder = MessageDecoder::new(SMALL);
        let mut buf = BytesMut::from(&wire[..]);
        assert_eq!(
            decoder.decode_or_skip(&mut buf),
            Err(CodecError::FrameTooShort { length: len })
        );
    }
}

proptest! {
    /// A fragmented message above the limit, interleaved with an ordinary one and with a small
    /// fragmented one, in random chunks: its reassembled part is dropped, its remaining fragments
    /// skipped, and it is reported when its last fragment has passed. Fragments of 1000 bytes
    /// (the reassembly grows past the limit) and of 6000 bytes (one fragment is past it).
    #[test]
    fn oversized_fragmented_message_is_skipped(
        fragment_size in prop_oneof![Just(1000usize), Just(6000)],
        cuts in vec(any::<Index>(), 0..40),
    ) {
        let big = response_of(21, 12, 900);
        prop_assume!(big.len() > SMALL.max_message_size);
        let small = big_message(22);
        let ping = ClientPingResponse::new().encode(23);
        let fb = split_into_fragments(&big, 100, fragment_size);
        let fs = split_into_fragments(&small, 200, 200);
        prop_assert!(fb.len() >= 2 && fs.len() >= 2);
        let mut order = vec![fb[0].clone(), fs[0].clone(), ping.clone()];
        order.extend(fs[1..].iter().cloned());
        order.extend(fb[1..].iter().cloned());
        let after = ClientPingResponse::new().encode(24);
        order.push(after.clone());
        let wire = concat(&order);
        let mut decoder = MessageDecoder::new(SMALL);
        let (out, rest) = feed_skipping(&mut decoder, &chunks(&wire, &cuts)).expect("no error");
        let size: usize = fb.iter().map(ClientMessage::len).sum();
        prop_assert_eq!(
            out,
            vec![
                Decoded::Message(ping),
                Decoded::Message(small),
                oversized(21, MapGetResponse::MESSAGE_TYPE, false, size),
                Decoded::Message(after),
            ]
        );
        prop_assert!(rest.is_empty());
        prop_assert_eq!(decoder.pending_fragmented(), 0);
        prop_assert_eq!(decoder.fragmented_bytes(), 0);
    }
}

/// The bytes held in partial messages, all of them together, are capped: exceeding the cap is a
/// typed error naming the bytes and the cap (each message alone is within its limit).
#[test]
fn bytes_held_in_partial_messages_are_capped() {
    let limits = DecoderLimits {
        max_frame_size: 1024,
        max_message_size: 4096,
        max_pending_fragmented: 64,
        max_fragmented_bytes: 3000,
    };
    let part = frame(0, &[9; 994]); // 1000 bytes
    let initial = frame(0xC000, &[0; 13]);
    let mut wire = Vec::new();
    // Two messages of 1019 bytes held: 2038 bytes.
    for id in 0..2 {
        wire.extend(fragment(
            flags::BEGIN_FRAGMENT,
            id,
            &[(0xC000, &initial[6..]), (0, &part[6..])],
        ));
    }
    // A third one would make 3057.
    wire.extend(fragment(
        flags::BEGIN_FRAGMENT,
        2,
        &[(0xC000, &initial[6..]), (0, &part[6..])],
    ));
    for skip in [false, true] {
        let mut decoder = MessageDecoder::new(limits);
        let mut buf = BytesMut::from(&wire[..]);
        let r = if skip {
            decoder.decode_or_skip(&mut buf).map(|d| d.is_some())
        } else {
            decoder.decode(&mut buf).map(|m| m.is_some())
        };
        assert_eq!(
            r,
            Err(CodecError::TooManyFragmentedBytes {
                held: 3 * 1019,
                max: 3000
            })
        );
        assert_eq!(decoder.fragmented_bytes(), 2 * 1019);
    }

    // Growing one of them past the cap fails the same way; finishing one frees its bytes.
    let mut decoder = MessageDecoder::new(limits);
    let mut wire = Vec::new();
    for id in 0..2 {
        wire.extend(fragment(
            flags::BEGIN_FRAGMENT,
            id,
            &[(0xC000, &initial[6..]), (0, &part[6..])],
        ));
    }
    wire.extend(fragment(flags::END_FRAGMENT, 0, &[(flags::IS_FINAL, b"x")]));
    wire.extend(fragment(0, 1, &[(0, &part[6..])]));
    wire.extend(fragment(0, 1, &[(0, &part[6..])]));
    let mut buf = BytesMut::from(&wire[..]);
    let done = decoder.decode(&mut buf).expect("valid").expect("message 0");
    assert_eq!(done.len(), 1019 + 7);
    assert_eq!(decoder.fragmented_bytes(), 1019);
    assert_eq!(
        decoder.decode(&mut buf),
        Err(CodecError::TooManyFragmentedBytes {
            held: 3019,
            max: 3000
        })
    );
}

/// Fragments of a message being skipped count towards `max_pending_fragmented` like those being
/// reassembled.
#[test]
fn skipped_fragmented_messages_count_as_pending() {
    let mut wire = Vec::new();
    for id in 0..SMALL.max_pending_fragmented as i64 + 1 {
        let big = response_of(id, 6, 900);
        wire.extend(concat(&split_into_fragments(&big, id, 1000)[..1]));
        wire.extend(concat(&split_into_fragments(&big, id, 1000)[1..5]));
    }
    let mut decoder = MessageDecoder::new(SMALL);
    let mut buf = BytesMut::from(&wire[..]);
    // Nothing ends: the decoder reads on until the fifth message.
    let r = decoder.decode_or_skip(&mut buf);
    assert_eq!(r, Err(CodecError::TooManyFragments { max: 4 }));
    assert_eq!(decoder.pending_fragmented(), 4);
}

/// `decode` after `decode_or_skip` left a message half skipped: it finishes the skip, reports the
/// message as the error it would have been, and the stream goes on.
#[test]
fn decode_finishes_a_skip_that_decode_or_skip_began() {
    let big = response_of(2, 3, 2000);
    let ping = ClientPingResponse::new().encode(3);
    let wire = concat(&[big.clone(), ping.clone()]);
    let (first, rest) = wire.split_at(4100); // within the third frame, the one past the limit
    let mut decoder = MessageDecoder::new(SMALL);
    let mut buf = BytesMut::from(first);
    assert_eq!(decoder.decode_or_skip(&mut buf), Ok(None));
    assert!(decoder.is_skipping());
    buf.extend_from_slice(rest);
    assert_eq!(
        decoder.decode(&mut buf),
        Err(CodecError::MessageTooLarge {
            length: big.len() as u64,
            max: 4096
        })
    );
    assert_eq!(decoder.decode(&mut buf), Ok(Some(ping)));
}
